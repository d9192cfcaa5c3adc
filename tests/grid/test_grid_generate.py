"""grid generate on a project stored in lon/lat: what it writes passes grid validate."""

from __future__ import annotations

from collections import Counter

import geopandas as gpd
import numpy as np
import shapely

from gridmgr.grid.generate import generate_grid
from gridmgr.grid.importer import import_grid
from gridmgr.grid.validate import validate_grid
from gridmgr.progress import run
from gridmgr.project import init_project

X0, Y0 = 500_000.0, 2_550_000.0  # x = 500000 is a net line for any cell size that divides it


def test_border_on_a_net_line_survives_the_lonlat_round_trip(tmp_path):
    """Regression: parents stored in EPSG:4490 come back to metres with nanometre noise; a
    street border lying on a net line then produced cells that were invalid once stored."""
    streets = gpd.GeoDataFrame(
        {"code": ["440604010", "440604011"]},
        geometry=[shapely.box(X0 - 1500, Y0, X0, Y0 + 1500),
                  shapely.box(X0, Y0, X0 + 1500, Y0 + 1500)], crs="EPSG:4547")
    rng = np.random.default_rng(1)
    seeds = shapely.multipoints(shapely.points(rng.uniform(X0 - 1500, X0 + 1500, 24),
                                               rng.uniform(Y0, Y0 + 1500, 24)))
    cells = shapely.get_parts(shapely.voronoi_polygons(
        seeds, extend_to=shapely.box(X0 - 3000, Y0 - 1000, X0 + 3000, Y0 + 3000)))
    rows = []
    for code, street in zip(streets["code"], streets.geometry):
        pieces = [g for g in shapely.intersection(cells, street) if g.area > 1]
        rows += [(f"{code}{i + 1:03d}", g) for i, g in enumerate(pieces)]
    comms = gpd.GeoDataFrame({"code": [r[0] for r in rows]}, geometry=[r[1] for r in rows],
                             crs="EPSG:4547")
    streets.to_file(tmp_path / "streets.gpkg")
    comms.to_file(tmp_path / "communities.gpkg")
    with init_project(tmp_path / "p.gpkg", name="t", admin_code="440604",
                      code_scheme="db11") as store:
        run(import_grid(store, tmp_path / "streets.gpkg", level="street"))
        run(import_grid(store, tmp_path / "communities.gpkg", level="community"))
        report = run(generate_grid(store, size=100))
        assert report.accepted > 400 and not report.refused
        stored = store.areas("cell")
        assert shapely.is_valid(stored.geometry.to_numpy()).all()
        findings = run(validate_grid(store)).findings
    assert Counter(f.reason for f in findings) == Counter()
