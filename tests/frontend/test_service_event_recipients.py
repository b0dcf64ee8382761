"""The provider types the recipients of a service as people write lists: one per line, or
separated by commas (also Chinese ones) or spaces."""

import pytest

from frontend.provider.forms import ServiceEventForm


@pytest.mark.parametrize(
    "typed",
    [
        "WH0001\nWH0002\n\n",
        "WH0001, wh0002",
        "WH0001，WH0002",
        "WH0001、WH0002",
        " WH0001  WH0002 ",
        "WH0001;WH0002",
    ],
)
def test_recipient_codes_are_split_on_lines_commas_and_spaces(typed):
    form = ServiceEventForm(
        data={"date": "2026-12-01", "area": "", "title": "探访", "recipients": typed}, areas=[]
    )
    form.is_valid()
    assert [code.upper() for code in form.cleaned_data["recipients"]] == ["WH0001", "WH0002"]
