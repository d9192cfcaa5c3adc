"""What the desktop's detail panel and search box show: plain data from the store, no Qt.

* :func:`area_detail` — a street, community or cell: name, parent, counts, and who answers for
  it today through 属地兜底 (the area's own responsibility, else its parent's …) with the level
  each person comes from;
* :func:`officer_detail` — an officer and the cells they answer for (own or by fallback);
* :func:`find` — what a typed text names: areas (code or name), officers (staff number or name),
  enterprises (credit code or name), using the store's indexed look-ups.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..levels import LEVELS
from ..registers.enterprises import KEY_CLASSES
from ..registers.responsibility import SLOTS, effective
from ..registers.teams import roles
from ..storage import Store, today

PARENT_LEVEL = {"cell": "community", "community": "street", "street": "district"}


def chain(store: Store, level: str, code: str, system: str = "urban") -> list[tuple[str, str]]:
    """(level, code) from the area up to its district: the order 属地兜底 looks in."""
    out = [(level, code)]
    while level in PARENT_LEVEL and code:
        brief = store.area_brief(level, system, code)
        code, level = (brief or {}).get("parent_code"), PARENT_LEVEL[level]
        if code:
            out.append((level, code))
    return out


def area_detail(store: Store, level: str, code: str, system: str = "urban",
                as_of: str | None = None) -> dict[str, Any] | None:
    """One area as the detail panel shows it (None if it is not a current area)."""
    brief = store.area_brief(level, system, code)
    if brief is None:
        return None
    day = as_of or today()
    up = chain(store, level, code, system)
    rows = store.responsibilities_on(system, [c for _, c in up], day)
    # the whole team: every role in the table's order, each through its own 属地兜底; the
    # primary and supervisor slots always show (empty when nobody holds them)
    table = roles(store)
    order = [r["name"] for r in table] + sorted({r["role"] for r in rows} -
                                                {r["name"] for r in table})
    people = []
    for role in order:
        for lvl, c in up:  # the area's own first, then each parent in turn
            mine = [r for r in rows if r["area_code"] == c and r["role"] == role]
            if mine:
                people += [{"slot": r["slot"], "staff_no": r["staff_no"], "name": r["name"],
                            "mobile": r["mobile"], "role": role, "from": lvl} for r in mine]
                break
    for slot in SLOTS:
        if not any(p["slot"] == slot for p in people):
            role = next((r["name"] for r in table if r["slot"] == slot), None)
            people.append({"slot": slot, "staff_no": None, "name": None, "mobile": None,
                           "role": role, "from": None})
    total = key = 0
    listed: list[dict[str, Any]] = []
    if level in ("cell", "community", "street"):
        total, key, listed = store.enterprises_in(level, code, KEY_CLASSES)
    child = LEVELS[LEVELS.index(level) + 1] if LEVELS.index(level) + 1 < len(LEVELS) else None
    parent = store.area_brief(PARENT_LEVEL[level], system, brief["parent_code"]) \
        if level in PARENT_LEVEL and brief["parent_code"] else None
    return {"level": level, "code": code, "name": brief["name"], "area_m2": brief["area_m2"],
            "parent_code": brief["parent_code"],
            "parent_name": (parent or {}).get("name"),
            "people": people, "enterprises": total, "key_enterprises": key,
            "enterprise_list": listed, "child_level": child,
            "children": store.count_children(child, system, code) if child else 0}


def responsibility_overview(store: Store, system: str = "urban") -> dict[str, dict[str, Any]]:
    """Per unit of the grid (cell, or village where the grid stops there): who answers for it
    today after 属地兜底 — :func:`gridmgr.registers.responsibility.effective` as a dict (without the
    per-cell enterprise lists of ``cell_details``, which take a minute at 100k cells)."""
    eff = effective(store, system=system)
    return {r["cell_code"]: r for r in eff.to_dict("records")}


def enterprise_counts(store: Store, level: str = "cell") -> dict[str, tuple[int, int]]:
    """(enterprises, key enterprises) per area of ``level``; areas without any are left out."""
    return store.enterprise_counts(level, KEY_CLASSES)


def officer_detail(store: Store, staff_no: str, cells: Mapping[str, Mapping[str, Any]]
                   ) -> dict[str, Any] | None:
    """An officer and the cells they answer for today.  ``cells``:
    :func:`responsibility_overview` (or ``cell_details``), already loaded by the caller."""
    officer = store.officer_by_staff_no(staff_no)
    if officer is None:
        return None
    mine: dict[str, list[str]] = {slot: [] for slot in SLOTS}
    by_role: dict[str, list[str]] = {}
    for code, d in cells.items():
        for slot in SLOTS:
            if d.get(f"{slot}_staff_no") == staff_no:
                mine[slot].append(code)
        for m in d.get("team") or ():
            if m["staff_no"] == staff_no and code not in by_role.get(m["role"], ()):
                by_role.setdefault(m["role"], []).append(code)
    return {**officer, "cells": mine, "roles": by_role,
            "all_cells": sorted({c for cs in by_role.values() for c in cs}
                                | set(mine["primary"]) | set(mine["supervisor"]))}


def find(store: Store, text: str, areas: Mapping[str, tuple[str, str | None]],
         limit: int = 20) -> list[dict[str, Any]]:
    """Hits for ``text``, best first: ``{"kind": "area"|"officer"|"enterprise", "key", "label",
    "level"}``.  ``areas``: code → (level, name) of the areas shown (the caller has them)."""
    t = text.strip()
    if not t:
        return []
    hits: list[dict[str, Any]] = []
    exact = areas.get(t)
    if exact:
        hits.append({"kind": "area", "key": t, "label": exact[1] or t, "level": exact[0]})
    for code, (level, name) in areas.items():
        if len(hits) >= limit:
            break
        if code != t and (code.startswith(t) or (name and t in name)):
            hits.append({"kind": "area", "key": code, "label": name or code, "level": level})
    hits.sort(key=lambda h: (h["key"] != t, h["label"] != t, LEVELS.index(h["level"])
                             if h["level"] in LEVELS else 9))
    for o in store.find_officers(t, limit):
        hits.append({"kind": "officer", "key": o["staff_no"], "label": o["name"],
                     "level": None})
    for e in store.find_enterprises(t, limit):
        hits.append({"kind": "enterprise", "key": e["credit_code"] or e["uuid"],
                     "label": e["name"], "level": None, "fid": e["fid"],
                     "cell_code": e["cell_code"]})
    return hits
