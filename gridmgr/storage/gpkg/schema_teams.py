"""Schema 10: grid teams — a cell has a team (网格长, 网格员, 执法队员, 协管员, 监督员 …), not one
person, and each role keeps its own history.

* ``team_roles`` — the bureau's role table: ``name`` (the role as written in
  ``responsibilities.role``), ``slot`` (what the role does for the rules that existed before
  teams: ``primary`` receives cases, ``supervisor`` is the 区级监管责任人, ``collector`` reports,
  ``member`` any other team member), ``multiple`` (several holders at once, else a new holder
  ends the previous one's term), ``required`` (``check`` reports cells without one) and
  ``sort_order`` (the order of the team in tables and on prints).
* ``case_categories.dispatch_role`` — the role a case of that 小类 is dispatched to (执法
  categories to 执法队员); blank means the default primary (网格员).
* an index on ``responsibilities (system, area_code, role)``: history is kept per role now.

Existing rows are not rewritten: each keeps its role, slot, area and validity period, so who was
responsible on any past day answers as before.  A role found in the rows but not in the shipped
table (an older alias, a bureau's own word) is added to the table with the slot its rows have.
"""

from __future__ import annotations

from collections import Counter

import sqlite_utils

from ..api import ProjectDefaults
from .ddl import attributes_table

TEAM_ROLES = (
    "CREATE TABLE team_roles (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, "
    "slot TEXT NOT NULL CHECK (slot IN ('primary', 'supervisor', 'collector', 'member')), "
    "multiple INTEGER NOT NULL DEFAULT 0, required INTEGER NOT NULL DEFAULT 0, "
    "sort_order INTEGER NOT NULL DEFAULT 0, description TEXT)"
)
ROLE_COLUMNS = ("name", "slot", "multiple", "required", "sort_order", "description")


def missing_roles(shipped: list[dict], present: set[str], used: list[tuple[str, str]],
                  orders: list[int]) -> list[dict]:
    """The role rows to add: the shipped roles the table lacks, then each role the
    responsibility rows ``used`` (role, slot) that is in neither, with the slot its rows have
    (both backends' migration 10)."""
    rows = [{k: r.get(k) for k in ROLE_COLUMNS} for r in shipped if r["name"] not in present]
    known = {r["name"] for r in rows} | present
    slots: dict[str, Counter[str]] = {}
    for role, slot in used:
        slots.setdefault(role, Counter())[slot] += 1
    order = max([int(r["sort_order"] or 0) for r in rows] + orders, default=0)
    for role in sorted(set(slots) - known):
        slot = slots[role].most_common(1)[0][0]
        slot = slot if slot in ("primary", "supervisor", "collector") else "member"
        order += 10
        rows.append({"name": role, "slot": slot, "multiple": int(slot == "collector"),
                     "required": 0, "sort_order": order,
                     "description": "迁移时从已有责任记录加入"})
    return rows


def migration_10(db: sqlite_utils.Database, settings: dict[str, str],
                defaults: ProjectDefaults) -> None:
    """Schema 10: grid teams — the editable role table, a dispatch role per case category, the
    responsibility history indexed per role; existing assignments kept as they are."""
    # idempotent: a project whose recorded version was set back runs it again unharmed
    if not db["team_roles"].exists():
        attributes_table(db, "team_roles", TEAM_ROLES, "grid team roles (网格团队角色)")
    present = {r[0] for r in db.execute("SELECT name FROM team_roles").fetchall()}
    orders = [int(r[0] or 0) for r in db.execute("SELECT sort_order FROM team_roles").fetchall()]
    rows = missing_roles(defaults.team_roles(), present,
                         db.execute("SELECT role, slot FROM responsibilities").fetchall(), orders)
    db["team_roles"].insert_all(rows)
    db.execute("CREATE INDEX IF NOT EXISTS idx_resp_role ON responsibilities "
               "(system, area_code, role)")
    if "dispatch_role" in db["case_categories"].columns_dict:
        return
    db.execute("ALTER TABLE case_categories ADD COLUMN dispatch_role TEXT")
    for code, role in defaults.category_roles().items():
        db.execute("UPDATE case_categories SET dispatch_role = ? WHERE code = ?", [role, code])
