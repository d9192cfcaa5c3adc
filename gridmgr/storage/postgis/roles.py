"""Who may do what on a server project: PostgreSQL roles, grants and row-level security.

The window is not the guard — the database is.  A project schema ``S`` gets four group roles
(``NOLOGIN``; a desk's login is made a member of one or more):

- ``gm_S_admin``   区级管理员: everything in the project.
- ``gm_S_street``  街道管理员: reads everything; writes cells, communities, responsibility,
  enterprises, cases and their steps, inspections and field packages — only of the street(s)
  listed for that login in ``gridmgr_user_streets``.
- ``gm_S_dispatch`` 受理/派遣员: the case workflow (cases, steps, photos, notices, inspections,
  field packages) in every street; no grid, register or responsibility edits.
- ``gm_S_reader``  只读: SELECT only (city centre, auditors).

Table privileges (GRANT) decide which tables a role may write.  Row-level security decides
which rows: a street's rows are those whose code begins with one of the login's street codes
(codes are hierarchical: 440604010 → 440604010001 → 44060401000101).  A new or changed row
outside the street fails the policies' ``WITH CHECK``; an existing row outside the street is
refused loudly by a row trigger (a policy's ``USING`` would silently skip it, and an action
that "succeeded" on nothing is the worst answer a desk can get).  The same rules hold for psql
or QGIS with the same login, since they are the database's own.

Every change is audited with the database login: a trigger stamps ``gridmgr_audit.db_user``
with ``session_user`` (a client cannot choose it), and a statement trigger on every project
table writes an ``sql`` audit row for a transaction that changed data without gridmgr's own
audit row (psql, QGIS); gridmgr's row, when it comes, replaces it.

Passwords are PostgreSQL's own: ``CREATE ROLE … PASSWORD`` receives a SCRAM-SHA-256 verifier
computed here (RFC 5802/7677), so the password itself never reaches the server's logs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql as pgsql

from ...errors import PermissionDenied, UsageError
from .connection import PgDatabase

KINDS = {"admin": "区级管理员", "street": "街道管理员", "dispatch": "受理派遣员", "reader": "只读"}
ALIASES = {"admin": "admin", "区级管理员": "admin", "管理员": "admin",
           "street": "street", "街道管理员": "street",
           "dispatch": "dispatch", "dispatcher": "dispatch", "受理派遣员": "dispatch",
           "受理/派遣员": "dispatch", "派遣员": "dispatch",
           "reader": "reader", "readonly": "reader", "只读": "reader"}

# table → the column whose code (or case) places a row in a street; None: not street-scoped.
SCOPED = {"cells": "code", "communities": "code", "responsibilities": "area_code",
          "enterprises": "street_code", "cases": "street_code", "inspections": "cell_code",
          "case_transitions": "case_uuid", "case_times": "case_uuid", "case_photos": "case_uuid",
          "rectification_notices": "case_uuid", "inspection_photos": "inspection_uuid"}
CASE_WORK = ["cases", "case_transitions", "case_times", "case_photos", "rectification_notices",
             "inspections", "inspection_photos", "fieldpacks", "fieldpack_records",
             "field_conflicts"]
STREET_WRITES = [*CASE_WORK, "cells", "communities", "responsibilities", "enterprises"]


def group_role(schema: str, kind: str) -> str:
    name = f"gm_{schema}_{kind}"
    if len(name) > 63:
        raise UsageError(f"schema 名 {schema!r} 太长，无法为它建立角色（PostgreSQL 名称最长 63 字节）")
    return name


def kind_of(role: str) -> str:
    kind = ALIASES.get(role.strip().lower() if role.isascii() else role.strip())
    if kind is None:
        raise UsageError(f"未知的角色 {role!r}；可选：" + "、".join(
            f"{v}（{k}）" for k, v in KINDS.items()))
    return kind


def scram_verifier(password: str, *, iterations: int = 4096) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``password`` (so only it is sent)."""
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    b64 = base64.b64encode
    return (f"SCRAM-SHA-256${iterations}:{b64(salt).decode()}$"
            f"{b64(stored_key).decode()}:{b64(server_key).decode()}")


def _ident(db: PgDatabase, name: str) -> str:
    return pgsql.Identifier(name).as_string(db.raw)


def _literal(db: PgDatabase, value: str) -> str:
    return pgsql.Literal(value).as_string(db.raw)


