"""The mistakes users really make with grid files: wrong CRS, swapped axes, KML folders,
QGIS's 'System' .cpg, deleted GeoPackage features, a redrawn grid with new numbers, dates."""

from __future__ import annotations

import pyogrio
import pytest
import shapely

from gridmgr.cli import main
from gridmgr.errors import InputFileError, UsageError
from gridmgr.grid.importer import import_grid
from gridmgr.progress import run


def streets(project, write_vector, gk_square):
    f = write_vector("streets.gpkg", {"街道编码": ["440604010"], "街道名称": ["石湾镇街道"]},
                     [gk_square(0, 0, 1000)])
    run(import_grid(project, f, level="street"))


def test_gauss_krueger_metres_declared_as_degrees_are_refused(project, write_vector, gk_square):
    f = write_vector("wrong.gpkg", {"街道编码": ["440604010"]}, [gk_square(0, 0, 1000)],
                     crs="EPSG:4490")
    report = run(import_grid(project, f, level="street"))
    assert report.accepted == 0
    (bad,) = report.refused
    assert bad.reason == "bad_coordinates" and bad.row == 1
    assert "--crs" in bad.message
    assert project.count_areas("street") == 0


def test_swapped_longitude_latitude_is_refused(project, write_vector):
    ok = shapely.box(113.0, 23.0, 113.01, 23.01)
    swapped = shapely.box(23.0, 113.0, 23.01, 113.01)
    f = write_vector("ll.geojson", {"code": ["440604010", "440604011"]}, [ok, swapped],
                     crs="EPSG:4326")
    report = run(import_grid(project, f, level="street"))
    assert report.accepted == 1
    assert [(r.row, r.reason) for r in report.refused] == [(2, "bad_coordinates")]


def test_kml_with_several_folders_needs_a_layer(project, tmp_path):
    import geopandas as gpd

    path = tmp_path / "two.kml"
    for layer, code in (("folderA", "440604010"), ("folderB", "440604011")):
        gdf = gpd.GeoDataFrame({"Name": ["街道"], "code": [code]},
                               geometry=[shapely.box(113.0, 23.0, 113.01, 23.01)],
                               crs="EPSG:4326")
        pyogrio.write_dataframe(gdf, path, driver="KML", layer=layer, append=path.exists())
    assert len(pyogrio.list_layers(path)) == 2
    with pytest.raises(InputFileError, match="folderA.*folderB"):
        run(import_grid(project, path, level="street"))
    report = run(import_grid(project, path, level="street", layer="folderB"))
    assert report.accepted == 1
    assert list(project.areas("street")["code"]) == ["440604011"]


def test_qgis_system_cpg_falls_back_to_detection(project, write_vector, gk_square):
    f = write_vector("s.shp", {"街道编码": ["440604010"], "街道名称": ["石湾镇街道"]},
                     [gk_square(0, 0, 1000)], encoding="GBK", hide_encoding=True)
    f.with_suffix(".cpg").write_text("System")
    report = run(import_grid(project, f, level="street"))
    assert report.info["encoding"] == "GB18030"
    assert report.info["encoding_source"] == "detected"
    assert list(project.areas("street")["name"]) == ["石湾镇街道"]


def test_ansi_936_cpg_is_gbk(project, write_vector, gk_square):
    f = write_vector("s.shp", {"街道编码": ["440604010"], "街道名称": ["石湾镇街道"]},
                     [gk_square(0, 0, 1000)], encoding="GBK", hide_encoding=True)
    f.with_suffix(".cpg").write_text("ANSI 936")
    report = run(import_grid(project, f, level="street"))
    assert (report.info["encoding"], report.info["encoding_source"]) == ("GBK", "cpg")
    assert list(project.areas("street")["name"]) == ["石湾镇街道"]


def test_geopackage_rows_are_the_fids_qgis_shows(project, write_vector, gk_square, tmp_path):
    import sqlite3

    f = write_vector("s.gpkg", {"街道编码": ["440604010", "", "440604012", "440604013", ""]},
                     [gk_square(i * 1000, 0, 1000) for i in range(5)])
    con = sqlite3.connect(f)
    con.execute("DELETE FROM s WHERE fid IN (1, 2)")  # the user deleted two features
    con.commit()
    con.close()
    report = run(import_grid(project, f, level="street"))
    assert [(r.row, r.reason) for r in report.refused] == [(5, "missing_code")]
    assert report.accepted == 2


