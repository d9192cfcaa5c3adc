"""Cleaning cell values the way a user would want, and saying so: nothing is fixed silently."""

from __future__ import annotations

import csv
import io
import itertools
import math
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

# full-width digits, Latin letters and the few marks that occur in numbers (．－＋): made
# half-width in codes, phones and coordinates only — never in names or addresses, where （）、，
# are part of the registered text
_NARROW = str.maketrans({**{chr(0xFF10 + i): chr(0x30 + i) for i in range(10)},
                         **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
                         **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
                         "．": ".", "－": "-", "＋": "+"})
MOBILE = re.compile(r"^1[3-9]\d{9}$")
# control characters (NUL …; tab, CR and LF become spaces below), zero-width characters and
# the bidirectional overrides that make a name display as something else
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u2064\u2066-\u2069\ufeff]")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def clean_code(value: Any) -> tuple[str | None, list[str]]:
    """A code as text, with what was changed: ``fullwidth_digits``, ``stray_spaces``.

    Numbers read from DBF/Excel come as int or float (440604010001.0); they become digit
    strings.  A code holds no spaces at all, so inner ones go too.
    """
    text, notes = clean_cell(value, narrow=True)
    if text is not None and " " in text:
        text = text.replace(" ", "")
        if "stray_spaces" not in notes:
            notes.append("stray_spaces")
    return text or None, notes


def clean_name(value: Any) -> tuple[str | None, list[str]]:
    """A name stripped of leading/trailing and doubled spaces, with a note when that happened."""
    return clean_cell(value)


def clean_codes(values: Iterable[Any]) -> Iterator[tuple[str | None, list[str]]]:
    """:func:`clean_code` of each value, in order (a whole column, one value at a time).  A
    code of ASCII letters and digits only — every code of a well-kept file — has nothing to
    clean and passes as it is."""
    return ((v, []) if type(v) is str and v.isascii() and v.isalnum() else clean_code(v)
            for v in values)


def clean_names(values: Iterable[Any]) -> Iterator[tuple[str | None, list[str]]]:
    """:func:`clean_name` of each value, in order.  A name with no space and only printable
    characters (so no control, zero-width or direction character, no full-width space) has
    nothing to clean and passes as it is."""
    return ((v, []) if type(v) is str and v and v.isprintable() and " " not in v
            else clean_name(v) for v in values)


def iso_date(value: str) -> str:
    """``YYYY-MM-DD`` checked and normalised; UsageError otherwise (never stored as typed)."""
    from datetime import date

    from .errors import UsageError

    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise UsageError(f"日期应写成 YYYY-MM-DD，例如 2024-01-01；收到 {value!r}") from None


def as_text(v: Any) -> str | None:
    """A cell as text: numbers without a spurious '.0', dates as ISO, blanks as None."""
    if v is None:
        return None
    if isinstance(v, float):
        if v != v:  # NaN
            return None
        if v.is_integer():
            return str(int(v))
        return repr(v)
    if isinstance(v, datetime | date):
        return v.isoformat()
    text = str(v)
    return text if text.strip() else None


def clean_cell(value: Any, *, narrow: bool = False) -> tuple[str | None, list[str]]:
    """A spreadsheet cell as clean text, with what was changed named (``fullwidth_digits``,
    ``stray_spaces``) so that the report can say so.  ``narrow`` makes full-width digits and
    letters half-width: for codes, phones and coordinates, not for names."""
    text = as_text(value)
    if text is None:
        return None, []
    notes = []
    visible = _INVISIBLE.sub("", text)
    if visible != text:  # a NUL, a zero-width space, a right-to-left override: never wanted
        text = visible
        notes.append("invisible_chars")
    if narrow:
        narrowed = text.translate(_NARROW)
        if narrowed != text:
            text = narrowed
            notes.append("fullwidth_digits")
    stripped = " ".join(text.replace("\u3000", " ").split())
    if stripped != text:
        notes.append("stray_spaces")
    return stripped or None, notes


# a character clean_cell may change: the invisible ones, every character str.split() takes for
# whitespace except the plain space, and (with narrow) the full-width ones _NARROW maps.
# tests/files/test_clean_column.py checks every code point against clean_cell itself.
_SPACES = "\t\n\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVISIBLE_SET = ("\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                  "\u2066-\u2069\ufeff")
_DIRTY = re.compile(f"[{_SPACES}{_INVISIBLE_SET}]|^ | $|  ")
_DIRTY_NARROW = re.compile(f"[{_SPACES}{_INVISIBLE_SET}\uff10-\uff19\uff21-\uff3a"
                           "\uff41-\uff5a．－＋]|^ | $|  ")


