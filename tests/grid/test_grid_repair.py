"""What import stored is what validate reports: a bow-tie cell imported from a GBK Shapefile is an
error in ``grid validate`` until ``grid repair`` makes it valid (one transaction, a report with
the area before and after); slivers under the survey tolerance are notices, and the tolerance in
use is printed."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import Polygon

from gridmgr.cli import main
from gridmgr.grid.importer import import_grid
from gridmgr.grid.repair import repair_grid
from gridmgr.grid.validate import validate_grid
from gridmgr.progress import run

X0, Y0 = 398_000.0, 2_548_000.0  # the origin of conftest's gk_square
COMM = "440604010001"
GBK = {"encoding": "GBK", "hide_encoding": True}


@pytest.fixture
def imported(project, write_vector, gk_square):
    """A bare project given a cell layer: 01 | 02 side by side, 03 a bow-tie below them
    (two 100 m triangles meeting at a point), 04 leaving a 0.5 m² sliver against 01."""
    bow = Polygon([(X0, Y0 - 100), (X0 + 100, Y0), (X0 + 100, Y0 - 100), (X0, Y0)])
    geoms = [gk_square(0, 0, 100), gk_square(100, 0, 100), bow,
             Polygon([(X0 + 100, Y0 - 100), (X0 + 200, Y0 - 100), (X0 + 200, Y0),
                      (X0 + 100.01, Y0)])]
    f = write_vector("cells.shp", {"网格编码": [f"{COMM}0{i}" for i in range(1, 5)],
                                   "社区": ["升平社区"] * 4, "街道": ["祖庙街道"] * 4}, geoms,
                     encoding="GBK", hide_encoding=True)
    report = run(import_grid(project, f))
    assert [w.row for w in report.warnings if w.reason == "invalid_geometry_input"] == [3]
    return project


def test_validate_reports_what_import_kept_until_repaired(imported):
    report = run(validate_grid(imported))
    invalid = [f for f in report.refused if f.reason == "invalid_geometry"]
    assert [f.code for f in invalid] == [f"{COMM}03"]
    assert report.info["tolerance_m2"] == 1.0 and report.info["tolerance_source"] == "survey"

    dry = run(repair_grid(imported, dry_run=True))
    assert dry.accepted == 1
    assert not shapely.is_valid(imported.areas("cell").set_index("code").loc[
        f"{COMM}03"].geometry)  # a dry run writes nothing

    fixed = run(repair_grid(imported))
    [f] = fixed.warnings
    assert (f.reason, f.code, f.extra["parts"]) == ("geometry_repaired", f"{COMM}03", 2)
    # the bow-tie's two triangles: 2 × ½ × 100 × 50 m = 5000 m²
    assert float(f.extra["after"]) == pytest.approx(5000, rel=1e-3)
    cell = imported.areas("cell").set_index("code").loc[f"{COMM}03"]
    assert shapely.is_valid(cell.geometry)
    assert cell["area_m2"] == pytest.approx(5000, rel=1e-3)
    assert cell["parent_code"] == COMM  # kept its place in the hierarchy
    after = run(validate_grid(imported))
    assert not [x for x in after.refused if x.reason == "invalid_geometry"]
    assert run(repair_grid(imported)).accepted == 0  # nothing left to repair
    assert imported.audit_log()[-1]["action"] == "grid repair"


def test_a_sliver_under_the_tolerance_is_a_notice(project, write_vector, gk_square):
    """Surveyed community, cells drawn separately: 04's corner stops 1 cm short of the
    community's edge, leaving a 0.5 m² sliver (½ × 100 m × 0.01 m) uncovered."""
    run(import_grid(project, write_vector("s.shp", {"街道编码": ["440604010"]},
                                          [gk_square(-500, -500, 1000)], **GBK), level="street"))
    run(import_grid(project, write_vector("c.shp", {"社区编码": [COMM],
                                                    "所属街道编码": ["440604010"]},
                                          [gk_square(0, -100, 200)], **GBK),
                            level="community"))
    short = Polygon([(X0 + 100, Y0), (X0 + 200, Y0), (X0 + 200, Y0 + 99.99),
                     (X0 + 100, Y0 + 100)])
    cells = [gk_square(0, -100, 100), gk_square(100, -100, 100), gk_square(0, 0, 100), short]
    codes = [f"{COMM}0{i}" for i in range(1, 5)]
    run(import_grid(project, write_vector("g.shp", {"网格编码": codes}, cells, **GBK),
                    level="cell"))
    report = run(validate_grid(project))
    gaps = [f for f in report.findings if f.reason == "gap" and f.code == COMM]
    assert [f.severity for f in gaps] == ["notice"]
    assert gaps[0].area_m2 == pytest.approx(0.5, abs=0.01)
    # the street around the community is mostly uncovered: that one stays an error
    assert [f.code for f in report.refused] == ["440604010"]
    strict = run(validate_grid(project, tolerance_m2=0.1))
    assert [f.severity for f in strict.findings if f.reason == "gap" and f.code == COMM] == [
        "error"]


def test_the_cli_prints_the_tolerance_and_repairs_in_one_go(imported, tmp_path, capsys):
    path = str(imported.path)
    imported.close()
    assert main(["-q", "grid", "validate", path]) == 1
    out = capsys.readouterr().out
    assert "面积容差：1 平方米（测量精度默认值）" in out and "几何图形无效" in out
    rep = tmp_path / "repair.json"
    assert main(["-q", "grid", "repair", path, "--report", str(rep)]) == 0
    out = capsys.readouterr().out
    assert "已修复 1 个无效几何" in out
    assert json.loads(rep.read_text("utf-8"))["warnings"][0]["code"] == f"{COMM}03"
    assert main(["-q", "grid", "validate", path]) == 0
    assert "没有发现问题" in capsys.readouterr().out
