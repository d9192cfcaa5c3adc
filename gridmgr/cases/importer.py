"""Importing cases from what hotline (12345) and case systems export: CSV or XLSX.

Each row is a case keyed by its case number.  Foreign status names are mapped to the workflow
(已办结 → 结案, 处理中 → 处置, 待派遣 → 立案 …; ``--status 外部=内部`` adds or overrides); the
foreign name is kept in ``ext_status``.  Refused, each with its spreadsheet row and reason:
no case number, a case number repeated in the file, no or unreadable report time, an unreadable
time in any time column, times out of order (closed before reported …), a time later than now,
a status its times contradict (受理 with a 立案 or 派遣 time, 立案 with a 派遣 time, 作废 with a
派遣 time: 作废 comes only before 派遣), a negative or unreadable time limit, a limit from which
no deadline can be computed (100000工作日), an unknown status, an unknown category, a 结案 row
without a closing time, missing coordinates, a point outside the district.  Warned: an unknown
source (kept as given), an unknown handler, swapped longitude/latitude (corrected), full-width
digits and stray spaces, and a missing 立案 or 派遣 time that the history needs (filled with the
report or 立案 time, and said so — once for the file when it has no such column at all).

Read as bureaus' exports come: a time limit keeps its unit (工作时, 工作日, 自然小时, 自然日; from
the cell, the 时限单位 column or the header, ``时限(小时)``; a bare 小时 is calendar hours and a
bare 天 working days unless the bureau says otherwise) and one notice says how the limits were
read.  Impossible values (a negative or zero limit, a closing time before the report) are
checked first, on every row whatever its status, 作废 included.  Unknown category names are one
refusal per name with its count and the most similar 小类 (:mod:`.category_names`), unless mapped
or added.

What the project learns of a new case: the case, its cell (found from its location), its handler
(the file's, else the primary responsible for the cell on the reported day, with 属地兜底), its
deadlines on the working calendar, and its history as far as the file tells it (受理 at the
report, 立案, 派遣, and the step that reached the current status) — steps marked ``导入：``.

A re-import matches cases by case number (never duplicates) and **never rewrites history**:

* the steps recorded since (at the desk, from field packages) stay; only the steps the file
  shows beyond the case's current status are appended, after its last step;
* a file status at or behind the project's (or beside it: the project closed, voided or parked
  the case) changes no step and is a warning, as is a file time or handler that differs from
  what the project recorded;
* descriptive fields (source, category, description, address, reporter, foreign number and
  status, enterprise, location) are refreshed where the file has a value that differs — a blank
  never erases; 挂牌督办 can be set by a file, never lifted;
* a row that changes nothing is counted as unchanged.

All or nothing: one transaction; ``--dry-run`` writes nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from .. import beijing
from ..errors import InputFileError, UsageError
from ..files.columns import match_headers, normalise_header
from ..files.tables import read_table
from ..findings import NOTICE, WARNING, Finding, Report
from ..progress import Progress, Task
from ..registers.enterprises import settle_coords
from ..storage import Store
from ..text import clean_cell, clean_column, finite_number
from . import notes, workflow
from .category_names import (
    CategoryResolver,
)
from .lifecycle import (
    SOURCES,
    Dispatcher,
    calendar,
    district_outline,
    locate,
    stage_due,
    to_project_points,
)
from .workcalendar import (
    CALENDAR_HOURS,
    WORK_DAYS,
    WORK_HOURS,
    is_bare_unit,
    iso,
    normalise_unit,
)

CASE_ALIASES: dict[str, list[str]] = {
    "case_no": ["案件编号", "案卷编号", "案卷号", "工单编号", "工单号", "案件号", "编号",
                "case_no"],
    "ext_no": ["外部编号", "来源工单号", "热线工单号", "12345工单号", "原工单号", "ext_no"],
    "source": ["案件来源", "来源", "问题来源", "渠道", "source"],
    "category": ["小类编码", "小类", "小类名称", "问题小类", "案件小类", "问题类型", "案件类别",
                 "类别", "category"],
    "description": ["问题描述", "诉求内容", "案件描述", "描述", "内容", "description"],
    "address": ["发生地址", "事发地址", "问题地址", "地址", "位置", "address"],
    "lon": ["经度", "lon", "lng", "longitude"],
    "lat": ["纬度", "lat", "latitude"],
    "x": ["x", "x坐标", "横坐标"],
    "y": ["y", "y坐标", "纵坐标"],
    "reported_at": ["上报时间", "受理时间", "来电时间", "登记时间", "发现时间", "reported_at"],
    "reporter": ["上报人", "来电人", "反映人", "诉求人", "采集员", "reporter"],
    "status": ["案件状态", "办理状态", "工单状态", "状态", "status"],
    "registered_at": ["立案时间", "registered_at"],
    "dispatched_at": ["派遣时间", "派单时间", "dispatched_at"],
    "closed_at": ["结案时间", "办结时间", "closed_at"],
    "due": ["处置截止时间", "截止时间", "办理期限", "处置期限", "dispose_due_at"],
    "limit": ["处置时限", "办理时限", "时限", "limit"],
    "limit_unit": ["时限单位", "limit_unit"],
    "handler": ["处置人工号", "承办人工号", "责任人工号", "处置人", "handler"],
    "enterprise": ["统一社会信用代码", "企业名称", "涉及企业", "enterprise"],
    "supervised": ["挂牌督办", "是否督办", "督办", "supervised"],
}
CASE_FIELDS = tuple(CASE_ALIASES)
TIME_FIELDS = ("reported_at", "registered_at", "dispatched_at", "closed_at", "due")
FIELD_ZH = {"reported_at": "上报时间", "registered_at": "立案时间", "dispatched_at": "派遣时间",
            "closed_at": "结案时间", "due": "处置截止时间", "handler": "处置人工号"}

# foreign status names → workflow status
STATUS_MAP: dict[str, str] = {
    **{s: s for s in workflow.STATUSES},
    "已受理": "受理", "待受理": "受理", "待核实": "受理", "核实中": "受理", "核实": "受理",
    "已立案": "立案", "待派遣": "立案", "待派单": "立案",
    "已派遣": "派遣", "已派单": "派遣", "待处置": "派遣", "待签收": "派遣",
    "处置中": "处置", "处理中": "处置", "办理中": "处置", "已签收": "处置",
    "已反馈": "反馈", "待核查": "反馈", "已处置": "反馈",
    "已核查": "核查", "核查通过": "核查", "待结案": "核查",
    "已结案": "结案", "办结": "结案", "已办结": "结案", "已完成": "结案", "已关闭": "结案",
    "已作废": "作废", "无效": "作废", "不予受理": "作废", "不予立案": "作废",
    "已挂账": "挂账", "暂缓": "挂账",
}
SOURCE_MAP = {**{s: s for s in SOURCES}, "12345": "12345热线", "市民热线": "12345热线",
              "热线": "12345热线", "投诉": "市民投诉", "公众举报": "市民投诉", "巡查": "巡查上报",
              "监督员上报": "巡查上报", "网格员上报": "巡查上报", "视频": "视频抓拍",
              "视频监控": "视频抓拍", "巡检": "巡检发现", "领导交办": "上级交办",
              "上级批办": "上级交办"}
_CN_TIME = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                      r"(?:[\sT]*(\d{1,2})\s*[:时]\s*(\d{1,2})\s*(?:[:分]\s*(\d{1,2})\s*秒?|分)?)?\s*$")
_LIMIT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(工作小时|工作时|工作日|自然小时|自然时|自然日|自然天|"
                    r"日历小时|日历日|小时|时|天|日|h|d)?\s*$", re.IGNORECASE)
# a time-limit header that says its unit: 时限(小时), 处置时限（工作日）, 办理时限[h]
_UNIT_HEADER = re.compile(r"^(?P<name>.*?)\s*[(（\[【](?P<unit>[^)）\]】]+)[)）\]】]\s*$")
_LON, _LAT = (73.0, 136.0), (3.0, 54.0)
_STEP_ACTION = {"受理": "受理", "立案": "立案", "派遣": "派遣", "处置": "处置", "反馈": "反馈",
                "核查": "核查通过", "结案": "结案", "作废": "作废", "挂账": "挂账"}


def parse_time(value: Any) -> str | None:
    """A time cell as ``YYYY-MM-DDTHH:MM:SS``: datetimes, ISO text, ``2026/3/1 9:30``,
    ``2026年3月1日 9时30分``; a bare date is its midnight.  None when blank, ValueError when
    unreadable."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return iso(beijing.to_beijing(value))
    if isinstance(value, date):
        return iso(datetime(value.year, value.month, value.day))
    text, _ = clean_cell(value, narrow=True)
    if not text:
        return None
    if len(text) >= 16 and text[4] == "-" and text[10] in " T":  # ISO: the C parser is fast
        try:  # a zone given: to Beijing time, as cases store it
            return iso(beijing.parse_moment(text))
        except ValueError:
            pass
    m = _CN_TIME.match(text)
    if not m:
        raise ValueError(text)
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    try:
        return iso(datetime(y, mo, d, h, mi, s))
    except ValueError:
        raise ValueError(text) from None


