"""The case category table: 部件/事件 → 大类 → 小类, with 立案条件, 结案条件 and time limits.

The table is data each city edits, not code.  A default ships as
``gridmgr/data/case_categories.csv`` (大类 and 小类 after the digital urban management standard,
GB/T 30428.2 / CJ/T 214; codes ``BJ``/``SJ`` + 2-digit 大类 + 2-digit 小类) and is copied into each
new project.  ``categories export`` writes it as XLSX with Chinese headers; ``categories import``
reads it back and replaces the project's table as a whole (one transaction), refusing the file
when any row is wrong, with the row and the reason, or when it leaves out a code that cases are
filed under.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputFileError, UsageError
from ..findings import NOTICE, Finding, Report
from ..text import sheet_frame
from .workcalendar import CALENDAR_HOURS, WORK_DAYS, is_bare_unit, normalise_unit

CATEGORIES_FILE = Path(__file__).resolve().parents[1] / "data" / "case_categories.csv"
ROLES_FILE = Path(__file__).resolve().parents[1] / "data" / "category_roles.csv"
KINDS = ("部件", "事件")
STAGES = ("dispose", "verify", "dispatch", "check")
STAGE_ZH = {"dispose": "处置", "verify": "核实", "dispatch": "派遣", "check": "核查"}
BASE_COLUMNS = ("code", "kind", "major_code", "major_name", "name", "open_condition",
                "close_condition", *(f"{s}_{k}" for s in STAGES for k in ("limit", "unit")))
# the team role a 小类's cases are dispatched to (schema 10); blank: the default (网格员)
COLUMNS = (*BASE_COLUMNS, "dispatch_role")
HEADERS_ZH = {
    "code": "小类编码", "kind": "类型", "major_code": "大类编码", "major_name": "大类名称",
    "name": "小类名称", "open_condition": "立案条件", "close_condition": "结案条件",
    **{f"{s}_limit": f"{STAGE_ZH[s]}时限" for s in STAGES},
    **{f"{s}_unit": f"{STAGE_ZH[s]}时限单位" for s in STAGES},
    "dispatch_role": "派遣角色",
}
ALIASES: dict[str, list[str]] = {f: [zh, f] for f, zh in HEADERS_ZH.items()}
ALIASES["code"] += ["编码", "分类编码"]
ALIASES["kind"] += ["部件/事件", "类别"]
ALIASES["name"] += ["小类", "名称"]
ALIASES["major_name"] += ["大类"]
ALIASES["dispatch_role"] += ["处置角色", "派遣对象"]


def _limit(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    v = float(value)
    if math.isnan(v):
        return None
    return v


def default_category_roles() -> dict[str, str]:
    """小类 code → team role of the shipped table (``data/category_roles.csv``): the 执法
    categories go to the 执法队员."""
    with ROLES_FILE.open(encoding="utf-8") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    return {r["code"]: r["dispatch_role"] for r in csv.DictReader(lines) if r["dispatch_role"]}


def default_categories() -> list[dict[str, Any]]:
    """The shipped category table as rows of ``case_categories`` as schema 4 made it (the
    dispatch roles come with schema 10: :func:`default_category_roles`)."""
    with CATEGORIES_FILE.open(encoding="utf-8") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    rows = []
    for r in csv.DictReader(lines):
        row: dict[str, Any] = {c: (r.get(c) or None) for c in BASE_COLUMNS}
        for s in STAGES:
            row[f"{s}_limit"] = _limit(row[f"{s}_limit"])
        rows.append(row)
    return rows


def export_categories(store: Any, out: str | Path) -> int:
    """Write the project's category table as XLSX (Chinese headers); returns the row count."""
    frame = store.categories_frame()
    sheet_frame(frame.rename(columns=HEADERS_ZH)).to_excel(out, index=False, sheet_name="案件分类")
    return len(frame)


