"""Cleaning cell values the way a user would want, and saying so: nothing is fixed silently."""

from __future__ import annotations

import math
import unicodedata
from typing import Any

FULLWIDTH_DIGITS = {chr(0xFF10 + i) for i in range(10)}


def clean_code(value: Any) -> tuple[str | None, list[str]]:
    """A code as text, with what was changed: ``stray_spaces``, ``fullwidth_digits``.

    Numbers read from DBF/Excel come as int or float (440604010001.0); they become digit strings.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    notes = []
    if any(c in FULLWIDTH_DIGITS for c in text):
        text = unicodedata.normalize("NFKC", text)
        notes.append("fullwidth_digits")
    stripped = "".join(text.split())
    if stripped != text:
        notes.append("stray_spaces")
    return (stripped or None), notes


def clean_name(value: Any) -> tuple[str | None, list[str]]:
    """A name stripped of leading/trailing and doubled spaces, with a note when that happened."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, []
    text = str(value).replace("\u3000", " ")
    stripped = " ".join(text.split())
    notes = ["stray_spaces"] if stripped != str(value) else []
    return (stripped or None), notes


def iso_date(value: str) -> str:
    """``YYYY-MM-DD`` checked and normalised; UsageError otherwise (never stored as typed)."""
    from datetime import date

    from .errors import UsageError

    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise UsageError(f"日期应写成 YYYY-MM-DD，例如 2024-01-01；收到 {value!r}") from None
