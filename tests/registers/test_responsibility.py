"""Who answers for which cell, from when to when: assign with history, the shared primary slot,
属地兜底 (community and street fallback), check, workload, bulk assignments from a file, the
staff list import, and the CLI — on a small project whose every number is counted by hand, and
on the demo district's assignments.csv."""

from __future__ import annotations

import pandas as pd
import pyogrio
import pytest
from small_district import (
    ALL_CELLS,
    C1,
    C1_CELLS,
    C2,
    C2_CELLS,
    CELL_M2,
    DEMO,
    ENTERPRISES,
    NAME,
    OFFICER_HEADERS,
    OFFICERS,
    STREET,
    make_code,
    write_csv,
)

from gridmgr.cli import main
from gridmgr.errors import InputFileError, UsageError
from gridmgr.progress import run
from gridmgr.project import open_project
from gridmgr.registers.officers import import_officers
from gridmgr.registers.responsibility import assign, assign_from_file, check, effective, workload
from gridmgr.storage import Store


def who(store: Store, as_of: str | None = None, slot: str = "primary") -> dict[str, tuple]:
    """cell → (staff_no, from-level) for a slot on a day."""
    eff = effective(store, as_of=as_of)
    return {c: (s, f) for c, s, f in zip(eff["cell_code"], eff[f"{slot}_staff_no"],
                                         eff[f"{slot}_from"])}


def findings(report) -> set[tuple[str, str]]:
    return {(f.reason, f.code) for f in report.findings}


# --------------------------------------------------------------------------- 1. history

def test_a_new_primary_closes_the_old_one_and_history_answers(small):
    c, other = C1_CELLS[0], C1_CELLS[1]
    done = assign(small, staff_no="T001", role="网格员", cells=[c], from_date="2025-01-01")
    assert done == {"opened": 1, "closed": [], "unchanged": [], "from": "2025-01-01"}
    done = assign(small, staff_no="T002", role="网格员", cells=[c], from_date="2025-06-01")
    assert done["opened"] == 1 and done["closed"] == [{"area": c, "staff_no": "T001"}]

    before = effective(small, as_of="2025-05-31").set_index("cell_code").loc[c]
    assert (before["primary_staff_no"], before["primary_name"], before["primary_mobile"]) == \
        ("T001", "张伟", "13800000001")
    assert before["primary_from"] == "cell"
    on = effective(small, as_of="2025-06-01").set_index("cell_code").loc[c]
    assert (on["primary_staff_no"], on["primary_name"]) == ("T002", "李娜")
    assert who(small, "2024-12-31")[c] == (None, None)  # before anyone was assigned
    assert who(small)[c] == ("T002", "cell")  # today

    rows = small.responsibilities()
    assert len(rows) == 2
    old = rows[rows["staff_no"] == "T001"].iloc[0]
    new = rows[rows["staff_no"] == "T002"].iloc[0]
    assert (old["valid_from"], old["valid_to"]) == ("2025-01-01", "2025-06-01")
    assert (new["valid_from"], new["valid_to"]) == ("2025-06-01", None)
    assert (new["role"], new["slot"], new["level"], new["area_code"]) == \
        ("网格员", "primary", "cell", c)

    # the same person again: unchanged, nothing written
    done = assign(small, staff_no="T002", role="网格员", cells=[c], from_date="2025-07-01")
    assert done["opened"] == 0 and done["closed"] == [] and done["unchanged"] == [c]
    snapshot = small.responsibilities()
    assert len(snapshot) == 2
    # restating a period history already holds (T001 from 2025-01-01) is no change either
    done = assign(small, staff_no="T001", role="网格员", cells=[c], from_date="2025-01-01")
    assert done["opened"] == 0 and done["closed"] == [] and done["unchanged"] == [c]
    pd.testing.assert_frame_equal(small.responsibilities(), snapshot)

    # earlier than the current holder's start (in the same role): refused, and nothing
    # changes — not even the other cell of the same request
    with pytest.raises(UsageError) as err:
        assign(small, staff_no="T003", role="网格员", cells=[other, c], from_date="2025-03-01")
    assert "2025-06-01" in str(err.value) and "T002" in str(err.value)
    pd.testing.assert_frame_equal(small.responsibilities(), snapshot)
    assert who(small, "2025-03-01")[other] == (None, None)


