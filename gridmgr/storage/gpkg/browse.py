"""Paging through a register for a table view: count, filter, sort, one page at a time.

A view of a million enterprises must not load a million rows; it asks for the rows it shows.
Filtering is a case-insensitive substring match over the listed text columns; sorting is by
one column, with the row id as a tie-breaker so that pages never overlap.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from ..queries import BROWSABLE, Query


def _where(q: Query) -> tuple[str, list[Any]]:
    _, _, searched = BROWSABLE[q.table]
    if not q.text.strip():
        return "", []
    like = f"%{q.text.strip()}%"
    return (" WHERE (" + " OR ".join(f'"{c}" LIKE ?' for c in searched) + ")",
            [like] * len(searched))


def count(db: sqlite_utils.Database, q: Query) -> int:
    where, params = _where(q)
    return int(db.execute(f'SELECT count(*) FROM "{q.table}"{where}', params).fetchone()[0])


def page(db: sqlite_utils.Database, q: Query, offset: int, limit: int) -> list[tuple[Any, ...]]:
    """Rows ``offset`` … ``offset + limit`` of the query: (id, *visible columns)."""
    key, cols, _ = BROWSABLE[q.table]
    if q.order_by is not None and q.order_by not in cols:
        raise ValueError(f"cannot sort {q.table} by {q.order_by!r}")
    where, params = _where(q)
    direction = "DESC" if q.descending else "ASC"
    order = f'"{q.order_by}" {direction}, "{key}" {direction}' if q.order_by else f'"{key}"'
    names = ", ".join(f'"{c}"' for c in (key, *cols))
    sql = f'SELECT {names} FROM "{q.table}"{where} ORDER BY {order} LIMIT ? OFFSET ?'
    return db.execute(sql, [*params, limit, offset]).fetchall()
