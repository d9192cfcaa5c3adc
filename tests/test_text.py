"""The column-at-once cleaners (grid import cleans 100k codes and names per file) give what the
per-value cleaners give, value for value: text, and the notes the report turns into warnings."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np

from gridmgr.text import clean_code, clean_codes, clean_name, clean_names

VALUES = [
    "44060401000101", "440604010001001", "ABC123", "abc", "0",  # plain: the fast path
    "４４０６０４", "4406 0401", " 440604 ", "4406\u3000", "44\u200b06", "\ufeff440604",
    "\u202e4406", "44\x0006", "440604\t", "44\n06", "4406-01", "4406.5", "ＡＢＣ", "ｘ",
    "升平社区01号网格", "升平社区 01号网格", "升平社区  01号网格", " 升平社区", "升平社区\u3000",
    "升平\u200d社区", "升平\xa0社区", "升平\u2028社区", "\u2066升平\u2069", "名\x1f称", "",
    "   ", "\u3000", None, float("nan"), 440604010001.0, 4406.5, 440604, True, np.str_("4406"),
    np.float64(440604.0), date(2024, 1, 2), datetime(2024, 1, 2, 3, 4, 5), b"4406",
]


def test_the_column_cleaners_equal_the_value_cleaners():
    assert list(clean_codes(VALUES)) == [clean_code(v) for v in VALUES]
    assert list(clean_names(VALUES)) == [clean_name(v) for v in VALUES]
    # and the values that did need cleaning were cleaned, with a note
    assert list(clean_codes(["４４０６", "4406 01"])) == [("4406", ["fullwidth_digits"]),
                                                  ("440601", ["stray_spaces"])]
    assert list(clean_names(["升平社区\u3000", "升平\u200d社区"])) == [
        ("升平社区", ["stray_spaces"]), ("升平社区", ["invisible_chars"])]


def test_each_value_gets_its_own_notes_list():
    out = list(clean_codes(["4406", "4407"]))
    out[0][1].append("x")
    assert out[1][1] == []
