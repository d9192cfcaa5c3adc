"""Who is responsible for which area, from when to when — and who answers for a cell on a day.

Responsibility can sit at any level (a cell, a community, a street).  A cell with no person of
its own in a slot falls back to its community's, then its street's (属地兜底).  A cell has one
primary (网格员/执法队员) and one supervisor (区级监管责任人) at a time; assigning a new one
closes the old row on the day the new one starts, so history stays answerable (问责).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .enterprises import KEY_CLASSES
from .errors import UsageError
from .findings import WARNING, Finding, Report
from .levels import LEVELS
from .officers import ROLES, normalise_role
from .storage import Store, today
from .tables import as_text, read_table
from .text import iso_date

SLOTS = ("primary", "supervisor")
SLOT_ZH = {"primary": "责任人", "supervisor": "区级监管责任人", "collector": "信息采集员"}
FROM_ZH = {"cell": "本网格", "community": "社区兜底", "street": "街道兜底", "district": "区兜底"}


def _area_level(store: Store, code: str, system: str) -> str:
    for level in reversed(LEVELS):
        if code in store.existing_codes(level, system):
            return level
    raise UsageError(f"找不到区域 {code}（{system} 体系的当前区域）")


def assign(store: Store, *, staff_no: str, role: str, cells: Sequence[str] = (),
           area: str | None = None, from_date: str | None = None, system: str = "urban",
           note: str | None = None) -> dict[str, Any]:
    """Make ``staff_no`` responsible in ``role`` for ``cells`` or for ``area``, from a day.

    One transaction; returns what changed (``opened``, ``closed``, ``unchanged``).
    """
    with store.atomic():
        return _assign(store, staff_no=staff_no, role=role, cells=cells, area=area,
                       from_date=from_date, system=system, note=note)


def _assign(store: Store, *, staff_no: str, role: str, cells: Sequence[str], area: str | None,
            from_date: str | None, system: str, note: str | None) -> dict[str, Any]:
    role = normalise_role(role) or ""
    if role not in ROLES:
        raise UsageError(f"未知角色 {role!r}；可用：{'、'.join(ROLES)}")
    slot = ROLES[role]
    store.check_system(system)
    day = iso_date(from_date) if from_date else today()
    officers = store.officers()
    if staff_no not in set(officers["staff_no"]):
        raise UsageError(f"没有工号为 {staff_no} 的人员；请先导入人员名单（officers import）")
    if bool(cells) == bool(area):
        raise UsageError("请给出 --cells 或 --area 之一")
    if cells:
        known = store.existing_codes("cell", system)
        missing = [c for c in cells if c not in known]
        if missing:
            raise UsageError(f"找不到单元网格：{', '.join(missing[:10])}")
        targets = [("cell", c) for c in cells]
    else:
        targets = [(_area_level(store, area, system), area)]
    current = store.responsibilities(system=system, current_only=True)
    history = store.responsibilities(system=system, staff_no=staff_no)
    opened, closed, unchanged = [], [], []
    close_ids = []
    for level, code in targets:
        here = current[(current["area_code"] == code) & (current["slot"] == slot)]
        recorded = ((history["area_code"] == code) & (history["role"] == role)
                    & (history["valid_from"] == day))
        if (here["staff_no"] == staff_no).any() or recorded.any():
            # already responsible, or history already holds exactly this period's start
            # (re-applying an assignments file must not refuse what it once recorded)
            unchanged.append(code)
            continue
        if slot in SLOTS and len(here):
            later = here[here["valid_from"] > day]
            if len(later):
                raise UsageError(f"{code} 的 {SLOT_ZH[slot]} 自 {later['valid_from'].iloc[0]} "
                                 f"起为 {later['staff_no'].iloc[0]}，不能从更早的 {day} 改派")
            close_ids += list(here["id"])
            closed += [{"area": code, "staff_no": s} for s in here["staff_no"]]
        opened.append({"staff_no": staff_no, "role": role, "slot": slot, "system": system,
                       "level": level, "area_code": code, "valid_from": day, "note": note})
    store.close_responsibilities(close_ids, day)
    store.insert_responsibilities(opened)
    store.audit("assign", {"staff_no": staff_no, "role": role, "areas": [o["area_code"]
                                                                          for o in opened],
                           "from": day, "closed": closed})
    return {"opened": len(opened), "closed": closed, "unchanged": unchanged, "from": day}


def assign_from_file(store: Store, path: str, *, system: str = "urban") -> Report:
    """Bulk assignments from a table with 工号, 角色, 区域编码 and 起始日期, in one transaction,
    applied in date order so that a later row can replace an earlier one."""
    from .columns import match_headers

    table = read_table(path)
    fields = match_headers(table.headers, {
        "staff_no": ["工号", "staff_no"], "role": ["角色", "role"],
        "area": ["区域编码", "网格编码", "编码", "area", "area_code"],
        "from": ["起始日期", "开始日期", "生效日期", "from", "valid_from"]})
    missing = [f for f in ("staff_no", "role", "area") if f not in fields]
    if missing:
        raise UsageError(f"{path}：缺少列 {', '.join(missing)}；文件的列：{', '.join(table.headers)}")
    idx = {f: table.headers.index(h) for f, h in fields.items()}
    def get(r: list[Any], f: str) -> str | None:
        i = idx.get(f)
        return as_text(r[i]) if i is not None and i < len(r) else None

    rows = [(get(r, "from") or today(), n, get(r, "staff_no"), get(r, "role"), get(r, "area"))
            for r, n in zip(table.rows, table.row_numbers)]
    report = Report(info={"file": path})
    with store.atomic():
        for day, n, staff, role, area in sorted(rows, key=lambda t: (str(t[0]), t[1])):
            try:
                _assign(store, staff_no=staff or "", role=role or "", cells=(), area=area,
                        from_date=str(day)[:10], system=system, note=f"{path}#{n}")
            except UsageError as exc:
                report.add(Finding.make("assignment_refused", file=path, row=n, detail=str(exc)))
                continue
            report.accepted += 1
    return report


def effective(store: Store, *, as_of: str | None = None, system: str = "urban") -> pd.DataFrame:
    """One row per current cell: its primary and supervisor on ``as_of`` (default today), where
    each came from (the cell itself or a fallback level), and the collectors."""
    day = iso_date(as_of) if as_of else today()
    cells = store.areas("cell", system=system, as_of=day)
    comms = store.areas("community", system=system, as_of=day)
    streets = store.areas("street", system=system, as_of=day)
    comm_parent = dict(zip(comms["code"], comms["parent_code"]))
    names = {**dict(zip(streets["code"], streets["name"])),
             **dict(zip(comms["code"], comms["name"]))}
    rows = store.responsibilities(as_of=day, system=system)
    officers = store.officers().set_index("staff_no")
    by_area: dict[tuple[str, str], list[str]] = {}
    for code, slot, staff in zip(rows["area_code"], rows["slot"], rows["staff_no"]):
        by_area.setdefault((code, slot), []).append(staff)
    out = []
    for code, name, parent, area in zip(cells["code"], cells["name"], cells["parent_code"],
                                        cells["area_m2"]):
        street = comm_parent.get(parent)
        chain = [("cell", code), ("community", parent), ("street", street)]
        rec: dict[str, Any] = {"cell_code": code, "cell_name": name, "community_code": parent,
                               "community_name": names.get(parent), "street_code": street,
                               "street_name": names.get(street), "area_m2": area}
        for slot in SLOTS:
            staff, source = None, None
            for level, c in chain:
                if c and (c, slot) in by_area:
                    staff, source = by_area[(c, slot)][0], level
                    break
            person = officers.loc[staff] if staff in officers.index else None
            rec[f"{slot}_staff_no"] = staff
            rec[f"{slot}_name"] = None if person is None else person["name"]
            rec[f"{slot}_mobile"] = None if person is None else person["mobile"]
            rec[f"{slot}_from"] = source
        # collectors fall back like the other slots: the cell's own, else its community's …
        rec["collectors"] = "、".join(next((by_area[(c, "collector")] for _, c in chain
                                           if c and (c, "collector") in by_area), []))
        out.append(rec)
    columns = ["cell_code", "cell_name", "community_code", "community_name", "street_code",
               "street_name", "area_m2"] + [f"{slot}_{k}" for slot in SLOTS
                                            for k in ("staff_no", "name", "mobile", "from")]
    return pd.DataFrame(out, columns=[*columns, "collectors"], dtype=object)


def check(store: Store, *, system: str = "urban") -> Report:
    """Gaps in responsibility: cells with no primary or no supervisor (after fallback), officers
    responsible for nothing, key enterprises (国控/省控) in cells with no supervisor."""
    eff = effective(store, system=system)
    report = Report(info={"cells": len(eff), "as_of": today()})
    for _, r in eff.iterrows():
        for slot in SLOTS:
            if r[f"{slot}_staff_no"] is None:
                report.add(Finding.make("cell_without_" + slot, file="cells", code=r["cell_code"],
                                        name=r["cell_name"] or ""))
    current = store.responsibilities(as_of=today(), system=system)
    busy = set(current["staff_no"])
    for _, o in store.officers().iterrows():
        if o["staff_no"] not in busy:
            report.add(Finding.make("officer_without_area", severity=WARNING, file="officers",
                                    code=o["staff_no"], name=o["name"]))
    no_supervisor = set(eff.loc[eff["supervisor_staff_no"].isna(), "cell_code"])
    ents = store.enterprises()
    for _, e in ents[ents["supervision_class"].isin(KEY_CLASSES)].iterrows():
        if e["cell_code"] in no_supervisor:
            report.add(Finding.make("key_enterprise_without_supervisor", file="enterprises",
                                    code=e["credit_code"], name=e["name"],
                                    klass=e["supervision_class"], cell=e["cell_code"]))
    report.accepted = len(eff)
    return report


def workload(store: Store, *, system: str = "urban") -> pd.DataFrame:
    """Per officer: the cells they answer for today (own or by fallback), their area, the
    enterprises and key enterprises in them — to balance assignments."""
    eff = effective(store, system=system)
    ents = store.enterprises()
    per_cell = ents.groupby("cell_code").size()
    key_cell = ents[ents["supervision_class"].isin(KEY_CLASSES)].groupby("cell_code").size()
    out = []
    for _, o in store.officers().iterrows():
        row: dict[str, Any] = {"staff_no": o["staff_no"], "name": o["name"], "role": o["role"],
                               "unit": o["unit"]}
        for slot in SLOTS:
            mine = eff[eff[f"{slot}_staff_no"] == o["staff_no"]]
            codes = list(mine["cell_code"])
            row[f"{slot}_cells"] = len(codes)
            if slot == "primary":
                row["area_km2"] = round(float(np.nansum(mine["area_m2"].astype(float))) / 1e6, 3)
                row["enterprises"] = int(per_cell.reindex(codes).fillna(0).sum())
                row["key_enterprises"] = int(key_cell.reindex(codes).fillna(0).sum())
        out.append(row)
    return pd.DataFrame(out)


def cell_details(store: Store, *, system: str = "urban") -> dict[str, dict[str, Any]]:
    """What the desktop's detail panel shows for each cell: who answers for it today (and from
    which level), and the enterprises in it, key ones first."""
    eff = effective(store, system=system)
    ents = store.enterprises()
    rank = {c: i for i, c in enumerate(("国控", "省控", "市控", "一般"))}
    ents = ents.assign(_rank=[rank.get(c, 9) for c in ents["supervision_class"]])
    by_cell: dict[str, list[dict[str, Any]]] = {}
    for _, e in ents.sort_values(["_rank", "name"]).iterrows():
        by_cell.setdefault(e["cell_code"], []).append(
            {"name": e["name"], "class": e["supervision_class"], "credit_code": e["credit_code"]})
    out = {}
    for _, r in eff.iterrows():
        listed = by_cell.get(r["cell_code"], [])
        out[r["cell_code"]] = {
            **{k: r[k] for k in eff.columns},
            "enterprises": listed,
            "key_enterprises": sum(1 for e in listed if e["class"] in KEY_CLASSES)}
    return out
