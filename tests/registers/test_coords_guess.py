"""A register copied from Amap and imported with no --coords: every plausible system is tried on
the first import too, and a clearly better one refuses the file with the counts for each.

The points are Chancheng's own enterprises (data/chancheng/enterprises_truth.csv: WGS84 and the
community each one is in), written as the map service the bureau copied them from would show
them; the district and cells are the demo project's."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from gridmgr.cli import main
from gridmgr.coords import chinacoords
from gridmgr.errors import InputFileError
from gridmgr.progress import run
from gridmgr.project import open_project
from gridmgr.registers import creditcode
from gridmgr.registers.coordguess import in_some_cell
from gridmgr.registers.enterprises import import_enterprises

TRUTH = Path(__file__).resolve().parents[2] / "gridmgr" / "data" / "demo" / "chancheng" / "enterprises_truth.csv"


def code(n: int) -> str:
    first17 = f"91440604{n + 500000000:09d}"
    return first17 + creditcode.check_character(first17)


@pytest.fixture(scope="module")
def truth() -> list[dict[str, str]]:
    with open(TRUTH, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))[::10]  # 300 enterprises across the district


def register(path: Path, truth: list[dict[str, str]], system: str) -> Path:
    """An Amap-style register: UTF-8 with BOM, Chinese headers, coordinates in ``system``."""
    lon = np.array([float(r["wgs84_lon"]) for r in truth])
    lat = np.array([float(r["wgs84_lat"]) for r in truth])
    if system == "gcj02":
        lon, lat = chinacoords.wgs84_to_gcj02(lon, lat)
    elif system == "bd09":
        lon, lat = chinacoords.wgs84_to_bd09(lon, lat)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["企业名称", "统一社会信用代码", "地址", "经度", "纬度"])
        for i, (x, y) in enumerate(zip(lon, lat)):
            w.writerow([f"佛山市禅城区新登记企业{i}号有限公司", code(i), f"季华路{i}号",
                        f"{x:.6f}", f"{y:.6f}"])
    return path


@pytest.fixture
def store(demo_copy):
    with open_project(demo_copy) as s:
        yield s


def test_an_amap_register_without_coords_is_refused_naming_gcj02(store, tmp_path, truth):
    f = register(tmp_path / "高德企业名录.csv", truth, "gcj02")
    before = len(store.enterprises())
    with pytest.raises(InputFileError) as err:
        run(import_enterprises(store, f))
    text = str(err.value)
    assert "多半是 GCJ-02" in text and "--coords gcj02" in text
    # the counts for each system, as computed independently of the importer
    assert f"GCJ-02（高德/腾讯）：{len(truth)}/{len(truth)} 在辖区内" in text
    assert "WGS84/CGCS2000（GPS）：" in text and "BD-09（百度）：" in text
    assert len(store.enterprises()) == before  # nothing written

    report = run(import_enterprises(store, f, coords="gcj02"))
    assert report.accepted == len(truth) and not report.refused
    ents = store.enterprises().set_index("credit_code")
    got = [ents.loc[code(i), "community_code"] for i in range(len(truth))]
    want = [r["社区编码"] for r in truth]
    assert np.mean([g == w for g, w in zip(got, want)]) > 0.98  # border points may differ


def test_a_baidu_register_names_bd09(store, tmp_path, truth):
    f = register(tmp_path / "百度.csv", truth, "bd09")
    with pytest.raises(InputFileError, match="多半是 BD-09"):
        run(import_enterprises(store, f))


def test_a_gps_register_is_imported_as_wgs84_and_the_report_says_so(store, tmp_path, truth):
    f = register(tmp_path / "gps.csv", truth, "wgs84")
    report = run(import_enterprises(store, f))
    assert report.accepted == len(truth)
    assert report.info["coords"] == "wgs84" and report.info["coords_guessed"] is True
    counts = report.info["coords_counts"]
    assert counts["wgs84"]["district"] == len(truth)
    assert counts["gcj02"]["district"] < len(truth) and counts["bd09"]["district"] < len(truth)
    assert [w.reason for w in report.warnings] == ["coords_checked"]


def test_surveyors_xy_in_metres_need_no_coords(store, tmp_path, truth):
    to_gk = Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
    f = tmp_path / "xy.csv"
    with open(f, "w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["企业名称", "统一社会信用代码", "X坐标", "Y坐标"])
        for i, r in enumerate(truth[:50]):
            x, y = to_gk.transform(float(r["wgs84_lon"]), float(r["wgs84_lat"]))
            w.writerow([f"测绘企业{i}", code(i), f"{x:.2f}", f"{y:.2f}"])
    report = run(import_enterprises(store, f))
    assert report.accepted == 50 and report.info["coords"] == "EPSG:4547"


def test_the_cli_refuses_with_exit_3_and_the_counts(demo_copy, tmp_path, truth, capsys):
    f = register(tmp_path / "高德.csv", truth, "gcj02")
    assert main(["-q", "enterprises", "import", str(demo_copy), str(f)]) == 3
    err = capsys.readouterr().err
    assert "GCJ-02" in err and "在辖区内" in err
    assert main(["-q", "enterprises", "import", str(demo_copy), str(f), "--coords", "gcj02"]) == 0


def test_cases_from_an_amap_export_without_coords_are_refused(store, tmp_path, truth):
    from gridmgr.cases.importer import import_cases

    lon, lat = chinacoords.wgs84_to_gcj02(np.array([float(r["wgs84_lon"]) for r in truth]),
                                          np.array([float(r["wgs84_lat"]) for r in truth]))
    f = tmp_path / "工单导出.csv"
    with open(f, "w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["工单编号", "上报时间", "状态", "小类", "经度", "纬度"])
        for i, (x, y) in enumerate(zip(lon, lat)):
            w.writerow([f"GD2026{i:05d}", "2026-03-02 09:00", "受理", "暴露垃圾", f"{x:.6f}",
                        f"{y:.6f}"])
    with pytest.raises(InputFileError, match="多半是 GCJ-02"):
        run(import_cases(store, f, dry_run=True))
    report = run(import_cases(store, f, coords="gcj02", dry_run=True))
    assert not [r for r in report.refused if r.reason == "case_outside_district"]


def test_points_in_some_cell_are_the_points_the_union_covers() -> None:
    """The tree count (``in_some_cell``) equals covering by the cells' union on an irregular
    grid — points inside, outside, on shared borders and on corners where three cells meet."""
    rng = np.random.default_rng(17)
    seeds = shapely.points(rng.uniform(0, 1000, (300, 2)))
    frame = shapely.box(0, 0, 1000, 1000)
    cells = shapely.intersection(
        shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame)),
        frame)
    cells = cells[rng.random(len(cells)) < 0.8]  # holes in the grid: some points in no cell
    corners = shapely.get_coordinates(shapely.get_exterior_ring(cells))
    edges = shapely.line_interpolate_point(shapely.get_exterior_ring(cells), 0.37,
                                           normalized=True)
    pts = np.concatenate([shapely.points(rng.uniform(-50, 1050, (5000, 2))),
                          shapely.points(corners), edges])
    union = shapely.union_all(cells)
    want = int(shapely.covers(union, pts).sum())
    got = in_some_cell(shapely.STRtree(cells), pts)
    assert got == want
    assert 0 < want < len(pts) and len(corners) > 1000
