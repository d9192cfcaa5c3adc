"""A project on the shared server: URLs, push and pull, what QGIS sees, and the faults a desk
meets (wrong password, no server, not a project, newer schema, a push that fails half-way).

Every test here talks to the run's own throwaway cluster on 127.0.0.1 (``pg_server``); the rest
of the suite runs on the server too with ``--backend postgis``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from gridmgr.cli import main
from gridmgr.errors import (
    EXIT_SERVER,
    NewerSchema,
    NotAProject,
    ProjectExists,
    ServerError,
    UsageError,
)
from gridmgr.project import init_project, open_project, pull_project, push_project, summary
from gridmgr.storage import GpkgStore, api
from gridmgr.storage.location import parse_server
from gridmgr.storage.postgis import transfer
from gridmgr.storage.postgis.store import PgStore


def _url(pg_server: Any, schema: str) -> str:
    return pg_server.url("postgres", schema=schema)


def _sql(pg_server: Any, query: str, params: Any = None) -> list[tuple[Any, ...]]:
    import os

    with psycopg.connect(host="127.0.0.1", port=pg_server.port, user=pg_server.user,
                         password=os.environ["PGPASSWORD"], dbname="postgres",
                         autocommit=True) as conn:
        cur = conn.execute(query, params)
        return cur.fetchall() if cur.description else []


def test_a_url_names_server_database_and_schema():
    loc = parse_server("postgresql://desk1@db.bureau:5433/grid?schema=chancheng")
    assert (loc.host, loc.port, loc.dbname, loc.user, loc.schema) == (
        "db.bureau", 5433, "grid", "desk1", "chancheng")
    assert str(loc) == "postgresql://desk1@db.bureau:5433/grid?schema=chancheng"


@pytest.mark.parametrize("url, says", [
    ("postgresql://desk1:secret@127.0.0.1/grid?schema=tc", "不能写密码"),
    ("postgresql://desk1@127.0.0.1/grid", "缺少 ?schema="),
    ("postgresql://desk1@127.0.0.1/grid?schema=Robert');DROP", "schema 名只能"),
])
def test_bad_urls_are_refused_before_connecting(url, says):
    with pytest.raises(UsageError, match=says.replace("?", r"\?")):
        parse_server(url)


def test_a_password_in_the_url_never_reaches_the_output(capsys):
    code = main(["info", "postgresql://desk1:hunter2@127.0.0.1:1/grid?schema=tc"])
    out = capsys.readouterr()
    assert code == 2 and "hunter2" not in out.out + out.err


def test_init_on_the_server_makes_a_project_like_a_file_one(pg_server, tmp_path):
    url = _url(pg_server, "init_like_file")
    with init_project(url, name="禅城区", admin_code="440604") as server, \
            init_project(tmp_path / "p.gpkg", name="禅城区", admin_code="440604") as file:
        assert isinstance(server, PgStore) and isinstance(server, api.Store)
        a, b = summary(server), summary(file)
        assert {**a, "path": None} == {**b, "path": None}
        assert server.categories() == file.categories()
        assert server.calendar_rows() == file.calendar_rows()
    with pytest.raises(ProjectExists):
        push_project(tmp_path / "p.gpkg", url)


def test_push_then_pull_gives_the_same_project(pg_server, demo_file, tmp_path, capsys):
    url = _url(pg_server, "roundtrip")
    assert main(["push", str(demo_file), url]) == 0
    back = tmp_path / "back.gpkg"
    assert main(["pull", url, str(back)]) == 0
    capsys.readouterr()
    for cmd in (["info", "--json"], ["enterprises", "check"], ["grid", "validate"],
                ["stats", "--as-of", "2026-06-30"], ["stats", "--by", "community", "--as-of",
                                                     "2026-06-30"]):
        outs = []
        for where in (demo_file, url, back):
            args = [cmd[0], str(where), *cmd[1:]] if cmd[0] != "enterprises" and \
                cmd[0] != "grid" else [cmd[0], cmd[1], str(where), *cmd[2:]]
            main(args)
            text = capsys.readouterr().out
            outs.append(text.replace(str(where), "PROJECT"))
        assert outs[0] == outs[1] == outs[2], cmd
    with open_project(demo_file, readonly=True) as a, open_project(back, readonly=True) as b:
        assert len(a.audit_log()) == len(b.audit_log()) > 0
        ga, gb = a.areas("cell"), b.areas("cell")
        assert list(ga["code"]) == list(gb["code"])
        assert ga.geometry.geom_equals_exact(gb.geometry, 1e-9).all()
        ta, tb = a.transitions_frame(), b.transitions_frame()
        assert len(ta) == len(tb) > 0 and list(ta["uuid"]) == list(tb["uuid"])


def test_pull_scope_keeps_one_street_and_what_lies_in_it(pg_server, demo_file, tmp_path,
                                                         capsys):
    url = _url(pg_server, "scoped")
    push_project(demo_file, url)
    street = "440604011"
    part = tmp_path / "zhangcha.gpkg"
    assert main(["pull", url, str(part), "--scope", street]) == 0
    with open_project(demo_file, readonly=True) as whole, open_project(part) as one:
        assert list(one.areas("street")["code"]) == [street]
        assert list(one.areas("district")["code"]) == ["440604"]  # its parent stays
        cells = whole.areas("cell")
        mine = cells[cells["code"].str.startswith(street)]
        assert sorted(one.areas("cell")["code"]) == sorted(mine["code"]) and len(mine) > 100
        ents, ents_one = whole.enterprises(), one.enterprises()
        assert len(ents_one) == (ents["street_code"] == street).sum() > 0
        cases_whole = whole.cases_frame()
        kept = cases_whole[cases_whole["street_code"] == street]
        assert sorted(one.cases_frame()["case_no"]) == sorted(kept["case_no"])
        steps = whole.transitions_frame()
        assert len(one.transitions_frame()) == steps["case_uuid"].isin(kept["uuid"]).sum()
        assert summary(one)["scope"] == street
    assert "部分副本" in (main(["info", str(part)]), capsys.readouterr().out)[1]
    with pytest.raises(UsageError, match="部分副本"):
        push_project(part, _url(pg_server, "scoped_back"))
    with pytest.raises(UsageError, match="没有这个编码的区域"):
        pull_project(url, tmp_path / "none.gpkg", scope="999")
    assert not (tmp_path / "none.gpkg").exists()


def test_the_server_layers_are_what_qgis_opens(pg_server, demo):
    if not isinstance(demo, str):
        demo_url = _url(pg_server, "qgis_view")
        from gridmgr.storage import push_project as push

        push(demo, demo_url)
    else:
        demo_url = demo
    schema = parse_server(demo_url).schema
    cols = dict(_sql(pg_server, "SELECT f_table_name, type || ':' || srid FROM geometry_columns "
                                "WHERE f_table_schema = %s", [schema]))
    assert cols == {"districts": "MULTIPOLYGON:4490", "streets": "MULTIPOLYGON:4490",
                    "communities": "MULTIPOLYGON:4490", "cells": "MULTIPOLYGON:4490",
                    "enterprises": "POINT:4490", "cases": "POINT:4490",
                    "inspections": "POINT:4490"}
    gist = {r[0] for r in _sql(pg_server, "SELECT tablename FROM pg_indexes WHERE schemaname = %s "
                                          "AND indexdef LIKE '%%USING gist%%'", [schema])}
    assert gist == set(cols)
    valid = _sql(pg_server, f'SELECT count(*), count(*) FILTER (WHERE ST_IsValid(geom)) FROM '
                            f'"{schema}".cells')
    assert valid[0][0] == valid[0][1] > 1000


def test_a_push_that_fails_half_way_leaves_the_server_as_it_was(pg_server, demo_file,
                                                                monkeypatch):
    url = _url(pg_server, "half_push")
    real = transfer._copy_table
    seen: list[str] = []

    def flaky(gpkg: Any, db: Any, table: str, *rest: Any) -> int:
        seen.append(table)
        if table == "enterprises":  # rebuilt by schema 8: the last of the big tables copied
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return real(gpkg, db, table, *rest)

    monkeypatch.setattr(transfer, "_copy_table", flaky)
    with pytest.raises(psycopg.OperationalError):
        push_project(demo_file, url)
    assert "cells" in seen and "cases" in seen  # it got that far, then rolled back
    assert _sql(pg_server, "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s",
                ["half_push"]) == []


def test_pull_refuses_to_overwrite_and_leaves_no_partial_file(pg_server, demo_file, tmp_path,
                                                              monkeypatch):
    url = _url(pg_server, "pull_faults")
    push_project(demo_file, url)
    out = tmp_path / "copy.gpkg"
    out.write_bytes(b"keep me")
    with pytest.raises(ProjectExists):
        pull_project(url, out)
    assert out.read_bytes() == b"keep me"

    def boom(*a: Any, **k: Any) -> int:
        raise psycopg.OperationalError("connection lost")

    monkeypatch.setattr(transfer, "_pull_table", boom)
    fresh = tmp_path / "fresh.gpkg"
    with pytest.raises(psycopg.OperationalError):
        pull_project(url, fresh)
    assert not fresh.exists() and not list(tmp_path.glob("*.pulling"))
    assert not list(tmp_path.glob(".gridmgr-pull.*"))  # the hidden build folder is gone too


def test_wrong_password_and_no_server_are_one_line_each(pg_server, monkeypatch, capsys):
    url = _url(pg_server, "nobody_here")
    monkeypatch.setenv("PGPASSWORD", "not-the-password")
    assert main(["info", url]) == EXIT_SERVER
    err = capsys.readouterr().err
    assert "密码错误" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    from gridmgr.storage.postgis.localserver import free_port

    closed = f"postgresql://x@127.0.0.1:{free_port()}/postgres?schema=tc"
    with pytest.raises(ServerError, match="无法连接服务器 127.0.0.1"):
        open_project(closed)


def test_a_schema_that_is_not_a_project_and_a_newer_one(pg_server):
    _sql(pg_server, "CREATE SCHEMA IF NOT EXISTS someone_elses")
    _sql(pg_server, "CREATE TABLE IF NOT EXISTS someone_elses.roads (id int)")
    with pytest.raises(NotAProject, match="不是 gridmgr 项目"):
        open_project(_url(pg_server, "someone_elses"))
    with pytest.raises(NotAProject, match="没有项目 schema"):
        open_project(_url(pg_server, "never_made"))
    url = _url(pg_server, "from_the_future")
    init_project(url, name="禅城区", admin_code="440604").close()
    _sql(pg_server, "UPDATE from_the_future.gridmgr_meta SET value = '99' "
                    "WHERE key = 'schema_version'")
    with pytest.raises(NewerSchema, match="结构版本 99"):
        open_project(url)


def test_the_server_store_offers_what_the_file_store_does_and_no_more():
    """Both adapters answer the same protocol (tests/storage/test_seam.py checks the file one
    member by member); the server one adds only where it is."""
    public = {n for n in dir(PgStore) if not n.startswith("_")}
    assert public == {n for n in dir(GpkgStore) if not n.startswith("_")}
    assert issubclass(PgStore, GpkgStore)


def test_cli_server_start_and_stop(tmp_path_factory, capsys):
    import os
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="gridmgr-cli-pg-"))
    os.chmod(base, 0o755)
    try:
        assert main(["server", "start", str(base / "db")]) == 0
        out = capsys.readouterr().out
        assert "127.0.0.1:" in out and (base / "db.password").exists()
        assert oct((base / "db.password").stat().st_mode)[-3:] == "600"
        assert (base / "db.password").read_text().strip() not in out  # never printed
        assert main(["server", "stop", str(base / "db")]) == 0
    finally:
        main(["server", "stop", str(base / "db")])
        shutil.rmtree(base, ignore_errors=True)


def test_gdal_opens_the_server_layers_as_qgis_would(pg_server, demo_file):
    """QGIS reads PostGIS through GDAL/OGR's PostgreSQL driver (Debian's gdal-bin): the same
    layers, geometry types, CRS and counts as the file project."""
    import os
    import shutil
    import subprocess

    url = _url(pg_server, "for_qgis")
    push_project(demo_file, url)
    ogrinfo = shutil.which("ogrinfo")
    assert ogrinfo, "gdal-bin (scripts/setup.sh) provides ogrinfo"
    conn = (f"PG:host=127.0.0.1 port={pg_server.port} dbname=postgres user={pg_server.user} "
            "schemas=for_qgis")
    env = {**os.environ}
    out = subprocess.run([ogrinfo, "-ro", "-so", conn, "cells"], capture_output=True,
                         text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Geometry: Multi Polygon" in out.stdout and "Feature Count: 1963" in out.stdout
    assert 'ID["EPSG",4490]' in out.stdout
    listed = subprocess.run([ogrinfo, "-ro", "-q", conn], capture_output=True, text=True,
                            env=env, timeout=60).stdout
    for layer in ("districts", "streets", "communities", "cells", "enterprises", "cases"):
        assert f"{layer} (" in listed, listed


def _cli(*args: str, **env: str) -> Any:
    import os
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-m", "gridmgr", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **env})


def test_two_desks_registering_one_case_at_once_one_wins_one_is_told(pg_server, demo_file):
    """Two processes (two desks) give the same 受理 case 立案 at the same moment, repeated:
    exactly one step lands each time, the other desk is refused with the reason, no lost or
    doubled step, no traceback."""
    url = _url(pg_server, "two_desks")
    push_project(demo_file, url)
    with open_project(url, readonly=True) as store:
        waiting = list(store.cases_frame(status="受理")["case_no"])[:5]
    assert len(waiting) == 5
    for no in waiting:
        a, b = (_cli("cases", "transition", url, no, "立案", "--by", staff)
                for staff in ("CC0100", "CC0101"))
        outs = [(p.wait(60), *p.communicate()) for p in (a, b)]
        codes = sorted(o[0] for o in outs)
        assert codes == [0, 2], outs  # one 立案, one refusal (a usage error: not allowed now)
        refused = next(o for o in outs if o[0] == 2)
        assert "立案" in refused[2] and "Traceback" not in refused[2]
        with open_project(url, readonly=True) as store:
            row = store.case_row(no)
            steps = store.transitions_frame(case_uuid=row["uuid"])
            assert row["status"] == "立案"
            assert list(steps["action"]).count("立案") == 1
            assert list(steps["seq"]) == list(range(1, len(steps) + 1))


def test_a_desk_kept_waiting_by_another_desks_write_is_told_and_readers_go_on(pg_server,
                                                                              demo_file):
    url = _url(pg_server, "busy_desk")
    push_project(demo_file, url)
    with open_project(url, readonly=True) as store:
        no = list(store.cases_frame(status="受理")["case_no"])[0]
    holder = open_project(url)
    try:
        with holder.atomic():  # desk 1 is in the middle of a write
            holder.audit("long import", {})
            waiter = _cli("cases", "transition", url, no, "立案", "--by", "CC0100",
                          GRIDMGR_BUSY_TIMEOUT="1")
            reader = _cli("info", url)
            assert reader.wait(30) == 0  # a reader is never blocked by a write
            rc = waiter.wait(30)
            err = waiter.communicate()[1]
            assert rc == 5 and "另一个工位正在写入" in err and "项目未改变" in err, err
            assert "Traceback" not in err
    finally:
        holder.close()
    with open_project(url, readonly=True) as store:
        assert store.case_row(no)["status"] == "受理"  # the refused desk wrote nothing
        assert store.audit_log()[-1]["action"] == "long import"  # desk 1's write landed


def test_an_older_server_schema_is_upgraded_in_place(pg_server, demo_file, capsys, tmp_path):
    from gridmgr.storage.gpkg.schema import SCHEMA_VERSION

    url = _url(pg_server, "older")
    push_project(demo_file, url)
    _sql(pg_server, "UPDATE older.gridmgr_meta SET value = '8' WHERE key = 'schema_version'")
    _sql(pg_server, "DELETE FROM older.gridmgr_schema WHERE version = 9")
    _sql(pg_server, "DROP TRIGGER gridmgr_audit_stamp ON older.gridmgr_audit")  # as schema 8 had
    _sql(pg_server, "ALTER TABLE older.gridmgr_audit DROP COLUMN db_user")
    _sql(pg_server, "DELETE FROM older.gridmgr_schema WHERE version > 9")  # as schema 8 had:
    _sql(pg_server, "DROP TABLE older.inspection_photos")  # no inspection photos, no styles
    _sql(pg_server, "DROP TABLE older.layer_styles")
    cases = _sql(pg_server, "SELECT count(*) FROM older.cases")[0][0]
    with pytest.raises(NotAProject, match="gridmgr upgrade"):
        open_project(url, readonly=True)  # a reader does not write: it says how
    assert main(["upgrade", url]) == 0
    assert f"结构版本 {SCHEMA_VERSION}" in capsys.readouterr().out
    assert _sql(pg_server, "SELECT value FROM older.gridmgr_meta WHERE key = 'schema_version'"
                ) == [(str(SCHEMA_VERSION),)]
    assert _sql(pg_server, "SELECT count(*) FROM older.cases")[0][0] == cases  # nothing lost
    assert _sql(pg_server, "SELECT action, db_user FROM older.gridmgr_audit ORDER BY id DESC "
                           "LIMIT 1") == [("upgrade", pg_server.user)]
    assert [v for (v,) in _sql(pg_server, "SELECT version FROM older.gridmgr_schema WHERE "
                                          "version > 8 ORDER BY version")] == [9, 10, 11, 12, 13]
    with open_project(url) as store:
        store.audit("test", {})
        assert store.audit_log()[-1]["db_user"] == pg_server.user
        with store.atomic():  # schema 11: an inspection's photo is kept on the server
            store.add_inspection_photo("insp-1", "a.jpg", "image/jpeg", b"\xff\xd8jpeg", None)
        assert [(p["name"], p["data"]) for p in store.inspection_photos("insp-1")] == \
            [("a.jpg", b"\xff\xd8jpeg")]
    # schema 11 on the server brought QGIS's default styles: the ones a push of the file brings
    push_project(demo_file, _url(pg_server, "older_ref"))
    query = ('SELECT f_table_name, f_geometry_column, "styleName", "useAsDefault", owner, '
             '"styleQML", "styleSLD" FROM {}.layer_styles ORDER BY f_table_name')
    upgraded = _sql(pg_server, query.format("older"))
    assert {"cells", "enterprises", "cases"} <= {r[0] for r in upgraded}
    assert upgraded == _sql(pg_server, query.format("older_ref"))
    pull_project(url, tmp_path / "pulled.gpkg")
    with open_project(tmp_path / "pulled.gpkg", readonly=True) as store:
        styled = {r[0] for r in store.db.execute("SELECT f_table_name FROM layer_styles WHERE "
                                                 "useAsDefault")}
    assert {"cells", "enterprises", "cases"} <= styled


def test_a_schema_9_server_project_gets_grid_teams_in_place(pg_server, demo_file, capsys):
    """Migration 10 on a live server: the role table filled from the shipped one and from the
    roles the desks' responsibility rows already use, the 小类 dispatch roles, nothing lost."""
    from gridmgr.registers.teams import roles

    url = _url(pg_server, "before_teams")
    push_project(demo_file, url)
    s = "before_teams"
    _sql(pg_server, f"DROP TABLE {s}.team_roles")
    _sql(pg_server, f"DROP INDEX {s}.idx_resp_role")
    _sql(pg_server, f"ALTER TABLE {s}.case_categories DROP COLUMN dispatch_role")
    _sql(pg_server, f"UPDATE {s}.gridmgr_meta SET value = '9' WHERE key = 'schema_version'")
    _sql(pg_server, f"DELETE FROM {s}.gridmgr_schema WHERE version = 10")
    # a bureau's own word for a role, written by a desk before teams existed
    _sql(pg_server, f"UPDATE {s}.responsibilities SET role = '巡查员', slot = 'collector' "
                    f"WHERE id = (SELECT min(id) FROM {s}.responsibilities)")
    before = _sql(pg_server, f"SELECT id, staff_no, role, slot, area_code, valid_from, "
                             f"valid_to FROM {s}.responsibilities ORDER BY id")
    assert any(r[2] == "巡查员" for r in before)
    assert main(["upgrade", url]) == 0
    capsys.readouterr()
    assert _sql(pg_server, f"SELECT id, staff_no, role, slot, area_code, valid_from, valid_to "
                           f"FROM {s}.responsibilities ORDER BY id") == before
    with open_project(url, readonly=True) as store:
        table = {r["name"]: r for r in roles(store)}
        assert store.team_roles()  # the project's own table, not the shipped fallback
        cats = store.categories()
    assert {"网格长", "网格员", "执法队员", "协管员", "监督员", "区级监管责任人"} <= set(table)
    assert table["巡查员"]["slot"] == "collector" and table["巡查员"]["multiple"] == 1
    assert cats["SJ0502"]["dispatch_role"] == "执法队员"
    assert _sql(pg_server, "SELECT count(*) FROM pg_indexes WHERE schemaname = %s AND "
                           "indexname = 'idx_resp_role'", [s]) == [(1,)]


