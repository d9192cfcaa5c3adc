"""What the map colours cells by: unresolved and overdue cases per cell as of a moment, from
the cases' current columns when nothing happened since, else from the indicators' replay."""

from __future__ import annotations

import pandas as pd

from ..cases.lifecycle import moment, now_local
from ..cases.workcalendar import parse_moment
from ..progress import run
from ..storage import Store
from . import compute as indicators


def cell_case_counts(store: Store, as_of: str | None = None) -> pd.DataFrame:
    """Per cell: unresolved cases (受理 … 核查 and 挂账) and overdue ones as of a moment —
    what the map colours cells by.  Columns ``cell_code``, ``open``, ``overdue``.

    When no step was recorded after ``as_of`` the cases' current columns are their state then,
    and one indexed query answers (0.3 s for 1M cases, ``bench/bench_cases.py``); otherwise the
    history is replayed up to ``as_of`` by the indicators' replay (the same rule, vectorised:
    ~20 s for 1M cases and 6.7M steps, against ~90 s through :func:`gridmgr.cases.lifecycle.state_as_of`)."""
    as_of = moment(as_of or now_local(), "--as-of")
    latest = store.last_transition_at()
    if latest is None or latest <= as_of:
        return store.cell_open_overdue(as_of)
    data = run(indicators.load(store))
    when = parse_moment(as_of)
    states = indicators.case_states(data.cases, data.transitions, when)
    return indicators.cell_counts(states, data.cases, when)
