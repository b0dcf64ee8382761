"""On a phone, values never break and wide tables become cards (frontend/assets/main.scss): the
``nowrap`` filter marks a value in running text, and every table of more than three columns uses
the responsive-table pattern, each of its cells labelled with its column. In a browser at 360 px:
tests/e2e/test_phone_layout.py."""

import datetime
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

TEMPLATES = Path(__file__).resolve().parents[2] / "frontend" / "templates"
TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.DOTALL)


def render(source: str, **context) -> str:
    return Template("{% load i18n shequ %}" + source).render(Context(context))


def test_nowrap_marks_a_value_that_must_stay_on_one_line():
    assert render('{{ day|date:"Y-m-d"|nowrap }}', day=datetime.date(2026, 5, 1)) == (
        '<span class="shequ-value">2026-05-01</span>'
    )


def test_nowrap_escapes_the_value_and_leaves_nothing_for_no_value():
    assert (
        render("{{ value|nowrap }}", value="<b>1</b>")
        == '<span class="shequ-value">&lt;b&gt;1&lt;/b&gt;</span>'
    )
    assert render('{{ day|date:"Y-m-d"|nowrap }}', day=None) == ""


def test_nowrap_keeps_a_date_whole_inside_a_translated_sentence():
    with translation.override("en"):
        html = render(
            '{% blocktranslate with date=day|date:"Y-m-d"|nowrap %}Open to appeal until {{ date }}'
            "{% endblocktranslate %}",
            day=datetime.date(2026, 5, 1),
        )

    assert html == 'Open to appeal until <span class="shequ-value">2026-05-01</span>'


def tables() -> list[tuple[str, str]]:
    return [
        (path.relative_to(TEMPLATES).as_posix(), table)
        for path in sorted(TEMPLATES.rglob("*.html"))
        for table in TABLE.findall(path.read_text())
    ]


RESPONSIVE = [(template, table) for template, table in tables() if "shequ-responsive-table" in table]


@pytest.mark.parametrize(("template", "table"), RESPONSIVE, ids=[template for template, _ in RESPONSIVE])
def test_every_cell_of_a_responsive_table_names_its_column(template, table):
    """Its column's name, or data-label="" for a cell that speaks for itself (a link to act)."""
    unlabelled = [cell for cell in re.findall(r"<td\b[^>]*>", table) if "data-label=" not in cell]

    assert unlabelled == [], f"{template}: cells without a data-label"


def test_every_table_of_more_than_three_columns_becomes_cards_on_a_phone():
    wide = [
        template
        for template, table in tables()
        if len(re.findall(r'<th scope="col"', table.split("</thead>")[0])) > 3
        and "shequ-responsive-table" not in table
    ]

    assert wide == []
