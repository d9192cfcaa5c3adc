"""``Store.bulk_indexes``: a bulk write into a small table builds its secondary indexes once at
the end — the same indexes afterwards, whatever happens inside, and the same rows read back."""

from __future__ import annotations

import uuid

import pytest

from gridmgr.storage import Store
from gridmgr.storage.gpkg.features import BULK_MIN_ROWS

N = BULK_MIN_ROWS + 500


def steps(n: int, cases: int = 500) -> list[dict[str, object]]:
    ids = [str(uuid.uuid4()) for _ in range(cases)]
    return [{"case_uuid": ids[i % cases], "seq": i // cases + 1, "action": "受理",
             "from_status": None, "to_status": "受理", "at": f"2026-03-{i % 28 + 1:02d}T09:00:00",
             "note": f"n{i}", "due_at": None} for i in range(n)]


def indexes(store: Store) -> list[tuple[str, str]]:
    """The file's indexes on the steps (the server's are its own business: [])."""
    if type(store).__name__ == "PgStore":
        return []
    return store.db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                            "tbl_name = 'case_transitions' ORDER BY name").fetchall()


def test_the_same_indexes_and_rows_after_a_bulk_insert(project: Store, backend: str) -> None:
    before = indexes(project)
    rows = steps(N)
    with project.atomic():
        with project.bulk_indexes({"case_transitions": N}):
            if backend != "postgis":  # the file drops them for the length of the insert
                assert [n for n, sql in indexes(project) if sql] == []
            project.insert_transitions(rows)
    assert indexes(project) == before
    if backend != "postgis":
        assert {n for n, sql in before if sql} == {"idx_case_transitions_at"}
        plan = " ".join(str(r) for r in project.db.execute(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM case_transitions WHERE at >= ?",
            ["2026-03-28"]).fetchall())
        assert "idx_case_transitions_at" in plan
        assert project.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    got = project.transitions_frame(at_from="2026-03-28")
    assert len(got) == sum(1 for r in rows if r["at"] >= "2026-03-28") > 300
    last = project.last_steps([rows[0]["case_uuid"]])
    assert last[rows[0]["case_uuid"]]["seq"] == max(r["seq"] for r in rows
                                                    if r["case_uuid"] == rows[0]["case_uuid"])


def test_a_small_insert_or_a_big_table_keeps_its_indexes(project: Store, backend: str) -> None:
    if backend == "postgis":
        pytest.skip("the server never drops its indexes")
    before = indexes(project)
    with project.atomic():
        with project.bulk_indexes({"case_transitions": 100}):  # too few to bother
            assert indexes(project) == before
        project.insert_transitions(steps(N))
        # fewer than half as many as the table has
        with project.bulk_indexes({"case_transitions": N // 2 - 1}):
            assert indexes(project) == before
    with project.bulk_indexes({"case_transitions": 10 * N}):  # outside a transaction: nothing
        assert indexes(project) == before


def test_an_error_inside_leaves_the_indexes(project: Store, backend: str) -> None:
    before = indexes(project)
    with pytest.raises(ZeroDivisionError), project.atomic():
        with project.bulk_indexes({"case_transitions": N}):
            project.insert_transitions(steps(N))
            raise ZeroDivisionError
    assert indexes(project) == before and len(project.transitions_frame()) == 0
    # a caller that catches the error and commits keeps the indexes too
    with project.atomic():
        try:
            with project.bulk_indexes({"case_transitions": N}):
                project.insert_transitions(steps(N))
                raise KeyError("x")
        except KeyError:
            pass
    assert indexes(project) == before and len(project.transitions_frame()) == N


def test_an_update_drops_only_the_indexes_on_what_it_writes(project: Store, backend: str
                                                            ) -> None:
    if backend == "postgis":
        pytest.skip("the server never drops its indexes")
    project.insert_transitions(steps(N))

    def names() -> set[str]:
        return {n for n, sql in indexes(project) if sql}

    before = indexes(project)
    with project.atomic():
        with project.bulk_indexes({"case_transitions": N}, ("at", "note")):
            assert names() == set()  # the index on at goes; UNIQUE (case_uuid, seq) stays
            assert any(n.startswith("sqlite_autoindex") for n, sql in indexes(project))
        assert indexes(project) == before
        with project.bulk_indexes({"case_transitions": N}, ("seq", "note")):  # not on at
            assert names() == {"idx_case_transitions_at"}
        assert indexes(project) == before
        with project.bulk_indexes({"case_transitions": N}, ("note",)):  # no index on it
            assert indexes(project) == before