def read_categories(path: str | Path, *, hours: str = CALENDAR_HOURS, days: str = WORK_DAYS
                    ) -> tuple[list[dict[str, Any]], Report]:
    """Rows from an XLSX/CSV category table, with a finding for each wrong row.  A bare unit
    (小时, 天) is read as ``hours``/``days`` — calendar hours and working days unless the
    bureau says otherwise — and one notice says how many were read so."""
    from ..files.columns import match_headers
    from ..files.tables import read_table
    from ..text import clean_cell

    p = Path(path)
    table = read_table(p, header_aliases=ALIASES)
    fields = match_headers(table.headers, ALIASES)
    missing = [HEADERS_ZH[f] for f in ("code", "kind", "name") if f not in fields]
    if missing:
        raise InputFileError(f"{p}：缺少列 {'、'.join(missing)}；文件的列：{', '.join(table.headers)}")
    idx = {f: table.headers.index(h) for f, h in fields.items()}
    report = Report(info={"file": str(p), "columns": fields, "rows": len(table.rows)})
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    bare: dict[tuple[str, str], int] = {}
    for r, n in zip(table.rows, table.row_numbers):
        rec: dict[str, Any] = {}
        for f in COLUMNS:
            i = idx.get(f)
            rec[f] = clean_cell(r[i] if i is not None and i < len(r) else None,
                                narrow=f.endswith("code") or f.endswith("limit"))[0]
        def bad(reason: str, n: int = n, **kw: Any) -> None:
            report.add(Finding.make(reason, file=p.name, row=n, **kw))

        if not rec["code"] or not rec["name"]:
            bad("category_incomplete")
            continue
        if rec["code"] in seen:
            bad("duplicate_category", code=rec["code"], first_row=seen[rec["code"]])
            continue
        if rec["kind"] not in KINDS:
            bad("category_kind", code=rec["code"], value=rec["kind"])
            continue
        ok = True
        for s in STAGES:
            try:
                v = _limit(rec[f"{s}_limit"])
            except ValueError:  # "两天", "3h": not a number at all, which is not negative
                bad("bad_limit_text", code=rec["code"], stage=STAGE_ZH[s],
                    value=rec[f"{s}_limit"])
                ok = False
                break
            if v is not None and v < 0:
                bad("negative_limit", code=rec["code"], stage=STAGE_ZH[s],
                    value=rec[f"{s}_limit"])
                ok = False
                break
            rec[f"{s}_limit"] = v
            unit = rec[f"{s}_unit"]
            if v is not None:
                try:
                    u = normalise_unit(unit, hours=hours, days=days)
                except UsageError:
                    u = None
                if u is not None and is_bare_unit(unit):
                    bare[(str(unit).strip(), u)] = bare.get((str(unit).strip(), u), 0) + 1
                if u is None:
                    bad("bad_limit_unit", code=rec["code"], stage=STAGE_ZH[s], value=unit)
                    ok = False
                    break
                rec[f"{s}_unit"] = u
            else:
                rec[f"{s}_unit"] = None
        if not ok:
            continue
        seen[rec["code"]] = n
        rows.append(rec)
    if bare:
        report.add(Finding.make("category_bare_units", severity=NOTICE, file=p.name, detail="；".join(
            f"“{said}” → {u}：{k} 处" for (said, u), k in sorted(bare.items()))))
    report.accepted = len(rows)
    return rows, report


def import_categories(store: Any, path: str | Path, *, dry_run: bool = False,
                      hours: str = CALENDAR_HOURS, days: str = WORK_DAYS) -> Report:
    """Replace the project's category table with the file's, whole or not at all: a file with
    any refused row changes nothing, and neither does one that leaves out a code cases are
    filed under (a finding per such code, with how many cases use it) — those cases would be
    left with a category nobody can read."""
    rows, report = read_categories(path, hours=hours, days=days)
    report.info["dry_run"] = dry_run
    from ..registers.teams import normalise_role, role_map

    known_roles = role_map(store)
    if "dispatch_role" not in report.info["columns"]:
        # an older file without the column: each 小类 keeps the role the project gives it
        current = {c: r.get("dispatch_role") for c, r in store.categories().items()}
        for r in rows:
            r["dispatch_role"] = current.get(r["code"])
        report.info["dispatch_roles_kept"] = True
    else:
        rows_by_code = {r["code"]: r for r in rows}
        for r in list(rows):
            role = normalise_role(r.get("dispatch_role"))
            if role and role not in known_roles:
                report.add(Finding.make("unknown_dispatch_role", file=Path(path).name,
                                        code=r["code"], value=r["dispatch_role"],
                                        allowed="、".join(known_roles)))
                rows.remove(rows_by_code[r["code"]])
                continue
            r["dispatch_role"] = role
    kept = {r["code"] for r in rows} | {f.code for f in report.refused}
    in_use = store.case_counts_by_category()
    for code in sorted(set(in_use) - kept):
        report.add(Finding.make("category_in_use", file=Path(path).name, code=code,
                                count=in_use[code]))
    if report.refused or dry_run:
        return report
    if not rows:
        raise InputFileError(f"{path}：没有分类行")
    with store.atomic():
        store.replace_categories(rows)
        store.audit("categories import", {"file": str(path), "rows": len(rows)})
    return report


def categories_frame_default() -> pd.DataFrame:
    roles = default_category_roles()
    rows = [{**r, "dispatch_role": roles.get(r["code"])} for r in default_categories()]
    return pd.DataFrame(rows, columns=list(COLUMNS))
