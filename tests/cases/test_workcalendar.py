"""Working time: the shipped holiday lists and deadlines across holidays and 调休 days."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gridmgr.cases.workcalendar import (
    WorkCalendar,
    default_calendar_rows,
    overdue,
    parse_work_hours,
)
from gridmgr.errors import UsageError

CAL = WorkCalendar.default()


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_shipped_lists_match_the_state_council_notices() -> None:
    rows = default_calendar_rows()
    by_year: dict[str, dict[str, list[str]]] = {}
    for r in rows:
        by_year.setdefault(r["day"][:4], {}).setdefault(r["kind"], []).append(r["day"])
    # 2025 春节 1-28..2-4 with make-up workdays 1-26 (Sun) and 2-8 (Sat)
    assert [d for d in by_year["2025"]["holiday"] if d.startswith("2025-0")][:9] == [
        "2025-01-01", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-01",
        "2025-02-02", "2025-02-03", "2025-02-04"]
    assert by_year["2024"]["workday"] == ["2024-02-04", "2024-02-18", "2024-04-07",
                                          "2024-04-28", "2024-05-11", "2024-09-14",
                                          "2024-09-29", "2024-10-12"]
    assert by_year["2025"]["workday"] == ["2025-01-26", "2025-02-08", "2025-04-27",
                                          "2025-09-28", "2025-10-11"]
    assert by_year["2026"]["workday"] == ["2026-01-04", "2026-02-14", "2026-02-28",
                                          "2026-05-09", "2026-09-20", "2026-10-10"]
    # holiday days per year (every day of each period, weekends inside included)
    assert {y: len(k["holiday"]) for y, k in by_year.items()} == {
        "2024": 28, "2025": 28, "2026": 33}
    # every make-up working day is a weekend day
    assert all(date.fromisoformat(d).weekday() >= 5 for k in by_year.values()
               for d in k["workday"])


@pytest.mark.parametrize(("day", "working"), [
    ("2025-01-26", True),   # Sunday, 调休 for 春节
    ("2025-01-28", False),  # 除夕
    ("2025-02-04", False),
    ("2025-02-08", True),   # Saturday, 调休
    ("2025-02-09", False),  # an ordinary Sunday
    ("2026-02-14", True),   # Saturday, 调休 for 春节 2026
    ("2026-02-23", False),  # last day of 春节 2026 (a Monday)
    ("2026-02-24", True),
    ("2026-10-08", True),   # 2026 国庆 ends on the 7th
    ("2026-03-02", True),   # an ordinary Monday
])
def test_working_days(day: str, working: bool) -> None:
    assert CAL.is_workday(date.fromisoformat(day)) is working


def test_four_working_hours_from_17_00_on_the_eve_of_a_holiday_fall_due_after_it() -> None:
    # 2025-09-30 (Tue) 17:00: one hour that day, 10-01..10-08 off, three more hours on 10-09
    assert CAL.add_hours(dt("2025-09-30T17:00"), 4) == dt("2025-10-09T11:30")
    # 2026-02-13 is a Friday, but Saturday 02-14 is a 调休 working day: due that Saturday
    assert CAL.add_hours(dt("2026-02-13T17:00"), 4) == dt("2026-02-14T11:30")
    # from the 调休 Saturday's evening, 春节 2-15..2-23 lies in between
    assert CAL.add_hours(dt("2026-02-14T17:00"), 4) == dt("2026-02-24T11:30")


def test_working_days_across_a_holiday_and_a_tiaoxiu_saturday() -> None:
    # Thu 2-12 10:00 + 3 工作日: Fri 2-13, Sat 2-14 (调休), then Tue 2-24 after 春节
    assert CAL.add_days(dt("2026-02-12T10:00"), 3) == dt("2026-02-24T10:00")
    assert CAL.add(dt("2026-02-12T10:00"), 2, "工作日") == dt("2026-02-14T10:00")
    # an ordinary weekend is skipped
    assert CAL.add_days(dt("2026-03-06T10:00"), 1) == dt("2026-03-09T10:00")
    assert CAL.add(dt("2026-03-06T10:00"), 0.5, "天") == dt("2026-03-06T15:45")


def test_periods_breaks_and_starts_outside_working_time() -> None:
    assert CAL.add_hours(dt("2026-03-02T08:30"), 3.5) == dt("2026-03-02T12:00")  # not 14:00
    assert CAL.add_hours(dt("2026-03-02T12:30"), 1) == dt("2026-03-02T15:00")  # lunch break
    assert CAL.add_hours(dt("2026-03-07T10:00"), 1) == dt("2026-03-09T09:30")  # a Saturday
    assert CAL.add_hours(dt("2026-03-02T06:00"), 0) == dt("2026-03-02T08:30")
    assert CAL.hours_per_day == 7.5
    assert CAL.working_hours_between(dt("2025-09-30T17:00"), dt("2025-10-09T11:30")) == 4.0


def test_overdue_is_strictly_after_the_deadline() -> None:
    assert not overdue("2026-03-02T12:00:00", "2026-03-02T12:00:00")
    assert overdue("2026-03-02T12:00:00", "2026-03-02T12:00:01")
    assert not overdue("2026-03-02T12:00:00", "2026-03-02T11:59:59")
    assert not overdue(None, "2030-01-01T00:00:00")


def test_bad_input_is_refused() -> None:
    with pytest.raises(UsageError, match="负数"):
        CAL.add_hours(dt("2026-03-02T08:30"), -1)
    with pytest.raises(UsageError):
        parse_work_hours("14:00-12:00")
    with pytest.raises(UsageError):
        CAL.add(dt("2026-03-02T08:30"), 1, "周")


def test_custom_hours_and_days() -> None:
    cal = WorkCalendar({"2026-03-03": "holiday", "2026-03-07": "workday"},
                       parse_work_hours("09:00-17:00"))
    assert cal.hours_per_day == 8
    assert cal.add_hours(dt("2026-03-02T16:00"), 2) == dt("2026-03-04T10:00")
    assert cal.add_hours(dt("2026-03-06T16:00"), 2) == dt("2026-03-07T10:00")


def test_times_with_a_zone_are_converted_to_beijing_time() -> None:
    """One reader for every user-given time: a zone is converted, never dropped."""

    from gridmgr.cases.workcalendar import parse_moment

    assert parse_moment("2026-03-01T01:30:00Z") == datetime(2026, 3, 1, 9, 30)
    assert parse_moment("2026-03-01T09:30:00+08:00") == datetime(2026, 3, 1, 9, 30)
    assert parse_moment("2026-02-28T20:00-05:00") == datetime(2026, 3, 1, 9, 0)
    assert parse_moment(datetime(2026, 3, 1, 1, 30, tzinfo=UTC)) == datetime(
        2026, 3, 1, 9, 30)
    assert parse_moment("2026/03/01 09:30") == datetime(2026, 3, 1, 9, 30)  # no zone: Beijing
    assert parse_moment(date(2026, 3, 1)) == datetime(2026, 3, 1)
    with pytest.raises(ValueError):
        parse_moment("昨天")


def test_now_and_today_are_beijings_whatever_the_machine_zone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """At 2026-03-01 20:00 UTC it is already 03-02 04:00 in Beijing: every "now" and "today"
    of the cases (and the storage's default dates) says so."""

    from gridmgr import beijing, storage
    from gridmgr.cases import lifecycle as cases
    from gridmgr.indicators import compute as indicators

    class Fixed(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return datetime(2026, 3, 1, 20, 0, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(beijing, "datetime", Fixed)
    assert beijing.today() == storage.today() == "2026-03-02"
    assert cases.now_local() == "2026-03-02T04:00:00"
    assert indicators.now_beijing() == datetime(2026, 3, 2, 4, 0)
    assert indicators.parse_as_of(None) == datetime(2026, 3, 2, 4, 0)