def test_an_older_server_schema_without_a_server_form_says_how(pg_server, demo_file,
                                                               monkeypatch):
    from gridmgr.storage.postgis import migrations

    url = _url(pg_server, "older_noform")
    push_project(demo_file, url)
    _sql(pg_server, "UPDATE older_noform.gridmgr_meta SET value = '8' WHERE key = "
                    "'schema_version'")
    monkeypatch.setattr(migrations, "SERVER_FORMS", {})
    with pytest.raises(NotAProject, match="pull 成文件"):
        open_project(url)


def test_a_connection_lost_mid_import_writes_nothing_and_says_so(pg_server, tmp_path,
                                                                  monkeypatch, capsys):
    """The server ends the desk's session while the import is inserting (as a dropped network
    or a restarted server would): one line, exit 7, the project as it was before."""
    data = Path(__file__).resolve().parents[2] / "gridmgr" / "data" / "demo" / "chancheng"
    url = _url(pg_server, "dropped")
    with init_project(url, name="禅城区", admin_code="440604"):
        pass
    assert main(["grid", "import", url, str(data / "district.geojson"), "--level", "district"]) == 0
    audit_before = _sql(pg_server, "SELECT count(*) FROM dropped.gridmgr_audit")

    real = PgStore._insert_features

    def cut_then_insert(self, table, rows, geoms):
        pid = self.db.execute("SELECT pg_backend_pid()").fetchone()[0]
        _sql(pg_server, "SELECT pg_terminate_backend(%s)", [pid])
        return real(self, table, rows, geoms)

    monkeypatch.setattr(PgStore, "_insert_features", cut_then_insert)
    capsys.readouterr()
    code = main(["grid", "import", url, str(data / "streets.geojson"), "--level", "street"])
    err = capsys.readouterr().err
    assert code == EXIT_SERVER, err
    assert "连接中断" in err and "没有写入任何内容" in err and "Traceback" not in err
    assert _sql(pg_server, "SELECT count(*) FROM dropped.streets") == [(0,)]
    assert _sql(pg_server, "SELECT count(*) FROM dropped.gridmgr_audit") == audit_before
