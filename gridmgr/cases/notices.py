"""整改通知书 (rectification notices) and their 三色单 colour: what a notice says and records.

**三色单 (escalation).**  A notice's colour counts the cases of the same 大类 at the same place —
the same enterprise when the case names one, else the same unit cell — reported in the 90 days
up to and including this case's report (voided cases not counted): 1 → 蓝 (blue), 2 → 黄
(yellow), 3 or more → 红 (red).  Drawing the PDF is the renderer's (``maps.notice``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..storage import Store
from .lifecycle import calendar, moment, now_local, stage_due
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


def issue_notice(store: Store, case_no: str, *, issued_at: str | None = None,
                 render: Callable[[dict[str, Any]], Any] | None = None) -> dict[str, Any]:
    """Record the 整改通知书 for a case (once: asking again returns the same notice) with its
    三色单 colour and deadline; returns everything the printed notice shows.  ``render`` is
    called with that inside the transaction: if drawing fails, no notice is recorded."""
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
    data = {"case": case, "category": cat, "enterprise": ent, "escalation": esc,
            "handler": handler, "district": store.meta().get("name")}
    found = store.notices_frame(case_uuid=case["uuid"])
    if len(found):
        data["notice"] = found.iloc[0].to_dict()
        data["escalation"]["colour"] = data["notice"]["colour"]
        if render is not None:
            render(data)
        return data
    if store.readonly:
        raise UsageError("出具整改通知书需要以可写方式打开项目")
    when = moment(issued_at, "签发时间") if issued_at else now_local()
    deadline = case["dispose_due_at"] or stage_due(calendar(store), cat, "dispose", when)
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
                     issued_at: str | None = None) -> dict[str, Any]:
    """Issue (or re-print) the notice and draw it as a PDF through the renderer (maps/)."""
    from ..renderers import renderer

    draw = renderer().rectification_notice
    return issue_notice(store, case_no, issued_at=issued_at,
                        render=lambda data: draw(str(out), data))
