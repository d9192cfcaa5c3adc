"""The GeoPackage adapter's store: one SQLite file, opened through the one connection factory
(:func:`.connection.connect`), migrated on a read-write open.

:class:`GpkgStore` implements :class:`gridmgr.storage.api.Store`: the lifecycle, settings, audit
log and area layers here, the rest in one mixin per part of the protocol.  Every user action
that writes is one ``with store.atomic():`` block.
"""

from __future__ import annotations

import getpass
import json
import os
import sqlite3
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlite_utils
from pyproj import CRS

from ... import geometry
from ...errors import ProjectChanged, ProjectExists, ReadOnlyProject, UsageError
from ...levels import LEVEL_TABLES
from ..api import ProjectDefaults
from ..records import AREA_COLUMNS, MapAreas
from . import locking, schema
from . import metadata as gpkg_metadata
from .case_browse import CaseBrowseMixin
from .case_stats import CaseStatsMixin
from .case_times import CaseTimesMixin
from .cases import CasesMixin
from .connection import (
    GPKG_APPLICATION_ID,
    GPKG_USER_VERSION,
    busy_error,
    connect,
    inspect,
    is_busy,
    is_readonly_file,
    now_iso,
    today,
)
from .features import insert_features, rebuilt_indexes, update_extent
from .fieldwork import FieldworkMixin
from .lookup import LookupMixin
from .registers import RegistersMixin


def _login() -> str:
    """Who is at this desk, for the audit log (a server overwrites it with the database user)."""
    try:
        return getpass.getuser()
    except Exception:  # no login name in the environment (a service account)
        return ""


