"""The enterprise register (一企一档): the demo register lands where the truth file says, every
bad-input case of the messy sample is reported on its row, re-imports update instead of
duplicating, every encoding and coordinate system gives the same result, the cell of every
enterprise agrees with an independent geopandas.sjoin (also after the grid changes), and the
enterprises export carries cell, areas, responsible officers and 检查逾期."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from openpyxl import Workbook, load_workbook
from project_state import fingerprint
from pyproj import Transformer

from gridmgr import beijing
from gridmgr.cli import main
from gridmgr.coords import chinacoords
from gridmgr.errors import InputFileError
from gridmgr.grid.importer import import_grid
from gridmgr.progress import run
from gridmgr.project import init_project, open_project
from gridmgr.registers import creditcode
from gridmgr.registers.cell_assignment import locate
from gridmgr.registers.enterprises import frequency_days, import_enterprises, overdue, parse_date
from gridmgr.registers.responsibility import effective
from gridmgr.storage import Store

DATA = Path(__file__).resolve().parents[2] / "data"
DEMO = Path(__file__).resolve().parents[2] / "gridmgr" / "data" / "demo"
REGISTER = DEMO / "chancheng" / "enterprises.xlsx"
MESSY = DATA / "samples" / "enterprises_messy.csv"
GK = "EPSG:4547"
X0, Y0 = 398_000.0, 2_548_000.0  # as in conftest: gk_square measures from here
TO_GK = Transformer.from_crs("EPSG:4326", GK, always_xy=True)
HEADERS = ["序号", "企业名称", "统一社会信用代码", "所属行业", "监管类别", "环境行为等级", "检查频次",
           "联系人", "联系电话", "地址", "经度", "纬度", "最近检查日期"]


# --------------------------------------------------------------------------- helpers

@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    t = pd.read_csv(DEMO / "chancheng" / "enterprises_truth.csv", dtype=str)
    t["lon"] = t["wgs84_lon"].astype(float)
    t["lat"] = t["wgs84_lat"].astype(float)
    return t


def sha256(path: Path) -> str:
    """The project's state (bytes of a file, every table of a server schema)."""
    return fingerprint(path)


def make_code(n: int, prefix: str = "91440604") -> str:
    """A valid (GB 32100) credit code that the demo register does not use."""
    first17 = f"{prefix}{n:09d}"
    return first17 + creditcode.check_character(first17)


def fresh_project(path: Path, crs: str = "EPSG:4490") -> Store:
    return init_project(path, name="禅城区", admin_code="440604", crs=crs)