def _scope_sql(column: str) -> str:
    """A condition true when ``column`` places the row in one of the login's streets."""
    streets = ("EXISTS (SELECT 1 FROM gridmgr_user_streets s WHERE s.rolname = current_user "
               "AND left({code}, length(s.street_code)) = s.street_code)")
    if column == "case_uuid":
        return ("EXISTS (SELECT 1 FROM cases c WHERE c.uuid = {col} AND "
                + streets.format(code="c.street_code") + ")").format(col="case_uuid")
    if column == "inspection_uuid":  # an inspection's photo: where the inspection was
        return ("EXISTS (SELECT 1 FROM inspections i WHERE i.uuid = inspection_uuid AND "
                + streets.format(code="i.cell_code") + ")")
    return streets.format(code=f'"{column}"')


def _function_ddl(schema: str) -> list[str]:
    q = pgsql.Identifier(schema).as_string(None)  # identifiers need no connection
    admin, street, dispatch = (group_role(schema, k) for k in ("admin", "street", "dispatch"))
    scope_cases = ("SELECT EXISTS (SELECT 1 FROM cases c WHERE c.uuid = $1 AND EXISTS (SELECT 1 "
                   "FROM gridmgr_user_streets s WHERE s.rolname = current_user AND "
                   "left(c.street_code, length(s.street_code)) = s.street_code))")
    scope_inspections = ("SELECT EXISTS (SELECT 1 FROM inspections i WHERE i.uuid = $1 AND "
                         "EXISTS (SELECT 1 FROM gridmgr_user_streets s WHERE s.rolname = "
                         "current_user AND left(i.cell_code, length(s.street_code)) = "
                         "s.street_code))")
    return [
        # the old row of an UPDATE/DELETE by a street-bound login must be in its street
        f"""CREATE OR REPLACE FUNCTION gridmgr_old_row_in_scope() RETURNS trigger
        LANGUAGE plpgsql SET search_path = {q}, pg_catalog AS $fn$
        DECLARE code text; ok boolean;
        BEGIN
          IF pg_has_role(current_user, '{admin}', 'MEMBER')
             OR (TG_ARGV[1] = 'case' AND pg_has_role(current_user, '{dispatch}', 'MEMBER'))
             OR NOT pg_has_role(current_user, '{street}', 'MEMBER') THEN
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
          END IF;
          code := to_jsonb(OLD) ->> TG_ARGV[0];
          IF TG_ARGV[0] = 'case_uuid' THEN
            EXECUTE $q${scope_cases}$q$ INTO ok USING code;
          ELSIF TG_ARGV[0] = 'inspection_uuid' THEN
            EXECUTE $q${scope_inspections}$q$ INTO ok USING code;
          ELSE
            ok := EXISTS (SELECT 1 FROM gridmgr_user_streets s WHERE s.rolname = current_user
                          AND left(code, length(s.street_code)) = s.street_code);
          END IF;
          IF NOT coalesce(ok, false) THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
              MESSAGE = format('用户 %s（街道管理员，所辖街道 %s）不能修改其他街道的记录：%s %s',
                current_user,
                coalesce((SELECT string_agg(street_code, '、' ORDER BY street_code)
                          FROM gridmgr_user_streets WHERE rolname = current_user), '无'),
                TG_TABLE_NAME, coalesce(to_jsonb(OLD) ->> 'case_no', to_jsonb(OLD) ->> 'code',
                                        to_jsonb(OLD) ->> 'name', code));
          END IF;
          RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $fn$""",
        # gridmgr's audit rows carry the login; an 'sql' row of the same transaction gives way
        f"""CREATE OR REPLACE FUNCTION gridmgr_audit_stamp() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = {q}, pg_catalog AS $fn$
        BEGIN
          NEW.db_user := session_user;
          NEW.txid := txid_current();
          IF NEW.action IS DISTINCT FROM 'sql' THEN
            DELETE FROM gridmgr_audit WHERE txid = NEW.txid AND action = 'sql';
          END IF;
          RETURN NEW;
        END $fn$""",
        # a transaction that changed data with no audit row of its own gets one
        f"""CREATE OR REPLACE FUNCTION gridmgr_audit_sql() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = {q}, pg_catalog AS $fn$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM gridmgr_audit WHERE txid = txid_current()) THEN
            INSERT INTO gridmgr_audit (at, action, detail) VALUES (
              to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS') || '+08:00',
              'sql', json_build_object('table', TG_TABLE_NAME, 'op', TG_OP,
                                       'note', '不经 gridmgr 直接修改')::text);
          END IF;
          RETURN NULL;
        END $fn$""",
    ]