def test_unknown_officer_role_cell_or_area_are_refused(small):
    with pytest.raises(UsageError, match="T999"):
        assign(small, staff_no="T999", role="网格员", cells=[C1_CELLS[0]])
    with pytest.raises(UsageError, match="巡逻员"):
        assign(small, staff_no="T001", role="巡逻员", cells=[C1_CELLS[0]])
    with pytest.raises(UsageError, match="44060401000109"):
        assign(small, staff_no="T001", role="网格员", cells=["44060401000109"])
    with pytest.raises(UsageError, match="440604010009"):
        assign(small, staff_no="T001", role="网格员", area="440604010009")
    with pytest.raises(UsageError):  # both, or neither
        assign(small, staff_no="T001", role="网格员", cells=[C1_CELLS[0]], area=C1)
    assert len(small.responsibilities()) == 0


# --------------------------------------------------------------------------- 2. roles

def test_each_role_keeps_its_own_history_and_a_cell_has_a_team(small):
    c = C1_CELLS[1]
    assign(small, staff_no="T001", role="网格员", cells=[c], from_date="2025-01-01")
    # a 执法队员 joins the team: the 网格员's term goes on
    done = assign(small, staff_no="T003", role="执法队员", cells=[c], from_date="2025-02-01")
    assert done["closed"] == []
    # the supervisor is another role: nobody's term ends
    done = assign(small, staff_no="T004", role="区级监管责任人", cells=[c], from_date="2025-02-01")
    assert done["closed"] == []
    done = assign(small, staff_no="T005", role="监管责任人", cells=[c], from_date="2025-03-01")
    assert done["closed"] == [{"area": c, "staff_no": "T004"}]  # alias, one supervisor at a time
    # a new 网格员 ends only the 网格员's term; the 执法队员 stays
    done = assign(small, staff_no="T002", role="网格员", cells=[c], from_date="2025-04-01")
    assert done["closed"] == [{"area": c, "staff_no": "T001"}]
    # collectors and 协管员: several at once
    assert assign(small, staff_no="T006", role="信息采集员", cells=[c],
                  from_date="2025-01-01")["closed"] == []
    assert assign(small, staff_no="T007", role="信息采集员", cells=[c],
                  from_date="2025-02-01")["closed"] == []
    assert assign(small, staff_no="T006", role="协管员", cells=[c],
                  from_date="2025-02-01")["closed"] == []
    assert assign(small, staff_no="T007", role="协管员", cells=[c],
                  from_date="2025-02-01")["closed"] == []

    def team(day: str) -> list[tuple[str, str, str]]:
        row = effective(small, as_of=day).set_index("cell_code").loc[c]
        return [(m["role"], m["staff_no"], m["from"]) for m in row["team"]]

    # the whole team, in the role table's order, each from the cell itself
    assert team("2025-03-01") == [("网格员", "T001", "cell"), ("执法队员", "T003", "cell"),
                                  ("协管员", "T006", "cell"), ("协管员", "T007", "cell"),
                                  ("信息采集员", "T006", "cell"), ("信息采集员", "T007", "cell"),
                                  ("区级监管责任人", "T005", "cell")]
    assert team("2025-01-15") == [("网格员", "T001", "cell"), ("信息采集员", "T006", "cell")]
    assert team("2025-04-01")[:2] == [("网格员", "T002", "cell"), ("执法队员", "T003", "cell")]
    eff = effective(small, as_of="2025-03-01").set_index("cell_code").loc[c]
    # the primary (who gets a case whose category names no role) is the 网格员
    assert (eff["primary_staff_no"], eff["primary_role"]) == ("T001", "网格员")
    assert eff["supervisor_staff_no"] == "T005" and eff["collectors"] == "T006、T007"
    assert eff["team_text"].startswith("网格员 张伟 13800000001；执法队员 王强 13800000003；")
    eff = effective(small, as_of="2025-02-15").set_index("cell_code").loc[c]
    assert (eff["primary_staff_no"], eff["supervisor_staff_no"]) == ("T001", "T004")

    # each role's history: the 网格员 rows are T001 then T002; the 执法队员 row never closed
    rows = small.responsibilities()
    by_role = {r: sorted(zip(g["staff_no"], g["valid_from"], g["valid_to"].fillna("")))
               for r, g in rows.groupby("role")}
    assert by_role["网格员"] == [("T001", "2025-01-01", "2025-04-01"), ("T002", "2025-04-01", "")]
    assert by_role["执法队员"] == [("T003", "2025-02-01", "")]
    assert by_role["区级监管责任人"] == [("T004", "2025-02-01", "2025-03-01"),
                                        ("T005", "2025-03-01", "")]
    current = small.responsibilities(current_only=True)
    assert sorted(zip(current["slot"], current["role"], current["staff_no"])) == [
        ("collector", "信息采集员", "T006"), ("collector", "信息采集员", "T007"),
        ("member", "协管员", "T006"), ("member", "协管员", "T007"),
        ("primary", "执法队员", "T003"), ("primary", "网格员", "T002"),
        ("supervisor", "区级监管责任人", "T005")]


