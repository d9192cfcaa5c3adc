"""Bulk writes to GeoPackage feature tables, R-tree included.

The R-tree insert trigger calls ``ST_MinX`` … back into Python five times per row; for a bulk
insert that is most of the cost.  So a bulk insert takes the trigger out for the length of the
insert, writes the rows with fids it assigns, fills the R-tree from envelopes computed once with
shapely, and puts the trigger back exactly as it was — all inside the caller's transaction, so
an error or a cancel restores everything.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import shapely
import sqlite_utils

from ... import geometry


def insert_features(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]],
                    geoms: Sequence[Any], srs_id: int) -> list[int]:
    """Insert ``rows`` with ``geoms`` (shapely, already in the table's CRS) into ``table``;
    returns the fids given to them, in order."""
    if not rows:
        return []
    arr = np.asarray(list(geoms), dtype=object)
    blobs = geometry.encode(arr, srs_id)
    start = db.execute(
        "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0), "
        f'coalesce((SELECT max(fid) FROM "{table}"), 0))', [table]).fetchone()[0]
    fids = list(range(start + 1, start + 1 + len(rows)))
    columns = ["fid", "geom", *rows[0].keys()]
    values = [(fid, blob, *row.values()) for fid, blob, row in zip(fids, blobs, rows)]
    trigger = f"rtree_{table}_geom_insert"
    found = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                       [trigger]).fetchone()
    with db.atomic():
        if found:
            db.execute(f'DROP TRIGGER "{trigger}"')
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        db.conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)
        if found:
            x0, y0, x1, y1 = shapely.bounds(arr).T
            keep = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
            db.conn.executemany(
                f'INSERT INTO "rtree_{table}_geom" VALUES (?, ?, ?, ?, ?)',
                [(fids[i], x0[i], x1[i], y0[i], y1[i]) for i in np.flatnonzero(keep)])
            db.execute(found[0])
    return fids


def update_extent(db: sqlite_utils.Database, table: str) -> None:
    """Keep ``gpkg_contents``' bounding box and change time in step with the R-tree."""
    r = db.execute(f'SELECT min(minx), min(miny), max(maxx), max(maxy) FROM "rtree_{table}_geom"'
                   ).fetchone()
    db.execute("UPDATE gpkg_contents SET min_x=?, min_y=?, max_x=?, max_y=?, "
               "last_change=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name=?",
               [*r, table])


BULK_MIN_ROWS = 10_000  # below this, updating the indexes row by row is cheap enough


@contextmanager
def rebuilt_indexes(db: sqlite_utils.Database, adding: Mapping[str, int],
                    columns: Collection[str] | None = None) -> Iterator[None]:
    """Inside a transaction: for each table about to have rows written (inserted or updated),
    at least half as many as it has and at least :data:`BULK_MIN_ROWS`, drop its secondary
    indexes (with ``columns``, those on one of these columns: what an update changes) and
    create them again at the end, from their own ``CREATE INDEX`` text — one sort instead of
    a random page update per row and index.  UNIQUE constraints stay (they check every row as
    it comes).
    An error rolls the transaction back, which restores the indexes; they are recreated here
    too, so a caller that catches the error keeps them."""
    saved: list[str] = []
    if db.conn.in_transaction:
        for table, n in adding.items():
            have = db.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()[0] or 0
            if n < BULK_MIN_ROWS or 2 * n < have:
                continue
            for name, sql in db.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                    "AND sql IS NOT NULL ORDER BY name", [table]).fetchall():
                if columns is not None and not _indexes_any(db, name, columns):
                    continue
                db.execute(f'DROP INDEX "{name}"')
                saved.append(sql)
    try:
        yield
    except BaseException:
        try:
            for sql in saved:
                db.execute(sql)
        except Exception:  # the transaction is failing: its rollback restores them
            pass
        raise
    for sql in saved:
        db.execute(sql)


def _indexes_any(db: sqlite_utils.Database, index: str, columns: Collection[str]) -> bool:
    """Whether the index covers one of ``columns`` (an expression counts as covering all)."""
    names = [r[2] for r in db.execute(f'PRAGMA index_info("{index}")').fetchall()]
    return any(n is None or n in columns for n in names)
