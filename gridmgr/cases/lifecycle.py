"""Cases (案件): creation, the workflow with every step recorded, deadlines, overdue.

* **Where and who.**  At 受理 and again at 立案 the case's cell (and community, street) is found
  from its location (lowest code on a shared border, as for enterprises).  派遣 goes to the
  primary responsible (网格员/执法队员) for that cell **on the day the case was reported** — not
  today's — falling back to the community's, the street's, then the district's (属地兜底).
* **Steps.**  :func:`transition` applies one action of :mod:`gridmgr.cases.workflow` and records who,
  when, the note and the deadline in force after the step; an illegal step is refused with the
  reason and what is allowed.  A step cannot be dated before the case's previous step, nor
  later than now (beyond :data:`gridmgr.beijing.FUTURE_SLACK`); a time with a zone is converted
  to Beijing time.
* **Deadlines** come from the category's limits on the project's working calendar
  (:mod:`gridmgr.cases.workcalendar`): 核实 from the report, 派遣 from 立案, 处置 from 派遣 (moved by 延期,
  not reset by 返工), 核查 from 反馈.
* **Overdue** as of a moment T: the case's last step at or before T left it open (受理 … 核查) with
  a deadline, and T > that deadline (at the due instant itself it is not yet overdue).
* **三色单** and the 整改通知书 are :mod:`.notices`'.
* **挂牌督办** (``督办``) marks a case as under listed supervision (``supervised = 1``).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from .. import beijing
from ..beijing import FUTURE_SLACK
from ..errors import InputFileError, UsageError
from ..registers.cell_assignment import Hierarchy
from ..storage import Store
from . import notes, workflow
from .workcalendar import WorkCalendar, iso, parse_moment

SOURCES = ("市民投诉", "12345热线", "巡查上报", "视频抓拍", "巡检发现", "信访", "上级交办")
UNRESOLVED = (*workflow.OPEN_STATUSES, "挂账")  # counted as open on the map


def now_local() -> str:
    """Now in Beijing time, as cases store it."""
    return beijing.now_iso()


def moment(value: Any, what: str = "时间") -> str:
    """A user-given time as stored text (Beijing time: a zone given is converted); UsageError
    when unreadable."""
    try:
        return iso(parse_moment(value))
    except (ValueError, TypeError):
        raise UsageError(f"{what}应写成 2026-03-01T09:30 或 2026-03-01 09:30；收到 {value!r}"
                         ) from None


def past_moment(value: Any, what: str = "时间") -> str:
    """:func:`moment` for a step that has happened: refused when later than now (beyond a few
    minutes of clock slack) — a future step would leave the views and the replay disagreeing."""
    when = moment(value, what)
    now = parse_moment(now_local())
    if parse_moment(when) > now + FUTURE_SLACK:
        raise UsageError(f"{what} {when} 晚于现在（{iso(now)}）：步骤不能记在将来；请检查时间")
    return when


def calendar(store: Store) -> WorkCalendar:
    """The project's working calendar and working hours."""
    return WorkCalendar.from_rows(store.calendar_rows(), store.meta().get("work_hours"))


def stage_due(cal: WorkCalendar, category: dict[str, Any] | None, stage: str,
              start: str) -> str | None:
    """The deadline of ``stage`` (dispose/verify/dispatch/check) started at ``start``; None
    when the category sets no limit for it."""
    if not category or category.get(f"{stage}_limit") is None:
        return None
    limit = float(category[f"{stage}_limit"])
    return cal.due_iso(start, limit, category.get(f"{stage}_unit") or "工作时")


# --------------------------------------------------------------------------- who is responsible

