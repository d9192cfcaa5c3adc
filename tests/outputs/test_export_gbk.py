"""Exports for older desktops: ``export … --format shp --encoding GBK`` writes the DBF in GBK with
a matching .cpg (a name GBK cannot hold is refused with its row, nothing written), and
enterprises carry their coordinates in CGCS2000 and in GCJ-02, each column named."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridmgr.cli import main
from gridmgr.errors import UsageError
from gridmgr.files.readers import read_vector
from gridmgr.grid.importer import import_grid
from gridmgr.outputs.layers import export_layer
from gridmgr.progress import run

DATA = Path(__file__).resolve().parents[2] / "gridmgr" / "data" / "demo" / "chancheng"


@pytest.fixture
def streets(project, write_vector, gk_square):
    f = write_vector("s.shp", {"街道编码": ["440604010", "440604011"],
                               "街道名称": ["祖庙街道", "石湾镇街道"]},
                     [gk_square(0, 0, 1000), gk_square(1000, 0, 1000)], encoding="GBK",
                     hide_encoding=True)
    run(import_grid(project, f, level="street"))
    return project


def test_gbk_shapefile_with_its_cpg(streets, tmp_path):
    out = tmp_path / "streets.shp"
    assert run(export_layer(streets, "streets", out, encoding="gbk")) == 2
    assert out.with_suffix(".cpg").read_text().strip() == "GBK"
    raw = out.with_suffix(".dbf").read_bytes()
    assert "石湾镇街道".encode("gbk") in raw and "石湾镇街道".encode() not in raw
    back = read_vector(out)
    assert sorted(back.gdf["name"]) == ["石湾镇街道", "祖庙街道"]
    utf = tmp_path / "utf.shp"
    run(export_layer(streets, "streets", utf))
    assert utf.with_suffix(".cpg").read_text().strip() == "UTF-8"


def test_a_name_gbk_cannot_hold_is_refused(project, write_vector, gk_square, tmp_path,
                                           capsys):
    f = write_vector("s.gpkg", {"code": ["440604010"], "name": ["𠮷野街道"]},
                     [gk_square(0, 0, 1000)])
    run(import_grid(project, f, level="street"))
    with pytest.raises(UsageError, match="第 1 行"):
        run(export_layer(project, "streets", tmp_path / "x.shp", encoding="GBK"))
    assert not (tmp_path / "x.shp").exists()
    with pytest.raises(UsageError, match="只用于 Shapefile"):
        run(export_layer(project, "streets", tmp_path / "x.gpkg", encoding="GBK"))
    path = str(project.path)
    project.close()
    assert main(["-q", "export", path, "streets", "--out", str(tmp_path / "y.shp"),
                 "--encoding", "GB18030"]) == 0
    assert (tmp_path / "y.cpg").read_text().strip() == "GB18030"


def test_enterprises_carry_cgcs2000_and_the_gcj02_they_were_given_in(demo, tmp_path):
    """The demo register was imported from GCJ-02 (as copied from Amap): the export gives those
    numbers back beside CGCS2000, each column named."""
    import pandas as pd
    from openpyxl import load_workbook

    from gridmgr.project import open_project

    out = tmp_path / "企业.csv"
    with open_project(demo, readonly=True) as store:
        run(export_layer(store, "enterprises", out))
    got = pd.read_csv(out, encoding="utf-8-sig", dtype={"统一社会信用代码": str})
    assert {"经度（CGCS2000）", "纬度（CGCS2000）", "经度（GCJ-02 高德/腾讯）",
            "纬度（GCJ-02 高德/腾讯）"} <= set(got.columns)
    ws = load_workbook(DATA / "enterprises.xlsx", read_only=True).active
    rows = ws.iter_rows(values_only=True)
    head = list(next(rows))
    given = {r[head.index("统一社会信用代码")]: (float(r[head.index("经度")]),
                                           float(r[head.index("纬度")])) for r in rows}
    got = got.set_index("统一社会信用代码")
    for code in list(given)[:200]:
        lon, lat = given[code]
        assert got.loc[code, "经度（GCJ-02 高德/腾讯）"] == pytest.approx(lon, abs=2e-7)
        assert got.loc[code, "纬度（GCJ-02 高德/腾讯）"] == pytest.approx(lat, abs=2e-7)
        # and CGCS2000 is the GCJ-02 offset away (300–700 m in China)
        d = ((got.loc[code, "经度（CGCS2000）"] - lon) ** 2 + (got.loc[code, "纬度（CGCS2000）"]
                                                             - lat) ** 2) ** 0.5
        assert 0.002 < d < 0.008
