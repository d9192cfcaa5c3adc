"""Streets and communities derived from a cell layer, for bureaus that receive only the cells.

When a cell (or community) file is imported into a project that has none of the levels above
it, those levels are derived from the file itself, bottom-up:

- a community's code comes from a 社区 column holding 12-digit codes, else from the first 12
  digits of a scheme-conforming cell code; a street's from a 街道 column holding 9-digit codes,
  else from the first 9 digits of the community's code;
- names come from the 社区/街道 columns that hold names (a column's cells are told apart by
  content: digits of the level's length are a code, anything else a name); several names for
  one code: the most frequent wins, with a warning;
- an area with a name but no code at all gets one made up under its parent (the next free
  3-digit sequence), and a warning says so;
- boundaries are the union of the member features (streets from their communities).

Pure geometry and bookkeeping: the importer resolves the topmost derived level's parent (the
district, or streets the project already has) and writes everything in its one transaction.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from ..findings import WARNING, Finding
from ..levels import LEVEL_ZH, LEVELS
from ..text import clean_code

CODE_LENGTH = {"district": 6, "street": 9, "community": 12}


@dataclass
class DerivedLevel:
    """The areas of one derived level: rows for ``insert_areas`` (without parent_code for the
    top level until the importer resolves it), their geometries, and each feature's area."""

    level: str
    rows: list[dict[str, Any]]
    geoms: list[Any]
    parent_values: list[str | None]  # per area: the parent's code or name, None = unknown
    of_feature: list[str | None]  # per feature: the code of its area at this level


@dataclass
class Derived:
    levels: list[DerivedLevel] = field(default_factory=list)  # top-down
    findings: list[Finding] = field(default_factory=list)

    @property
    def parents(self) -> list[str | None]:
        """Per feature: the code of its derived parent (the lowest derived level)."""
        return self.levels[-1].of_feature

    def summary(self) -> list[dict[str, Any]]:
        """What was derived, for the report and the CLI."""
        return [{"level": lv.level, "code": r["code"], "name": r["name"],
                 "members": r["members"], "how": r["how"]}
                for lv in self.levels for r in sorted(lv.rows, key=lambda r: r["code"])]


def levels_to_derive(level: str, present: dict[str, int]) -> list[str]:
    """The empty levels between the district and ``level``'s parent, nearest first: a cell file
    in a bare project derives communities and streets; one with streets, communities only."""
    out = []
    for anc in reversed(LEVELS[1:LEVELS.index(level)]):
        if present.get(anc, 0):
            break
        out.append(anc)
    return out


def _split(values: Sequence[Any], level: str) -> tuple[list[str | None], list[str | None]]:
    """(codes, names) from one column: digits of the level's code length are codes."""
    codes: list[str | None] = []
    names: list[str | None] = []
    for v in values:
        text, _ = clean_code(v) if v is not None else (None, [])
        if text and text.isdigit() and len(text) == CODE_LENGTH[level]:
            codes.append(text)
            names.append(None)
        else:
            codes.append(None)
            names.append(str(v).strip() if text and not text.isdigit() else None)
    return codes, names


def _first(*cands: str | None) -> str | None:
    for c in cands:
        if c:
            return c
    return None


