"""Working days by China's official calendar (docs/rules.md §17.1)."""

import datetime

import pytest
from django.core.checks import run_checks
from django.utils import timezone

from common import workdays
from common.checks import check_official_calendar

D = datetime.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2025, 10, 1), False),  # National Day
        (D(2025, 9, 28), True),  # a Sunday made a working day (调休)
        (D(2025, 10, 11), True),  # a Saturday made a working day (调休)
        (D(2025, 10, 9), True),  # a Thursday
        (D(2025, 10, 12), False),  # a Sunday
        (D(2026, 2, 17), False),  # Spring Festival
    ],
)
def test_the_official_calendar_decides(day, working):
    assert workdays.is_working_day(day) is working


def test_seven_working_days_skip_a_golden_week_and_count_its_make_up_saturday():
    # 2025-09-30 (Tue): 1–8 October are holidays, Saturday 11 October is worked.
    assert workdays.add_working_days(D(2025, 9, 30), 7) == D(2025, 10, 16)
    assert workdays.add_working_days(D(2025, 9, 30), 0) == D(2025, 9, 30)
    with pytest.raises(ValueError):
        workdays.add_working_days(D(2025, 9, 30), -1)


def test_a_period_ends_at_the_end_of_its_last_working_day_in_shanghai():
    start = timezone.make_aware(datetime.datetime(2025, 12, 31, 23, 30))  # a Wednesday evening
    deadline = workdays.working_days_deadline(start, 2)  # 1 January is a holiday
    assert timezone.localtime(deadline).date() == D(2026, 1, 5)
    assert timezone.localtime(deadline).time() == datetime.time.max
    assert workdays.working_days_deadline(start, 0) == start


def test_a_year_the_library_does_not_know_counts_weekends_only_and_warns(monkeypatch):
    future = 2999
    assert not workdays.year_known(future)
    assert workdays.add_working_days(D(future, 1, 2), 1) == D(future, 1, 3)  # Wed → Thu
    assert workdays.add_working_days(D(future, 1, 4), 1) == D(future, 1, 7)  # Fri → Mon
    assert workdays.unknown_years(D(future, 6, 1)) == [future, future + 1]
    assert workdays.unknown_years(D(2025, 6, 1)) == []
    this_year = timezone.localdate().year
    monkeypatch.setattr("common.checks.unknown_years", lambda today=None: [this_year, this_year + 1])
    assert [w.id for w in check_official_calendar(None)] == ["shequ.W002"]  # counted wrongly now
    assert "shequ.W002" in [message.id for message in run_checks()]
    monkeypatch.setattr("common.checks.unknown_years", lambda today=None: [this_year + 1])
    assert [w.id for w in check_official_calendar(None)] == ["shequ.I001"]  # every December
    monkeypatch.setattr("common.checks.unknown_years", lambda today=None: [])
    assert check_official_calendar(None) == []


def test_working_days_left_counts_today_and_none_after_the_deadline():
    deadline = workdays.end_of_day(D(2025, 10, 16))
    assert workdays.working_days_left(deadline, timezone.make_aware(datetime.datetime(2025, 10, 13, 9))) == 4
    assert workdays.working_days_left(deadline, deadline + datetime.timedelta(seconds=1)) == 0


def test_the_admin_index_warns_while_a_year_is_unknown(admin_client, monkeypatch, settings):
    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr("common.templatetags.workdays.unknown_years", lambda: [2999])
    assert "official working-day calendar of 2999" in admin_client.get("/admin/").content.decode()
    monkeypatch.setattr("common.templatetags.workdays.unknown_years", lambda: [])
    assert "official working-day calendar" not in admin_client.get("/admin/").content.decode()


def test_an_unknown_year_is_logged_once_not_for_every_day_counted(caplog):
    workdays._warn_unknown_year.cache_clear()
    with caplog.at_level("WARNING", logger="common.workdays"):
        workdays.add_working_days(D(2998, 1, 2), 30)
        workdays.add_working_days(D(2998, 3, 2), 15)
        workdays.add_working_days(D(2997, 1, 2), 5)

    warnings = [record.getMessage() for record in caplog.records if record.name == "common.workdays"]
    assert warnings == [
        "the official calendar of 2998 is not known; counting weekends only",
        "the official calendar of 2997 is not known; counting weekends only",
    ]
