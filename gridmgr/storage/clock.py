"""The clock every backend stamps rows with: the moment of a write and Beijing's date."""

from __future__ import annotations

from datetime import datetime

from .. import beijing


def now_iso() -> str:
    """The moment of a write as people read it: Beijing time with its offset
    (``2026-03-01T09:30:00+08:00``), whatever zone the machine is set to — audit entries,
    conflict decisions, field-package manifests and notices all carry it."""
    return datetime.now(beijing.BEIJING).isoformat(timespec="seconds")


def today() -> str:
    """Today's date in Beijing, whatever the machine's zone (a UTC server's ``date.today()`` is
    the day before until 08:00 Beijing time)."""
    return beijing.today()
