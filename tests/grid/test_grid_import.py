"""``grid import``: real files made here (GBK Shapefiles without .cpg, GeoPackage, KML) go into a
real project; names, encodings, CRS, areas, parents, refusals, dry runs, cancelling, ``--map``,
``--supersede`` and the CLI are checked against values computed independently."""

from __future__ import annotations

import json
import zipfile
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyogrio
import pytest
from project_state import fingerprint
from pyproj import CRS, Transformer
from shapely.geometry import Polygon

from gridmgr import beijing
from gridmgr.cli import main
from gridmgr.errors import Cancelled, InputFileError, UsageError
from gridmgr.grid.importer import import_grid
from gridmgr.progress import Progress, run
from gridmgr.storage import Store

GK = "EPSG:4547"
TO_LONLAT = Transformer.from_crs(GK, "EPSG:4490", always_xy=True)

# Two streets side by side, 1500 × 3000 m each; communities 1500 × 1500 m inside them.
STREETS = [("440604010", "祖庙街道", (0, 0, 1500, 3000)),
           ("440604011", "石湾镇街道", (1500, 0, 1500, 3000))]
COMMUNITIES = [("440604010001", "升平社区", "440604010", (0, 0, 1500, 1500)),
               ("440604010002", "兴华社区", "440604010", (0, 1500, 1500, 1500)),
               ("440604011001", "石湾社区", "440604011", (1500, 0, 1500, 1500)),
               ("440604011002", "东风社区", "440604011", (1500, 1500, 1500, 1500))]


# --------------------------------------------------------------------------- helpers

def import_(store: Store, path: Path, **kw):
    """Run an import to the end, collecting its progress."""
    steps: list[Progress] = []
    report = run(import_grid(store, path, **kw), steps.append)
    return report, steps


def reasons(findings) -> list[tuple[object, str]]:
    return [(f.row, f.reason) for f in findings]


def sha256(path: Path) -> str:
    """The project's state (bytes of a file, every table of a server schema)."""
    return fingerprint(path)


def names_by_code(store: Store, level: str, **kw) -> dict[str, str]:
    areas = store.areas(level, **kw)
    return dict(zip(areas["code"], areas["name"]))


@pytest.fixture
def streets_file(write_vector, gk_square):
    """Streets as a GBK Shapefile with no .cpg and a zero language-driver byte."""
    return write_vector(
        "streets.shp",
        {"街道编码": [c for c, _, _ in STREETS], "街道名称": [n for _, n, _ in STREETS]},
        [gk_square(*r) for _, _, r in STREETS], encoding="GBK", hide_encoding=True)


@pytest.fixture
def communities_file(write_vector, gk_square):
    return write_vector(
        "communities.shp",
        {"社区编码": [c for c, _, _, _ in COMMUNITIES],
         "社区名称": [n for _, n, _, _ in COMMUNITIES],
         "所属街道编码": [p for _, _, p, _ in COMMUNITIES]},
        [gk_square(*r) for _, _, _, r in COMMUNITIES], encoding="GBK", hide_encoding=True)


@pytest.fixture
def with_streets(project, streets_file):
    report, _ = import_(project, streets_file, level="street")
    assert report.accepted == 2 and not report.refused
    return project


@pytest.fixture
def with_communities(with_streets, communities_file):
    report, _ = import_(with_streets, communities_file, level="community")
    assert report.accepted == 4 and not report.refused
    return with_streets


# --------------------------------------------------------------------------- 1. GBK Shapefile

