"""Schema 13: steps written by something else than gridmgr (QGIS, psql, a script) never leave a
case's reduced log (``case_times``) stale — the trigger drops the row of every case whose steps
were inserted, changed or deleted, the indicators replay those cases and still equal the replay
of the whole log; gridmgr's own writes keep every row; the duplicate steps index is gone."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from test_case_times import assert_same, fill, random_cases

from gridmgr.project import init_project, open_project
from gridmgr.storage.gpkg import schema


def foreign_sql(store: Any, request: pytest.FixtureRequest) -> Callable[..., list[Any]]:
    """Run SQL on the project as another program would: its own connection, no gridmgr."""
    if type(store).__name__ != "PgStore":
        path = store.path

        def run_file(sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
            conn = sqlite3.connect(path)
            try:
                with conn:
                    return conn.execute(sql, params).fetchall()
            finally:
                conn.close()
        return run_file
    import psycopg

    pg = request.getfixturevalue("pg_server")

    def run_server(sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with psycopg.connect(host="127.0.0.1", port=pg.port, user=pg.user,
                             password=os.environ["PGPASSWORD"], dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'SET search_path TO "{store.location.schema}", public')
            cur = conn.execute(sql.replace("?", "%s"), params)
            return cur.fetchall() if cur.description else []
    return run_server


def timed(store: Any) -> dict[str, dict[str, Any]]:
    frame = store.case_time_frame()
    frame = frame[frame["timed"].astype(bool)]
    return frame.set_index("uuid").drop(columns="timed").astype(str).to_dict("index")


def test_foreign_steps_drop_their_cases_rows_and_the_figures_stay_right(new_location, request):
    cases, logs = random_cases(23, n=160, bare=10)
    with init_project(new_location("s.gpkg"), name="禅城区", admin_code="440604") as store:
        fill(store, cases, logs, 23)
        with_steps = [c["uuid"] for c, log in zip(cases, logs) if len(log) >= 2]
        a, b, c, d = with_steps[:4]
        before = timed(store)
        assert set(before) == {c["uuid"] for c, log in zip(cases, logs) if log}
        sql = foreign_sql(store, request)
        # another program: a new step for a, a changed time for b, c's last step deleted,
        # and d's step uuid changed (which no figure depends on)
        seq_a = sql("SELECT max(seq) FROM case_transitions WHERE case_uuid = ?", (a,))[0][0]
        sql("INSERT INTO case_transitions (uuid, case_uuid, seq, action, from_status, "
            "to_status, at) VALUES ('qgis-1', ?, ?, '结案', NULL, '结案', '2026-06-30T10:00:00')",
            (a, seq_a + 1))
        sql("UPDATE case_transitions SET at = '2026-02-02T08:00:00' WHERE case_uuid = ? AND "
            "seq = 2", (b,))
        sql("DELETE FROM case_transitions WHERE case_uuid = ? AND seq = (SELECT max(seq) FROM "
            "case_transitions WHERE case_uuid = ?)", (c, c))
        sql("UPDATE case_transitions SET uuid = 'renamed' WHERE case_uuid = ? AND seq = 1", (d,))
        after = timed(store)
        assert set(before) - set(after) == {a, b, c}  # those three, and only those
        assert {k: after[k] for k in after} == {k: before[k] for k in after}
        assert assert_same(store) > 150  # the dropped cases are replayed: same figures
        # gridmgr's next step for a puts its row back, equal to a rebuild from the log
        with store.atomic():
            store.insert_transitions([{"case_uuid": a, "seq": seq_a + 2, "action": "督办",
                                       "from_status": "结案", "to_status": "结案",
                                       "at": "2026-07-01T09:00:00"}])
        assert a in timed(store)
        kept = timed(store)
        with store.atomic():
            store.refresh_case_times()
        rebuilt = timed(store)
        assert {k: kept[k] for k in kept} == {k: rebuilt[k] for k in kept}
        assert set(rebuilt) - set(kept) == {b, c}
        assert assert_same(store) > 150


def test_gridmgrs_own_writes_keep_every_row(new_location):
    """Through the trigger (file) or past it (server): after gridmgr's writes every case with
    steps has its row, equal to a rebuild."""
    cases, logs = random_cases(29, n=120, bare=0)
    with init_project(new_location("k.gpkg"), name="禅城区", admin_code="440604") as store:
        fill(store, cases, logs, 29)
        kept = timed(store)
        assert len(kept) == sum(1 for log in logs if log)
        with store.atomic():
            store.refresh_case_times()
        assert timed(store) == kept


def _step_indexes(store: Any, request: pytest.FixtureRequest) -> set[str]:
    sql = foreign_sql(store, request)
    if type(store).__name__ == "PgStore":
        return {r[0] for r in sql("SELECT indexname FROM pg_indexes WHERE tablename = "
                                  "'case_transitions' AND schemaname = current_schema()")}
    return {r[0] for r in sql("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                              "tbl_name = 'case_transitions'")}


def test_the_steps_have_no_duplicate_index(new_location, request):
    with init_project(new_location("i.gpkg"), name="禅城区", admin_code="440604") as store:
        names = _step_indexes(store, request)
        assert "idx_case_transitions_at" in names
        assert "idx_case_transitions_case" not in names
        # the UNIQUE (case_uuid, seq) constraint is the index a case's steps are read by
        assert any(n.startswith("sqlite_autoindex") or "case_uuid_seq" in n for n in names)


def test_a_schema_12_file_upgraded_gets_the_trigger_and_loses_the_index(tmp_path, monkeypatch,
                                                                         request):
    p = tmp_path / "v12.gpkg"
    cases, logs = random_cases(31, n=60, bare=0)
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", {v: f for v, f in schema.MIGRATIONS.items() if v < 13})
        m.setattr(schema, "SCHEMA_VERSION", 12)
        store = init_project(p, name="禅城区", admin_code="440604")
        fill(store, cases, logs, 31)
        assert "idx_case_transitions_case" in _step_indexes(store, request)
        store.close()
    with open_project(p) as store:
        assert store.meta()["schema_version"] == str(schema.SCHEMA_VERSION)
        assert "idx_case_transitions_case" not in _step_indexes(store, request)
        u = next(c["uuid"] for c, log in zip(cases, logs) if log)
        foreign_sql(store, request)("DELETE FROM case_transitions WHERE case_uuid = ?", (u,))
        assert u not in timed(store)
        assert assert_same(store) > 40


def test_the_server_trigger_skips_what_gridmgr_marks_as_kept(new_location, backend):
    """gridmgr's writer marks its transaction, so a case import does not pay one delete per
    step; an unmarked write (any other client) drops the row."""
    if backend != "postgis":
        pytest.skip("the file has no mark: big writes take its triggers out (the next test)")
    from gridmgr.storage.postgis import case_times_guard

    cases, logs = random_cases(37, n=20, bare=0)
    with init_project(new_location("g.gpkg"), name="禅城区", admin_code="440604") as store:
        fill(store, cases, logs, 37)
        u, v = [c["uuid"] for c, log in zip(cases, logs) if log][:2]

        def step(case: str) -> None:
            seq = store.db.execute("SELECT max(seq) FROM case_transitions WHERE case_uuid = ?",
                                   [case]).fetchone()[0]
            store.db.execute("INSERT INTO case_transitions (uuid, case_uuid, seq, action, at) "
                             "VALUES (?, ?, ?, '督办', '2026-06-01T09:00:00')",
                             [f"m-{case}", case, seq + 1])
        with store.atomic():
            case_times_guard.mark_kept(store.db, True)
            step(u)
            case_times_guard.mark_kept(store.db, False)
            step(v)
        got = timed(store)
        assert u in got and v not in got


def test_a_bulk_write_puts_the_file_triggers_back_exactly(new_location, backend):
    """gridmgr's big writes take the triggers out for their length (they would cost ~12 µs a
    step) and put them back as they were — after an error too."""
    if backend == "postgis":
        pytest.skip("the server's trigger is skipped by a mark, never dropped")
    from gridmgr.storage.gpkg.case_times import OWN_STEPS_BULK, STALE_TRIGGERS

    cases, logs = random_cases(41, n=OWN_STEPS_BULK // 2, bare=0)
    with init_project(new_location("b.gpkg"), name="禅城区", admin_code="440604") as store:
        def triggers() -> list[str]:
            return [r[0] for r in store.db.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
                "'case_transitions' ORDER BY name").fetchall()]

        assert triggers() == sorted(STALE_TRIGGERS)
        steps = [s for log in logs for s in log]
        assert len(steps) >= OWN_STEPS_BULK
        with pytest.raises(sqlite3.IntegrityError), store.atomic():
            store.insert_cases(cases, [None] * len(cases))
            store.insert_transitions(steps + steps[:1])  # a duplicate (case, seq): refused
        assert triggers() == sorted(STALE_TRIGGERS)
        fill(store, cases, logs, 41)
        assert triggers() == sorted(STALE_TRIGGERS)
        assert len(timed(store)) == sum(1 for log in logs if log)