_STORED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}")


class _Unreadable:
    """What :func:`parse_time` raised for a cell, kept for the row that reaches it."""

    def __init__(self, exc: Exception) -> None:
        self.exc = exc


def parse_time_column(values: list[Any]) -> list[str | None | _Unreadable]:
    """:func:`parse_time` of every value of a column, each value read once: text already in
    the stored form (``YYYY-MM-DD HH:MM:SS`` or with a T, what exports mostly hold) is checked
    and passed on; anything else goes through ``parse_time``, its error kept as
    :class:`_Unreadable` for the row."""
    out: list[str | None | _Unreadable] = []
    other: dict[Any, Any] = {}
    stored = _STORED.fullmatch
    miss = object()
    for v in values:
        if type(v) is str and len(v) == 19 and stored(v):
            try:
                datetime.fromisoformat(v)
                out.append(v if v[10] == "T" else f"{v[:10]}T{v[11:]}")
                continue
            except ValueError:
                pass
        key = (type(v), v) if isinstance(v, str | None) else None
        hit = other.get(key, miss) if key is not None else miss
        if hit is miss:
            try:
                hit = parse_time(v)
            except Exception as exc:  # re-raised for the row it belongs to
                hit = _Unreadable(exc)
            if key is not None:
                other[key] = hit
        out.append(hit)
    return out


