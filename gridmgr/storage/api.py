"""The storage seam: everything the rest of gridmgr asks of an open project.

A project lives in a backend — today one GeoPackage file (:mod:`gridmgr.storage.gpkg`), the
reference adapter — and the capabilities above (grid, registers, cases, indicators, fieldwork,
outputs, the CLI and the desktop) talk to it only through :class:`Store`.  None of them sees a
connection, SQL text or a file format: they get frames with the columns of
:mod:`gridmgr.storage.records`, ask paged questions with :mod:`gridmgr.storage.queries`, and
wrap every user action that writes in one ``with store.atomic():``.

The protocol is grouped the way the project is: the project itself (settings, audit log,
transactions, areas), the registers, field work, cases, the indicators' narrow reads, the
desktop's look-ups and the case list.  An adapter implements all of them; ``tests/storage``
checks that the GeoPackage adapter has every member with the same signature and nothing
public besides.

Frames keep text blanks as ``None`` (object columns), integer ids as int64 and geometry as
shapely objects in the project CRS (:attr:`ProjectBase.crs`).  Times are ISO text: Beijing wall
time without zone for case and field times, with the offset for stamps (``created_at``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from .queries import CaseQuery, Query
from .records import MapAreas


@dataclass(frozen=True)
class ProjectDefaults:
    """What a new project (or one migrated past schema 4) starts with, supplied by the
    capabilities that own it — storage creates the tables and fills them, it does not know
    what a case category or a holiday is.  Callables, so that opening an up-to-date project
    reads nothing."""

    categories: Callable[[], list[dict[str, Any]]]
    calendar: Callable[[], list[dict[str, Any]]]
    work_hours: str
    team_roles: Callable[[], list[dict[str, Any]]]
    """The shipped grid team roles (schema 10): rows of ``team_roles``."""
    category_roles: Callable[[], dict[str, str]]
    """小类 code → the team role its cases are dispatched to (schema 10)."""
    # {"enums": {name: [(value, description)]}, "columns": [(table, column, 中文名, enum)]}
    value_lists: Callable[[], dict[str, Any]] = dict
    # rows of QGIS's layer_styles table, one default style per layer
    layer_styles: Callable[[], list[dict[str, Any]]] = list


class ProjectBase(Protocol):
    """The project itself: its settings and audit log, transactions, grid systems and the area
    layers (one per level, each row with a validity period)."""

    path: Path | str  # a file project's path, or a server project's URL (no password)
    readonly: bool
    recovered: str | None
    """Set when opening undid an action a crash had interrupted: the notice to show the user."""

    def close(self) -> None: ...

    def __enter__(self) -> Store: ...

    def __exit__(self, *exc: object) -> None: ...

    def atomic(self) -> AbstractContextManager[Store]:
        """One transaction: everything inside lands together or not at all.  It holds the
        write lock from its start, so what is read inside cannot change before it is written;
        another writer is waited for a bounded time, then ``errors.ProjectBusy``."""
        ...

    def bulk_indexes(self, adding: Mapping[str, int], columns: Collection[str] | None = None
                     ) -> AbstractContextManager[None]:
        """Inside ``atomic()``, around a bulk write of ``adding`` ({table: rows inserted or
        updated}): a table that has at least half as many rows written as it holds gets its
        secondary indexes (with ``columns``, only those on the columns an update writes) built
        once at the end instead of updated row by row (the same indexes; the server keeps its
        own)."""
        ...

    def change_token(self) -> int:
        """Changes whenever another process commits: taken before planning a write outside
        ``atomic()``, checked inside it with :meth:`check_unchanged`."""
        ...

    def check_unchanged(self, token: int) -> None:
        """``errors.ProjectChanged`` if another process committed since ``token``."""
        ...

    def has_table(self, table: str) -> bool:
        """Whether the project has ``table`` (a project opened read-only is not migrated, so an older one
        may lack the newer tables)."""
        ...

    def meta(self) -> dict[str, str]:
        """The project's settings (name, admin_code, crs, code_scheme, schema_version …)."""
        ...

    def set_meta(self, key: str, value: str) -> None: ...

    def audit(self, action: str, detail: dict[str, Any]) -> None:
        """One row of the audit log for the user action in progress (inside its ``atomic()``)."""
        ...

    def audit_log(self) -> list[dict[str, Any]]: ...

    def last_audit_of(self, record_uuid: str) -> dict[str, Any] | None:
        """The newest audit row that names ``record_uuid`` (who changed it last, and when)."""
        ...

    @property
    def crs(self) -> CRS: ...

    @property
    def srs_id(self) -> int: ...

    def grid_systems(self) -> list[dict[str, Any]]: ...

    def check_system(self, system: str | None) -> None:
        """UsageError for a grid system the project does not have (None means all)."""
        ...

    def areas(
        self,
        level: str,
        *,
        system: str | None = None,
        current: bool = True,
        as_of: str | None = None,
    ) -> gpd.GeoDataFrame:
        """Areas of one level as a GeoDataFrame in the project CRS (shapely geometry)."""
        ...

    def map_areas(self, level: str, *, system: str | None = None) -> MapAreas:
        """The current areas of one level for the map (codes, names, parents, m², flat rings)."""
        ...

    def count_areas(
        self, level: str, *, system: str | None = None, current: bool = True
    ) -> int: ...

    def existing_codes(self, level: str, system: str) -> set[str]: ...

    def insert_areas(
        self, level: str, records: Iterable[dict[str, Any]], geoms: Sequence[Any]
    ) -> int:
        """Insert areas (geometries in the project CRS, promoted to MultiPolygon)."""
        ...

    def set_area_geometries(
        self, level: str, fids: Sequence[int], geoms: Sequence[Any],
        areas_m2: Sequence[float | None]
    ) -> None:
        """Replace the geometry (and stored area) of existing areas in place (grid repair)."""
        ...

    def close_areas(
        self,
        level: str,
        system: str,
        *,
        valid_to: str,
        codes: Iterable[str] = (),
        parents: Iterable[str] = (),
    ) -> int:
        """End the validity of the current areas with these codes or under these parents."""
        ...


