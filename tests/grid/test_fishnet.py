"""Unit grid cells cut from parents: alignment, slivers, numbering, overflow and progress."""

from __future__ import annotations

import geopandas
import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from gridmgr.findings import ERROR, WARNING
from gridmgr.grid.fishnet import generate_cells
from gridmgr.progress import Progress, run

CRS = "EPSG:4547"  # CGCS2000 / 3-degree Gauss-Kruger CM 114E
X0, Y0 = 500000.0, 2550000.0  # a multiple of every size used here
COMMUNITY = "440604010001"  # 12 digits
OTHER = "440604010002"


def parents(*items: tuple[str, shapely.Geometry]) -> geopandas.GeoDataFrame:
    return geopandas.GeoDataFrame({"code": [c for c, _ in items]},
                                  geometry=[g for _, g in items], crs=CRS)


def cut(frame, size, code_length=14, **kw):
    steps: list[Progress] = []
    cells, findings = run(generate_cells(frame, size, code_length=code_length, **kw),
                          steps.append)
    return cells, findings, steps


def rect(x, y, w, h):
    return box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)


def of(cells, code):
    return cells[cells["parent_code"] == code].reset_index(drop=True)


def assert_tiles(cells, parent):
    """Union of the cells is the parent and no two cells overlap."""
    geoms = np.asarray(cells.geometry.array, dtype=object)
    assert shapely.is_valid(geoms).all()
    assert set(shapely.get_type_id(geoms)) <= {3, 6}
    union = shapely.union_all(geoms)
    assert shapely.area(shapely.symmetric_difference(union, parent)) < 1e-3
    assert shapely.area(geoms).sum() == pytest.approx(parent.area, abs=1e-3)
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    a, b = a[a < b], b[a < b]
    assert (shapely.area(shapely.intersection(geoms[a], geoms[b])) < 1e-6).all()


def test_square_on_the_net_gives_16_whole_cells_numbered_north_west_first():
    parent = rect(0, 0, 1000, 1000)
    cells, findings, _ = cut(parents((COMMUNITY, parent)), 250)

    assert findings == []
    assert list(cells["code"]) == [f"{COMMUNITY}{n:02d}" for n in range(1, 17)]
    assert list(cells["seq"]) == list(range(1, 17))
    assert cells["seq"].dtype.kind == "i"
    assert set(cells["parent_code"]) == {COMMUNITY}
    assert cells.crs.to_epsg() == 4547
    assert np.allclose(cells.area, 62500.0)
    by_code = cells.set_index("code").geometry
    assert by_code[COMMUNITY + "01"].equals(rect(0, 750, 250, 250))  # north-west
    assert by_code[COMMUNITY + "04"].equals(rect(750, 750, 250, 250))  # north-east
    assert by_code[COMMUNITY + "05"].equals(rect(0, 500, 250, 250))  # second row starts west
    assert by_code[COMMUNITY + "16"].equals(rect(750, 0, 250, 250))  # south-east
    assert_tiles(cells, parent)


def test_square_offset_from_the_net_merges_its_slivers():
    parent = rect(30, 30, 1000, 1000)  # leaves 30 m strips on the north and east
    cells, findings, _ = cut(parents((COMMUNITY, parent)), 250, sliver_ratio=0.3)

    assert len(cells) == 16  # 25 pieces, 9 of them slivers
    assert cells.area.min() >= 0.3 * 250**2
    assert_tiles(cells, parent)
    [finding] = findings
    assert finding.reason == "sliver_merged"
    assert finding.severity == WARNING
    assert finding.extra == {"parent": COMMUNITY, "count": 9}
    assert COMMUNITY in finding.message
    # The north-east corner cell took the strips: 220 + 30 wide.
    assert cells.geometry.iloc[3].bounds == pytest.approx((X0 + 750, Y0 + 750, X0 + 1030,
                                                          Y0 + 1030))


