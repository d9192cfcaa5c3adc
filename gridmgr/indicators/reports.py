"""The indicators as people read them: terminal text, CSV, JSON, XLSX, and the monthly and
quarterly reports.  Every output states the as-of time and the period; a ratio with a zero
denominator is blank (null in JSON).  The figures come from :mod:`gridmgr.indicators`."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import UsageError
from ..progress import Task
from ..text import sheet_cell, sheet_frame
from .compute import (
    DENOMINATORS,
    GROUPING_ZH,
    INSPECTION_RATE,
    LABELS,
    RATIOS,
    IndicatorTable,
    Period,
    denominator_text,
    percent_text,
    project_tables,
    weights_text,
)


def header_lines(t: IndicatorTable, project: str = "") -> list[str]:
    """The title and the lines every output starts with: what was counted and as of when."""
    title = f"{project + ' ' if project else ''}网格化考核指标（按{GROUPING_ZH[t.by]}）"
    if t.period.label:
        title += f" {t.period.label}"
    return [title,
            f"计算时点（as of）：{t.as_of.isoformat(sep=' ')}（此后的办理记录不计入）",
            f"统计口径：{t.period.describe()}；作废案件只计作废数",
            f"结案率分母：{denominator_text(t.denominator)}",
            f"综合得分权重：{weights_text(t.weights)}"]


def display_frame(t: IndicatorTable, *, with_total: bool = True) -> pd.DataFrame:
    """Rows with Chinese headers and ratios as ``93.72%`` text (for the terminal)."""
    recs = t.records() + ([t.total_record()] if with_total else [])
    out = []
    for r in recs:
        row = {}
        for k in t.columns:
            if k in RATIOS:
                _zh, num, den = t.ratios[k]
                row[LABELS[k]] = percent_text(r[num] or 0, r[den] or 0)
            elif k == INSPECTION_RATE[0]:
                row[LABELS[k]] = percent_text(r[INSPECTION_RATE[2]] or 0,
                                              r[INSPECTION_RATE[3]] or 0)
            elif k == "score":
                row[LABELS[k]] = "" if r[k] is None else f"{r[k]:.2f}"
            else:
                row[LABELS[k]] = "" if r[k] is None else r[k]
        out.append(row)
    return pd.DataFrame(out, columns=[LABELS[k] for k in t.columns])


def to_text(t: IndicatorTable, project: str = "") -> str:
    lines = header_lines(t, project)
    df = display_frame(t)
    body = df.to_string(index=False) if len(df) else "（没有数据）"
    return "\n".join([*lines, "", body])


def to_json(t: IndicatorTable) -> str:
    """Counts as integers, ratios as fractions (null when the denominator is 0), score 0–100."""
    doc = {"by": t.by, "as_of": t.as_of.isoformat(),
           "period": {"from": t.period.first.isoformat() if t.period.first else None,
                      "to": t.period.last.isoformat() if t.period.last else None,
                      "label": t.period.label or None},
           "weights": t.weights,
           "denominator": {"key": t.denominator, "name": DENOMINATORS[t.denominator][0],
                           "counts": list(DENOMINATORS[t.denominator][1]),
                           "source": DENOMINATORS[t.denominator][2]},
           "columns": {k: LABELS[k] for k in t.columns},
           "rows": t.records(), "total": t.total_record()}
    return json.dumps(doc, ensure_ascii=False, indent=2)


def to_csv(t: IndicatorTable) -> str:
    """Chinese headers; ratios as percentages with 2 decimals (``结案率(%)`` = 93.72); every row
    carries the period and the as-of time."""
    rows = []
    for r in [*t.records(), t.total_record()]:
        row: dict[str, Any] = {}
        for k in t.columns:
            v = r[k]
            if k in RATIOS or k == INSPECTION_RATE[0]:
                row[LABELS[k] + "(%)"] = "" if v is None else f"{100 * v:.2f}"
            elif k == "score":
                row[LABELS[k]] = "" if v is None else f"{v:.2f}"
            else:
                row[LABELS[k]] = v
        row["统计起"] = t.period.first.isoformat() if t.period.first else ""
        row["统计止"] = t.period.last.isoformat() if t.period.last else ""
        row["计算时点"] = t.as_of.isoformat()
        row["结案率分母"] = DENOMINATORS[t.denominator][0]
        rows.append(row)
    return sheet_frame(pd.DataFrame(rows)).to_csv(index=False)


def write_xlsx(tables: list[tuple[str, IndicatorTable]], path: str | Path, *,
               project: str = "", notes: list[str] | None = None) -> Path:
    """One sheet per table (title rows, Chinese header, numbers as numbers, ratios formatted as
    percentages, the total last), plus a 说明 sheet with the definitions when ``notes``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for sheet_name, t in tables:
        ws = wb.create_sheet(sheet_name[:31])
        lines = header_lines(t, project)
        ws.append([sheet_cell(lines[0])])
        ws["A1"].font = Font(bold=True, size=14)
        for line in lines[1:]:
            ws.append([sheet_cell(line)])
        ws.append([])
        header_row = ws.max_row + 1
        ws.append([LABELS[k] for k in t.columns])
        for cell in ws[header_row]:
            cell.font = bold
            cell.fill = head_fill
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        for r in [*t.records(), t.total_record()]:
            ws.append([sheet_cell(r[k]) for k in t.columns])
            row = ws.max_row
            for j, k in enumerate(t.columns, start=1):
                cell = ws.cell(row=row, column=j)
                if k in RATIOS or k == INSPECTION_RATE[0]:
                    cell.number_format = "0.00%"
                elif k == "score":
                    cell.number_format = "0.00"
        for cell in ws[ws.max_row]:
            cell.font = bold
        ws.freeze_panes = ws.cell(row=header_row + 1, column=3)
        for j, k in enumerate(t.columns, start=1):
            width = 16 if k in ("code", "name", "parent") else 10
            ws.column_dimensions[get_column_letter(j)].width = width
    if notes:
        ws = wb.create_sheet("说明")
        for line in notes:
            ws.append([sheet_cell(line)])
        ws.column_dimensions["A"].width = 120
    path = Path(path)
    wb.save(path)
    return path


