"""Who is responsible for which area, from when to when — and who answers for a cell on a day.

A cell has a team (网格长, 网格员, 执法队员, 协管员, 监督员 … from the project's role table,
:mod:`.teams`), and each role keeps its own history: assigning a 执法队员 never ends the 网格员's
term.  A role with one holder at a time closes the old row on the day the new one starts, so
history stays answerable (问责).  Responsibility can sit at any level (a cell, a community, a
street); a cell with no holder of its own in a role falls back to its community's, then its
street's, then the district's (属地兜底) — per role.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..errors import UsageError
from ..files.tables import as_text, read_table
from ..findings import WARNING, Finding, Report
from ..levels import LEVEL_TABLES, LEVELS
from ..statuses import FINAL_STATUSES
from ..storage import Store, today
from ..text import iso_date
from . import creditcode
from .enterprises import KEY_CLASSES, SUPERVISION_CLASSES
from .teams import normalise_role, role_map, roles

SLOTS = ("primary", "supervisor")
SLOT_ZH = {"primary": "责任人", "supervisor": "区级监管责任人", "collector": "信息采集员",
           "member": "团队成员"}
FROM_ZH = {"cell": "本网格", "community": "社区兜底", "street": "街道兜底", "district": "区兜底"}


class _DryRun(Exception):
    """Raised inside the transaction of a dry run, so that it rolls back what it did."""


def _area_level(store: Store, code: str, system: str) -> str:
    for level in reversed(LEVELS):
        if code in store.existing_codes(level, system):
            return level
    raise UsageError(f"找不到区域 {code}（{system} 体系的当前区域）")


def assign(store: Store, *, staff_no: str, role: str, cells: Sequence[str] = (),
           area: str | None = None, from_date: str | None = None, system: str = "urban",
           note: str | None = None) -> dict[str, Any]:
    """Make ``staff_no`` responsible in ``role`` for ``cells`` or for ``area``, from a day.

    One transaction; returns what changed (``opened``, ``closed``, ``unchanged``) and, when
    ``from_date`` is left out, ``earlier_cases``: the cases already reported in those areas
    before today, which go to whoever was responsible on their day, not to this person.
    """
    with store.atomic():
        return _assign(store, staff_no=staff_no, role=role, cells=cells, area=area,
                       from_date=from_date, system=system, note=note)


def earlier_cases(store: Store, system: str, targets: Sequence[tuple[str, str]], day: str
                  ) -> dict[str, Any] | None:
    """The cases reported before ``day`` in the areas ``targets`` ((level, code)): ``{total,
    open, before}``, or None when there are none."""
    if not store.has_table("cases"):
        return None
    areas: dict[str, list[str]] = {}
    for level, code in targets:
        if level == "district":  # every street of the district
            streets = store.areas("street", system=system)
            areas.setdefault("street", []).extend(streets.loc[streets["parent_code"] == code,
                                                              "code"])
        else:
            areas.setdefault(level, []).append(code)
    counts = store.case_status_counts_in(system, areas, day)
    total = sum(counts.values())
    if not total:
        return None
    still = sum(n for status, n in counts.items() if status not in FINAL_STATUSES)
    return {"total": total, "open": still, "before": day}


def backdate_hint(staff_no: str, role: str, cases: dict[str, Any]) -> str:
    """The sentence that tells the user those cases will not reach this person, and how to
    backdate the assignment."""
    return (f"这些区域在 {cases['before']} 之前已有 {cases['total']} 个案件（其中 {cases['open']} "
            f"个未结）：案件派给上报当日的责任人，不会派给 {staff_no}（{role}）。"
            f"如果 {staff_no} 实际更早就任，请用 --from YYYY-MM-DD 写明起始日期"
            f"（例如 --from {cases['before'][:4]}-01-01）")


def _assign(store: Store, *, staff_no: str, role: str, cells: Sequence[str], area: str | None,
            from_date: str | None, system: str, note: str | None) -> dict[str, Any]:
    table = role_map(store)
    role = normalise_role(role) or ""
    if role not in table:
        raise UsageError(f"未知角色 {role!r}；可用：{'、'.join(table)}"
                         "（角色表可用 gridmgr team-roles 修改）")
    slot = table[role]["slot"]
    single = not table[role]["multiple"]
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
        # history is per role: another role's holder (the 网格员 when a 执法队员 comes) stays
        here = current[(current["area_code"] == code) & (current["role"] == role)]
        recorded = ((history["area_code"] == code) & (history["role"] == role)
                    & (history["valid_from"] == day))
        if (here["staff_no"] == staff_no).any() or recorded.any():
            # already responsible, or history already holds exactly this period's start
            # (re-applying an assignments file must not refuse what it once recorded)
            unchanged.append(code)
            continue
        if single and len(here):
            later = here[here["valid_from"] > day]
            if len(later):
                raise UsageError(f"{code} 的 {role} 自 {later['valid_from'].iloc[0]} "
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
    done: dict[str, Any] = {"opened": len(opened), "closed": closed, "unchanged": unchanged,
                            "from": day}
    if from_date is None and opened:
        cases = earlier_cases(store, system, [(o["level"], o["area_code"]) for o in opened], day)
        if cases:
            done["earlier_cases"] = cases
    return done


def assign_from_file(store: Store, path: str, *, system: str = "urban",
                     dry_run: bool = False) -> Report:
    """Bulk assignments from a table with 工号, 角色, 区域编码 and 起始日期 (姓名 optional, checked
    against the staff list), in one transaction, applied in date order so that a later row can
    replace an earlier one.  ``dry_run`` does the same work and rolls it back: the report is
    exactly what the real run reports, and nothing is written.

    The report's ``info["changes"]`` lists per accepted row what it opened and whose term it
    ended; a row without 起始日期 starts today, and when the project holds cases reported before
    today in its area a warning says they will not reach this person (and how to backdate)."""
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

    rows = [(get(r, "from"), n, get(r, "staff_no"), get(r, "role"), get(r, "area"),
             get(r, "name")) for r, n in zip(table.rows, table.row_numbers)]
    report = Report(info={"file": path, "dry_run": dry_run, "columns": fields})
    changes: list[dict[str, Any]] = []
    names = dict(zip(store.officers()["staff_no"], store.officers()["name"]))
    first = today()
    try:
        with store.atomic():
            for given, n, staff, role, area, name in sorted(
                    rows, key=lambda t: (str(t[0] or first), t[1])):
                try:
                    done = _assign(store, staff_no=staff or "", role=role or "", cells=(),
                                   area=area, from_date=str(given)[:10] if given else None,
                                   system=system, note=f"{path}#{n}")
                except UsageError as exc:
                    report.add(Finding.make("assignment_refused", file=path, row=n,
                                            detail=str(exc)))
                    continue
                report.accepted += 1
                if name and staff in names and names[staff] != name:
                    report.add(Finding.make("assignment_name_differs", severity=WARNING,
                                            file=path, row=n, code=staff, value=name,
                                            name=names[staff]))
                role = normalise_role(role)
                changes.append({"row": n, "staff_no": staff, "role": role,
                                "area": area, "from": done["from"],
                                "action": "opened" if done["opened"] else "unchanged",
                                "closed": [c["staff_no"] for c in done["closed"]]})
                if "earlier_cases" in done:
                    cases = done["earlier_cases"]
                    report.add(Finding.make(
                        "earlier_cases_not_reassigned", severity=WARNING, file=path, row=n,
                        code=staff, role=role, area=area, total=cases["total"],
                        open=cases["open"], before=cases["before"]))
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    changes.sort(key=lambda c: c["row"])
    report.info.update(changes=changes,
                       opened=sum(c["action"] == "opened" for c in changes),
                       unchanged=sum(c["action"] == "unchanged" for c in changes),
                       closed=sum(len(c["closed"]) for c in changes))
    return report


def unit_level(store: Store, system: str = "urban", as_of: str | None = None) -> str:
    """The smallest level the grid system has: cells for the urban grid; an environmental
    grid stops at villages/communities (or streets)."""
    for level in ("cell", "community", "street"):
        if len(store.areas(level, system=system, as_of=as_of)):
            return level
    return "cell"


def _units(store: Store, system: str, day: str) -> tuple[str, Any]:
    """:func:`unit_level` and that level's areas, each level read once (the cells are the
    big read: a city's grid)."""
    for level in ("cell", "community", "street"):
        units = store.areas(level, system=system, as_of=day)
        if len(units):
            return level, units
    return "cell", store.areas("cell", system=system, as_of=day)


