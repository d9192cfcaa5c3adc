"""Who is responsible for which area, from when to when — and who answers for a cell on a day.

Responsibility can sit at any level (a cell, a community, a street).  A cell with no person of
its own in a slot falls back to its community's, then its street's (属地兜底).  A cell has one
primary (网格员/执法队员) and one supervisor (区级监管责任人) at a time; assigning a new one
closes the old row on the day the new one starts, so history stays answerable (问责).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..errors import UsageError
from ..files.tables import as_text, read_table
from ..findings import WARNING, Finding, Report
from ..levels import LEVEL_TABLES, LEVELS
from ..storage import Store, today
from ..text import iso_date
from . import creditcode
from .enterprises import KEY_CLASSES, SUPERVISION_CLASSES
from .officers import ROLES, normalise_role

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
        cells = list(dict.fromkeys(cells))  # a code given twice is one cell
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
    from ..files.columns import ASSIGNMENT_ALIASES, match_headers

    table = read_table(path, header_aliases=ASSIGNMENT_ALIASES)
    fields = match_headers(table.headers, ASSIGNMENT_ALIASES)
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


def unit_level(store: Store, system: str = "urban", as_of: str | None = None) -> str:
    """The smallest level the grid system has: cells for the urban grid; an environmental
    grid stops at villages/communities (or streets)."""
    for level in ("cell", "community", "street"):
        if len(store.areas(level, system=system, as_of=as_of)):
            return level
    return "cell"


def effective(store: Store, *, as_of: str | None = None, system: str = "urban") -> pd.DataFrame:
    """One row per unit of the grid (its cells, or the villages of a grid that stops there):
    its primary and supervisor on ``as_of`` (default today), the level each came from (the unit
    itself or a fallback: community, street, district), and the collectors.

    The ``cell_*`` columns name the unit whatever its level; ``level`` says which it is.
    """
    day = iso_date(as_of) if as_of else today()
    level = unit_level(store, system, day)
    units = store.areas(level, system=system, as_of=day)
    frames = {lvl: store.areas(lvl, system=system, as_of=day)
              for lvl in ("community", "street") if lvl != level}
    parent_of = {c: p for f in frames.values() for c, p in zip(f["code"], f["parent_code"])}
    names = {c: n for f in frames.values() for c, n in zip(f["code"], f["name"])}
    rows = store.responsibilities(as_of=day, system=system)
    officers = store.officers().set_index("staff_no")
    by_area: dict[tuple[str, str], list[str]] = {}
    for code, slot, staff in zip(rows["area_code"], rows["slot"], rows["staff_no"]):
        by_area.setdefault((code, slot), []).append(staff)
    up = LEVELS[:LEVELS.index(level)][::-1]  # the levels above the unit, nearest first
    out = []
    for code, name, parent, area in zip(units["code"], units["name"], units["parent_code"],
                                        units["area_m2"]):
        chain = [(level, code)]
        above = parent
        for lvl in up:
            chain.append((lvl, above))
            above = parent_of.get(above) if above else None
        codes = dict(chain)
        rec: dict[str, Any] = {
            "cell_code": code, "cell_name": name, "level": level,
            "community_code": codes.get("community"),
            "community_name": names.get(codes.get("community")),
            "street_code": codes.get("street"), "street_name": names.get(codes.get("street")),
            "area_m2": area}
        for slot in SLOTS:
            staff, source = None, None
            for lvl, c in chain:
                if c and (c, slot) in by_area:
                    staff, source = by_area[(c, slot)][0], lvl
                    break
            person = officers.loc[staff] if staff in officers.index else None
            rec[f"{slot}_staff_no"] = staff
            rec[f"{slot}_name"] = None if person is None else person["name"]
            rec[f"{slot}_mobile"] = None if person is None else person["mobile"]
            rec[f"{slot}_from"] = source
        # collectors fall back like the other slots: the unit's own, else its parent's …
        rec["collectors"] = "、".join(next((by_area[(c, "collector")] for _, c in chain
                                           if c and (c, "collector") in by_area), []))
        out.append(rec)
    columns = ["cell_code", "cell_name", "level", "community_code", "community_name",
               "street_code", "street_name", "area_m2"] + [f"{slot}_{k}" for slot in SLOTS
                                            for k in ("staff_no", "name", "mobile", "from")]
    return pd.DataFrame(out, columns=[*columns, "collectors"], dtype=object)


def check(store: Store, *, system: str = "urban") -> Report:
    """Gaps in responsibility: cells with no primary or no supervisor (after fallback), officers
    responsible for nothing, key enterprises (国控/省控) in cells with no supervisor; and the
    register's credit codes that need a look (failing GB 32100, or shared by branch sites)."""
    eff = effective(store, system=system)
    report = Report(info={"cells": len(eff), "as_of": today()})
    for r in eff.to_dict("records"):  # records keep None; iterrows may turn it into NaN
        for slot in SLOTS:
            if r[f"{slot}_staff_no"] is None:
                report.add(Finding.make("cell_without_" + slot, file=LEVEL_TABLES[r["level"]],
                                        code=r["cell_code"], name=r["cell_name"] or "",
                                        level=r["level"]))
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
    for fid, code, name in zip(ents["fid"], ents["credit_code"], ents["name"]):
        problem = creditcode.problem(code) if code else None
        if problem:  # imported as the bureau has it: flagged until corrected
            report.add(Finding.make("enterprise_bad_credit_code", severity=WARNING,
                                    file="enterprises", row=int(fid), code=code, name=name,
                                    detail=problem))
    sites: dict[str, list[tuple[int, str]]] = {}
    for fid, code, name in zip(ents["fid"], ents["credit_code"], ents["name"]):
        if code:
            sites.setdefault(code, []).append((int(fid), name))
    for code, listed in sites.items():
        if len(listed) > 1:  # branch sites: kept, listed until the bureau says otherwise
            report.add(Finding.make("enterprise_shared_credit_code", severity=WARNING,
                                    file="enterprises", row=listed[0][0], code=code,
                                    count=len(listed), names="、".join(n for _, n in listed)))
    report.accepted = len(eff)
    return report


