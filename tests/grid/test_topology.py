"""Topology checks on small hand-built layers with known areas (EPSG:4547, CM 114°E)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from pyproj import Transformer
from shapely.geometry import Polygon, box

from gridmgr import messages
from gridmgr.errors import UsageError
from gridmgr.grid import topology

CRS = "EPSG:4547"  # CGCS2000 / 3-degree Gauss-Kruger CM 114E
X0, Y0 = 500_000.0, 2_550_000.0
BACK = Transformer.from_crs("EPSG:4490", CRS, always_xy=True)


def cell(x: float, y: float, w: float = 100.0, h: float = 100.0) -> Polygon:
    """A w×h box whose lower-left corner is (x, y) metres from the origin of the test area."""
    return box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)


def layer(rows: list[tuple[str, str | None, object]]) -> gpd.GeoDataFrame:
    codes, parents, geoms = zip(*rows, strict=True)
    return gpd.GeoDataFrame({"code": list(codes), "parent_code": list(parents)},
                            geometry=list(geoms), crs=CRS)


def local_xy(f) -> tuple[float, float]:
    """A finding's lon/lat back in metres relative to the test origin."""
    assert f.x is not None and f.y is not None
    x, y = BACK.transform(f.x, f.y)
    return x - X0, y - Y0


def assert_lonlat(f) -> None:
    assert 113.9 < f.x < 114.1, f.x
    assert 22.9 < f.y < 23.2, f.y


# --- overlaps ----------------------------------------------------------------------------------


def test_overlap_strip_area_and_location():
    gdf = layer([("A", None, cell(0, 0)), ("B", None, cell(90, 80))])
    found = topology.overlaps(gdf, level="cell")
    assert len(found) == 1
    f = found[0]
    assert f.reason == "overlap"
    assert (f.code, f.extra["other"]) == ("A", "B")
    assert f.area_m2 == pytest.approx(200.0, abs=0.01)
    assert f.extra["area"] == pytest.approx(200.0, abs=0.01)
    assert_lonlat(f)
    x, y = local_xy(f)
    assert 90 - 1e-6 <= x <= 100 + 1e-6 and 80 - 1e-6 <= y <= 100 + 1e-6


def test_shared_border_and_corner_are_not_overlaps():
    gdf = layer([("A", None, cell(0, 0)), ("B", None, cell(100, 0)),
                 ("C", None, cell(100, 100)), ("D", None, cell(0, 100))])
    assert topology.overlaps(gdf, level="cell") == []


def test_duplicated_cell_and_contained_cell_overlap():
    gdf = layer([("A", None, cell(0, 0)), ("A2", None, cell(0, 0)),
                 ("S", None, cell(300, 0)), ("T", None, cell(320, 20, 10, 10))])
    found = {(f.code, f.extra["other"]): f.area_m2 for f in topology.overlaps(gdf, level="cell")}
    assert found == {("A", "A2"): pytest.approx(10_000.0, abs=0.01),
                     ("S", "T"): pytest.approx(100.0, abs=0.01)}


def test_overlap_tolerance_and_invalid_input_do_not_crash():
    bowtie = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    sliver = cell(40, 99.99, 5, 100)  # overlaps A by 5 × 0.01 = 0.05 m²
    gdf = layer([("A", None, cell(0, 0)), ("S", None, sliver), ("BOW", None, bowtie),
                 ("NONE", None, None)])
    found = {(f.code, f.extra["other"]): f.area_m2 for f in topology.overlaps(gdf, level="cell")}
    # The repaired bow-tie (two triangles of 2,500 m² each) lies inside A.
    assert found == {("A", "BOW"): pytest.approx(5_000.0, abs=0.01)}
    found = {(f.code, f.extra["other"]): f.area_m2
             for f in topology.overlaps(gdf, level="cell", tolerance_m2=0.01)}
    assert found[("A", "S")] == pytest.approx(0.05, abs=1e-6) and len(found) == 2


# --- gaps --------------------------------------------------------------------------------------


def test_gap_in_uncovered_third_of_parent():
    parents = layer([("440604010001", "4406040100", cell(0, 0, 300, 100))])
    children = layer([("C1", "440604010001", cell(0, 0)), ("C2", "440604010001", cell(100, 0))])
    found = topology.gaps(children, parents, level="cell")
    assert len(found) == 1
    f = found[0]
    assert f.reason == "gap" and f.code == "440604010001"
    assert f.area_m2 == pytest.approx(10_000.0, abs=0.01)
    assert f.extra["parent_desc"] == "社区 440604010001"
    assert_lonlat(f)
    x, y = local_xy(f)
    assert 200 <= x <= 300 and 0 <= y <= 100


