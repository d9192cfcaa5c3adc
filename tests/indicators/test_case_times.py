"""``case_times`` (schema 12): the indicators read each case's reduced log for the period asked
and equal the replay of the whole raw log (``indicators.load`` + ``case_states``, kept as the
reference) — on a randomised project with reopenings (返工), extensions, returns, voided and
parked cases, overdue ones, cases crossing month edges, cases without steps, steps appended in
later writes, and ``as_of`` moments before some cases' last steps."""

from __future__ import annotations

import calendar
import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from shapely.geometry import Point, box

from gridmgr.indicators import compute as ind
from gridmgr.indicators.compute import Period
from gridmgr.progress import run
from gridmgr.project import init_project, open_project
from gridmgr.storage.gpkg import schema

STREETS = ("440604001", "440604002", "440604003")
CELLS = [f"{s}{c:03d}{k:02d}" for s in STREETS for c in (1, 2) for k in (1, 2)]
# (action, to-status; "=" keeps the status), weighted towards the usual path
MOVES = [("立案", "立案"), ("派遣", "派遣"), ("反馈", "反馈"), ("核查通过", "核查"),
         ("结案", "结案"), ("返工", "处置"), ("延期", "="), ("回退", "立案"), ("作废", "作废"),
         ("挂账", "挂账"), ("督办", "="), ("派遣", "派遣"), ("反馈", "反馈"), ("结案", "结案")]
START = datetime(2026, 2, 1, 8, 0)


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def random_cases(seed: int, n: int = 360, bare: int = 30
                 ) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """``n`` cases with random logs (times over Feb–May 2026, deadlines some met, some
    missed) and ``bare`` without steps (their columns stand for their history)."""
    rng = random.Random(seed)
    cases, logs = [], []
    for i in range(n + bare):
        u = f"case-{seed}-{i:04d}"
        cell = rng.choice(CELLS)
        t = START + timedelta(hours=rng.randint(0, 24 * 110), minutes=rng.randint(0, 59))
        reported = _iso(t)
        steps: list[dict[str, Any]] = []
        status = "受理"
        if i < n:
            steps.append({"case_uuid": u, "seq": 1, "action": "受理", "from_status": None,
                          "to_status": "受理", "at": reported,
                          "due_at": _iso(t + timedelta(hours=rng.randint(1, 30)))})
            for seq in range(2, rng.randint(1, 10) + 1):
                action, to = rng.choice(MOVES)
                t += timedelta(hours=rng.randint(1, 150))
                if rng.random() < 0.05:  # a step recorded out of time order
                    t -= timedelta(hours=rng.randint(1, 60))
                to = status if to == "=" else to
                due = (_iso(t + timedelta(hours=rng.randint(2, 240)))
                       if rng.random() < 0.8 else None)
                steps.append({"case_uuid": u, "seq": seq, "action": action,
                              "from_status": status, "to_status": to, "at": _iso(t),
                              "due_at": due})
                status = to
        reg = (_iso(START + timedelta(hours=rng.randint(0, 24 * 110)))
               if i >= n and rng.random() < 0.7 else None)
        bare_status = rng.choice(["受理", "立案", "派遣", "结案", "作废", "挂账"])
        closed = _iso(START + timedelta(days=rng.randint(0, 110))) if (
            i >= n and bare_status == "结案") else None
        cases.append({
            "uuid": u, "case_no": f"AJ{seed}{i:05d}", "source": "巡查上报", "system": "urban",
            "status": status if i < n else bare_status, "category_code": rng.choice(
                ["0101", "0102", None]), "cell_code": cell, "community_code": cell[:12],
            "street_code": cell[:9], "handler_staff_no": rng.choice(["P1", "P2", None]),
            "reported_at": reported, "registered_at": reg,
            "dispatched_at": reg if reg and rng.random() < 0.6 else None,
            "dispose_due_at": _iso(START + timedelta(days=rng.randint(0, 120))) if reg else None,
            "due_at": _iso(START + timedelta(days=rng.randint(0, 120))) if reg else None,
            "closed_at": closed, "rework_count": rng.randint(0, 1),
            "extension_count": rng.randint(0, 1)})
        logs.append(steps)
    return cases, logs