class Dispatcher:
    """Who in a cell's team was responsible on a day for a case, with 属地兜底 (cell →
    community → street → district) per role.  A case goes to the role its category names
    (``dispatch_role``: 执法 categories to the 执法队员); when nobody holds that role at any
    level, or the category names none, to the default primary role (网格员), then to any other
    primary role.  Loads the responsibility history once, so an import of many cases asks it
    cheaply."""

    def __init__(self, store: Store, system: str = "urban") -> None:
        from ..registers.teams import roles

        table = roles(store)
        self.primaries = [r["name"] for r in table if r["slot"] == "primary"]
        self.by_area: dict[tuple[str, str], list[tuple[str, str | None, str]]] = {}
        rows = store.responsibilities(system=system)
        for code, role, slot, start, end, staff in zip(
                rows["area_code"], rows["role"], rows["slot"], rows["valid_from"],
                rows["valid_to"], rows["staff_no"]):
            self.by_area.setdefault((code, role), []).append((start, end, staff))
            if slot == "primary" and role not in self.primaries:
                self.primaries.append(role)  # a role the table no longer lists keeps its cases
        streets = store.areas("street", system=system, current=False)
        self.street_parent = dict(zip(streets["code"], streets["parent_code"]))

    def handler(self, cell: str | None, community: str | None, street: str | None,
                day: str, role: str | None = None
                ) -> tuple[str | None, str | None, str | None]:
        """(staff_no, level it came from, role it was found in) on ``day``, or Nones."""
        day = day[:10]
        district = self.street_parent.get(street) if street else None
        chain = (("cell", cell), ("community", community), ("street", street),
                 ("district", district))
        wanted = [role] if role else []
        for r in wanted + [p for p in self.primaries if p != role]:
            for level, code in chain:
                for start, end, staff in self.by_area.get((code or "", r), []):
                    if start <= day and (end is None or end > day):
                        return staff, level, r
        return None, None, None

    def primary(self, cell: str | None, community: str | None, street: str | None,
                day: str, role: str | None = None) -> tuple[str | None, str | None]:
        """(staff_no, level it came from) on ``day`` for a case of ``role`` (the category's
        dispatch role; None: the default primary), or (None, None)."""
        staff, level, _ = self.handler(cell, community, street, day, role)
        return staff, level

    def for_category(self, store: Store, category_code: str | None, cell: str | None,
                     community: str | None, street: str | None, day: str
                     ) -> tuple[str | None, str | None]:
        """:meth:`primary` for a case of this 小类: the role its category names (what the
        new-case and 派遣 dialogs show before the step is taken)."""
        cat = store.categories().get(category_code or "") or {}
        return self.primary(cell, community, street, day, role=cat.get("dispatch_role"))


def locate(store: Store, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cell, community, street) codes of points in the project CRS (current urban grid)."""
    return Hierarchy.load(store).assign(points)


def district_outline(store: Store) -> shapely.Geometry | None:
    from ..registers.enterprises import _district_shape

    return _district_shape(store)


def to_project_points(store: Store, lon: Sequence[float], lat: Sequence[float],
                      coords: str = "wgs84") -> np.ndarray:
    """Points in the project CRS from coordinates in ``coords`` (wgs84, gcj02, bd09, cgcs2000
    or EPSG:n for projected X/Y)."""
    from ..coords.crs import parse_crs
    from ..registers.enterprises import GEOGRAPHIC, _coords_key, _to_project

    key = _coords_key(coords)
    target = None if key in GEOGRAPHIC else parse_crs(coords)
    return _to_project(store, np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), key,
                       target)


# --------------------------------------------------------------------------- categories

def resolve_category(categories: dict[str, dict[str, Any]], text: str | None
                     ) -> dict[str, Any] | None:
    """A category by 小类 code or by unique 小类 name (None when unknown or blank)."""
    if not text:
        return None
    if text in categories:
        return categories[text]
    named = [c for c in categories.values() if c["name"] == text]
    return named[0] if len(named) == 1 else None


# --------------------------------------------------------------------------- creating

def next_case_no(store: Store, reported_at: str) -> str:
    """``AJ`` + the report's date + a 4-digit sequence of that day."""
    prefix = "AJ" + reported_at[:10].replace("-", "")
    taken = store.case_numbers(prefix)
    seq = max((int(n[len(prefix):]) for n in taken if n[len(prefix):].isdigit()), default=0)
    return f"{prefix}{seq + 1:04d}"