def install(db: PgDatabase, schema: str) -> None:
    """Roles, grants, policies and audit triggers for the project in ``schema`` (idempotent;
    inside the caller's transaction).  Needs a login that may create roles."""
    roles = {k: group_role(schema, k) for k in KINDS}
    for name in roles.values():
        if not db.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", [name]).fetchone():
            db.execute(f"CREATE ROLE {_ident(db, name)} NOLOGIN")
    db.execute("CREATE TABLE IF NOT EXISTS gridmgr_user_streets (rolname text NOT NULL, "
               "street_code text NOT NULL, PRIMARY KEY (rolname, street_code))")
    db.execute("ALTER TABLE gridmgr_audit ADD COLUMN IF NOT EXISTS txid bigint")
    db.execute("CREATE INDEX IF NOT EXISTS idx_audit_txid ON gridmgr_audit (txid)")
    for ddl in _function_ddl(schema):
        db.execute(ddl)
    sch = _ident(db, schema)
    everyone = ", ".join(_ident(db, r) for r in roles.values())
    writers = ", ".join(_ident(db, roles[k]) for k in ("admin", "street", "dispatch"))
    db.execute(f"GRANT USAGE ON SCHEMA {sch} TO {everyone}")
    db.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {sch} TO {everyone}")
    db.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA {sch} TO {_ident(db, roles['admin'])}")
    db.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {sch} TO {writers}")
    db.execute(f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {sch} TO {everyone}")
    db.execute(f"GRANT INSERT ON gridmgr_audit TO {writers}")
    tables = set(db.table_names())
    for kind, names in (("street", STREET_WRITES), ("dispatch", CASE_WORK)):
        for t in names:
            if t in tables:
                db.execute(f'GRANT INSERT, UPDATE, DELETE ON "{t}" TO {_ident(db, roles[kind])}')
    for t, column in SCOPED.items():
        if t not in tables:
            continue
        db.execute(f'ALTER TABLE "{t}" ENABLE ROW LEVEL SECURITY')
        for pol in ("gm_read", "gm_unbound", "gm_street"):
            db.execute(f'DROP POLICY IF EXISTS {pol} ON "{t}"')
        db.execute(f'CREATE POLICY gm_read ON "{t}" FOR SELECT USING (true)')
        unbound = [roles["admin"]] + ([roles["dispatch"]] if t in CASE_WORK else [])
        db.execute(f'CREATE POLICY gm_unbound ON "{t}" FOR ALL TO '
                   f'{", ".join(_ident(db, r) for r in unbound)} USING (true) WITH CHECK (true)')
        db.execute(f'CREATE POLICY gm_street ON "{t}" FOR ALL TO {_ident(db, roles["street"])} '
                   f"USING (true) WITH CHECK ({_scope_sql(column)})")
        kind = "case" if t in CASE_WORK else "grid"
        db.execute(f'DROP TRIGGER IF EXISTS gridmgr_old_row_in_scope ON "{t}"')
        db.execute(f'CREATE TRIGGER gridmgr_old_row_in_scope BEFORE UPDATE OR DELETE ON "{t}" '
                   f"FOR EACH ROW EXECUTE FUNCTION gridmgr_old_row_in_scope('{column}', '{kind}')")
    db.execute("DROP TRIGGER IF EXISTS gridmgr_audit_stamp ON gridmgr_audit")
    db.execute("CREATE TRIGGER gridmgr_audit_stamp BEFORE INSERT ON gridmgr_audit "
               "FOR EACH ROW EXECUTE FUNCTION gridmgr_audit_stamp()")
    for t in sorted(tables - {"gridmgr_audit", "gridmgr_user_streets"}):
        db.execute(f'DROP TRIGGER IF EXISTS gridmgr_audit_sql ON "{t}"')
        db.execute(f'CREATE TRIGGER gridmgr_audit_sql AFTER INSERT OR UPDATE OR DELETE ON "{t}" '
                   "FOR EACH STATEMENT EXECUTE FUNCTION gridmgr_audit_sql()")


def may_create_roles(db: PgDatabase) -> bool:
    row = db.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
                     ).fetchone()
    return bool(row and row[0])


@dataclass(frozen=True)
class User:
    name: str
    roles: tuple[str, ...]     # kinds: admin, street, dispatch, reader
    streets: tuple[str, ...]
    can_login: bool