# --------------------------------------------------------------------------- 3. 属地兜底

def test_community_and_street_responsibility_cover_cells_without_their_own(small):
    day = "2025-01-01"
    assign(small, staff_no="T001", role="网格员", area=C1, from_date=day)
    primary = who(small, day)
    assert {c: primary[c] for c in C1_CELLS} == {c: ("T001", "community") for c in C1_CELLS}
    assert {c: primary[c] for c in C2_CELLS} == {c: (None, None) for c in C2_CELLS}
    rows = small.responsibilities()
    assert list(rows["level"]) == ["community"] and list(rows["area_code"]) == [C1]

    # a cell-level assignment overrides the community's, for that cell only
    assign(small, staff_no="T002", role="网格员", cells=[C1_CELLS[2]], from_date=day)
    primary = who(small, day)
    assert primary[C1_CELLS[2]] == ("T002", "cell")
    assert primary[C1_CELLS[0]] == primary[C1_CELLS[1]] == ("T001", "community")

    # a street-level supervisor covers every cell below it …
    assign(small, staff_no="T004", role="区级监管责任人", area=STREET, from_date=day)
    assert who(small, day, "supervisor") == {c: ("T004", "street") for c in ALL_CELLS}
    # … until a community has its own
    assign(small, staff_no="T005", role="区级监管责任人", area=C2, from_date="2025-02-01")
    sup = who(small, "2025-02-01", "supervisor")
    assert {c: sup[c] for c in C1_CELLS} == {c: ("T004", "street") for c in C1_CELLS}
    assert {c: sup[c] for c in C2_CELLS} == {c: ("T005", "community") for c in C2_CELLS}
    # a street-level primary reaches the cells the community does not cover
    assign(small, staff_no="T003", role="执法队员", area=STREET, from_date=day)
    primary = who(small, day)
    assert {c: primary[c] for c in C2_CELLS} == {c: ("T003", "street") for c in C2_CELLS}
    assert primary[C1_CELLS[0]] == ("T001", "community")
    # collectors fall back the same way: a cell's own, else the street's
    assign(small, staff_no="T006", role="信息采集员", area=STREET, from_date=day)
    assign(small, staff_no="T007", role="信息采集员", cells=[C1_CELLS[0]], from_date=day)
    eff = effective(small, as_of=day)
    collectors = dict(zip(eff["cell_code"], eff["collectors"]))
    assert collectors == {c: "T007" if c == C1_CELLS[0] else "T006" for c in ALL_CELLS}


# --------------------------------------------------------------------------- 4. check