def parse_status_map(items: list[str] | None) -> dict[str, str]:
    """``['外部=内部', …]`` → {外部: 内部}; UsageError when 内部 is not a workflow status."""
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise UsageError(f"--status 应写成 外部状态=内部状态，例如 已回访=结案；收到 {item!r}")
        a, b = (s.strip() for s in item.rsplit("=", 1))
        if b not in workflow.STATUSES:
            raise UsageError(f"--status {item!r}：{b!r} 不是流程状态；可用："
                             f"{'、'.join(workflow.STATUSES)}")
        out[a] = b
    return out


def import_cases(store: Store, path: str | Path, *, coords: str | None = None,
                 sheet: str | None = None, encoding: str | None = None,
                 mapping: Mapping[str, str] | None = None,
                 statuses: Mapping[str, str] | None = None, dry_run: bool = False,
                 system: str = "urban", bare_hours: str = CALENDAR_HOURS,
                 bare_days: str = WORK_DAYS, category_map: Mapping[str, str] | None = None,
                 add_categories: bool = False) -> Task[Report]:
    """Import or update cases from a hotline/case-system export (rules in the module doc).

    ``bare_hours``/``bare_days``: what a unit that does not say 工作 or 自然 means (小时 →
    自然小时 and 天 → 工作日 unless the bureau says otherwise).  ``category_map``: foreign
    category names → 小类 code or name; ``add_categories``: unknown names are added to the
    category table instead of refused (:mod:`.category_names`)."""
    p = Path(path)
    token = store.change_token()  # what the plan below is made on
    file = p.name
    yield Progress(0, 5, f"读取 {file}")
    table = read_table(p, sheet=sheet, encoding=encoding, header_aliases=CASE_ALIASES)
    fields = match_headers(table.headers, CASE_ALIASES, mapping)
    report = Report(info={"file": str(p), "sheet": table.sheet, "encoding": table.encoding,
                          "encoding_source": table.encoding_source, "coords": coords,
                          "columns": fields, "rows": len(table.rows), "dry_run": dry_run})
    for need, zh in (("case_no", "案件编号"), ("reported_at", "上报时间"), ("status", "状态")):
        if need not in fields:
            raise InputFileError(f"{p}：找不到{zh}列；文件的列：{', '.join(table.headers)}。"
                                 f"请用 --map 源列={need} 指明")
    xcol, ycol = ("lon", "lat") if "lon" in fields else ("x", "y")
    if xcol not in fields or ycol not in fields:
        raise InputFileError(f"{p}：找不到经度/纬度（或 X/Y）列；文件的列："
                             f"{', '.join(table.headers)}。请用 --map 源列=lon --map 源列=lat 指明")
    status_map = {**STATUS_MAP, **(statuses or {})}
    header_unit = _limit_header(table.headers, fields, bare_hours, bare_days, p)
    cols = {f: table.headers.index(h) for f, h in fields.items()}
    cats = store.categories()
    resolver = CategoryResolver(cats, category_map)
    units_read: dict[tuple[str, str], int] = {}
    officers = set(store.officers()["staff_no"])
    ent_keys = store.enterprise_keys() if "enterprise" in fields else {}

    refuse, warn = partial(report.refuse, file), partial(report.warn, file)

    yield Progress(1, 5, "检查每一行")
    now = beijing.now()
    future = iso(now + beijing.FUTURE_SLACK)  # a stored-form time after this is in the future
    recs: list[dict[str, Any]] = []
    xs: list[float] = []
    ys: list[float] = []
    seen: dict[str, int] = {}


    # each column cleaned and each time column read once, for every row
    narrow = {"case_no", "ext_no", "handler", "category", "limit", xcol, ycol}
    text_fields = ("case_no", "ext_no", "source", "category", "description", "address",
                   "reporter", "status", "handler", "enterprise", "supervised", "limit_unit",
                   "limit", xcol, ycol)
    cleaned = {f: clean_column(_column(table.rows, cols.get(f)), narrow=f in narrow)
               for f in text_fields}
    times = {f: parse_time_column(_column(table.rows, cols.get(f))) for f in TIME_FIELDS}
    row_numbers = table.row_numbers
    del table  # the columns above hold what the rows are needed for
    for i, row in enumerate(row_numbers):
        no = cleaned["case_no"][0][i]
        notes = [(n, fields["case_no"]) for n in cleaned["case_no"][1].get(i, ())]
        if not no:
            refuse(row, "missing_case_no")
            continue
        if no in seen:
            refuse(row, "duplicate_case_no", code=no, first_row=seen[no])
            continue
        seen[no] = row
        rec: dict[str, Any] = {"row": row, "case_no": no}
        for f in ("ext_no", "source", "category", "description", "address", "reporter",
                  "status", "handler", "enterprise", "supervised", "limit_unit"):
            texts, said = cleaned[f]
            rec[f] = texts[i]
            if i in said:
                notes += [(n, fields[f]) for n in said[i]]
        bad_time = False
        for f in TIME_FIELDS:
            t = times[f][i]
            if isinstance(t, _Unreadable):
                if not isinstance(t.exc, ValueError):
                    raise t.exc
                refuse(row, "bad_time", code=no, field=fields.get(f, FIELD_ZH[f]),
                       value=str(t.exc))
                bad_time = True
                break
            rec[f] = t
        if bad_time:
            continue
        if not rec["reported_at"]:
            refuse(row, "missing_time", code=no, field=fields["reported_at"])
            continue
        limit_text = cleaned["limit"][0][i]
        limit_m = _LIMIT.match(limit_text) if limit_text else None
        # impossible values first, so every row that has one says so whatever else it has
        # (its status, 作废 included, its category, a conflict of its times)
        impossible = False
        if limit_m and float(limit_m.group(1)) <= 0:
            refuse(row, "negative_limit" if float(limit_m.group(1)) < 0 else "zero_limit",
                   code=no, stage="处置", value=limit_text)
            impossible = True
        if rec["closed_at"] and rec["closed_at"] < rec["reported_at"]:
            refuse(row, "time_order", code=no, first=FIELD_ZH["reported_at"],
                   a=rec["reported_at"], second=FIELD_ZH["closed_at"], b=rec["closed_at"])
            impossible = True
        if impossible:
            continue
        ext = rec["status"]
        status = status_map.get(ext or "")
        if status is None:
            refuse(row, "unknown_status", code=no, value=ext or "（空）",
                   allowed="、".join(sorted(set(status_map))[:40]))
            continue
        rec["status"], rec["ext_status"] = status, ext
        cat = resolver.resolve(rec["category"], row)
        if cat is None and not (add_categories and rec["category"]):
            continue  # one line per unknown name after the loop, not one per row
        rec["category_code"] = cat["code"] if cat is not None else None
        if status == "结案" and not rec["closed_at"]:
            refuse(row, "closed_without_time", code=no, value=ext)
            continue
        order = [(f, rec[f]) for f in ("reported_at", "registered_at", "dispatched_at",
                                       "closed_at") if rec[f]]
        wrong = next(((a, b) for a, b in zip(order, order[1:]) if b[1] < a[1]), None)
        if wrong:
            refuse(row, "time_order", code=no, first=FIELD_ZH[wrong[0][0]], a=wrong[0][1],
                   second=FIELD_ZH[wrong[1][0]], b=wrong[1][1])
            continue
        late = next(((f, t) for f, t in order if t > future), None)  # beijing.is_future
        if late:
            refuse(row, "future_time", code=no, field=fields.get(late[0], FIELD_ZH[late[0]]),
                   value=late[1], now=iso(now))
            continue
        conflict = _status_time_conflict(status, rec)
        if conflict:
            refuse(row, "status_time_conflict", code=no, value=ext, status=status,
                   field=fields.get(conflict[0], FIELD_ZH[conflict[0]]), at=rec[conflict[0]],
                   why=conflict[1])
            continue
        rec["limit"] = None
        if limit_text:
            if not limit_m:
                refuse(row, "bad_limit", code=no, value=limit_text)
                continue
            said = limit_m.group(2) or rec["limit_unit"]
            try:
                unit = (normalise_unit(said, hours=bare_hours, days=bare_days) if said
                        else header_unit[1] if header_unit else WORK_HOURS)
            except UsageError:
                refuse(row, "bad_limit", code=no, value=f"{limit_text} {rec['limit_unit']}")
                continue
            how = said if said else f"表头“{header_unit[0]}”" if header_unit else "（无单位）"
            units_read[(how, unit)] = units_read.get((how, unit), 0) + 1
            rec["limit"] = (float(limit_m.group(1)), unit)
        x_text, xn = cleaned[xcol][0][i], cleaned[xcol][1].get(i, ())
        y_text, yn = cleaned[ycol][0][i], cleaned[ycol][1].get(i, ())
        notes += [(n, fields[xcol]) for n in xn] + [(n, fields[ycol]) for n in yn]
        x, y = finite_number(x_text), finite_number(y_text)
        if x is None or y is None:
            if x_text is None or y_text is None:
                refuse(row, "missing_coordinates", name=no)
            else:
                refuse(row, "bad_coordinate_text", name=no, x0=x_text, y0=y_text)
            continue
        if xcol == "lon" and (_LAT[0] <= x <= _LAT[1] and _LON[0] <= y <= _LON[1]
                              and not _LON[0] <= x <= _LON[1]):
            x, y = y, x
            warn(row, "swapped_coordinates", name=no, lon=x, lat=y)
        for reason, column in dict.fromkeys(notes):
            warn(row, reason, field=column)
        src = SOURCE_MAP.get(rec["source"] or "")
        if src is None:
            warn(row, "unknown_value", field=fields.get("source", "来源"),
                 value=rec["source"] or "（空）", allowed="/".join(SOURCES))
            src = rec["source"] or "未知"
        rec["source"] = src
        if rec["handler"] and rec["handler"] not in officers:
            warn(row, "unknown_handler", code=no, value=rec["handler"])
        rec["enterprise_uuid"] = None
        if rec["enterprise"]:
            rec["enterprise_uuid"] = ent_keys.get(rec["enterprise"])
            if rec["enterprise_uuid"] is None:
                warn(row, "unknown_enterprise", code=no, value=rec["enterprise"])
        rec["supervised"] = int(str(rec["supervised"] or "").strip() in
                                ("1", "是", "Y", "y", "true", "True", "督办", "挂牌督办"))
        recs.append(rec)
        xs.append(x)
        ys.append(y)

    _summarise_categories(report, file, resolver, add_categories)
    added = resolver.additions() if add_categories else []
    by_name = {a["name"]: a for a in added}
    for rec in recs:
        if rec["category_code"] is None:
            rec["category_code"] = by_name[rec["category"]]["code"]
    cats = {**cats, **{a["code"]: a for a in added}}
    _summarise_units(report, file, units_read, bare_hours, bare_days)

    yield Progress(2, 5, "坐标转换、确定网格")
    outline = district_outline(store)
    coords = settle_coords(store, report, xs, ys, coords, outline, file)
    pts = to_project_points(store, xs, ys, coords) if recs else np.array([], dtype=object)
    inside = (shapely.covers(outline, pts) if outline is not None and len(pts)
              else np.ones(len(pts), dtype=bool))
    kept = []
    for i, rec in enumerate(recs):
        if not inside[i]:
            refuse(rec["row"], "case_outside_district", code=rec["case_no"],
                   x0=f"{xs[i]:.6f}", y0=f"{ys[i]:.6f}")
        else:
            kept.append(i)
    recs = [recs[i] for i in kept]
    pts = pts[kept] if kept else np.array([], dtype=object)
    cells, comms, streets = locate(store, pts) if len(pts) else ([], [], [])

    yield Progress(3, 5, "计算时限、派遣对象")
    cal = calendar(store)
    _prime_deadlines(cal, recs, cats)
    dispatcher = Dispatcher(store, system)
    nos = [r["case_no"] for r in recs]
    existing = ({r["case_no"]: r for r in
                 store.cases_frame(case_nos=nos, with_location=True).to_dict("records")}
                if nos and store.count_cases() else {})  # a first import asks nothing
    last = store.last_steps([r["uuid"] for r in existing.values()])
    inserts: list[dict[str, Any]] = []
    insert_pts: list[Any] = []
    updates: list[tuple[str, dict[str, Any], Any]] = []
    transitions: list[tuple[Any, ...]] = []  # the steps as _STEP_KEYS tuples (a third of a dict)
    changes: list[dict[str, Any]] = []
    unchanged = 0
    ctx = _Context(cal, dispatcher, system, set(fields), iter(sorted_uuid4s(len(recs))))
    not_exported: dict[tuple[str, str], int] = {}
    for rec, pt, c, m, s in zip(recs, pts, cells, comms, streets):
        old = existing.get(rec["case_no"])
        try:
            plan = _plan(ctx, rec, cats[rec["category_code"]], pt, (c, m, s), old,
                         last.get(old["uuid"]) if old else None)
        except UsageError as exc:  # a limit no calendar can hold: this row, not the import
            refuse(rec["row"], "limit_too_long", code=rec["case_no"], detail=str(exc))
            continue
        for reason, kw in plan.warnings:  # fields named as the file names them
            if reason == "time_filled" and kw["field"] not in fields:
                key = (kw["field"], kw["source"])  # a column the case system does not export
                not_exported[key] = not_exported.get(key, 0) + 1
                continue
            warn(rec["row"], reason, code=rec["case_no"],
                 **{k: fields.get(v, FIELD_ZH.get(v, v)) if k in ("field", "source") else v
                    for k, v in kw.items()})
        transitions.extend(tuple(map(step.__getitem__, _STEP_KEYS)) for step in plan.steps)
        if old is None:
            inserts.append(plan.fields)
            insert_pts.append(pt)
        elif plan.fields or plan.moved:
            updates.append((old["uuid"], plan.fields, pt if plan.moved else None))
            changes.append({"row": rec["row"], "case_no": rec["case_no"],
                            "name": rec["case_no"], "changes": plan.changes})
        else:
            unchanged += 1
    recs.clear()  # planned: the rows' fields live on in the inserts and steps
    for (field, source), n in not_exported.items():
        report.add(Finding.make("time_not_exported", severity=WARNING, file=file,
                                field=FIELD_ZH[field], source=fields.get(source, FIELD_ZH[source]),
                                count=n))
    report.accepted = len(inserts) + len(updates) + unchanged
    report.info.update(inserted=len(inserts), updated=len(updates), unchanged=unchanged,
                       steps_added=len(transitions), changes=changes[:1000],
                       categories_added=[{"code": a["code"], "name": a["name"]} for a in added],
                       categories_mapped=dict(resolver.mapped),
                       times_not_exported={FIELD_ZH[f]: n for (f, _), n in
                                           not_exported.items()})
    if dry_run:
        yield Progress(5, 5, "试运行完成，未写入")
        return report
    yield Progress(4, 5, f"写入 {len(inserts)} 个新案件、更新 {len(updates)} 个")
    with store.atomic():
        store.check_unchanged(token)  # planned on what is still the project's
        if added:
            store.add_categories(added)
        batch = 20000
        # a large import into a small project: the secondary indexes are built once at the end
        with store.bulk_indexes({"cases": len(inserts), "case_transitions": len(transitions)}):
            for start in range(0, len(inserts), batch):
                store.insert_cases(inserts[start:start + batch], insert_pts[start:start + batch],
                                   refresh_extent=False)
                yield Progress(4, 5, f"写入 {min(start + batch, len(inserts))}/{len(inserts)}")
            for case_uuid, changed, pt in updates:
                store.update_case(case_uuid, changed, pt)
            # the steps' own uuids, ascending like the new cases' (file order, then seq): the
            # indexes on uuid and (case_uuid, seq) are then written in order, not at random
            store.insert_transitions(
                {**dict(zip(_STEP_KEYS, step)), "uuid": step_uuid}
                for step, step_uuid in zip(transitions, sorted_uuid4s(len(transitions))))
        store.refresh_cases_extent()
        store.audit("cases import", {"file": str(p), "inserted": len(inserts),
                                     "updated": len(updates), "unchanged": unchanged,
                                     "steps_added": len(transitions),
                                     "categories_added": [a["code"] for a in added],
                                     "refused": len(report.refused)})
    yield Progress(5, 5, "完成")
    return report


