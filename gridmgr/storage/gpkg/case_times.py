"""Schema 12 and its upkeep: ``case_times``, each case's step log reduced once (issue 17).

``case_times`` holds, per case with steps, what :mod:`gridmgr.case_log` makes of its whole log:
立案 time, closed time, dispose deadline, current-stage deadline and the time of its latest step
(seconds since 1970 of the Beijing wall time, as ``unixepoch`` reads the stored text; NULL for
none), its status and six yes/no figures (``flags``, bits in :data:`gridmgr.case_log.FLAGS`).
Indexed by 立案 time and by latest step, so the indicators read the cases a period needs, and
replay from the log only the cases with a step after their ``as_of``.

:meth:`CasesMixin.insert_transitions` — the one writer of steps (case import, workflow steps,
field packages) — calls :meth:`CaseTimesMixin.update_case_times` with the rows it wrote, so the
table is right after every write.  Migration 12 fills it from the log (:func:`backfill`).

Steps written by anything else (QGIS, a SQL script, another program) must not leave a row
stale: from schema 13 a trigger on ``case_transitions`` deletes the ``case_times`` row of every
case whose steps were inserted, changed or deleted (:data:`STALE_TRIGGERS`; the server's form
is in :mod:`gridmgr.storage.postgis.case_times_guard`).  A case without a row is replayed from
its own steps by the indicators, so a foreign write costs a replay, never a wrong figure;
gridmgr's own writer puts the row back right after its steps.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ... import case_log
from ...statuses import ACTIONS, STATUSES
from ..records import STAT_CASE_COLUMNS

CASE_TIMES = (
    "CREATE TABLE case_times (case_uuid TEXT PRIMARY KEY NOT NULL, reg_at INTEGER, "
    "closed_at INTEGER, deadline INTEGER, stage_due INTEGER, last_at INTEGER, status TEXT, "
    "flags INTEGER NOT NULL DEFAULT 0)"
)
CASE_TIMES_INDEXES = (
    "CREATE INDEX idx_case_times_reg ON case_times (reg_at)",
    "CREATE INDEX idx_case_times_last ON case_times (last_at)",
)
# what the indicators read of a case whose log case_times answers for: its group keys and report
FRAME_CASE_COLUMNS = ("category_code", "cell_code", "community_code", "street_code",
                      "handler_staff_no", "reported_at")
TIME_FIELDS = ("reg_at", "closed_at", "deadline", "stage_due", "last_at", "status", "flags")
_UPSERT = (f"INSERT INTO case_times (case_uuid, {', '.join(TIME_FIELDS)}) VALUES "
           f"({', '.join('?' * (len(TIME_FIELDS) + 1))}) ON CONFLICT (case_uuid) DO UPDATE SET "
           + ", ".join(f"{f} = excluded.{f}" for f in TIME_FIELDS))


def stat_select(actions: Sequence[str], statuses: Sequence[str], where: str = ""
                ) -> tuple[str, list[Any]]:
    """The steps as small integers made by the database: case uuid, seq, the action's index in
    ``actions``, the to-status's in ``statuses`` (−1: other), ``at`` and ``due_at`` as seconds
    (−1: none or unreadable)."""
    case_a = " ".join(f"WHEN ? THEN {i}" for i in range(len(actions)))
    case_s = " ".join(f"WHEN ? THEN {i}" for i in range(len(statuses)))
    return (f"SELECT case_uuid, seq, CASE action {case_a} ELSE -1 END, "
            f"CASE to_status {case_s} ELSE -1 END, coalesce(unixepoch(at), -1), "
            f"coalesce(unixepoch(due_at), -1) FROM case_transitions {where}",
            [*actions, *statuses])


def _chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def derive(uuids: np.ndarray, ints: np.ndarray) -> list[tuple[Any, ...]]:
    """``case_times`` rows of the cases whose *whole* logs these steps are (arrays as
    :func:`stat_select` makes them)."""
    if not len(uuids):
        return []
    codes, cases = pd.factorize(np.asarray(uuids, dtype=object))
    r = case_log.reduce(len(cases), codes.astype(np.int64), ints[:, 0], ints[:, 1], ints[:, 2],
                        case_log.seconds_to_times(ints[:, 3]),
                        case_log.seconds_to_times(ints[:, 4]))
    r["status"] = case_log.status_names(r["status_code"])
    fig = case_log.finish(r)
    cols = [case_log.times_to_seconds(fig[k]) for k in case_log.TIME_COLUMNS]
    cols.append(case_log.times_to_seconds(r["last_at"]))
    flags = case_log.pack_flags(fig).tolist()
    times = [[None if v < 0 else v for v in col.tolist()] for col in cols]
    return list(zip(cases.tolist(), *times, fig["status"].tolist(), flags))


def _read(db: Any, where: str = "", params: Sequence[Any] = ()) -> tuple[np.ndarray, np.ndarray]:
    sql, p = stat_select(ACTIONS, STATUSES, where)
    rows = db.execute(sql, [*p, *params]).fetchall()
    if not rows:
        return np.array([], dtype=object), np.zeros((0, 5), dtype=np.int64)
    uuids, *ints = zip(*rows)
    return np.array(uuids, dtype=object), np.array(ints, dtype=np.int64).T.copy()


def _write(db: Any, rows: list[tuple[Any, ...]]) -> None:
    for start in range(0, len(rows), 50_000):
        db.conn.executemany(_UPSERT, rows[start:start + 50_000])


def backfill(db: Any, chunk: int = 500_000) -> int:
    """Fill ``case_times`` from the whole log (migration 12, both backends); returns the rows."""
    db.execute("DELETE FROM case_times")
    sql, p = stat_select(ACTIONS, STATUSES)
    known = set(r[0] for r in db.execute("SELECT uuid FROM cases").fetchall())
    index = pd.Index([], dtype=object)
    codes_parts, int_parts = [], []
    cur = db.execute(sql, p)
    while True:
        rows = cur.fetchmany(chunk)
        if not rows:
            break
        uuids, *ints = zip(*rows)
        u = np.array(uuids, dtype=object)
        new = pd.Index(pd.unique(u)).difference(index)
        index = index.append(new)
        codes_parts.append(index.get_indexer(u))
        int_parts.append(np.array(ints, dtype=np.int64).T.copy())
    if not codes_parts:
        return 0
    codes = np.concatenate(codes_parts)
    ints = np.concatenate(int_parts)
    names = index.to_numpy(dtype=object)
    mine = np.array([u in known for u in names], dtype=bool)[codes]
    rows = derive(names[codes[mine]], ints[mine])
    _write(db, rows)
    return len(rows)


def migration_12(db: Any, settings: dict[str, str], defaults: Any) -> None:
    """Schema 12: case_times — each case's step log reduced (立案, closed, deadlines, latest
    step, status, yes/no figures), indexed by 立案 time and latest step, filled from the log,
    so the indicators read only the cases a period needs instead of replaying every step."""
    db.execute(CASE_TIMES.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"))
    for ddl in CASE_TIMES_INDEXES:
        db.execute(ddl.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))
    if "case_transitions" in db.table_names():
        backfill(db)


# the columns a case's reduced log depends on (a change of a step's uuid or note does not count)
STEP_COLUMNS = ("case_uuid", "seq", "action", "to_status", "at", "due_at")
STALE_TRIGGERS = (
    "CREATE TRIGGER case_times_stale_insert AFTER INSERT ON case_transitions BEGIN "
    "DELETE FROM case_times WHERE case_uuid = NEW.case_uuid; END",
    f"CREATE TRIGGER case_times_stale_update AFTER UPDATE OF {', '.join(STEP_COLUMNS)} ON "
    "case_transitions BEGIN DELETE FROM case_times WHERE case_uuid IN (OLD.case_uuid, "
    "NEW.case_uuid); END",
    "CREATE TRIGGER case_times_stale_delete AFTER DELETE ON case_transitions BEGIN "
    "DELETE FROM case_times WHERE case_uuid = OLD.case_uuid; END",
)


OWN_STEPS_BULK = 1_000  # from this many steps a write takes the triggers out (see _own_steps)


def migration_13(db: Any, settings: dict[str, str], defaults: Any) -> None:
    """Schema 13: a step inserted, changed or deleted by anything but gridmgr (QGIS, SQL)
    drops its case's case_times row, so the indicators replay that case instead of trusting a
    stale row; the steps' index on (case_uuid, seq) goes — UNIQUE (case_uuid, seq) is one."""
    db.execute("DROP INDEX IF EXISTS idx_case_transitions_case")
    if "case_transitions" not in db.table_names():
        return
    for ddl in STALE_TRIGGERS:
        name = ddl.split()[2]
        db.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        db.execute(ddl)


