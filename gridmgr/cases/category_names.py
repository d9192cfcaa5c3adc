"""A case system's own category names, as its exports come: mapped, suggested or added.

A bureau's hotline names its categories its own way (``噪音扰民`` where the table says
``噪声污染``).  An import resolves a name by 小类 code, then by a unique 小类 name, then through
the user's map (``--map-category 旧名=新名`` or a two-column file).  Names still unknown are
collected — one line per name with its count and the most similar existing 小类
(:func:`similarity`) — instead of one refusal per row; ``--add-categories`` adds them to the
table instead (事件, 大类 ``99 导入新增``, codes ``SJ99nn``, no time limits: the file's limit
column or the bureau's later edit sets them).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import InputFileError, UsageError

ADDED_KIND, ADDED_MAJOR, ADDED_MAJOR_NAME = "事件", "99", "导入新增"
_SIMILAR = 0.4  # below this ratio nothing is suggested


def parse_category_map(items: Iterable[str] | None = None,
                       path: str | Path | None = None) -> dict[str, str]:
    """``['外部名=小类编码或名称', …]`` and/or a CSV/XLSX whose first two columns are the
    foreign name and the 小类 (code or name) → {foreign: target}."""
    out: dict[str, str] = {}
    if path is not None:
        from ..files.tables import read_table
        from ..text import clean_cell

        table = read_table(Path(path))
        if len(table.headers) < 2:
            raise InputFileError(f"{path}：类别对照表应有两列（外部类别、小类编码或名称）")
        for r in table.rows:
            a = clean_cell(r[0] if r else None)[0]
            b = clean_cell(r[1] if len(r) > 1 else None)[0]
            if a and b:
                out[a] = b
    for item in items or []:
        if "=" not in item:
            raise UsageError(f"--map-category 应写成 外部类别=小类编码或名称，例如 噪音扰民=SJ0301；"
                             f"收到 {item!r}")
        a, b = (x.strip() for x in item.rsplit("=", 1))
        if not a or not b:
            raise UsageError(f"--map-category {item!r}：两边都不能为空")
        out[a] = b
    return out


def similarity(a: str, b: str) -> float:
    """0–1: difflib's ratio, or the share of characters the names have in common when that is
    higher — Chinese names often say the same words in another order (垃圾暴露 / 暴露垃圾)."""
    if not a or not b:
        return 0.0
    common = sum(min(a.count(ch), b.count(ch)) for ch in set(a))
    return max(difflib.SequenceMatcher(None, a, b).ratio(), 2 * common / (len(a) + len(b)))


class CategoryResolver:
    """Finds a row's category and remembers the names it could not find."""

    def __init__(self, categories: Mapping[str, dict[str, Any]],
                 mapping: Mapping[str, str] | None = None) -> None:
        self.categories = dict(categories)
        self.mapping: dict[str, str] = {}
        for foreign, target in (mapping or {}).items():
            cat = self._direct(target)
            if cat is None:
                raise UsageError(f"类别对照 {foreign}={target}：{target!r} 不是分类表中的小类编码或"
                                 "唯一的小类名称")
            self.mapping[foreign] = cat["code"]
        self.unknown: dict[str, list[int]] = {}
        self.mapped: dict[str, int] = {}

    def _direct(self, text: str) -> dict[str, Any] | None:
        if text in self.categories:
            return self.categories[text]
        named = [c for c in self.categories.values() if c["name"] == text]
        return named[0] if len(named) == 1 else None

    def resolve(self, text: str | None, row: int) -> dict[str, Any] | None:
        """The category of ``text`` (code, unique name, or mapped); None (remembered with the
        row) when unknown or blank."""
        key = text or ""
        cat = self._direct(key) if key else None
        if cat is None and key in self.mapping:
            cat = self.categories[self.mapping[key]]
            self.mapped[key] = self.mapped.get(key, 0) + 1
        if cat is None:
            self.unknown.setdefault(key, []).append(row)
        return cat

    def suggest(self, name: str) -> dict[str, Any] | None:
        """The existing 小类 whose name is most like ``name`` (None when nothing is close)."""
        best, score = None, _SIMILAR
        for cat in self.categories.values():
            r = similarity(name, cat["name"] or "")
            if r > score or (r == score and best is not None and cat["code"] < best["code"]):
                best, score = cat, r
        return best

    def additions(self) -> list[dict[str, Any]]:
        """New 小类 rows for the unknown (non-blank) names, codes after the table's SJ99nn."""
        taken = {c for c in self.categories if c.startswith(f"SJ{ADDED_MAJOR}")}
        seq, rows = 0, []
        for name in self.unknown:
            if not name:
                continue
            seq += 1
            while f"SJ{ADDED_MAJOR}{seq:02d}" in taken:
                seq += 1
            if seq > 99:
                raise UsageError("导入新增的小类超过 99 个：请先整理分类表（categories import）")
            code = f"SJ{ADDED_MAJOR}{seq:02d}"
            rows.append({"code": code, "kind": ADDED_KIND, "major_code": ADDED_MAJOR,
                         "major_name": ADDED_MAJOR_NAME, "name": name, "open_condition": None,
                         "close_condition": None,
                         **{f"{s}_{k}": None for s in ("dispose", "verify", "dispatch", "check")
                            for k in ("limit", "unit")}})
        return rows