class RegisterStore(Protocol):
    """Enterprises (a point layer), officers, and responsibility rows — never rewritten: a change
    closes the old row and opens a new one."""

    def enterprises(self) -> gpd.GeoDataFrame: ...

    def enterprise_places(self) -> gpd.GeoDataFrame:
        """fid, credit_code, name, cell_code and the point of every enterprise, by fid: what
        placing them in cells needs (a tenth of :meth:`enterprises`' columns)."""
        ...

    def count_enterprises(self) -> int: ...

    def insert_enterprises(
        self, records: list[dict[str, Any]], geoms: Sequence[Any], *, refresh_extent: bool = True
    ) -> list[int]: ...

    def refresh_extent(self, table: str) -> None: ...

    def update_enterprises(
        self, fids: Sequence[int], records: list[dict[str, Any]], geoms: Sequence[Any]
    ) -> None:
        """Overwrite the given fields (and the location) of existing enterprises."""
        ...

    def set_enterprise_cells(
        self,
        fids: Sequence[int],
        cells: Sequence[str | None],
        communities: Sequence[str | None],
        streets: Sequence[str | None],
    ) -> None: ...

    def set_enterprise_flags(self, fids: Sequence[int], flags: Sequence[str | None]) -> None:
        """Set the register's credit-code mark (``credit_code_flag``) of these enterprises."""
        ...

    def officers(self) -> pd.DataFrame: ...

    def upsert_officers(self, records: Iterable[dict[str, Any]]) -> None:
        """Insert new officers and overwrite the fields of known ones (matched by staff_no)."""
        ...

    def responsibilities(
        self,
        *,
        as_of: str | None = None,
        system: str | None = None,
        staff_no: str | None = None,
        current_only: bool = False,
    ) -> pd.DataFrame:
        """Responsibility rows; ``as_of`` keeps those valid on that day (from ≤ day < to)."""
        ...

    def close_responsibilities(self, ids: Sequence[int], valid_to: str) -> None: ...

    def close_area_responsibilities(self, system: str, codes: Sequence[str], valid_to: str) -> int:
        """End the open responsibilities sitting on these areas (their areas ended)."""
        ...

    def browse_count(self, query: Query) -> int: ...

    def browse_page(self, query: Query, offset: int, limit: int) -> list[tuple[Any, ...]]: ...

    def insert_responsibilities(self, rows: Iterable[dict[str, Any]]) -> None: ...

    def team_roles(self) -> list[dict[str, Any]]:
        """The grid team role table (``records.TEAM_ROLE_COLUMNS``) in team order; empty for a
        project before schema 10 opened read-only."""
        ...

    def insert_team_role(self, row: dict[str, Any]) -> None: ...

    def update_team_role(self, name: str, fields: dict[str, Any]) -> None: ...

    def rename_team_role(self, old: str, new: str) -> int:
        """Rename a role in the table, the responsibility rows and the category table; returns
        how many responsibility rows carried it."""
        ...

    def delete_team_role(self, name: str) -> None: ...


