"""What every field package of one day reads from the project, read once.

A package needs the day's whole grid (its scope is a slice of it, the atlas draws the cells
around the scope), the enterprise register, the open cases, the case categories and the
drawing plug-in.  Reading them takes longer than writing a small package, so a single export
reads them once for its scope, its files and its atlas, and the morning batch
(:mod:`.batch`) reads them once for every officer's package.  The batch writes only package
records, never areas, enterprises or cases, so the frames stay true for the whole run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from ..errors import UsageError
from ..storage import Store
from . import cases as fieldpack_cases

LEVELS = ("district", "street", "community", "cell")


@dataclass
class Day:
    """The project as the packages of ``as_of`` see it (urban grid system)."""

    as_of: str
    eff: pd.DataFrame  # effective responsibility of the whole grid that day
    areas: dict[str, gpd.GeoDataFrame]  # level → the day's areas of that level
    enterprises: gpd.GeoDataFrame
    open_cases: gpd.GeoDataFrame  # every open case, with its category name
    categories: list[tuple[str, str]]
    plugin: Any  # the drawing plug-in (maps.plugin), None when not installed


def read_day(store: Store, as_of: str, eff: pd.DataFrame) -> Day:
    """The day's frames; ``eff`` is :func:`~gridmgr.registers.responsibility.effective` of
    that day, worked out by the caller (once)."""
    from ..renderers import renderer

    try:
        plugin = renderer()
    except UsageError:
        plugin = None
    areas = {lvl: store.areas(lvl, system="urban", as_of=as_of) for lvl in LEVELS}
    return Day(as_of=as_of, eff=eff, areas=areas, enterprises=store.enterprises(),
               open_cases=fieldpack_cases.all_open_cases(store),
               categories=fieldpack_cases.category_values(store), plugin=plugin)