def test_check_finds_exactly_the_gaps_and_they_go_when_assigned(small):
    codes = {e[0]: make_code(i + 1) for i, e in enumerate(ENTERPRISES)}
    report = check(small)
    want = ({("cell_without_primary", c) for c in ALL_CELLS}
            | {("cell_without_supervisor", c) for c in ALL_CELLS}
            | {("officer_without_area", s) for s in NAME}
            | {("key_enterprise_without_supervisor", codes[n])
               for n, k, *_ in ENTERPRISES if k in ("国控", "省控")})
    assert findings(report) == want
    assert len(report.findings) == len(want)  # each once
    assert {f.code for f in report.warnings} == set(NAME)  # idle officers only warn
    key = {f.code: f.extra["cell"] for f in report.refused
           if f.reason == "key_enterprise_without_supervisor"}
    assert key == {codes[n]: cell for n, k, _, _, cell in ENTERPRISES if k in ("国控", "省控")}

    # a supervisor for 升平社区: its cells and key enterprises are covered, 兴华社区's are not
    assign(small, staff_no="T004", role="区级监管责任人", area=C1)
    report = check(small)
    assert {c for r, c in findings(report) if r == "cell_without_supervisor"} == set(C2_CELLS)
    assert {c for r, c in findings(report) if r == "key_enterprise_without_supervisor"} == \
        {codes["佛山市禅城区己医药制造有限公司"]}
    assert ("officer_without_area", "T004") not in findings(report)

    # everything assigned, everyone busy: no findings at all
    assign(small, staff_no="T005", role="区级监管责任人", area=C2)
    assign(small, staff_no="T001", role="网格员", cells=C1_CELLS)
    assign(small, staff_no="T002", role="网格员", cells=C2_CELLS[:2])
    assign(small, staff_no="T003", role="执法队员", cells=C2_CELLS[2:])
    assign(small, staff_no="T006", role="信息采集员", area=STREET)
    assign(small, staff_no="T007", role="信息采集员", area=C2)
    report = check(small)
    assert report.findings == []
    assert report.accepted == len(ALL_CELLS)


# --------------------------------------------------------------------------- 5. workload

def test_workload_counts_per_role_equal_a_hand_count(small):
    assign(small, staff_no="T001", role="网格员", area=C1)
    assign(small, staff_no="T002", role="网格员", cells=[C1_CELLS[2]])
    assign(small, staff_no="T003", role="执法队员", area=C2)
    assign(small, staff_no="T003", role="执法队员", cells=[C1_CELLS[0]])  # 网格员 there too
    assign(small, staff_no="T004", role="区级监管责任人", area=STREET)
    assign(small, staff_no="T006", role="协管员", cells=C1_CELLS[:2])
    assign(small, staff_no="T001", role="协管员", cells=[C2_CELLS[0]])  # a second role
    table = workload(small).set_index(["staff_no", "role"])

    def hand(cells: list[str]) -> tuple[int, float, int, int]:
        inside = [e for e in ENTERPRISES if e[4] in cells]
        return (len(cells), len(cells) * CELL_M2 / 1e6, len(inside),
                sum(e[1] in ("国控", "省控") for e in inside))

    expected = {("T001", "网格员"): (hand(C1_CELLS[:2]), 0),
                ("T001", "协管员"): (hand(C2_CELLS[:1]), 1),
                ("T002", "网格员"): (hand(C1_CELLS[2:]), 1),
                ("T003", "执法队员"): (hand(C2_CELLS + C1_CELLS[:1]), 1),
                ("T004", "区级监管责任人"): (hand(ALL_CELLS), 0),
                ("T006", "协管员"): (hand(C1_CELLS[:2]), 2)}
    assert expected[("T001", "网格员")][0] == (2, 0.04, 3, 2)
    assert expected[("T003", "执法队员")][0] == (4, 0.08, 4, 2)
    for key, ((n, km2, ents, keyents), own) in expected.items():
        row = table.loc[key]
        assert row["cells"] == n, key
        assert row["own_cells"] == own, key
        assert row["area_km2"] == pytest.approx(km2, abs=0.0005), key
        assert (row["enterprises"], row["key_enterprises"]) == (ents, keyents), key
    assert table.loc[("T003", "执法队员"), "slot"] == "primary"
    assert table.loc[("T006", "协管员"), "slot"] == "member"
    # every role held is one row; officers with none (T005, T007) one row with zeros
    flat = workload(small)
    assert sorted(zip(flat["staff_no"], flat["role"].fillna("—"))) == sorted(
        [*expected, ("T005", "—"), ("T007", "—")])
    idle = flat[flat["role"].isna()]
    assert set(idle["staff_no"]) == {"T005", "T007"} and (idle["cells"] == 0).all()
    assert set(flat.loc[flat["staff_no"] == "T003", "name"]) == {"王强"}