def team_text(team: Sequence[dict[str, Any]]) -> str:
    """网格员 张伟 13800000001；执法队员 王强 13800000003 — a team on one line (exports)."""
    out: list[str] = []
    for m in team:
        who = " ".join(str(v) for v in (m.get("name") or m["staff_no"], m.get("mobile")) if v)
        mark = "" if m.get("own") else "*"
        out.append(f"{m['role']} {who}{mark}")
    return "；".join(out)


def effective(store: Store, *, as_of: str | None = None, system: str = "urban") -> pd.DataFrame:
    """One row per unit of the grid (its cells, or the villages of a grid that stops there):
    its team on ``as_of`` (default today) and, for the rules older than teams, its primary
    (the first primary role in team order that anyone holds: 网格员, else 执法队员 …), its
    supervisor and collectors, each with the level they came from (the unit itself or a
    fallback: community, street, district).

    ``team`` is a list, in the role table's order, of ``{role, slot, staff_no, name, mobile,
    from, own}`` — each role found through its own 属地兜底.  The ``cell_*`` columns name the
    unit whatever its level; ``level`` says which it is.
    """
    day = iso_date(as_of) if as_of else today()
    level, units = _units(store, system, day)
    frames = {lvl: store.areas(lvl, system=system, as_of=day)
              for lvl in ("community", "street") if lvl != level}
    parent_of = {c: p for f in frames.values() for c, p in zip(f["code"], f["parent_code"])}
    names = {c: n for f in frames.values() for c, n in zip(f["code"], f["name"])}
    rows = store.responsibilities(as_of=day, system=system)
    officers = store.officers().set_index("staff_no")
    table = roles(store)
    slot_of = {r["name"]: r["slot"] for r in table}
    by_area: dict[tuple[str, str], list[str]] = {}
    for code, role, slot, staff in zip(rows["area_code"], rows["role"], rows["slot"],
                                       rows["staff_no"]):
        by_area.setdefault((code, role), []).append(staff)
        slot_of.setdefault(role, slot)  # a role the table no longer has keeps its rows' slot
    held = set(rows["role"])
    order = [r for r in slot_of if r in held]  # team order, then any role not in the table
    person: dict[str, tuple[Any, Any]] = {
        s: (n, m) for s, n, m in zip(officers.index, officers["name"], officers["mobile"])}
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
        team: list[dict[str, Any]] = []
        for role in order:
            for lvl, c in chain:  # each role has its own fallback
                staff_list = by_area.get((c, role)) if c else None
                if staff_list:
                    for staff in staff_list:
                        n, m = person.get(staff, (None, None))
                        team.append({"role": role, "slot": slot_of[role], "staff_no": staff,
                                     "name": n, "mobile": m, "from": lvl, "own": lvl == level})
                    break
        rec: dict[str, Any] = {
            "cell_code": code, "cell_name": name, "level": level,
            "community_code": codes.get("community"),
            "community_name": names.get(codes.get("community")),
            "street_code": codes.get("street"), "street_name": names.get(codes.get("street")),
            "area_m2": area}
        for slot in SLOTS:
            m = next((t for t in team if t["slot"] == slot), None)
            rec[f"{slot}_staff_no"] = None if m is None else m["staff_no"]
            rec[f"{slot}_name"] = None if m is None else m["name"]
            rec[f"{slot}_mobile"] = None if m is None else m["mobile"]
            rec[f"{slot}_from"] = None if m is None else m["from"]
            rec[f"{slot}_role"] = None if m is None else m["role"]
        rec["collectors"] = "、".join(t["staff_no"] for t in team if t["slot"] == "collector")
        rec["team"] = team
        rec["team_text"] = team_text(team)
        out.append(rec)
    columns = ["cell_code", "cell_name", "level", "community_code", "community_name",
               "street_code", "street_name", "area_m2"] + [f"{slot}_{k}" for slot in SLOTS
                                            for k in ("staff_no", "name", "mobile", "from")]
    extra = [f"{slot}_role" for slot in SLOTS]
    return pd.DataFrame(out, columns=[*columns, "collectors", *extra, "team", "team_text"],
                        dtype=object)


