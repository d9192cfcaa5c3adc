"""Importing hotline/case-system exports: each defect with its row, dry runs, all or nothing,
re-import by case number, status mapping; categories and calendar commands."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from project_state import fingerprint

from gridmgr.cases import lifecycle as cases
from gridmgr.cases import workflow
from gridmgr.cases.categories import COLUMNS, HEADERS_ZH, export_categories, import_categories
from gridmgr.cases.importer import import_cases, parse_status_map
from gridmgr.cli import main
from gridmgr.errors import Cancelled, InputFileError, UsageError
from gridmgr.progress import run
from gridmgr.project import open_project
from gridmgr.storage import Store

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "cases_12345.csv"
HEAD = ["工单编号", "来源", "问题类型", "诉求内容", "经度", "纬度", "来电时间", "工单状态",
        "派单时间", "办结时间", "办理时限"]
# a point in cell 44060401000501 (community 440604010005), WGS84 ≈ CGCS2000 here
LON, LAT = "113.1334", "23.0102"


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEAD)
        w.writerows(rows)
    return path


def good(no: str, status: str = "处理中", reported: str = "2026-02-10 09:00",
         dispatched: str = "2026-02-10 09:30", closed: str = "", limit: str = "") -> list[str]:
    return [no, "12345", "暴露垃圾", "垃圾堆放", LON, LAT, reported, status, dispatched, closed,
            limit]


@pytest.fixture
def store(demo_copy: Path) -> Iterator[Store]:
    s = open_project(demo_copy)
    try:
        yield s
    finally:
        s.close()


def test_each_defect_is_refused_with_its_row(store: Store, tmp_path: Path) -> None:
    f = write(tmp_path / "工单.csv", [
        good("A1"),                                                        # row 2: fine
        good("A2", reported="2026/13/45 25:00"),                           # 3: bad time
        good("A3", limit="-2"),                                            # 4: negative limit
        good("A4", status="办结", closed=""),                               # 5: closed, no time
        ["A5", "12345", "暴露垃圾", "x", "113.264385", "23.129112", "2026-02-10 09:00",
         "处理中", "", "", ""],                                             # 6: outside
        good("A6", status="已回访"),                                        # 7: unknown status
        ["A7", "12345", "噪音太吵", "x", LON, LAT, "2026-02-10 09:00", "处理中", "", "", ""],
        good("A1"),                                                        # 9: duplicate
        good("A8", reported="2026-02-10 09:00", dispatched="2026-02-09 09:00"),  # 10: order
        good("A9", dispatched="2026-02-10 9点半"),                          # 11: bad time
        ["A10", "12345", "暴露垃圾", "x", "", LAT, "2026-02-10 09:00", "处理中", "", "", ""],
        good("A11", status="已办结", closed="2026年2月10日 15时20分"),        # 13: fine
    ])
    report = run(import_cases(store, f))
    got = {x.row: x.reason for x in report.refused}
    assert got == {3: "bad_time", 4: "negative_limit", 5: "closed_without_time",
                   6: "case_outside_district", 7: "unknown_status", 8: "unknown_category",
                   9: "duplicate_case_no", 10: "time_order", 11: "bad_time",
                   12: "missing_coordinates"}
    assert report.accepted == 2
    by_row = {x.row: x for x in report.refused}
    assert by_row[9].extra["first_row"] == 2 and by_row[3].file == "工单.csv"
    assert "2026/13/45 25:00" in by_row[3].message
    assert "--status 已回访=结案" in by_row[7].message
    df = store.cases_frame().set_index("case_no")
    assert df.loc["A11", "closed_at"] == "2026-02-10T15:20:00"
    assert (df.loc["A11", "status"], df.loc["A11", "ext_status"]) == ("结案", "已办结")
    assert df.loc["A1", "handler_staff_no"] == "CC0046"  # responsible on the reported day
    assert df.loc["A1", "dispose_due_at"] == "2026-02-10T15:30:00"  # 4 工作时 from 09:30
    assert df.loc["A1", "cell_code"] == "44060401000501"


def test_shipped_sample_has_the_documented_defects(store: Store) -> None:
    report = run(import_cases(store, SAMPLE, coords="gcj02"))
    got = {x.row: x.reason for x in report.refused}
    assert got == {4: "unknown_status", 6: "bad_time", 8: "closed_without_time",
                   10: "case_outside_district", 12: "negative_limit", 14: "unknown_category",
                   16: "duplicate_case_no"}
    warned = {(x.row, x.reason) for x in report.warnings}
    assert {(18, "swapped_coordinates"), (20, "fullwidth_digits")} <= warned
    assert report.accepted == 33
    # the status the hotline invented, mapped by the user: row 4 lands too
    report = run(import_cases(store, SAMPLE, coords="gcj02",
                              statuses=parse_status_map(["已回访=结案"])))
    assert 4 not in {x.row for x in report.refused}
    # the 33 cases already there are unchanged (same file): nothing written for them
    assert (report.info["inserted"], report.info["updated"], report.info["unchanged"]) == (
        1, 0, 33)
    assert report.accepted == 34


def test_dry_run_writes_nothing(demo_copy: Path) -> None:
    before = fingerprint(demo_copy)
    with open_project(demo_copy, readonly=True) as s:
        n = s.count_cases()
        report = run(import_cases(s, SAMPLE, coords="gcj02", dry_run=True))
        assert s.count_cases() == n
    assert report.accepted == 33 and report.info["dry_run"] is True
    assert fingerprint(demo_copy) == before


def test_failed_or_cancelled_import_leaves_the_file_unchanged(demo_copy: Path,
                                                              tmp_path: Path) -> None:
    before = fingerprint(demo_copy)
    bad = tmp_path / "bad.csv"
    bad.write_text("编号,内容\nX1,y\n", encoding="utf-8")
    with open_project(demo_copy) as s:
        n = s.count_cases()
        with pytest.raises(InputFileError, match="上报时间"):
            run(import_cases(s, bad))
        with pytest.raises(Cancelled):
            run(import_cases(s, SAMPLE, coords="gcj02"),
                should_cancel=lambda: s.db.conn.in_transaction)
        assert s.count_cases() == n
    assert fingerprint(demo_copy) == before
    assert main(["cases", "import", str(demo_copy), str(bad)]) == 3
    assert fingerprint(demo_copy) == before


def test_reimport_updates_by_case_number(store: Store, tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", [good("B1"), good("B2", status="待派遣", dispatched="")])
    run(import_cases(store, f))
    n = store.count_cases()
    uuid_b1 = store.case_row("B1")["uuid"]
    assert store.case_row("B2")["status"] == "立案"
    write(f, [good("B1", status="已办结", closed="2026-02-10 11:00"),
              good("B2", status="待派遣", dispatched="")])
    report = run(import_cases(store, f))
    assert (report.info["inserted"], report.info["updated"], report.info["unchanged"]) == (
        0, 1, 1)
    assert store.count_cases() == n
    row = store.case_row("B1")
    assert (row["uuid"], row["status"], row["closed_at"]) == (uuid_b1, "结案",
                                                            "2026-02-10T11:00:00")
    steps = store.transitions_frame(case_uuid=uuid_b1)
    # appended after what was recorded, never replaced
    assert list(steps["action"]) == ["受理", "立案", "派遣", "处置", "结案"]
    assert list(steps["seq"]) == [1, 2, 3, 4, 5]
    assert (steps["from_status"].iloc[-1], steps["at"].iloc[-1]) == ("处置",
                                                                     "2026-02-10T11:00:00")
    # an imported open case can go on in gridmgr
    row = cases.transition(store, "B2", "派遣", by="CC0001", at="2026-02-10T10:00")
    assert row["handler_staff_no"] == "CC0046"


def test_reimporting_the_demo_file_keeps_every_recorded_step(demo_copy: Path) -> None:
    """data/cases.csv again, on the demo whose cases went on at the desk (反馈, 返工 with its
    reason, 核查通过, 结案, 延期, 督办): nothing is rewritten, the closed case stays closed."""
    demo_file = Path(__file__).resolve().parents[2] / "gridmgr" / "data" / "demo" / "cases.csv"
    with open_project(demo_copy) as s:
        before_steps = s.transitions_frame()
        before_cases = s.cases_frame()
        row = s.case_row("CC20261029002")
        assert (row["status"], row["rework_count"]) == ("结案", 1)
        report = run(import_cases(s, demo_file, coords="gcj02"))
        assert not report.refused
        assert (report.info["inserted"], report.info["updated"], report.info["unchanged"]) == (
            0, 0, 316)
        assert report.accepted == 316
        pd.testing.assert_frame_equal(s.transitions_frame(), before_steps)
        pd.testing.assert_frame_equal(s.cases_frame(), before_cases)
        steps = s.transitions_frame(case_uuid=row["uuid"])
        assert list(steps["action"]) == ["受理", "立案", "派遣", "处置", "反馈", "返工", "反馈",
                                         "核查通过", "结案"]
        assert steps["note"].iloc[5] == "现场核查仍有残留，请彻底清理并拍照反馈"
        assert s.case_row("CC20260417001")["supervised"] == 1  # 督办 at the desk: kept
    behind = {(w.row, w.reason, w.extra.get("current")) for w in report.warnings}
    assert (290, "reimport_behind", "结案") in behind  # CC20261029002: the file says 处理中
    assert {w.reason for w in report.warnings} == {"reimport_behind"}
    assert len(report.warnings) == 6  # the six cases closed at the desk after the file


def test_reimport_appends_only_beyond_the_desk(store: Store, tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", [good("D1"), good("D2"), good("D3")])
    run(import_cases(store, f))
    cases.transition(store, "D1", "反馈", by="CC0001", at="2026-02-10T12:00")
    cases.transition(store, "D2", "反馈", by="CC0001", at="2026-02-10T12:00")
    cases.transition(store, "D2", "返工", by="CC0001", at="2026-02-10T12:30", note="没扫干净")
    cases.transition(store, "D3", "督办", by="CC0001", at="2026-02-10T16:00", note="限期")
    rows = [good("D1", status="已办结", closed="2026-02-10 15:00"),
            good("D2", status="已派遣"),                                   # behind the desk
            good("D3", status="已办结", closed="2026-02-10 15:00")]        # before its last step
    rows[0][3] = "垃圾堆放（已核实）"
    write(f, rows)
    report = run(import_cases(store, f, coords="wgs84"))
    # D2 and D3 take the file's foreign status and nothing of its workflow
    assert (report.info["updated"], report.info["unchanged"]) == (3, 0)
    d1 = store.case_row("D1")
    assert (d1["status"], d1["closed_at"], d1["description"]) == (
        "结案", "2026-02-10T15:00:00", "垃圾堆放（已核实）")
    steps = store.transitions_frame(case_uuid=d1["uuid"])
    assert list(zip(steps["action"], steps["from_status"])) == [
        ("受理", None), ("立案", "受理"), ("派遣", "立案"), ("处置", "派遣"), ("反馈", "处置"),
        ("结案", "反馈")]
    d2 = store.case_row("D2")
    assert (d2["status"], d2["rework_count"], d2["ext_status"]) == ("处置", 1, "已派遣")
    assert list(store.transitions_frame(case_uuid=d2["uuid"])["action"])[-2:] == ["反馈", "返工"]
    d3 = store.case_row("D3")
    assert (d3["status"], d3["supervised"]) == ("处置", 1)
    assert store.transitions_frame(case_uuid=d3["uuid"])["action"].iloc[-1] == "督办"
    got = {(w.row, w.reason) for w in report.warnings}
    assert got == {(3, "reimport_behind"), (4, "reimport_step_order")}


def test_supervision_is_set_by_a_file_never_lifted(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "s.csv"

    def put(flag: str, description: str) -> None:
        with f.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([*HEAD, "挂牌督办"])
            w.writerow([*good("E1")[:3], description, *good("E1")[4:], flag])

    put("是", "垃圾堆放")
    run(import_cases(store, f))
    assert store.case_row("E1")["supervised"] == 1
    put("否", "")  # blank description: does not erase
    report = run(import_cases(store, f))
    row = store.case_row("E1")
    assert (row["supervised"], row["description"]) == (1, "垃圾堆放")
    assert report.info["unchanged"] == 1


def test_an_absurd_limit_refuses_its_row_only(store: Store, tmp_path: Path) -> None:
    f = write(tmp_path / "l.csv", [good("L1", limit="4工作时"),
                                   good("L2", limit="100000工作日")])
    report = run(import_cases(store, f))
    assert [(x.row, x.reason) for x in report.refused] == [(3, "limit_too_long")]
    assert "L2" in report.refused[0].message and "十年" in report.refused[0].message
    assert report.accepted == 1
    assert store.case_row("L1")["dispose_due_at"] == "2026-02-10T15:30:00"
    assert store.case_row("L2") is None
    assert main(["-q", "cases", "import", str(store.path), str(f)]) == 1


def test_contradictory_status_and_times(store: Store, tmp_path: Path) -> None:
    """Histories the workflow forbids are refused; a missing time the history needs is filled
    in and said so: per row when the file's column is blank there, in one line when the file
    has no such column."""
    f = write(tmp_path / "c.csv", [
        good("F1", status="已作废"),                              # 2: 作废 after 派遣
        good("F2", status="待核实"),                              # 3: 受理 with a 派遣 time
        good("F3", status="待派遣"),                              # 4: 立案 with a 派遣 time
        good("F4", status="已挂账", dispatched=""),               # 5: 挂账 needs 立案: filled
        good("F5", status="已作废", dispatched=""),               # 6: 受理 → 作废: fine
        good("F6", status="已办结", dispatched="", closed="2026-02-11 10:00"),  # 7: filled
        good("F7", reported="2099-01-01 09:00", dispatched=""),   # 8: in the future
    ])
    report = run(import_cases(store, f))
    assert {(x.row, x.reason) for x in report.refused} == {
        (2, "status_time_conflict"), (3, "status_time_conflict"), (4, "status_time_conflict"),
        (8, "future_time")}
    assert "作废只能在派遣之前" in next(x for x in report.refused if x.row == 2).message
    filled = sorted((w.row, w.extra["field"]) for w in report.warnings
                    if w.reason == "time_filled")
    # a 派单时间 blank on a row the file has the column for: said on that row
    assert filled == [(7, "派单时间")]  # as the file names them
    # no 立案时间 column at all (the case system does not export it): one line for the file
    (summary,) = [w for w in report.warnings if w.reason == "time_not_exported"]
    assert (summary.row, summary.extra["field"], summary.extra["count"]) == (None, "立案时间", 2)
    assert summary.extra["source"] == "来电时间"
    f4 = store.case_row("F4")
    steps = store.transitions_frame(case_uuid=f4["uuid"])
    assert list(steps["action"]) == ["受理", "立案", "挂账"]
    assert f4["registered_at"] == "2026-02-10T09:00:00"
    f5 = store.case_row("F5")
    assert list(store.transitions_frame(case_uuid=f5["uuid"])["action"]) == ["受理", "作废"]
    # every imported history is one the workflow allows (派遣 → 结案 is the import's summary)
    for no in ("F4", "F5"):
        steps = store.transitions_frame(case_uuid=store.case_row(no)["uuid"])
        for a, b, action in zip(steps["from_status"].iloc[1:], steps["to_status"].iloc[1:],
                                steps["action"].iloc[1:]):
            assert a in workflow.RULES[action].sources, (no, a, action, b)


def test_imported_history_replays_overdue(store: Store, tmp_path: Path) -> None:
    f = write(tmp_path / "a.csv", [good("C1", status="已办结", closed="2026-02-11 10:00")])
    run(import_cases(store, f))
    state = cases.state_as_of(store, "2026-02-10T16:00").set_index("case_no")
    assert (state.loc["C1", "status"], bool(state.loc["C1", "overdue"])) == ("派遣", True)
    state = cases.state_as_of(store, "2026-02-10T15:30").set_index("case_no")
    assert not state.loc["C1", "overdue"]  # due 15:30: at the instant, not yet


def test_status_map_option_is_checked() -> None:
    assert parse_status_map(["已回访=结案", " 退单 = 作废 "]) == {"已回访": "结案", "退单": "作废"}
    with pytest.raises(UsageError, match="不是流程状态"):
        parse_status_map(["已回访=完成"])


def test_cli_import_report(demo_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    code = main(["-q", "cases", "import", str(demo_copy), str(SAMPLE), "--coords", "gcj02",
                 "--report", str(out)])
    assert code == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["accepted"] == 33 and len(data["refused"]) == 7
    assert {r["row"] for r in data["refused"]} == {4, 6, 8, 10, 12, 14, 16}


def test_categories_roundtrip_and_refusal(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "分类.xlsx"
    assert export_categories(store, out) == len(store.categories())
    frame = pd.read_excel(out, dtype=object)
    assert list(frame.columns) == [HEADERS_ZH[c] for c in COLUMNS]
    frame.loc[frame["小类编码"] == "SJ0102", "处置时限"] = 2
    frame.to_excel(out, index=False)
    report = import_categories(store, out)
    assert not report.refused
    assert store.categories()["SJ0102"]["dispose_limit"] == 2.0
    frame.loc[frame["小类编码"] == "SJ0502", "处置时限"] = -1
    frame.loc[frame["小类编码"] == "SJ0503", "处置时限单位"] = "周"
    frame.to_excel(out, index=False)
    row_502 = int(frame.index[frame["小类编码"] == "SJ0502"][0]) + 2
    report = import_categories(store, out)
    assert {(x.row, x.reason) for x in report.refused} == {
        (row_502, "negative_limit"), (row_502 + 1, "bad_limit_unit")}
    assert store.categories()["SJ0102"]["dispose_limit"] == 2.0  # unchanged
    assert main(["categories", "export", str(store.path), str(tmp_path / "b.xlsx")]) == 0


def test_a_category_import_cannot_drop_a_code_cases_use(demo_copy: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    out = tmp_path / "分类.xlsx"
    with open_project(demo_copy) as s:
        export_categories(s, out)
        used = s.case_counts_by_category()
        frame = s.cases_frame()
    assert used["SJ0303"] == int((frame["category_code"] == "SJ0303").sum()) > 0
    table = pd.read_excel(out, dtype=object)
    unused = next(c for c in table["小类编码"] if c not in used)
    table[~table["小类编码"].isin(["SJ0303", "SJ0301", unused])].to_excel(out, index=False)
    before = fingerprint(demo_copy)
    assert main(["categories", "import", str(demo_copy), str(out)]) == 1
    err = capsys.readouterr()
    assert "SJ0303" in err.out and "SJ0301" in err.out and unused not in err.out
    assert fingerprint(demo_copy) == before  # byte-identical
    with open_project(demo_copy) as s:
        report = import_categories(s, out)
        got = {(x.code, x.reason, x.extra["count"]) for x in report.refused}
        assert got == {("SJ0303", "category_in_use", used["SJ0303"]),
                       ("SJ0301", "category_in_use", used["SJ0301"])}
        assert f"{used['SJ0303']} 个案件" in next(x.message for x in report.refused
                                                if x.code == "SJ0303")
    assert fingerprint(demo_copy) == before
    # dropping only a code no case uses is fine
    table[table["小类编码"] != unused].to_excel(out, index=False)
    with open_project(demo_copy) as s:
        assert not import_categories(s, out).refused
        assert unused not in s.categories() and "SJ0303" in s.categories()


def test_a_limit_that_is_not_a_number_is_said_so(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "分类.xlsx"
    export_categories(store, out)
    frame = pd.read_excel(out, dtype=object)
    frame.loc[frame["小类编码"] == "SJ0102", "处置时限"] = "两天"
    frame.to_excel(out, index=False)
    report = import_categories(store, out)
    assert [(x.code, x.reason) for x in report.refused] == [("SJ0102", "bad_limit_text")]
    assert "两天" in report.refused[0].message and "不是数字" in report.refused[0].message


def test_calendar_command_moves_deadlines(demo_copy: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    p = str(demo_copy)
    assert main(["calendar", p, "--year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "2026-02-14  调休上班  春节调休" in out and "共 39 天" in out
    assert main(["calendar", p, "--set", "2026-03-03=holiday:台风停工"]) == 0
    with open_project(demo_copy) as s:
        cal = cases.calendar(s)
        assert not cal.is_workday(date(2026, 3, 3))
        assert cal.add_hours(datetime(2026, 3, 2, 17, 0), 2) == datetime(2026, 3, 4, 9, 30)
    assert main(["calendar", p, "--set", "2026-03-03=normal"]) == 0
    assert main(["calendar", p, "--set", "2026-03-03=maybe"]) == 2


@pytest.mark.parametrize(("text", "stored"), [
    ("2026-01-07 16:28", "2026-01-07T16:28:00"),
    ("2026/1/7 9:05", "2026-01-07T09:05:00"),
    ("2026年1月7日 16时28分", "2026-01-07T16:28:00"),
    ("2026-01-07", "2026-01-07T00:00:00"),
    ("2026-01-07T08:28:00Z", "2026-01-07T16:28:00"),  # a zone given: Beijing time
    ("２０２６-０１-０７ １６:２８", "2026-01-07T16:28:00"),  # full-width digits
])
def test_times_as_hotline_systems_write_them(text: str, stored: str) -> None:
    from gridmgr.cases.importer import parse_time

    assert parse_time(text) == stored


@pytest.mark.parametrize("text", ["2026-02-30 10:00", "昨天下午", "2026/13/45 25:00"])
def test_unreadable_times(text: str) -> None:
    from gridmgr.cases.importer import parse_time

    with pytest.raises(ValueError):
        parse_time(text)


def test_a_zoned_datetime_cell_is_converted() -> None:

    from gridmgr.cases.importer import parse_time

    assert parse_time(datetime(2026, 1, 7, 8, 28, tzinfo=UTC)) == "2026-01-07T16:28:00"
    assert parse_time(datetime(2026, 1, 7, 16, 28)) == "2026-01-07T16:28:00"