# --------------------------------------------------------------------------- 6. assignments.csv

CHANGED = {"440604010005": ("CC0046", "CC0146"), "440604011002": ("CC0071", "CC0147"),
           "440604012003": ("CC0095", "CC0144"), "440604012005": ("CC0097", "CC0145"),
           "440604100203": ("CC0122", "CC0148")}
NO_SUPERVISOR = {"440604010211", "440604011215", "440604100217"}


def per_community(store: Store, day: str, slot: str = "primary") -> dict[str, set]:
    eff = effective(store, as_of=day)
    out: dict[str, set] = {}
    for comm, staff, src in zip(eff["community_code"], eff[f"{slot}_staff_no"],
                                eff[f"{slot}_from"]):
        out.setdefault(comm, set()).add((staff, src))
    return out


def test_demo_assignments_change_five_communities_on_1_march(demo):
    with open_project(demo, readonly=True) as store:
        feb = per_community(store, "2026-02-28")
        mar = per_community(store, "2026-03-01")
        sup = per_community(store, "2026-03-01", "supervisor")
        report = check(store)
        n_rows = len(store.responsibilities())
    assert n_rows == 194
    assert len(feb) == len(mar) == 96
    differs = {c for c in feb if feb[c] != mar[c]}
    assert differs == set(CHANGED)
    for comm, (old, new) in CHANGED.items():
        assert feb[comm] == {(old, "community")}
        assert mar[comm] == {(new, "community")}
    # every community has exactly one 网格员 for all its cells, from the community level
    assert all(len(v) == 1 and next(iter(v))[1] == "community" for v in mar.values())
    assert {c for c, v in sup.items() if v == {(None, None)}} == NO_SUPERVISOR
    # check: those three communities' cells have no supervisor; the replaced 网格员 are idle
    no_sup = {f.code[:12] for f in report.refused if f.reason == "cell_without_supervisor"}
    assert no_sup == NO_SUPERVISOR
    assert not [f for f in report.refused if f.reason == "cell_without_primary"]
    idle = {f.code for f in report.warnings if f.reason == "officer_without_area"}
    assert {old for old, _ in CHANGED.values()} <= idle
    assert not idle & {new for _, new in CHANGED.values()}


def test_assignment_rows_with_unknown_staff_or_area_are_reported_and_the_rest_land(
        demo_copy, tmp_path):
    src = write_csv(tmp_path / "more.csv", ["工号", "角色", "区域编码", "起始日期"], [
        ["CC0001", "区级监管责任人", "440604010211", "2026-04-01"],  # row 2: 黎冲村 gets one
        ["CC9999", "网格员", "440604010001", "2026-04-01"],  # row 3: unknown staff number
        ["CC0002", "区级监管责任人", "440604999999", "2026-04-01"],  # row 4: unknown area
        ["CC0046", "网格员", "440604011215", "2026-05-01"],  # row 5: 海口村's 网格员 changes
    ])
    with open_project(demo_copy) as store:
        before = len(store.responsibilities())
        report = assign_from_file(store, str(src))
        sup = per_community(store, "2026-04-01", "supervisor")
        primary = per_community(store, "2026-05-01")
        n_rows = len(store.responsibilities())
    assert [(f.row, f.reason) for f in report.refused] == [(3, "assignment_refused"),
                                                          (4, "assignment_refused")]
    assert "CC9999" in report.refused[0].message
    assert "440604999999" in report.refused[1].message
    assert report.accepted == 2
    assert sup["440604010211"] == {("CC0001", "community")}
    assert primary["440604011215"] == {("CC0046", "community")}
    assert n_rows == before + 2


