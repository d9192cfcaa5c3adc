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
    if len(points) == 0 or len(cells) == 0:
        return out
    tree = shapely.STRtree(cells)
    p, c = tree.query(points, predicate="intersects")
    if len(p) == 0:
        return out
    rank = np.empty(len(codes), dtype=np.int64)  # each cell's place in code order
    rank[np.argsort(codes.astype(str), kind="stable")] = np.arange(len(codes))
    order = np.lexsort((rank[c], p))
    p, c = p[order], c[order]
    first = np.r_[True, p[1:] != p[:-1]]
    out[p[first]] = codes[c[first]]
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
        cells = locate(points, self.cell_geoms, self.cell_codes)
        comms = np.array([self.cell_parent.get(c) if c else None for c in cells], dtype=object)
        streets = np.array([self.community_parent.get(m) if m else None for m in comms],
                           dtype=object)
        return cells, comms, streets


def reassign_enterprises(store: Store) -> list[dict[str, object]]:
    """Recompute every enterprise's cell after the grid changed; returns what moved.

    Call inside the transaction that changed the grid, so both land together.
    """
    ents = store.enterprises()
    if len(ents) == 0:
        return []
    cells, comms, streets = Hierarchy.load(store).assign(ents.geometry.to_numpy())
    old = ents["cell_code"].to_numpy(dtype=object)
    changed = np.flatnonzero(old != cells)
    if len(changed):
        store.set_enterprise_cells(ents["fid"].to_numpy()[changed], cells[changed],
                                   comms[changed], streets[changed])
    return [{"credit_code": ents["credit_code"].iloc[i], "name": ents["name"].iloc[i],
             "from": old[i], "to": cells[i]} for i in changed]