def _officer_name(store: Store, staff_no: str | None) -> str | None:
    if not staff_no:
        return None
    off = store.officers()
    hit = off[off["staff_no"] == staff_no]
    if not len(hit):
        raise UsageError(f"没有工号为 {staff_no} 的人员")
    return hit["name"].iloc[0]


def create_case(store: Store, *, source: str, category: str, lon: float, lat: float,
                coords: str = "wgs84", address: str | None = None,
                description: str | None = None, reported_at: str | None = None,
                reporter: str | None = None, enterprise: str | None = None,
                photos: Sequence[str | Path] = (), by_staff_no: str | None = None,
                case_no: str | None = None, system: str = "urban") -> dict[str, Any]:
    """Accept (受理) a new case at a location; one transaction.  Returns the case row.

    The location must lie in the district; its cell is found now and again at 立案.
    """
    if source not in SOURCES:
        raise UsageError(f"未知来源“{source}”；可用：{'、'.join(SOURCES)}")
    cats = store.categories()
    cat = resolve_category(cats, category)
    if cat is None:
        raise UsageError(f"未知案件类别“{category}”（应为小类编码或小类名称，如 SJ0102 或 暴露垃圾）")
    at = past_moment(reported_at, "上报时间") if reported_at else now_local()
    by_name = _officer_name(store, by_staff_no)
    pt = to_project_points(store, [lon], [lat], coords)
    outline = district_outline(store)
    if outline is not None and not shapely.covers(outline, pt[0]):
        raise UsageError(f"位置（{lon}, {lat}）不在辖区内；请检查经纬度和 --coords")
    cells, comms, streets = locate(store, pt)
    ent = None
    if enterprise:
        ent = store.find_enterprise(enterprise)
        if ent is None:
            raise UsageError(f"找不到企业“{enterprise}”（按统一社会信用代码、企业编号或企业全称）")
    files = [Path(p) for p in photos]
    for f in files:
        if not f.is_file():
            raise InputFileError(f"照片文件不存在：{f}")
    cal = calendar(store)
    with store.atomic():
        no = case_no or next_case_no(store, at)
        if store.existing_case_nos([no]):
            raise UsageError(f"案件编号 {no} 已存在")
        due = stage_due(cal, cat, "verify", at)
        rec = {"case_no": no, "source": source, "category_code": cat["code"],
               "description": description, "address": address,
               "enterprise_uuid": ent["uuid"] if ent else None, "reported_at": at,
               "reporter": reporter, "status": "受理", "system": system,
               "cell_code": cells[0], "community_code": comms[0], "street_code": streets[0],
               "due_at": due}
        store.insert_cases([rec], pt)
        row = store.case_row(no)
        store.insert_transitions([{"case_uuid": row["uuid"], "seq": 1, "action": "受理",
                                   "from_status": None, "to_status": "受理",
                                   "by_staff_no": by_staff_no, "by_name": by_name, "at": at,
                                   "note": description, "due_at": due}])
        for f in files:
            mime = mimetypes.guess_type(f.name)[0] or "application/octet-stream"
            store.add_photo(row["uuid"], f.name, mime, f.read_bytes(), at)
        store.audit("case new", {"case_no": no, "source": source, "category": cat["code"]})
    return store.case_row(no)


# --------------------------------------------------------------------------- transitions

def transition(store: Store, case_no: str, action: str, *, by: str | None, at: str | None = None,
               note: str | None = None, due: str | None = None, approver: str | None = None,
               handler: str | None = None) -> dict[str, Any]:
    """Apply one workflow action to a case and record it; one transaction.

    ``handler`` (派遣 only) overrides the responsible found by location and reported day;
    ``due`` is the new deadline of 延期; ``approver`` its approver's staff number.  The status
    is read inside the write transaction: of two processes moving one case at once, the second
    sees the first's step (and is refused if its action no longer applies).
    """
    with store.atomic():
        return _transition(store, case_no, action, by=by, at=at, note=note, due=due,
                           approver=approver, handler=handler)


