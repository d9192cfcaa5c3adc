"""Grid teams (issue 15, points 5 and 6): the editable role table, several roles on one cell
each with its own history, dispatch by the category's role, workload and field packages over
the whole team, migration 7 of an older project, and assignment files with a dry run, a report
and the backdating hint — on the small hand-counted project of test_responsibility and on the
demo district."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from small_district import (
    C1,
    C1_CELLS,
    C2,
    C2_CELLS,
    STREET,
    X0,
    Y0,
)

from gridmgr.cases.lifecycle import Dispatcher, create_case, transition
from gridmgr.cli import main
from gridmgr.errors import UsageError
from gridmgr.fieldwork.scope import resolve_scope
from gridmgr.project import init_project, open_project
from gridmgr.registers.responsibility import assign, assign_from_file, check, effective
from gridmgr.registers.teams import add_role, edit_role, remove_role, roles
from gridmgr.storage.gpkg import schema

DATA = Path(__file__).resolve().parents[2] / "data"
SAMPLE = DATA / "samples" / "team_assignments.csv"


# --------------------------------------------------------------------------- the role table

def test_the_shipped_role_table_and_its_cli(small, capsys):
    p = str(small.path)
    assert [r["name"] for r in roles(small)] == ["网格长", "网格员", "执法队员", "协管员", "监督员",
                                                 "信息采集员", "区级监管责任人"]
    assert main(["team-roles", "list", p]) == 0
    out = capsys.readouterr().out
    assert "执法队员\t责任人（受理派遣）\t单人" in out and "协管员\t团队成员\t可多人" in out
    assert main(["team-roles", "add", p, "河长", "--after", "网格员", "--required"]) == 0
    assert [r["name"] for r in roles(small)][:3] == ["网格长", "网格员", "河长"]
    # a required role: check reports every cell without one, until someone is assigned
    report = check(small)
    assert {f.code for f in report.refused if f.reason == "cell_without_role"} == \
        set(C1_CELLS + C2_CELLS)
    assign(small, staff_no="T006", role="河长", area=STREET)
    assert not [f for f in check(small).refused if f.reason == "cell_without_role"]
    assert check(small).info["team"]["河长"] == 6
    # rename: the rows keep their periods under the new word; remove: only if never held
    assert main(["team-roles", "rename", p, "河长", "河湖长"]) == 0
    rows = small.responsibilities()
    assert list(rows["role"]) == ["河湖长"] and rows["valid_to"].isna().all()
    assert main(["team-roles", "remove", p, "河湖长"]) == 2
    assert "1 条责任记录" in capsys.readouterr().err
    with pytest.raises(UsageError, match="执法队员"):  # categories are dispatched to it
        remove_role(small, "执法队员")
    add_role(small, "巡河员")
    remove_role(small, "巡河员")
    assert "巡河员" not in {r["name"] for r in roles(small)}
    # making a role single while two hold it on one cell would lose a term: refused
    assign(small, staff_no="T006", role="协管员", cells=[C1_CELLS[0]])
    assign(small, staff_no="T007", role="协管员", cells=[C1_CELLS[0]])
    with pytest.raises(UsageError, match="多人同时在任"):
        edit_role(small, "协管员", multiple=False)
    actions = [a["action"] for a in small.audit_log()]
    assert {"team-roles add", "team-roles rename", "team-roles remove"} <= set(actions)


# --------------------------------------------------------------------------- dispatch

def _case(store, category: str, x: float, y: float, at: str) -> str:
    row = create_case(store, source="巡查上报", category=category, lon=X0 + x, lat=Y0 + y,
                      coords="EPSG:4547", reported_at=at, by_staff_no="T001")
    transition(store, row["case_no"], "立案", by="T001", at=at)
    return transition(store, row["case_no"], "派遣", by="T001", at=at)["handler_staff_no"]


def test_dispatch_picks_the_role_the_category_names(small):
    c = C1_CELLS[0]  # x 0–100 m
    assign(small, staff_no="T001", role="网格员", cells=[c], from_date="2025-01-01")
    assign(small, staff_no="T002", role="网格员", area=C2, from_date="2025-01-01")
    assign(small, staff_no="T003", role="执法队员", cells=[c], from_date="2025-06-01")
    cats = small.categories()
    assert cats["SJ0502"]["dispatch_role"] == "执法队员"  # 占道经营: an 执法 category
    assert cats["SJ0102"]["dispatch_role"] is None  # 暴露垃圾: the 网格员's
    # 占道经营 in the cell: to the 执法队员; 暴露垃圾 in the same cell: to the 网格员
    assert _case(small, "占道经营", 50, 100, "2025-07-01T09:00") == "T003"
    assert _case(small, "暴露垃圾", 50, 100, "2025-07-01T09:00") == "T001"
    # before the 执法队员 came, and where there is none (兴华社区): the 网格员 answers
    assert _case(small, "占道经营", 50, 100, "2025-05-01T09:00") == "T001"
    assert _case(small, "占道经营", 350, 100, "2025-07-01T09:00") == "T002"
    d = Dispatcher(small)
    assert d.handler(c, C1, STREET, "2025-07-01", "执法队员") == ("T003", "cell", "执法队员")
    assert d.handler(C2_CELLS[0], C2, STREET, "2025-07-01", "执法队员") == \
        ("T002", "community", "网格员")
    # a category mapped to 协管员 by the bureau, with one on the community
    assign(small, staff_no="T006", role="协管员", area=C1, from_date="2025-01-01")
    # (a dispatcher loaded before that assignment falls back to the 网格员)
    assert d.handler(c, C1, STREET, "2025-07-01", "协管员") == ("T001", "cell", "网格员")
    assert Dispatcher(small).handler(c, C1, STREET, "2025-07-01", "协管员") == \
        ("T006", "community", "协管员")


def test_categories_file_carries_the_dispatch_role(small, tmp_path):
    from gridmgr.cases.categories import export_categories, import_categories

    out = tmp_path / "cats.xlsx"
    export_categories(small, out)
    frame = pd.read_excel(out, dtype=object)
    assert frame.set_index("小类编码").loc["SJ0502", "派遣角色"] == "执法队员"
    frame.loc[frame["小类编码"] == "SJ0102", "派遣角色"] = "协管员"
    frame.loc[frame["小类编码"] == "SJ0502", "派遣角色"] = None
    frame.to_excel(out, index=False)
    report = import_categories(small, out)
    assert report.refused == []
    cats = small.categories()
    assert (cats["SJ0102"]["dispatch_role"], cats["SJ0502"]["dispatch_role"]) == ("协管员", None)
    frame.loc[frame["小类编码"] == "SJ0102", "派遣角色"] = "巡逻员"
    frame.to_excel(out, index=False)
    report = import_categories(small, out)
    assert [(f.reason, f.code) for f in report.refused] == [("unknown_dispatch_role", "SJ0102")]
    assert small.categories()["SJ0102"]["dispatch_role"] == "协管员"  # nothing changed
    # an older file without the column keeps every category's role
    frame.drop(columns=["派遣角色"]).to_excel(out, index=False)
    assert import_categories(small, out).info["dispatch_roles_kept"] is True
    assert small.categories()["SJ0102"]["dispatch_role"] == "协管员"
    assert small.categories()["SJ0601"]["dispatch_role"] == "执法队员"


# --------------------------------------------------------------------------- field packages

def test_a_fieldpack_scope_covers_every_cell_of_the_officers_teams(small):
    assign(small, staff_no="T001", role="网格员", area=C1)
    assign(small, staff_no="T006", role="协管员", cells=[C2_CELLS[1]])
    assign(small, staff_no="T006", role="监督员", cells=[C1_CELLS[2]])
    assign(small, staff_no="T003", role="执法队员", area=STREET)
    scope, _ = resolve_scope(small, officer="T006", area=None)
    assert sorted(scope.cells) == sorted([C2_CELLS[1], C1_CELLS[2]])
    scope, _ = resolve_scope(small, officer="T003", area=None)  # by fallback from the street
    assert sorted(scope.cells) == sorted(C1_CELLS + C2_CELLS)
    with pytest.raises(UsageError, match="T007"):
        resolve_scope(small, officer="T007", area=None)


# --------------------------------------------------------------------------- migration 10

def test_migration_10_keeps_every_assignment_of_a_schema_9_project(tmp_path, monkeypatch):
    p = tmp_path / "v9.gpkg"
    with monkeypatch.context() as m:  # a project as gridmgr wrote it before teams
        m.setattr(schema, "MIGRATIONS", {v: f for v, f in schema.MIGRATIONS.items() if v < 10})
        m.setattr(schema, "SCHEMA_VERSION", 9)
        store = init_project(p, name="禅城区", admin_code="440604")
        with store.atomic():
            store.upsert_officers([{"staff_no": s, "name": n, "role": r} for s, n, r in (
                ("T001", "张伟", "网格员"), ("T003", "王强", "执法队员"),
                ("T004", "赵敏", "区级监管责任人"), ("T008", "周杰", "巡查员"))])
            store.insert_responsibilities([
                {"staff_no": "T001", "role": "网格员", "slot": "primary", "system": "urban",
                 "level": "community", "area_code": C1, "valid_from": "2024-01-01",
                 "valid_to": "2025-01-01"},
                {"staff_no": "T003", "role": "执法队员", "slot": "primary", "system": "urban",
                 "level": "community", "area_code": C1, "valid_from": "2025-01-01"},
                {"staff_no": "T004", "role": "区级监管责任人", "slot": "supervisor",
                 "system": "urban", "level": "street", "area_code": STREET,
                 "valid_from": "2024-01-01"},
                {"staff_no": "T008", "role": "巡查员", "slot": "collector", "system": "urban",
                 "level": "community", "area_code": C2, "valid_from": "2024-06-01"}])
        assert store.meta()["schema_version"] == "9"
        assert not store.has_table("team_roles")
        before = store.responsibilities()
        store.close()
    with open_project(p, readonly=True) as old:  # read-only: not migrated, still readable
        assert old.categories()["SJ0502"]["dispatch_role"] is None
        assert [r["name"] for r in roles(old)][:2] == ["网格长", "网格员"]
    with open_project(p) as store:
        assert store.meta()["schema_version"] == str(schema.SCHEMA_VERSION)
        after = store.responsibilities()
        table = {r["name"]: r for r in store.team_roles()}
        cats = store.categories()
    pd.testing.assert_frame_equal(after, before)  # every row, every period, as it was
    assert table["巡查员"]["slot"] == "collector" and table["巡查员"]["multiple"] == 1
    assert {"网格长", "网格员", "执法队员", "协管员", "监督员"} <= set(table)
    assert cats["SJ0502"]["dispatch_role"] == "执法队员"


# --------------------------------------------------------------------------- assignment files

def _state(store) -> tuple[pd.DataFrame, int]:
    return store.responsibilities(), len(store.audit_log())


def test_the_sample_file_dry_run_reports_exactly_what_the_real_run_does(demo_copy, capsys):
    with open_project(demo_copy) as store:
        before = _state(store)
        dry = assign_from_file(store, str(SAMPLE), dry_run=True)
        rows, audits = _state(store)
        pd.testing.assert_frame_equal(rows, before[0])  # nothing written, not even audit
        assert audits == before[1]
        real = assign_from_file(store, str(SAMPLE))
        after = store.responsibilities()
        eff = effective(store, as_of="2026-03-01").set_index("cell_code")
    d, r = dry.to_dict(), real.to_dict()
    assert d.pop("dry_run") is True and r.pop("dry_run") is False
    assert d == r
    assert dry.info == {**real.info, "dry_run": True}
    assert real.refused == [] and real.accepted == 7
    assert [(c["row"], c["role"], c["action"]) for c in real.info["changes"]] == [
        (3, "执法队员", "opened"), (4, "协管员", "opened"), (5, "网格长", "opened"),
        (6, "执法队员", "opened"), (7, "协管员", "opened"), (8, "执法队员", "opened"),
        (9, "监督员", "opened")]
    assert real.info["closed"] == 0  # nobody's term ends: the 网格员 stay
    assert len(after) == len(before[0]) + 7
    # a cell of 澜石社区 has its whole team, each from the community
    cell = eff[eff["community_code"] == "440604010001"].iloc[0]
    assert [(m["role"], m["staff_no"]) for m in cell["team"]] == [
        ("网格长", "CC0141"), ("网格员", "CC0042"), ("执法队员", "CC0013"), ("协管员", "CC0140"),
        ("区级监管责任人", "CC0001")]
    # the CLI prints the same, and --dry-run says it wrote nothing
    assert main(["assign", str(demo_copy), "--file", str(SAMPLE), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "第 3 行：CC0013 自 2025-01-01 起任 440604010001 的 执法队员" not in out  # done
    assert "已分配" not in out and "原本如此" in out and "试运行" in out


def test_rows_without_a_start_date_warn_about_earlier_cases(demo_copy, tmp_path, capsys):
    with open_project(demo_copy, readonly=True) as store:
        cases = store.cases_frame()
        counted = cases[(cases["community_code"] == "440604010002")]
    assert len(counted) > 0
    report_path = tmp_path / "r.json"
    assert main(["assign", str(demo_copy), "--file", str(SAMPLE), "--dry-run",
                 "--report", str(report_path)]) == 0
    out = capsys.readouterr().out
    assert "将分配 7 条" in out and "（试运行，未写入）" in out
    saved = json.loads(report_path.read_text(encoding="utf-8"))
    hint = [f for f in saved["warnings"] if f["reason"] == "earlier_cases_not_reassigned"]
    assert [f["row"] for f in hint] == [7]  # the one row without 起始日期
    assert hint[0]["extra"]["total"] == len(counted)
    assert hint[0]["extra"]["open"] == int((~counted["status"].isin(["结案", "作废"])).sum())
    assert "--from YYYY-MM-DD" in hint[0]["message"] and "CC0140" in hint[0]["message"]
    # one officer on the command line without --from: the same hint, with the command
    assert main(["assign", str(demo_copy), "--officer", "CC0016", "--role", "执法队员",
                 "--area", "440604010002"]) == 0
    out = capsys.readouterr().out
    assert f"已有 {len(counted)} 个案件" in out and "不会派给 CC0016（执法队员）" in out
    assert "--from YYYY-MM-DD" in out
    # with --from there is nothing to warn about
    assert main(["assign", str(demo_copy), "--officer", "CC0017", "--role", "执法队员",
                 "--area", "440604010004", "--from", "2025-01-01"]) == 0
    assert "提醒" not in capsys.readouterr().out


def test_workload_cli_lists_every_role(demo_copy, capsys):
    assert main(["-q", "assign", str(demo_copy), "--file", str(SAMPLE)]) == 0
    capsys.readouterr()
    assert main(["workload", str(demo_copy), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    mine = {(r["staff_no"], r["role"]): r for r in rows}
    with open_project(demo_copy, readonly=True) as store:
        cells = store.areas("cell")
    n2 = int((cells["parent_code"] == "440604010002").sum())
    n1 = int((cells["parent_code"] == "440604010001").sum())
    assert mine[("CC0140", "协管员")]["cells"] == n1 + n2
    assert mine[("CC0014", "执法队员")]["cells"] == n2
    assert mine[("CC0141", "网格长")]["cells"] == n1
    assert mine[("CC0042", "网格员")]["cells"] == n1  # the 网格员's term goes on
