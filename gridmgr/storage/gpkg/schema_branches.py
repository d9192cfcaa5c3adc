"""Schema 8: one credit code on several enterprises (branch sites, 分支机构).

A bureau's register lists a company's branch sites as rows of their own, each under the
company's unified social credit code.  Schema 2 made ``credit_code`` UNIQUE, so the second site
could never be stored.  SQLite cannot drop a column constraint, so the table is rebuilt: the
same ``CREATE TABLE`` text without that UNIQUE (whatever columns later migrations added stay),
every row copied with its fid (the R-tree keeps pointing at the right points), then its indexes
and triggers (the GeoPackage R-tree triggers) created again from their own text, plus a
non-unique index on the code — lookups by code stay indexed.  ``credit_code_flag`` is the
register's mark for a code that needs a look (shared by several rows, or failing GB 32100); this
migration marks the shared ones, the enterprise import keeps the marks up to date.
"""

from __future__ import annotations

import re

import sqlite_utils

from ..api import ProjectDefaults

SHARED_FLAG = "信用代码多处共用（分支机构）"
_UNIQUE = re.compile(r'("credit_code"\s+TEXT)\s+UNIQUE', re.IGNORECASE)


def migration_8(db: sqlite_utils.Database, settings: dict[str, str],
                defaults: ProjectDefaults) -> None:
    """Schema 8: enterprises.credit_code no longer UNIQUE (branch sites share one code; a
    non-unique index instead), and a credit_code_flag column the register shows."""
    (ddl,) = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = "
                        "'enterprises'").fetchone()
    columns = [r[1] for r in db.execute('PRAGMA table_info("enterprises")').fetchall()]
    if _UNIQUE.search(ddl):
        extras = [r[0] for r in db.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'enterprises' AND type IN "
            "('index', 'trigger') AND sql IS NOT NULL ORDER BY type = 'trigger', rowid")]
        new = _UNIQUE.sub(r"\1", ddl)
        new = re.sub(r'^CREATE TABLE\s+"?enterprises"?', 'CREATE TABLE "enterprises_m8"', new)
        db.execute(new)
        names = ", ".join(f'"{c}"' for c in columns)
        db.execute(f'INSERT INTO "enterprises_m8" ({names}) SELECT {names} FROM enterprises')
        db.execute("DROP TABLE enterprises")
        db.execute('ALTER TABLE "enterprises_m8" RENAME TO "enterprises"')
        for sql in extras:
            db.execute(sql)
    db.execute('CREATE INDEX IF NOT EXISTS "idx_enterprises_credit_code" ON enterprises '
               "(credit_code)")
    if "credit_code_flag" not in columns:
        db.execute('ALTER TABLE enterprises ADD COLUMN "credit_code_flag" TEXT')
    db.execute("UPDATE enterprises SET credit_code_flag = ? WHERE credit_code IN (SELECT "
               "credit_code FROM enterprises WHERE credit_code IS NOT NULL GROUP BY credit_code "
               "HAVING count(*) > 1)", [SHARED_FLAG])