def _last_step(history: Any) -> str:
    """Who moved the case last, so a desk refused because another got there first knows who."""
    if not len(history):
        return ""
    last = history.iloc[-1]
    who = " ".join(str(v) for v in (last.get("by_name"), last.get("by_staff_no")) if v)
    return f"（案件最近一步：{last['action']}，{who or '未署名'}，{last['at']}）"


def _transition(store: Store, case_no: str, action: str, *, by: str | None, at: str | None,
                note: str | None, due: str | None, approver: str | None,
                handler: str | None) -> dict[str, Any]:
    case = store.case_row(case_no)
    if case is None:
        raise UsageError(f"找不到案件 {case_no}")
    when = past_moment(at, "--at") if at else now_local()
    new_due = moment(due, "--due") if due else None
    history = store.transitions_frame(case_uuid=case["uuid"])
    action = workflow.resolve_action(case["status"], action)
    if action in workflow.RULES and action not in workflow.allowed_actions(case["status"]):
        try:  # not from this status: perhaps another desk just moved the case — say who
            workflow.check(case["status"], action)
        except UsageError as exc:
            raise UsageError(f"{exc}{_last_step(history)}") from exc
    to_status = workflow.check(case["status"], action, note=note, approver=approver,
                               new_due=new_due)
    by_name = _officer_name(store, by)
    if approver:
        _officer_name(store, approver)
    if len(history) and when < history["at"].iloc[-1]:
        raise UsageError(f"时间 {when} 早于案件上一步（{history['action'].iloc[-1]} "
                         f"{history['at'].iloc[-1]}）；步骤不能倒序记录")
    if when < case["reported_at"]:
        raise UsageError(f"时间 {when} 早于案件上报时间 {case['reported_at']}")
    cat = store.categories().get(case["category_code"] or "")
    cal = calendar(store)
    fields: dict[str, Any] = {"status": to_status}
    if action == "核实":
        pass
    elif action == "立案":
        pts = np.array([shapely.points(case["x"], case["y"])], dtype=object)
        cells, comms, streets = locate(store, pts)
        fields.update(cell_code=cells[0], community_code=comms[0], street_code=streets[0],
                      registered_at=when, due_at=stage_due(cal, cat, "dispatch", when))
    elif action == "派遣":
        staff = handler
        if staff:
            _officer_name(store, staff)
        else:
            staff, _ = Dispatcher(store, case["system"] or "urban").primary(
                case["cell_code"], case["community_code"], case["street_code"],
                case["reported_at"], role=(cat or {}).get("dispatch_role"))
            if staff is None:
                raise UsageError(f"案件 {case_no} 所在网格 {case['cell_code'] or '（无）'} 在 "
                                 f"{case['reported_at'][:10]} 没有责任人（上级区域也没有）；"
                                 "请先指定责任人，或用 --to 工号 派遣")
        dispose = stage_due(cal, cat, "dispose", when)
        fields.update(handler_staff_no=staff, dispatched_at=when, dispose_due_at=dispose,
                      due_at=dispose)
    elif action == "处置":
        fields["due_at"] = case["dispose_due_at"]
    elif action == "反馈":
        fields["due_at"] = stage_due(cal, cat, "check", when)
    elif action == "核查通过":
        fields["due_at"] = None
    elif action == "结案":
        fields.update(closed_at=when, due_at=None)
    elif action == "作废":
        fields["due_at"] = None
    elif action == "回退":
        fields.update(handler_staff_no=None, dispose_due_at=None,
                      due_at=stage_due(cal, cat, "dispatch", when))
    elif action == "延期":
        current = case["dispose_due_at"]
        if current and new_due <= current:
            raise UsageError(f"延期后的截止时间 {new_due} 应晚于现在的 {current}")
        if new_due <= when:
            raise UsageError(f"延期后的截止时间 {new_due} 应晚于操作时间 {when}")
        fields.update(dispose_due_at=new_due, due_at=new_due,
                      extension_count=int(case["extension_count"]) + 1)
    elif action == "返工":
        fields.update(due_at=case["dispose_due_at"], rework_count=int(case["rework_count"]) + 1)
    elif action == "挂账":
        fields["due_at"] = None
    elif action == "督办":
        fields["supervised"] = 1
    after_due = fields.get("due_at", case["due_at"])
    step_note = note
    if action == "延期":
        step_note = notes.APPROVED.format(note=note, approver=approver)
    elif action == "派遣" and not note:
        step_note = notes.DISPATCHED.format(staff=fields["handler_staff_no"])
    with store.atomic():
        store.update_case(case["uuid"], fields)
        store.insert_transitions([{"case_uuid": case["uuid"], "seq": store.last_seq(case["uuid"])
                                   + 1, "action": action, "from_status": case["status"],
                                   "to_status": to_status, "by_staff_no": by, "by_name": by_name,
                                   "at": when, "note": step_note, "due_at": after_due}])
        store.audit("case transition", {"case_no": case_no, "action": action, "by": by,
                                        "at": when})
    return store.case_row(case_no)