@pytest.mark.gpkg_only  # reads the project file with GDAL/SQLite
def test_gbk_shapefile_without_cpg_is_detected_reprojected_measured_and_parented(
        project, streets_file, communities_file, write_vector, gk_square):
    # nothing in the file says GBK: no .cpg, LDID 0, and GDAL alone garbles the names
    assert not streets_file.with_suffix(".cpg").exists()
    assert streets_file.with_suffix(".dbf").read_bytes()[29] == 0
    raw = pyogrio.read_dataframe(streets_file)
    assert "祖庙街道" not in raw.iloc[:, 1].tolist()

    report, _ = import_(project, streets_file, level="street")
    assert report.info["encoding"] == "GB18030"
    assert report.info["encoding_source"] == "detected"
    assert report.info["crs"] == "EPSG:4547"
    assert report.info["columns"] == {"code": "街道编码", "name": "街道名称"}
    assert report.accepted == 2 and report.refused == []
    assert names_by_code(project, "street") == {"440604010": "祖庙街道", "440604011": "石湾镇街道"}
    # a project without a district polygon: streets hang under the project's admin code
    assert set(project.areas("street")["parent_code"]) == {"440604"}

    report, _ = import_(project, communities_file, level="community")
    assert report.info["encoding"] == "GB18030"
    assert report.info["encoding_source"] == "detected"
    # a DBF field name has at most 10 bytes: GDAL cuts 所属街道编码 (12 bytes in GBK) to 所属街道编
    assert report.info["columns"] == {"code": "社区编码", "name": "社区名称",
                                      "parent": "所属街道编"}
    assert report.accepted == 4 and report.refused == [] and report.warnings == []
    comm = project.areas("community").set_index("code")
    assert comm.loc["440604010001", "name"] == "升平社区"
    assert comm.loc["440604011002", "name"] == "东风社区"
    # parents by code
    assert comm["parent_code"].to_dict() == {c: p for c, _, p, _ in COMMUNITIES}
    # stored in the project CRS (EPSG:4490), each vertex where pyproj puts it
    assert CRS.from_user_input(comm.crs).to_epsg() == 4490
    shengping = gk_square(0, 0, 1500, 1500)
    stored = comm.loc["440604010001", "geometry"]
    assert stored.geom_type == "MultiPolygon"
    got = sorted(tuple(c) for c in np.asarray(stored.geoms[0].exterior.coords)[:-1])
    want = sorted(TO_LONLAT.transform(x, y) for x, y in shengping.exterior.coords[:-1])
    assert np.allclose(got, want, rtol=0, atol=1e-9)
    lon, lat = TO_LONLAT.transform(shengping.centroid.x, shengping.centroid.y)
    assert 112.9 < lon < 113.1 and 23.0 < lat < 23.1  # Foshan
    assert stored.centroid.x == pytest.approx(lon, abs=1e-7)
    assert stored.centroid.y == pytest.approx(lat, abs=1e-7)
    # area measured in metres, as the Gauss-Krüger polygon has it
    assert comm.loc["440604010001", "area_m2"] == pytest.approx(shengping.area, abs=0.1)
    assert shengping.area == 1500 * 1500

    # cells carry no parent column: parents come from location
    cells = write_vector(
        "cells.shp",
        {"网格编码": ["44060401000101", "44060401100201"], "网格名称": ["升平01", "东风01"]},
        [gk_square(100, 100), gk_square(2800, 2800, 150, 100)],
        encoding="GBK", hide_encoding=True)
    report, _ = import_(project, cells, level="cell")
    assert report.accepted == 2 and report.refused == []
    assert sorted(reasons(report.warnings)) == [(1, "parent_by_location"),
                                                (2, "parent_by_location")]
    got_cells = project.areas("cell").set_index("code")
    assert got_cells["parent_code"].to_dict() == {"44060401000101": "440604010001",
                                                  "44060401100201": "440604011002"}
    assert got_cells["name"].to_dict() == {"44060401000101": "升平01",
                                           "44060401100201": "东风01"}
    assert got_cells.loc["44060401100201", "area_m2"] == pytest.approx(15000.0, abs=0.1)
    assert got_cells.loc["44060401100201", "source"] == "cells.shp#2"

    # GDAL reads the project file as a GeoPackage with the right CRS and rows
    back = pyogrio.read_dataframe(project.path, layer="communities")
    assert CRS.from_user_input(back.crs).to_epsg() == 4490
    assert dict(zip(back["code"], back["name"])) == {c: n for c, n, _, _ in COMMUNITIES}
    assert set(back.geom_type) == {"MultiPolygon"}
    assert back.set_index("code").loc["440604010001", "geometry"].equals_exact(stored, 1e-12)
    info = pyogrio.read_info(project.path, layer="communities")
    assert info["features"] == 4


def test_cpg_file_names_the_encoding(project, write_vector, gk_square):
    path = write_vector("cp.shp", {"街道编码": ["440604010"], "街道名称": ["祖庙街道"]},
                        [gk_square(0, 0, 1000)], encoding="GBK", hide_encoding=True)
    path.with_suffix(".cpg").write_text("936")
    report, _ = import_(project, path, level="street")
    assert (report.info["encoding"], report.info["encoding_source"]) == ("GBK", "cpg")
    assert names_by_code(project, "street") == {"440604010": "祖庙街道"}


# --------------------------------------------------------------------------- 2. --encoding