def test_sliver_joins_the_neighbour_with_the_longest_border():
    # Net 100 m: column 2 is a 20 m strip, row 1 a 50 m strip.  The 20 x 50 corner touches the
    # 100 x 50 piece west of it along 50 m and the 20 x 100 strip south of it along 20 m.
    parent = rect(0, 0, 220, 150)
    cells, findings, _ = cut(parents((COMMUNITY, parent)), 100)

    assert [f.extra["count"] for f in findings] == [2]
    bounds = [tuple(np.round(np.array(g.bounds) - [X0, Y0, X0, Y0], 6)) for g in cells.geometry]
    assert bounds == [(0, 100, 100, 150), (100, 100, 220, 150),
                      (0, 0, 100, 100), (100, 0, 220, 100)]
    assert all(g.geom_type == "Polygon" for g in cells.geometry)
    assert_tiles(cells, parent)


def test_chain_of_slivers_ends_in_a_proper_cell():
    parent = rect(0, 0, 1000, 20)  # every 100 x 20 piece is a sliver on its own
    cells, findings, _ = cut(parents((COMMUNITY, parent)), 100, sliver_ratio=0.3)

    assert len(findings) == 1 and findings[0].reason == "sliver_merged"
    assert len(cells) == 5  # pairs, not one 1000 m snake
    assert cells.area.min() >= 3000
    assert_tiles(cells, parent)


def test_isolated_sliver_stays_a_cell_of_its_own():
    island = rect(520, 520, 20, 20)
    parent = MultiPolygon([rect(0, 0, 200, 200), island])
    cells, findings, _ = cut(parents((COMMUNITY, parent)), 100)

    assert findings == []
    assert len(cells) == 5
    assert cells.geometry.iloc[0].equals(island)  # northernmost square comes first
    assert_tiles(cells, parent)


def test_concave_parent_splitting_one_square_gives_two_cells_west_first():
    # A U: two 40 m prongs reach 90 m into the square [0,100) x [0,100) with a 20 m gap.
    parent = rect(0, -200, 100, 290).difference(rect(40, -50, 20, 200))
    cells, findings, _ = cut(parents((COMMUNITY, parent)), 100)

    assert findings == []
    assert len(cells) == 4
    west, east = cells.geometry.iloc[0], cells.geometry.iloc[1]
    assert west.equals(rect(0, 0, 40, 90))
    assert east.equals(rect(60, 0, 40, 90))
    assert cells.geometry.iloc[2].bounds == (X0, Y0 - 100, X0 + 100, Y0)  # the U's bend
    assert cells.geometry.iloc[3].equals(rect(0, -200, 100, 100))
    assert_tiles(cells, parent)


def test_overflow_refuses_the_parent_but_not_its_neighbour():
    big = rect(80, 0, 1100, 1000)  # 110 cells > 99 after its 20 m strip is merged
    small = rect(2000, 0, 500, 500)  # 25 cells
    cells, findings, _ = cut(parents((COMMUNITY, big), (OTHER, small)), 100, code_length=14)

    assert set(cells["parent_code"]) == {OTHER}
    assert len(cells) == 25
    assert cells["code"].iloc[0] == OTHER + "01"
    assert cells["code"].iloc[-1] == OTHER + "25"
    [finding] = findings
    assert finding.reason == "sequence_overflow"
    assert finding.severity == ERROR
    assert finding.extra == {"parent": COMMUNITY, "count": 110, "width": 2, "limit": 99}


def test_exactly_99_cells_still_fit_in_two_digits():
    cells, findings, _ = cut(parents((COMMUNITY, rect(0, 0, 900, 1100))), 100)
    assert findings == []
    assert list(cells["code"])[-1] == COMMUNITY + "99"


def test_no_room_for_a_sequence_is_an_overflow():
    cells, findings, _ = cut(parents((COMMUNITY, rect(0, 0, 100, 100))), 100, code_length=12)
    assert len(cells) == 0
    assert [(f.reason, f.extra["width"], f.extra["limit"]) for f in findings] == [
        ("sequence_overflow", 0, 0)]


