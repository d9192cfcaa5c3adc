"""``export``: a small project (district, 2 streets, 4 communities, 100 m cells) goes out in every
format through the CLI and is read back with independent readers (pyogrio, pandas, openpyxl)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
from pyproj import CRS, Transformer
from shapely import wkt as shapely_wkt
from shapely.geometry import box

from gridmgr.cli import main
from gridmgr.grid.generate import generate_grid
from gridmgr.grid.importer import import_grid
from gridmgr.progress import run
from gridmgr.project import init_project

GK_CRS = "EPSG:4547"  # CGCS2000 / 3-degree Gauss-Kruger CM 114E
X0, Y0 = 398_000.0, 2_548_000.0  # near Foshan, about 113.0°E 23.03°N
TO_GK = Transformer.from_crs("EPSG:4326", GK_CRS, always_xy=True)

STREETS = [("440604010", "祖庙街道", (0, 0, 500, 1000)),
           ("440604011", "石湾镇街道", (500, 0, 500, 1000))]
COMMUNITIES = [("440604010001", "升平社区", "440604010", (0, 0, 500, 500)),
               ("440604010002", "兴华社区", "440604010", (0, 500, 500, 500)),
               ("440604011001", "石湾社区", "440604011", (500, 0, 500, 500)),
               ("440604011002", "东风社区", "440604011", (500, 500, 500, 500))]


def gk_box(x: float, y: float, w: float, h: float):
    return box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """The project path plus what it holds, as the project itself says (read once)."""
    import geopandas as gpd

    d = tmp_path_factory.mktemp("export")

    def write(name: str, cols: dict, geoms: list) -> Path:
        path = d / name
        pyogrio.write_dataframe(gpd.GeoDataFrame(cols, geometry=geoms, crs=GK_CRS), path)
        return path

    files = {
        "district": write("district.gpkg", {"code": ["440604"], "name": ["禅城区"]},
                          [gk_box(0, 0, 1000, 1000)]),
        "street": write("streets.gpkg", {"code": [c for c, _, _ in STREETS],
                                         "name": [n for _, n, _ in STREETS]},
                        [gk_box(*r) for _, _, r in STREETS]),
        "community": write("communities.gpkg",
                           {"code": [c for c, _, _, _ in COMMUNITIES],
                            "name": [n for _, n, _, _ in COMMUNITIES],
                            "parent": [p for _, _, p, _ in COMMUNITIES]},
                           [gk_box(*r) for _, _, _, r in COMMUNITIES]),
    }
    path = d / "chancheng.gpkg"
    with init_project(path, name="禅城区", admin_code="440604") as store:
        for level, f in files.items():
            report = run(import_grid(store, f, level=level))
            assert report.refused == [], report.refused
        report = run(generate_grid(store, size=100))
        assert report.refused == []
        cells = store.areas("cell")
    assert len(cells) >= 100  # 4 × 25 whole cells (more if slivers were kept)
    return {"path": path, "dir": d, "cells": cells,
            "codes": set(cells["code"]), "names": dict(zip(cells["code"], cells["name"]))}


def export(built: dict, out: Path, *extra: str) -> int:
    return main(["-q", "export", str(built["path"]), "cells", "--out", str(out), *extra])


def assert_same_cells(built: dict, codes, names) -> None:
    codes = [str(c) for c in codes]
    assert len(codes) == len(built["cells"])
    assert set(codes) == built["codes"]
    assert dict(zip(codes, names)) == built["names"]


def test_project_cells_are_what_we_expect(built):
    names = built["names"]
    assert len(built["cells"]) == 100
    assert names["44060401000101"] == "升平社区01号网格"
    assert {c[:12] for c in built["codes"]} == {c for c, _, _, _ in COMMUNITIES}


def test_gpkg_keeps_project_crs_and_chinese(built, tmp_path, capsys):
    out = tmp_path / "cells.gpkg"
    assert export(built, out) == 0
    assert "已导出 100 个要素" in capsys.readouterr().out
    assert pyogrio.list_layers(out)[:, 0].tolist() == ["cells"]
    gdf = pyogrio.read_dataframe(out, layer="cells")
    assert CRS.from_user_input(gdf.crs).to_epsg() == 4490
    assert_same_cells(built, gdf["code"], gdf["name"])
    assert set(gdf["parent_code"]) == {c for c, _, _, _ in COMMUNITIES}
    x0, y0, x1, y1 = gdf.total_bounds
    assert 112.9 < x0 < x1 < 113.1 and 23.0 < y0 < y1 < 23.1
    # geometry and area unchanged on the way out
    src = built["cells"].set_index("code")
    back = gdf.set_index("code")
    code = "44060401100225"
    assert back.loc[code, "geometry"].equals_exact(src.loc[code, "geometry"], 1e-12)
    assert back.loc[code, "area_m2"] == pytest.approx(10_000.0, abs=0.1)


def test_gpkg_reprojected_with_crs_option(built, tmp_path):
    out = tmp_path / "cells_gk.gpkg"
    assert export(built, out, "--crs", "EPSG:4547") == 0
    gdf = pyogrio.read_dataframe(out)
    assert CRS.from_user_input(gdf.crs).to_epsg() == 4547
    assert_same_cells(built, gdf["code"], gdf["name"])
    # coordinates in metres: the cells tile the 1000 × 1000 m district at (X0, Y0)
    assert np.allclose(gdf.total_bounds, [X0, Y0, X0 + 1000, Y0 + 1000], atol=1e-4)
    assert gdf.area.sum() == pytest.approx(1_000_000.0, abs=0.1)
    first = gdf.set_index("code").loc["44060401000101", "geometry"]
    # cell 01 is the north-west cell of 升平社区 (0..500 × 0..500)
    assert np.allclose(first.bounds, [X0, Y0 + 400, X0 + 100, Y0 + 500], atol=1e-4)


def test_geojson_is_lonlat(built, tmp_path):
    out = tmp_path / "cells.geojson"
    assert export(built, out, "--crs", "EPSG:4547") == 0  # GeoJSON stays lon/lat regardless
    gdf = pyogrio.read_dataframe(out)
    assert CRS.from_user_input(gdf.crs).equals(CRS.from_epsg(4326))
    assert_same_cells(built, gdf["code"], gdf["name"])
    assert "升平社区01号网格" in out.read_text(encoding="utf-8")
    x0, y0, x1, y1 = gdf.total_bounds
    assert 112.9 < x0 < x1 < 113.1 and 23.0 < y0 < y1 < 23.1
    # back in Gauss-Krüger metres, cell 01 of 升平社区 is its north-west 100 m square
    ring = gdf.set_index("code").loc["44060401000101", "geometry"].geoms[0].exterior.coords
    xs, ys = TO_GK.transform(*np.asarray(ring).T)
    assert np.allclose([xs.min(), ys.min(), xs.max(), ys.max()],
                       [X0, Y0 + 400, X0 + 100, Y0 + 500], atol=0.05)


def test_shapefile_is_utf8_with_cpg(built, tmp_path):
    out = tmp_path / "cells.shp"
    assert export(built, out) == 0
    cpg = out.with_suffix(".cpg")
    assert cpg.exists()
    assert cpg.read_text().strip().upper().replace("-", "") == "UTF8"
    gdf = pyogrio.read_dataframe(out)
    assert CRS.from_user_input(gdf.crs).to_epsg() == 4490
    assert_same_cells(built, gdf["code"], gdf["name"])
    assert all(len(c) <= 10 for c in gdf.columns)
    assert set(gdf["parent"]) == {c for c, _, _, _ in COMMUNITIES}
    # the DBF bytes are UTF-8 text
    assert "升平社区01号网格".encode() in out.with_suffix(".dbf").read_bytes()


def test_csv_is_utf8_bom_with_wkt_and_centroid(built, tmp_path):
    out = tmp_path / "cells.csv"
    assert export(built, out) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(out, encoding="utf-8-sig", dtype={"编码": str, "上级编码": str})
    assert {"编码", "名称", "上级编码", "中心经度", "中心纬度", "WKT"} <= set(df.columns)
    assert_same_cells(built, df["编码"], df["名称"])
    row = df.set_index("编码").loc["44060401000101"]
    geom = shapely_wkt.loads(row["WKT"])
    src = built["cells"].set_index("code").loc["44060401000101", "geometry"]
    assert geom.hausdorff_distance(src) < 1e-8  # WKT keeps 8 decimals of a degree (≈ 1 mm)
    assert geom.equals_exact(src, 1e-8)
    assert 112.9 < row["中心经度"] < 113.1 and 23.0 < row["中心纬度"] < 23.1
    assert src.buffer(1e-7).contains(shapely_wkt.loads(
        f"POINT ({row['中心经度']} {row['中心纬度']})"))


def test_xlsx_has_attributes_and_centroid(built, tmp_path):
    out = tmp_path / "cells.xlsx"
    assert export(built, out) == 0
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == ["cells"]
    rows = list(wb["cells"].iter_rows(values_only=True))
    header, data = list(rows[0]), rows[1:]
    assert {"编码", "名称", "中心经度", "中心纬度"} <= set(header)
    assert "WKT" not in header
    col = {h: i for i, h in enumerate(header)}
    assert_same_cells(built, [r[col["编码"]] for r in data], [r[col["名称"]] for r in data])
    assert all(isinstance(r[col["编码"]], str) for r in data)  # codes stay text, not numbers
    assert all(112.9 < r[col["中心经度"]] < 113.1 for r in data)
    wb.close()


def test_kml_is_lonlat_with_names(built, tmp_path):
    out = tmp_path / "cells.kml"
    assert export(built, out) == 0
    text = out.read_text(encoding="utf-8")
    assert "<name>升平社区01号网格</name>" in text
    gdf = pyogrio.read_dataframe(out)
    assert CRS.from_user_input(gdf.crs).equals(CRS.from_epsg(4326))
    name_col = next(c for c in gdf.columns if c.lower() == "name")
    assert_same_cells(built, gdf["code"], gdf[name_col])
    x0, y0, x1, y1 = gdf.total_bounds
    assert 112.9 < x0 < x1 < 113.1 and 23.0 < y0 < y1 < 23.1


def test_format_option_wins_over_the_suffix(built, tmp_path):
    out = tmp_path / "cells.txt"
    assert export(built, out, "--format", "csv") == 0
    table = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert_same_cells(built, table["编码"], table["名称"])
    out = tmp_path / "cells.data.json"
    assert export(built, out, "--format", "kml") == 0
    assert "<kml" in out.read_text(encoding="utf-8")[:300]


def test_as_of_before_the_grid_existed_exports_no_rows(built, tmp_path):
    out = tmp_path / "old.csv"
    assert export(built, out, "--as-of", "2000-01-01") == 0
    df = pd.read_csv(out, encoding="utf-8-sig")
    assert len(df) == 0 and "编码" in df.columns
    out = tmp_path / "old.gpkg"
    assert export(built, out, "--as-of", "2000-01-01") == 0
    assert len(pyogrio.read_dataframe(out)) == 0


def test_export_overwrites_an_existing_file(built, tmp_path):
    out = tmp_path / "again.gpkg"
    assert export(built, out) == 0
    assert export(built, out) == 0
    assert len(pyogrio.read_dataframe(out)) == len(built["cells"])


def test_other_layers_export(built, tmp_path):
    out = tmp_path / "communities.geojson"
    assert main(["-q", "export", str(built["path"]), "communities", "--out", str(out)]) == 0
    gdf = pyogrio.read_dataframe(out)
    assert dict(zip(gdf["code"], gdf["name"])) == {c: n for c, n, _, _ in COMMUNITIES}
    assert dict(zip(gdf["code"], gdf["parent_code"])) == {c: p for c, _, p, _ in COMMUNITIES}


def test_unknown_layer_is_exit_2_with_a_message(built, tmp_path, capsys):
    out = tmp_path / "x.gpkg"
    assert main(["-q", "export", str(built["path"]), "villages", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "villages" in err and "cells" in err
    assert not out.exists()


def test_unknown_suffix_without_format_is_exit_2(built, tmp_path, capsys):
    out = tmp_path / "cells.txt"
    assert export(built, out) == 2
    assert "--format" in capsys.readouterr().err
    assert not out.exists()


def test_missing_directory_and_not_a_project(built, tmp_path, capsys):
    assert export(built, tmp_path / "no" / "such" / "cells.gpkg") == 2
    assert "目录不存在" in capsys.readouterr().err
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"not sqlite at all" * 10)
    assert main(["-q", "export", str(junk), "cells", "--out", str(tmp_path / "c.gpkg")]) == 4


def test_export_does_not_modify_the_project(built, tmp_path):
    import hashlib

    before = hashlib.sha256(built["path"].read_bytes()).hexdigest()
    assert export(built, tmp_path / "h.csv") == 0
    assert hashlib.sha256(built["path"].read_bytes()).hexdigest() == before


def test_exporting_cases_leaves_the_other_layers_names_alone(demo_copy, tmp_path):
    """The cases' headers come with the cases export only: the module's tables stay as they
    were, so a later export in the same process is named as before."""
    from gridmgr.outputs import layers as exp

    headers, shp = dict(exp.HEADERS_ZH), dict(exp.SHP_NAMES)
    out_csv, out_shp = tmp_path / "cases.csv", tmp_path / "cases.shp"
    assert main(["-q", "export", str(demo_copy), "cases", "--out", str(out_csv)]) == 0
    assert main(["-q", "export", str(demo_copy), "cases", "--out", str(out_shp)]) == 0
    assert (exp.HEADERS_ZH, exp.SHP_NAMES) == (headers, shp)
    assert "category_code" not in exp.HEADERS_ZH and "category_code" not in exp.SHP_NAMES
    frame = pd.read_csv(out_csv, dtype=str)
    assert {"案件编号", "小类编码", "处置截止", "超期"} <= set(frame.columns)
    fields = pyogrio.read_info(out_shp)["fields"]
    assert {"case_no", "cat_code", "disp_due", "overdue"} <= set(fields)
    assert all(len(f) <= 10 for f in fields)


def test_export_help_names_the_cases_layer(capsys):
    assert main(["export", "--help"]) == 0
    out = capsys.readouterr().out
    assert "officers 或 cases" in out and "是否超期" in out
