"""Fieldwork storage: inspections, exported packages with their snapshots, field conflicts.

A mixin of :class:`gridmgr.storage.Store` (uses ``self.db``, ``self.crs``, ``self.srs_id``).
The rules (what counts as a change, what a conflict is) live in :mod:`gridmgr.fieldwork.export`; this
module only reads and writes rows.  Callers wrap writes in ``store.atomic()``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..clock import now_iso
from ..records import CONFLICT_COLUMNS, FIELDPACK_COLUMNS, INSPECTION_FIELDS


def _chunks(values: Sequence[Any], n: int = 500) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), n):
        yield values[i:i + n]


class FieldworkMixin:
    db: Any
    srs_id: int
    crs: Any

    # -- the project's identity
    def project_uuid(self) -> str:
        row = self.db.execute("SELECT value FROM gridmgr_meta WHERE key = 'project_uuid'"
                              ).fetchone()
        return str(row[0]) if row else ""

    # -- packages and what they sent
    def insert_fieldpack(self, row: dict[str, Any], records: Iterable[dict[str, Any]]) -> None:
        """One exported package and its snapshot (table_name, record_uuid, version)."""
        self.db["fieldpacks"].insert({k: row.get(k) for k in FIELDPACK_COLUMNS
                                      if k not in ("id", "imported_at", "import_count")})
        self.db.conn.executemany(
            "INSERT INTO fieldpack_records (package_uuid, table_name, record_uuid, "
            "version_hash, version) VALUES (?, ?, ?, ?, ?)",
            [(row["uuid"], r["table_name"], r["record_uuid"], r["version_hash"],
              json.dumps(r["version"], ensure_ascii=False, sort_keys=True)) for r in records])

    def fieldpack(self, package_uuid: str) -> dict[str, Any] | None:
        cur = self.db.execute(f"SELECT {', '.join(FIELDPACK_COLUMNS)} FROM fieldpacks "
                              "WHERE uuid = ?", [package_uuid])
        r = cur.fetchone()
        return dict(zip(FIELDPACK_COLUMNS, r)) if r else None

    def fieldpacks(self) -> list[dict[str, Any]]:
        cur = self.db.execute(f"SELECT {', '.join(FIELDPACK_COLUMNS)} FROM fieldpacks "
                              "ORDER BY id")
        return [dict(zip(FIELDPACK_COLUMNS, r)) for r in cur.fetchall()]

    def fieldpack_snapshot(self, package_uuid: str, table: str
                           ) -> dict[str, tuple[str, dict[str, Any]]]:
        """{record uuid: (version hash, version)} of what the package sent of ``table``."""
        cur = self.db.execute("SELECT record_uuid, version_hash, version FROM fieldpack_records "
                              "WHERE package_uuid = ? AND table_name = ?", [package_uuid, table])
        return {u: (h, json.loads(v)) for u, h, v in cur.fetchall()}

    def mark_fieldpack_imported(self, package_uuid: str) -> None:
        self.db.execute("UPDATE fieldpacks SET imported_at = ?, import_count = import_count + 1 "
                        "WHERE uuid = ?", [now_iso(), package_uuid])

    # -- inspections
    def inspection_uuids(self, uuids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(list(uuids)):
            cur = self.db.execute("SELECT uuid FROM inspections WHERE uuid IN "
                                  f"({','.join('?' * len(chunk))})", list(chunk))
            found.update(r[0] for r in cur.fetchall())
        return found

    def insert_inspections(self, records: list[dict[str, Any]], geoms: Sequence[Any]) -> None:
        now = now_iso()
        rows = [{**{k: r.get(k) for k in INSPECTION_FIELDS}, "opens_case": int(bool(
            r.get("opens_case"))), "created_at": now, "updated_at": now} for r in records]
        self._insert_features("inspections", rows, geoms)
        self._update_extent("inspections")

    def add_inspection_photo(self, inspection_uuid: str, name: str, mime: str, data: bytes,
                             taken_at: str | None = None) -> None:
        self.db.execute("INSERT INTO inspection_photos (uuid, inspection_uuid, name, mime, data, "
                        "taken_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [str(uuid.uuid4()), inspection_uuid, name, mime, data, taken_at,
                         now_iso()])

    def inspection_photos(self, inspection_uuid: str) -> list[dict[str, Any]]:
        cur = self.db.execute("SELECT name, mime, data, taken_at FROM inspection_photos WHERE "
                              "inspection_uuid = ? ORDER BY id", [inspection_uuid])
        return [{"name": r[0], "mime": r[1], "data": bytes(r[2]) if r[2] is not None else b"",
                 "taken_at": r[3]} for r in cur.fetchall()]

    def inspections(self, *, enterprise_uuid: str | None = None) -> gpd.GeoDataFrame:
        cols = ("fid", *INSPECTION_FIELDS, "created_at", "updated_at")
        where, params = "", []
        if enterprise_uuid is not None:
            where, params = " WHERE enterprise_uuid = ?", [enterprise_uuid]
        cur = self.db.execute(f"SELECT {', '.join(cols)}, geom FROM inspections{where} "
                              "ORDER BY fid", params)
        rows = cur.fetchall()
        df = pd.DataFrame([r[:-1] for r in rows], columns=list(cols), dtype=object)
        geoms = self._decode_geoms([r[-1] for r in rows]) if rows else np.array([], dtype=object)
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=self.crs), crs=self.crs)

    def set_inspection_case(self, inspection_uuid: str, case_uuid: str) -> None:
        self.db.execute("UPDATE inspections SET case_uuid = ?, updated_at = ? WHERE uuid = ?",
                        [case_uuid, now_iso(), inspection_uuid])

    # -- enterprises as the field sees them (by uuid)
    def enterprises_by_uuid(self, uuids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """{uuid: row with ``geometry`` decoded} for the enterprises with these uuids."""
        cols = ("fid", "uuid", "name", "contact", "phone", "address", "last_inspection",
                "cell_code", "updated_at")
        out: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(list(uuids)):
            cur = self.db.execute(f"SELECT {', '.join(cols)}, geom FROM enterprises WHERE uuid "
                                  f"IN ({','.join('?' * len(chunk))})", list(chunk))
            rows = cur.fetchall()
            geoms = self._decode_geoms([r[-1] for r in rows]) if rows else []
            for r, g in zip(rows, geoms):
                out[r[1]] = {**dict(zip(cols, r[:-1])), "geometry": g}
        return out

    def set_enterprise_field_values(self, enterprise_uuid: str, fields: dict[str, Any],
                                    geom: Any | None, cells: tuple[Any, Any, Any] | None
                                    ) -> None:
        """Apply what the field changed: contact/phone/address and, for a corrected location,
        the point and the cell, community and street it now lies in."""
        sets = [f'"{k}" = ?' for k in fields]
        params: list[Any] = list(fields.values())
        if geom is not None:
            sets.append("geom = ?")
            params.append(self._encode_geoms([geom])[0])
            if cells is not None:
                sets += ["cell_code = ?", "community_code = ?", "street_code = ?"]
                params += list(cells)
        if not sets:
            return
        self.db.execute(f"UPDATE enterprises SET {', '.join(sets)}, updated_at = ? "
                        "WHERE uuid = ?", [*params, now_iso(), enterprise_uuid])
        if geom is not None:
            self._update_extent("enterprises")

    def raise_last_inspection(self, enterprise_uuid: str, day: str) -> bool:
        """Set the enterprise's last inspection to ``day`` unless it knows a later one."""
        cur = self.db.execute("UPDATE enterprises SET last_inspection = ? WHERE uuid = ? AND "
                              "(last_inspection IS NULL OR last_inspection < ?)",
                              [day, enterprise_uuid, day])
        return cur.rowcount > 0

    # -- conflicts
    def conflict_keys(self, package_uuid: str) -> set[tuple[str, str]]:
        cur = self.db.execute("SELECT table_name, record_uuid FROM field_conflicts "
                              "WHERE package_uuid = ?", [package_uuid])
        return {(t, u) for t, u in cur.fetchall()}

    def insert_conflict(self, row: dict[str, Any]) -> int:
        data = {k: row.get(k) for k in CONFLICT_COLUMNS if k not in ("id", "status")}
        for k in ("sent_version", "desk_version", "field_version"):
            if not isinstance(data[k], str | None):
                data[k] = json.dumps(data[k], ensure_ascii=False, sort_keys=True)
        data["created_at"] = now_iso()
        return int(self.db["field_conflicts"].insert(data).last_pk)

    def conflicts(self, *, status: str | None = None, package_uuid: str | None = None,
                  conflict_id: int | None = None) -> list[dict[str, Any]]:
        where, params = ["1=1"], []
        if conflict_id is not None:
            where.append("id = ?")
            params.append(int(conflict_id))
        if status is not None:
            where.append("status = ?")
            params.append(status)
        if package_uuid is not None:
            where.append("package_uuid = ?")
            params.append(package_uuid)
        cur = self.db.execute(f"SELECT {', '.join(CONFLICT_COLUMNS)} FROM field_conflicts "
                              f"WHERE {' AND '.join(where)} ORDER BY id", params)
        out = []
        for r in cur.fetchall():
            d = dict(zip(CONFLICT_COLUMNS, r))
            for k in ("sent_version", "desk_version", "field_version"):
                d[k] = json.loads(d[k]) if d[k] else None
            out.append(d)
        return out

    def conflict(self, conflict_id: int) -> dict[str, Any] | None:
        found = self.conflicts(conflict_id=conflict_id)
        return found[0] if found else None

    def decide_conflict(self, conflict_id: int, decision: str, decided_by: str | None) -> None:
        self.db.execute("UPDATE field_conflicts SET status = 'decided', decision = ?, "
                        "decided_by = ?, decided_at = ? WHERE id = ?",
                        [decision, decided_by, now_iso(), int(conflict_id)])

    # -- case steps that came from the field keep the field's uuid (re-imports recognise them)
    def set_last_transition_uuid(self, case_uuid: str, step_uuid: str) -> None:
        self.db.execute("UPDATE case_transitions SET uuid = ? WHERE case_uuid = ? AND seq = "
                        "(SELECT max(seq) FROM case_transitions WHERE case_uuid = ?)",
                        [step_uuid, case_uuid, case_uuid])

    def case_fields_by_uuid(self, uuids: Sequence[str], fields: Sequence[str]
                            ) -> dict[str, dict[str, Any]]:
        """{case uuid: {field: value}} for the cases with these uuids (those that exist)."""
        cols = ", ".join(f'"{f}"' for f in fields)
        out: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(list(uuids)):
            cur = self.db.execute(f"SELECT uuid, {cols} FROM cases WHERE uuid IN "
                                  f"({','.join('?' * len(chunk))})", list(chunk))
            for r in cur.fetchall():
                out[r[0]] = dict(zip(fields, r[1:]))
        return out
