"""Placing points in cells with a tree of the points queried by the cells equals the reference
(a tree of the cells queried by the points, lowest code on borders) on an irregular grid with
points on shared borders and corners; and ``assign-cells`` of a register large enough to
rebuild its indexes stores exactly those cells."""

from __future__ import annotations

import numpy as np
import shapely

from gridmgr.cli import main
from gridmgr.project import open_project
from gridmgr.registers.cell_assignment import Hierarchy, locate, locate_index
from gridmgr.storage.gpkg.features import BULK_MIN_ROWS


def reference(points: np.ndarray, cells: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The assignment as it was: cell tree, points as queries, lowest code per point."""
    out = np.full(len(points), None, dtype=object)
    p, c = shapely.STRtree(cells).query(points, predicate="intersects")
    for i, j in zip(p.tolist(), c.tolist()):
        if out[i] is None or codes[j] < out[i]:
            out[i] = codes[j]
    return out


def irregular_grid(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    seeds = shapely.multipoints(rng.uniform(0, 1000, (n, 2)))
    frame = shapely.box(0, 0, 1000, 1000)
    cells = shapely.intersection(shapely.get_parts(shapely.voronoi_polygons(seeds)), frame)
    cells = shapely.multipolygons(shapely.get_parts(cells).reshape(-1, 1))
    codes = np.array([f"4406040010{k:05d}" for k in rng.permutation(len(cells))], dtype=object)
    return cells, codes


def test_point_tree_equals_the_cell_tree_on_borders_and_corners() -> None:
    rng = np.random.default_rng(17)
    cells, codes = irregular_grid(rng, 400)
    corners = np.unique(shapely.get_coordinates(cells), axis=0)  # shared by 2–3 cells
    inside = rng.uniform(0, 1000, (3000, 2))
    outside = rng.uniform(1001, 1500, (100, 2))
    pts = shapely.points(np.vstack([inside, corners, outside, [[0, 0], [1000, 500]]]))
    got = locate(pts, cells, codes)
    assert list(got) == list(reference(pts, cells, codes))
    hits = np.bincount(shapely.STRtree(cells).query(pts, predicate="intersects")[0],
                       minlength=len(pts))
    assert (hits >= 3).sum() > 100 and (hits == 0).sum() == 100  # corners, and the outside
    i = locate_index(pts, cells, codes)
    assert list(np.where(i >= 0, codes[np.maximum(i, 0)], None)) == list(got)
    # the order of the cells does not matter
    order = rng.permutation(len(cells))
    assert list(locate(pts, cells[order], codes[order])) == list(got)
    assert list(locate(pts[:0], cells, codes)) == [] and list(locate(pts, cells[:0], codes[:0])
                                                             ) == [None] * len(pts)


def test_hierarchy_assign_gives_each_cell_its_community_and_street() -> None:
    rng = np.random.default_rng(3)
    cells, codes = irregular_grid(rng, 100)
    parent = {c: c[:12] for c in codes[:90]}  # ten cells without a community on record
    h = Hierarchy(cells, codes, parent, {m: m[:9] for m in set(parent.values())}, {})
    pts = shapely.points(rng.uniform(-50, 1050, (2000, 2)))
    got_cells, comms, streets = h.assign(pts)
    want = reference(pts, cells, codes)
    assert list(got_cells) == list(want)
    assert list(comms) == [parent.get(c) if c else None for c in want]
    assert list(streets) == [m[:9] if m else None for m in comms]
    assert any(c is not None and m is None for c, m in zip(got_cells, comms))


def test_assign_cells_of_a_large_register_stores_the_reference_cells(demo_copy, capsys) -> None:
    n = BULK_MIN_ROWS + 2000
    with open_project(demo_copy) as store:
        cells = store.areas("cell", system="urban")
        x0, y0, x1, y1 = cells.total_bounds
        rng = np.random.default_rng(5)
        corners = shapely.get_coordinates(cells.geometry.to_numpy())
        xy = np.vstack([rng.uniform((x0, y0), (x1, y1), (n - 500, 2)),
                        corners[rng.integers(0, len(corners), 500)]])
        with store.atomic():
            store.insert_enterprises([{"name": f"测试企业{i}", "ext_id": f"T{i:06d}"}
                                      for i in range(n)], shapely.points(xy))
        indexes = store.db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                   "AND tbl_name = 'enterprises' ORDER BY name").fetchall() \
            if hasattr(store.db, "conn") and type(store).__name__ != "PgStore" else None
    assert main(["enterprises", "assign-cells", str(demo_copy)]) == 0
    out = capsys.readouterr().out
    with open_project(demo_copy, readonly=True) as store:
        ents = store.enterprises()
        h = Hierarchy.load(store)
        if indexes is not None:
            assert store.db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = "
                "'enterprises' ORDER BY name").fetchall() == indexes
            assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    mine = ents[ents["ext_id"].fillna("").str.startswith("T")]
    want = reference(mine.geometry.to_numpy(), h.cell_geoms, h.cell_codes)
    assert list(mine["cell_code"]) == list(want)
    assert list(mine["community_code"]) == [h.cell_parent.get(c) if c else None for c in want]
    moved = sum(c is not None for c in want)
    assert moved > n * 0.5
    assert f"重新归入网格：{moved} 个企业" in out
