"""Helpers for the field package tests (tests/fieldwork and the dialogs in tests/ui): a
dispatched case, and edits to a returned package as QField (through GDAL) would make them."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from project_state import fingerprint
from shapely.geometry import Point

from gridmgr import geometry
from gridmgr.beijing import BEIJING
from gridmgr.cases.lifecycle import create_case, transition
from gridmgr.storage import connect

OFFICER = "CC0042"


def sha(path: Path) -> str:
    """The project's state (bytes of a file, every table of a server schema)."""
    return fingerprint(path)


def ago(days: float = 0, hours: float = 0) -> str:
    t = datetime.now(BEIJING).replace(tzinfo=None, microsecond=0)
    return (t - timedelta(days=days, hours=hours)).isoformat()


def dispatched_case(store, cell_geom, handler: str) -> dict:
    """A case in the officer's cell, 立案 and 派遣 to ``handler`` three days ago."""
    p = cell_geom.representative_point()
    row = create_case(store, source="市民投诉", category="SJ0102", lon=p.x, lat=p.y,
                      coords="cgcs2000", description="路边暴露垃圾", address="澜石路 1 号",
                      reported_at=ago(days=3, hours=2))
    transition(store, row["case_no"], "立案", by=None, at=ago(days=3, hours=1))
    return transition(store, row["case_no"], "派遣", by=None, at=ago(days=3), handler=handler)


def export_with_a_case(project: Path, out: Path, officer: str = OFFICER) -> tuple[dict, dict]:
    """A case dispatched in the officer's first cell, then their package exported to ``out``:
    (the export's result, the case)."""
    from gridmgr.fieldwork.export import export_fieldpack
    from gridmgr.fieldwork.scope import resolve_scope
    from gridmgr.progress import run
    from gridmgr.project import open_project

    with open_project(project) as store:
        scope, _ = resolve_scope(store, officer=officer, area=None)
        cells = store.areas("cell")
        geom = cells.loc[cells["code"] == scope.cells[0], "geometry"].iloc[0]
        case = dispatched_case(store, geom, officer)
        result = run(export_fieldpack(store, out=out, officer=officer))
    return result, case


def add_inspections(data: Path, rows: list[dict]) -> None:
    """Append inspection rows as QField does (through GDAL)."""
    crs = pyogrio.read_info(data, layer="inspections")["crs"]
    cols = ("uuid", "enterprise_uuid", "by_staff_no", "at", "result", "findings", "opens_case",
            "case_category", "photo")
    gdf = gpd.GeoDataFrame({c: [r.get(c) for r in rows] for c in cols},
                           geometry=[r.get("geometry") for r in rows], crs=crs)
    gdf["opens_case"] = gdf["opens_case"].fillna(False).astype(bool)
    gdf["at"] = pd.to_datetime(gdf["at"])
    pyogrio.write_dataframe(gdf, data, layer="inspections", append=True)


def add_progress(data: Path, rows: list[dict]) -> None:
    cols = ("uuid", "case_uuid", "action", "at", "by_staff_no", "note")
    df = pd.DataFrame({c: [r.get(c) for r in rows] for c in cols})
    df["at"] = pd.to_datetime(df["at"])
    pyogrio.write_dataframe(df, data, layer="case_progress", append=True)


def edit_enterprise(data: Path, uuid: str, *, point: Point | None = None,
                    phone: str | None = None) -> None:
    """Change an enterprise in the returned GeoPackage with SQL (R-tree triggers included)."""
    db = connect(data)
    try:
        with db.atomic():
            if point is not None:
                srs = db.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = "
                                 "'enterprises'").fetchone()[0]
                db.execute("UPDATE enterprises SET geom = ? WHERE uuid = ?",
                           [geometry.encode([point], srs)[0], uuid])
            if phone is not None:
                db.execute("UPDATE enterprises SET phone = ? WHERE uuid = ?", [phone, uuid])
        # the project's connection turns WAL on; a returned package edited by a plain
        # GeoPackage writer is in rollback-journal mode (WAL packages have their own tests)
        db.execute("PRAGMA journal_mode = DELETE")
    finally:
        db.conn.close()


def enterprises_of(data: Path) -> gpd.GeoDataFrame:
    """The returned enterprises layer, with its fid as a column (what QGIS shows)."""
    gdf = pyogrio.read_dataframe(data, layer="enterprises", fid_as_index=True)
    return gdf.rename_axis("fid").reset_index()