def test_encoding_option_overrides_detection(project, streets_file):
    """--encoding wins over a .cpg; but an encoding that reads the names as mojibake (every GBK
    byte a Latin-1 character) is refused, naming the one that reads them (issue 19)."""
    streets_file.with_suffix(".cpg").write_text("UTF-8")  # a .cpg that lies
    report, _ = import_(project, streets_file, level="street", encoding="GBK")
    assert (report.info["encoding"], report.info["encoding_source"]) == ("GBK", "option")
    assert report.accepted == 2
    assert names_by_code(project, "street") == {"440604010": "祖庙街道", "440604011": "石湾镇街道"}
    garbled = {h: h.encode("gbk").decode("latin1") for h in ("街道编码", "街道名称")}
    with pytest.raises(InputFileError, match="latin1 读出的是乱码.*请改用 --encoding GB18030"):
        import_(project, streets_file, level="street", encoding="latin1",
                mapping={"code": garbled["街道编码"], "name": garbled["街道名称"]})


def test_encoding_option_gbk_reads_names_right(project, streets_file):
    report, _ = import_(project, streets_file, level="street", encoding="GBK", dry_run=True)
    assert (report.info["encoding"], report.info["encoding_source"]) == ("GBK", "option")
    assert report.info["preview"] == ["440604010 祖庙街道", "440604011 石湾镇街道"]


def test_unknown_or_wrong_encoding_is_an_input_error(project, streets_file, capsys):
    with pytest.raises(InputFileError, match="no-such-encoding"):
        import_(project, streets_file, level="street", encoding="no-such-encoding")
    # GBK bytes are not UTF-8: the user is told to pick another encoding, no traceback
    with pytest.raises(InputFileError, match="--encoding"):
        import_(project, streets_file, level="street", encoding="UTF-8")
    assert main(["-q", "grid", "import", str(project.path), str(streets_file),
                 "--level", "street", "--encoding", "UTF-8"]) == 3
    assert "内部错误" not in capsys.readouterr().err
    assert project.count_areas("street") == 0


def test_gbk_headers_with_ascii_values_are_detected(project, write_vector, gk_square):
    # only the field names are Chinese: detection must look at them too
    path = write_vector("codes.shp", {"街道编码": ["440604010"]}, [gk_square(0, 0, 1000)],
                        encoding="GBK", hide_encoding=True)
    report, _ = import_(project, path, level="street")
    assert (report.info["encoding"], report.info["encoding_source"]) == ("GB18030", "detected")
    assert report.info["columns"] == {"code": "街道编码"}
    assert project.areas("street")["code"].tolist() == ["440604010"]


def test_zipped_gbk_shapefile_is_detected(project, streets_file, tmp_path):
    zipped = tmp_path / "streets.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for part in streets_file.parent.glob("streets.*"):
            zf.write(part, part.name)
    report, _ = import_(project, zipped, level="street")
    assert (report.info["encoding"], report.info["encoding_source"]) == ("GB18030", "detected")
    assert names_by_code(project, "street") == {"440604010": "祖庙街道", "440604011": "石湾镇街道"}


def test_numeric_codes_become_digit_strings(project, write_vector, gk_square):
    # bureaus often store codes as numbers (DBF N fields); they must not become 440604010.0
    path = write_vector("num.shp", {"code": np.array([440604010, 440604011], dtype="int64"),
                                    "name": ["祖庙街道", "石湾镇街道"]},
                        [gk_square(0, 0, 1000), gk_square(1000, 0, 1000)])
    raw = pyogrio.read_dataframe(path)
    assert raw["code"].dtype.kind in "if"
    report, _ = import_(project, path, level="street")
    assert [w.reason for w in report.warnings] == ["streets_without_district"]
    assert report.accepted == 2
    assert sorted(project.areas("street")["code"]) == ["440604010", "440604011"]


def test_multi_layer_file_needs_layer(project, write_vector, gk_square, tmp_path):
    path = write_vector("two.gpkg", {"code": ["440604010"], "name": ["祖庙街道"]},
                        [gk_square(0, 0, 1000)], layer="a")
    write_vector("two.gpkg", {"code": ["440604011"], "name": ["石湾镇街道"]},
                 [gk_square(1000, 0, 1000)], layer="b", append=False)
    assert sorted(pyogrio.list_layers(path)[:, 0]) == ["a", "b"]
    with pytest.raises(InputFileError, match="--layer"):
        import_(project, path, level="street")
    with pytest.raises(InputFileError, match="'c'"):
        import_(project, path, level="street", layer="c")
    report, _ = import_(project, path, level="street", layer="b")
    assert report.info["layer"] == "b"
    assert names_by_code(project, "street") == {"440604011": "石湾镇街道"}