def test_parent_column_normalisation_is_reported(project, write_vector, gk_square):
    streets(project, write_vector, gk_square)
    f = write_vector("c.gpkg", {"社区编码": ["440604010001"], "所属街道编码": ["４４０６０４０１０ "]},
                     [gk_square(0, 0, 500)])
    report = run(import_grid(project, f, level="community"))
    assert report.accepted == 1
    assert {w.reason for w in report.warnings} >= {"fullwidth_digits", "stray_spaces"}
    assert list(project.areas("community")["parent_code"]) == ["440604010"]


def test_redrawn_grid_with_new_numbers_replaces_what_it_covers(project, write_vector,
                                                               gk_square):
    streets(project, write_vector, gk_square)
    old = write_vector("old.gpkg", {"社区编码": ["440604010001", "440604010002", "440604010003"]},
                       [gk_square(0, 0, 500), gk_square(500, 0, 500), gk_square(0, 500, 1000, 500)])
    run(import_grid(project, old, level="community", valid_from="2020-01-01"))
    # the south half is redrawn as one community with a new number; the north one is untouched
    new = write_vector("new.gpkg", {"社区编码": ["440604010004"]}, [gk_square(0, 0, 1000, 500)])
    report = run(import_grid(project, new, level="community", supersede=True,
                             valid_from="2024-06-01"))
    assert report.info["superseded"] == 2
    assert sorted(project.areas("community")["code"]) == ["440604010003", "440604010004"]
    then = project.areas("community", as_of="2023-01-01")
    assert sorted(then["code"]) == ["440604010001", "440604010002", "440604010003"]
    closed = project.areas("community", current=False)
    assert set(closed[closed["valid_to"] == "2024-06-01"]["code"]) == {"440604010001",
                                                                        "440604010002"}


def test_dates_are_checked(project, write_vector, gk_square, tmp_path):
    streets(project, write_vector, gk_square)
    f = write_vector("c.gpkg", {"社区编码": ["440604010001"]}, [gk_square(0, 0, 500)])
    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        run(import_grid(project, f, level="community", valid_from="2024/1/1"))
    run(import_grid(project, f, level="community", valid_from="2024-01-01"))
    with pytest.raises(UsageError, match="2024-01-01"):  # cannot end before it began
        run(import_grid(project, f, level="community", supersede=True, valid_from="2023-01-01"))
    assert len(project.areas("community", current=False)) == 1
    path = str(project.path)
    project.close()
    assert main(["-q", "export", path, "communities", "--out", str(tmp_path / "x.gpkg"),
                 "--as-of", "yesterday"]) == 2


def test_unknown_grid_system_is_an_error(project, tmp_path, capsys):
    path = str(project.path)
    project.close()
    assert main(["-q", "grid", "validate", path, "--system", "urbn"]) == 2
    assert "urbn" in capsys.readouterr().err
    assert main(["-q", "export", path, "cells", "--out", str(tmp_path / "c.gpkg"),
                 "--system", "urbn"]) == 2


def test_report_is_written_when_the_import_stops(project, write_vector, gk_square, tmp_path):
    import json

    f = write_vector("nocode.gpkg", {"名字": ["x"]}, [gk_square(0, 0, 100)])
    path = str(project.path)
    project.close()
    rep = tmp_path / "r.json"
    assert main(["-q", "grid", "import", path, str(f), "--level", "street",
                 "--report", str(rep)]) == 3
    data = json.loads(rep.read_text(encoding="utf-8"))
    assert data["accepted"] == 0 and "找不到编码列" in data["error"]


@pytest.mark.gpkg_only  # reads the project file with GDAL/SQLite
def test_export_never_destroys_the_project_or_a_read_only_file(project, tmp_path, capsys):
    import os

    path = project.path
    project.close()
    before = path.read_bytes()
    assert main(["-q", "export", str(path), "streets", "--out", str(path)]) == 2
    assert path.read_bytes() == before
    locked = tmp_path / "locked.geojson"
    locked.write_text("{}")
    os.chmod(locked, 0o444)
    assert main(["-q", "export", str(path), "streets", "--out", str(locked)]) == 2
    assert locked.read_text() == "{}"
    assert "只读" in capsys.readouterr().err
    assert not list(tmp_path.glob(".gridmgr-export-*"))