def fill(store: Any, cases: list[dict[str, Any]], logs: list[list[dict[str, Any]]],
         seed: int) -> None:
    """The cases, then their steps in three writes: a first part of most logs, the rest
    appended (seq > 1), and some logs whole in the last write."""
    rng = random.Random(seed + 1)
    cut = [rng.randint(0, len(log)) for log in logs]
    with store.atomic():
        store.insert_areas("street", [{"code": s, "name": f"街道{s[-1]}", "parent_code": "440604",
                                       "valid_from": "2025-01-01"} for s in STREETS],
                           [box(113 + k, 23, 113.1 + k, 23.1) for k in range(len(STREETS))])
        store.insert_cases(cases, [Point(113.005, 23.005)] * len(cases))
        store.insert_transitions([s for log, k in zip(logs, cut) for s in log[:k]])
    with store.atomic():
        store.insert_transitions([s for i, (log, k) in enumerate(zip(logs, cut))
                                  for s in log[k:] if i % 3])
    with store.atomic():
        store.insert_transitions([s for i, (log, k) in enumerate(zip(logs, cut))
                                  for s in log[k:] if not i % 3])


GROUPINGS = ["street", "cell", "officer", "category", "month"]
MOMENTS = (datetime(2026, 8, 1, 0, 0), datetime(2026, 3, 20, 12, 0),
           datetime(2026, 4, 30, 23, 59, 59))
PERIODS = (Period.parse("2026-03"), Period(), Period.parse("2026Q2"),
           Period.between("2026-02-15", "2026-04-10"), Period.between("2026-04-01", None))


def tables(store: Any, as_of: datetime, period: Period, data: Any = None) -> list[Any]:
    return run(ind.project_tables(store, GROUPINGS, as_of=as_of, period=period,
                                  weights=dict(ind.DEFAULT_WEIGHTS), data=data))


def assert_same(store: Any) -> int:
    """Every grouping, moment and period: the fast path's tables equal the replay's; returns
    the registered cases seen (so a test knows the data was not empty)."""
    reference = run(ind.load(store))
    seen = 0
    for as_of in MOMENTS:
        for period in PERIODS:
            fast = tables(store, as_of, period)
            slow = tables(store, as_of, period, data=reference)
            for a, b in zip(fast, slow):
                assert a.records() == b.records(), (a.by, as_of, period)
                assert a.total_record() == b.total_record(), (a.by, as_of, period)
            seen += fast[0].total["registered"]
    return seen


@pytest.mark.parametrize("seed", [3, 17])
def test_the_reduced_logs_give_the_replays_figures(new_location, seed):
    cases, logs = random_cases(seed)
    with init_project(new_location(f"r{seed}.gpkg"), name="禅城区", admin_code="440604") as store:
        fill(store, cases, logs, seed)
        assert assert_same(store) > 500
        # one row per case with steps; what three writes kept equals a rebuild from the log
        kept = sorted(store.case_time_frame().query("timed == True or timed == 1")["uuid"])
        assert kept == sorted(c["uuid"] for c, log in zip(cases, logs) if log)
        before = store.case_time_frame().sort_values("uuid").reset_index(drop=True)
        with store.atomic():
            assert store.refresh_case_times() == sum(1 for log in logs if log)
        after = store.case_time_frame().sort_values("uuid").reset_index(drop=True)
        assert before.astype(str).equals(after.astype(str))
        # a month reads the cases that month can count, not the whole project
        march = store.case_time_frame(Period.parse("2026-03").first,
                                      Period.parse("2026-03").last)
        assert 0 < len(march) < len(cases) * 0.6


def test_a_workflow_step_keeps_the_reduced_log_right(new_location):
    """A step written at the desk (``lifecycle.transition``) updates the case's row."""
    from gridmgr.cases import lifecycle

    cases, logs = random_cases(5, n=60, bare=0)
    with init_project(new_location("w.gpkg"), name="禅城区", admin_code="440604") as store:
        fill(store, cases, logs, 5)
        opened = [c for c, log in zip(cases, logs) if log and log[-1]["to_status"] == "受理"]
        assert opened
        no = opened[0]["case_no"]
        lifecycle.transition(store, no, "立案", by=None, at="2026-07-01T09:00:00", note="立案")
        got = store.case_time_frame().set_index("uuid").loc[opened[0]["uuid"]]
        assert got["t_status"] == "立案"
        assert int(got["t_reg_at"]) == calendar.timegm((2026, 7, 1, 9, 0, 0))
        assert int(got["t_last_at"]) == calendar.timegm((2026, 7, 1, 9, 0, 0))
        assert assert_same(store) > 0