def test_utf8_shapefile_without_cpg_is_detected(project, write_vector, gk_square):
    path = write_vector("u8.shp", {"code": ["440604010"], "name": ["祖庙街道"]},
                        [gk_square(0, 0, 1000)], encoding="UTF-8", hide_encoding=True)
    report, _ = import_(project, path, level="street")
    assert (report.info["encoding"], report.info["encoding_source"]) == ("UTF-8", "detected")
    assert names_by_code(project, "street") == {"440604010": "祖庙街道"}


# --------------------------------------------------------------------------- 3. no CRS

def test_shapefile_without_prj_needs_crs(project, write_vector, gk_square):
    path = write_vector("noprj.shp", {"code": ["440604010"], "name": ["祖庙街道"]},
                        [gk_square(0, 0, 1000)], drop_prj=True)
    assert not path.with_suffix(".prj").exists()
    with pytest.raises(InputFileError, match="--crs"):
        import_(project, path, level="street")
    assert project.count_areas("street") == 0

    report, _ = import_(project, path, level="street", crs="EPSG:4547")
    assert report.accepted == 1
    assert report.info["crs"] == "EPSG:4547"
    # no file CRS, so no crs_override; the project has no district polygon, which is said
    assert [f.reason for f in report.warnings] == ["streets_without_district"]
    geom = project.areas("street").geometry.iloc[0]
    lon, lat = TO_LONLAT.transform(*gk_square(0, 0, 1000).centroid.coords[0])
    assert geom.centroid.x == pytest.approx(lon, abs=1e-7)
    assert geom.centroid.y == pytest.approx(lat, abs=1e-7)


def test_crs_option_overriding_the_file_crs_is_warned(project, write_vector, gk_square):
    poly = gk_square(0, 0, 1000)
    lonlat = Polygon([TO_LONLAT.transform(x, y) for x, y in poly.exterior.coords])
    # a file that claims EPSG:4326 for CGCS2000 lon/lat; the user says EPSG:4490
    path = write_vector("wgs.gpkg", {"code": ["440604010"], "name": ["祖庙街道"]}, [lonlat],
                        crs="EPSG:4326")
    report, _ = import_(project, path, level="street", crs="EPSG:4490")
    assert [f.reason for f in report.warnings] == ["crs_override", "streets_without_district"]
    assert report.accepted == 1
    area = project.areas("street")["area_m2"].iloc[0]
    assert area == pytest.approx(1_000_000.0, abs=0.1)


# --------------------------------------------------------------------------- 4. bad features

def test_bad_features_are_refused_with_row_and_reason_and_nothing_of_them_lands(
        with_streets, write_vector, gk_square):
    store = with_streets
    first = write_vector("first.gpkg", {"code": ["440604010001"], "name": ["升平社区"],
                                        "parent": ["440604010"]}, [gk_square(0, 0, 1500)])
    assert import_(store, first, level="community")[0].accepted == 1

    rows = [  # (code, name, parent, geometry)
        ("440604010002", "兴华社区", "440604010", gk_square(0, 1500, 1500)),          # 1 ok
        ("440604010003", "空几何", "440604010", Polygon()),                          # 2
        ("440604010004", "点", "440604010", gk_square(100, 100).centroid),         # 3
        (None, "无编码", "440604010", gk_square(100, 100)),                          # 4
        ("440604010002", "重复", "440604010", gk_square(200, 200)),                  # 5
        ("440604010001", "已有", "440604010", gk_square(300, 300)),                  # 6
        ("440604011009", "无上级", "440604099", gk_square(1600, 100)),               # 7
        ("4406040110", "短编码社区", "440604011", gk_square(1500, 0, 700)),           # 8
        ("４４０６０４０１１００３", "全角社区", "440604011", gk_square(2200, 0, 800)),    # 9
        ("440604011004", "  石湾 \u3000社区 ", "440604011", gk_square(1500, 1500, 1500)),  # 10
    ]
    path = write_vector("bad.gpkg", {"社区编码": [r[0] for r in rows],
                                     "社区名称": [r[1] for r in rows],
                                     "所属街道编码": [r[2] for r in rows]},
                        [r[3] for r in rows])
    report, _ = import_(store, path, level="community")

    assert reasons(report.refused) == [
        (2, "no_geometry"), (3, "not_polygon"), (4, "missing_code"),
        (5, "duplicate_code_in_file"), (6, "duplicate_code_in_project"),
        (7, "parent_not_found")]
    by_reason = {f.reason: f for f in report.refused}
    assert by_reason["duplicate_code_in_file"].extra["first_row"] == 1
    assert by_reason["duplicate_code_in_file"].code == "440604010002"
    assert "第 1 行" in by_reason["duplicate_code_in_file"].message
    assert by_reason["duplicate_code_in_project"].code == "440604010001"
    assert "--supersede" in by_reason["duplicate_code_in_project"].message
    assert by_reason["parent_not_found"].extra["parent"] == "440604099"
    assert "440604099" in by_reason["parent_not_found"].message
    assert by_reason["not_polygon"].extra["geom_type"] == "Point"
    assert all(f.file == "bad.gpkg" and f.severity == "error" for f in report.refused)

    assert sorted(reasons(report.warnings)) == [
        (8, "code_scheme"), (9, "fullwidth_digits"), (10, "stray_spaces")]
    scheme = next(f for f in report.warnings if f.reason == "code_scheme")
    assert scheme.code == "4406040110" and "12" in scheme.extra["detail"]

    assert report.accepted == 4
    comm = store.areas("community").set_index("code")
    # nothing of the refused rows landed, the pre-existing row is untouched
    assert sorted(comm.index) == ["440604010001", "440604010002", "4406040110",
                                  "440604011003", "440604011004"]
    assert comm.loc["440604010001", "name"] == "升平社区"
    assert comm.loc["440604010001", "source"] == "first.gpkg#1"
    # a code that breaks the scheme lands as written; full-width digits are normalised
    assert comm.loc["4406040110", "name"] == "短编码社区"
    assert comm.loc["440604011003", "name"] == "全角社区"
    assert comm.loc["440604011003", "parent_code"] == "440604011"
    assert comm.loc["440604011004", "name"] == "石湾 社区"
    assert comm.loc["440604010002", "source"] == "bad.gpkg#1"
    assert store.count_areas("community", current=False) == 5