def derive(level: str, to_derive: list[str], feature_codes: Sequence[str],
           geoms: Sequence[Any], columns: dict[str, list[list[Any]]], *, cell_length: int,
           admin: str | None, file: str, existing: dict[str, set[str]] | None = None
           ) -> Derived:
    """Derive the levels ``to_derive`` (nearest first) for features of ``level``.

    ``columns[anc]`` holds, per ancestor level, the values of each of the file's columns about
    it (one list per column, aligned with ``feature_codes``); ``cell_length`` is the code
    length of ``level`` in the project's scheme; ``existing`` the codes already used per level
    (a made-up code never takes one).
    """
    n = len(feature_codes)
    own_len = cell_length if level == "cell" else CODE_LENGTH[level]
    prefix_ok = [bool(c) and c.isdigit() and len(c) == own_len for c in feature_codes]
    per_level: dict[str, tuple[list[str | None], list[str | None]]] = {}
    below: list[str | None] = list(feature_codes)
    below_ok = prefix_ok
    for anc in to_derive:  # nearest first: community, then street
        codes: list[str | None] = [None] * n
        names: list[str | None] = [None] * n
        for col in columns.get(anc, []):
            c, nm = _split(col, anc)
            codes = [_first(a, b) for a, b in zip(codes, c)]
            names = [_first(a, b) for a, b in zip(names, nm)]
        length = CODE_LENGTH[anc]
        codes = [_first(c, b[:length] if ok and b else None)
                 for c, b, ok in zip(codes, below, below_ok)]
        per_level[anc] = (codes, names)
        below = codes
        below_ok = [bool(c) for c in codes]

    derived = Derived()
    used = {lv: set(codes) for lv, codes in (existing or {}).items()}
    # keys: the code when known, else ("name", parent key, name)
    parent_key: list[Any] = [None] * n
    keys_by_level: dict[str, list[Any]] = {}
    for anc in reversed(to_derive):  # top-down, so a made-up code can extend its parent's
        codes, names = per_level[anc]
        keys = [c if c else (("name", pk, nm) if nm else None)
                for c, nm, pk in zip(codes, names, parent_key)]
        keys_by_level[anc] = keys
        parent_key = keys
    parent_code_of: dict[Any, str | None] = {}
    for depth, anc in enumerate(reversed(to_derive)):
        codes, names = per_level[anc]
        keys = keys_by_level[anc]
        upper = keys_by_level[list(reversed(to_derive))[depth - 1]] if depth else None
        members: dict[Any, list[int]] = defaultdict(list)
        for i, k in enumerate(keys):
            if k is not None:
                members[k].append(i)
        code_of: dict[Any, str] = {}
        rows: list[dict[str, Any]] = []
        out_geoms: list[Any] = []
        parent_values: list[str | None] = []
        taken = used.setdefault(anc, set())
        union = {k: shapely.union_all(shapely.make_valid(np.asarray([geoms[i] for i in idx])))
                 for k, idx in members.items()}

        def order(k: Any, union: dict[Any, Any] = union) -> tuple[Any, ...]:
            """Coded areas by code; made-up ones north → south, west → east, as cells are."""
            if isinstance(k, str):
                return (0, k, 0.0)
            p = shapely.point_on_surface(union[k])
            return (1, -round(p.y, 2), p.x)  # bands of ~1 km (degrees) or 0.01 m

        for k in sorted(members, key=order):
            idx = members[k]
            nm_counts = Counter(names[i] for i in idx if names[i])
            name = nm_counts.most_common(1)[0][0] if nm_counts else None
            if len(nm_counts) > 1:
                derived.findings.append(Finding.make(
                    "derived_name_conflict", severity=WARNING, file=file, level=anc,
                    code=k if isinstance(k, str) else None, name=name,
                    names="、".join(f"{a}（{b}）" for a, b in nm_counts.most_common())))
            pcode: str | None = None
            pval: str | None = None
            if upper is not None:
                pk = Counter(upper[i] for i in idx if upper[i] is not None).most_common(1)
                pcode = parent_code_of.get(pk[0][0]) if pk else None
            else:  # the topmost derived level: its parent is resolved by the importer
                up = LEVELS[LEVELS.index(anc) - 1]
                cands: Counter[str] = Counter()
                for col in columns.get(up, []):
                    c, nm = _split([col[i] for i in idx], up)
                    cands.update(x for x in c + nm if x)
                if cands:
                    pval = cands.most_common(1)[0][0]
                elif isinstance(k, str) and up != "district":
                    pval = k[:CODE_LENGTH[up]]
            if isinstance(k, str):
                code, how = k, "code"
            else:
                base = pcode if pcode else (admin if anc == "street" else None)
                if base is None and isinstance(pval, str) and pval.isdigit():
                    base = pval
                code = _made_up(base or (admin or "000000"), anc, taken)
                how = "made_up"
                derived.findings.append(Finding.make(
                    "derived_code_made_up", severity=WARNING, file=file, level=anc, code=code,
                    name=name))
            taken.add(code)
            code_of[k] = code
            parent_code_of[k] = code
            geom = union[k]
            rows.append({"code": code, "name": name, "members": len(idx), "how": how,
                         "parent_code": pcode})
            out_geoms.append(geom)
            parent_values.append(pval)
        of_feature = [code_of.get(k) if k is not None else None for k in keys]
        derived.levels.append(DerivedLevel(anc, rows, out_geoms, parent_values, of_feature))
    return derived


def _made_up(base: str, level: str, taken: set[str]) -> str:
    """The next free 3-digit sequence under ``base`` for a derived area without a code."""
    base = base[:CODE_LENGTH[level] - 3].ljust(CODE_LENGTH[level] - 3, "0")
    for seq in range(1, 1000):
        code = f"{base}{seq:03d}"
        if len(code) == CODE_LENGTH[level] and code not in taken:
            return code
    return f"{base}{len(taken) + 1:03d}"


def describe(summary: list[dict[str, Any]]) -> list[str]:
    """One line per derived area for the terminal."""
    how = {"code": "编码来自文件", "made_up": "文件中无编码，已编号"}
    return [f"派生{LEVEL_ZH[d['level']]} {d['code']} {d['name'] or '（无名称）'}：含文件中 "
            f"{d['members']} 个{LEVEL_ZH.get(d.get('of', ''), '要素')}，{how[d['how']]}"
            for d in summary]