def clean_column(values: list[Any], *, narrow: bool = False
                 ) -> tuple[list[str | None], dict[int, list[str]]]:
    """:func:`clean_cell` of every value of a column, the same results with less work: (the
    clean texts, {row index: notes} of the rows that have notes).  Text with nothing to clean
    passes one regular-expression test and is kept as it is; no per-row objects are made for
    it (a million small lists cost more in garbage collection than in cleaning)."""
    dirty = (_DIRTY_NARROW if narrow else _DIRTY).search
    texts: list[str | None] = []
    notes: dict[int, list[str]] = {}
    for i, v in enumerate(values):
        if type(v) is str and v and not dirty(v):
            texts.append(v)
        elif v is None:
            texts.append(None)
        else:
            text, said = clean_cell(v, narrow=narrow)
            texts.append(text)
            if said:
                notes[i] = said
    return texts, notes


def finite_number(text: str | None) -> float | None:
    """A coordinate cell as a float; None when blank, unreadable, infinite or NaN (the caller
    refuses the row and says why)."""
    if text is None:
        return None
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


# --------------------------------------------------------------------------- text written out

# a spreadsheet evaluates a cell typed as text that begins with one of these as a formula
# (=HYPERLINK(…), =cmd|…!A1, @SUM(…)); OWASP's CSV-injection guidance adds tab and CR
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# characters XML 1.0 forbids (XLSX, KML and GPX are XML): NUL and the other C0 controls
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the control characters XML cannot hold (a NUL in a name must not make
    every XLSX, KML or GPX written from it unreadable)."""
    return _XML_ILLEGAL.sub("", text)


def sheet_cell(value: Any) -> Any:
    """One value as a spreadsheet should receive it: text that a spreadsheet would run as a
    formula gets a leading apostrophe (OWASP); numbers, dates and blanks pass unchanged, and so
    does text that is only a signed number ("-3", "+86…" cannot run anything)."""
    if not isinstance(value, str):
        return value
    text = xml_safe(value)
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def sheet_frame(frame: Any) -> Any:
    """A copy of a DataFrame with :func:`sheet_cell` applied to every text cell and header —
    the one guard every CSV/XLSX writer calls before writing."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind not in "biufcmM":  # object / string columns hold text
            out[col] = out[col].map(sheet_cell)
    out.columns = [sheet_cell(c) for c in out.columns]
    return out


# where a written CSV field starts (the chunk's start, after a comma or a line end, inside an
# opening quote) with a character sheet_cell guards, or holds one it strips anywhere
_GUARD_NEEDED = re.compile(r'(?:\A|[,\n])"?[=+\-@\t\r]|' + _XML_ILLEGAL.pattern)
# the same question asked fast (a scan of [,\n] stops at every comma): any of the rare
# characters at all, else a field starting with "-" (a common character, found first)
_RARE = re.compile("[=+@\t\r" + _XML_ILLEGAL.pattern[1:])
_DASH_START = re.compile(r'-(?:(?<=[,\n]-)|(?<=[,\n]"-))')


def _needs_guard(chunk: str) -> bool:
    """Whether some field of CSV text ``chunk`` would change under :func:`sheet_cell`."""
    if _RARE.search(chunk):
        return _GUARD_NEEDED.search(chunk) is not None
    return chunk.startswith(("-", '"-')) or _DASH_START.search(chunk) is not None


def write_sheet_csv(handle: Any, header: Sequence[str], batches: Iterable[Sequence[Sequence[Any]]]
                    ) -> int:
    """Write rows to a text ``handle`` exactly as ``sheet_frame(frame).to_csv(index=False)``
    writes them (pandas' csv dialect, None as '', :func:`sheet_cell` on every text value),
    one batch at a time, without a DataFrame; returns the rows written.  A batch whose
    written text shows no field to guard is written as is; any other one value by value."""
    n = 0
    for rows in itertools.chain([[header]], batches):
        buf = io.StringIO()
        csv.writer(buf, lineterminator=os.linesep).writerows(rows)
        chunk = buf.getvalue()
        if _needs_guard(chunk):
            buf = io.StringIO()
            csv.writer(buf, lineterminator=os.linesep).writerows(
                [[sheet_cell(v) for v in row] for row in rows])
            chunk = buf.getvalue()
        handle.write(chunk)
        n += len(rows)
    return n - 1
