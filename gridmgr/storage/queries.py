"""The paged lists' questions, as values every backend answers: which rows of a register or of
the cases a table view shows, filtered and sorted (the widgets build these; the adapters turn
them into SQL).

A view of a million rows must not load a million rows; it asks for a count and for the page
it shows (``Store.browse_count``/``browse_page``, ``Store.case_list_count``/``case_list_page``).
"""

from __future__ import annotations

from dataclasses import dataclass

# table → (id column, columns a user sees, columns a filter searches)
BROWSABLE: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "enterprises": ("fid", ("name", "credit_code", "credit_code_flag", "industry", "supervision_class", "rating",
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
    """One view of a register (a key of :data:`BROWSABLE`): a case-insensitive substring
    ``text`` over its searched columns, sorted by one visible column."""

    table: str
    text: str = ""
    order_by: str | None = None
    descending: bool = False

    def columns(self) -> tuple[str, ...]:
        return BROWSABLE[self.table][1]


# what a row of the list holds: fid first, then these (the model maps codes to names)
CASE_LIST_COLUMNS = ("case_no", "status", "source", "category_code", "description", "address",
                     "street_code", "community_code", "cell_code", "handler_staff_no",
                     "reported_at", "due_at", "supervised", "rework_count")


@dataclass(frozen=True)
class CaseQuery:
    """One view of the case list.  ``overdue_at`` (a moment, ISO text) keeps only the cases
    overdue then; ``as_of`` (default: ``overdue_at``) is the moment the ``overdue`` column of
    each row is computed for."""

    statuses: tuple[str, ...] = ()
    overdue_at: str | None = None
    as_of: str | None = None
    source: str | None = None
    category_codes: tuple[str, ...] = ()
    street_code: str | None = None
    community_code: str | None = None
    cell_code: str | None = None
    handler_staff_no: str | None = None
    text: str = ""
    order_by: str | None = None
    descending: bool = False
