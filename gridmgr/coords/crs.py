"""Coordinate reference systems: parsing what users type, and the metric CRS for measuring.

Stored geometry uses one CRS per project (EPSG:4490 CGCS2000 geographic by default).  Areas,
distances and the fishnet are computed in a CGCS2000 3-degree Gauss-Krüger zone chosen by
longitude (EPSG:4534–4554, by central meridian, easting without zone prefix).  Every transformer
is built with ``always_xy=True``: Gauss-Krüger CRSs have north/east axis order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pyproj import CRS
from pyproj.exceptions import CRSError

from ..errors import UsageError

if TYPE_CHECKING:
    import geopandas as gpd

CGCS2000 = "EPSG:4490"


def parse_crs(text: str | int | CRS) -> CRS:
    """A CRS from 'EPSG:4547', '4547', 'cgcs2000', 'wgs84' or WKT/PROJ text; UsageError if unknown."""
    if isinstance(text, CRS):
        return text
    aliases = {"cgcs2000": CGCS2000, "wgs84": "EPSG:4326"}
    t = str(text).strip()
    t = aliases.get(t.lower(), t)
    if t.isdigit():
        t = f"EPSG:{t}"
    try:
        return CRS.from_user_input(t)
    except CRSError as exc:
        raise UsageError(f"无法识别的坐标系 {text!r}：{exc}") from exc


def epsg_of(crs: CRS) -> int | None:
    return crs.to_epsg(min_confidence=90)


def gk_zone_for(lon: float) -> CRS:
    """The CGCS2000 3-degree Gauss-Krüger CRS (by central meridian) whose zone holds ``lon``."""
    cm = int(round(lon / 3.0)) * 3
    cm = min(max(cm, 75), 135)
    return CRS.from_epsg(4534 + (cm - 75) // 3)


def metric_crs(crs: CRS, lon: float) -> CRS:
    """``crs`` itself when projected in metres, else the Gauss-Krüger zone for ``lon``."""
    if crs.is_projected and crs.axis_info and crs.axis_info[0].unit_name in ("metre", "meter"):
        return crs
    return gk_zone_for(lon)


def metric_crs_for(geoms: "gpd.GeoSeries") -> CRS:
    """The metric CRS to measure ``geoms`` in: their own when projected, else their GK zone."""
    crs = CRS.from_user_input(geoms.crs)
    if crs.is_projected:
        return metric_crs(crs, 0.0)
    x0, y0, x1, y1 = geoms.total_bounds
    lon = (x0 + x1) / 2 if np.isfinite(x0) else 114.0
    return metric_crs(crs, lon)


def area_m2(geoms: "gpd.GeoSeries") -> np.ndarray:
    """Areas in m², measured in the data's metric CRS (see :func:`metric_crs_for`)."""
    if len(geoms) == 0:
        return np.array([])
    return geoms.to_crs(metric_crs_for(geoms)).area.to_numpy()
