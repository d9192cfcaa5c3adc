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


def test_write_sheet_csv_equals_sheet_frame_to_csv_on_random_fields() -> None:
    """The streamed writer (issue 17) against the frame path it replaces, on fields drawn from
    every character the guard or the CSV quoting cares about, mixed with plain ones."""
    import io
    import random

    import pandas as pd

    from gridmgr.text import sheet_frame, write_sheet_csv

    rng = random.Random(17)
    alphabet = ["=", "+", "-", "@", "\t", "\r", "\n", ",", '"', "'", "\x00", "\x01", "\x0b",
                "\ufffe", " ", "1", "3", ".", "e", "井", "盖", "a", "Z", ":", "T"]

    def field() -> object:
        r = rng.random()
        if r < 0.1:
            return None
        if r < 0.15:
            return rng.choice([0, 1, -3, 12])
        if r < 0.5:  # plain text, the common case: a batch without anything to guard
            return rng.choice(["东风路 1 号", "2026-03-01T09:30:00", "AJ000123", "处置", ""])
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))

    header = ["案件编号", "地址", "网格", "数"]
    for trial in range(60):
        rows = [tuple(field() for _ in header) for _ in range(rng.randint(0, 40))]
        if trial % 3 == 0:  # batches that are all plain, so the fast check decides alone
            rows = [tuple(rng.choice(["东风路, 1 号", "2026-03-01", "a\"b", None, "x-1"])
                          for _ in header) for _ in range(30)]
        want = sheet_frame(pd.DataFrame(rows, columns=header, dtype=object)).to_csv(index=False)
        for size in (1, 4, 1000):
            buf = io.StringIO()
            n = write_sheet_csv(buf, header, (rows[i:i + size]
                                              for i in range(0, len(rows), size)))
            assert buf.getvalue() == want, (trial, size, rows)
            assert n == len(rows)
