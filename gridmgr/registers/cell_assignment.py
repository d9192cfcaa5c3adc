"""Which unit grid cell each point lies in: computed once, stored, recomputed when the grid changes.

Rule for points on a shared border (or a shared corner): the point goes to the cell with the
lowest code among the cells it touches.  It is deterministic, does not depend on the order of
rows, and a point inside one cell touches no other.  The whole assignment is one vectorised
STRtree query (see ``bench/bench_enterprises.py``), never a Python loop over points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from ..storage import Store


def locate(points: np.ndarray, cells: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """For each point, the code of the cell holding it (lowest code on borders), else None."""
    out = np.full(len(points), None, dtype=object)
    i = locate_index(points, cells, codes)
    held = i >= 0
    out[held] = codes[i[held]]
    return out


def locate_index(points: np.ndarray, cells: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """For each point, the index of the cell holding it (lowest code on borders), else -1.

    The tree holds the points and the cells query it: GEOS prepares each query geometry, so
    every cell is tested against its points as a prepared polygon (the other way round, a tree
    of cells queried with points, tests each point against an unprepared polygon: 2× slower
    at 100k cells).  Intersects is symmetric, so the pairs are the same."""
    out = np.full(len(points), -1, dtype=np.int64)
    if len(points) == 0 or len(cells) == 0:
        return out
    c, p = shapely.STRtree(points).query(cells, predicate="intersects")
    if len(p) == 0:
        return out
    rank = np.empty(len(codes), dtype=np.int64)  # each cell's place in code order
    rank[np.argsort(codes.astype(str), kind="stable")] = np.arange(len(codes))
    order = np.lexsort((rank[c], p))
    p, c = p[order], c[order]
    first = np.r_[True, p[1:] != p[:-1]]
    out[p[first]] = c[first]
    return out


@dataclass
class Hierarchy:
    """The current urban grid as code lookups: cell → community → street."""

    cell_geoms: np.ndarray
    cell_codes: np.ndarray
    cell_parent: dict[str, str | None]
    community_parent: dict[str, str | None]
    cell_names: dict[str, str | None]

    @classmethod
    def load(cls, store: Store, system: str = "urban") -> Hierarchy:
        cells = store.areas("cell", system=system)
        comms = store.areas("community", system=system)
        return cls(cells.geometry.to_numpy(), cells["code"].to_numpy(dtype=object),
                   dict(zip(cells["code"], cells["parent_code"])),
                   dict(zip(comms["code"], comms["parent_code"])),
                   dict(zip(cells["code"], cells["name"])))

    def assign(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(cell, community, street) codes for each point (None where outside the grid)."""
        i = locate_index(points, self.cell_geoms, self.cell_codes)
        held = i >= 0
        cells = np.full(len(points), None, dtype=object)
        comms = cells.copy()
        streets = cells.copy()
        if held.any():  # the community and street of each cell hit, once, then by index
            hit, which = np.unique(i[held], return_inverse=True)
            comm = np.array([self.cell_parent.get(c) for c in self.cell_codes[hit]],
                            dtype=object)
            street = np.array([self.community_parent.get(m) if m else None for m in comm],
                              dtype=object)
            cells[held] = self.cell_codes[i[held]]
            comms[held] = comm[which]
            streets[held] = street[which]
        return cells, comms, streets


def reassign_enterprises(store: Store) -> list[dict[str, object]]:
    """Recompute every enterprise's cell after the grid changed; returns what moved.

    Call inside the transaction that changed the grid, so both land together.
    """
    ents = store.enterprise_places()
    if len(ents) == 0:
        return []
    cells, comms, streets = Hierarchy.load(store).assign(ents.geometry.to_numpy())
    old = ents["cell_code"].to_numpy(dtype=object)
    changed = np.flatnonzero(old != cells)
    if len(changed):
        with store.bulk_indexes({"enterprises": len(changed)},
                                ("cell_code", "community_code", "street_code")):
            store.set_enterprise_cells(ents["fid"].to_numpy()[changed], cells[changed],
                                       comms[changed], streets[changed])
    keys = ents["credit_code"].to_numpy(dtype=object)[changed].tolist()
    names = ents["name"].to_numpy(dtype=object)[changed].tolist()
    return [{"credit_code": k, "name": n, "from": a, "to": b}
            for k, n, a, b in zip(keys, names, old[changed].tolist(), cells[changed].tolist())]