def definitions(denominator: str = "due") -> list[str]:
    """The definitions in plain Chinese, for the 说明 sheet of a report."""
    return [
        "指标定义（计算时点之后的办理记录一律不计入；作废案件只计作废数）",
        f"本表结案率、按期结案率的分母：{denominator_text(denominator)}。可选分母："
        "应结案数（due）、立案数（不含作废，registered）、受理数（全部受理，received）；"
        "用 gridmgr stats --denominator 选择，--save-denominator 存为项目设置。",
        "受理数：统计期内受理（按上报时间）的全部案件，含待受理和作废；受理口径结案数、按期结案数："
        "其中到计算时点已结案、按期结案的案件（分母为受理数时列出）。",
        "立案数：统计期内立案（按立案时间）且到计算时点未作废的案件数。",
        "应结案数：立案数中，处置截止时间（含计算时点前批准的延期）不晚于计算时点的案件，"
        "加上虽未到期但已在计算时点前结案的案件；计算时点处于挂账状态的案件不计入（单列挂账数）。",
        "结案数：应结案数中到计算时点已结案的案件。结案率 = 结案数 / 应结案数。",
        "按期结案数：结案时间不晚于处置截止时间的结案案件（无处置时限的案件视为按期）。"
        "按期结案率 = 按期结案数 / 应结案数。",
        "应处置数：已派遣、且处置截止时间已到或已处置完成的案件；处置数：其中已反馈（处置完成）且"
        "此后未被返工、或已结案的案件。处置率 = 处置数 / 应处置数。",
        "返工率 = 有过返工的案件数 / 经过核查的案件数（核查通过、返工或已结案）。",
        "延期率 = 有过延期的案件数 / 立案数。",
        "在办数：已立案、未结案、未挂账的案件，加上待受理数（统计期内受理、计算时点仍待受理的案件）。",
        "超期在办数：在办案件中当前环节截止时间（待受理的为核实时限）早于计算时点的案件。",
        "综合得分（0–100）= 100 × Σ 权重×分项 / Σ 权重，分项为 结案率、按期结案率、处置率、"
        "1−返工率、1−延期率；分母为 0 的分项不参与。默认权重 30、40、20、10、0。",
        "分母为 0 的比率留空（不是 0%，也不是 100%）。",
        "按频次检查率：按检查频次应检查的企业中，最近检查日期 + 频次天数不早于计算时点当日的企业所占比例。",
        "按街道、社区、单元网格统计时，使用案件立案时所在的区域编码（网格重划不改变旧案件的归属）。",
    ]


REPORT_SHEETS = (("全区", "month"), ("街道", "street"), ("社区", "community"),
                 ("单元网格", "cell"), ("处置人员", "officer"), ("案件大类", "major"),
                 ("案件小类", "category"))


def write_report(store: Any, kind: str, period_text: str, out: str | Path, *,
                 as_of: datetime, weights: dict[str, float], system: str | None = "urban",
                 denominator: str | None = None) -> Task[Path]:
    """The monthly or quarterly report as XLSX: a 全区 sheet (one row per month), one sheet per
    grouping, and 说明 with the definitions."""
    period = Period.parse(period_text)
    quarterly = "季度" in period.label
    if kind not in ("monthly", "quarterly"):
        raise UsageError(f"--report 应为 monthly 或 quarterly，收到 {kind!r}")
    if quarterly != (kind == "quarterly"):
        want = "2026Q1 这样的季度" if kind == "quarterly" else "2026-03 这样的月份"
        raise UsageError(f"{kind} 报表的 --period 应写成 {want}；收到 {period_text!r}")
    tables = yield from project_tables(store, [g for _s, g in REPORT_SHEETS], as_of=as_of,
                                       period=period, weights=weights, system=system,
                                       denominator=denominator)
    den = tables[0].denominator
    name = store.meta().get("name", "")
    notes = [f"{name} 网格化考核{'季' if quarterly else '月'}报 {period.label}",
             f"统计口径：{period.describe()}",
             f"计算时点（as of）：{as_of.isoformat(sep=' ')}",
             f"结案率分母：{denominator_text(den)}",
             f"综合得分权重：{weights_text(weights)}", "", *definitions(den)]
    return write_xlsx([(s, t) for (s, _g), t in zip(REPORT_SHEETS, tables)], out,
                      project=name, notes=notes)