def test_reapplying_the_same_assignments_file_changes_nothing(demo_copy):
    with open_project(demo_copy) as store:
        before = store.responsibilities()
        report = assign_from_file(store, str(DEMO / "chancheng" / "assignments.csv"))
        after = store.responsibilities()
    assert report.refused == []
    assert report.accepted == 194
    pd.testing.assert_frame_equal(after, before)


# --------------------------------------------------------------------------- 7. officers import

def test_officers_import_validates_normalises_and_refuses(project, tmp_path):
    rows = [
        ["张伟", "T001", "13800000001", "网格员", "祖庙街道城管办"],  # row 2
        ["李娜", "T002", "1380000000", "网格员", "祖庙街道城管办"],  # row 3: 10 digits
        ["王强", "T003", "+86 138-0000-0003", "执法人员", "祖庙街道执法队"],  # row 4: alias
        ["赵敏", "T001", "13800000004", "区级监管责任人", "禅城区城管执法局"],  # row 5: dup
        ["", "T005", "13800000005", "网格员", ""],  # row 6: no name
        ["刘洋", "", "13800000006", "网格员", ""],  # row 7: no staff number
        ["陈静", "T007", "0757-82345678", "巡逻员", "祖庙街道城管办"],  # row 8: landline, role?
        ["杨帆", "T008", "13800000008", "镇街执法人员", "石湾镇街道执法队"],  # row 9: alias
    ]
    src = write_csv(tmp_path / "officers.csv", OFFICER_HEADERS, rows, encoding="utf-8-sig")
    report = run(import_officers(project, src))
    assert (report.info["encoding"], report.info["encoding_source"]) == ("utf-8-sig", "bom")
    assert sorted((f.row, f.reason) for f in report.refused) == [
        (5, "duplicate_staff_no"), (6, "missing_name"), (7, "missing_staff_no")]
    dup = next(f for f in report.refused if f.reason == "duplicate_staff_no")
    assert dup.code == "T001" and dup.extra["first_row"] == 2
    # normalising a mobile or a role is said, not done silently
    assert sorted((f.row, f.reason) for f in report.warnings) == [
        (3, "bad_mobile"), (4, "mobile_normalised"), (4, "role_alias"), (8, "bad_mobile"),
        (8, "unknown_role"), (9, "role_alias")]
    assert report.info["inserted"] == report.accepted == 5
    off = project.officers().set_index("staff_no")
    assert list(off.index) == ["T001", "T002", "T003", "T007", "T008"]
    assert off.loc["T001", "name"] == "张伟"  # the first row, not the repeated one
    assert off.loc["T002", "mobile"] == "1380000000"  # kept as given, and reported
    assert off.loc["T003", "mobile"] == "13800000003"
    assert (off.loc["T003", "role"], off.loc["T008", "role"]) == ("执法队员", "执法队员")
    assert off.loc["T007", "role"] == "巡逻员"


def test_officers_reimport_updates_instead_of_duplicating_gbk(project, tmp_path):
    run(import_officers(project, write_csv(tmp_path / "a.csv", OFFICER_HEADERS, OFFICERS)))
    ids = project.officers().set_index("staff_no")["id"]
    changed = [list(r) for r in OFFICERS]
    changed[1][2] = "13900000002"  # 李娜's new mobile
    changed[2][4] = ""  # a blank unit does not erase 王强's
    changed.append(["周杰", "T008", "13800000008", "网格员", "石湾镇街道城管办"])
    src = write_csv(tmp_path / "b.csv", OFFICER_HEADERS, changed, encoding="gbk")
    report = run(import_officers(project, src))
    assert (report.info["encoding"], report.info["encoding_source"]) == ("gb18030", "detected")
    assert report.refused == []
    assert (report.info["inserted"], report.info["updated"], report.info["unchanged"]) == (1, 1, 6)
    off = project.officers().set_index("staff_no")
    assert len(off) == len(OFFICERS) + 1
    assert off.loc["T002", "mobile"] == "13900000002"
    assert off.loc["T003", "unit"] == "祖庙街道执法队"
    assert off.loc["T008", "name"] == "周杰"
    assert list(off["name"].iloc[:7]) == [r[0] for r in OFFICERS]  # Chinese intact from GBK
    assert (off["id"].reindex(ids.index) == ids).all()  # same rows, updated in place
    again = run(import_officers(project, src))
    assert (again.info["inserted"], again.info["updated"], again.info["unchanged"]) == (0, 0, 8)


