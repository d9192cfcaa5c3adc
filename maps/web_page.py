"""The offline Leaflet map page and the compact data pushed into it.

The page shell is built with folium (``folium.Map(tiles=None, prefer_canvas=True)``) but every
script and stylesheet it references is a file inside this package: folium's ``default_js`` /
``default_css`` (Leaflet, jQuery, Bootstrap, awesome-markers, Font Awesome — all on CDNs) are
replaced on the instance by the vendored Leaflet 1.9.4 (``maps/vendor/leaflet``, BSD-2), Qt's own
``qrc:///qtwebchannel/qwebchannel.js`` and ``maps/web/gridmap.js``.  No data is embedded in the
page: areas, colours and the selection are pushed after load through ``window.gridmap``
(see ``gridmap.js``), which keeps the page tiny and lets the desktop update it in place.

Everything here is plain Python (no Qt): :func:`page_html` gives the page as a string,
:func:`write_page` writes it to a directory, :func:`area_payload` turns a GeoDataFrame into the
compact JSON-able dict that ``gridmap.setAreas`` reads, :func:`colour_array` aligns a
``{code: colour}`` mapping to a pushed layer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import folium
import numpy as np
import shapely
from branca.element import MacroElement
from jinja2 import Template

HERE = Path(__file__).resolve().parent
VENDOR = HERE / "vendor" / "leaflet"
WEB = HERE / "web"
QWEBCHANNEL_JS = "qrc:///qtwebchannel/qwebchannel.js"  # served by QtWebChannel itself

LEVELS = ("district", "street", "community", "cell")
# Above this many polygons a layer is simplified (shared edges kept) before it is pushed.
SIMPLIFY_ABOVE = 5000
SIMPLIFY_TOLERANCE = 2e-5  # degrees, about 2 m: invisible at the zoom where cells show
DECIMALS = 6  # about 0.1 m in lon/lat


class _GridmapInit(MacroElement):
    """Hands the folium-created Leaflet map to ``gridmap.init`` (after the map exists)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.attributionControl.setPrefix("Leaflet");
            L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
            window.gridmap.init({{ this._parent.get_name() }});
        {% endmacro %}
    """)


def local_assets() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(js, css) as folium's ``(name, url)`` lists: vendored files and Qt's qwebchannel.js."""
    js = [("leaflet", (VENDOR / "leaflet.js").as_uri()),
          ("qwebchannel", QWEBCHANNEL_JS),
          ("gridmap", (WEB / "gridmap.js").as_uri())]
    css = [("leaflet_css", (VENDOR / "leaflet.css").as_uri()),
           ("gridmap_css", (WEB / "gridmap.css").as_uri())]
    return js, css


def page_html() -> str:
    """The map page: an empty Leaflet map (no basemap) ready for ``gridmap.setAreas``."""
    m = folium.Map(location=(23.0, 113.1), zoom_start=11, tiles=None, prefer_canvas=True,
                   control_scale=False)  # a metric-only scale is added with gridmap.init
    m.default_js, m.default_css = local_assets()  # instance attributes hide folium's CDN lists
    _GridmapInit().add_to(m)
    html = m.get_root().render()
    remote = re.findall(r"""(?:src|href)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)""", html)
    if remote:  # folium grew a new default asset: fail loudly rather than go online
        raise RuntimeError(f"map page references remote files: {remote}")
    return html


def write_page(directory: str | Path) -> Path:
    """Write the page as ``gridmap.html`` in ``directory`` (created) and return its path."""
    path = Path(directory) / "gridmap.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page_html(), encoding="utf-8")
    return path


def area_payload(gdf: Any, simplify: float | None = None,
                 simplify_above: int = SIMPLIFY_ABOVE) -> dict[str, Any]:
    """A GeoDataFrame in lon/lat (``code``, ``name``, polygon ``geometry``) as compact data.

    Coordinates are one flat ``[lon, lat, lon, lat, …]`` array (rings without their closing
    point) with geoarrow-style offsets: ``ring_ends`` (end of each ring in points),
    ``poly_rings`` (end of each polygon in rings, the first ring is the shell) and
    ``feature_polys`` (end of each feature in polygons).  Layers with more than
    ``simplify_above`` features are simplified with :func:`shapely.coverage_simplify`, which keeps
    shared edges shared; ``simplify`` sets the tolerance in degrees (0 turns it off).
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    tol = SIMPLIFY_TOLERANCE if simplify is None else simplify
    if tol and len(geoms) > simplify_above:
        ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
        if ok.any():
            geoms = geoms.copy()
            geoms[ok] = shapely.coverage_simplify(geoms[ok], tol, simplify_boundary=False)
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    polys = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON.value
    parts, part_of = parts[polys], part_of[polys]
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, coord_of = shapely.get_coordinates(rings, return_index=True)
    n_pts = np.bincount(coord_of, minlength=len(rings)) if len(rings) else np.zeros(0, int)
    keep = np.ones(len(coords), dtype=bool)
    keep[np.cumsum(n_pts)[n_pts > 0] - 1] = False  # drop each ring's closing point
    coords = np.round(coords[keep], DECIMALS)
    ring_ends = np.cumsum(np.maximum(n_pts - 1, 0))
    poly_rings = np.cumsum(np.bincount(ring_of, minlength=len(parts)))
    feature_polys = np.cumsum(np.bincount(part_of, minlength=len(geoms)))
    return {
        "codes": [str(c) for c in gdf["code"]],
        "names": ["" if n is None or n != n else str(n) for n in gdf["name"]],
        "coords": coords.ravel().tolist(),
        "ring_ends": ring_ends.tolist(),
        "poly_rings": poly_rings.tolist(),
        "feature_polys": feature_polys.tolist(),
    }


def colour_array(codes: Iterable[str], colours: Mapping[str, str | None]) -> list[str | None]:
    """``colours`` ({code: "#rrggbb"}) aligned to the pushed order; None keeps the default."""
    return [colours.get(c) for c in codes]