def test_street_parent_gets_five_digit_sequence():
    street = "440604010"
    cells, _, _ = cut(parents((street, rect(0, 0, 200, 100))), 100, code_length=14)
    assert list(cells["code"]) == [street + "00001", street + "00002"]


def test_adjacent_parents_share_the_net():
    # The border x = 150 runs through the middle of net column 1.
    west, east = rect(0, 0, 150, 300), rect(150, 0, 250, 300)
    cells, _, _ = cut(parents((COMMUNITY, west), (OTHER, east)), 100)
    w, e = of(cells, COMMUNITY), of(cells, OTHER)
    assert (len(w), len(e)) == (6, 9)
    assert_tiles(cells, west.union(east))
    for row in range(3):
        # Cells 2, 4, 6 of the west parent and 1, 4, 7 of the east one halve one net square.
        w_half, e_half = w.geometry.iloc[2 * row + 1], e.geometry.iloc[3 * row]
        assert w_half.area == pytest.approx(5000) and e_half.area == pytest.approx(5000)
        square = rect(100, 200 - 100 * row, 100, 100)
        assert w_half.union(e_half).symmetric_difference(square).area < 1e-9
        assert w_half.intersection(e_half).length == pytest.approx(100)


def test_adjacent_parents_along_a_diagonal_line_up_on_the_net():
    def line_x(y):
        return 130 + 0.35 * y

    west = Polygon([(X0, Y0), (X0 + line_x(0), Y0), (X0 + line_x(400), Y0 + 400),
                    (X0, Y0 + 400)])
    east = Polygon([(X0 + line_x(0), Y0), (X0 + 500, Y0), (X0 + 500, Y0 + 400),
                    (X0 + line_x(400), Y0 + 400)])
    cells, _, _ = cut(parents((COMMUNITY, west), (OTHER, east)), 100)
    assert_tiles(of(cells, COMMUNITY), west)
    assert_tiles(of(cells, OTHER), east)
    assert_tiles(cells, west.union(east))
    xy = shapely.get_coordinates(np.asarray(cells.geometry.array, dtype=object)) - [X0, Y0]
    on_net = np.isclose(xy / 100, np.round(xy / 100), atol=0, rtol=0).any(axis=1)
    on_border = np.isclose(xy[:, 0], line_x(xy[:, 1]), atol=1e-6)
    assert (on_net | on_border).all()


def test_progress_once_per_parent():
    frame = parents((COMMUNITY, rect(0, 0, 200, 200)), (OTHER, rect(200, 0, 200, 200)),
                    ("440604010003", Polygon()))
    cells, _, steps = cut(frame, 100)
    assert [(s.done, s.total) for s in steps] == [(0, 3), (1, 3), (2, 3)]
    assert [s.message for s in steps] == [f"生成单元网格 {c}" for c in frame["code"]]
    assert len(cells) == 8


def test_generator_returns_its_result():
    task = generate_cells(parents((COMMUNITY, rect(0, 0, 100, 100))), 100, code_length=14)
    assert isinstance(next(task), Progress)
    with pytest.raises(StopIteration) as stop:
        next(task)
    cells, _ = stop.value.value
    assert list(cells["code"]) == [COMMUNITY + "01"]


def test_empty_and_invalid_parents():
    bowtie = Polygon([(X0, Y0), (X0 + 200, Y0 + 200), (X0 + 200, Y0), (X0, Y0 + 200)])
    cells, findings, _ = cut(parents((COMMUNITY, Polygon()), (OTHER, bowtie)), 100)
    assert findings == [] or {f.reason for f in findings} == {"sliver_merged"}
    assert set(cells["parent_code"]) == {OTHER}
    assert_tiles(cells, shapely.make_valid(bowtie))

    cells, findings, _ = cut(parents((COMMUNITY, None)), 100)
    assert len(cells) == 0 and findings == []
    assert list(cells.columns) == ["code", "parent_code", "seq", "geometry"]
    assert cells.crs.to_epsg() == 4547