def test_a_schema_11_project_upgraded_gives_the_same_figures(tmp_path, monkeypatch):
    p = tmp_path / "v11.gpkg"
    cases, logs = random_cases(11, n=200, bare=10)
    with monkeypatch.context() as m:  # a project as gridmgr wrote it before case_times
        m.setattr(schema, "MIGRATIONS", {v: f for v, f in schema.MIGRATIONS.items() if v < 12})
        m.setattr(schema, "SCHEMA_VERSION", 11)
        store = init_project(p, name="禅城区", admin_code="440604")
        fill(store, cases, logs, 11)
        assert not store.has_table("case_times")
        store.close()
    with open_project(p, readonly=True) as old:  # read-only: not migrated, the replay answers
        assert not old.has_table("case_times")
        before = [t.records() for t in tables(old, MOMENTS[0], PERIODS[0])]
    with open_project(p) as store:
        assert store.meta()["schema_version"] == str(schema.SCHEMA_VERSION)
        timed = store.case_time_frame()
        assert int(timed["timed"].astype(bool).sum()) == sum(1 for log in logs if log)
        assert [t.records() for t in tables(store, MOMENTS[0], PERIODS[0])] == before
        assert assert_same(store) > 200


def test_a_schema_11_server_project_upgraded_in_place_gives_the_same_figures(
        pg_server, tmp_path):
    """The server form of migration 12: a server schema without case_times (as schema 11 had)
    is upgraded by ``gridmgr upgrade`` and its indicators equal the replay of its log."""
    import os

    import psycopg

    from gridmgr.cli import main
    from gridmgr.project import push_project

    def sql(query: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(host="127.0.0.1", port=pg_server.port, user=pg_server.user,
                             password=os.environ["PGPASSWORD"], dbname="postgres",
                             autocommit=True) as conn:
            cur = conn.execute(query)
            return cur.fetchall() if cur.description else []

    cases, logs = random_cases(12, n=150, bare=10)
    p = tmp_path / "p.gpkg"
    with init_project(p, name="禅城区", admin_code="440604") as store:
        fill(store, cases, logs, 12)
    url = pg_server.url("postgres", schema="older12")
    push_project(p, url)
    sql("DROP TABLE older12.case_times")
    sql("DELETE FROM older12.gridmgr_schema WHERE version = 12")
    sql("UPDATE older12.gridmgr_meta SET value = '11' WHERE key = 'schema_version'")
    assert main(["upgrade", url]) == 0
    assert sql("SELECT count(*) FROM older12.case_times") == [(sum(1 for log in logs if log),)]
    with open_project(url) as store:
        assert assert_same(store) > 150


def test_imports_and_desk_steps_on_the_demo_keep_the_reduced_logs(demo_copy, tmp_path):
    """The demo (built by the case import and desk steps), then an import of new cases, desk
    steps, and a re-import appending to cases that have steps: ``case_times`` equals a rebuild
    from the log, and the indicators equal the replay."""
    import csv

    from gridmgr.cases import lifecycle
    from gridmgr.cases.importer import import_cases

    head = ["工单编号", "来源", "问题类型", "诉求内容", "经度", "纬度", "来电时间", "工单状态",
            "派单时间", "办结时间", "办理时限"]

    def good(no: str, status: str = "处理中", closed: str = "") -> list[str]:
        return [no, "12345", "暴露垃圾", "垃圾堆放", "113.1334", "23.0102", "2026-02-10 09:00",
                status, "2026-02-10 09:30", closed, ""]

    def write(rows: list[list[str]]) -> Any:
        f = tmp_path / "a.csv"
        with f.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(head)
            w.writerows(rows)
        return f

    with open_project(demo_copy) as store:
        run(import_cases(store, write([good("D1"), good("D2"), good("D3")])))
        lifecycle.transition(store, "D1", "反馈", by="CC0001", at="2026-02-10T12:00")
        lifecycle.transition(store, "D2", "反馈", by="CC0001", at="2026-02-10T12:00")
        lifecycle.transition(store, "D2", "返工", by="CC0001", at="2026-02-10T12:30",
                             note="没扫干净")
        report = run(import_cases(store, write([
            good("D1", status="已办结", closed="2026-02-10 15:00"), good("D2"),
            good("D3", status="已办结", closed="2026-02-10 16:00")]), coords="wgs84"))
        assert report.info["updated"] == 2  # D1 and D3 closed by the file; D2 as it was
        kept = store.case_time_frame().sort_values("uuid").reset_index(drop=True)
        assert set(kept.loc[kept["t_status"].notna(), "uuid"]) >= {
            store.case_row(n)["uuid"] for n in ("D1", "D2", "D3")}
        d1 = kept.set_index("uuid").loc[store.case_row("D1")["uuid"]]
        assert d1["t_status"] == "结案"
        with store.atomic():
            store.refresh_case_times()
        rebuilt = store.case_time_frame().sort_values("uuid").reset_index(drop=True)
        assert kept.astype(str).equals(rebuilt.astype(str))
        assert assert_same(store) > 100
