"""Deciding what a field package and the desk both changed (``field_conflicts``): the lines of a
conflict for the CLI and the conflicts table, and applying the side the user keeps — one
transaction per decision, both versions kept with the decision."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from ..errors import UsageError
from ..registers.cell_assignment import Hierarchy
from ..storage import Store
from . import cases as fieldpack_cases
from .export import ENTERPRISE_EDITABLE


def resolve_conflict(store: Store, conflict_id: int, keep: str, *,
                     decided_by: str | None = None) -> dict[str, Any]:
    """Decide a conflict: ``keep='desk'`` leaves the project as it is, ``keep='field'`` applies
    the field version.  Both versions stay in ``field_conflicts`` with the decision."""
    if keep not in ("desk", "field"):
        raise UsageError("--keep 只能是 desk（保留桌面版本）或 field（采用外业版本）")
    c = store.conflict(conflict_id)
    if c is None:
        raise UsageError(f"没有编号为 {conflict_id} 的冲突")
    if c["status"] == "decided":
        raise UsageError(f"冲突 {conflict_id} 已于 {c['decided_at']} 决定（保留"
                         f"{'桌面' if c['decision'] == 'desk' else '外业'}版本）")
    with store.atomic():
        if keep == "field":
            _apply_field_version(store, c)
        store.decide_conflict(conflict_id, keep, decided_by)
        store.audit("fieldpack resolve", {"conflict": conflict_id, "keep": keep,
                                          "table": c["table_name"], "uuid": c["record_uuid"]})
    return {**c, "status": "decided", "decision": keep}


def _apply_field_version(store: Store, c: dict[str, Any]) -> None:
    """Apply the field's side of a conflict and nothing else: only the fields the field changed
    (where its value differs from what was sent); every other field stays as the desk has it."""
    fv, sv = c["field_version"] or {}, c["sent_version"] or {}
    if c["table_name"] == "enterprises":
        geom = None
        cells = None
        if fv.get("x") is not None and (fv.get("x"), fv.get("y")) != (sv.get("x"), sv.get("y")):
            geom = shapely.Point(fv["x"], fv["y"])
            c_, m, s = Hierarchy.load(store).assign(np.asarray([geom], dtype=object))
            cells = (c_[0], m[0], s[0])
        fields = {k: fv.get(k) for k in ENTERPRISE_EDITABLE
                  if k in fv and fv.get(k) != sv.get(k)}
        store.set_enterprise_field_values(c["record_uuid"], fields, geom, cells)
    elif c["table_name"] == "cases":
        steps = fv.get("steps") or []
        current = fieldpack_cases.current_versions(store, [c["record_uuid"]])
        now_ver = current.get(c["record_uuid"])
        if now_ver is None:
            raise UsageError(f"案件 {c['label']} 已不在项目中，只能保留桌面版本")
        bad = fieldpack_cases.check_steps(now_ver.get("status") or "",
                                          fieldpack_cases.last_step_at(store, c["record_uuid"]),
                                          steps)
        if bad:
            raise UsageError(f"外业的案件进展不能按案件现在的状态办理：{bad[0][1]}；"
                             "请保留桌面版本（外业版本仍保存在冲突记录中），或在桌面按流程补办")
        fieldpack_cases.apply_progress(store, now_ver["case_no"], steps)


def conflict_fields(c: dict[str, Any]) -> list[tuple[str, Any, Any, Any]]:
    """The lines of a conflict, one per field: (field, sent, desk, field app's value).
    Enterprises: only the fields both sides changed (the location as x and y).  Cases: the
    steps (the desk's since export against the field's), then the case fields the desk
    changed."""
    sv, dv, fv = (c.get(k) or {} for k in ("sent_version", "desk_version", "field_version"))
    if c["table_name"] == "cases":
        out: list[tuple[str, Any, Any, Any]] = [("steps", None, dv.get("steps"), fv.get("steps"))]
        out += [(k, sv.get(k), dv.get(k), sv.get(k)) for k in fieldpack_cases.VERSION_FIELDS
                if k != "case_no" and k in dv and dv.get(k) != sv.get(k)]
        if dv.get("why"):
            out.append(("why", None, dv["why"], None))
        return out
    keys = [k for k in fv if fv.get(k) != sv.get(k) or dv.get(k) != sv.get(k)] or list(fv)
    return [(k, sv.get(k), dv.get(k), fv.get(k)) for k in keys]