def test_cell_outside_every_community_has_no_parent(with_communities, write_vector, gk_square):
    store = with_communities
    path = write_vector("cells.gpkg", {"网格编码": ["44060401000101", "44060401000102"],
                                       "网格名称": ["内", "外"]},
                        [gk_square(0, 0), gk_square(5000, 5000)])
    report, _ = import_(store, path, level="cell")
    assert reasons(report.refused) == [(2, "no_parent")]
    assert report.refused[0].code == "44060401000102"
    assert list(store.areas("cell")["code"]) == ["44060401000101"]


def test_cell_straddling_two_communities_goes_to_the_larger_overlap(
        with_communities, write_vector, gk_square):
    store = with_communities
    # 100 × 200 m with 150 m in 兴华社区 (y ≥ 1500) and 50 m in 升平社区; its representative
    # point may fall either side, the parent must be the larger share: 兴华社区
    path = write_vector("straddle.gpkg", {"网格编码": ["44060401000201"]},
                        [gk_square(0, 1450, 100, 200)])
    report, _ = import_(store, path, level="cell")
    assert report.accepted == 1
    assert store.areas("cell")["parent_code"].tolist() == ["440604010002"]


def test_parent_given_by_name(with_streets, write_vector, gk_square):
    path = write_vector("byname.gpkg", {"社区编码": ["440604011001"], "社区名称": ["石湾社区"],
                                        "所属街道": ["石湾镇街道"]},
                        [gk_square(1500, 0, 1500)])
    report, _ = import_(with_streets, path, level="community")
    assert report.refused == []
    assert with_streets.areas("community")["parent_code"].tolist() == ["440604011"]


# --------------------------------------------------------------------------- 5. dry run

def test_dry_run_writes_nothing(with_streets, communities_file):
    store = with_streets
    before_rows = store.count_areas("community", current=False)
    before_audit = len(store.audit_log())
    before_hash = sha256(store.path)
    report, steps = import_(store, communities_file, level="community", dry_run=True)
    assert report.accepted == 4
    assert report.info["dry_run"] is True
    assert report.info["preview"][0] == "440604010001 升平社区"
    assert steps[-1].message.startswith("试运行")
    assert not any(s.message.startswith("写入") for s in steps)
    assert store.count_areas("community", current=False) == before_rows == 0
    assert len(store.audit_log()) == before_audit
    assert sha256(store.path) == before_hash


def test_dry_run_through_the_cli_leaves_the_file_unchanged(with_streets, communities_file,
                                                          tmp_path):
    store = with_streets
    before = sha256(store.path)
    out = tmp_path / "dry.json"
    code = main(["-q", "grid", "import", str(store.path), str(communities_file),
                 "--level", "community", "--dry-run", "--report", str(out)])
    assert code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["accepted"] == 4
    assert sha256(store.path) == before
    assert store.count_areas("community") == 0