def _require_installed(db: PgDatabase, schema: str) -> dict[str, str]:
    roles = {k: group_role(schema, k) for k in KINDS}
    have = {r[0] for r in db.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(?)",
                                     [list(roles.values())])}
    if len(have) < len(roles) or "gridmgr_user_streets" not in db.table_names():
        raise UsageError(f"项目 {schema} 还没有角色；请用有建角色权限的用户运行 "
                         "gridmgr users setup URL")
    return roles


def _street_codes(db: PgDatabase, streets: list[str]) -> None:
    known = {r[0] for r in db.execute("SELECT code FROM streets WHERE valid_to IS NULL")}
    unknown = [s for s in streets if s not in known]
    if unknown:
        raise UsageError(f"项目里没有这些街道：{'、'.join(unknown)}（现有：{'、'.join(sorted(known)) or '无'}）")


def _guard(fn: Any) -> Any:
    try:
        return fn()
    except psycopg.errors.InsufficientPrivilege as exc:
        raise PermissionDenied(f"当前登录无权管理用户（需要 CREATEROLE）：{exc.diag.message_primary}"
                               ) from exc


def login_exists(db: PgDatabase, name: str) -> bool:
    return bool(db.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", [name]).fetchone())


def add_user(db: PgDatabase, schema: str, name: str, kind: str, *, password: str | None,
             streets: list[str]) -> bool:
    """Create the login ``name`` (or use an existing one) and give it ``kind`` in this project.
    Returns whether the login was new."""
    roles = _require_installed(db, schema)
    exists = login_exists(db, name)
    if not exists and not password:
        raise UsageError(f"新用户 {name} 需要密码（从标准输入或提示输入）")
    with db.atomic():
        if not exists:
            _guard(lambda: db.execute(f"CREATE ROLE {_ident(db, name)} LOGIN PASSWORD "
                                      f"{_literal(db, scram_verifier(password or ''))}"))
        grant(db, schema, name, kind, streets=streets, _roles=roles)
    return not exists


def grant(db: PgDatabase, schema: str, name: str, kind: str, *, streets: list[str],
          _roles: dict[str, str] | None = None) -> None:
    roles = _roles or _require_installed(db, schema)
    if kind == "street" and not streets:
        raise UsageError("街道管理员需要 --street 街道代码（可多个）")
    if kind != "street" and streets:
        raise UsageError("--street 只用于街道管理员")
    if not db.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", [name]).fetchone():
        raise UsageError(f"服务器上没有用户 {name}；用 gridmgr users add 新建")
    _street_codes(db, streets)
    with db.atomic():
        _guard(lambda: db.execute(f"GRANT {_ident(db, roles[kind])} TO {_ident(db, name)}"))
        for s in streets:
            db.execute("INSERT INTO gridmgr_user_streets (rolname, street_code) VALUES (?, ?) "
                       "ON CONFLICT DO NOTHING", [name, s])


def revoke(db: PgDatabase, schema: str, name: str, kind: str | None, *, streets: list[str]
           ) -> None:
    """Take ``kind`` (all of this project's roles when None) or some streets from ``name``."""
    roles = _require_installed(db, schema)
    with db.atomic():
        if streets:
            db.execute("DELETE FROM gridmgr_user_streets WHERE rolname = ? AND street_code = "
                       "ANY(?)", [name, streets])
        if kind or not streets:
            for k in ([kind] if kind else list(KINDS)):
                _guard(lambda k=k: db.execute(
                    f"REVOKE {_ident(db, roles[k])} FROM {_ident(db, name)}"))
            if kind in (None, "street"):
                db.execute("DELETE FROM gridmgr_user_streets WHERE rolname = ?", [name])


def users(db: PgDatabase, schema: str) -> list[User]:
    roles = _require_installed(db, schema)
    by_role = {v: k for k, v in roles.items()}
    rows = db.execute(
        "SELECT m.rolname, g.rolname, m.rolcanlogin FROM pg_auth_members a "
        "JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member "
        "WHERE g.rolname = ANY(?) ORDER BY m.rolname", [list(roles.values())]).fetchall()
    streets: dict[str, list[str]] = {}
    for who, code in db.execute("SELECT rolname, street_code FROM gridmgr_user_streets "
                                "ORDER BY rolname, street_code"):
        streets.setdefault(who, []).append(code)
    found: dict[str, tuple[list[str], bool]] = {}
    for who, group, login in rows:
        found.setdefault(who, ([], bool(login)))[0].append(by_role[group])
    return [User(who, tuple(sorted(k, key=list(KINDS).index)), tuple(streets.get(who, [])), login)
            for who, (k, login) in found.items()]