def check(store: Store, *, system: str = "urban") -> Report:
    """Gaps in responsibility: cells with no primary or no supervisor (after fallback), cells
    without a role the role table marks required, officers responsible for nothing, key
    enterprises (国控/省控) in cells with no supervisor; and the register's credit codes that
    need a look (failing GB 32100, or shared by branch sites).  ``info["team"]`` counts, per
    role, the cells that have someone in it (own or by fallback)."""
    eff = effective(store, system=system)
    table = roles(store)
    required = [r["name"] for r in table if r["required"]]
    covered: dict[str, int] = {r["name"]: 0 for r in table}
    report = Report(info={"cells": len(eff), "as_of": today()})
    for r in eff.to_dict("records"):  # records keep None; iterrows may turn it into NaN
        for slot in SLOTS:
            if r[f"{slot}_staff_no"] is None:
                report.add(Finding.make("cell_without_" + slot, file=LEVEL_TABLES[r["level"]],
                                        code=r["cell_code"], name=r["cell_name"] or "",
                                        level=r["level"]))
        present = {m["role"] for m in r["team"]}
        for role in present:
            covered[role] = covered.get(role, 0) + 1
        for role in required:
            if role not in present:
                report.add(Finding.make("cell_without_role", file=LEVEL_TABLES[r["level"]],
                                        code=r["cell_code"], name=r["cell_name"] or "",
                                        level=r["level"], role=role))
    report.info["team"] = covered
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


