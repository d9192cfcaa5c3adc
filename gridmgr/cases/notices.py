"""整改通知书 (rectification notices) and their 三色单 colour: what a notice says and records.

**三色单 (escalation).**  A notice's colour counts the cases of the same 大类 at the same place —
the same enterprise when the case names one, else the same unit cell — reported in the 90 days
up to and including this case's report (voided cases not counted): 1 → 蓝 (blue), 2 → 黄
(yellow), 3 or more → 红 (red).  Drawing the PDF is the renderer's (``maps.notice``).

**Who and where.**  The notice is addressed to the enterprise when the case names one, else to
the unit responsible for the place: the handler's unit once the case is dispatched, else the
unit of the cell's primary officer on the report day (after fallback), else the street.  The
place is the case's address followed by cell name, community and street — a 14-digit code
alone means nothing to the person who receives it.

**Deadline.**  The case's disposal deadline (or the category's limit counted from the issue
time), or one the officer gives.  A deadline earlier than the issue time, or already past, is
refused unless ``force`` (a notice recorded afterwards from a paper copy).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..storage import Store
from . import lifecycle
from .lifecycle import calendar, moment, stage_due
from .workcalendar import iso, parse_moment

ESCALATION_DAYS = 90
COLOURS = ("蓝", "黄", "红")


def escalation(store: Store, case: dict[str, Any]) -> dict[str, Any]:
    """The 三色单 colour for a notice on ``case`` and the cases behind it (rule in the module
    docstring): same 大类, same enterprise (else same cell), reported within 90 days up to it."""
    cats = store.categories()
    cat = cats.get(case["category_code"] or "") or {}
    major = (cat.get("kind"), cat.get("major_code"))
    start = iso(parse_moment(case["reported_at"]) - timedelta(days=ESCALATION_DAYS))
    if case["enterprise_uuid"]:
        place = {"enterprise_uuid": case["enterprise_uuid"]}
        frame = store.cases_frame(reported_from=start)
        frame = frame[frame["enterprise_uuid"] == case["enterprise_uuid"]]
    else:
        place = {"place_key": case["cell_code"]}
        frame = store.cases_frame(cell_code=case["cell_code"], reported_from=start) \
            if case["cell_code"] else store.cases_frame(case_nos=[case["case_no"]])
    frame = frame[(frame["reported_at"] <= case["reported_at"]) & (frame["status"] != "作废")]
    same = [n for n, c in zip(frame["case_no"], frame["category_code"])
            if (cats.get(c or "", {}).get("kind"), cats.get(c or "", {}).get("major_code"))
            == major]
    if case["case_no"] not in same:
        same.append(case["case_no"])
    colour = COLOURS[min(len(same), 3) - 1]
    return {"colour": colour, "count": len(same), "cases": sorted(same), **place,
            "major_name": cat.get("major_name")}


def short_time(text: str | None) -> str:
    """'2026-03-02T15:20:00' → '2026-03-02 15:20': what a notice and its receipt show (the
    seconds of a deadline are noise to the reader)."""
    if not text:
        return "—"
    day, _, t = str(text).partition("T")
    return f"{day} {t[:5]}" if t else day


def place(store: Store, case: dict[str, Any],
          enterprise: dict[str, Any] | None = None) -> dict[str, Any]:
    """Where the case is, in words: address, cell name (code), community and street."""
    system = case.get("system") or "urban"
    names: dict[str, str | None] = {}
    for level in ("cell", "community", "street"):
        code = case.get(f"{level}_code")
        brief = store.area_brief(level, system, code) if code else None
        names[level] = (brief or {}).get("name") or (
            store.area_names(level, system).get(code) if code else None)
    address = case.get("address") or (enterprise or {}).get("address")
    cell = case.get("cell_code")
    cell_text = (f"{names['cell']}（单元网格 {cell}）" if names["cell"] and cell
                 else f"单元网格 {cell}" if cell else None)
    text = "，".join(filter(None, [address, cell_text, names["community"], names["street"]]))
    return {"address": address, "cell_code": cell, "cell_name": names["cell"],
            "community_name": names["community"], "street_name": names["street"],
            "text": text or "—"}


def addressee(store: Store, case: dict[str, Any], enterprise: dict[str, Any] | None,
              handler: dict[str, Any] | None, where: dict[str, Any]) -> dict[str, str]:
    """Whom the notice is addressed to (rule in the module docstring)."""
    if enterprise and enterprise.get("name"):
        return {"name": str(enterprise["name"]), "kind": "enterprise"}
    if handler and handler.get("unit"):
        return {"name": str(handler["unit"]), "kind": "handler_unit"}
    chain = [case.get(f"{lvl}_code") for lvl in ("cell", "community", "street")]
    chain = [c for c in chain if c]
    if chain:  # the nearest level with a primary officer (属地兜底)
        rows = store.responsibilities_on(case.get("system") or "urban", chain,
                                         str(case["reported_at"])[:10])
        primary = {r["area_code"]: r["staff_no"] for r in reversed(rows)
                   if r["slot"] == "primary"}
        staff = next((primary[c] for c in chain if c in primary), None)
        unit = (store.officer_by_staff_no(staff) or {}).get("unit") if staff else None
        if unit:
            return {"name": str(unit), "kind": "responsible_unit"}
    if where.get("street_name"):
        return {"name": f"{where['street_name']}办事处", "kind": "street"}
    return {"name": f"单元网格 {case.get('cell_code') or ''} 责任单位", "kind": "unknown"}


def check_deadline(deadline: str | None, issued_at: str, now: str) -> str | None:
    """Why ``deadline`` cannot go on a notice issued at ``issued_at`` (None: it can)."""
    if not deadline:
        return None
    if parse_moment(deadline) < parse_moment(now):
        return f"整改期限 {short_time(deadline)} 已过（现在 {short_time(now)}）"
    if parse_moment(deadline) <= parse_moment(issued_at):
        return (f"整改期限 {short_time(deadline)} 不晚于签发时间 {short_time(issued_at)}："
                "被通知人没有整改的时间")
    return None


def issue_notice(store: Store, case_no: str, *, issued_at: str | None = None,
                 deadline: str | None = None, force: bool = False,
                 render: Callable[[dict[str, Any]], Any] | None = None) -> dict[str, Any]:
    """Record the 整改通知书 for a case (once: asking again returns the same notice) with its
    三色单 colour and deadline; returns everything the printed notice shows.  ``render`` is
    called with that inside the transaction: if drawing fails, no notice is recorded.

    A deadline before the issue time or already past is refused (UsageError naming both)
    unless ``force``."""
    case = store.case_row(case_no)
    if case is None:
        raise UsageError(f"找不到案件 {case_no}")
    if case["status"] == "作废":
        raise UsageError(f"案件 {case_no} 已作废，不出整改通知书")
    cat = store.categories().get(case["category_code"] or "") or {}
    esc = escalation(store, case)
    ent = store.enterprise_names([case["enterprise_uuid"]]).get(case["enterprise_uuid"] or "")
    handler = None
    if case["handler_staff_no"]:
        off = store.officers()
        hit = off[off["staff_no"] == case["handler_staff_no"]]
        handler = hit.iloc[0].to_dict() if len(hit) else None
    where = place(store, case, ent)
    data = {"case": case, "category": cat, "enterprise": ent, "escalation": esc,
            "handler": handler, "district": store.meta().get("name"), "place": where,
            "addressee": addressee(store, case, ent, handler, where)}
    found = store.notices_frame(case_uuid=case["uuid"])
    if len(found):
        data["notice"] = found.iloc[0].to_dict()
        data["escalation"]["colour"] = data["notice"]["colour"]
        if render is not None:
            render(data)
        return data
    if store.readonly:
        raise UsageError("出具整改通知书需要以可写方式打开项目")
    now = lifecycle.now_local()  # looked up at call time: tests move the clock
    when = moment(issued_at, "签发时间") if issued_at else now
    if deadline:
        deadline = moment(deadline, "整改期限")
    else:
        deadline = case["dispose_due_at"] or stage_due(calendar(store), cat, "dispose", when)
    why = check_deadline(deadline, when, now)
    if why and not force:
        raise UsageError(f"案件 {case_no}：{why}；请用 --deadline 给出新的期限，"
                         "或确认无误后加 --force")
    prefix = f"ZG{when[:4]}"
    with store.atomic():
        taken = store.notice_numbers(prefix)
        seq = max((int(n[len(prefix):]) for n in taken if n[len(prefix):].isdigit()), default=0)
        data["notice"] = {"notice_no": f"{prefix}{seq + 1:05d}", "case_uuid": case["uuid"],
                          "enterprise_uuid": case["enterprise_uuid"],
                          "place_key": None if case["enterprise_uuid"] else case["cell_code"],
                          "colour": esc["colour"], "issued_at": when, "deadline": deadline}
        store.insert_notice(data["notice"])
        store.audit("notice", {"case_no": case_no, "notice_no": data["notice"]["notice_no"],
                               "colour": esc["colour"]})
        if render is not None:
            render(data)
    return data


def write_notice_pdf(store: Store, case_no: str, out: str | Path, *,
                     issued_at: str | None = None, deadline: str | None = None,
                     force: bool = False) -> dict[str, Any]:
    """Issue (or re-print) the notice and draw it as a PDF through the renderer (maps/)."""
    from ..renderers import renderer

    draw = renderer().rectification_notice
    return issue_notice(store, case_no, issued_at=issued_at, deadline=deadline, force=force,
                        render=lambda data: draw(str(out), data))