# --------------------------------------------------------------------------- 6. cancel

@pytest.mark.gpkg_only  # reads the project file with GDAL/SQLite
def test_closing_the_task_during_the_write_rolls_back(with_streets, communities_file):
    store = with_streets
    audit_before = len(store.audit_log())
    task = import_grid(store, communities_file, level="community")
    seen: list[str] = []
    while True:
        step = next(task)
        seen.append(step.message)
        if step.message.startswith("写入") and "/" in step.message:
            break  # inside the transaction, after the first batch went in
    assert any(m.startswith("写入 4") for m in seen)
    # the write had started: the open transaction holds the rows
    assert store.db.conn.in_transaction
    assert store.count_areas("community") == 4
    task.close()
    assert not store.db.conn.in_transaction
    assert store.count_areas("community", current=False) == 0
    assert len(store.audit_log()) == audit_before
    # and from another connection too: nothing was committed
    back = pyogrio.read_dataframe(store.path, layer="communities")
    assert len(back) == 0


def test_closing_right_after_the_write_announcement_leaves_nothing(with_streets,
                                                                  communities_file):
    store = with_streets
    task = import_grid(store, communities_file, level="community")
    while not next(task).message.startswith("写入"):
        pass
    task.close()
    assert store.count_areas("community", current=False) == 0


def test_run_with_should_cancel_raises_cancelled(with_streets, communities_file):
    store = with_streets
    with pytest.raises(Cancelled):
        run(import_grid(store, communities_file, level="community"),
            should_cancel=lambda: True)
    assert store.count_areas("community", current=False) == 0

    # cancelled at the last moment: inside the transaction, rows already inserted
    last: list[Progress] = []
    with pytest.raises(Cancelled):
        run(import_grid(store, communities_file, level="community"), last.append,
            should_cancel=lambda: "/" in last[-1].message)
    assert last[-1].message.startswith("写入")
    assert store.count_areas("community", current=False) == 0
    assert not store.db.conn.in_transaction
    # the project is still usable afterwards
    assert import_(store, communities_file, level="community")[0].accepted == 4


# --------------------------------------------------------------------------- 7. --map

def test_map_names_the_source_columns(with_communities, write_vector, gk_square):
    store = with_communities
    path = write_vector("wg.shp", {"WGBM": ["44060401000101", "44060401000102"],
                                   "WGMC": ["升平一号", "升平二号"]},
                        [gk_square(0, 0), gk_square(100, 0)])
    report, _ = import_(store, path, level="cell", mapping={"code": "WGBM", "name": "WGMC"})
    assert report.info["columns"] == {"code": "WGBM", "name": "WGMC"}
    assert report.accepted == 2
    assert names_by_code(store, "cell") == {"44060401000101": "升平一号",
                                            "44060401000102": "升平二号"}


def test_map_is_needed_for_unknown_headers_and_wins_over_aliases(with_communities,
                                                                 write_vector, gk_square):
    store = with_communities
    path = write_vector("odd.gpkg", {"BH": ["44060401000101"], "MING": ["甲"],
                                     "name": ["别的名称"]},
                        [gk_square(0, 0)])
    with pytest.raises(InputFileError, match="--map") as exc:
        import_(store, path, level="cell")
    assert "BH" in str(exc.value) and "MING" in str(exc.value)
    report, _ = import_(store, path, level="cell", mapping={"code": "BH", "name": "MING"})
    assert report.accepted == 1
    assert names_by_code(store, "cell") == {"44060401000101": "甲"}


def test_map_naming_a_missing_column_is_a_usage_error(with_communities, write_vector,
                                                      gk_square):
    store = with_communities
    path = write_vector("wg2.shp", {"WGBM": ["44060401000101"], "WGMC": ["甲"]},
                        [gk_square(0, 0)])
    with pytest.raises(UsageError) as exc:
        import_(store, path, level="cell", mapping={"code": "BIANMA", "name": "WGMC"})
    msg = str(exc.value)
    assert "BIANMA" in msg and "WGBM" in msg and "WGMC" in msg
    assert store.count_areas("cell") == 0