def workload(store: Store, *, system: str = "urban") -> pd.DataFrame:
    """Per officer and slot: the units they answer for today (own or by fallback), their area,
    the enterprises and key enterprises in them — to balance assignments."""
    eff = effective(store, system=system)
    ents = store.enterprises()
    key = f"{eff['level'].iloc[0]}_code" if len(eff) else "cell_code"
    per_unit = ents.groupby(key).size()
    key_unit = ents[ents["supervision_class"].isin(KEY_CLASSES)].groupby(key).size()
    area = dict(zip(eff["cell_code"], eff["area_m2"].astype(float)))
    collectors: dict[str, list[str]] = {}
    for code, names in zip(eff["cell_code"], eff["collectors"]):
        for staff in filter(None, (names or "").split("、")):
            collectors.setdefault(staff, []).append(code)
    out = []
    for _, o in store.officers().iterrows():
        row: dict[str, Any] = {"staff_no": o["staff_no"], "name": o["name"], "role": o["role"],
                               "unit": o["unit"]}
        for slot in (*SLOTS, "collector"):
            codes = (collectors.get(o["staff_no"], []) if slot == "collector"
                     else list(eff.loc[eff[f"{slot}_staff_no"] == o["staff_no"], "cell_code"]))
            row[f"{slot}_cells"] = len(codes)
            row[f"{slot}_area_km2"] = round(sum(area.get(c) or 0.0 for c in codes) / 1e6, 3)
            row[f"{slot}_enterprises"] = int(per_unit.reindex(codes).fillna(0).sum())
            row[f"{slot}_key_enterprises"] = int(key_unit.reindex(codes).fillna(0).sum())
        out.append(row)
    return pd.DataFrame(out)


def cell_details(store: Store, *, system: str = "urban") -> dict[str, dict[str, Any]]:
    """What the desktop's detail panel shows for each cell: who answers for it today (and from
    which level), and the enterprises in it, key ones first."""
    eff = effective(store, system=system)
    ents = store.enterprises()
    rank = {c: i for i, c in enumerate(SUPERVISION_CLASSES)}
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
