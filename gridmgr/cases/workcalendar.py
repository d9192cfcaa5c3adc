"""Working time: which days are working days, and when N working hours or days run out.

A day is a working day when it is Monday–Friday and not a public holiday, or when it is a
weekend day listed as a make-up working day (调休).  The default lists — every day of the State
Council's holiday periods and every 调休 Saturday/Sunday for 2024, 2025 and 2026 — ship as
``gridmgr/data/holidays_cn.csv`` (the notices are cited in its header) and are copied into each
project's ``work_calendar`` table, where a city edits them per year.  The working hours of a day
are the project setting ``work_hours`` (default ``08:30-12:00,14:00-18:00``: 7.5 hours).

Rules (the tests hold them):

* **N 工作时** — the deadline is the moment at which N hours of working time have passed since
  the start.  A start outside working time (a lunch break, an evening, a holiday) counts from
  the next working period.  A limit that runs out exactly at the end of a period is due at that
  end (12:00, not 14:00).  So 4 working hours from 17:00 on the eve of a holiday is 1 hour that
  day and 3 hours on the first working day after the holiday (due 11:30).
* **N 工作日** — N × the working hours of one day (7.5 h by default).  For a start inside
  working time that is the same clock time N working days later; fractions (0.5 工作日) work.
* **N 自然小时 / N 自然日** — calendar time: the start plus N hours or N × 24 hours, whatever
  the day.  A bare 小时 is calendar hours and a bare 天/日 working days unless the bureau says
  otherwise (:func:`normalise_unit`); imports say how they read them.
* **Overdue** is strictly *after* the deadline: at the due instant itself a case is not yet
  overdue (``now > due_at``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from ..beijing import iso, parse_moment  # re-exported: callers read times through here too
from ..errors import UsageError
from .workindex import US, WorkIndex, from_us, orderly, to_us

DEFAULT_WORK_HOURS = "08:30-12:00,14:00-18:00"
HOLIDAYS_FILE = Path(__file__).resolve().parents[1] / "data" / "holidays_cn.csv"
WORK_HOURS, WORK_DAYS, CALENDAR_HOURS, CALENDAR_DAYS = "工作时", "工作日", "自然小时", "自然日"
UNITS = (WORK_HOURS, WORK_DAYS, CALENDAR_HOURS, CALENDAR_DAYS)
# units that say what they are
UNIT_ALIASES = {"工作时": WORK_HOURS, "工作小时": WORK_HOURS, "工作日": WORK_DAYS,
                "自然小时": CALENDAR_HOURS, "自然时": CALENDAR_HOURS, "日历小时": CALENDAR_HOURS,
                "自然日": CALENDAR_DAYS, "日历日": CALENDAR_DAYS, "自然天": CALENDAR_DAYS}
# bare units: 小时 (h) is calendar hours unless the bureau says its hours are working hours;
# 天/日 (d) are working days (as the shipped category table and 12345 rules count them) unless
# it says calendar days.  Callers pass the bureau's choice; reports say how they were read.
BARE_HOURS = ("小时", "时", "h", "hour", "hours")
BARE_DAYS = ("天", "日", "d", "day", "days")
KINDS = ("holiday", "workday")
_MAX_DAYS = 3660  # a deadline further than ten years away is a mistake in the calendar


def default_calendar_rows() -> list[dict[str, str]]:
    """The shipped holiday and 调休 days as rows of ``work_calendar``."""
    with HOLIDAYS_FILE.open(encoding="utf-8") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    return [{"day": r["day"], "kind": r["kind"], "name": r["name"] or None}
            for r in csv.DictReader(lines)]


def parse_work_hours(text: str) -> list[tuple[time, time]]:
    """``'08:30-12:00,14:00-18:00'`` → periods; UsageError when malformed or overlapping."""
    periods: list[tuple[time, time]] = []
    try:
        for part in text.split(","):
            a, b = (time.fromisoformat(s.strip()) for s in part.split("-"))
            periods.append((a, b))
    except ValueError:
        raise UsageError(f"工作时间应写成 08:30-12:00,14:00-18:00；收到 {text!r}") from None
    for (a, b), nxt in zip(periods, [*periods[1:], None]):
        if not a < b or (nxt is not None and not b <= nxt[0]):
            raise UsageError(f"工作时间段应按时间先后且不重叠：{text!r}")
    if not periods:
        raise UsageError("工作时间不能为空")
    return periods


@dataclass
class WorkCalendar:
    """Working days and hours; ``days`` maps ISO dates to 'holiday' or 'workday'."""

    days: Mapping[str, str] = field(default_factory=dict)
    hours: list[tuple[time, time]] = field(
        default_factory=lambda: parse_work_hours(DEFAULT_WORK_HOURS))
    # built on first use from ``days`` and ``hours`` (a calendar is not edited in place: a
    # changed one is a new WorkCalendar); deadlines computed ahead by :meth:`prime`
    _index: WorkIndex | None = field(default=None, init=False, repr=False, compare=False)
    _primed: dict[tuple[str, float, str], str] = field(default_factory=dict, init=False,
                                                        repr=False, compare=False)

    @classmethod
    def default(cls) -> WorkCalendar:
        return cls({r["day"]: r["kind"] for r in default_calendar_rows()})

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]], work_hours: str | None = None
                  ) -> WorkCalendar:
        return cls({r["day"]: r["kind"] for r in rows},
                   parse_work_hours(work_hours or DEFAULT_WORK_HOURS))

    @property
    def hours_per_day(self) -> float:
        return sum((_secs(b) - _secs(a)) for a, b in self.hours) / 3600.0

    def is_workday(self, day: date) -> bool:
        kind = self.days.get(day.isoformat())
        if kind == "holiday":
            return False
        if kind == "workday":
            return True
        return day.weekday() < 5

    def _periods(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_workday(day):
            return []
        return [(datetime.combine(day, a), datetime.combine(day, b)) for a, b in self.hours]

    def add_hours(self, start: datetime, hours: float) -> datetime:
        """The moment ``hours`` of working time after ``start`` (see the module docstring)."""
        if hours < 0:
            raise UsageError(f"时限不能为负数：{hours}")
        left = timedelta(hours=hours)
        due = int(self._index_for(start.date(), start.date()).add(
            np.array([to_us(start)]), np.array([left // timedelta(microseconds=1)]),
            _MAX_DAYS)[0])
        if due < 0:
            raise UsageError(f"从 {iso(start)} 起十年内凑不够 {hours} 个工作时：请检查工作日历")
        return from_us(due)

    def _index_for(self, first: date, last: date) -> WorkIndex:
        """The period index covering the days from ``first`` to ten years after ``last``."""
        end = last + timedelta(days=_MAX_DAYS)
        if self._index is None or not self._index.covers(first, end):
            if not orderly(self.hours):
                raise UsageError(f"工作时间段应按时间先后且不重叠：{self.hours!r}")
            if self._index is not None:  # grow, so that calls in time order rarely rebuild
                first, end = min(first, self._index.first), max(end, self._index.last)
            self._index = WorkIndex(self.days, self.hours, first - timedelta(days=366),
                                    end + timedelta(days=366))
        return self._index

    def add_days(self, start: datetime, days: float) -> datetime:
        """``days`` working days after ``start``: days × the working hours of one day."""
        return self.add_hours(start, days * self.hours_per_day)

    def add(self, start: datetime, limit: float, unit: str) -> datetime:
        """A deadline from a limit in 工作时, 工作日, 自然小时 or 自然日 (a bare unit as
        :func:`normalise_unit` reads it by default)."""
        u = normalise_unit(unit)
        if u in (CALENDAR_HOURS, CALENDAR_DAYS):
            if limit < 0:
                raise UsageError(f"时限不能为负数：{limit}")
            if limit > _MAX_DAYS * (24 if u == CALENDAR_HOURS else 1):
                raise UsageError(f"时限 {limit:g}{u} 超过十年：请检查时限")
            return start + (timedelta(hours=limit) if u == CALENDAR_HOURS
                             else timedelta(days=limit))
        return self.add_hours(start, limit) if u == WORK_HOURS else self.add_days(start, limit)

    def prime(self, starts: list[str], limits: list[float], units: list[str]) -> None:
        """Compute many deadlines at once (as :meth:`add` would, ``iso`` of the result) so that
        :meth:`due_iso` finds them: ``starts`` in the stored form ``YYYY-MM-DDTHH:MM:SS``.
        Requests :meth:`add` would refuse (a bad unit, a negative limit, no deadline within ten
        years) are left out: ``due_iso`` then asks :meth:`add`, which says why."""
        if not starts:
            return
        pairs = list(zip(limits, units))
        code = {p: k for k, p in enumerate(dict.fromkeys(pairs))}  # each (limit, unit) once
        offsets = [self._offset(lim, u) for lim, u in code]
        usable = np.array([o is not None for o in offsets], dtype=bool)
        work_of = np.array([o is not None and o[0] == "work" for o in offsets], dtype=bool)
        left_of = np.array([o[1] if o is not None else 0 for o in offsets], dtype=np.int64)
        codes = np.fromiter((code[p] for p in pairs), dtype=np.int64, count=len(pairs))
        text = np.array(starts, dtype=object)
        try:  # the stored form is what numpy reads and writes back unchanged
            parsed = text.astype("datetime64[s]")
            same = np.datetime_as_string(parsed, unit="s") == text.astype(str)
        except (ValueError, TypeError, OverflowError):
            same = np.array([_stored_form(t) for t in starts], dtype=bool)
            parsed = np.where(same, text, "NaT").astype("datetime64[s]")
        keep = np.flatnonzero(same & ~np.isnat(parsed) & usable[codes])
        if not len(keep):
            return
        start_s = parsed[keep].astype(np.int64)
        start_us = start_s * US
        left = left_of[codes[keep]]
        due = start_us + left  # calendar time
        work = work_of[codes[keep]]
        if work.any():
            day = start_s[work] // 86400
            first = date.fromordinal(_ORDINAL_1970 + int(day.min()))
            last = date.fromordinal(_ORDINAL_1970 + int(day.max()))
            due[work] = self._index_for(first, last).add(start_us[work], left[work], _MAX_DAYS)
        ok = due >= 0
        keep, due = keep[ok], due[ok]
        text_due = np.datetime_as_string((due // US).astype("datetime64[s]"), unit="s")
        self._primed.update(zip(((starts[i], pairs[i][0], pairs[i][1]) for i in keep.tolist()),
                                text_due.tolist()))

    def due_iso(self, start: str, limit: float, unit: str) -> str:
        """``iso(add(parse_moment(start), limit, unit))``, from :meth:`prime` when it was
        computed there."""
        hit = self._primed.get((start, limit, unit))
        return hit if hit is not None else iso(self.add(parse_moment(start), limit, unit))

    def _offset(self, limit: float, unit: str) -> tuple[str, int] | None:
        """('work' or 'calendar', the limit in µs) as :meth:`add` reads it; None when add
        would refuse it."""
        try:
            u = normalise_unit(unit)
            lim = float(limit)
            if lim < 0 or lim != lim:
                return None
            if u in (CALENDAR_HOURS, CALENDAR_DAYS):
                if lim > _MAX_DAYS * (24 if u == CALENDAR_HOURS else 1):
                    return None
                d = timedelta(hours=lim) if u == CALENDAR_HOURS else timedelta(days=lim)
                return "calendar", d // timedelta(microseconds=1)
            hours = lim if u == WORK_HOURS else lim * self.hours_per_day
            return "work", timedelta(hours=hours) // timedelta(microseconds=1)
        except (UsageError, ValueError, OverflowError, TypeError):
            return None

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        """Working time between two moments, in hours (0 when b ≤ a)."""
        if b <= a:
            return 0.0
        total = timedelta()
        day = a.date()
        while day <= b.date():
            for p, q in self._periods(day):
                lo, hi = max(p, a), min(q, b)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total.total_seconds() / 3600.0

    def year(self, year: int) -> list[dict[str, Any]]:
        """Every day of a year that is not an ordinary Mon–Fri working day or weekend:
        holidays and 调休 working days, in date order."""
        return sorted(({"day": d, "kind": k} for d, k in self.days.items()
                       if d.startswith(f"{year:04d}-")), key=lambda r: r["day"])


def normalise_unit(unit: str | None, *, hours: str = CALENDAR_HOURS,
                   days: str = WORK_DAYS) -> str:
    """A unit as one of :data:`UNITS`: '工作小时' → '工作时', '自然日' → '自然日'; a bare
    '小时'/'h' → ``hours`` (calendar hours unless the bureau says otherwise), a bare '天'/'日'/'d'
    → ``days`` (working days unless it says otherwise).  UsageError for anything else."""
    key = (unit or "").strip().lower()
    u = UNIT_ALIASES.get(key) or (hours if key in BARE_HOURS else days if key in BARE_DAYS
                                  else None)
    if u is None:
        raise UsageError(f"时限单位应为 工作时、工作日、自然小时 或 自然日；收到 {unit!r}")
    return u


def is_bare_unit(unit: str | None) -> bool:
    """Whether ``unit`` leaves open if it counts working or calendar time (小时, 天 …)."""
    return (unit or "").strip().lower() in (*BARE_HOURS, *BARE_DAYS)


def overdue(due_at: str | None, now: str | datetime) -> bool:
    """Overdue strictly after the deadline: ``now > due_at`` (at the instant itself, not yet)."""
    if not due_at:
        return False
    return parse_moment(now) > parse_moment(due_at)


_ORDINAL_1970 = date(1970, 1, 1).toordinal()


def _stored_form(text: object) -> bool:
    """Whether ``text`` is exactly ``YYYY-MM-DDTHH:MM:SS`` (a valid moment)."""
    if not isinstance(text, str) or len(text) != 19 or text[10] != "T":
        return False
    try:
        return datetime.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def _secs(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second