class FieldworkStore(Protocol):
    """Field packages with the snapshot of what they sent, inspections, the conflicts queued for
    a decision, and the field's view of enterprises and cases (by uuid)."""

    def project_uuid(self) -> str: ...

    def insert_fieldpack(self, row: dict[str, Any], records: Iterable[dict[str, Any]]) -> None:
        """One exported package and its snapshot (table_name, record_uuid, version)."""
        ...

    def fieldpack(self, package_uuid: str) -> dict[str, Any] | None: ...

    def fieldpacks(self) -> list[dict[str, Any]]: ...

    def fieldpack_snapshot(
        self, package_uuid: str, table: str
    ) -> dict[str, tuple[str, dict[str, Any]]]:
        """{record uuid: (version hash, version)} of what the package sent of ``table``."""
        ...

    def mark_fieldpack_imported(self, package_uuid: str) -> None: ...

    def inspection_uuids(self, uuids: Sequence[str]) -> set[str]: ...

    def insert_inspections(self, records: list[dict[str, Any]], geoms: Sequence[Any]) -> None: ...

    def inspections(self, *, enterprise_uuid: str | None = None) -> gpd.GeoDataFrame: ...

    def add_inspection_photo(self, inspection_uuid: str, name: str, mime: str, data: bytes,
                             taken_at: str | None = None) -> None:
        """A photo taken on an inspection (schema 11), kept inside the project."""
        ...

    def inspection_photos(self, inspection_uuid: str) -> list[dict[str, Any]]: ...

    def set_inspection_case(self, inspection_uuid: str, case_uuid: str) -> None: ...

    def enterprises_by_uuid(self, uuids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """{uuid: row with ``geometry`` decoded} for the enterprises with these uuids."""
        ...

    def set_enterprise_field_values(
        self,
        enterprise_uuid: str,
        fields: dict[str, Any],
        geom: Any | None,
        cells: tuple[Any, Any, Any] | None,
    ) -> None:
        """Apply what the field changed: contact/phone/address and, for a corrected location, the point
        and the cell, community and street it now lies in."""
        ...

    def raise_last_inspection(self, enterprise_uuid: str, day: str) -> bool:
        """Set the enterprise's last inspection to ``day`` unless it knows a later one."""
        ...

    def conflict_keys(self, package_uuid: str) -> set[tuple[str, str]]: ...

    def insert_conflict(self, row: dict[str, Any]) -> int: ...

    def conflicts(
        self,
        *,
        status: str | None = None,
        package_uuid: str | None = None,
        conflict_id: int | None = None,
    ) -> list[dict[str, Any]]: ...

    def conflict(self, conflict_id: int) -> dict[str, Any] | None: ...

    def decide_conflict(self, conflict_id: int, decision: str, decided_by: str | None) -> None: ...

    def set_last_transition_uuid(self, case_uuid: str, step_uuid: str) -> None: ...

    def case_fields_by_uuid(
        self, uuids: Sequence[str], fields: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """{case uuid: {field: value}} for the cases with these uuids (those that exist)."""
        ...


class CaseStore(Protocol):
    """Cases (a point layer), their transitions and photos, the category table, the working
    calendar and rectification notices."""

    def cases_frame(
        self,
        *,
        status: str | Sequence[str] | None = None,
        cell_code: str | None = None,
        street_code: str | None = None,
        community_code: str | None = None,
        handler_staff_no: str | None = None,
        category_code: str | None = None,
        case_nos: Sequence[str] | None = None,
        reported_from: str | None = None,
        reported_to: str | None = None,
        with_location: bool = False,
    ) -> pd.DataFrame:
        """Cases as a DataFrame with the schema's columns (``reported_from`` ≤ reported_at <
        ``reported_to``); ``with_location`` adds ``x``/``y`` in the project CRS."""
        ...

    def cases_gdf(self, **filters: Any) -> gpd.GeoDataFrame:
        """Cases with their point geometry (project CRS), for export and the map."""
        ...

    def count_cases(self) -> int: ...

    def case_row(self, case_no: str) -> dict[str, Any] | None: ...

    def case_numbers(self, prefix: str) -> list[str]: ...

    def existing_case_nos(self, case_nos: Iterable[str]) -> dict[str, dict[str, Any]]:
        """{case_no: {fid, uuid, status, …}} for the given numbers that the project has."""
        ...

    def insert_cases(
        self, records: list[dict[str, Any]], geoms: Sequence[Any], *, refresh_extent: bool = True
    ) -> list[int]: ...

    def update_case(self, case_uuid: str, fields: dict[str, Any], geom: Any | None = None) -> None:
        """Overwrite fields of one case (and its location when ``geom`` is given)."""
        ...

    def refresh_cases_extent(self) -> None: ...

    def last_steps(self, case_uuids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """{case_uuid: {seq, action, to_status, at}} of each case's latest step (a re-import appends
        after it; the history itself is never rewritten)."""
        ...

    def transitions_frame(
        self,
        *,
        case_uuid: str | Sequence[str] | None = None,
        action: str | Sequence[str] | None = None,
        at_from: str | None = None,
        at_to: str | None = None,
    ) -> pd.DataFrame:
        """Transitions (``at_from`` ≤ at < ``at_to``), ordered by case and seq."""
        ...

    def last_transition_at(self) -> str | None:
        """The time of the latest step of any case (None without steps)."""
        ...

    def last_seq(self, case_uuid: str) -> int: ...

    def insert_transitions(self, rows: Iterable[dict[str, Any]]) -> None: ...

    def add_photo(
        self, case_uuid: str, name: str, mime: str, data: bytes, taken_at: str | None = None
    ) -> str: ...

    def photos(self, case_uuid: str) -> list[dict[str, Any]]: ...

    def categories_frame(self) -> pd.DataFrame: ...

    def categories(self) -> dict[str, dict[str, Any]]:
        """{code: row} of the category table."""
        ...

    def case_counts_by_category(self) -> dict[str, int]:
        """{category code: number of cases filed under it} (cases without a category left out)."""
        ...

    def replace_categories(self, rows: Sequence[dict[str, Any]]) -> None: ...

    def case_status_counts_in(
        self, system: str, areas: dict[str, Sequence[str]], before: str
    ) -> dict[str, int]:
        """{status: count} of the cases reported before the day ``before`` in these areas
        (level → codes: cell, community, street)."""
        ...

    def add_categories(self, rows: Sequence[dict[str, Any]]) -> None:
        """Add new 小类 rows to the category table (codes not yet in it)."""
        ...

    def calendar_rows(self, year: int | None = None) -> list[dict[str, Any]]: ...

    def set_calendar_day(self, day: str, kind: str | None, name: str | None = None) -> None:
        """Make ``day`` a holiday or a make-up working day; ``kind=None`` removes the entry (the day
        follows the Monday–Friday rule again)."""
        ...

    def find_enterprise(self, key: str) -> dict[str, Any] | None:
        """An enterprise by credit code, register id or exact name (None if not exactly one)."""
        ...

    def enterprise_keys(self) -> dict[str, str]:
        """{credit code / id / name: uuid} for matching imported cases to enterprises."""
        ...

    def enterprise_names(self, uuids: Iterable[str]) -> dict[str, dict[str, Any]]: ...

    def notices_frame(
        self,
        *,
        enterprise_uuid: str | None = None,
        place_key: str | None = None,
        case_uuid: str | None = None,
    ) -> pd.DataFrame: ...

    def notice_numbers(self, prefix: str) -> list[str]: ...

    def insert_notice(self, row: dict[str, Any]) -> str: ...


class CaseStatsStore(Protocol):
    """Narrow reads for the indicators and the map colouring, fit for a million cases."""

    def case_stat_frame(self) -> pd.DataFrame:
        """Every case with the columns the indicators read (text keeps None for blanks)."""
        ...

    def transition_stat_arrays(
        self, actions: Sequence[str], statuses: Sequence[str], size: int = 500000
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Every transition, in chunks: (case uuids, int64 array of n × 5 — seq, the action's index in
        ``actions``, the to-status's index in ``statuses`` (−1: not listed), ``at`` and
        ``due_at`` as seconds since 1970 of the same wall time (−1: none or unreadable))."""
        ...

    def case_time_frame(self, first: date | None = None, last: date | None = None,
                        as_of: int | None = None) -> pd.DataFrame:
        """The cases a period (立案 or reported from ``first`` to ``last``, both days inclusive;
        None: open) can count: their keys, report time and ``case_times`` (``timed`` = 0 for a
        case without steps); with ``as_of`` (seconds) ``uuid`` only for the cases to replay."""
        ...

    def case_stat_rows(self, case_uuids: Sequence[str]) -> pd.DataFrame:
        """:meth:`case_stat_frame` of these cases only."""
        ...

    def transition_stat_arrays_of(self, case_uuids: Iterable[str]
                                  ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`transition_stat_arrays` of these cases only, in one piece."""
        ...

    def update_case_times(self, after_id: int, firsts: dict[str, int]) -> None:
        """Keep ``case_times`` right after steps were written (called by insert_transitions)."""
        ...

    def refresh_case_times(self) -> int:
        """Rebuild ``case_times`` from the whole log (what migration 12 does); returns rows."""
        ...

    def last_step_id(self) -> int: ...

    def area_names(self, level: str, system: str | None = None) -> dict[str, str]:
        """{code: name} of every area of a level, old ones included (an old case keeps the cell it
        had); a reused code takes the name of its latest version."""
        ...

    def enterprise_inspection_frame(self) -> pd.DataFrame:
        """Enterprises' area codes, inspection frequency (days) and last inspection date."""
        ...

    def officer_names(self) -> dict[str, tuple[str, str]]:
        """{staff_no: (name, unit)} of the officers."""
        ...

    def cell_open_overdue(self, as_of: str) -> pd.DataFrame:
        """Per cell, cases now unresolved (受理 … 核查, and 挂账) and those of them past their current
        deadline at ``as_of`` — the map's colouring, from the cases' current columns (no
        history: for ``as_of`` = now).  Listing the unresolved statuses lets SQLite read
        them through the status index (~1 s for 1M cases, against ~16 s scanning by cell)."""
        ...


class LookupStore(Protocol):
    """Point look-ups for the desktop: an enterprise or officer by what a user types, one area's
    parent and counts, the responsibility rows of a few areas."""

    def find_enterprises(self, text: str, limit: int = 20) -> list[dict[str, Any]]:
        """Enterprises whose credit code is (or starts with) ``text``, else whose name starts with it,
        else whose name contains it — in that order, at most ``limit``."""
        ...

    def enterprise_by_key(self, key: str | int) -> dict[str, Any] | None:
        """One enterprise by credit code, uuid or fid (an int)."""
        ...

    def enterprises_in(
        self, level: str, code: str, key_classes: Sequence[str], limit: int = 6
    ) -> tuple[int, int, list[dict[str, Any]]]:
        """(all, key) enterprises in an area of ``level`` (cell/community/street) and the first
        ``limit`` of them, key classes first."""
        ...

    def enterprise_counts(
        self, level: str, key_classes: Sequence[str]
    ) -> dict[str, tuple[int, int]]:
        """Per area of ``level``: (enterprises, key enterprises) — one grouped query."""
        ...

    def enterprise_points(self, classes: Sequence[str] | None = None) -> gpd.GeoDataFrame:
        """What the map draws of the enterprises (uuid, credit code, name, class, point), all of them
        or only those of ``classes`` — without the other columns."""
        ...

    def find_officers(self, text: str, limit: int = 20) -> list[dict[str, Any]]:
        """Officers whose staff number is ``text`` or starts with it, or whose name contains it."""
        ...

    def officer_by_staff_no(self, staff_no: str) -> dict[str, Any] | None: ...

    def area_brief(self, level: str, system: str, code: str) -> dict[str, Any] | None:
        """Name, parent and area of the current area ``code`` of ``level``."""
        ...

    def count_children(self, level: str, system: str, parent: str) -> int: ...

    def responsibilities_on(
        self, system: str, codes: Sequence[str], as_of: str
    ) -> list[dict[str, Any]]:
        """Responsibility rows on these areas valid on ``as_of``, with the officer's name."""
        ...


class CaseListStore(Protocol):
    """The desktop's paged case list and the map's case markers."""

    def case_list_count(self, q: CaseQuery) -> tuple[int, int]:
        """(cases matching, of them overdue at ``q.as_of`` or ``q.overdue_at``)."""
        ...

    def case_list_page(self, q: CaseQuery, offset: int, limit: int) -> list[tuple[Any, ...]]:
        """Rows ``offset`` … ``offset + limit``: (fid, *CASE_LIST_COLUMNS, overdue 0/1)."""
        ...

    def case_overdue(self, case_no: str, as_of: str) -> bool:
        """Whether one case is overdue at ``as_of`` — the list's rule, for its page."""
        ...

    def case_sources_used(self) -> list[str]:
        """The sources the project's cases carry (imported ones may use others)."""
        ...

    def case_handlers(self) -> list[str]:
        """Staff numbers that handle at least one case (uses the handler index)."""
        ...

    def case_list_rows(self, columns: Sequence[str], as_of: str, *,
                       replay_until: str | None = None, status: str | None = None,
                       overdue_only: bool = False, labels: Mapping[str, str] | None = None,
                       batch: int = 20_000) -> Iterator[list[tuple[Any, ...]]]:
        """Every case reported by ``as_of``, by fid, as batches of ``columns`` tuples (the
        streamed listing); ``overdue`` at ``as_of``; ``replay_until``: status and deadline of
        each case's last step before it; a column in ``labels`` is that text when true."""
        ...

    def case_markers(self, as_of: str, statuses: Sequence[str] = ()) -> pd.DataFrame:
        """Every case (or those in ``statuses``) as a map marker: ``case_no``, ``status``,
        ``description``, ``overdue`` at ``as_of`` and ``x``/``y`` in the project CRS — one
        scan, no history (for ``as_of`` = now)."""
        ...

    def area_list(
        self, level: str, system: str, parent: str | None = None
    ) -> list[tuple[str, str]]:
        """(code, name) of the current areas of ``level`` (under ``parent``), by code — for the area
        filters, without decoding geometry."""
        ...


@runtime_checkable
class Store(
    ProjectBase,
    RegisterStore,
    FieldworkStore,
    CaseStore,
    CaseStatsStore,
    LookupStore,
    CaseListStore,
    Protocol,
):
    """An open project, whichever backend holds it."""