def test_no_gap_when_children_tile_parent_even_if_misfiled():
    parents = layer([("P1", None, cell(0, 0, 200, 100)), ("P2", None, cell(200, 0, 200, 100))])
    children = layer([("C1", "P1", cell(0, 0)), ("C2", "P2", cell(100, 0)),  # C2 misfiled
                      ("C3", "P2", cell(200, 0)), ("C4", "P2", cell(300, 0))])
    assert topology.gaps(children, parents, level="cell") == []


def test_duplicated_children_do_not_hide_or_invent_gaps():
    # Not a valid coverage (A twice), so the general union path is taken.
    parents = layer([("P", None, cell(0, 0, 300, 100))])
    children = layer([("A", "P", cell(0, 0)), ("A", "P", cell(0, 0)), ("B", "P", cell(100, 0))])
    found = topology.gaps(children, parents, level="cell")
    assert [round(f.area_m2, 2) for f in found] == [10_000.0]


def test_gap_description_follows_language(monkeypatch):
    monkeypatch.setattr(messages, "_lang", "en")
    parents = layer([("440604010001", None, cell(0, 0, 200, 100))])
    children = layer([("C1", "440604010001", cell(0, 0))])
    (f,) = topology.gaps(children, parents, level="cell")
    assert f.extra["parent_desc"] == "community 440604010001"
    assert "community 440604010001" in f.message


def test_parent_without_children_is_all_gap_and_parent_level_names_it():
    parents = layer([("S1", None, cell(0, 0, 200, 100))])
    children = layer([("X", None, cell(1000, 1000))])
    found = topology.gaps(children, parents, level="community", parent_level="street")
    assert [(f.code, round(f.area_m2, 2)) for f in found] == [("S1", 20_000.0)]
    assert found[0].extra["parent_desc"] == "街道 S1"


def test_separate_gap_pieces_and_tolerance():
    parents = layer([("P", None, cell(0, 0, 500, 100))])
    # Covered: 0–100, 200–300, 400–499.95 → gaps 100–200, 300–400 and a 0.05 × 100 = 5 m² sliver.
    children = layer([("C1", "P", cell(0, 0)), ("C2", "P", cell(200, 0)),
                      ("C3", "P", cell(400, 0, 99.95, 100))])
    areas = sorted(round(f.area_m2, 2) for f in topology.gaps(children, parents, level="cell"))
    assert areas == [5.0, 10_000.0, 10_000.0]
    areas = [f.area_m2 for f in topology.gaps(children, parents, level="cell", tolerance_m2=10)]
    assert len(areas) == 2


def test_top_level_holes_when_no_parents():
    # A 5×5 block of cells: the middle 3×3 ring is missing, its centre cell is present (an island).
    rows = []
    for i in range(5):
        for j in range(5):
            if 1 <= i <= 3 and 1 <= j <= 3 and (i, j) != (2, 2):
                continue
            rows.append((f"D{i}{j}", None, cell(100 * i, 100 * j)))
    # A separate 3×3 block with its centre missing.
    for i in range(3):
        for j in range(3):
            if (i, j) != (1, 1):
                rows.append((f"E{i}{j}", None, cell(1000 + 100 * i, 100 * j)))
    gdf = layer(rows)
    for parents in (None, gdf.iloc[0:0]):
        found = topology.gaps(gdf, parents, level="district")
        areas = sorted(round(f.area_m2, 2) for f in found)
        assert areas == [10_000.0, 80_000.0]
        for f in found:
            assert f.reason == "hole" and f.code is None
            assert_lonlat(f)
            x, y = local_xy(f)
            if f.area_m2 < 20_000:
                assert 1100 <= x <= 1200 and 100 <= y <= 200
            else:  # in the ring, not on the island
                assert 100 <= x <= 400 and 100 <= y <= 400
                assert not (200 < x < 300 and 200 < y < 300)


def test_no_holes_in_solid_top_level():
    gdf = layer([("A", None, cell(0, 0)), ("B", None, cell(100, 0))])
    assert topology.gaps(gdf, None, level="district") == []


# --- invalid geometries ------------------------------------------------------------------------