def test_officers_file_without_a_staff_number_column(project, tmp_path):
    src = write_csv(tmp_path / "o.csv", ["姓名", "电话"], [["张伟", "13800000001"]])
    with pytest.raises(InputFileError, match="工号"):
        run(import_officers(project, src))


# --------------------------------------------------------------------------- 8. CLI

def test_cli_assign_check_and_export_responsibilities(small, tmp_path, capsys):
    p = str(small.path)
    assert main(["check", p]) == 1
    out = capsys.readouterr().out
    assert "cell_without_primary" in out and "key_enterprise_without_supervisor" in out

    assert main(["assign", p, "--officer", "T999", "--role", "网格员", "--cells",
                 C1_CELLS[0]]) == 2
    assert "T999" in capsys.readouterr().err
    assert len(small.responsibilities()) == 0

    assert main(["assign", p, "--officer", "T001", "--role", "网格员", "--area", C1,
                 "--from", "2025-01-01"]) == 0
    assert main(["assign", p, "--officer", "T002", "--role", "网格员", "--cells",
                 ",".join(C1_CELLS[1:]), "--from", "2025-06-01"]) == 0
    out = capsys.readouterr().out
    assert "新增 2 个区域" in out
    assert main(["assign", p, "--officer", "T002", "--role", "网格员", "--cells",
                 C1_CELLS[2], "--from", "2025-03-01"]) == 0  # the same person: unchanged
    assert "原本就是" in capsys.readouterr().out
    assert main(["assign", p, "--officer", "T003", "--role", "网格员", "--cells",
                 C1_CELLS[2], "--from", "2025-03-01"]) == 2  # earlier than T002's start
    assert "2025-06-01" in capsys.readouterr().err
    for args in (["T003", "执法队员", "--area", C2], ["T004", "区级监管责任人", "--area", STREET],
                 ["T005", "区级监管责任人", "--cells", C2_CELLS[0]],
                 ["T006", "信息采集员", "--area", STREET], ["T007", "信息采集员", "--area", C2]):
        assert main(["-q", "assign", p, "--officer", args[0], "--role", args[1], *args[2:],
                     "--from", "2025-01-01"]) == 0
    capsys.readouterr()
    assert main(["check", p]) == 0
    assert "没有发现问题" in capsys.readouterr().out

    # export: one row per cell with who answered for it on the day, and from which level
    for day, want in (("2025-05-31", {C1_CELLS[0]: ("张伟", "社区兜底"),
                                      C1_CELLS[1]: ("张伟", "社区兜底"),
                                      C1_CELLS[2]: ("张伟", "社区兜底")}),
                      ("2025-06-01", {C1_CELLS[0]: ("张伟", "社区兜底"),
                                      C1_CELLS[1]: ("李娜", "本网格"),
                                      C1_CELLS[2]: ("李娜", "本网格")})):
        out = tmp_path / f"resp-{day}.xlsx"
        assert main(["-q", "export", p, "responsibilities", "--as-of", day,
                     "--out", str(out)]) == 0
        x = pd.read_excel(out, dtype=object).set_index("网格编码")
        x.index = x.index.astype(str)
        assert sorted(x.index) == sorted(ALL_CELLS)
        assert set(x["日期"].astype(str).str[:10]) == {day}
        for cell, (name, source) in want.items():
            assert (x.loc[cell, "责任人"], x.loc[cell, "责任人来源"]) == (name, source)
        for cell in C2_CELLS:
            assert (x.loc[cell, "责任人"], x.loc[cell, "责任人来源"]) == ("王强", "社区兜底")
        assert x.loc[C2_CELLS[0], "区级监管责任人"] == "刘洋"
        assert x.loc[C2_CELLS[0], "监管责任人来源"] == "本网格"
        assert x.loc[C1_CELLS[0], "区级监管责任人"] == "赵敏"
        assert x.loc[C1_CELLS[0], "监管责任人来源"] == "街道兜底"
        assert str(x.loc[C1_CELLS[0], "监管责任人电话"]) == "13800000004"
    gpkg = tmp_path / "resp.gpkg"
    assert main(["-q", "export", p, "responsibilities", "--as-of", "2025-06-01",
                 "--out", str(gpkg)]) == 0
    g = pyogrio.read_dataframe(gpkg).set_index("cell_code")
    assert len(g) == len(ALL_CELLS)
    assert g.loc[C1_CELLS[1], "primary_name"] == "李娜"
    assert g.loc[C1_CELLS[1], "primary_mobile"] == "13800000002"
    # collectors fall back too: 兴华社区 has its own, 升平社区's cells have the street's
    assert [g.loc[c, "collectors"] for c in C2_CELLS] == ["T007"] * 3
    assert [g.loc[c, "collectors"] for c in C1_CELLS] == ["T006"] * 3
    # before the first assignment, the cells exist and nobody answers for them
    out = tmp_path / "resp-2024.xlsx"
    assert main(["-q", "export", p, "responsibilities", "--as-of", "2024-06-01",
                 "--out", str(out)]) == 0
    x = pd.read_excel(out, dtype=object)
    assert len(x) == len(ALL_CELLS) and x["责任人"].isna().all()


