"""Case exports as they come: time limits read with their unit (自然/工作 小时/日, a unit in the
header), unknown category names in one line each (mapped or added on request), a time column the
case system does not export in one line, and impossible values reported on every row — void
cases included."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from gridmgr.cases.categories import import_categories
from gridmgr.cases.importer import import_cases
from gridmgr.cases.workcalendar import WORK_HOURS
from gridmgr.cli import main
from gridmgr.progress import run
from gridmgr.project import open_project

LON, LAT = "113.1334", "23.0102"  # in cell 44060401000501 (WGS84 ≈ CGCS2000 here)
HEAD = ["工单编号", "来源", "问题类型", "诉求内容", "经度", "纬度", "来电时间", "工单状态",
        "派单时间", "办结时间"]


def write(path: Path, rows: list[list[str]], head: list[str] = HEAD) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        w.writerows(rows)
    return path


def row(no: str, *extra: str, status: str = "处理中", category: str = "暴露垃圾",
        reported: str = "2026-03-02 09:00", dispatched: str = "2026-03-02 09:30",
        closed: str = "") -> list[str]:
    return [no, "12345", category, "x", LON, LAT, reported, status, dispatched, closed, *extra]


@pytest.fixture
def store(demo_copy):
    with open_project(demo_copy) as s:
        yield s


def due(store, no: str) -> str:
    return store.case_row(no)["dispose_due_at"]


# --------------------------------------------------------------------------- units

def test_hours_in_the_header_are_calendar_hours_unless_told(store, tmp_path):
    """``时限(小时)`` = 24 from Monday 2026-03-02 09:30: calendar hours → Tuesday 09:30; told
    they are working hours (--hours working) → 24 h of 08:30–12:00, 14:00–18:00: Mon 6.5 h,
    Tue 7.5, Wed 7.5, Thu 2.5 → Thursday 11:00."""
    head = [*HEAD, "时限(小时)"]
    f = write(tmp_path / "h.csv", [row("H1", "24"), row("H2", "4工作时")], head)
    report = run(import_cases(store, f, dry_run=False))
    assert report.refused == []
    assert report.info["columns"]["limit"] == "时限(小时)"
    assert due(store, "H1") == "2026-03-03T09:30:00"
    assert due(store, "H2") == "2026-03-02T15:30:00"  # a unit in the cell wins: 2.5 h + 1.5 h
    [notice] = [w for w in report.warnings if w.reason == "limit_units"]
    assert notice.severity == "notice"
    assert "表头“小时” → 自然小时：1 行" in notice.message and "--hours working" in notice.message
    assert report.info["limit_units"] == [{"said": "4工作时"[1:], "read_as": "工作时", "rows": 1},
                                          {"said": "表头“小时”", "read_as": "自然小时", "rows": 1}]

    f2 = write(tmp_path / "h2.csv", [row("H3", "24")], head)
    run(import_cases(store, f2, bare_hours=WORK_HOURS))
    assert due(store, "H3") == "2026-03-05T11:00:00"


def test_working_and_calendar_days_on_the_work_calendar(store, tmp_path):
    """From Friday 2026-04-03 09:30, the eve of 清明 (4–6 April off): 1 工作日 is Tuesday 09:30,
    1 自然日 Saturday 09:30, 48 自然小时 Sunday 09:30, 2 工作小时 Friday 11:30."""
    head = [*HEAD, "处置时限"]
    at = {"reported": "2026-04-03 09:00", "dispatched": "2026-04-03 09:30"}
    f = write(tmp_path / "d.csv", [row("D1", "1工作日", **at), row("D2", "1自然日", **at),
                                   row("D3", "48自然小时", **at), row("D4", "2工作小时", **at)],
              head)
    report = run(import_cases(store, f))
    assert report.refused == []
    assert [due(store, n) for n in ("D1", "D2", "D3", "D4")] == [
        "2026-04-07T09:30:00", "2026-04-04T09:30:00", "2026-04-05T09:30:00",
        "2026-04-03T11:30:00"]
    # every unit said what it was: nothing to point out
    assert not [w for w in report.warnings if w.reason == "limit_units"]
    # a header in 工作日
    f2 = write(tmp_path / "d2.csv", [row("D5", "1", **at)], [*HEAD, "处置时限（工作日）"])
    run(import_cases(store, f2))
    assert due(store, "D5") == "2026-04-07T09:30:00"


def test_a_bare_hours_unit_in_the_category_table_is_calendar_hours(store, tmp_path):
    from gridmgr.cases.categories import export_categories

    xlsx = tmp_path / "分类.xlsx"
    export_categories(store, xlsx)
    import pandas as pd

    frame = pd.read_excel(xlsx, dtype=str)
    frame.loc[frame["小类编码"] == "SJ0102", ["处置时限", "处置时限单位"]] = ["24", "小时"]
    frame.to_excel(xlsx, index=False)
    report = import_categories(store, xlsx)
    assert report.refused == []
    [notice] = [w for w in report.warnings if w.reason == "category_bare_units"]
    assert "“小时” → 自然小时：1 处" in notice.message
    assert (store.categories()["SJ0102"]["dispose_limit"],
            store.categories()["SJ0102"]["dispose_unit"]) == (24.0, "自然小时")
    run(import_cases(store, write(tmp_path / "c.csv", [row("K1")])))
    assert due(store, "K1") == "2026-03-03T09:30:00"  # 暴露垃圾 = SJ0102: 24 calendar hours
    import_categories(store, xlsx, hours=WORK_HOURS)  # the bureau's hours are working hours
    assert store.categories()["SJ0102"]["dispose_unit"] == "工作时"


# --------------------------------------------------------------------------- categories

def _categories_file(tmp_path: Path) -> Path:
    return write(tmp_path / "类别.csv", [
        row("N1", category="噪音扰民"), row("N2"), row("N3", category="垃圾暴露"),
        row("N4", category="噪音扰民"), row("N5", category="噪音扰民"),
        row("N6", category="垃圾暴露"), row("N7", category="")])


def test_unknown_categories_are_one_line_each_with_a_suggestion(store, tmp_path):
    report = run(import_cases(store, _categories_file(tmp_path)))
    unknown = [(x.row, x.extra["value"], x.extra["count"], x.extra["rows"],
                x.extra["suggested"]) for x in report.refused]
    assert unknown == [(2, "噪音扰民", 3, [2, 5, 6], "SJ0301"),
                       (4, "垃圾暴露", 2, [4, 7], "SJ0102"),
                       (8, "（空）", 1, [8], None)]
    assert "最相近的小类：SJ0102 暴露垃圾" in report.refused[1].message
    assert "--map-category 垃圾暴露=" in report.refused[1].message
    assert report.accepted == 1
    assert [c["name"] for c in report.info["unknown_categories"]] == ["噪音扰民", "垃圾暴露", ""]


def test_mapped_categories_land(store, tmp_path, demo_copy):
    mapping = tmp_path / "对照.csv"
    mapping.write_text("外部类别,小类\n垃圾暴露,暴露垃圾\n", encoding="utf-8")
    store.close()
    code = main(["-q", "cases", "import", str(demo_copy), str(_categories_file(tmp_path)),
                 "--map-category", "噪音扰民=SJ0603", "--category-map", str(mapping)])
    assert code == 1  # N7's blank category is still refused
    with open_project(demo_copy, readonly=True) as s:
        cats = {n: s.case_row(n)["category_code"] for n in ("N1", "N3", "N4", "N6", "N2")}
        assert s.case_row("N7") is None
    assert cats == {"N1": "SJ0603", "N3": "SJ0102", "N4": "SJ0603", "N6": "SJ0102",
                    "N2": "SJ0102"}


def test_add_categories_adds_them_to_the_table(store, tmp_path):
    n_cats = len(store.categories())
    report = run(import_cases(store, _categories_file(tmp_path), add_categories=True))
    assert [(x.row, x.extra["value"]) for x in report.refused] == [(8, "（空）")]
    assert report.info["categories_added"] == [{"code": "SJ9901", "name": "噪音扰民"},
                                               {"code": "SJ9902", "name": "垃圾暴露"}]
    cats = store.categories()
    assert len(cats) == n_cats + 2
    assert (cats["SJ9901"]["name"], cats["SJ9901"]["major_name"]) == ("噪音扰民", "导入新增")
    assert store.case_row("N5")["category_code"] == "SJ9901"
    assert store.case_row("N6")["category_code"] == "SJ9902"
    # no limit in the table: no dispose deadline from it
    assert store.case_row("N5")["dispose_due_at"] is None


# --------------------------------------------------------------------------- missing times

def test_a_time_column_not_exported_is_one_line(store, tmp_path):
    """Forty closed cases from a system that exports no 立案 and no 派遣 time: one line each,
    not eighty warnings."""
    f = write(tmp_path / "t.csv", [
        [f"T{i:02d}", "12345", "暴露垃圾", "x", LON, LAT, "2026-03-02 09:00", "已办结",
         "2026-03-03 10:00"] for i in range(40)],
        ["工单编号", "来源", "问题类型", "诉求内容", "经度", "纬度", "来电时间", "工单状态", "办结时间"])
    report = run(import_cases(store, f))
    assert report.refused == [] and report.accepted == 40
    assert not [w for w in report.warnings if w.reason == "time_filled"]
    lines = sorted((w.extra["field"], w.extra["source"], w.extra["count"], w.row)
                   for w in report.warnings if w.reason == "time_not_exported")
    assert lines == [("派遣时间", "立案时间", 40, None), ("立案时间", "来电时间", 40, None)]
    assert report.info["times_not_exported"] == {"立案时间": 40, "派遣时间": 40}
    assert store.case_row("T07")["registered_at"] == "2026-03-02T09:00:00"


# --------------------------------------------------------------------------- impossible values

def test_impossible_values_on_every_row_void_cases_included(store, tmp_path):
    head = [*HEAD, "处置时限"]
    f = write(tmp_path / "i.csv", [
        row("V1", "-2", status="已作废", dispatched=""),                          # 2
        row("V2", "0", status="已作废", dispatched=""),                           # 3
        row("V3", "", status="已作废", dispatched="", closed="2026-03-01 08:00"),  # 4
        row("V4", "-1", status="已作废"),              # 5: and 作废 after 派遣 — said first
        row("V5", "-3", category="噪音扰民"),           # 6: and an unknown category
        row("V6", "0工作日", status="已办结", closed="2026-02-28 10:00"),  # 7: both
        row("V7", "4工作时", status="已作废", dispatched=""),                     # 8: fine
    ], head)
    report = run(import_cases(store, f))
    got = sorted((x.row, x.reason) for x in report.refused)
    assert got == [(2, "negative_limit"), (3, "zero_limit"), (4, "time_order"),
                   (5, "negative_limit"), (6, "negative_limit"), (7, "time_order"),
                   (7, "zero_limit")]
    assert not [x for x in report.refused if x.reason == "unknown_category"]
    assert "早于上报时间" in next(x for x in report.refused if x.row == 4).message
    assert report.accepted == 1 and store.case_row("V7")["status"] == "作废"
