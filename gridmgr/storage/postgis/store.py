"""The PostgreSQL/PostGIS adapter: a project in one schema of a shared database.

:class:`PgStore` implements the same :class:`gridmgr.storage.api.Store` as the GeoPackage
adapter, and shares its queries: the mixins under :mod:`gridmgr.storage.gpkg` are written in the
SQL both databases speak, and run here on :class:`.connection.PgDatabase`.  What is not shared
is overridden below — opening and creating, the catalogue (``has_table``), and geometry, which is
real PostGIS geometry here (EWKB in and out, GiST-indexed) instead of GeoPackage blobs and
R-trees.  A query that cannot be written for both belongs in an override here, never in an
``if postgres:`` inside the shared code.

A project's schema holds its tables; several districts share a database, one schema each.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import shapely

from ... import geometry
from ...errors import NewerSchema, NotAProject, ProjectBusy, ProjectChanged, ReadOnlyProject
from ..api import ProjectDefaults
from ..gpkg import schema as gpkg_schema
from ..gpkg.store import GpkgStore
from ..location import ServerLocation, parse_server
from . import case_times_guard, migrations, roles, schema
from .connection import PgDatabase, connect, lock_timeout_ms, sql_value
from .transfer import push


class PgStore(GpkgStore):
    """A project in a PostgreSQL schema (see the module docstring for what is shared)."""

    def __init__(self, location: ServerLocation, db: PgDatabase, *, readonly: bool) -> None:
        super().__init__(Path(), db, readonly=readonly)  # type: ignore[arg-type]
        self.location = location
        self.path = str(location)  # type: ignore[assignment]

    # -- lifecycle
    @classmethod
    def create(cls, path: str | Path, settings: dict[str, str], *,  # type: ignore[override]
               defaults: ProjectDefaults, overwrite: bool = False) -> PgStore:
        """A new project: the GeoPackage migrations build it in a scratch file, then it is
        pushed in one transaction (so a server project starts exactly as a file one)."""
        loc = parse_server(str(path))
        with tempfile.TemporaryDirectory(prefix="gridmgr-init-") as tmp:
            scratch = Path(tmp) / "new.gpkg"
            GpkgStore.create(scratch, settings, defaults=defaults).close()
            push(scratch, loc, replace=overwrite)
        return cls.open(str(path), defaults=defaults)

    @classmethod
    def open(cls, path: str | Path, *, defaults: ProjectDefaults | None = None,
             readonly: bool = False) -> PgStore:
        loc = parse_server(str(path))
        db = connect(loc, readonly=readonly)
        try:
            if not schema.schema_exists(db, loc.schema):
                raise NotAProject(f"服务器上没有项目 schema {loc.schema!r}：{loc}；"
                                  "用 gridmgr init 新建，或用 gridmgr push 上传一个项目文件")
            if "gridmgr_meta" not in db.table_names():
                raise NotAProject(f"{loc} 不是 gridmgr 项目（schema 中没有 gridmgr_meta）")
            row = db.execute("SELECT value FROM gridmgr_meta WHERE key = 'schema_version'"
                             ).fetchone()
            version = int(row[0]) if row else 0
            if version > gpkg_schema.SCHEMA_VERSION:
                raise NewerSchema(f"{loc} 由更新版本的 gridmgr 创建（结构版本 {version}，本程序支持 "
                                  f"{gpkg_schema.SCHEMA_VERSION}）；请升级 gridmgr，服务器上的数据未作改动")
            if version < gpkg_schema.SCHEMA_VERSION:
                cls._upgrade(db, loc, version, readonly=readonly, defaults=defaults)
        except BaseException:
            db.raw.close()
            raise
        return cls(loc, db, readonly=readonly)

    @staticmethod
    def _upgrade(db: PgDatabase, loc: ServerLocation, version: int, *, readonly: bool,
                 defaults: ProjectDefaults | None = None) -> None:
        """An older server schema is upgraded in place on a read-write open (one transaction,
        under the write lock), as a file is; a read-only open says how."""
        target = gpkg_schema.SCHEMA_VERSION
        lacking = migrations.missing_forms(version, target)
        if lacking:
            raise NotAProject(f"{loc} 的结构版本 {version} 较旧，升级 {lacking} 不能在服务器上原地进行；"
                              "请 pull 成文件、用本版本打开（自动升级）后再 push --replace")
        if readonly:
            raise NotAProject(f"{loc} 的结构版本 {version} 较旧；运行 gridmgr upgrade {loc} 原地升级"
                              f"到 {target}（一次事务）")
        with db.atomic():
            db.execute("SELECT pg_advisory_xact_lock(hashtext(?))", [loc.schema])
            row = db.execute("SELECT value FROM gridmgr_meta WHERE key = 'schema_version'"
                             ).fetchone()
            if int(row[0]) < target:  # another desk may have upgraded while this one waited
                refresh = (lambda: roles.install(db, loc.schema)) \
                    if roles.may_create_roles(db) else None
                migrations.upgrade(db, int(row[0]), target, then=refresh, defaults=defaults)

    def close(self) -> None:
        self.db.raw.close()

    def __enter__(self) -> PgStore:
        return self

    @contextmanager
    def atomic(self) -> Iterator[PgStore]:  # type: ignore[override]
        """One transaction, and one writer per project at a time: a transaction-level advisory
        lock on the schema, the server's counterpart of the file's ``BEGIN IMMEDIATE``, so what
        an action reads inside (existing codes, a case's status) cannot change before it
        writes.  Readers never wait.  Another desk's write is waited for up to the lock timeout,
        then :class:`ProjectBusy`."""
        if self.readonly:
            raise ReadOnlyProject(f"{self.path} 以只读方式打开")
        if self.db.conn.in_transaction:
            with self.db.atomic():
                yield self
            return
        with self.db.atomic():
            try:
                self.db.execute("SELECT pg_advisory_xact_lock(hashtext(?))", [self.location.schema])
            except psycopg.errors.LockNotAvailable as exc:
                raise ProjectBusy(f"{self.path}：另一个工位正在写入本项目，等待 "
                                  f"{lock_timeout_ms() / 1000:g} 秒后仍未结束；本次操作未执行，"
                                  "项目未改变，请稍后重试") from exc
            self._meta = None
            yield self
        self._meta = None

    def change_token(self) -> int:
        """The newest audit row: every user action writes one, so it moves when another desk
        commits (compared inside ``atomic()``, under the project's write lock)."""
        return int(self.db.execute("SELECT coalesce(max(id), 0) FROM gridmgr_audit").fetchone()[0])

    def check_unchanged(self, token: int) -> None:
        if self.change_token() != token:
            raise ProjectChanged(f"{self.path}：读取期间另一个工位修改了项目，据旧内容算出的结果"
                                 "可能不再成立；本次未写入任何内容，请重新运行")

    @contextmanager
    def bulk_indexes(self, adding: Mapping[str, int],
                     columns: Collection[str] | None = None) -> Iterator[None]:
        yield  # PostgreSQL keeps its indexes: dropping one takes a lock every desk would wait on

    def has_table(self, table: str) -> bool:
        return table in self.db.table_names()

    @contextmanager
    def _own_steps(self, n: int) -> Iterator[None]:
        """The server's trigger is told by a mark that gridmgr keeps ``case_times`` for these
        steps (:mod:`.case_times_guard`); an error aborts the transaction, and the mark too."""
        guarded = self.has_table("case_times")
        if guarded:
            case_times_guard.mark_kept(self.db, True)
        yield
        if guarded:
            case_times_guard.mark_kept(self.db, False)

    # -- geometry as PostGIS has it
    def _insert_features(self, table: str, rows: list[dict[str, Any]], geoms: Sequence[Any]
                         ) -> list[int]:
        if not rows:
            return []
        blobs = self._encode_geoms(geoms)
        columns = ["geom", *rows[0].keys()]
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join(["ST_GeomFromEWKB(%s)"] + ["%s"] * (len(columns) - 1))
        fids: list[int] = []
        with self.db.raw.cursor() as cur:
            stmt = f'INSERT INTO "{table}" ({names}) VALUES ({marks}) RETURNING fid'
            values = [[blob, *(sql_value(v) for v in row.values())] for blob, row in zip(blobs, rows)]
            self.db.run(lambda: cur.executemany(stmt, values, returning=True))
            while True:
                fids.append(cur.fetchone()[0])  # type: ignore[index]
                if not cur.nextset():
                    break
        return fids

    def _update_extent(self, table: str) -> None:
        """PostGIS computes extents itself (``ST_Extent``, the GiST index)."""

    def _encode_geoms(self, geoms: Sequence[Any]) -> list[bytes | None]:
        arr = np.asarray(list(geoms), dtype=object)
        if len(arr) == 0:
            return []
        missing = shapely.is_missing(arr)
        arr = shapely.set_srid(np.where(missing, None, arr), self.srs_id)
        out = shapely.to_wkb(arr, include_srid=True, flavor="extended")
        return [None if m else bytes(b) for m, b in zip(missing, out)]

    def _rings_of(self, blobs: Sequence[Any]) -> geometry.Rings:
        return geometry.rings_from_wkb([None if b is None else bytes(b) for b in blobs])

    def _decode_geoms(self, blobs: Sequence[Any]) -> np.ndarray:
        arr = np.asarray([None if b is None else bytes(b) for b in blobs], dtype=object)
        return shapely.from_wkb(arr) if len(arr) else np.array([], dtype=object)