# --------------------------------------------------------------------------- review fixes

def test_an_environmental_grid_that_stops_at_villages_is_checked(small):
    """No cells in the system: the communities are the units, and nobody responsible is found."""
    from gridmgr.registers.responsibility import effective

    comms = small.areas("community")
    with small.atomic():
        small.insert_areas("street", [{"code": STREET, "system": "env",
                                       "parent_code": "440604"}],
                           small.areas("street").geometry.to_numpy())
        small.insert_areas("community", [{"code": c, "system": "env", "parent_code": STREET}
                                         for c in comms["code"]], comms.geometry.to_numpy())
    report = check(small, system="env")
    assert report.info["cells"] == 2
    assert {(f.reason, f.code) for f in report.refused} == {
        (r, c) for r in ("cell_without_primary", "cell_without_supervisor") for c in (C1, C2)}
    assign(small, staff_no="T001", role="网格员", area=C1, system="env")
    eff = effective(small, system="env").set_index("cell_code")
    assert eff.loc[C1, "level"] == "community" and eff.loc[C1, "primary_staff_no"] == "T001"


def test_a_district_supervisor_covers_every_cell(small):
    from gridmgr.registers.responsibility import effective

    with small.atomic():
        small.insert_areas("district", [{"code": "440604"}],
                           [small.areas("street").geometry.iloc[0]])
    assign(small, staff_no="T004", role="区级监管责任人", area="440604")
    eff = effective(small)
    assert set(eff["supervisor_staff_no"]) == {"T004"}
    assert set(eff["supervisor_from"]) == {"district"}


def test_a_cell_given_twice_is_one_assignment(small):
    c = C1_CELLS[0]
    done = assign(small, staff_no="T001", role="网格员", cells=[c, c])
    assert done["opened"] == 1
    rows = small.responsibilities(current_only=True)
    assert len(rows[(rows["area_code"] == c) & (rows["slot"] == "primary")]) == 1


def test_regenerated_cells_end_their_responsibilities(demo_copy, capsys):
    from gridmgr.cli import main

    with open_project(demo_copy) as store:
        cell = store.areas("cell")["code"].iloc[0]
        assign(store, staff_no="CC0013", role="网格员", cells=[cell])
    assert main(["-q", "grid", "generate", str(demo_copy), "--size", "400", "--supersede"]) == 0
    assert "责任随旧网格一并结束" in capsys.readouterr().out
    with open_project(demo_copy, readonly=True) as store:
        rows = store.responsibilities(current_only=True)
    assert not ((rows["area_code"] == cell) & (rows["staff_no"] == "CC0013")).any()