WORKLOAD_COLUMNS = ("staff_no", "name", "unit", "role", "slot", "cells", "own_cells",
                    "area_km2", "enterprises", "key_enterprises")


def workload(store: Store, *, system: str = "urban") -> pd.DataFrame:
    """One row per officer and team role they hold today: the units they answer for in that
    role (own or by fallback; ``own_cells`` the units assigned to them directly), their area,
    the enterprises and key enterprises in them — to balance assignments.  An officer with no
    role has one row with ``role`` empty and zeros, so idle people show."""
    eff = effective(store, system=system)
    ents = store.enterprises()
    key = f"{eff['level'].iloc[0]}_code" if len(eff) else "cell_code"
    per_unit = ents.groupby(key).size()
    key_unit = ents[ents["supervision_class"].isin(KEY_CLASSES)].groupby(key).size()
    area = dict(zip(eff["cell_code"], eff["area_m2"].astype(float)))
    order = {r["name"]: i for i, r in enumerate(roles(store))}
    held: dict[tuple[str, str], dict[str, Any]] = {}
    for code, team in zip(eff["cell_code"], eff["team"]):
        for m in team:
            h = held.setdefault((m["staff_no"], m["role"]),
                                {"slot": m["slot"], "cells": [], "own": 0})
            if not h["cells"] or h["cells"][-1] != code:
                h["cells"].append(code)
                h["own"] += bool(m["own"])
    out = []
    for _, o in store.officers().iterrows():
        mine = sorted(((r, h) for (s, r), h in held.items() if s == o["staff_no"]),
                      key=lambda t: order.get(t[0], 99))
        base = {"staff_no": o["staff_no"], "name": o["name"], "unit": o["unit"]}
        if not mine:
            out.append({**base, "role": None, "slot": None, "cells": 0, "own_cells": 0,
                        "area_km2": 0.0, "enterprises": 0, "key_enterprises": 0})
        for role, h in mine:
            codes = h["cells"]
            out.append({**base, "role": role, "slot": h["slot"], "cells": len(codes),
                        "own_cells": h["own"],
                        "area_km2": round(sum(area.get(c) or 0.0 for c in codes) / 1e6, 3),
                        "enterprises": int(per_unit.reindex(codes).fillna(0).sum()),
                        "key_enterprises": int(key_unit.reindex(codes).fillna(0).sum())})
    return pd.DataFrame(out, columns=list(WORKLOAD_COLUMNS))


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
