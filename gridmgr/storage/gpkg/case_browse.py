"""Paging through cases for the desktop's case list: count, filter, sort, one page at a time.

Like :mod:`.browse` for the registers: a city's million cases must not be loaded to show forty.
Every filter is an equality on an indexed column (status, cell/community/street, handler,
category) or, for text in Latin letters and digits, a prefix of the case number (its UNIQUE
index); other text (Chinese words) is a substring match over description and address, the one
scan.  Sorting is by one column with ``fid`` as the tie-breaker, so that
pages never overlap.

"Overdue as of T" is the core's rule (:func:`gridmgr.cases.state_as_of`) on the cases' current
columns: open (受理 … 核查) with a current-stage deadline and ``due_at < T`` — right for T = now,
which is what a list shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely

from ...levels import LEVEL_TABLES
from ...statuses import OPEN_STATUSES
from ..queries import CASE_LIST_COLUMNS, CaseQuery
from ..records import CASE_COLUMNS

_TOP = "\U0010ffff"  # above every character: the end of a prefix range


def case_where(q: CaseQuery) -> tuple[str, list[Any]]:
    conds: list[str] = []
    params: list[Any] = []

    def among(col: str, values: Sequence[str]) -> None:
        conds.append(f'"{col}" IN ({",".join("?" * len(values))})')
        params.extend(values)

    if q.statuses:
        among("status", q.statuses)
    if q.overdue_at:
        among("status", OPEN_STATUSES)
        conds.append("due_at IS NOT NULL AND due_at < ?")
        params.append(q.overdue_at)
    if q.category_codes:
        among("category_code", q.category_codes)
    for col in ("source", "street_code", "community_code", "cell_code", "handler_staff_no"):
        value = getattr(q, col)
        if value:
            conds.append(f'"{col}" = ?')
            params.append(value)
    text = q.text.strip()
    if text and text.isascii():  # a case number (or its start): the UNIQUE index's range
        conds.append("case_no >= ? AND case_no < ?")
        params += [text.upper(), text.upper() + _TOP]
    elif text:  # words: a scan of description and address
        conds.append("(instr(coalesce(description, ''), ?) > 0 OR "
                     "instr(coalesce(address, ''), ?) > 0)")
        params += [text, text]
    return (" WHERE " + " AND ".join(conds)) if conds else "", params


class CaseBrowseMixin:
    """A mixin of :class:`gridmgr.storage.Store`: the paged case list."""

    db: Any

    def case_list_count(self, q: CaseQuery) -> tuple[int, int]:
        """(cases matching, of them overdue at ``q.as_of`` or ``q.overdue_at``)."""
        where, params = case_where(q)
        moment = q.as_of or q.overdue_at
        if moment is None:
            n = self.db.execute(f"SELECT count(*) FROM cases{where}", params).fetchone()[0]
            return int(n), 0
        marks = ",".join("?" * len(OPEN_STATUSES))
        n, late = self.db.execute(
            f"SELECT count(*), coalesce(sum(status IN ({marks}) AND due_at IS NOT NULL AND "
            f"due_at < ?), 0) FROM cases{where}", [*OPEN_STATUSES, moment, *params]).fetchone()
        return int(n), int(late)

    def case_list_page(self, q: CaseQuery, offset: int, limit: int) -> list[tuple[Any, ...]]:
        """Rows ``offset`` … ``offset + limit``: (fid, *CASE_LIST_COLUMNS, overdue 0/1)."""
        if q.order_by is not None and q.order_by not in (*CASE_LIST_COLUMNS, "overdue"):
            raise ValueError(f"cannot sort cases by {q.order_by!r}")
        where, params = case_where(q)
        moment = q.as_of or q.overdue_at
        marks = ",".join("?" * len(OPEN_STATUSES))
        overdue = (f"(status IN ({marks}) AND due_at IS NOT NULL AND due_at < ?)"
                   if moment else "0")
        over_params = [*OPEN_STATUSES, moment] if moment else []
        direction = "DESC" if q.descending else "ASC"
        if q.order_by == "overdue":
            order = f"overdue {direction}, due_at {direction}, fid {direction}"
        elif q.order_by:
            order = f'"{q.order_by}" {direction}, fid {direction}'
        else:
            order = "reported_at DESC, fid DESC"  # newest first: what a desk works on
        cols = ", ".join(f'"{c}"' for c in ("fid", *CASE_LIST_COLUMNS))
        sql = (f"SELECT {cols}, {overdue} AS overdue FROM cases{where} ORDER BY {order} "
               "LIMIT ? OFFSET ?")
        return self.db.execute(sql, [*over_params, *params, limit, offset]).fetchall()

    def case_list_rows(self, columns: Sequence[str], as_of: str, *,
                       replay_until: str | None = None, status: str | None = None,
                       overdue_only: bool = False, labels: Mapping[str, str] | None = None,
                       batch: int = 20_000) -> Iterator[list[tuple[Any, ...]]]:
        """Every case reported by ``as_of``, by fid, as batches of ``columns`` tuples, read
        straight from SQL for a listing written as it is read (``cases list --format csv``).
        ``overdue`` is the core's rule at ``as_of``; with ``replay_until`` each case's
        ``status``/``due_at`` are those of its last step before that moment (the history
        replay of :func:`gridmgr.cases.state_as_of`); ``status``/``overdue_only`` filter on
        them.  A column in ``labels`` comes as that text when true (1) and '' otherwise."""
        labels = labels or {}
        for c in columns:
            if c != "overdue" and c not in CASE_COLUMNS:
                raise ValueError(f"not a case column: {c!r}")
        marks = ",".join("?" * len(OPEN_STATUSES))
        late = f"(k.status IN ({marks}) AND k.due_at IS NOT NULL AND k.due_at < ?)"
        late_params = [*OPEN_STATUSES, as_of]
        select: list[str] = []
        params: list[Any] = []
        for c in columns:
            cond, cond_params = (late, late_params) if c == "overdue" else (f'k."{c}" = 1', [])
            if c in labels:
                select.append(f"CASE WHEN {cond} THEN ? ELSE '' END")
                params += [*cond_params, labels[c]]
            elif c == "overdue":
                select.append(f"CASE WHEN {cond} THEN 1 ELSE 0 END")
                params += cond_params
            else:
                select.append(f'k."{c}"')
        inner = [f'c."{c}"' for c in CASE_COLUMNS if c not in ("status", "due_at")]
        if replay_until is None:
            inner += ["c.status", "c.due_at"]
            join, inner_params = "", []
        else:  # the last step before the moment, through the (case_uuid, seq) index
            inner += ["CASE WHEN t.id IS NULL THEN c.status ELSE t.to_status END AS status",
                      "CASE WHEN t.id IS NULL THEN c.due_at ELSE t.due_at END AS due_at"]
            join = (" LEFT JOIN case_transitions t ON t.id = (SELECT s.id FROM "
                    "case_transitions s WHERE s.case_uuid = c.uuid AND s.at < ? "
                    "ORDER BY s.seq DESC LIMIT 1)")
            inner_params = [replay_until]
        sql = f"SELECT {', '.join(select)} FROM (SELECT {', '.join(inner)} FROM cases c{join}"
        params += inner_params
        last = self.db.execute("SELECT max(reported_at) FROM cases").fetchone()[0]
        if last is not None and last > as_of:  # (as_of = now: every case, no test per row)
            sql += " WHERE c.reported_at <= ?"
            params.append(as_of)
        sql += ") k"
        where: list[str] = []
        if status is not None:
            where.append("k.status = ?")
            params.append(status)
        if overdue_only:
            where.append(late)
            params += late_params
        if where:
            sql += " WHERE " + " AND ".join(where)
        cur = self.db.execute(sql + " ORDER BY k.fid", params)
        while rows := cur.fetchmany(batch):
            yield rows

    def case_overdue(self, case_no: str, as_of: str) -> bool:
        """Whether one case is overdue at ``as_of`` — the list's rule, for its page."""
        marks = ",".join("?" * len(OPEN_STATUSES))
        row = self.db.execute(
            f"SELECT status IN ({marks}) AND due_at IS NOT NULL AND due_at < ? FROM cases "
            "WHERE case_no = ?", [*OPEN_STATUSES, as_of, case_no]).fetchone()
        return bool(row and row[0])

    def case_sources_used(self) -> list[str]:
        """The sources the project's cases carry (imported ones may use others)."""
        cur = self.db.execute("SELECT DISTINCT source FROM cases WHERE source IS NOT NULL "
                              "ORDER BY source")
        return [r[0] for r in cur]

    def case_handlers(self) -> list[str]:
        """Staff numbers that handle at least one case (uses the handler index)."""
        cur = self.db.execute("SELECT DISTINCT handler_staff_no FROM cases WHERE "
                              "handler_staff_no IS NOT NULL ORDER BY handler_staff_no")
        return [r[0] for r in cur]

    def case_markers(self, as_of: str, statuses: Sequence[str] = ()) -> pd.DataFrame:
        """Every case (or those in ``statuses``) as a map marker: ``case_no``, ``status``,
        ``description``, ``overdue`` at ``as_of`` and ``x``/``y`` in the project CRS — one scan,
        no history (for ``as_of`` = now)."""
        where, params = case_where(CaseQuery(statuses=tuple(statuses)))
        marks = ",".join("?" * len(OPEN_STATUSES))
        rows = self.db.execute(
            f"SELECT case_no, status, description, (status IN ({marks}) AND due_at IS NOT NULL "
            f"AND due_at < ?), geom FROM cases{where} ORDER BY fid",
            [*OPEN_STATUSES, as_of, *params]).fetchall()
        df = pd.DataFrame([r[:4] for r in rows],
                          columns=["case_no", "status", "description", "overdue"], dtype=object)
        df["overdue"] = df["overdue"].astype(bool)
        geoms = self._decode_geoms([r[4] for r in rows]) if rows else np.array([], dtype=object)
        df["x"] = shapely.get_x(geoms) if len(geoms) else np.array([], dtype=float)
        df["y"] = shapely.get_y(geoms) if len(geoms) else np.array([], dtype=float)
        return df

    def area_list(self, level: str, system: str, parent: str | None = None
                  ) -> list[tuple[str, str]]:
        """(code, name) of the current areas of ``level`` (under ``parent``), by code — for the
        area filters, without decoding geometry."""
        sql = f'SELECT code, name FROM "{LEVEL_TABLES[level]}" WHERE system = ? AND valid_to IS NULL'
        params: list[Any] = [system]
        if parent is not None:
            sql += " AND parent_code = ?"
            params.append(parent)
        return [(c, n) for c, n in self.db.execute(sql + " ORDER BY code", params)]