def _prime_deadlines(cal: Any, recs: list[dict[str, Any]],
                     cats: Mapping[str, dict[str, Any]]) -> None:
    """Compute, all at once, the deadlines a new case's plan asks for (verify from the report,
    dispatch from 立案, dispose from 派遣: the file's times, or the earlier ones they are filled
    with), so that :func:`stage_due` finds them; anything else is computed when asked."""
    starts: list[str] = []
    limits: list[float] = []
    units: list[str] = []

    def ask(start: str, cat: dict[str, Any], stage: str) -> None:
        if cat.get(f"{stage}_limit") is not None:
            starts.append(start)
            limits.append(float(cat[f"{stage}_limit"]))
            units.append(cat.get(f"{stage}_unit") or WORK_HOURS)

    for rec in recs:
        cat = cats.get(rec["category_code"]) or {}
        reported = rec["reported_at"]
        registered = rec["registered_at"] or reported
        dispatched = rec["dispatched_at"] or registered
        ask(reported, cat, "verify")
        ask(registered, cat, "dispatch")
        if rec["due"]:
            continue
        if rec["limit"] is not None:
            starts.append(dispatched)
            limits.append(rec["limit"][0])
            units.append(rec["limit"][1])
        else:
            ask(dispatched, cat, "dispose")
    cal.prime(starts, limits, units)


