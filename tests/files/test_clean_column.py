"""``clean_column`` (the import's per-column cleaning) gives exactly what ``clean_cell`` gives
row by row: every code point is checked for the shortcut, and mixed columns are compared."""

from __future__ import annotations

import sys
from datetime import date, datetime

import numpy as np
import pytest

from gridmgr.text import _DIRTY, _DIRTY_NARROW, _INVISIBLE, _NARROW, clean_cell, clean_column


@pytest.mark.parametrize("narrow", [False, True])
def test_every_character_the_shortcut_passes_is_one_clean_cell_keeps(narrow: bool) -> None:
    """A character outside the shortcut's set is never removed, narrowed or split on."""
    dirty = _DIRTY_NARROW if narrow else _DIRTY
    passed = 0
    for cp in range(sys.maxunicode + 1):
        c = chr(cp)
        if dirty.search(c):
            continue
        passed += 1
        assert not _INVISIBLE.search(c), hex(cp)
        assert c == " " or not c.isspace(), hex(cp)
        assert c != "\u3000", hex(cp)
        if narrow:
            assert c.translate(_NARROW) == c, hex(cp)
    assert passed > 1_100_000
    # and the other way round: what it flags is something clean_cell may change
    for c in ("\u200b", "\ufeff", "\t", "\u3000", "\xa0"):
        assert dirty.search(f"a{c}b")
    assert bool(_DIRTY_NARROW.search("１２")) and not _DIRTY.search("１２")


def test_columns_equal_clean_cell_row_by_row() -> None:
    rng = np.random.default_rng(5)
    parts = ["案件", "AJ2026", "１２３", "ＡＢ", "abc", " ", "  ", "\u3000", "\t", "\n", "\u200b",
             "\u202e", "\ufeff", "\x00", "－", "．", "+", "12", "已办结", "\xa0", "é", "\u2028"]
    values: list[object] = []
    for _ in range(5000):
        k = int(rng.integers(0, 5))
        values.append("".join(parts[int(i)] for i in rng.integers(0, len(parts), k)))
    values += [None, float("nan"), 440604010001.0, 3.25, 7, datetime(2026, 3, 1, 9, 30),
               date(2026, 3, 1), "", " ", "已办结", "已办结", " 已办结", "１２３"]
    for narrow in (False, True):
        texts, notes = clean_column(values, narrow=narrow)
        assert len(texts) == len(values)
        assert [(t, notes.get(i, [])) for i, t in enumerate(texts)] == \
            [clean_cell(v, narrow=narrow) for v in values]
        assert all(notes.values())  # only rows with something to say
    # repeated values share no notes list: a caller may extend one row's notes
    texts, notes = clean_column([" x", " x", "y"])
    assert texts == ["x", "x", "y"] and notes == {0: ["stray_spaces"], 1: ["stray_spaces"]}
    assert notes[0] is not notes[1]
