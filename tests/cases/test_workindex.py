"""The deadline lookup (``WorkIndex``) against the hour-stepping reference it replaced.

``step_hours`` below is ``WorkCalendar.add_hours`` as it was before the index: it walks the
calendar day by day and period by period.  Both are compared on thousands of random starts —
inside and outside working time, on holidays and 调休 Saturdays, at month and year ends — for
limits in working hours and working days, one at a time and through ``prime``/``due_iso``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pytest

from gridmgr.beijing import iso
from gridmgr.cases.lifecycle import stage_due
from gridmgr.cases.workcalendar import WorkCalendar, parse_work_hours
from gridmgr.errors import UsageError

MAX_DAYS = 3660


def step_periods(cal: WorkCalendar, day: date) -> list[tuple[datetime, datetime]]:
    if not cal.is_workday(day):
        return []
    return [(datetime.combine(day, a), datetime.combine(day, b)) for a, b in cal.hours]


def step_hours(cal: WorkCalendar, start: datetime, hours: float) -> datetime:
    """The reference: the stepping ``add_hours`` the index replaced, unchanged."""
    if hours < 0:
        raise UsageError(f"时限不能为负数：{hours}")
    left = timedelta(hours=hours)
    day = start.date()
    for _ in range(MAX_DAYS):
        for a, b in step_periods(cal, day):
            if b <= start:
                continue
            a = max(a, start)
            if a + left <= b:
                return a + left
            left -= b - a
        day += timedelta(days=1)
    raise UsageError(f"从 {iso(start)} 起十年内凑不够 {hours} 个工作时：请检查工作日历")


def step_add(cal: WorkCalendar, start: datetime, limit: float, unit: str) -> datetime:
    if unit in ("工作日", "天"):
        return step_hours(cal, start, limit * cal.hours_per_day)
    if unit == "自然小时":
        return start + timedelta(hours=limit)
    if unit == "自然日":
        return start + timedelta(days=limit)
    return step_hours(cal, start, limit)


# a city's own calendar: a holiday run across a year end, a 调休 Sunday and Saturday, a holiday
# on a month end, and odd working hours (three periods, one with seconds)
CITY = WorkCalendar({"2025-12-31": "holiday", "2026-01-01": "holiday", "2026-01-02": "holiday",
                     "2026-01-04": "workday", "2026-02-28": "workday", "2026-03-31": "holiday",
                     "2026-04-30": "holiday", "2026-05-09": "workday"},
                    parse_work_hours("08:00-11:45,13:30-17:30:30,19:00-20:00"))
CALENDARS = {"shipped": WorkCalendar.default(), "city": CITY}
LIMITS = [0, 0.25, 0.5, 1, 1.5, 2, 3.5, 4, 7.5, 8, 16, 24, 40, 1 / 3, 100.75]
DAY_LIMITS = [0.5, 1, 2, 3, 5, 10, 15, 30, 1 / 3]


def random_starts(n: int, seed: int) -> list[datetime]:
    """Starts over 2024-12-20 … 2026-12-31: any second, plus the boundaries that matter (period
    starts and ends, midnight, month and year ends)."""
    rng = np.random.default_rng(seed)
    t0 = datetime(2024, 12, 20)
    span = int((datetime(2026, 12, 31, 23, 59, 59) - t0).total_seconds())
    out = [t0 + timedelta(seconds=int(s)) for s in rng.integers(0, span, n)]
    edges = [time(0, 0), time(8, 0), time(8, 30), time(11, 45), time(12, 0), time(13, 30),
             time(14, 0), time(17, 30, 30), time(18, 0), time(19, 0), time(20, 0),
             time(23, 59, 59)]
    days = [date(2024, 12, 31), date(2025, 1, 1), date(2025, 1, 26), date(2025, 1, 27),
            date(2025, 2, 28), date(2025, 9, 30), date(2025, 12, 31), date(2026, 1, 1),
            date(2026, 1, 4), date(2026, 2, 13), date(2026, 2, 14), date(2026, 2, 28),
            date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 9), date(2026, 9, 30)]
    out += [datetime.combine(d, t) for d in days for t in edges]
    return out


@pytest.mark.parametrize("name", sorted(CALENDARS))
def test_working_hours_equal_the_stepping_reference(name: str) -> None:
    cal = CALENDARS[name]
    rng = np.random.default_rng(7)
    starts = random_starts(3000, 11)
    for start in starts:
        limit = float(LIMITS[int(rng.integers(len(LIMITS)))])
        assert cal.add_hours(start, limit) == step_hours(cal, start, limit), (start, limit)
    # a deadline that runs out exactly at a period's end is due at that end, not at the next
    end = datetime.combine(date(2026, 3, 2), cal.hours[0][1])
    assert cal.add_hours(datetime.combine(date(2026, 3, 2), cal.hours[0][0]),
                         (end - datetime.combine(end, cal.hours[0][0])).seconds / 3600) == end


@pytest.mark.parametrize("name", sorted(CALENDARS))
def test_working_days_equal_the_stepping_reference(name: str) -> None:
    cal = CALENDARS[name]
    rng = np.random.default_rng(8)
    for start in random_starts(2000, 12):
        limit = float(DAY_LIMITS[int(rng.integers(len(DAY_LIMITS)))])
        assert cal.add(start, limit, "工作日") == step_add(cal, start, limit, "工作日"), \
            (start, limit)
        assert cal.add_days(start, limit) == step_add(cal, start, limit, "工作日")


def test_starts_with_microseconds_and_the_ten_year_horizon() -> None:
    cal = CALENDARS["city"]
    for start in random_starts(300, 13):
        start = start.replace(microsecond=123457)
        assert cal.add_hours(start, 2.2) == step_hours(cal, start, 2.2)
    # a limit no calendar holds within ten years is refused, like the stepping code
    with pytest.raises(UsageError, match="十年内"):
        cal.add_days(datetime(2026, 3, 2, 9), 100000)
    with pytest.raises(UsageError):
        step_hours(cal, datetime(2026, 3, 2, 9), 100000 * cal.hours_per_day)
    # the longest limit that still fits ends within the horizon, as stepping finds it
    assert cal.add_days(datetime(2026, 3, 2, 9), 2000) == step_add(
        cal, datetime(2026, 3, 2, 9), 2000, "工作日")
    # a calendar with no working day at all refuses every working-time limit
    never = WorkCalendar({(date(2026, 1, 1) + timedelta(days=i)).isoformat(): "holiday"
                          for i in range(MAX_DAYS + 400)}, parse_work_hours("08:00-09:00"))
    with pytest.raises(UsageError, match="十年内"):
        never.add_hours(datetime(2026, 1, 1), 1)


@pytest.mark.parametrize("name", sorted(CALENDARS))
def test_primed_deadlines_equal_the_reference(name: str) -> None:
    """``prime`` (the import's vectorised path) gives what one ``add`` at a time gives —
    working hours and days, calendar hours and days, bare units — and leaves what ``add``
    refuses to ``add``."""
    cal = WorkCalendar(dict(CALENDARS[name].days), list(CALENDARS[name].hours))
    rng = np.random.default_rng(9)
    units = ["工作时", "工作日", "自然小时", "自然日", "小时", "天", "工作小时"]
    starts = [iso(s) for s in random_starts(3000, 14)]
    limits = [float(LIMITS[int(rng.integers(len(LIMITS)))]) for _ in starts]
    us = [units[int(rng.integers(len(units)))] for _ in starts]
    cal.prime([*starts, "2026-03-02T09:00:00", "2026-03-02 09:00", "2026-03-02T09:00:00", "NaT"],
              [*limits, 100000.0, 1.0, -1.0, 1.0], [*us, "工作日", "工作时", "工作时", "工作时"])
    assert ("NaT", 1.0, "工作时") not in cal._primed
    # unreadable starts: each checked on its own, the good one kept
    fresh = WorkCalendar.default()
    fresh.prime(["2026-03-02T09:00:00", None, "2026-02-30T09:00:00"],  # type: ignore[list-item]
                [1.0, 1.0, 1.0], ["工作时"] * 3)
    assert fresh._primed == {("2026-03-02T09:00:00", 1.0, "工作时"): "2026-03-02T10:00:00"}
    assert len(cal._primed) >= len(set(zip(starts, limits, us))) - 5
    assert ("2026-03-02T09:00:00", 100000.0, "工作日") not in cal._primed
    assert ("2026-03-02 09:00", 1.0, "工作时") not in cal._primed  # not the stored form
    for s, lim, u in zip(starts, limits, us):
        ref = step_add(cal, datetime.fromisoformat(s), lim,
                       {"小时": "自然小时", "工作小时": "工作时"}.get(u, u))
        assert cal.due_iso(s, lim, u) == iso(ref), (s, lim, u)
    with pytest.raises(UsageError, match="十年内"):
        cal.due_iso("2026-03-02T09:00:00", 100000.0, "工作日")
    with pytest.raises(UsageError, match="负数"):
        cal.due_iso("2026-03-02T09:00:00", -1.0, "工作时")


def test_stage_due_reads_the_primed_deadlines() -> None:
    cal = WorkCalendar.default()
    cat = {"dispose_limit": 2, "dispose_unit": "工作日", "verify_limit": None}
    start = "2026-02-13T17:00:00"  # a Friday before the 调休 Saturday and 春节
    assert stage_due(cal, cat, "dispose", start) == "2026-02-24T17:00:00"
    cal._primed[(start, 2.0, "工作日")] = "primed"
    assert stage_due(cal, cat, "dispose", start) == "primed"
    assert stage_due(cal, cat, "verify", start) is None
