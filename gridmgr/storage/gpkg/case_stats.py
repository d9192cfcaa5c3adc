"""Narrow reads for the indicators (网格化考核) and the map colouring, fit for a million cases.

A mixin of :class:`gridmgr.storage.Store`.  ``cases_frame()``/``transitions_frame()`` (in
:mod:`.cases`) read every column, ordered, in one go: right for a case list, too heavy for the
statistics of a city (1M cases, ~6.7M steps).  These read only the columns the indicators use;
transitions in chunks, with codes and times made by SQLite (the caller compacts each chunk
before the next is fetched); area names without decoding geometry; enterprises without points.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ...levels import LEVEL_TABLES
from ..records import INSPECTION_COLUMNS, STAT_CASE_COLUMNS
from .case_times import stat_select


class CaseStatsMixin:
    db: Any

    def case_stat_frame(self) -> pd.DataFrame:
        """Every case with the columns the indicators read (text keeps None for blanks)."""
        cols = STAT_CASE_COLUMNS
        if not self.has_table("cases"):
            return pd.DataFrame(columns=list(cols), dtype=object)
        rows = self.db.execute(f"SELECT {', '.join(cols)} FROM cases").fetchall()
        return pd.DataFrame(rows, columns=list(cols), dtype=object)

    def transition_stat_arrays(self, actions: Sequence[str], statuses: Sequence[str],
                               size: int = 500_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Every transition, in chunks: (case uuids, int64 array of n × 5 — seq, the action's
        index in ``actions``, the to-status's index in ``statuses`` (−1: not listed), ``at``
        and ``due_at`` as seconds since 1970 of the same wall time (−1: none or unreadable)).

        Codes and times are made by SQLite, so the rows cross into Python as small integers:
        for a city's millions of steps that is most of the reading time saved."""
        if not self.has_table("case_transitions"):
            return
        sql, params = stat_select(actions, statuses)
        cur = self.db.execute(sql, params)
        while True:
            rows = cur.fetchmany(size)
            if not rows:
                return
            uuids, *ints = zip(*rows)
            yield (np.array(uuids, dtype=object),
                   np.array(ints, dtype=np.int64).T.copy())

    def area_names(self, level: str, system: str | None = None) -> dict[str, str]:
        """{code: name} of every area of a level, old ones included (an old case keeps the cell
        it had); a reused code takes the name of its latest version."""
        sql = f'SELECT code, name FROM "{LEVEL_TABLES[level]}"'
        params: list[Any] = []
        if system is not None:
            sql += " WHERE system = ?"
            params.append(system)
        rows = self.db.execute(sql + " ORDER BY valid_from, fid", params).fetchall()
        return {code: name for code, name in rows}

    def enterprise_inspection_frame(self) -> pd.DataFrame:
        """Enterprises' area codes, inspection frequency (days) and last inspection date."""
        cols = INSPECTION_COLUMNS
        rows = self.db.execute(f"SELECT {', '.join(cols)} FROM enterprises").fetchall()
        return pd.DataFrame(rows, columns=list(cols), dtype=object)

    def officer_names(self) -> dict[str, tuple[str, str]]:
        """{staff_no: (name, unit)} of the officers."""
        rows = self.db.execute("SELECT staff_no, name, unit FROM officers").fetchall()
        return {s: (n, u or "") for s, n, u in rows}

    def cell_open_overdue(self, as_of: str) -> pd.DataFrame:
        """Per cell, cases now unresolved (受理 … 核查, and 挂账) and those of them past their
        current deadline at ``as_of`` — the map's colouring, from the cases' current columns
        (no history: for ``as_of`` = now).  Listing the unresolved statuses lets SQLite read
        them through the status index (~1 s for 1M cases, against ~16 s scanning by cell)."""
        unresolved = ("受理", "立案", "派遣", "处置", "反馈", "核查", "挂账")
        rows = self.db.execute(
            "SELECT cell_code, count(*), sum(status != '挂账' AND due_at IS NOT NULL AND "
            f"due_at < ?) FROM cases WHERE status IN ({', '.join('?' * len(unresolved))}) "
            "AND cell_code IS NOT NULL GROUP BY cell_code ORDER BY cell_code",
            [as_of, *unresolved]).fetchall()
        df = pd.DataFrame(rows, columns=["cell_code", "open", "overdue"])
        return df.astype({"open": "int64", "overdue": "int64"})