def test_cli_map_option(with_communities, write_vector, gk_square, tmp_path):
    store = with_communities
    path = write_vector("wg3.shp", {"BH": ["44060401000101"], "MC": ["甲"]}, [gk_square(0, 0)])
    assert main(["-q", "grid", "import", str(store.path), str(path), "--level", "cell",
                 "--map", "BH=code", "--map", "MC=name"]) == 0
    assert names_by_code(store, "cell") == {"44060401000101": "甲"}
    assert main(["-q", "grid", "import", str(store.path), str(path), "--level", "cell",
                 "--map", "BH-code"]) == 2
    assert main(["-q", "grid", "import", str(store.path), str(path), "--level", "cell",
                 "--map", "BH=bianma"]) == 2


# --------------------------------------------------------------------------- 8. order of levels

def test_communities_before_streets_bring_their_streets(project, communities_file):
    """No streets yet: they are derived from the communities' 所属街道编码, boundaries
    dissolved (each street here is its two 1500 m communities)."""
    report, _ = import_(project, communities_file, level="community")
    assert report.accepted == 4
    streets = project.areas("street")
    assert sorted(streets["code"]) == [c for c, _, _ in STREETS]
    assert sorted(streets["area_m2"]) == pytest.approx([1500 * 3000] * 2, rel=1e-3)
    assert [d["level"] for d in report.info["derived"]] == ["street", "street"]


def test_communities_with_nothing_that_names_a_street_are_refused(project, write_vector,
                                                                  gk_square):
    path = write_vector("c.shp", {"BH": ["A1"], "MC": ["升平社区"]}, [gk_square(0, 0)],
                        encoding="GBK", hide_encoding=True)
    with pytest.raises(UsageError, match="街道") as exc:
        import_(project, path, level="community", mapping={"code": "BH"})
    assert "--level street" in str(exc.value)
    assert project.count_areas("community", current=False) == 0


def test_unknown_level_and_system(project, streets_file):
    with pytest.raises(UsageError, match="层级"):
        import_(project, streets_file, level="village")
    with pytest.raises(UsageError, match="网格体系"):
        import_(project, streets_file, level="street", system="nope")


# --------------------------------------------------------------------------- 9. KML

def test_kml_imports(project, write_vector, gk_square):
    polys = [Polygon([TO_LONLAT.transform(x, y) for x, y in gk_square(*r).exterior.coords])
             for _, _, r in STREETS]
    path = write_vector("streets.kml", {"Name": [n for _, n, _ in STREETS],
                                        "code": [c for c, _, _ in STREETS]},
                        polys, crs="EPSG:4326", driver="KML")
    assert "祖庙街道" in path.read_text(encoding="utf-8")
    report, _ = import_(project, path, level="street")
    assert report.refused == []
    assert report.info["encoding_source"] is None
    assert report.info["columns"]["code"] == "code"
    assert report.info["columns"]["name"].lower() == "name"
    assert names_by_code(project, "street") == {c: n for c, n, _ in STREETS}
    areas = project.areas("street").set_index("code")
    assert areas.loc["440604010", "area_m2"] == pytest.approx(1500 * 3000, rel=1e-6)
    c = areas.loc["440604010", "geometry"].centroid
    assert 112.9 < c.x < 113.1 and 23.0 < c.y < 23.1


# --------------------------------------------------------------------------- 10. --supersede

def test_supersede_keeps_history(with_streets, write_vector, gk_square):
    store = with_streets
    v1 = write_vector("v1.gpkg", {"社区编码": ["440604010001"], "社区名称": ["升平社区"],
                                  "所属街道编码": ["440604010"]}, [gk_square(0, 0, 1500)])
    v2 = write_vector("v2.gpkg", {"社区编码": ["440604010001"], "社区名称": ["升平社区"],
                                  "所属街道编码": ["440604010"]},
                      [gk_square(0, 0, 1500, 1000)])
    import_(store, v1, level="community", valid_from="2020-01-01")

    # without --supersede the redrawn community is refused
    report, _ = import_(store, v2, level="community")
    assert reasons(report.refused) == [(1, "duplicate_code_in_project")]
    assert store.count_areas("community", current=False) == 1

    report, _ = import_(store, v2, level="community", supersede=True)
    assert report.accepted == 1 and report.refused == []
    assert report.info["superseded"] == 1
    today = beijing.today()  # the project's day: Beijing's, whatever the machine's zone
    yesterday = (date.fromisoformat(today) - timedelta(days=1)).isoformat()

    both = store.areas("community", current=False).sort_values("fid")
    assert list(both["code"]) == ["440604010001", "440604010001"]
    assert list(both["valid_from"]) == ["2020-01-01", today]
    assert both["valid_to"].iloc[0] == today
    assert both["valid_to"].isna().tolist() == [False, True]
    assert list(both["area_m2"]) == pytest.approx([2_250_000.0, 1_500_000.0], abs=0.1)

    current = store.areas("community")
    assert len(current) == 1 and current["area_m2"].iloc[0] == pytest.approx(1_500_000.0,
                                                                             abs=0.1)
    old = store.areas("community", as_of=yesterday)
    assert len(old) == 1
    assert old["valid_from"].iloc[0] == "2020-01-01"
    assert old["area_m2"].iloc[0] == pytest.approx(2_250_000.0, abs=0.1)
    assert len(store.areas("community", as_of="2019-12-31")) == 0
    now = store.areas("community", as_of=today)
    assert list(now["valid_from"]) == [today]