def write_csv(path: Path, headers: list[str], rows: list[list[object]],
              encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        w.writerows(rows)
    return path


def messy_rows() -> dict[int, dict[str, str]]:
    """The messy sample read independently: spreadsheet row number → values by header."""
    with open(MESSY, encoding="gbk", newline="") as fh:
        records = list(csv.DictReader(fh))
    return {i + 2: r for i, r in enumerate(records)}


def expected_cells(project_file: Path, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Independent: the current cells read back with pyogrio, geopandas.sjoin of WGS84 points
    (intersects), a point on a shared border going to the lowest code."""
    cells = pyogrio.read_dataframe(project_file, layer="cells")
    cells = cells[cells["valid_to"].isna() & (cells["system"] == "urban")]
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    pts = pts.to_crs(cells.crs)
    joined = gpd.sjoin(pts, cells[["code", "geometry"]], how="left", predicate="intersects")
    first = joined.sort_values("code").groupby(level=0)["code"].first().reindex(pts.index)
    return np.array([c if isinstance(c, str) else None for c in first], dtype=object)


def stored_by_code(store: Store) -> gpd.GeoDataFrame:
    return store.enterprises().set_index("credit_code")


def metres(a: gpd.GeoSeries, b: gpd.GeoSeries) -> np.ndarray:
    """Pairwise distance in EPSG:4547 between two point series (any CRS each)."""
    return shapely.distance(a.to_crs(GK).to_numpy(), b.to_crs(GK).to_numpy())


def reasons(findings) -> list[tuple[object, str]]:
    return sorted((f.row, f.reason) for f in findings)


# --------------------------------------------------------------------------- 1. the demo register

@pytest.mark.gpkg_only  # reads the project file with GDAL/SQLite
def test_demo_register_lands_where_the_truth_says(demo, truth):
    with open_project(demo, readonly=True) as store:
        ents = stored_by_code(store)
    assert len(ents) == len(truth) == 3000
    ents = ents.loc[truth["统一社会信用代码"]]  # register order
    # the community of every enterprise is the truth file's
    assert list(ents["community_code"]) == list(truth["社区编码"])
    assert list(ents["street_code"]) == [c[:9] for c in truth["社区编码"]]
    # every stored point is the WGS84 truth (the GCJ-02 values converted back), within 0.5 m
    true_pts = gpd.GeoSeries(gpd.points_from_xy(truth["lon"], truth["lat"]), crs="EPSG:4326")
    stored = gpd.GeoSeries(ents.geometry.to_numpy(), crs=ents.crs)
    d = metres(stored, true_pts)
    assert d.max() < 0.5
    # … which is a real test of the conversion: the values in the file are ~600 m away
    ws = load_workbook(REGISTER, read_only=True).worksheets[0]
    raw = [(r[10], r[11]) for r in ws.iter_rows(min_row=2, values_only=True)]
    gcj = gpd.GeoSeries(gpd.points_from_xy(*zip(*raw)), crs="EPSG:4326")
    assert metres(gcj, true_pts).min() > 500
    # the cell of every enterprise is what an independent sjoin says
    want = expected_cells(demo, truth["lon"].to_numpy(), truth["lat"].to_numpy())
    assert all(c is not None for c in want)
    assert list(ents["cell_code"]) == list(want)
    assert all(c.startswith(m) for c, m in zip(ents["cell_code"], ents["community_code"]))


# --------------------------------------------------------------------------- 2. the border rule

def test_points_on_a_shared_edge_or_corner_go_to_the_lowest_code(tmp_path, write_vector,
                                                                 gk_square):
    # one community of four 100 m cells whose codes do not follow the file or the geometry:
    # the lowest code (…01) is the north-east cell, listed last
    cells = {"44060401000104": (0, 0), "44060401000103": (100, 0),
             "44060401000102": (0, 100), "44060401000101": (100, 100)}
    street = write_vector("streets.gpkg", {"街道编码": ["440604010"], "街道名称": ["祖庙街道"]},
                          [gk_square(0, 0, 200)])
    comm = write_vector("communities.gpkg", {"社区编码": ["440604010001"], "社区名称": ["升平社区"],
                                             "所属街道编码": ["440604010"]}, [gk_square(0, 0, 200)])
    cell_file = write_vector("cells.gpkg", {"网格编码": list(cells), "所属社区编码": ["440604010001"] * 4},
                             [gk_square(x, y) for x, y in cells.values()])
    points = {  # name: ((x, y) from (X0, Y0), the cell it must go to)
        "边上东西": ((100, 50), "44060401000103"),  # edge …04 | …03
        "边上南北": ((50, 100), "44060401000102"),  # edge …04 | …02
        "四角": ((100, 100), "44060401000101"),  # corner of all four
        "东北边上": ((150, 100), "44060401000101"),  # edge …03 | …01
        "内部": ((50, 50), "44060401000104"),
        "外边上": ((0, 50), "44060401000104"),  # the outer edge: one cell only
    }
    rows = [[i + 1, name, make_code(i + 1), X0 + x, Y0 + y]
            for i, (name, ((x, y), _)) in enumerate(points.items())]
    src = write_csv(tmp_path / "ents.csv", ["序号", "企业名称", "统一社会信用代码", "X", "Y"], rows)
    with fresh_project(tmp_path / "gk.gpkg", crs=GK) as store:
        for path, level in ((street, "street"), (comm, "community"), (cell_file, "cell")):
            report = run(import_grid(store, path, level=level))
            assert not report.refused
        report = run(import_enterprises(store, src, coords=GK))
        assert report.refused == [] and report.accepted == len(points)
        got = dict(zip(store.enterprises()["name"], store.enterprises()["cell_code"]))
        stored_cells = store.areas("cell")
    assert got == {name: cell for name, (_, cell) in points.items()}
    # the same with locate() directly, whatever the order of the cells
    pts = shapely.points([(X0 + x, Y0 + y) for (x, y), _ in points.values()])
    geoms = stored_cells.geometry.to_numpy()
    codes = stored_cells["code"].to_numpy(dtype=object)
    for order in (np.arange(4), np.arange(4)[::-1], np.array([2, 0, 3, 1])):
        assert list(locate(pts, geoms[order], codes[order])) == [c for _, c in points.values()]
    # a point in no cell gets None
    assert list(locate(shapely.points([(X0 + 500, Y0 + 500)]), geoms, codes)) == [None]


# --------------------------------------------------------------------------- 3. the messy sample

def test_messy_sample_every_problem_on_its_row_and_nothing_refused_lands(demo_copy):
    """--strict: a credit code failing its check character is refused too."""
    rows = messy_rows()
    with open_project(demo_copy) as store:
        before = stored_by_code(store)
        report = run(import_enterprises(store, MESSY, coords="gcj02", strict=True))
        after = stored_by_code(store)
        district = shapely.union_all(store.areas("district").to_crs(GK).geometry.to_numpy())
    assert report.info["encoding"] == "gb18030"
    assert report.info["encoding_source"] == "detected"
    assert report.info["rows"] == 30
    # row 4 has no coordinates but is known by its credit code: an update that keeps the place
    assert reasons(report.refused) == [
        (7, "bad_coordinate_text"), (13, "outside_district"),
        (21, "invalid_credit_code"), (26, "missing_name"), (28, "duplicate_credit_code")]
    warned = sorted((f.row, f.reason, f.extra.get("field") or "") for f in report.warnings)
    assert warned == sorted([(10, "swapped_coordinates", ""), (16, "fullwidth_digits", "联系电话"),
                             (18, "fullwidth_digits", "经度"), (18, "fullwidth_digits", "纬度"),
                             (30, "stray_spaces", "企业名称")])
    assert report.accepted == 30 - 5
    by_row = {f.row: f for f in report.findings if f.reason != "fullwidth_digits"}
    assert by_row[28].code == "91440604594672348X" and by_row[28].extra["first_row"] == 24
    assert by_row[21].code == "91440604MA49YXB083"
    assert by_row[7].extra["x0"] == "113.1.2"
    assert by_row[13].extra["x0"] == "113.324520" and by_row[13].extra["y0"] == "23.106416"
    # the swap is reported with the values it was imported as
    assert by_row[10].extra["lon"] == pytest.approx(113.153864)
    assert by_row[10].extra["lat"] == pytest.approx(22.990880)

    # nothing refused lands: no row added, the refused rows' enterprises exactly as before
    assert len(after) == len(before) == 3000
    assert "91440604MA49YXB083" not in after.index  # row 21's invalid code
    for row in (4, 7, 13, 26, 28):
        code = rows[row]["统一社会信用代码"]
        old, new = before.loc[code], after.loc[code]
        assert old.drop("geometry").equals(new.drop("geometry")), row
        assert old.geometry.equals_exact(new.geometry, 0), row
    assert after.loc["91440604594672348X", "phone"] == rows[24]["联系电话"] != rows[28]["联系电话"]
    assert after.loc[rows[26]["统一社会信用代码"], "name"]  # the empty name did not erase it

    # the swapped row: corrected, inside the district, where the GCJ-02 point really is
    code10 = rows[10]["统一社会信用代码"]
    lon, lat = chinacoords.gcj02_to_wgs84(113.153864, 22.990880)
    want = shapely.Point(TO_GK.transform(lon, lat))
    got = gpd.GeoSeries([after.loc[code10].geometry], crs=after.crs).to_crs(GK).iloc[0]
    assert got.distance(want) < 0.5
    assert district.contains(got)
    # full-width and stray spaces: normalised to the register's values
    assert after.loc[rows[16]["统一社会信用代码"], "phone"] == "13542551357"
    assert after.loc[rows[30]["统一社会信用代码"], "name"] == "佛山市禅城区南方烧腊店"


# --------------------------------------------------------------------------- 4. re-import

def test_reimporting_the_demo_register_changes_nothing(demo_copy):
    with open_project(demo_copy) as store:
        before = store.enterprises()
        report = run(import_enterprises(store, REGISTER, coords="gcj02"))
        after = store.enterprises()
    assert report.refused == []
    assert (report.info["inserted"], report.info["updated"], report.info["unchanged"]) == (0, 0, 3000)
    assert report.info["changes"] == []
    assert list(after["fid"]) == list(before["fid"])
    pd.testing.assert_frame_equal(pd.DataFrame(after.drop(columns="geometry")),
                                  pd.DataFrame(before.drop(columns="geometry")))
    assert all(a.equals_exact(b, 0) for a, b in zip(after.geometry, before.geometry))


def test_a_bad_check_character_is_imported_flagged_and_checked(demo_copy):
    """Without --strict the register is taken as the bureau keeps it: row 21's code (one
    character off the register's) lands as given, warned, and ``check`` keeps listing it."""
    from gridmgr.registers.responsibility import check

    with open_project(demo_copy) as store:
        report = run(import_enterprises(store, MESSY, coords="gcj02"))
        after = stored_by_code(store)
        flagged = [f for f in check(store).warnings if f.reason == "enterprise_bad_credit_code"]
    assert reasons(report.refused) == [(7, "bad_coordinate_text"), (13, "outside_district"),
                                       (26, "missing_name"), (28, "duplicate_credit_code")]
    kept = [f for f in report.warnings if f.reason == "invalid_credit_code_kept"]
    assert [(f.row, f.code) for f in kept] == [(21, "91440604MA49YXB083")]
    assert "校验位应为 U" in kept[0].message
    assert after.loc["91440604MA49YXB083", "name"] == messy_rows()[21]["企业名称"]
    assert [(f.code, f.extra["detail"]) for f in flagged] == [
        ("91440604MA49YXB083", "校验位应为 U，实际为 3")]


def test_reimporting_the_messy_sample_updates_the_three_changed_rows(demo_copy):
    rows = messy_rows()
    with open_project(demo_copy) as store:
        before = stored_by_code(store)
        report = run(import_enterprises(store, MESSY, coords="gcj02"))
        after = stored_by_code(store)
        again = run(import_enterprises(store, MESSY, coords="gcj02"))
        final = stored_by_code(store)
    assert report.info["inserted"] == 1  # row 21, under its invalid code
    assert report.info["updated"] == 3 and report.info["unchanged"] == 25 - 3
    c3, c9, c12 = (rows[r]["统一社会信用代码"] for r in (3, 9, 12))
    changes = {c["row"]: (c["credit_code"], c["changes"]) for c in report.info["changes"]}
    assert changes == {
        3: (c3, {"last_inspection": [before.loc[c3, "last_inspection"], "2026-11-08"]}),
        9: (c9, {"phone": [before.loc[c9, "phone"], "15019042408"]}),
        12: (c12, {"last_inspection": [before.loc[c12, "last_inspection"], "2026-11-17"]}),
    }
    assert before.loc[c9, "phone"] != "15019042408"
    assert after.loc[c3, "last_inspection"] == "2026-11-08"
    assert after.loc[c9, "phone"] == "15019042408"
    assert after.loc[c12, "last_inspection"] == "2026-11-17"
    # same fids, nothing else touched (row 21 came in as a new enterprise)
    after = after.drop(index="91440604MA49YXB083")
    assert (after["fid"] == before["fid"]).all()
    cols = [c for c in before.columns if c not in ("geometry", "updated_at", "source")]
    others = before.index.difference([c3, c9, c12])
    pd.testing.assert_frame_equal(pd.DataFrame(after.loc[others, cols]),
                                  pd.DataFrame(before.loc[others, cols]))
    # a second time: everything the file can give is already there
    assert (again.info["inserted"], again.info["updated"], again.info["unchanged"]) == (0, 0, 26)
    assert len(final) == 3001


def test_a_blank_cell_in_a_reimport_does_not_erase_a_stored_value(demo_copy, truth, tmp_path):
    with open_project(demo_copy, readonly=True) as store:
        ents = stored_by_code(store)
    picks = truth.iloc[[0, 1]]
    rows = []
    for i, (_, t) in enumerate(picks.iterrows()):
        e = ents.loc[t["统一社会信用代码"]]
        rows.append([i + 1, e["name"], e.name, e["industry"], e["supervision_class"], e["rating"],
                     e["inspection_frequency"], "新联系人" if i == 1 else e["contact"],
                     "", e["address"], t["wgs84_lon"], t["wgs84_lat"], ""])
    src = write_csv(tmp_path / "blank.csv", HEADERS, rows)
    with open_project(demo_copy) as store:
        report = run(import_enterprises(store, src, coords="wgs84"))
        after = stored_by_code(store)
    assert report.refused == []
    assert (report.info["inserted"], report.info["updated"], report.info["unchanged"]) == (0, 1, 1)
    (change,) = report.info["changes"]
    assert change["row"] == 3 and set(change["changes"]) == {"contact"}
    for code in picks["统一社会信用代码"]:
        assert after.loc[code, "phone"] == ents.loc[code, "phone"]
        assert after.loc[code, "last_inspection"] == ents.loc[code, "last_inspection"]
    assert ents.loc[picks["统一社会信用代码"], "phone"].notna().all()
    assert after.loc[picks["统一社会信用代码"].iloc[1], "contact"] == "新联系人"


# --------------------------------------------------------------------------- 5. encodings, XLSX

NAMES = ["佛山市禅城区鸿运陶瓷有限公司", "佛山市张槎街道锦华印染厂", "佛山市禅城区石湾镇镕记餐馆"]


@pytest.mark.parametrize("encoding,want", [("utf-8", ("utf-8", "detected")),
                                           ("utf-8-sig", ("utf-8-sig", "bom")),
                                           ("gbk", ("gb18030", "detected"))])
def test_csv_in_every_encoding_gives_the_same_chinese(tmp_path, truth, encoding, want):
    rows = [[i + 1, name, truth["统一社会信用代码"].iloc[i], "陶瓷", "省控", "黄", "每季度1次",
             "陈大文", "13800138000", "佛山市禅城区季华路1号", truth["wgs84_lon"].iloc[i],
             truth["wgs84_lat"].iloc[i], "2025-03-01"] for i, name in enumerate(NAMES)]
    src = write_csv(tmp_path / f"reg-{encoding}.csv", HEADERS, rows, encoding=encoding)
    raw = src.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    with fresh_project(tmp_path / "p.gpkg") as store:
        report = run(import_enterprises(store, src))
        ents = store.enterprises()
    assert (report.info["encoding"], report.info["encoding_source"]) == want
    assert report.refused == [] and report.accepted == 3
    assert list(ents["name"]) == NAMES
    assert list(ents["contact"]) == ["陈大文"] * 3
    assert list(ents["industry"]) == ["陶瓷"] * 3
    assert list(ents["supervision_class"]) == ["省控"] * 3


def test_xlsx_numbers_typed_as_numbers_keep_their_text(tmp_path, truth):
    wb = Workbook()
    ws = wb.active
    ws.title = "企业名录"
    ws.append(HEADERS)
    codes = list(truth["统一社会信用代码"].iloc[:4])
    digits_only = "914406046460277985"  # an old-style all-digit code, typed as text
    assert creditcode.problem(digits_only) is None
    codes[3] = digits_only
    phones = [13800138000, 13912345678.0, "0757-82345678", 15012345678]
    dates = [datetime(2025, 3, 1), "2025/3/1", "2025年3月1日", date(2025, 3, 1)]
    for i in range(4):
        ws.append([i + 1, f"佛山市测试{i}厂", codes[i], "陶瓷", "一般", "绿", "每月1次", "李四",
                   phones[i], "佛山市禅城区", float(truth["lon"].iloc[i]),
                   float(truth["lat"].iloc[i]), dates[i]])
    src = tmp_path / "reg.xlsx"
    wb.save(src)
    with fresh_project(tmp_path / "p.gpkg") as store:
        report = run(import_enterprises(store, src))
        ents = store.enterprises()
    assert report.refused == [] and report.info["sheet"] == "企业名录"
    assert [f.reason for f in report.warnings if f.row is not None] == []
    assert list(ents["credit_code"]) == codes
    assert list(ents["phone"]) == ["13800138000", "13912345678", "0757-82345678", "15012345678"]
    assert list(ents["last_inspection"]) == ["2025-03-01"] * 4
    assert list(ents["frequency_days"]) == [30] * 4
    assert not any(".0" in str(v) for v in ents[["phone", "credit_code"]].to_numpy().ravel())


# --------------------------------------------------------------------------- 6. --coords

def test_every_coordinate_system_gives_the_same_stored_point(tmp_path, truth):
    lon, lat = float(truth["lon"].iloc[7]), float(truth["lat"].iloc[7])
    glon, glat = chinacoords.wgs84_to_gcj02(lon, lat)
    blon, blat = chinacoords.wgs84_to_bd09(lon, lat)
    x, y = TO_GK.transform(lon, lat)
    assert abs(glon - lon) > 1e-3 and abs(blon - glon) > 1e-3  # really different numbers
    cases = {"wgs84": ("经度", "纬度", lon, lat), "cgcs2000": ("经度", "纬度", lon, lat),
             "gcj02": ("经度", "纬度", glon, glat), "bd09": ("经度", "纬度", blon, blat),
             GK: ("X", "Y", x, y)}
    with fresh_project(tmp_path / "p.gpkg") as store:
        for i, (coords, (hx, hy, vx, vy)) in enumerate(cases.items()):
            src = write_csv(tmp_path / f"{i}.csv", ["企业名称", "统一社会信用代码", hx, hy],
                            [[f"企业{coords}", make_code(100 + i), repr(float(vx)),
                              repr(float(vy))]])
            report = run(import_enterprises(store, src, coords=coords))
            assert report.refused == [] and report.info["inserted"] == 1, coords
        ents = store.enterprises()
    assert len(ents) == len(cases)
    stored = gpd.GeoSeries(ents.geometry.to_numpy(), crs=ents.crs).to_crs(GK)
    d = shapely.distance(stored.to_numpy(), shapely.Point(x, y))
    assert d.max() < 0.05, dict(zip(ents["name"], d))


# --------------------------------------------------------------------------- 7. grid change

@pytest.mark.gpkg_only  # reads the project file with GDAL/SQLite
def test_a_new_grid_moves_enterprises_to_their_new_cells(demo_copy, truth, tmp_path, capsys):
    with open_project(demo_copy, readonly=True) as store:
        old = stored_by_code(store)["cell_code"]
        n_cells = store.count_areas("cell")
    out = tmp_path / "generate.json"
    assert main(["-q", "grid", "generate", str(demo_copy), "--size", "400", "--supersede",
                 "--report", str(out)]) == 0
    capsys.readouterr()
    with open_project(demo_copy, readonly=True) as store:
        new = stored_by_code(store)
        assert 0 < store.count_areas("cell") < n_cells  # 400 m cells: fewer than 300 m ones
    new = new.loc[truth["统一社会信用代码"]]
    want = expected_cells(demo_copy, truth["lon"].to_numpy(), truth["lat"].to_numpy())
    assert list(new["cell_code"]) == list(want)
    assert list(new["community_code"]) == list(truth["社区编码"])
    moved = {c: (old[c], n) for c, n in zip(new.index, new["cell_code"]) if old[c] != n}
    assert len(moved) > 100
    listed = json.loads(out.read_text(encoding="utf-8"))["enterprises_moved"]
    assert len(listed) == min(len(moved), 1000)
    assert len({m["credit_code"] for m in listed}) == len(listed)
    for m in listed:
        assert (m["from"], m["to"]) == moved[m["credit_code"]]
    # the grid has not changed since: assign-cells moves nothing
    assert main(["enterprises", "assign-cells", str(demo_copy)]) == 0
    assert "重新归入网格：0 个企业" in capsys.readouterr().out
    with open_project(demo_copy, readonly=True) as store:
        assert list(stored_by_code(store).loc[new.index, "cell_code"]) == list(want)


def test_assign_cells_repairs_cells_that_disagree_with_the_grid(demo_copy, capsys):
    with open_project(demo_copy) as store, store.atomic():
        ents = store.enterprises()
        right = ents.iloc[:3][["fid", "cell_code", "community_code", "street_code"]]
        store.set_enterprise_cells(right["fid"], [None, "44060401000199", None],
                                   [None] * 3, [None] * 3)
    assert main(["enterprises", "assign-cells", str(demo_copy)]) == 0
    out = capsys.readouterr().out
    assert "重新归入网格：3 个企业" in out
    with open_project(demo_copy, readonly=True) as store:
        back = store.enterprises().iloc[:3]
    assert list(back["cell_code"]) == list(right["cell_code"])
    assert list(back["community_code"]) == list(right["community_code"])
    assert list(back["street_code"]) == list(right["street_code"])


def test_generate_says_how_many_enterprises_moved(demo_copy, capsys):
    with open_project(demo_copy, readonly=True) as store:
        old = stored_by_code(store)["cell_code"]
    assert main(["-q", "grid", "generate", str(demo_copy), "--size", "400", "--supersede"]) == 0
    out = capsys.readouterr().out
    with open_project(demo_copy, readonly=True) as store:
        new = stored_by_code(store)["cell_code"]
    n = int((new.reindex(old.index) != old).sum())
    assert n > 1000
    assert f"网格变化后，{n} 个企业所在网格随之更新" in out


# --------------------------------------------------------------------------- 8. unit cases

@pytest.mark.parametrize("text,days", [("每月1次", 30), ("每季度1次", 91), ("每2年1次", 730),
                                       ("每年1次", 365), ("每半年1次", 182), ("每周2次", 4),
                                       ("每 月 1 次", 30), ("不定期", None), ("每月", None),
                                       ("", None), (None, None)])
def test_frequency_days(text, days):
    assert frequency_days(text) == days


@pytest.mark.parametrize("value,iso", [("2025/3/1", "2025-03-01"), ("2025年3月1日", "2025-03-01"),
                                       ("2025-03-01", "2025-03-01"), ("2025.3.1", "2025-03-01"),
                                       (date(2025, 3, 1), "2025-03-01"),
                                       (datetime(2025, 3, 1, 14, 30), "2025-03-01"),
                                       (None, None), ("", None)])
def test_parse_date(value, iso):
    assert parse_date(value) == iso


@pytest.mark.parametrize("bad", ["2025-13-01", "3/1/2025", "去年", "2025年2月30日"])
def test_parse_date_refuses_what_is_not_a_date(bad):
    with pytest.raises(ValueError):
        parse_date(bad)


def test_overdue():
    today = "2026-11-23"
    assert overdue(None, 30, today) is True  # never inspected
    assert overdue("2026-11-01", 30, today) is False  # recent
    assert overdue("2026-10-24", 30, today) is False  # due today: not yet overdue
    assert overdue("2026-10-23", 30, today) is True  # due yesterday
    assert overdue("2026-01-01", 365, today) is False
    assert overdue("2025-01-01", 365, today) is True
    assert overdue("2026-01-01", None, today) is None  # frequency unknown: no answer


# --------------------------------------------------------------------------- 9. export

def _in_force(rows: list[dict[str, str]], area: str, role: str, day: str) -> str | None:
    """From assignments.csv: the row with the latest 起始日期 on or before ``day``."""
    hits = sorted((r["起始日期"], r["工号"]) for r in rows
                  if r["区域编码"] == area and r["角色"] == role and r["起始日期"] <= day)
    return hits[-1][1] if hits else None


def test_export_enterprises_carries_cells_areas_people_and_overdue(demo, tmp_path, capsys):
    gpkg, xlsx = tmp_path / "ents.gpkg", tmp_path / "ents.xlsx"
    assert main(["-q", "export", str(demo), "enterprises", "--out", str(gpkg)]) == 0
    assert main(["-q", "export", str(demo), "enterprises", "--out", str(xlsx)]) == 0
    capsys.readouterr()
    with open_project(demo, readonly=True) as store:
        ents = stored_by_code(store)
        eff = effective(store).set_index("cell_code")
    g = pyogrio.read_dataframe(gpkg).set_index("credit_code")
    x = pd.read_excel(xlsx, dtype=object).set_index("统一社会信用代码")
    assert len(g) == len(x) == len(ents) == 3000
    for col in ("cell_code", "cell_name", "community_name", "street_name", "primary_name",
                "primary_mobile", "supervisor_name", "supervisor_mobile", "inspection_overdue"):
        assert col in g.columns, col
    for col in ("网格编码", "网格名称", "社区名称", "街道名称", "责任人", "责任人电话",
                "区级监管责任人", "监管责任人电话", "检查逾期"):
        assert col in x.columns, col
    assert list(g.loc[ents.index, "cell_code"]) == list(ents["cell_code"])
    assert list(x.loc[ents.index, "网格编码"].astype(str)) == list(ents["cell_code"])

    # independent: names from the source files, people from officers.csv + assignments.csv
    comm = gpd.read_file(DEMO / "chancheng" / "communities.geojson")
    comm_name = dict(zip(comm["社区编码"], comm["社区名称"]))
    street = gpd.read_file(DEMO / "chancheng" / "streets.geojson")
    street_name = dict(zip(street["街道编码"], street["街道名称"]))
    with open(DEMO / "chancheng" / "officers.csv", encoding="utf-8-sig", newline="") as fh:
        people = {r["工号"]: r for r in csv.DictReader(fh)}
    with open(DEMO / "chancheng" / "assignments.csv", encoding="utf-8-sig", newline="") as fh:
        assigned = list(csv.DictReader(fh))
    today = beijing.today()  # the project's day: Beijing's, whatever the machine's zone
    # one enterprise in 绿景社区 (网格员 changed on 2026-03-01), one in 黎冲村 (no supervisor)
    for community in ("440604010005", "440604010211"):
        code = ents.index[ents["community_code"] == community][0]
        primary = people[_in_force(assigned, community, "网格员", today)]
        sup_no = _in_force(assigned, community, "区级监管责任人", today)
        cell = ents.loc[code, "cell_code"]
        for frame, cols in ((g, ("community_name", "street_name", "primary_name",
                                 "primary_mobile", "supervisor_name", "supervisor_mobile",
                                 "cell_name")),
                            (x, ("社区名称", "街道名称", "责任人", "责任人电话", "区级监管责任人",
                                 "监管责任人电话", "网格名称"))):
            r = frame.loc[code]
            assert r[cols[0]] == comm_name[community]
            assert r[cols[1]] == street_name[community[:9]]
            assert (r[cols[2]], str(r[cols[3]])) == (primary["姓名"], primary["手机"])
            assert r[cols[6]] == eff.loc[cell, "cell_name"]
            if sup_no is None:
                assert pd.isna(r[cols[4]]) and pd.isna(r[cols[5]])
            else:
                sup = people[sup_no]
                assert (r[cols[4]], str(r[cols[5]])) == (sup["姓名"], sup["手机"])
        # the same as responsibility.effective says for its cell today
        assert g.loc[code, "primary_name"] == eff.loc[cell, "primary_name"]
        assert g.loc[code, "primary_mobile"] == eff.loc[cell, "primary_mobile"]
        sup = g.loc[code, "supervisor_name"]
        assert (None if pd.isna(sup) else sup) == eff.loc[cell, "supervisor_name"]
    assert _in_force(assigned, "440604010005", "网格员", today) == "CC0146"
    assert _in_force(assigned, "440604010211", "区级监管责任人", today) is None

    # 检查逾期, computed by hand for every enterprise
    days = {"每月1次": 30, "每季度1次": 91, "每半年1次": 182, "每年1次": 365}
    want = []
    for code in ents.index:
        last, freq = ents.loc[code, "last_inspection"], ents.loc[code, "inspection_frequency"]
        want.append(last is None or
                    date.fromordinal(date.fromisoformat(last).toordinal() + days[freq])
                    < date.fromisoformat(beijing.today()))
    assert list(g.loc[ents.index, "inspection_overdue"].astype(bool)) == want
    assert [bool(v) for v in x.loc[ents.index, "检查逾期"]] == want
    assert 0 < sum(want) < len(want)


# --------------------------------------------------------------------------- 10. dry run, errors

def test_dry_run_writes_nothing(demo_copy, tmp_path, truth, capsys):
    before = sha256(demo_copy)
    src = write_csv(tmp_path / "new.csv", HEADERS,
                    [[1, "佛山市禅城区新开陶瓷厂", make_code(7), "陶瓷", "一般", "绿", "每年1次", "王",
                      "13800138000", "佛山", truth["wgs84_lon"].iloc[0],
                      truth["wgs84_lat"].iloc[0], ""]])
    with open_project(demo_copy) as store:
        report = run(import_enterprises(store, src, dry_run=True))
        assert store.count_enterprises() == 3000
    assert report.info["dry_run"] is True and report.info["inserted"] == 1
    assert sha256(demo_copy) == before
    assert main(["-q", "enterprises", "import", str(demo_copy), str(MESSY), "--coords", "gcj02",
                 "--dry-run"]) == 1
    assert "试运行，未写入" in capsys.readouterr().out
    assert sha256(demo_copy) == before


def test_a_file_without_a_name_column_is_refused_naming_its_columns(project, tmp_path):
    src = write_csv(tmp_path / "noname.csv", ["编码", "地点", "经度", "纬度"],
                    [["1", "季华路", "113.1", "23.0"]])
    with pytest.raises(InputFileError) as err:
        run(import_enterprises(project, src))
    for header in ("编码", "地点", "经度", "纬度"):
        assert header in str(err.value)
    assert "--map" in str(err.value)
    assert project.count_enterprises() == 0


def test_cli_exit_codes(demo_copy, tmp_path, capsys):
    report = tmp_path / "r.json"
    # 0: a clean import (the register again, nothing refused)
    assert main(["-q", "enterprises", "import", str(demo_copy), str(REGISTER),
                 "--coords", "gcj02"]) == 0
    assert "新增 0，更新 0，未变 3000" in capsys.readouterr().out
    # 1: refused rows, reported with their rows
    assert main(["-q", "enterprises", "import", str(demo_copy), str(MESSY), "--coords", "gcj02",
                 "--report", str(report)]) == 1
    out = capsys.readouterr().out
    assert "enterprises_messy.csv:21:" in out and "invalid_credit_code_kept" in out
    assert "新增 1，更新 3，未变 22；拒收 4，警告 6" in out
    assert "第 9 行" in out and "→ 15019042408" in out  # what changed, old → new
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["encoding"] == "gb18030" and data["encoding_source"] == "detected"
    assert sorted(f["row"] for f in data["refused"]) == [7, 13, 26, 28]
    assert data["updated"] == 3
    # 3: an unusable file
    src = write_csv(tmp_path / "noname.csv", ["编码", "经度", "纬度"], [["1", "113.1", "23.0"]])
    assert main(["-q", "enterprises", "import", str(demo_copy), str(src)]) == 3
    assert "找不到企业名称列" in capsys.readouterr().err
    assert main(["-q", "enterprises", "import", str(demo_copy), str(tmp_path / "none.csv")]) == 3
    with open_project(demo_copy, readonly=True) as store:
        assert store.count_enterprises() == 3001  # the messy file's row 21