def test_bowtie_and_empty_are_invalid():
    bowtie = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    gdf = layer([("OK", None, cell(0, 0)), ("BOW", None, bowtie), ("E", None, Polygon()),
                 ("N", None, None)])
    found = topology.invalid_geometries(gdf, level="cell")
    assert [f.code for f in found] == ["BOW", "E", "N"]
    bow = found[0]
    assert bow.reason == "invalid_geometry"
    assert "self-intersection" in bow.extra["detail"].lower()
    assert_lonlat(bow)
    x, y = local_xy(bow)  # GEOS names the crossing point (50, 50)
    assert x == pytest.approx(50, abs=0.01) and y == pytest.approx(50, abs=0.01)
    assert bow.area_m2 == pytest.approx(5_000.0, abs=0.01)
    assert [f.extra["detail"] for f in found[1:]] == ["empty", "empty"]


def test_valid_layer_has_no_invalid_findings():
    gdf = layer([("A", None, cell(0, 0)), ("B", None, cell(100, 0))])
    assert topology.invalid_geometries(gdf, level="cell") == []


# --- outside parent / orphans ------------------------------------------------------------------


def test_child_sticking_out_of_parent():
    parents = layer([("P", None, cell(0, 0, 300, 100))])
    children = layer([("IN", "P", cell(100, 0)), ("OUT", "P", cell(0, -5, 100, 105))])
    found = topology.outside_parent(children, parents, level="cell")
    assert len(found) == 1
    f = found[0]
    assert (f.reason, f.code, f.extra["parent"]) == ("outside_parent", "OUT", "P")
    assert f.area_m2 == pytest.approx(500.0, abs=0.01)
    assert_lonlat(f)
    x, y = local_xy(f)
    assert 0 <= x <= 100 and -5 <= y <= 0


def test_orphan_and_missing_parent_code():
    parents = layer([("P", None, cell(0, 0, 300, 100))])
    children = layer([("A", "P", cell(0, 0)), ("B", "NOPE", cell(100, 0)),
                      ("C", None, cell(500, 500)), ("D", "", cell(600, 600))])
    found = topology.outside_parent(children, parents, level="cell")
    assert [(f.reason, f.code, f.extra["parent"]) for f in found] == [("orphan", "B", "NOPE")]
    assert_lonlat(found[0])
    assert found[0].area_m2 == pytest.approx(10_000.0, abs=0.01)


def test_child_filed_under_wrong_parent_is_outside_it():
    parents = layer([("P1", None, cell(0, 0)), ("P2", None, cell(100, 0))])
    children = layer([("C", "P1", cell(100, 0))])
    found = topology.outside_parent(children, parents, level="cell")
    assert [(f.code, round(f.area_m2, 2)) for f in found] == [("C", 10_000.0)]


# --- duplicate codes ---------------------------------------------------------------------------


def test_duplicate_codes():
    gdf = layer([("A", None, cell(0, 0)), ("B", None, cell(100, 0)), ("A", None, cell(200, 0)),
                 ("A", None, cell(300, 0)), ("B", None, cell(400, 0)), ("C", None, cell(500, 0)),
                 (None, None, cell(600, 0)), (None, None, cell(700, 0))])
    found = topology.duplicate_codes(gdf, level="cell")
    assert [(f.reason, f.code, f.extra["count"]) for f in found] == [
        ("duplicate_code", "A", 3), ("duplicate_code", "B", 2)]
    assert_lonlat(found[0])
    x, _ = local_xy(found[0])
    assert 0 <= x <= 100  # at the first feature with the code


# --- misc --------------------------------------------------------------------------------------


def test_findings_serialise_and_have_messages():
    gdf = layer([("A", None, cell(0, 0)), ("B", None, cell(90, 80))])
    f = topology.overlaps(gdf, level="cell")[0]
    d = f.to_dict()
    assert d["area_m2"] == 200.0 and d["code"] == "A"
    assert "A" in f.message and "B" in f.message


def test_geographic_crs_is_refused():
    gdf = layer([("A", None, cell(0, 0))]).to_crs("EPSG:4490")
    with pytest.raises(UsageError):
        topology.overlaps(gdf, level="cell")


def test_parents_in_another_crs_are_reprojected():
    parents = layer([("P", None, cell(0, 0, 300, 100))]).to_crs("EPSG:3857")
    children = layer([("C1", "P", cell(0, 0)), ("C2", "P", cell(100, 0))])
    found = topology.gaps(children, parents, level="cell")
    assert len(found) == 1 and found[0].area_m2 == pytest.approx(10_000.0, rel=1e-3)
