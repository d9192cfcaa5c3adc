"""Round trips of the one geometry encoding (GeoPackage binary) against shapely and GDAL."""

from __future__ import annotations

import struct

import numpy as np
import pytest
import shapely

from gridmgr import geometry

SAMPLES = [
    shapely.box(113.0, 23.0, 113.01, 23.02),
    shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 4)]),
    shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], holes=[[(2, 2), (4, 2), (4, 4)]]),
    shapely.Point(113.1, 23.05),
    shapely.LineString([(0, 0), (1, 1), (2, 0)]),
]


@pytest.mark.parametrize("geom", SAMPLES, ids=lambda g: g.geom_type)
def test_round_trip_is_exact(geom):
    (blob,) = geometry.encode([geom], 4490)
    assert blob[:2] == b"GP"
    assert geometry.srs_id(blob) == 4490
    (back,) = geometry.decode([blob])
    assert shapely.equals_exact(back, geom, tolerance=0)
    x0, y0, x1, y1 = geom.bounds
    assert geometry.envelope(blob) == (x0, x1, y0, y1)
    assert geometry.is_empty(blob) == 0


def test_header_layout_is_the_documented_one():
    (blob,) = geometry.encode([shapely.box(1, 2, 3, 4)], 4547)
    magic, version, flags, srs = struct.unpack_from("<2sBBi", blob)
    assert (magic, version, srs) == (b"GP", 0, 4547)
    assert flags & 1 == 1  # little endian
    assert (flags >> 1) & 0b111 == 1  # [minx, maxx, miny, maxy]
    assert struct.unpack_from("<4d", blob, 8) == (1.0, 3.0, 2.0, 4.0)
    assert shapely.from_wkb(blob[40:]).equals(shapely.box(1, 2, 3, 4))


def test_none_and_empty():
    blobs = geometry.encode([None, shapely.Polygon()], 4490)
    assert blobs[0] is None
    assert blobs[1][3] & 0b10000  # empty flag
    assert geometry.envelope(blobs[1]) is None
    assert geometry.is_empty(blobs[1]) == 1
    back = geometry.decode(blobs)
    assert back[0] is None and back[1].is_empty


def test_big_endian_header_without_envelope_is_read():
    """Files written by other tools may use other header variants; they must still decode."""
    g = shapely.box(5, 6, 7, 8)
    blob = struct.pack(">2sBBi", b"GP", 0, 0, 4326) + shapely.to_wkb(g, byte_order=0)
    assert geometry.srs_id(blob) == 4326
    assert geometry.envelope(blob) == (5.0, 7.0, 6.0, 8.0)
    assert geometry.decode([blob])[0].equals(g)


def test_not_a_blob_is_refused():
    with pytest.raises(ValueError):
        geometry.envelope(b"XX" + b"\0" * 20)


def test_to_multi_promotes_polygons_only():
    out = geometry.to_multi([shapely.box(0, 0, 1, 1), SAMPLES[1], shapely.Point(0, 0)])
    assert [g.geom_type for g in out] == ["MultiPolygon", "MultiPolygon", "Point"]
    assert out[0].area == 1.0


def test_gdal_reads_what_we_write(tmp_path):
    """The same blobs, stored by the project, come back through GDAL unchanged."""
    import pyogrio

    from gridmgr.project import init_project

    polys = [shapely.box(113 + i * 0.01, 23, 113.005 + i * 0.01, 23.005) for i in range(5)]
    with init_project(tmp_path / "p.gpkg", name="t", admin_code="440604") as store:
        with store.atomic():
            store.insert_areas("street", [{"code": f"44060401{i}"} for i in range(5)], polys)
    df = pyogrio.read_dataframe(tmp_path / "p.gpkg", layer="streets")
    assert df.crs.to_epsg() == 4490
    got = np.array([g.geoms[0] for g in df.geometry])
    assert all(shapely.equals_exact(a, b, tolerance=0) for a, b in zip(got, polys))


# -- flat rings (the map's payload, the painter map): the fast readers against shapely
RING_SAMPLES = [
    shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (2, 1), (2, 2), (1, 2)]]),
    None,
    shapely.MultiPolygon([shapely.box(10, 0, 11, 1), shapely.Polygon(
        [(12, 0), (16, 0), (16, 4), (12, 4)],
        [[(13, 1), (14, 1), (14, 2)], [(14.5, 1), (15, 1), (15, 2), (14.5, 2)]])]),
    shapely.MultiPolygon(),
    shapely.Polygon(),
    shapely.box(113.1, 23.0, 113.2, 23.1),
]


def same_rings(a, b) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k))
               for k in ("coords", "ring_offsets", "poly_offsets", "geom_offsets"))


def test_gpb_and_wkb_rings_equal_shapelys_with_holes_parts_and_empties():
    ref = geometry.rings_of(RING_SAMPLES)
    assert ref.geom_offsets.tolist() == [0, 1, 1, 3, 3, 4, 5]  # None, empty: no polygon
    assert ref.poly_offsets.tolist() == [0, 2, 3, 6, 6, 7]  # POLYGON EMPTY: no ring
    assert len(ref.coords) == 5 + 5 + 5 + 5 + 4 + 5 + 5
    wkb = list(shapely.to_wkb(np.asarray(RING_SAMPLES, dtype=object)))
    assert same_rings(geometry.rings_from_wkb(wkb), ref)
    assert same_rings(geometry.gpb_rings(geometry.encode(RING_SAMPLES, 4490)), ref)
    ewkb = shapely.to_wkb(shapely.set_srid(np.asarray(RING_SAMPLES, dtype=object), 4490),
                          include_srid=True, flavor="extended")  # what PostGIS sends
    assert same_rings(geometry.rings_from_wkb(list(ewkb)), ref)


def test_rings_of_a_random_irregular_grid_match_and_rebuild():
    rng = np.random.default_rng(7)
    pts = shapely.MultiPoint(rng.random((300, 2)) * 0.1 + [113.0, 23.0])
    cells = np.asarray(shapely.get_parts(shapely.voronoi_polygons(pts)), dtype=object)
    cells[::7] = shapely.difference(cells[::7], shapely.buffer(shapely.centroid(cells[::7]),
                                                               0.001))  # holes
    blobs = geometry.encode(geometry.to_multi(cells), 4490)
    fast = geometry.gpb_rings(blobs)
    assert same_rings(fast, geometry.rings_of(geometry.decode(blobs)))
    assert all(a.equals(b) for a, b in zip(fast.geoms(), cells))
    assert np.array_equal(fast.bounds(), shapely.bounds(cells))


def test_what_the_fast_reader_does_not_take_goes_through_shapely():
    big = [shapely.to_wkb(g, byte_order=0) for g in RING_SAMPLES if g is not None]
    z = [shapely.to_wkb(shapely.Polygon([(0, 0, 1), (1, 0, 1), (1, 1, 1)]))]
    mixed = [shapely.to_wkb(shapely.box(0, 0, 1, 1)), shapely.to_wkb(shapely.Point(5, 5))]
    for wkbs in (big, z, mixed):
        geoms = shapely.from_wkb(np.asarray(wkbs, dtype=object))
        assert same_rings(geometry.rings_from_wkb(wkbs), geometry.rings_of(geoms))
    assert len(geometry.rings_from_wkb(mixed)) == 2  # the point is a feature without polygon