def timeline(store: Store, case_no: str) -> dict[str, Any]:
    """A case, its steps in order, its photos (names only) and — first thing a handler reads —
    the reason of its latest 返工, if any."""
    case = store.case_row(case_no)
    if case is None:
        raise UsageError(f"找不到案件 {case_no}")
    steps = store.transitions_frame(case_uuid=case["uuid"]).to_dict("records")
    rework = [s for s in steps if s["action"] == "返工"]
    cats = store.categories()
    cat = cats.get(case["category_code"] or "")
    ent = store.enterprise_names([case["enterprise_uuid"]]).get(case["enterprise_uuid"] or "")
    return {"case": case, "steps": steps,
            "rework_reason": rework[-1]["note"] if rework else None,
            "category": cat, "enterprise": ent,
            "photos": [{k: p[k] for k in ("name", "mime", "taken_at")} | {"bytes": len(p["data"])}
                       for p in store.photos(case["uuid"])],
            "allowed": workflow.allowed_actions(case["status"])}


# --------------------------------------------------------------------------- overdue

def state_as_of(store: Store, as_of: str, **filters: Any) -> pd.DataFrame:
    """Each case reported by ``as_of`` with its status and deadline at that moment, and
    ``overdue`` (open, with a deadline, and as_of > deadline).  Columns: the schema's cases
    columns, with ``status``/``due_at`` as they were at ``as_of``, plus ``overdue``."""
    as_of = moment(as_of, "--as-of")
    cases = store.cases_frame(**filters)
    cases = cases[cases["reported_at"] <= as_of].copy()
    if not len(cases):
        cases["overdue"] = pd.Series(dtype=bool)
        return cases
    latest = store.last_transition_at()
    if latest is not None and latest > as_of:  # replay the history up to as_of
        until = iso(parse_moment(as_of) + timedelta(seconds=1))
        steps = store.transitions_frame(at_to=until, case_uuid=list(cases["uuid"])
                                        if filters else None)
        last = steps.groupby("case_uuid").tail(1).set_index("case_uuid")
        cases["status"] = [last["to_status"].get(u, s) for u, s in
                           zip(cases["uuid"], cases["status"])]
        cases["due_at"] = [last["due_at"].get(u) if u in last.index else d
                           for u, d in zip(cases["uuid"], cases["due_at"])]
    due = cases["due_at"]
    cases["overdue"] = (cases["status"].isin(workflow.OPEN_STATUSES) & due.notna()
                        & (due.fillna("9999") < as_of))
    return cases


