"""What a real register does to an importer: title rows, punctuation in legal names, rows with
no key, ids that point at another enterprise, old inspection dates, surveyors' X/Y, and a
forgotten --coords that would move every enterprise ~600 m."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from gridmgr.coords import chinacoords
from gridmgr.errors import InputFileError
from gridmgr.progress import run
from gridmgr.project import open_project
from gridmgr.registers import creditcode
from gridmgr.registers.enterprises import import_enterprises

HEADERS = ["企业名称", "统一社会信用代码", "企业编号", "监管类别", "联系电话", "地址", "经度",
           "纬度", "最近检查日期"]
TRUTH = Path(__file__).resolve().parents[2] / "gridmgr" / "data" / "demo" / "chancheng" / "enterprises_truth.csv"


@pytest.fixture
def project(demo_copy):
    with open_project(demo_copy) as store:
        yield store


@pytest.fixture(scope="module")
def spot() -> tuple[float, float]:
    """A WGS84 point inside Chancheng (the first enterprise of the truth file)."""
    with open(TRUTH, encoding="utf-8") as fh:
        first = next(csv.DictReader(fh))
    return float(first["wgs84_lon"]), float(first["wgs84_lat"])


def code(n: int) -> str:
    first17 = f"91440604{n:09d}"
    return first17 + creditcode.check_character(first17)


def write(path: Path, rows: list[list[object]], title: str | None = None) -> Path:
    if path.suffix == ".xlsx":
        wb = Workbook()
        ws = wb.active
        if title:
            ws.append([title])
            ws.append([])
        ws.append(HEADERS)
        for r in rows:
            ws.append(r)
        wb.save(path)
    else:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            if title:
                w.writerow([title])
            w.writerow(HEADERS)
            w.writerows(rows)
    return path


def test_a_title_row_above_the_header_is_skipped(project, tmp_path, spot):
    lon, lat = spot
    f = write(tmp_path / "r.xlsx", [["佛山市禅城区甲陶瓷有限公司", code(1), None, "一般", None,
                                      None, lon, lat, None]],
              title="禅城区重点监管企业名录（2026年）")
    report = run(import_enterprises(project, f))
    assert report.info["header_row"] == 3
    assert report.accepted == 1 and not report.refused
    stored = project.enterprises().set_index("credit_code").loc[code(1)]
    assert (stored["name"], stored["supervision_class"]) == ("佛山市禅城区甲陶瓷有限公司", "一般")


def test_legal_names_and_addresses_keep_their_full_width_punctuation(project, tmp_path, spot):
    lon, lat = spot
    name = "佛山市禅城区某某（集团）有限公司"
    address = "季华五路１号，２栋"
    f = write(tmp_path / "r.csv", [[name, code(2), None, "一般", "１３８００１３８０００",
                                    address, lon, lat, None]])
    report = run(import_enterprises(project, f, coords="wgs84"))
    stored = project.enterprises().set_index("credit_code").loc[code(2)]
    assert stored["name"] == name and stored["address"] == address  # untouched
    assert stored["phone"] == "13800138000"  # a number: made half-width, and said so
    assert [(w.row, w.reason, w.extra["field"]) for w in report.warnings] == [
        (2, "fullwidth_digits", "联系电话")]


def test_rows_without_any_key_match_by_name_and_address(project, tmp_path, spot):
    lon, lat = spot
    rows = [["佛山市禅城区无证小作坊", None, None, "一般", None, "石湾公园路8号", lon, lat, None]]
    f = write(tmp_path / "r.csv", rows)
    first = run(import_enterprises(project, f, coords="wgs84"))
    second = run(import_enterprises(project, f, coords="wgs84"))
    assert first.info["inserted"] == 1
    assert (second.info["inserted"], second.info["unchanged"]) == (0, 1)
    assert [w.reason for w in second.warnings] == ["no_key"]
    assert (project.enterprises()["name"] == "佛山市禅城区无证小作坊").sum() == 1


def test_an_id_that_belongs_to_another_enterprise_is_refused(project, tmp_path, spot):
    lon, lat = spot
    run(import_enterprises(project, write(tmp_path / "a.csv", [
        ["企业甲", None, "E001", "一般", None, None, lon, lat, None],
        ["企业乙", code(3), None, "一般", None, None, lon, lat, None]])))
    before = len(project.enterprises())
    report = run(import_enterprises(project, write(tmp_path / "b.csv", [
        ["企业乙", code(3), "E001", "一般", None, None, lon, lat, None]])))
    assert [(r.row, r.reason) for r in report.refused] == [(2, "key_conflict")]
    assert "企业甲" in report.refused[0].message
    ents = project.enterprises()
    assert len(ents) == before
    assert ents.set_index("credit_code").loc[code(3), "ext_id"] is None


def test_an_older_register_never_rolls_the_last_inspection_back(project, tmp_path, spot):
    lon, lat = spot
    f1 = write(tmp_path / "new.csv", [["企业丙", code(4), None, "一般", None, None, lon, lat,
                                       "2026-10-01"]])
    f2 = write(tmp_path / "old.csv", [["企业丙", code(4), None, "一般", None, None, lon, lat,
                                       "2026-03-01"]])
    run(import_enterprises(project, f1, coords="wgs84"))
    report = run(import_enterprises(project, f2, coords="wgs84"))
    assert [w.reason for w in report.warnings] == ["older_inspection"]
    assert project.enterprises().set_index("credit_code").loc[code(4),
                                                              "last_inspection"] == "2026-10-01"


def test_surveyors_xy_with_the_northing_first_is_swapped_and_said(project, tmp_path, spot):
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True).transform(*spot)
    f = write(tmp_path / "xy.csv", [["企业丁", code(5), None, "一般", None, None, y, x, None]])
    report = run(import_enterprises(project, f, coords="EPSG:4547"))
    assert report.accepted == 1
    assert [w.reason for w in report.warnings] == ["swapped_coordinates"]
    stored = project.enterprises().set_index("credit_code").loc[code(5)].geometry
    assert stored.x == pytest.approx(spot[0], abs=1e-6)
    assert stored.y == pytest.approx(spot[1], abs=1e-6)


def test_a_forgotten_coords_option_is_caught_before_it_moves_everything(project, tmp_path):
    """The demo register holds GCJ-02: read as WGS84 it would move ~600 m in one direction."""
    register = Path(__file__).resolve().parents[2] / "gridmgr" / "data" / "demo" / "chancheng" / "enterprises.xlsx"
    before = project.enterprises()
    with pytest.raises(InputFileError, match="--coords"):
        run(import_enterprises(project, register))  # coords defaults to wgs84
    after = project.enterprises()
    assert after.geometry.equals(before.geometry)
    assert run(import_enterprises(project, register, coords="GCJ-02", dry_run=True)
               ).info["unchanged"] == 3000  # the spelling people write is understood
    with pytest.raises(InputFileError, match="多半是 GCJ-02"):  # the first-import check too
        run(import_enterprises(project, register, allow_shift=True, dry_run=True))
    report = run(import_enterprises(project, register, coords="wgs84", allow_shift=True,
                                    dry_run=True))
    assert report.info["updated"] > 2000  # with the user's word, it would go ahead


def test_bd09_coordinates_land_on_the_same_point(project, tmp_path, spot):
    bx, by = chinacoords.wgs84_to_bd09(*spot)
    f = write(tmp_path / "bd.csv", [["企业戊", code(6), None, "一般", None, None, float(bx),
                                     float(by), None]])
    run(import_enterprises(project, f, coords="bd09"))
    stored = project.enterprises().set_index("credit_code").loc[code(6)].geometry
    assert (stored.x, stored.y) == pytest.approx(spot, abs=1e-6)
