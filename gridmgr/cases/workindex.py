"""Deadlines by lookup: the working periods of a span of days as sorted arrays.

Stepping through the calendar hour by hour cost an import of 100k cases 750k ``is_workday``
calls.  Here every working period of the days that can matter (the earliest start to ten years
after the latest, the horizon :class:`~.workcalendar.WorkCalendar` allows) is one row of three
int64 arrays in microseconds — start ``a``, end ``b`` and the working time ``c`` before it —
so that "N working hours after t" is two ``numpy.searchsorted`` calls, for one start or for a
whole column.  The rules are those of ``WorkCalendar.add_hours`` (the tests compare both on
thousands of random starts): periods that end at or before the start are skipped, a start
before a period counts from its beginning, a limit that runs out at a period's end is due then.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

import numpy as np

US = 1_000_000
DAY_US = 86_400 * US
_EPOCH = datetime(1970, 1, 1)


def to_us(dt: datetime) -> int:
    """A naive datetime as microseconds since 1970-01-01 (exact integer arithmetic)."""
    d = dt - _EPOCH
    return (d.days * 86_400 + d.seconds) * US + d.microseconds


def from_us(us: int) -> datetime:
    """The inverse of :func:`to_us`."""
    days, rest = divmod(int(us), DAY_US)
    return _EPOCH + timedelta(days=days, microseconds=rest)


def _offset(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * US + t.microsecond


def orderly(hours: list[tuple[time, time]]) -> bool:
    """Whether the periods are ascending and disjoint (what the index assumes;
    ``parse_work_hours`` refuses any other list, and so does the calendar)."""
    return bool(hours) and all(a < b for a, b in hours) and all(
        p[1] <= q[0] for p, q in zip(hours, hours[1:]))


class WorkIndex:
    """The working periods of the days ``first`` … ``last`` (inclusive)."""

    def __init__(self, days: Mapping[str, str], hours: list[tuple[time, time]], first: date,
                 last: date) -> None:
        self.first, self.last = first, last
        d = np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1).astype(np.int64)
        working = (d + 3) % 7 < 5  # 1970-01-01 was a Thursday: weekday() 0–4 are Mon–Fri
        lo, hi = d[0] if len(d) else 0, d[-1] if len(d) else -1
        for key, kind in days.items():
            if kind not in ("holiday", "workday"):
                continue  # the calendar ignores any other kind too
            try:
                day = date.fromisoformat(key)
            except (TypeError, ValueError):
                continue
            if day.isoformat() != key:  # looked up by isoformat(): other spellings never match
                continue
            n = int(np.datetime64(day, "D").astype(np.int64))
            if lo <= n <= hi:
                working[n - lo] = kind == "workday"
        base = d[working] * DAY_US
        starts = np.array([_offset(a) for a, _ in hours], dtype=np.int64)
        ends = np.array([_offset(b) for _, b in hours], dtype=np.int64)
        self.a = (base[:, None] + starts[None, :]).ravel()
        self.b = (base[:, None] + ends[None, :]).ravel()
        length = self.b - self.a
        self.e = np.cumsum(length)  # working time up to each period's end
        self.c = self.e - length  # … and before its start

    def covers(self, first: date, last: date) -> bool:
        return self.first <= first and last <= self.last

    def add(self, start: np.ndarray, left: np.ndarray, max_days: int) -> np.ndarray:
        """Deadlines (µs) of ``left`` µs of working time after ``start`` (µs), vectorised;
        -1 where none falls within ``max_days`` days from the start's day (or the index)."""
        start = np.asarray(start, dtype=np.int64)
        left = np.asarray(left, dtype=np.int64)
        n = len(self.a)
        if n == 0:
            return np.full(start.shape, -1, dtype=np.int64)
        k = np.searchsorted(self.b, start, side="right")  # first period ending after start
        kk = np.minimum(k, n - 1)
        target = self.c[kk] + np.maximum(0, start - self.a[kk]) + left
        m = np.maximum(k, np.searchsorted(self.e, target, side="left"))
        mm = np.minimum(m, n - 1)
        due = self.a[mm] + (target - self.c[mm])
        ok = (k < n) & (m < n) & (self.a[mm] // DAY_US - start // DAY_US < max_days)
        return np.where(ok, due, -1)
