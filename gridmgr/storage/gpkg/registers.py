"""The registers: enterprises (a point layer), officers and who is responsible where and when.

A mixin of :class:`gridmgr.storage.Store`: it uses ``self.db``, ``self.crs`` and ``self.srs_id``.
Responsibility rows are never rewritten: a change closes the old row (``valid_to``) and opens a
new one, so who was responsible on any day stays answerable.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..clock import now_iso
from ..records import ENTERPRISE_FIELDS, OFFICER_FIELDS, RESPONSIBILITY_COLUMNS, TEAM_ROLE_COLUMNS
from . import browse
from .schema_qgis import refresh_role_list


def _frame(rows: list[Any], columns: Sequence[str]) -> pd.DataFrame:
    """Rows as a DataFrame whose text columns keep None (not NaN) for missing values."""
    return pd.DataFrame(rows, columns=list(columns), dtype=object)


class RegistersMixin:
    db: Any
    srs_id: int
    crs: Any

    # -- enterprises
    def enterprises(self) -> gpd.GeoDataFrame:
        cols = ("fid", "uuid", *ENTERPRISE_FIELDS, "cell_code", "community_code", "street_code",
                "created_at", "updated_at")
        names = ", ".join(c if c != "credit_code_flag" or self._has_flag_column()
                          else "NULL AS credit_code_flag" for c in cols)
        cur = self.db.execute(f"SELECT {names}, geom FROM enterprises ORDER BY fid")
        rows = cur.fetchall()
        df = _frame([r[:-1] for r in rows], cols)
        df["fid"] = df["fid"].astype("int64")
        geoms = self._decode_geoms([r[-1] for r in rows]) if rows else np.array([], dtype=object)
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=self.crs), crs=self.crs)

    def enterprise_places(self) -> gpd.GeoDataFrame:
        cur = self.db.execute("SELECT fid, credit_code, name, cell_code, geom FROM enterprises "
                              "ORDER BY fid")
        rows = cur.fetchall()
        df = _frame([r[:-1] for r in rows], ("fid", "credit_code", "name", "cell_code"))
        df["fid"] = df["fid"].astype("int64")
        geoms = self._decode_geoms([r[-1] for r in rows]) if rows else np.array([], dtype=object)
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=self.crs), crs=self.crs)

    def _has_flag_column(self) -> bool:
        """Schema 8 added ``credit_code_flag``; an older file opened read-only lacks it."""
        return int(self.meta().get("schema_version") or 0) >= 8  # type: ignore[attr-defined]

    def count_enterprises(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM enterprises").fetchone()[0])

    def insert_enterprises(self, records: list[dict[str, Any]], geoms: Sequence[Any], *,
                           refresh_extent: bool = True) -> list[int]:
        now = now_iso()
        rows = [{**{k: r.get(k) for k in ENTERPRISE_FIELDS}, "uuid": str(uuid.uuid4()),
                 "cell_code": r.get("cell_code"), "community_code": r.get("community_code"),
                 "street_code": r.get("street_code"), "created_at": now, "updated_at": now}
                for r in records]
        fids = self._insert_features("enterprises", rows, geoms)
        if refresh_extent:  # batched imports refresh once at the end: it scans the R-tree
            self._update_extent("enterprises")
        return fids

    def refresh_extent(self, table: str) -> None:
        self._update_extent(table)

    def update_enterprises(self, fids: Sequence[int], records: list[dict[str, Any]],
                           geoms: Sequence[Any]) -> None:
        """Overwrite the given fields (and the location) of existing enterprises."""
        blobs = self._encode_geoms(geoms)
        now = now_iso()
        for fid, rec, blob in zip(fids, records, blobs):
            fields = {k: v for k, v in rec.items() if k in ENTERPRISE_FIELDS or
                      k in ("cell_code", "community_code", "street_code")}
            sets = ", ".join(f'"{k}" = ?' for k in fields)
            self.db.execute(f'UPDATE enterprises SET {sets}, geom = ?, updated_at = ? '
                            "WHERE fid = ?", [*fields.values(), blob, now, int(fid)])
        self._update_extent("enterprises")

    def set_enterprise_flags(self, fids: Sequence[int], flags: Sequence[str | None]) -> None:
        self.db.conn.executemany("UPDATE enterprises SET credit_code_flag = ? WHERE fid = ?",
                                 [(f, int(i)) for i, f in zip(fids, flags)])

    def set_enterprise_cells(self, fids: Sequence[int], cells: Sequence[str | None],
                             communities: Sequence[str | None],
                             streets: Sequence[str | None]) -> None:
        self.db.conn.executemany(
            "UPDATE enterprises SET cell_code = ?, community_code = ?, street_code = ? "
            "WHERE fid = ?",
            [(c, m, s, int(f)) for f, c, m, s in zip(fids, cells, communities, streets)])

    # -- officers
    def officers(self) -> pd.DataFrame:
        cols = ("id", "uuid", *OFFICER_FIELDS, "created_at", "updated_at")
        rows = self.db.execute(f"SELECT {', '.join(cols)} FROM officers ORDER BY staff_no")
        return _frame(rows.fetchall(), cols)

    def upsert_officers(self, records: Iterable[dict[str, Any]]) -> None:
        """Insert new officers and overwrite the fields of known ones (matched by staff_no)."""
        now = now_iso()
        for r in records:
            fields = {k: r.get(k) for k in OFFICER_FIELDS}
            self.db.execute(
                "INSERT INTO officers (uuid, staff_no, name, mobile, role, unit, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (staff_no) DO UPDATE "
                "SET name = excluded.name, mobile = excluded.mobile, role = excluded.role, "
                "unit = excluded.unit, updated_at = excluded.updated_at",
                [str(uuid.uuid4()), fields["staff_no"], fields["name"], fields["mobile"],
                 fields["role"], fields["unit"], now, now])

    # -- responsibilities
    def responsibilities(self, *, as_of: str | None = None, system: str | None = None,
                         staff_no: str | None = None, current_only: bool = False
                         ) -> pd.DataFrame:
        """Responsibility rows; ``as_of`` keeps those valid on that day (from ≤ day < to)."""
        where, params = ["1=1"], []
        if as_of is not None:
            where.append("valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)")
            params += [as_of, as_of]
        if current_only:
            where.append("valid_to IS NULL")
        if system is not None:
            where.append("system = ?")
            params.append(system)
        if staff_no is not None:
            where.append("staff_no = ?")
            params.append(staff_no)
        cur = self.db.execute(f"SELECT {', '.join(RESPONSIBILITY_COLUMNS)} FROM responsibilities "
                              f"WHERE {' AND '.join(where)} ORDER BY id", params)
        return _frame(cur.fetchall(), RESPONSIBILITY_COLUMNS)

    def close_responsibilities(self, ids: Sequence[int], valid_to: str) -> None:
        self.db.conn.executemany("UPDATE responsibilities SET valid_to = ? WHERE id = ?",
                                 [(valid_to, int(i)) for i in ids])

    def close_area_responsibilities(self, system: str, codes: Sequence[str], valid_to: str
                                    ) -> int:
        """End the open responsibilities sitting on these areas (their areas ended)."""
        n = 0
        codes = list(codes)
        for i in range(0, len(codes), 500):
            chunk = codes[i:i + 500]
            cur = self.db.execute(
                "UPDATE responsibilities SET valid_to = max(?, valid_from) WHERE system = ? "
                f"AND valid_to IS NULL AND area_code IN ({','.join('?' * len(chunk))})",
                [valid_to, system, *chunk])
            n += cur.rowcount
        return n

    # -- paging for table views
    def browse_count(self, query: browse.Query) -> int:
        return browse.count(self.db, query)

    def browse_page(self, query: browse.Query, offset: int, limit: int) -> list[tuple[Any, ...]]:
        return browse.page(self.db, query, offset, limit)

    def insert_responsibilities(self, rows: Iterable[dict[str, Any]]) -> None:
        now = now_iso()
        self.db["responsibilities"].insert_all(
            [{**{k: r.get(k) for k in RESPONSIBILITY_COLUMNS if k not in ("id", "created_at")},
              "uuid": str(uuid.uuid4()), "created_at": now} for r in rows])

    # -- grid team roles
    def team_roles(self) -> list[dict[str, Any]]:
        """The role table in team order (empty for a project before schema 10 opened read-only)."""
        if not self.has_table("team_roles"):  # type: ignore[attr-defined]
            return []
        cur = self.db.execute(f"SELECT {', '.join(TEAM_ROLE_COLUMNS)} FROM team_roles "
                              "ORDER BY sort_order, id")
        return [dict(zip(TEAM_ROLE_COLUMNS, r)) for r in cur.fetchall()]

    def insert_team_role(self, row: dict[str, Any]) -> None:
        self.db["team_roles"].insert({k: row.get(k) for k in TEAM_ROLE_COLUMNS})
        self._refresh_role_list()

    def _refresh_role_list(self) -> None:
        """QGIS's dropdown of roles (a GeoPackage's value list; the server keeps none)."""
        if self.has_table("gpkg_data_column_constraints"):  # type: ignore[attr-defined]
            refresh_role_list(self.db)

    def update_team_role(self, name: str, fields: dict[str, Any]) -> None:
        fields = {k: v for k, v in fields.items() if k in TEAM_ROLE_COLUMNS and k != "name"}
        if fields:
            sets = ", ".join(f'"{k}" = ?' for k in fields)
            self.db.execute(f"UPDATE team_roles SET {sets} WHERE name = ?",
                            [*fields.values(), name])
            self._refresh_role_list()

    def rename_team_role(self, old: str, new: str) -> int:
        """Rename a role in the table, in every responsibility row and in the category table
        (a label, not history: periods stay as they are); returns the responsibility rows."""
        self.db.execute("UPDATE team_roles SET name = ? WHERE name = ?", [new, old])
        self.db.execute("UPDATE case_categories SET dispatch_role = ? WHERE dispatch_role = ?",
                        [new, old])
        cur = self.db.execute("UPDATE responsibilities SET role = ? WHERE role = ?", [new, old])
        self._refresh_role_list()
        return int(cur.rowcount)

    def delete_team_role(self, name: str) -> None:
        self.db.execute("DELETE FROM team_roles WHERE name = ?", [name])
        self._refresh_role_list()
