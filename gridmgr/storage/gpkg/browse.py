"""Paging through a register for a table view: count, filter, sort, one page at a time.

A view of a million enterprises must not load a million rows; it asks for the rows it shows.
Filtering is a case-insensitive substring match over the listed text columns; sorting is by
one column, with the row id as a tie-breaker so that pages never overlap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlite_utils

# table → (id column, columns a user sees, columns a filter searches)
BROWSABLE: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "enterprises": ("fid", ("name", "credit_code", "industry", "supervision_class", "rating",
                            "inspection_frequency", "last_inspection", "contact", "phone",
                            "address", "cell_code", "community_code", "street_code"),
                    ("name", "credit_code", "industry", "address", "cell_code", "contact")),
    "officers": ("id", ("staff_no", "name", "mobile", "role", "unit"),
                 ("staff_no", "name", "mobile", "role", "unit")),
    "responsibilities": ("id", ("area_code", "level", "role", "staff_no", "valid_from",
                                "valid_to", "system", "note"),
                         ("area_code", "role", "staff_no", "note")),
}


@dataclass(frozen=True)
class Query:
    table: str
    text: str = ""
    order_by: str | None = None
    descending: bool = False

    def _where(self) -> tuple[str, list[Any]]:
        _, _, searched = BROWSABLE[self.table]
        if not self.text.strip():
            return "", []
        like = f"%{self.text.strip()}%"
        return (" WHERE (" + " OR ".join(f'"{c}" LIKE ?' for c in searched) + ")",
                [like] * len(searched))

    def columns(self) -> tuple[str, ...]:
        return BROWSABLE[self.table][1]


def count(db: sqlite_utils.Database, q: Query) -> int:
    where, params = q._where()
    return int(db.execute(f'SELECT count(*) FROM "{q.table}"{where}', params).fetchone()[0])


def page(db: sqlite_utils.Database, q: Query, offset: int, limit: int) -> list[tuple[Any, ...]]:
    """Rows ``offset`` … ``offset + limit`` of the query: (id, *visible columns)."""
    key, cols, _ = BROWSABLE[q.table]
    if q.order_by is not None and q.order_by not in cols:
        raise ValueError(f"cannot sort {q.table} by {q.order_by!r}")
    where, params = q._where()
    direction = "DESC" if q.descending else "ASC"
    order = f'"{q.order_by}" {direction}, "{key}" {direction}' if q.order_by else f'"{key}"'
    names = ", ".join(f'"{c}"' for c in (key, *cols))
    sql = f'SELECT {names} FROM "{q.table}"{where} ORDER BY {order} LIMIT ? OFFSET ?'
    return db.execute(sql, [*params, limit, offset]).fetchall()
