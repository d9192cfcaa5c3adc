"""Upgrading a server project in place: each GeoPackage migration that has a server form here
is applied to an older schema in one transaction, under the project's write lock.

A new server project is derived from the GeoPackage DDL (``schema.py``); an existing one cannot
be re-derived without losing the desks' work, so each migration after the server's first
(schema 6) says here how it changes a live schema.  A migration without a server form is named
in the refusal, and the way round it is the file: pull, open (which migrates), push.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from ..api import ProjectDefaults
from .connection import PgDatabase


def _audit_user(db: PgDatabase, defaults: ProjectDefaults | None) -> None:
    db.execute("ALTER TABLE gridmgr_audit ADD COLUMN IF NOT EXISTS db_user text COLLATE \"C\"")


def _nothing(db: PgDatabase, defaults: ProjectDefaults | None) -> None:
    """Schema 7 is a no-op on both backends."""


def _branch_sites(db: PgDatabase, defaults: ProjectDefaults | None) -> None:
    """Schema 8: one credit code may name several branch sites (no UNIQUE), with a flag."""
    for (name,) in db.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'enterprises'::regclass "
            "AND contype = 'u'").fetchall():
        db.execute(f'ALTER TABLE enterprises DROP CONSTRAINT "{name}"')
    db.execute('CREATE INDEX IF NOT EXISTS "idx_enterprises_credit_code" ON enterprises '
               "(credit_code)")
    db.execute('ALTER TABLE enterprises ADD COLUMN IF NOT EXISTS "credit_code_flag" text '
               'COLLATE "C"')


def _inspection_photos(db: PgDatabase, defaults: ProjectDefaults | None) -> None:
    """Schema 11 on the server: the inspection photos table, and QGIS's default layer styles
    (``layer_styles``, as a push of a schema-11 file brings them), so QGIS opening the server's
    layers draws them as the desktop does.  Dates stay text on the server, and the value lists
    are GeoPackage tables: a pull writes this version's lists into the file."""
    from ..gpkg.schema_qgis import INSPECTION_PHOTOS, INSPECTION_PHOTOS_INDEX, LAYER_STYLES
    from .schema import translate_table

    tables = set(db.table_names())
    if "inspection_photos" not in tables:
        db.execute(translate_table(INSPECTION_PHOTOS, 0))
        db.execute(INSPECTION_PHOTOS_INDEX)
    if "layer_styles" not in tables and defaults is not None:
        db.execute(translate_table(LAYER_STYLES, 0))
        for row in defaults.layer_styles():
            if row["f_table_name"] not in tables:
                continue
            cols = list(row)
            marks = ", ".join("CAST(? AS integer)::boolean" if c == "useAsDefault" else "?"
                              for c in cols)  # the shim passes a bool as 0/1
            names = ", ".join(f'"{c}"' for c in cols)  # styleQML …: mixed case, quoted
            db.execute(f"INSERT INTO layer_styles ({names}) VALUES ({marks})",
                       [row[c] for c in cols])


def _teams(db: PgDatabase, defaults: ProjectDefaults | None) -> None:
    """Schema 10: grid teams — the role table (filled from the shipped one and from the roles
    the responsibility rows already use), a dispatch role per 小类, history indexed per role."""
    from ..gpkg.schema_teams import TEAM_ROLES, missing_roles
    from .schema import translate_table

    db.execute(translate_table(TEAM_ROLES, 0).replace("CREATE TABLE team_roles",
                                                      "CREATE TABLE IF NOT EXISTS team_roles"))
    present = {r[0] for r in db.execute("SELECT name FROM team_roles").fetchall()}
    used = db.execute("SELECT role, slot FROM responsibilities").fetchall()
    orders = [int(r[0] or 0) for r in db.execute("SELECT sort_order FROM team_roles").fetchall()]
    shipped = defaults.team_roles() if defaults is not None else []
    db["team_roles"].insert_all(missing_roles(shipped, present, used, orders))
    db.execute("CREATE INDEX IF NOT EXISTS idx_resp_role ON responsibilities "
               "(system, area_code, role)")
    if db.execute("SELECT 1 FROM information_schema.columns WHERE table_schema = "
                  "current_schema() AND table_name = 'case_categories' AND column_name = "
                  "'dispatch_role'").fetchone():
        return
    db.execute('ALTER TABLE case_categories ADD COLUMN dispatch_role text COLLATE "C"')
    for code, role in (defaults.category_roles().items() if defaults is not None else ()):
        db.execute("UPDATE case_categories SET dispatch_role = ? WHERE code = ?", [role, code])


def _case_times(db: PgDatabase, defaults: ProjectDefaults | None) -> None:
    """Schema 12 on the server: case_times, filled from the log (the same reduction as the
    file's: the steps' times read by the schema's ``unixepoch``)."""
    from ..gpkg.case_times import CASE_TIMES, CASE_TIMES_INDEXES, backfill
    from .schema import translate_table

    if "case_times" not in set(db.table_names()):
        db.execute(translate_table(CASE_TIMES, 0))
        for ddl in CASE_TIMES_INDEXES:
            db.execute(ddl)
    backfill(db)


def _stale_steps(db: PgDatabase, defaults: ProjectDefaults | None) -> None:
    """Schema 13 on the server: the stale-step trigger; the duplicate steps index goes."""
    from . import case_times_guard

    db.execute("DROP INDEX IF EXISTS idx_case_transitions_case")
    case_times_guard.install(db)


SERVER_FORMS: dict[int, Callable[[PgDatabase, ProjectDefaults | None], None]] = {
    7: _nothing,
    8: _branch_sites,
    9: _audit_user,
    10: _teams,
    11: _inspection_photos,
    12: _case_times,
    13: _stale_steps,
}


def missing_forms(current: int, target: int) -> list[int]:
    from ..gpkg.schema import MIGRATIONS

    return [v for v in sorted(MIGRATIONS) if current < v <= target and v not in SERVER_FORMS]


def upgrade(db: PgDatabase, current: int, target: int,
            then: Callable[[], None] | None = None,
            defaults: ProjectDefaults | None = None) -> list[int]:
    """Apply the server forms from ``current`` to ``target`` (inside the caller's transaction),
    then ``then`` (the roles' refresh), then record it; returns the versions applied."""
    from ..clock import now_iso
    from ..gpkg.schema import MIGRATIONS

    done = []
    for v in sorted(m for m in MIGRATIONS if current < m <= target):
        SERVER_FORMS[v](db, defaults)
        db.execute("INSERT INTO gridmgr_schema (version, applied_at, description) VALUES "
                   "(?, ?, ?) ON CONFLICT (version) DO NOTHING",
                   [v, now_iso(), (MIGRATIONS[v].__doc__ or "").strip()])
        done.append(v)
    if then is not None:
        then()
    db.execute("UPDATE gridmgr_meta SET value = ? WHERE key = 'schema_version'", [str(target)])
    db.execute("INSERT INTO gridmgr_audit (at, action, detail) VALUES (?, 'upgrade', ?)",
               [now_iso(), json.dumps({"from": current, "to": target, "applied": done})])
    return done
