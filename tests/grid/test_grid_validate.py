"""grid validate on real project files: the findings, their areas and locations, exit codes."""

from __future__ import annotations

import json

import pytest
import shapely
from pyproj import Transformer

from gridmgr.cli import main
from gridmgr.grid.validate import validate_grid
from gridmgr.progress import run
from gridmgr.project import init_project, open_project

GK = "EPSG:4547"  # CGCS2000 / 3-degree Gauss-Kruger CM 114E
X0, Y0 = 500_000.0, 2_550_000.0
to_ll = Transformer.from_crs(GK, "EPSG:4490", always_xy=True)
to_gk = Transformer.from_crs("EPSG:4490", GK, always_xy=True)


def gk_box(x0, y0, x1, y1):
    """A box given in metres from (X0, Y0), returned in lon/lat (the project CRS)."""
    return shapely.transform(shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1),
                             lambda xy: __import__("numpy").column_stack(
                                 to_ll.transform(xy[:, 0], xy[:, 1])))


@pytest.fixture
def broken_grid(tmp_path):
    """One street, one 300 × 100 m community and cells with known faults:
    A and B overlap by 10 × 20 m = 200 m²; nothing covers x 200..300 (a 10,000 m² gap … minus
    cell C's 5 m overshoot); C reaches 5 m outside the community over 100 m (500 m²); D is a
    bow-tie; E's code does not extend its parent's code; F duplicates A's code."""
    path = tmp_path / "broken.gpkg"
    street = "440604010"
    comm = "440604010001"
    with init_project(path, name="禅城区", admin_code="440604") as store, store.atomic():
        store.insert_areas("street", [{"code": street, "parent_code": "440604"}],
                           [gk_box(-1000, -1000, 1000, 1000)])
        store.insert_areas("community", [{"code": comm, "parent_code": street}],
                           [gk_box(0, 0, 300, 100)])
        bow = shapely.Polygon([(X0 + 100, Y0 + 0), (X0 + 200, Y0 + 100),
                               (X0 + 200, Y0 + 0), (X0 + 100, Y0 + 100)])
        bow = shapely.transform(bow, lambda xy: __import__("numpy").column_stack(
            to_ll.transform(xy[:, 0], xy[:, 1])))
        cells = [
            ({"code": comm + "01"}, gk_box(0, 0, 60, 100)),        # A
            ({"code": comm + "02"}, gk_box(50, 80, 100, 100)),     # B: overlaps A 10×20
            ({"code": comm + "03"}, gk_box(50, -5, 100, 80)),      # C: 5 m below the community
            ({"code": comm + "04"}, bow),                          # D: bow-tie
            ({"code": "44060499999901"}, gk_box(-400, -400, -300, -300)),  # E: outside, bad code
        ]
        store.insert_areas("cell", [dict(c, parent_code=comm) for c, _ in cells],
                           [g for _, g in cells])
    return path


def by_reason(findings):
    out = {}
    for f in findings:
        out.setdefault(f.reason, []).append(f)
    return out


def test_findings_with_areas_and_locations(broken_grid):
    with open_project(broken_grid, readonly=True) as store:
        report = run(validate_grid(store))
    found = by_reason(report.findings)
    assert report.info["checked"] == 1 + 1 + 5

    (overlap,) = [f for f in found["overlap"] if {f.code, f.extra.get("other")} ==
                  {"44060401000101", "44060401000102"}]
    assert overlap.area_m2 == pytest.approx(200, abs=0.5)
    x, y = to_gk.transform(overlap.x, overlap.y)
    assert 50 <= x - X0 <= 60 and 80 <= y - Y0 <= 100

    (invalid,) = found["invalid_geometry"]
    assert invalid.code == "44060401000104"
    assert "self-intersection" in invalid.extra["detail"].lower()

    outside = {f.code: f for f in found["outside_parent"]}
    assert outside["44060401000103"].area_m2 == pytest.approx(250, abs=0.5)  # 50 m × 5 m
    assert outside["44060499999901"].area_m2 == pytest.approx(10_000, abs=1)

    # inside the community: 30,000 m² minus A 6,000, B 800, C 3,200 and the bow-tie's two
    # triangles 5,000 leaves 15,000 m², the largest piece being x 200..300
    gaps = [f for f in found["gap"] if "440604010001" in f.message]
    assert sum(f.area_m2 for f in gaps) == pytest.approx(15_000, abs=1)
    biggest = max(gaps, key=lambda f: f.area_m2)
    assert biggest.area_m2 == pytest.approx(10_000, abs=1)
    x, y = to_gk.transform(biggest.x, biggest.y)
    assert 200 <= x - X0 <= 300 and 0 <= y - Y0 <= 100
    # the street is mostly not covered by its one community: a street-level gap too
    assert any("440604010" in f.message and f.area_m2 > 3_900_000 for f in found["gap"])

    (notext,) = found["code_not_extending_parent"]
    assert notext.code == "44060499999901"


def test_clean_grid_exits_0_and_broken_exits_1(broken_grid, tmp_path, capsys):
    rep = tmp_path / "r.json"
    assert main(["-q", "grid", "validate", str(broken_grid), "--report", str(rep)]) == 1
    data = json.loads(rep.read_text(encoding="utf-8"))
    assert data["errors"] >= 5
    reasons = {f["reason"] for f in data["findings"]}
    assert {"overlap", "gap", "outside_parent", "invalid_geometry"} <= reasons
    assert all("message" in f and "reason" in f for f in data["findings"])
    out = capsys.readouterr().out
    assert "重叠" in out and "平方米" in out

    clean = tmp_path / "clean.gpkg"
    with init_project(clean, name="禅城区", admin_code="440604") as store, store.atomic():
        store.insert_areas("street", [{"code": "440604010", "parent_code": "440604"}],
                           [gk_box(0, 0, 200, 100)])
        store.insert_areas("community", [{"code": "440604010001", "parent_code": "440604010"},
                                         {"code": "440604010002", "parent_code": "440604010"}],
                           [gk_box(0, 0, 100, 100), gk_box(100, 0, 200, 100)])
    assert main(["-q", "grid", "validate", str(clean)]) == 0
    assert "没有发现问题" in capsys.readouterr().out


def test_validate_never_writes(broken_grid):
    import hashlib

    before = hashlib.sha256(broken_grid.read_bytes()).hexdigest()
    main(["-q", "grid", "validate", str(broken_grid)])
    assert hashlib.sha256(broken_grid.read_bytes()).hexdigest() == before
