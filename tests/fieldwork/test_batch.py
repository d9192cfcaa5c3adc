"""``fieldpack export --all-officers DIR``: one package per officer on duty, in one run, with
one summary — on the small hand-counted project (tests/small_district.py), where who is on
duty and for how many cells is known by construction."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from small_district import C1, C1_CELLS, C2, NAME, STREET

from gridmgr.cli import main
from gridmgr.errors import EXIT_FINDINGS, EXIT_OK, Cancelled
from gridmgr.fieldwork.batch import export_all_officers, package_name
from gridmgr.fieldwork.export import export_fieldpack
from gridmgr.progress import run
from gridmgr.project import open_project
from gridmgr.registers.responsibility import assign

# who answers for what: T001 and T002 the 网格员 of a community each (3 cells), T004 the
# street's 区级监管责任人 (all 6 cells by fallback), T006 a 信息采集员 of one cell; T003, T005
# and T007 answer for nothing and get no package
ON_DUTY = {"T001": 3, "T002": 3, "T004": 6, "T006": 1}


@pytest.fixture(autouse=True)
def _application(qapp):
    """The atlas and task PDFs are drawn with Qt."""
    yield


@pytest.fixture
def teams(small):
    assign(small, staff_no="T001", role="网格员", area=C1, from_date="2024-01-01")
    assign(small, staff_no="T002", role="网格员", area=C2, from_date="2024-01-01")
    assign(small, staff_no="T004", role="区级监管责任人", area=STREET, from_date="2024-01-01")
    assign(small, staff_no="T006", role="信息采集员", cells=[C1_CELLS[0]], from_date="2024-01-01")
    return small


def _manifest(zip_path: Path) -> dict:
    with zipfile.ZipFile(zip_path) as zf:
        return json.loads(zf.read("manifest.json"))


def test_every_officer_on_duty_gets_one_package(teams, tmp_path):
    out = tmp_path / "今日外业包"
    summary = run(export_all_officers(teams, out))
    made = {p["staff_no"]: p for p in summary["packages"]}
    assert {s: p["cells"] for s, p in made.items()} == ON_DUTY
    assert summary["failed"] == []
    assert sorted(f.name for f in out.iterdir()) == sorted(
        package_name(s, NAME[s]) for s in ON_DUTY)
    for s, p in made.items():
        manifest = _manifest(Path(p["out"]))
        assert manifest["scope"]["staff_no"] == s and manifest["scope"]["name"] == NAME[s]
        assert manifest["counts"]["cells"] == ON_DUTY[s]
        assert p["bytes"] == Path(p["out"]).stat().st_size
    with open_project(teams.path, readonly=True) as store:
        recorded = {r["staff_no"]: r["cells"] for r in store.fieldpacks()}
    assert recorded == ON_DUTY  # each package is remembered, as a single export is


def test_a_package_already_there_is_left_alone_and_named(teams, tmp_path, capsys):
    out = tmp_path / "packs"
    out.mkdir()
    old = out / package_name("T002", NAME["T002"])
    old.write_bytes(b"yesterday's package")
    code = main(["-q", "fieldpack", "export", str(teams.path), "--all-officers", "--out",
                 str(out)])
    text = capsys.readouterr().out
    assert code == EXIT_FINDINGS
    assert old.read_bytes() == b"yesterday's package"
    assert f"未生成：{NAME['T002']}（T002）" in text and "已存在，不会覆盖" in text
    assert "3 人各一个包" in text and "1 人未生成" in text
    with open_project(teams.path, readonly=True) as store:
        assert sorted(r["staff_no"] for r in store.fieldpacks()) == ["T001", "T004", "T006"]


def test_cancelling_keeps_the_finished_packages_and_nothing_half_made(teams, tmp_path):
    out = tmp_path / "packs"
    seen: list[str] = []
    with pytest.raises(Cancelled):
        run(export_all_officers(teams, out),
            on_progress=lambda p: seen.append(p.message),
            should_cancel=lambda: seen[-1].startswith("2/") and "写入 data.gpkg" in seen[-1])
    assert [f.name for f in out.iterdir()] == [package_name("T001", NAME["T001"])]
    with open_project(teams.path, readonly=True) as store:
        assert [r["staff_no"] for r in store.fieldpacks()] == ["T001"]


def test_the_cli_summary_and_a_day_nobody_is_on_duty(teams, tmp_path, capsys):
    out = tmp_path / "packs"
    assert main(["-q", "fieldpack", "export", str(teams.path), "--all-officers", "--out",
                 str(out)]) == EXIT_OK
    text = capsys.readouterr().out
    assert "4 人各一个包" in text
    for s in ON_DUTY:
        assert package_name(s, NAME[s]) in text
    code = main(["-q", "fieldpack", "export", str(teams.path), "--all-officers", "--out",
                 str(tmp_path / "early"), "--as-of", "2023-06-01"])
    err = capsys.readouterr().err
    assert code != EXIT_OK and "没有任何人员负责单元网格" in err
    assert not (tmp_path / "early").exists()


def test_package_names_are_safe_on_every_desktop():
    assert package_name("CC0013", "方荣") == "CC0013-方荣.zip"
    assert package_name("A/01", 'x:y*"z') == "A_01-x_y_z.zip"
    assert package_name("CC 7", None) == "CC_7.zip"


def test_the_export_dialog_makes_every_officers_package(qtbot, teams, tmp_path):
    from ui.fieldpack_dialog import FieldpackExportDialog

    dlg = FieldpackExportDialog(teams.path)
    qtbot.addWidget(dlg)
    dlg.resize(640, 360)
    dlg.show()
    dlg.all_officers.setChecked(True)
    assert not dlg.officer.isEnabled() and not dlg.area.isEnabled()
    out = tmp_path / "全部"
    dlg.out.setText(str(out))
    with qtbot.waitSignal(dlg.batch_exported, timeout=60_000) as got:
        dlg.export_button.click()
    assert {p["staff_no"] for p in got.args[0]["packages"]} == set(ON_DUTY)
    assert len(list(out.iterdir())) == len(ON_DUTY)
    assert "已导出</b> 4 个外业包" in dlg.status.text()
    with open_project(teams.path, readonly=True) as store:
        assert len(store.fieldpacks()) == len(ON_DUTY)
    dlg.grab().save(str(tmp_path.parent / "fieldpack_all_officers.png"))


def test_the_days_responsibility_is_worked_out_once_per_run(teams, tmp_path, monkeypatch):
    """Scope and atlas read the same table: once for a package, once for the whole batch."""
    from gridmgr.fieldwork import batch, export, scope
    from gridmgr.outputs import sheets

    calls: list[str] = []
    for module in (batch, export, scope, sheets):
        real = module.effective
        monkeypatch.setattr(module, "effective", lambda *a, _real=real, _m=module.__name__, **k:
                            calls.append(_m) or _real(*a, **k))
    run(export.export_fieldpack(teams, out=tmp_path / "one.zip", officer="T004"))
    assert calls == ["gridmgr.fieldwork.export"]
    calls.clear()
    summary = run(export_all_officers(teams, tmp_path / "all"))
    assert len(summary["packages"]) == len(ON_DUTY) and calls == ["gridmgr.fieldwork.batch"]
    with zipfile.ZipFile(tmp_path / "one.zip") as zf:
        assert zf.getinfo("atlas.pdf").file_size > 0  # the atlas was drawn from that table


def _contents(zip_path: Path, tmp: Path) -> dict:
    """What a package holds, without what makes each package its own (its uuid and times):
    every layer's rows, the task list's cells, the text of both PDFs, the other files."""
    import openpyxl
    import pyogrio

    folder = tmp / zip_path.stem
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(folder)
        names = sorted(zf.namelist())
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    package = manifest["package_uuid"]
    data = folder / "data.gpkg"
    layers = {}
    for name, _ in pyogrio.list_layers(data):
        frame = pyogrio.read_dataframe(data, layer=name)
        if name == "fieldpack_meta":  # package uuid and export time: each package's own
            frame = frame[~frame["key"].isin(["package_uuid", "created_at"])]
        geoms = [g.wkt for g in frame.geometry] if "geometry" in frame else []
        # layer_styles' update_time: when it was written
        table = frame.drop(columns=["geometry", "update_time"], errors="ignore")
        layers[name] = (list(table.columns), [[str(v) for v in r] for r in
                                              table.itertuples(index=False)], geoms)
    book = openpyxl.load_workbook(folder / "tasks.xlsx")
    sheets = {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book}
    pdfs = {n: subprocess.run(["pdftotext", "-layout", str(folder / n), "-"], check=True,
                              capture_output=True, text=True).stdout
            for n in ("tasks.pdf", "atlas.pdf")}
    plain = {n: (folder / n).read_text(encoding="utf-8").replace(package, "PACKAGE")
             for n in ("map.kml", "waypoints.gpx", "map.html", "fieldpack.qgs")}
    return {"names": names, "scope": manifest["scope"], "counts": manifest["counts"],
            "left_out": manifest["left_out"], "layers": layers, "sheets": sheets,
            "pdfs": pdfs, "plain": plain}


def test_the_batch_makes_the_packages_a_single_export_makes(teams, tmp_path):
    """The batch reads the day once for all packages (:mod:`gridmgr.fieldwork.day`); each of
    its packages holds what the officer's own export holds: files, layers and their rows, the
    task list, the PDFs' text — an open case included."""
    from fieldpack_helpers import dispatched_case
    from small_district import C1_CELLS

    cells = teams.areas("cell")
    dispatched_case(teams, cells.loc[cells["code"] == C1_CELLS[1], "geometry"].iloc[0], "T001")
    summary = run(export_all_officers(teams, tmp_path / "all"))
    assert {p["staff_no"] for p in summary["packages"]} == set(ON_DUTY)
    day = summary["as_of"]
    for p in summary["packages"]:
        one = tmp_path / "one" / f"{p['staff_no']}.zip"
        one.parent.mkdir(exist_ok=True)
        run(export_fieldpack(teams, out=one, officer=p["staff_no"], as_of=day))
        batch = _contents(Path(p["out"]), tmp_path / "batch-x")
        single = _contents(one, tmp_path / "one-x")
        assert batch == single, p["staff_no"]
        assert batch["counts"]["cells"] == ON_DUTY[p["staff_no"]]
        assert "tasks.pdf" in batch["names"] and "atlas.pdf" in batch["names"]
    by_staff = {p["staff_no"]: p for p in summary["packages"]}
    # the case lies in T001's community, so T001, T004 (the street) carry it, T002 not
    assert [by_staff[s]["cases"] for s in ("T001", "T002", "T004")] == [1, 0, 1]
