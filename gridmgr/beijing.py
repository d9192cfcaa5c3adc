"""Beijing time: the one clock and the one reader of user-given times for cases and field work.

China keeps one zone (UTC+8) and no daylight saving time.  Case times are stored as Beijing
local ISO text without a zone (``YYYY-MM-DDTHH:MM:SS``).  A time given *with* a zone
(``2026-03-01T01:30:00Z``, ``…+00:00``, an aware ``datetime``) is converted to Beijing time —
never just stripped of its zone; a time without a zone is taken as Beijing time already.
"Now" and "today" are Beijing's whatever the machine's zone is: a server on UTC is eight hours
behind before 08:00 Beijing time, and its ``date.today()`` is the day before.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

BEIJING = timezone(timedelta(hours=8))  # China Standard Time, no daylight saving time
FUTURE_SLACK = timedelta(minutes=10)  # a clock a few minutes fast is not an error


def to_beijing(dt: datetime) -> datetime:
    """A datetime as naive Beijing local time, to the second: an aware one is converted, a
    naive one is taken as Beijing time already."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(BEIJING).replace(tzinfo=None)
    return dt.replace(microsecond=0)


def now() -> datetime:
    """The current Beijing local time, naive, to the second."""
    return to_beijing(datetime.now(BEIJING))


def iso(dt: datetime) -> str:
    """The stored form: ``YYYY-MM-DDTHH:MM:SS``."""
    return dt.replace(microsecond=0).isoformat(timespec="seconds")


def now_iso() -> str:
    """Now, in the stored form."""
    return iso(now())


def today() -> str:
    """Today's date in Beijing (``YYYY-MM-DD``)."""
    return now().date().isoformat()


def parse_moment(value: Any) -> datetime:
    """A time from ISO text (``2026-03-01T09:30[:00]``, a space or ``/`` also work, a bare date
    is its midnight, a zone is converted) or a date/datetime, as naive Beijing time;
    ValueError when unreadable."""
    if isinstance(value, datetime):
        return to_beijing(value)
    if isinstance(value, date):
        return datetime.combine(value, time())
    text = str(value).strip().replace("/", "-")
    return to_beijing(datetime.fromisoformat(text))


def is_future(at: str | datetime, *, now_: datetime | None = None) -> bool:
    """Whether ``at`` lies beyond now (plus :data:`FUTURE_SLACK`): a step cannot have happened
    yet."""
    moment = parse_moment(at)
    return moment > (now_ if now_ is not None else now()) + FUTURE_SLACK