def list_cases(store: Store, *, status: str | None = None, overdue_only: bool = False,
               as_of: str | None = None) -> pd.DataFrame:
    """Cases as of a moment (default now) with ``overdue``; filtered by status / overdue."""
    _known_status(status)
    df = state_as_of(store, as_of or now_local())
    if status is not None:
        df = df[df["status"] == status]
    if overdue_only:
        df = df[df["overdue"]]
    return df


def list_case_rows(store: Store, columns: Sequence[str], *, status: str | None = None,
                   overdue_only: bool = False, as_of: str | None = None,
                   labels: dict[str, str] | None = None, batch: int = 20_000
                   ) -> Iterator[list[tuple[Any, ...]]]:
    """:func:`list_cases`' rows and order as batches of ``columns`` tuples read straight from
    storage — a city's million cases listed without a DataFrame of every column (the history
    is replayed in SQL when ``as_of`` is before the last step); ``labels`` as
    ``Store.case_list_rows``.  Arguments are checked here, before any row is read."""
    _known_status(status)
    as_of = moment(as_of or now_local(), "--as-of")
    latest = store.last_transition_at()
    until = (iso(parse_moment(as_of) + timedelta(seconds=1))
             if latest is not None and latest > as_of else None)
    return store.case_list_rows(columns, as_of, replay_until=until, status=status,
                                overdue_only=overdue_only, labels=labels, batch=batch)


def _known_status(status: str | None) -> None:
    if status is not None and status not in workflow.STATUSES:
        raise UsageError(f"未知状态“{status}”；可用：{'、'.join(workflow.STATUSES)}")


# what the map shows of the cases: by default the unresolved ones — years of closed cases
# would cover the urban core; the rest are behind the map's status and period filter
MAP_SHOWS: dict[str, tuple[str, ...]] = {
    "open": UNRESOLVED, "overdue": UNRESOLVED, "closed": ("结案",), "void": ("作废",),
    "all": ()}
MAP_PERIODS: dict[str, int | None] = {"all": None, "30d": 30, "90d": 90, "year": 0}


def map_cases(store: Store, *, show: str = "open", period: str = "all",
              now: str | None = None) -> pd.DataFrame:
    """The cases the map draws (``Store.case_markers`` columns): ``show`` = open (受理 … 核查
    and 挂账, the default), overdue (of those, past their deadline now), closed, void or all;
    ``period`` = all, 30d / 90d (reported in the last 30 / 90 days) or year (this calendar
    year)."""
    if show not in MAP_SHOWS:
        raise UsageError(f"未知的案件显示范围 {show!r}；可用：{'、'.join(MAP_SHOWS)}")
    if period not in MAP_PERIODS:
        raise UsageError(f"未知的时间范围 {period!r}；可用：{'、'.join(MAP_PERIODS)}")
    now = now or now_local()
    df = store.case_markers(now, MAP_SHOWS[show])
    if show == "overdue":
        df = df[df["overdue"]]
    days = MAP_PERIODS[period]
    if days is not None:
        start = f"{now[:4]}-01-01T00:00:00" if days == 0 else iso(
            parse_moment(now) - timedelta(days=days))
        recent = store.cases_frame(status=list(MAP_SHOWS[show]) or None, reported_from=start)
        df = df[df["case_no"].isin(set(recent["case_no"]))]
    return df.reset_index(drop=True)


STEP_ALIASES = {"case_no": ["案件编号", "case_no"], "action": ["操作", "action"],
                "at": ["时间", "at"], "by": ["操作人", "工号", "by"], "note": ["说明", "note"],
                "due": ["新截止时间", "due"], "approver": ["批准人", "approver"],
                "to": ["派遣给", "to"]}