def _limit_header(headers: list[str], fields: dict[str, str], hours: str, days: str,
                  path: Path) -> tuple[str, str] | None:
    """(the unit as the header says it, the unit) of a time-limit column whose header names
    its unit — ``时限(小时)``, ``处置时限（工作日）`` — taking that column as the limit column
    when no other was found; None when the header says no unit."""
    if "limit" not in fields:
        names = {normalise_header(a) for a in CASE_ALIASES["limit"]}
        taken = set(fields.values())
        for h in headers:
            m = _UNIT_HEADER.match(str(h))
            if m and h not in taken and normalise_header(m["name"]) in names:
                fields["limit"] = h
                break
    m = _UNIT_HEADER.match(str(fields.get("limit", "")))
    if not m:
        return None
    said = m["unit"].strip()
    try:
        return said, normalise_unit(said, hours=hours, days=days)
    except UsageError:
        raise InputFileError(f"{path}：时限列“{fields['limit']}”的单位“{said}”无法识别；应为 "
                             "自然小时、工作小时、自然日、工作日（或 小时、天）") from None


def _summarise_units(report: Report, file: str, units_read: dict[tuple[str, str], int],
                     hours: str, days: str) -> None:
    """One notice saying how the file's time limits were read, when any unit was left open
    (小时, 天), came from the header, or was missing — nothing is converted unsaid."""
    if not any(is_bare_unit(how) or not how or how.startswith(("表头", "（"))
               for how, _ in units_read):
        return
    parts = [f"{how} → {unit}：{n} 行" for (how, unit), n in sorted(units_read.items())]
    hint = ("；“小时”不写工作或自然时按" + hours + "计（工作小时请加 --hours working），“天”按"
            + days + "计（自然日请加 --days calendar）")
    report.add(Finding.make("limit_units", severity=NOTICE, file=file,
                            detail="；".join(parts) + hint))
    report.info["limit_units"] = [{"said": how, "read_as": unit, "rows": n}
                                  for (how, unit), n in sorted(units_read.items())]