# --------------------------------------------------------------------------- 11. CLI

def test_cli_report_and_exit_codes(with_streets, write_vector, gk_square, tmp_path, capsys):
    store = with_streets
    good = write_vector("good.gpkg", {"社区编码": ["440604010001"], "社区名称": ["升平社区"],
                                      "所属街道编码": ["440604010"]}, [gk_square(0, 0, 1500)])
    mixed = write_vector("mixed.gpkg", {"社区编码": ["440604010002", "440604010002", None],
                                        "社区名称": ["兴华社区", "重复", "无编码"],
                                        "所属街道编码": ["440604010"] * 3},
                         [gk_square(0, 1500, 1500), gk_square(0, 1500, 100),
                          gk_square(100, 100)])
    report_path = tmp_path / "r.json"

    code = main(["-q", "grid", "import", str(store.path), str(good), "--level", "community",
                 "--report", str(report_path)])
    assert code == 0
    rep = json.loads(report_path.read_text(encoding="utf-8"))
    assert rep["accepted"] == 1 and rep["refused"] == [] and rep["warnings"] == []
    assert capsys.readouterr().out.count("已导入 1 个社区") == 1

    code = main(["-q", "grid", "import", str(store.path), str(mixed), "--level", "community",
                 "--report", str(report_path)])
    assert code == 1
    rep = json.loads(report_path.read_text(encoding="utf-8"))
    assert {"accepted", "refused", "warnings"} <= rep.keys()
    assert rep["accepted"] == 1
    assert [(r["row"], r["reason"]) for r in rep["refused"]] == [
        (2, "duplicate_code_in_file"), (3, "missing_code")]
    assert all(r["message"] for r in rep["refused"])
    assert "缺少编码" in rep["refused"][1]["message"]
    out = capsys.readouterr().out
    assert "mixed.gpkg:2" in out and "duplicate_code_in_file" in out
    assert store.count_areas("community") == 2

    # a missing input file: exit 3, nothing written
    before = sha256(store.path)
    assert main(["-q", "grid", "import", str(store.path), str(tmp_path / "nope.shp"),
                 "--level", "community"]) == 3
    assert "nope.shp" in capsys.readouterr().err
    assert sha256(store.path) == before

    # a project path that is not a project: exit 4, the file is untouched
    not_project = tmp_path / "notes.gpkg"
    not_project.write_text("这不是项目", encoding="utf-8")
    assert main(["-q", "grid", "import", str(not_project), str(good),
                 "--level", "community"]) == 4
    assert not_project.read_text(encoding="utf-8") == "这不是项目"
    assert "不是" in capsys.readouterr().err
    # a plain GeoPackage written by GDAL is not a project either
    assert main(["-q", "grid", "import", str(good), str(good), "--level", "community"]) == 4


def test_cli_english_messages_in_report(with_streets, write_vector, gk_square, tmp_path):
    path = write_vector("en.gpkg", {"社区编码": [None], "社区名称": ["x"],
                                    "所属街道编码": ["440604010"]}, [gk_square(0, 0)])
    out = tmp_path / "en.json"
    try:
        code = main(["--lang", "en", "-q", "grid", "import", str(with_streets.path), str(path),
                     "--level", "community", "--report", str(out)])
    finally:
        from gridmgr import messages
        messages.set_language("zh")
    assert code == 1
    rep = json.loads(out.read_text(encoding="utf-8"))
    assert rep["refused"] == [{"reason": "missing_code", "message": "the code is empty",
                               "row": 1, "file": "en.gpkg", "severity": "error"}]


def test_shapefile_missing_dbf_and_unsupported_suffix(project, streets_file, tmp_path):
    bad = tmp_path / "grid.txt"
    bad.write_text("x")
    with pytest.raises(InputFileError, match="不支持"):
        import_(project, bad, level="street")
    streets_file.with_suffix(".dbf").unlink()
    with pytest.raises(InputFileError, match=".dbf"):
        import_(project, streets_file, level="street")

