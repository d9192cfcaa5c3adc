"""Roles on a server project, enforced by the database: a street's administrator changes only
that street, a dispatcher only the case workflow, a reader nothing — through gridmgr and through
plain SQL with the same login alike; every change names the database user in the audit log.

The demo district is pushed once per module to the run's own throwaway cluster (``pg_server``);
its streets are 440604010 石湾镇街道, 440604011 张槎街道, 440604012 祖庙街道, 440604100 南庄镇."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import psycopg
import pytest
from server_desks import MINE, OTHER, Desk, case_in, make_bureau

from gridmgr.cli import main
from gridmgr.errors import EXIT_DENIED, EXIT_USAGE, PermissionDenied
from gridmgr.project import open_project
from gridmgr.storage import server
from gridmgr.storage.postgis.roles import scram_verifier


@pytest.fixture(scope="module")
def bureau(pg_server: Any, demo_file: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> dict[str, Desk]:
    return make_bureau(pg_server, demo_file, tmp_path_factory)


_case = case_in


def _cell(desk: Desk, street: str) -> str:
    return desk.sql("SELECT code FROM cells WHERE code LIKE %s AND valid_to IS NULL ORDER BY code "
                    "LIMIT 1", (street + "%",))[0][0]


def test_users_are_listed_with_their_roles_and_streets(bureau, capsys):
    owner = bureau["owner"]
    listed = {u["user"]: u for u in server.list_users(owner.url)}
    assert listed[bureau["street"].user]["roles"] == ["街道管理员"]
    assert listed[bureau["street"].user]["streets"] == [MINE]
    assert listed[bureau["dispatch"].user]["roles"] == ["受理派遣员"]
    assert listed[bureau["reader"].user]["roles"] == ["只读"]
    assert main(["users", "list", owner.url]) == 0
    out = capsys.readouterr().out
    assert f"{bureau['street'].user}\t街道管理员  街道 {MINE}" in out


def test_the_password_reaches_the_server_only_as_a_scram_verifier(bureau):
    stored = bureau["owner"].sql("SELECT rolpassword FROM pg_authid WHERE rolname = %s",
                                 (bureau["street"].user,))[0][0]
    assert stored.startswith("SCRAM-SHA-256$4096:")
    assert bureau["street"].password not in stored
    assert bureau["street"].sql("SELECT current_user")[0][0] == bureau["street"].user  # it logs in
    a, b = scram_verifier("same"), scram_verifier("same")
    assert a != b  # salted


def test_a_street_administrator_edits_their_street_only_in_plain_sql(bureau):
    desk = bureau["street"]
    mine, other = _cell(desk, MINE), _cell(desk, OTHER)
    assert desk.sql("UPDATE cells SET name = name WHERE code = %s RETURNING code", (mine,)) == [(mine,)]
    for query, params in (
        ("UPDATE cells SET name = 'x' WHERE code = %s", (other,)),
        ("DELETE FROM cells WHERE code = %s", (other,)),
        ("UPDATE cases SET street_code = %s WHERE case_no = %s", (MINE, _case(desk, OTHER))),
        ("UPDATE responsibilities SET note = 'x' WHERE area_code LIKE %s", (OTHER + "%",)),
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="不能修改其他街道的记录"):
            desk.sql(query, params)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        desk.sql("INSERT INTO cells (uuid, system, code, name, valid_from) VALUES "
                 "('u-x', 'national', %s, 'y', '2026-01-01')", (OTHER + "99999",))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        desk.sql("UPDATE streets SET name = 'x'")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        desk.sql("DELETE FROM gridmgr_audit")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        desk.sql("INSERT INTO gridmgr_user_streets VALUES (current_user, %s)", (OTHER,))
    assert bureau["owner"].sql("SELECT name FROM cells WHERE code = %s", (other,))[0][0] != "x"


def test_a_street_administrator_adds_inspection_photos_in_their_street_only(bureau):
    """Schema 11's inspection photos are scoped by where the inspection was, as a case's
    photos are by the case."""
    desk, owner = bureau["street"], bureau["owner"]
    for street, uuid in ((MINE, "insp-mine"), (OTHER, "insp-other")):
        owner.sql("INSERT INTO inspections (uuid, cell_code, by_staff_no, at, result, created_at, "
                  "updated_at) VALUES (%s, %s, 'CC0001', '2026-03-01T09:00:00', '合格', "
                  "'2026-03-01T09:00:00', '2026-03-01T09:00:00')",
                  (uuid, _cell(owner, street)))
    photo = ("INSERT INTO inspection_photos (uuid, inspection_uuid, name, data) VALUES "
             "(%s, %s, 'a.jpg', '\\xffd8'::bytea)")
    desk.sql(photo, ("p-mine", "insp-mine"))
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        desk.sql(photo, ("p-other", "insp-other"))
    owner.sql(photo, ("p-other", "insp-other"))
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="不能修改其他街道的记录"):
        desk.sql("DELETE FROM inspection_photos WHERE uuid = 'p-other'")
    bureau["dispatch"].sql("UPDATE inspection_photos SET name = 'b.jpg' WHERE uuid = 'p-other'")
    assert owner.sql("SELECT uuid, name FROM inspection_photos WHERE uuid LIKE 'p-%' "
                     "ORDER BY uuid") == [("p-mine", "a.jpg"), ("p-other", "b.jpg")]


def test_a_street_administrator_is_refused_through_gridmgr_with_the_record_named(
        bureau, monkeypatch, capsys):
    desk = bureau["street"]
    other_case, my_case = _case(desk, OTHER), _case(desk, MINE)
    before = bureau["owner"].sql("SELECT status FROM cases WHERE case_no = %s", (other_case,))
    assert desk.run(monkeypatch, "cases", "transition", desk.url, other_case, "处置",
                    "--by", "CC0001") == EXIT_DENIED
    err = capsys.readouterr().err
    assert desk.user in err and "街道管理员" in err and other_case in err
    assert bureau["owner"].sql("SELECT status FROM cases WHERE case_no = %s", (other_case,)) == before

    officer = bureau["owner"].sql("SELECT staff_no FROM officers ORDER BY staff_no LIMIT 1")[0][0]
    other_cell = _cell(desk, OTHER)
    n_resp = bureau["owner"].sql("SELECT count(*) FROM responsibilities")[0][0]
    assert desk.run(monkeypatch, "assign", desk.url, "--officer", officer, "--role", "网格员",
                    "--cells", other_cell) == EXIT_DENIED
    err = capsys.readouterr().err
    assert desk.user in err and ("超出所辖街道" in err or "不能修改其他街道" in err)
    assert bureau["owner"].sql("SELECT count(*) FROM responsibilities")[0][0] == n_resp

    assert desk.run(monkeypatch, "cases", "transition", desk.url, my_case, "处置",
                    "--by", "CC0001") == 0
    assert bureau["owner"].sql("SELECT status FROM cases WHERE case_no = %s",
                               (my_case,))[0][0] != "派遣"


def test_a_dispatcher_moves_cases_everywhere_but_edits_no_grid(bureau, monkeypatch, capsys):
    desk = bureau["dispatch"]
    case = _case(desk, "440604100")
    assert desk.run(monkeypatch, "cases", "transition", desk.url, case, "处置",
                    "--by", "CC0001") == 0
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        desk.sql("UPDATE cells SET name = 'x' WHERE code = %s", (_cell(desk, OTHER),))
    officer = bureau["owner"].sql("SELECT staff_no FROM officers ORDER BY staff_no LIMIT 1")[0][0]
    capsys.readouterr()
    assert desk.run(monkeypatch, "assign", desk.url, "--officer", officer, "--role", "网格员",
                    "--cells", _cell(desk, OTHER)) == EXIT_DENIED
    assert "不允许修改表 responsibilities" in capsys.readouterr().err


def test_a_reader_reads_and_writes_nothing(bureau, monkeypatch, capsys):
    desk = bureau["reader"]
    assert desk.run(monkeypatch, "info", desk.url) == 0
    assert "网格" in capsys.readouterr().out
    assert desk.run(monkeypatch, "cases", "transition", desk.url, _case(desk, MINE), "处置",
                    "--by", "CC0001") == EXIT_DENIED
    for query in ("UPDATE cases SET status = 'x'", "DELETE FROM enterprises",
                  "INSERT INTO gridmgr_audit (at, action, detail) VALUES ('t', 'x', '{}')"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            desk.sql(query)


def test_a_district_administrator_may_do_everything(bureau):
    desk = bureau["admin"]
    other = _cell(desk, OTHER)
    assert desk.sql("UPDATE cells SET name = name WHERE code = %s RETURNING code", (other,)) == [(other,)]


def test_the_audit_log_names_the_database_user(bureau, monkeypatch):
    desk, owner = bureau["street"], bureau["owner"]
    last = owner.sql("SELECT max(id) FROM gridmgr_audit")[0][0]
    case = _case(desk, MINE, "派遣")
    assert desk.run(monkeypatch, "cases", "transition", desk.url, case, "处置", "--by", "CC0001") == 0
    rows = owner.sql("SELECT action, db_user FROM gridmgr_audit WHERE id > %s ORDER BY id", (last,))
    assert rows == [("case transition", desk.user)]  # one row for one action, none of kind 'sql'

    last = owner.sql("SELECT max(id) FROM gridmgr_audit")[0][0]
    desk.sql("UPDATE cells SET name = name WHERE code = %s", (_cell(desk, MINE),))
    rows = owner.sql("SELECT action, db_user, detail FROM gridmgr_audit WHERE id > %s", (last,))
    assert [(r[0], r[1]) for r in rows] == [("sql", desk.user)]
    assert '"cells"' in rows[0][2]

    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # a login cannot sign as another
        desk.sql("UPDATE gridmgr_audit SET db_user = 'someone' WHERE id = %s", (last,))
    monkeypatch.setenv("PGPASSWORD", owner.password)
    store = open_project(owner.url, readonly=True)
    try:
        assert store.audit_log()[-1]["db_user"] == desk.user
    finally:
        store.close()


def test_grant_and_revoke_change_what_a_login_may_do(bureau, monkeypatch):
    owner, desk = bureau["owner"], bureau["street"]
    other = _cell(desk, OTHER)
    server.grant_user(owner.url, desk.user, "street", streets=[OTHER])
    desk.sql("UPDATE cells SET name = name WHERE code = %s", (other,))
    server.revoke_user(owner.url, desk.user, None, streets=[OTHER])
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        desk.sql("UPDATE cells SET name = name WHERE code = %s", (other,))
    assert main(["users", "revoke", owner.url, bureau["reader"].user]) == 0
    assert bureau["reader"].user not in {u["user"] for u in server.list_users(owner.url)}
    with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedTable)):
        bureau["reader"].sql("SELECT count(*) FROM cases")  # not even the schema is visible
    server.grant_user(owner.url, bureau["reader"].user, "reader", streets=[])


def test_new_users_get_their_password_from_stdin_never_the_command_line(bureau, monkeypatch,
                                                                        capsys):
    owner = bureau["owner"]
    name = f"new_{owner.schema}"
    monkeypatch.setattr("sys.stdin", io.StringIO("a-good-password\n"))
    assert main(["users", "add", owner.url, name, "--role", "reader", "--password-stdin"]) == 0
    assert "新建登录" in capsys.readouterr().out
    assert Desk(owner.pg, owner.schema, name, "a-good-password").sql("SELECT 1") == [(1,)]


@pytest.mark.parametrize("argv, says", [
    (["users", "add", "{url}", "u_bad", "--role", "boss", "--password-stdin"], "未知的角色"),
    (["users", "grant", "{url}", "{street}", "--role", "street", "--street", "999"],
     "项目里没有这些街道"),
    (["users", "grant", "{url}", "{street}", "--role", "street"], "需要 --street"),
    (["users", "grant", "{url}", "nobody_here", "--role", "reader"], "没有用户 nobody_here"),
    (["users", "list", "/tmp/a.gpkg"], "只用于服务器项目"),
])
def test_bad_user_commands_say_why(bureau, capsys, argv, says):
    fill = {"url": bureau["owner"].url, "street": bureau["street"].user}
    assert main([a.format(**fill) for a in argv]) == EXIT_USAGE
    assert says in capsys.readouterr().err


def test_a_login_without_createrole_cannot_manage_users(bureau, monkeypatch):
    desk = bureau["admin"]
    monkeypatch.setenv("PGPASSWORD", desk.password)
    with pytest.raises(PermissionDenied):
        server.add_user(desk.url, "x_" + desk.schema, "reader", password=lambda: "longenough",
                        streets=[])