def _summarise_categories(report: Report, file: str, resolver: CategoryResolver,
                          added: bool) -> None:
    """One refusal per unknown category name (its first row, the count, every row, the most
    similar 小类) — not one per row."""
    info = []
    for name, rows in resolver.unknown.items():
        if added and name:
            continue
        best = resolver.suggest(name) if name else None
        hint = f"；最相近的小类：{best['code']} {best['name']}" if best else ""
        shown = "、".join(str(r) for r in rows[:10]) + ("…" if len(rows) > 10 else "")
        report.refuse(file, rows[0], "unknown_category", value=name or "（空）", count=len(rows),
                      rows=rows, rows_text=shown, suggestion=hint,
                      suggested=best["code"] if best else None)
        info.append({"name": name, "count": len(rows), "first_row": rows[0],
                     "suggested": best["code"] if best else None})
    report.info["unknown_categories"] = info


# --------------------------------------------------------------------------- one row's effect

# how far along the workflow a status lies; 作废 branches off before 派遣, 挂账 after 处置 (from
# 立案, 派遣 or 处置); a file status at or below the project's is not applied
RANK = {"受理": 0, "立案": 1, "作废": 1.5, "派遣": 2, "处置": 3, "挂账": 3.5, "反馈": 4, "核查": 5,
        "结案": 6}
# descriptive columns a re-import refreshes: case column → the file field it comes from
_DESCRIPTIVE = {"source": "source", "category_code": "category", "description": "description",
                "address": "address", "reporter": "reporter", "ext_no": "ext_no",
                "enterprise_uuid": "enterprise"}