def epoch(day: date) -> int:
    """Midnight of ``day`` as ``unixepoch`` reads a time without zone."""
    return calendar.timegm(day.timetuple())


class CaseTimesMixin:
    db: Any

    def update_case_times(self, after_id: int, firsts: dict[str, int]) -> None:
        """Keep ``case_times`` right after steps were written: ``firsts`` maps each case that got
        steps to the lowest seq written, ``after_id`` is the highest step id before the write.
        A case whose new steps start at seq 1 had none before (steps are numbered from 1 per
        case, UNIQUE), so its new rows are its log; the others' logs are read whole."""
        if not firsts or not self.has_table("case_times"):  # type: ignore[attr-defined]
            return
        uuids, ints = _read(self.db, "WHERE id > ?", [after_id])
        mine = pd.Index(list(firsts)).get_indexer(uuids) >= 0
        uuids, ints = uuids[mine], ints[mine]
        older = [u for u, s in firsts.items() if s > 1]
        parts_u, parts_i = [uuids], [ints]
        for chunk in _chunks(older):
            u, i = _read(self.db, f"WHERE id <= ? AND case_uuid IN ({','.join('?' * len(chunk))})",
                         [after_id, *chunk])
            parts_u.append(u)
            parts_i.append(i)
        uuids, ints = np.concatenate(parts_u), np.concatenate(parts_i)
        # steps of a case the project does not have (yet) leave no row: case_times ⊆ cases
        have: set[str] = set()
        for chunk in _chunks(list(firsts)):
            have.update(r[0] for r in self.db.execute(
                f"SELECT uuid FROM cases WHERE uuid IN ({','.join('?' * len(chunk))})",
                list(chunk)).fetchall())
        keep = pd.Index(list(have), dtype=object).get_indexer(uuids) >= 0
        _write(self.db, derive(uuids[keep], ints[keep]))

    @contextmanager
    def _own_steps(self, n: int) -> Iterator[None]:
        """gridmgr writes ``n`` steps and keeps ``case_times`` for them itself
        (:meth:`update_case_times`), so the stale-step triggers have nothing to do.  They cost
        ~12 µs a step — 5 s of a 100k-case import — so a write of :data:`OWN_STEPS_BULK` or
        more takes them out for its length, in a savepoint (an error puts them back), and puts
        them back exactly as they were; a desk's few steps keep them (no schema change)."""
        found = [] if n < OWN_STEPS_BULK else [r[0] for r in self.db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
            "'case_transitions' AND name LIKE 'case_times_stale%' ORDER BY name").fetchall()]
        if not found:
            yield
            return
        with self.db.atomic():
            for ddl in found:
                self.db.execute(f'DROP TRIGGER "{ddl.split()[2]}"')
            yield
            for ddl in found:
                self.db.execute(ddl)

    def refresh_case_times(self) -> int:
        """Rebuild ``case_times`` from the whole log (what migration 12 does); returns rows."""
        return backfill(self.db)

    def last_step_id(self) -> int:
        return int(self.db.execute("SELECT coalesce(max(id), 0) FROM case_transitions"
                                   ).fetchone()[0])

    def case_time_frame(self, first: date | None = None, last: date | None = None,
                        as_of: int | None = None) -> pd.DataFrame:
        """The cases a period (立案 or reported from ``first`` to ``last``, both days inclusive;
        None: open) can count: their keys, report time and ``case_times`` (``timed`` = 0 for a
        case without steps).  With ``as_of`` (seconds, as ``case_times`` keeps times) ``uuid``
        is given only for the cases the table cannot answer for then — a step after it, or no
        row — which the caller replays (reading 36 characters less per case)."""
        if as_of is None:
            uuid_sql, params = "c.uuid", []
        else:
            uuid_sql, params = ("CASE WHEN t.case_uuid IS NULL OR t.last_at > ? THEN c.uuid "
                                "END", [int(as_of)])
        ccols = ", ".join(f"c.{c}" for c in FRAME_CASE_COLUMNS)
        tcols = ", ".join(f"t.{c} AS t_{c}" for c in TIME_FIELDS)
        sql = (f"SELECT {uuid_sql}, {ccols}, {tcols}, t.case_uuid IS NOT NULL FROM cases c "
               "LEFT JOIN case_times t ON t.case_uuid = c.uuid")
        if first is not None or last is not None:
            text, secs = [], []
            if first is not None:
                text.append(("reported_at >= ?", first.isoformat()))
                secs.append(("reg_at >= ?", epoch(first)))
            if last is not None:
                end = date.fromordinal(last.toordinal() + 1)
                text.append(("reported_at < ?", end.isoformat()))
                secs.append(("reg_at < ?", epoch(end)))
            parts = [f"SELECT uuid FROM cases WHERE {' AND '.join(w for w, _ in text)}",
                     f"SELECT case_uuid FROM case_times WHERE {' AND '.join(w for w, _ in secs)}"]
            params += [v for _, v in text] + [v for _, v in secs]
            n_cases = self.db.execute("SELECT count(*) FROM cases").fetchone()[0]
            n_timed = self.db.execute("SELECT count(*) FROM case_times").fetchone()[0]
            if n_timed < n_cases:  # cases without steps: their registered_at stands for 立案
                parts.append("SELECT uuid FROM cases c2 WHERE "
                             + " AND ".join(w.replace("reported_at", "registered_at")
                                            for w, _ in text)
                             + " AND NOT EXISTS (SELECT 1 FROM case_times t2 WHERE "
                               "t2.case_uuid = c2.uuid)")
                params += [v for _, v in text]
            sql += f" WHERE c.uuid IN ({' UNION '.join(parts)})"
        rows = self.db.execute(sql, params).fetchall()
        cols = ["uuid", *FRAME_CASE_COLUMNS, *(f"t_{c}" for c in TIME_FIELDS), "timed"]
        return pd.DataFrame(rows, columns=cols, dtype=object)

    def case_stat_rows(self, case_uuids: Sequence[str]) -> pd.DataFrame:
        """:meth:`case_stat_frame` of these cases only (a case without steps is read from
        its columns)."""
        rows: list[Any] = []
        ids = list(case_uuids)
        for chunk in _chunks(ids):
            rows += self.db.execute(f"SELECT {', '.join(STAT_CASE_COLUMNS)} FROM cases WHERE "
                                    f"uuid IN ({','.join('?' * len(chunk))})",
                                    list(chunk)).fetchall()
        return pd.DataFrame(rows, columns=list(STAT_CASE_COLUMNS), dtype=object)

    def transition_stat_arrays_of(self, case_uuids: Iterable[str]
                                  ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`transition_stat_arrays` of these cases only, in one piece (the codes of
        :data:`gridmgr.statuses.ACTIONS` and ``STATUSES``)."""
        ids = list(case_uuids)
        parts_u, parts_i = [np.array([], dtype=object)], [np.zeros((0, 5), dtype=np.int64)]
        for chunk in _chunks(ids):
            u, i = _read(self.db, f"WHERE case_uuid IN ({','.join('?' * len(chunk))})", chunk)
            parts_u.append(u)
            parts_i.append(i)
        return np.concatenate(parts_u), np.concatenate(parts_i)