def apply_steps_file(store: Store, path: str | Path) -> int:
    """Apply the workflow steps listed in a table (案件编号, 操作, 时间, 操作人, 说明, 新截止时间,
    批准人, 派遣给) in file order, each through :func:`transition`; returns how many.  Used to
    replay steps recorded elsewhere (and by the demo)."""
    from ..files.columns import match_headers
    from ..files.tables import as_text, read_table

    table = read_table(path, header_aliases=STEP_ALIASES)
    fields = match_headers(table.headers, STEP_ALIASES)
    idx = {f: table.headers.index(h) for f, h in fields.items()}
    n = 0
    for r, row in zip(table.rows, table.row_numbers):
        def get(f: str, r: list[Any] = r) -> str | None:
            i = idx.get(f)
            return as_text(r[i]) if i is not None and i < len(r) else None

        try:
            transition(store, get("case_no") or "", get("action") or "", by=get("by"),
                       at=get("at"), note=get("note"), due=get("due"),
                       approver=get("approver"), handler=get("to"))
        except UsageError as exc:
            raise InputFileError(f"{Path(path).name} 第 {row} 行：{exc}") from exc
        n += 1
    return n


# --------------------------------------------------------------------------- export

EXPORT_HEADERS_ZH = {
    "case_no": "案件编号", "status": "状态", "source": "来源", "category_code": "小类编码",
    "category_name": "小类", "major_name": "大类", "description": "问题描述",
    "enterprise_name": "涉及企业", "reported_at": "上报时间", "registered_at": "立案时间",
    "dispatched_at": "派遣时间", "dispose_due_at": "处置截止", "due_at": "本阶段截止",
    "closed_at": "结案时间", "handler_staff_no": "处置人工号", "handler_name": "处置人",
    "supervised": "挂牌督办", "rework_count": "返工次数", "extension_count": "延期次数",
    "overdue": "超期", "ext_no": "外部编号", "ext_status": "外部状态",
}
EXPORT_SHP_NAMES = {
    "category_code": "cat_code", "category_name": "cat_name", "major_name": "major",
    "description": "descr", "enterprise_name": "ent_name", "reported_at": "reported",
    "registered_at": "registered", "dispatched_at": "dispatched", "dispose_due_at": "disp_due",
    "handler_staff_no": "handler", "handler_name": "hand_name", "supervised": "supervised",
    "rework_count": "reworks", "extension_count": "extensions", "ext_status": "ext_status",
}


def export_frame(store: Store, as_of: str | None = None) -> Any:
    """Cases as a point layer for ``export PROJECT cases``: the case, its category and
    enterprise by name, its handler, and whether it is overdue as of ``as_of`` (a day means its
    end; default now)."""
    import geopandas as gpd

    when = now_local() if not as_of else (moment(as_of, "--as-of") if "T" in as_of
                                          else f"{as_of}T23:59:59")
    gdf = store.cases_gdf()
    state = state_as_of(store, when).set_index("uuid")
    cats = store.categories()
    names = store.enterprise_names(gdf["enterprise_uuid"])
    officers = store.officers().set_index("staff_no")["name"].to_dict()
    out = gdf[["case_no", "status", "source", "category_code", "description", "address",
               "reported_at", "registered_at", "dispatched_at", "dispose_due_at", "due_at",
               "closed_at", "cell_code", "community_code", "street_code", "handler_staff_no",
               "supervised", "rework_count", "extension_count", "ext_no", "ext_status",
               "uuid"]].copy()
    out.insert(4, "category_name", [cats.get(c or "", {}).get("name") for c in
                                    gdf["category_code"]])
    out.insert(5, "major_name", [cats.get(c or "", {}).get("major_name") for c in
                                 gdf["category_code"]])
    out.insert(8, "enterprise_name", [names.get(u or "", {}).get("name") for u in
                                      gdf["enterprise_uuid"]])
    out.insert(out.columns.get_loc("handler_staff_no") + 1, "handler_name",
               [officers.get(s) for s in gdf["handler_staff_no"]])
    out["overdue"] = [int(bool(state["overdue"].get(u, False))) for u in gdf["uuid"]]
    return gpd.GeoDataFrame(out, geometry=gdf.geometry, crs=store.crs)