def _status_time_conflict(status: str, rec: dict[str, Any]) -> tuple[str, str] | None:
    """(time field, why) when a row's status contradicts a time it gives: the history it
    would need is one the workflow forbids."""
    if status == "受理":
        for f in ("registered_at", "dispatched_at"):
            if rec[f]:
                return f, "受理状态的案件还没有立案或派遣"
    if status == "立案" and rec["dispatched_at"]:
        return "dispatched_at", "立案状态的案件还没有派遣"
    if status == "作废" and rec["dispatched_at"]:
        return "dispatched_at", "作废只能在派遣之前，已派遣的案件应回退或挂账"
    return None


def _column(rows: list[list[Any]], i: int | None) -> list[Any]:
    """Column ``i`` of every row (None where the row is short or the field not mapped)."""
    if i is None:
        return [None] * len(rows)
    return [r[i] if i < len(r) else None for r in rows]


_STEP_KEYS = ("uuid", "case_uuid", "seq", "action", "from_status", "to_status", "by_staff_no",
              "by_name", "at", "note", "due_at")


def sorted_uuid4s(n: int) -> list[str]:
    """``n`` random version-4 UUIDs as text (as ``str(uuid.uuid4())``), in ascending order:
    rows written in that order fill a UNIQUE index on them page by page."""
    raw = np.frombuffer(os.urandom(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # the RFC 4122 variant
    h = raw.tobytes().hex()
    return sorted(f"{h[i:i + 8]}-{h[i + 8:i + 12]}-{h[i + 12:i + 16]}-{h[i + 16:i + 20]}-"
                  f"{h[i + 20:i + 32]}" for i in range(0, 32 * n, 32))


class _Context:
    """What every row's plan needs: the calendar, who is responsible, the file's columns, and
    the uuids for new cases (ascending in file order)."""

    def __init__(self, cal: Any, dispatcher: Dispatcher, system: str, columns: set[str],
                 case_uuids: Iterator[str]) -> None:
        self.cal, self.dispatcher, self.system, self.columns = cal, dispatcher, system, columns
        self.case_uuids = case_uuids


class _Plan:
    """A row's effect: the case's fields (all of them for a new case, the changed ones for a
    known case), the steps to append, what changed (for the report) and warnings."""

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}
        self.steps: list[dict[str, Any]] = []
        self.changes: dict[str, tuple[Any, Any]] = {}
        self.moved = False
        self.warnings: list[tuple[str, dict[str, Any]]] = []


def _plan(ctx: _Context, rec: dict[str, Any], cat: dict[str, Any], pt: Any,
          where: tuple[str | None, str | None, str | None], old: dict[str, Any] | None,
          last: dict[str, Any] | None) -> _Plan:
    """What importing one accepted row does.  A new case gets its whole history as the file
    tells it.  A known case keeps every recorded step: only the steps the file shows beyond the
    case's current status are appended; a file status behind it (or beside it) is a warning.
    UsageError when a deadline cannot be computed (a limit no calendar can hold)."""
    plan = _Plan()
    status = rec["status"]
    desk = old["status"] if old else None
    drank = RANK[desk] if old else -1.0
    append = old is None or (
        desk != status and desk not in workflow.FINAL_STATUSES
        and (desk != "挂账" or status == "结案") and RANK[status] > drank)
    if old is not None and desk != status and not append:
        plan.warnings.append(("reimport_behind", {"value": rec["ext_status"], "status": status,
                                                  "current": desk}))

    def new_stage(stage: str) -> bool:
        return append and RANK[stage] > drank

    reported = old["reported_at"] if old else rec["reported_at"]
    registered = old["registered_at"] if old and drank >= 1 else None
    registered = registered or rec["registered_at"]
    dispatched = old["dispatched_at"] if old and drank >= 2 else None
    dispatched = dispatched or rec["dispatched_at"]
    fills: list[tuple[str, str, str]] = []
    if status not in ("受理", "作废") and not registered and new_stage("立案"):
        registered = reported
        fills.append(("registered_at", "reported_at", reported))
    if RANK[status] >= 2 and status != "挂账" and not dispatched and new_stage("派遣"):
        dispatched = registered
        fills.append(("dispatched_at", "registered_at", registered))
    if not new_stage("派遣") and old is not None:
        dispatched = old["dispatched_at"]
    c, m, s = where
    if new_stage("派遣") and dispatched:
        handler = rec["handler"] or ctx.dispatcher.primary(
            c, m, s, reported, role=(cat or {}).get("dispatch_role"))[0]
        dispose_due = rec["due"]
        if not dispose_due:
            if rec["limit"] is not None:
                dispose_due = ctx.cal.due_iso(dispatched, *rec["limit"])
            else:
                dispose_due = stage_due(ctx.cal, cat, "dispose", dispatched)
    elif old is not None:
        handler, dispose_due = old["handler_staff_no"], old["dispose_due_at"]
    else:
        handler, dispose_due = rec["handler"], rec["due"]

    if append:
        if status == "受理":
            due = stage_due(ctx.cal, cat, "verify", reported)
        elif status == "立案":
            due = stage_due(ctx.cal, cat, "dispatch", registered)
        elif status in ("派遣", "处置", "反馈"):
            due = dispose_due
        else:
            due = None
        closed = rec["closed_at"] if status == "结案" else None
        told = [("受理", "受理", reported, False)]
        if registered and status not in ("受理",):
            told.append(("立案", "立案", registered, False))
        if dispatched and status not in ("受理", "立案", "作废"):
            told.append(("派遣", "派遣", dispatched, False))
        if status != told[-1][1]:
            at = closed or max(t for t in (reported, registered, dispatched) if t)
            told.append((_STEP_ACTION[status], status, at, not closed))
        steps = [t for t in told if RANK[t[1]] > drank]
        if last is not None:  # after the recorded history: never before its last step
            steps = [(a, to, max(at, last["at"]) if synth else at, synth)
                     for a, to, at, synth in steps]
            early = next(((a, at) for a, _, at, synth in steps if at < last["at"]), None)
            if early:
                plan.warnings.append(("reimport_step_order", {
                    "action": early[0], "value": early[1], "last_action": last["action"],
                    "at": last["at"]}))
                steps, append = [], False
    if append:
        for field, source, value in fills:
            plan.warnings.append(("time_filled", {"field": field, "source": source,
                                                  "value": value}))
        stage_dues = {"受理": lambda: stage_due(ctx.cal, cat, "verify", reported),
                      "立案": lambda: stage_due(ctx.cal, cat, "dispatch", registered),
                      "派遣": lambda: dispose_due}
        note = notes.IMPORTED.format(status=rec["ext_status"])
        prev, seq0 = (desk, last["seq"]) if last is not None else (desk, 0)
        for i, (action, to, at, _) in enumerate(steps, start=1):
            step_due = due if to == status else stage_dues[to]()
            plan.steps.append({"uuid": None, "case_uuid": None, "seq": seq0 + i,
                               "action": action, "from_status": prev, "to_status": to,
                               "by_staff_no": None, "by_name": None, "at": at, "note": note,
                               "due_at": step_due})
            prev = to

    if old is None:
        case_uuid = next(ctx.case_uuids)
        plan.fields = {
            "uuid": case_uuid, "case_no": rec["case_no"], "source": rec["source"],
            "category_code": rec["category_code"], "description": rec["description"],
            "address": rec["address"], "enterprise_uuid": rec["enterprise_uuid"],
            "reported_at": reported, "reporter": rec["reporter"], "status": status,
            "system": ctx.system, "cell_code": c, "community_code": m, "street_code": s,
            "handler_staff_no": handler, "registered_at": registered,
            "dispatched_at": dispatched, "dispose_due_at": dispose_due, "due_at": due,
            "closed_at": closed, "ext_status": rec["ext_status"], "ext_no": rec["ext_no"],
            "supervised": rec["supervised"]}
        for step in plan.steps:
            step["case_uuid"] = case_uuid
        return plan

    for step in plan.steps:
        step["case_uuid"] = old["uuid"]
    _refresh(ctx, plan, rec, old, pt, where)
    if append:
        wf = {"status": status, "due_at": due}
        if new_stage("立案"):
            wf["registered_at"] = registered
        if new_stage("派遣"):
            wf.update(dispatched_at=dispatched, handler_staff_no=handler,
                      dispose_due_at=dispose_due)
        if status == "结案":
            wf["closed_at"] = closed
        plan.fields.update({k: v for k, v in wf.items() if v != old[k]})
        plan.changes["status"] = (f"{desk}（{old['ext_status'] or ''}）",
                                  f"{status}（{rec['ext_status']}）")
    # what the project recorded wins over a differing time or handler in the file
    recorded = ["reported_at"] + (["registered_at"] if not new_stage("立案") else []) \
        + (["dispatched_at", "handler"] if not new_stage("派遣") else []) \
        + (["closed_at"] if desk == "结案" else [])
    for field in recorded:
        column = "handler_staff_no" if field == "handler" else field
        mine, theirs = old[column], rec[field]
        if theirs and mine and theirs != mine:
            plan.warnings.append(("reimport_kept", {"field": field, "value": theirs,
                                                    "current": mine}))
    return plan


def _refresh(ctx: _Context, plan: _Plan, rec: dict[str, Any], old: dict[str, Any], pt: Any,
             where: tuple[str | None, str | None, str | None]) -> None:
    """The descriptive fields of a known case that the file changes: a blank or unknown value in
    the file never erases what the project has, and 挂牌督办 is never lifted by a file."""
    for column, field in _DESCRIPTIVE.items():
        if field not in ctx.columns and field != "category":
            continue
        new = rec[column]
        if field == "source" and new not in SOURCES:
            continue
        if new and new != old[column]:
            plan.fields[column] = new
            plan.changes[field] = (old[column], new)
    if rec["ext_status"] != old["ext_status"]:
        plan.fields["ext_status"] = rec["ext_status"]
        plan.changes["status"] = (old["ext_status"], rec["ext_status"])
    if rec["supervised"] and not old["supervised"]:
        plan.fields["supervised"] = 1
        plan.changes["supervised"] = (0, 1)
    if old["x"] is None or not (abs(old["x"] - pt.x) <= 1e-6 and abs(old["y"] - pt.y) <= 1e-6):
        plan.moved = True
        plan.changes["location"] = ((old["x"], old["y"]), (pt.x, pt.y))
        c, m, s = where
        plan.fields.update(cell_code=c, community_code=m, street_code=s)
