"""Cases as map markers coloured by status: the payload and the legend, in plain Python.

The same shape as :func:`maps.web_page.point_payload` (``codes``, ``names``, ``classes``, one
flat ``coords`` array ``[lon, lat, …]``), so the page's point layer can draw cases the way it
draws enterprises: ``codes`` are case numbers, ``classes`` the statuses.  It adds
``class_colours`` ({status: colour}, what the page's ``classColours`` option takes), an
``overdue`` flag per marker (drawn with a red ring) and the ``legend`` for ``gridmap.setLegend``.

Colours follow the workflow: greys and blues while the centre handles a case, warm colours while
it is with the handler, green once closed; 作废 is pale and 挂账 brown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import shapely

from gridmgr.cases.workflow import STATUSES

DECIMALS = 6  # about 0.1 m in lon/lat, as maps.web_page
STATUS_COLOURS: dict[str, str] = {
    "受理": "#64748b",  # slate: reported, not yet a case
    "立案": "#2563eb",  # blue: registered, waiting for dispatch
    "派遣": "#7c3aed",  # violet: dispatched to the handler
    "处置": "#ea580c",  # orange: being disposed
    "反馈": "#d97706",  # amber: disposed, waiting for the check
    "核查": "#0d9488",  # teal: checked, to be closed
    "结案": "#16a34a",  # green: closed
    "作废": "#cbd5e1",  # pale: void
    "挂账": "#92400e",  # brown: parked
}
OTHER_COLOUR = "#111827"  # an imported status the workflow does not know
OVERDUE_COLOUR = "#dc2626"  # the ring of an overdue case
assert set(STATUS_COLOURS) == set(STATUSES)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


def case_payload(gdf: Any) -> dict[str, Any]:
    """Cases (a GeoDataFrame of points in lon/lat with ``case_no``, ``status`` and optionally
    ``description``, ``overdue``) as data for the page's point layer.  Rows without a point are
    left out."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    ok = ~shapely.is_missing(geoms)
    ok[ok] = ~shapely.is_empty(geoms[ok])
    idx = np.flatnonzero(ok)
    xy = np.round(shapely.get_coordinates(geoms[idx]), DECIMALS)

    def column(name: str) -> list[Any]:
        return list(gdf[name]) if name in gdf.columns else [None] * len(gdf)

    nos, statuses, texts, late = (column(c) for c in
                                  ("case_no", "status", "description", "overdue"))
    return {
        "codes": [_text(nos[i]) for i in idx],
        "names": [_text(texts[i]) for i in idx],
        "classes": [_text(statuses[i]) for i in idx],
        "coords": xy.ravel().tolist(),
        "overdue": [bool(late[i]) if late[i] is not None else False for i in idx],
        "class_colours": dict(STATUS_COLOURS),
        "other_colour": OTHER_COLOUR,
        "overdue_colour": OVERDUE_COLOUR,
        "legend": legend(Counter(_text(statuses[i]) for i in idx),
                         overdue=sum(bool(late[i]) for i in idx if late[i] is not None)),
    }


def status_colour(status: str | None) -> str:
    """The marker colour of a status (unknown statuses get :data:`OTHER_COLOUR`)."""
    return STATUS_COLOURS.get(status or "", OTHER_COLOUR)


def legend(counts: Mapping[str, int] | None = None, *, overdue: int = 0,
           title: str = "案件状态") -> dict[str, Any]:
    """``{title, entries: [{colour, label}]}`` in workflow order; with ``counts`` only the
    statuses present, each with its number, and a last entry for overdue cases."""
    entries = []
    for status in STATUSES:
        if counts is None:
            entries.append({"colour": STATUS_COLOURS[status], "label": status})
        elif counts.get(status):
            entries.append({"colour": STATUS_COLOURS[status],
                            "label": f"{status}（{counts[status]}）"})
    if counts is not None:
        others = sum(n for s, n in counts.items() if s not in STATUS_COLOURS)
        if others:
            entries.append({"colour": OTHER_COLOUR, "label": f"其他状态（{others}）"})
    if overdue:
        entries.append({"colour": OVERDUE_COLOUR, "label": f"红圈：超期（{overdue}）"})
    return {"title": title, "entries": entries}
