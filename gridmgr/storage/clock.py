"""The clock every backend stamps rows with: the moment of a write and Beijing's date."""

from __future__ import annotations

from datetime import UTC, datetime

from .. import beijing


def now_iso() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def today() -> str:
    """Today's date in Beijing, whatever the machine's zone (a UTC server's ``date.today()`` is
    the day before until 08:00 Beijing time)."""
    return beijing.today()