class GpkgStore(RegistersMixin, FieldworkMixin, CasesMixin, CaseStatsMixin, CaseTimesMixin,
                LookupMixin, CaseBrowseMixin):
    """A project in one GeoPackage file."""

    def __init__(self, path: str | Path, db: sqlite_utils.Database, *, readonly: bool,
                 recovered: str | None = None) -> None:
        self.path = Path(path)
        self.db = db
        self.readonly = readonly
        self.recovered = recovered
        self._meta: dict[str, str] | None = None

    # -- lifecycle
    @classmethod
    def create(cls, path: str | Path, settings: dict[str, str], *, defaults: ProjectDefaults,
               overwrite: bool = False) -> GpkgStore:
        p = Path(path)
        if p.exists() and not overwrite:
            raise ProjectExists(f"文件已存在：{p}（不会覆盖；换一个文件名或先删除）")
        if p.exists() and is_readonly_file(p):
            raise ReadOnlyProject(f"{p} 是只读文件，不会覆盖")
        tmp = p.with_name(p.name + ".creating")
        tmp.unlink(missing_ok=True)
        conn = sqlite3.connect(tmp)
        conn.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
        conn.close()
        db = connect(tmp)
        try:
            db.execute("PRAGMA journal_mode = DELETE")  # one file to rename; WAL on first open
            with db.atomic():
                schema.apply_migrations(db, 0, settings, defaults)
                meta = db["gridmgr_meta"]
                for k, v in settings.items():
                    if k != "schema_version":
                        meta.upsert({"key": k, "value": str(v)}, pk="key")
                meta.upsert({"key": "created_at", "value": now_iso()}, pk="key")
                gpkg_metadata.refresh(db, {r["key"]: r["value"] for r in meta.rows})
                db["gridmgr_audit"].insert({"at": now_iso(), "action": "init",
                                            "detail": json.dumps(settings, ensure_ascii=False)})
        finally:
            db.conn.close()
        os.replace(tmp, p)  # the project appears whole or not at all
        return cls.open(p, defaults=defaults)

    @classmethod
    def open(cls, path: str | Path, *, defaults: ProjectDefaults | None = None,
             readonly: bool = False) -> GpkgStore:
        if defaults is None and not readonly:
            raise TypeError("a read-write open may migrate the project: pass its defaults")
        info = inspect(path, for_write=not readonly)
        db = connect(path, readonly=readonly)
        store = cls(path, db, readonly=readonly, recovered=info.recovered)
        if not readonly and info.schema_version < schema.SCHEMA_VERSION:
            try:
                with store.atomic():  # another process may have migrated while we waited
                    version = int(store.meta().get("schema_version", "0"))
                    if version < schema.SCHEMA_VERSION:
                        schema.apply_migrations(db, version, store.meta(), defaults)
            except BaseException:
                db.conn.close()
                raise
            store._meta = None
        if not readonly and gpkg_metadata.is_stale(db, store.meta()):
            try:  # the project's name and schema version for GDAL/QGIS (no migration of its own)
                with store.atomic():
                    gpkg_metadata.refresh(db, store.meta())
            except BaseException:
                db.conn.close()
                raise
        return store

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> GpkgStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def atomic(self) -> Iterator[GpkgStore]:
        """One transaction: everything inside lands together or not at all.

        ``BEGIN IMMEDIATE`` takes the write lock first, so what is read inside (existing codes,
        a case's status) cannot change before it is written.  Another writer is waited for up to
        the busy timeout, then :class:`ProjectBusy` names it.  Nested blocks are savepoints.
        """
        if self.readonly:
            raise ReadOnlyProject(f"{self.path} 以只读方式打开")
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if is_busy(exc):
                raise busy_error(self.path, "本次操作") from exc
            raise
        self._meta = None  # another process may have changed the settings meanwhile
        record = locking.claim(self.path, self._last_audit_id())
        try:
            try:
                yield self
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if is_busy(exc):
                    raise busy_error(self.path, "本次操作") from exc
                raise
        finally:
            locking.release(record)
            self._meta = None
        try:  # keep the .gpkg itself current, so a copy of it alone misses nothing committed
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.OperationalError:
            pass

    def _last_audit_id(self) -> int:
        return int(self.db.execute("SELECT coalesce(max(id), 0) FROM gridmgr_audit"
                                   ).fetchone()[0])

    def change_token(self) -> int:
        """A number that changes when another process commits to the project: read it before
        planning a write, compare it inside ``atomic()``."""
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    def check_unchanged(self, token: int) -> None:
        """ProjectChanged if another process committed since ``token`` (call inside
        ``atomic()``, where nobody else can commit any more)."""
        if self.change_token() != token:  # who it was has finished: its record is gone
            raise ProjectChanged(f"{self.path}：读取期间另一个进程修改了项目，据旧内容算出的结果"
                                 "可能不再成立；本次未写入任何内容，请重新运行")

    def has_table(self, table: str) -> bool:
        """Whether the file has ``table`` (a project opened read-only is not migrated, so an
        older one may lack the newer tables)."""
        return bool(self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                                    "name = ?", [table]).fetchone())

    @contextmanager
    def bulk_indexes(self, adding: Mapping[str, int],
                     columns: Collection[str] | None = None) -> Iterator[None]:
        with rebuilt_indexes(self.db, adding, columns):
            yield

    # -- the file-specific parts of writing and reading geometry (the server adapter has its own)
    def _insert_features(self, table: str, rows: list[dict[str, Any]], geoms: Sequence[Any]
                         ) -> list[int]:
        return insert_features(self.db, table, rows, geoms, self.srs_id)

    def _update_extent(self, table: str) -> None:
        update_extent(self.db, table)

    def _encode_geoms(self, geoms: Sequence[Any]) -> list[bytes | None]:
        return geometry.encode(geoms, self.srs_id)

    def _decode_geoms(self, blobs: Sequence[Any]) -> np.ndarray:
        return geometry.decode(blobs)

    def _rings_of(self, blobs: Sequence[Any]) -> geometry.Rings:
        return geometry.gpb_rings(blobs)

    # -- settings and audit
    def meta(self) -> dict[str, str]:
        if self._meta is None:
            self._meta = {r["key"]: r["value"] for r in self.db["gridmgr_meta"].rows}
        return dict(self._meta)

    def set_meta(self, key: str, value: str) -> None:
        self.db["gridmgr_meta"].upsert({"key": key, "value": value}, pk="key")
        self._meta = None

    def audit(self, action: str, detail: dict[str, Any]) -> None:
        self.db["gridmgr_audit"].insert({"at": now_iso(), "action": action, "db_user": _login(),
                                         "detail": json.dumps(detail, ensure_ascii=False)})

    def audit_log(self) -> list[dict[str, Any]]:
        return list(self.db["gridmgr_audit"].rows_where(order_by="id"))

    def last_audit_of(self, record_uuid: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM gridmgr_audit WHERE instr(detail, ?) > 0 "
                                  "ORDER BY id DESC LIMIT 1", [record_uuid]))
        return rows[0] if rows else None

    @property
    def crs(self) -> CRS:
        return CRS.from_user_input(self.meta()["crs"])

    @property
    def srs_id(self) -> int:
        return int(self.crs.to_epsg(min_confidence=90))

    def grid_systems(self) -> list[dict[str, Any]]:
        return list(self.db["grid_systems"].rows_where(order_by="id"))

    def check_system(self, system: str | None) -> None:
        """UsageError for a grid system the project does not have (None means all)."""
        known = [s["code"] for s in self.grid_systems()]
        if system is not None and system not in known:
            raise UsageError(f"未知网格体系 {system!r}；本项目有：{', '.join(known)}")

    # -- areas
    def areas(self, level: str, *, system: str | None = None, current: bool = True,
              as_of: str | None = None) -> gpd.GeoDataFrame:
        """Areas of one level as a GeoDataFrame in the project CRS (geometry decoded from GPB)."""
        table = LEVEL_TABLES[level]
        where, params = [], []
        if system is not None:
            where.append("system = ?")
            params.append(system)
        if as_of is not None:
            where.append("valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)")
            params += [as_of, as_of]
        elif current:
            where.append("valid_to IS NULL")
        sql = f'SELECT {", ".join(AREA_COLUMNS)}, geom FROM "{table}"'
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY fid"
        cur = self.db.execute(sql, params)
        rows = cur.fetchall()
        # object columns keep None for missing text (pandas 3 would turn it into NaN)
        df = pd.DataFrame([r[:-1] for r in rows], columns=list(AREA_COLUMNS), dtype=object)
        df["fid"] = df["fid"].astype("int64")
        df["area_m2"] = pd.to_numeric(df["area_m2"]).astype("float64")
        geoms = self._decode_geoms([r[-1] for r in rows]) if rows else np.array([], dtype=object)
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=self.crs), crs=self.crs)

    def map_areas(self, level: str, *, system: str | None = None) -> MapAreas:
        """The current areas of one level for the map: code, name, parent, area and the
        geometry read straight into flat rings (no frame, no shapely objects)."""
        sql = f'SELECT code, name, parent_code, area_m2, geom FROM "{LEVEL_TABLES[level]}" ' \
              "WHERE valid_to IS NULL"
        params: list[Any] = []
        if system is not None:
            sql += " AND system = ?"
            params.append(system)
        rows = self.db.execute(sql + " ORDER BY fid", params).fetchall()
        codes, names, parents, areas, blobs = (list(c) for c in zip(*rows)) if rows else \
            ([], [], [], [], [])
        return MapAreas(codes, names, parents,
                        np.array([np.nan if a is None else a for a in areas], dtype=float),
                        self._rings_of(blobs), self.crs)

    def count_areas(self, level: str, *, system: str | None = None, current: bool = True) -> int:
        where = ["1=1"]
        params: list[Any] = []
        if system is not None:
            where.append("system = ?")
            params.append(system)
        if current:
            where.append("valid_to IS NULL")
        sql = f'SELECT count(*) FROM "{LEVEL_TABLES[level]}" WHERE {" AND ".join(where)}'
        return int(self.db.execute(sql, params).fetchone()[0])

    def existing_codes(self, level: str, system: str) -> set[str]:
        sql = f'SELECT code FROM "{LEVEL_TABLES[level]}" WHERE system = ? AND valid_to IS NULL'
        return {r[0] for r in self.db.execute(sql, [system])}

    def insert_areas(self, level: str, records: Iterable[dict[str, Any]],
                     geoms: Sequence[Any]) -> int:
        """Insert areas (geometries in the project CRS, promoted to MultiPolygon)."""
        created = now_iso()
        rows = []
        for rec in records:
            row = {k: rec.get(k) for k in AREA_COLUMNS if k != "fid"}
            row["uuid"] = row["uuid"] or str(uuid.uuid4())
            row["system"] = row["system"] or "urban"
            row["valid_from"] = row["valid_from"] or today()
            row["created_at"] = created
            rows.append(row)
        table = LEVEL_TABLES[level]
        self._insert_features(table, rows, geometry.to_multi(geoms))
        self._update_extent(table)
        return len(rows)

    def set_area_geometries(self, level: str, fids: Sequence[int], geoms: Sequence[Any],
                            areas_m2: Sequence[float | None]) -> None:
        """Replace the geometry (and stored area) of existing areas in place (a repair: the
        area keeps its code, history and everything that points at it)."""
        table = LEVEL_TABLES[level]
        blobs = self._encode_geoms(geometry.to_multi(geoms))
        self.db.conn.executemany(
            f'UPDATE "{table}" SET geom = ?, area_m2 = ? WHERE fid = ?',
            [(b, None if a is None else float(a), int(f))
             for f, b, a in zip(fids, blobs, areas_m2)])
        self._update_extent(table)

    def close_areas(self, level: str, system: str, *, valid_to: str,
                    codes: Iterable[str] = (), parents: Iterable[str] = ()) -> int:
        """End the validity of the current areas with these codes or under these parents.

        A redrawn grid keeps the old rows for history.  An area cannot end before it began:
        that raises UsageError and closes nothing (the caller's transaction rolls back).
        """
        table = LEVEL_TABLES[level]
        n = 0
        for column, values in (("code", list(codes)), ("parent_code", list(parents))):
            for i in range(0, len(values), 500):
                chunk = values[i:i + 500]
                cond = (f"system = ? AND valid_to IS NULL AND {column} IN "
                        f"({','.join('?' * len(chunk))})")
                early = self.db.execute(f'SELECT code, valid_from FROM "{table}" WHERE {cond} '
                                        "AND valid_from > ? LIMIT 1",
                                        [system, *chunk, valid_to]).fetchone()
                if early:
                    raise UsageError(f"{early[0]} 自 {early[1]} 起有效，不能在 {valid_to} 失效；"
                                     "请检查生效日期")
                cur = self.db.execute(f'UPDATE "{table}" SET valid_to = ? WHERE {cond}',
                                      [valid_to, system, *chunk])
                n += cur.rowcount
        return n
