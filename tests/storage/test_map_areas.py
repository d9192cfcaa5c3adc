"""``Store.map_areas``: the map's fast read of a level equals ``Store.areas`` (both backends).

The rings are read from the stored blobs without shapely objects (GPB on files, EWKB on the
server); they must be exactly what shapely gives for the same geometries, holes and parts
included, and the codes, names, parents and areas those of the frame.
"""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import MultiPolygon, Polygon, box

from gridmgr.geometry import rings_of

HOLE = Polygon([(113.0, 23.0), (113.04, 23.0), (113.04, 23.04), (113.0, 23.04)],
               [[(113.01, 23.01), (113.02, 23.01), (113.02, 23.02), (113.01, 23.02)]])
TWO_PARTS = MultiPolygon([box(113.05, 23.0, 113.06, 23.01),
                          Polygon([(113.07, 23.0), (113.1, 23.0), (113.1, 23.03),
                                   (113.07, 23.03)],
                                  [[(113.08, 23.01), (113.085, 23.01), (113.085, 23.015)],
                                   [(113.09, 23.01), (113.095, 23.01), (113.095, 23.02),
                                    (113.09, 23.02)]])])


def same_rings(a, b) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k))
               for k in ("coords", "ring_offsets", "poly_offsets", "geom_offsets"))


def test_holes_and_parts_come_back_as_shapely_has_them(project):
    with project.atomic():
        project.insert_areas("cell", [
            {"code": "440604001001001", "name": "甲网格", "parent_code": "440604001001",
             "valid_from": "2025-01-01"},
            {"code": "440604001001002", "name": None, "parent_code": "440604001001",
             "valid_from": "2025-01-01"},
            {"code": "440604001001003", "name": "丙网格", "parent_code": "440604001001",
             "valid_from": "2025-01-01"}],
            [HOLE, TWO_PARTS, box(113.2, 23.2, 113.21, 23.21)])
    got = project.map_areas("cell")
    ref = project.areas("cell")
    assert got.codes == ["440604001001001", "440604001001002", "440604001001003"]
    assert got.names == ["甲网格", None, "丙网格"]
    assert got.parents == ["440604001001"] * 3
    assert np.array_equal(got.areas, ref["area_m2"].to_numpy(), equal_nan=True)
    assert same_rings(got.rings, rings_of(ref.geometry.values))
    # the layout: cell 1 one polygon of two rings, cell 2 two polygons (1 + 3 rings)
    assert got.rings.geom_offsets.tolist() == [0, 1, 3, 4]
    assert got.rings.poly_offsets.tolist() == [0, 2, 3, 6, 7]
    back = got.rings.geoms()
    assert back[0].equals(HOLE) and back[1].equals(TWO_PARTS)


@pytest.mark.parametrize("level", ["district", "street", "community", "cell"])
def test_the_demo_district_reads_the_same_both_ways(demo, level):
    from gridmgr.project import open_project

    with open_project(demo, readonly=True) as store:
        got = store.map_areas(level, system="urban").to_crs("EPSG:4490")
        ref = store.areas(level, system="urban").to_crs("EPSG:4490")
    assert len(got) == len(ref) > 0
    assert got.codes == list(ref["code"]) and got.parents == list(ref["parent_code"])
    assert got.names == list(ref["name"])
    assert np.allclose(got.areas, ref["area_m2"].to_numpy(), equal_nan=True)
    assert same_rings(got.rings, rings_of(ref.geometry.values))
