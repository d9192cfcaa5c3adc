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
``{code: colour}`` mapping to a pushed layer, :func:`point_payload` does the same for the
enterprises (``gridmap.setPoints``) and :func:`measure_style` turns ``{code: number}`` into class
breaks, aligned colours and the legend ``gridmap.setLegend`` draws.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from gridmgr.geometry import Rings, rings_of
from gridmgr.registers.enterprises import KEY_CLASSES

HERE = Path(__file__).resolve().parent
VENDOR = HERE / "vendor" / "leaflet"
WEB = HERE / "web"
QWEBCHANNEL_JS = "qrc:///qtwebchannel/qwebchannel.js"  # served by QtWebChannel itself

LEVELS = ("district", "street", "community", "cell")
# The full geometry is pushed as it is (the page draws a level only from the zoom where its
# median area is MIN_PX wide, where the detail is wanted).  Simplifying 100k cells with
# coverage_simplify took 5–20 s here, for nothing at the zoom where cells show: ask for it with
# ``simplify=`` if a layer needs it.
SIMPLIFY_ABOVE = 5000
SIMPLIFY_TOLERANCE = 0.0
DECIMALS = 6  # about 0.1 m in lon/lat
MIN_PX = 6  # gridmap.js: a level is drawn once its median area is this many pixels wide
COARSE_ABOVE = 8  # points per area above which a coarse geometry is pushed as well
COARSE_ZOOMS = 3  # the coarse geometry serves this many zoom levels from where a level shows
COARSE_MAX_AREAS = 20_000  # streets, communities (drawn at every zoom); not 100k cells

# Enterprise symbols: the colours of maps.render (the QPainter map); tests check they agree.
# (Not imported from there: this module stays free of Qt.)
CLASS_COLOURS = {"国控": "#b91c1c", "省控": "#ea580c", "市控": "#ca8a04", "一般": "#64748b"}
OTHER_CLASS_COLOUR = "#64748b"
# Zoom levels (Leaflet): below KEY_ONLY_BELOW only key enterprises are drawn (a whole district
# fits at zoom 11–12 in the window, where 3000 markers would hide the grid); labels of codes
# from LABELS_FROM (a 300 m cell is then about 60 px wide), at most MAX_LABELS of them (the ones
# in view).
KEY_ONLY_BELOW = 13
LABELS_FROM = 15
MAX_LABELS = 400
# Measures: a 5-class sequential palette (ColorBrewer YlOrRd) and a grey for "no data".
PALETTE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
NO_DATA_COLOUR = "#d1d5db"
NO_DATA_LABEL = "无数据"


MAP_ID = "map_gridmgr"  # folium's map variable, fixed (folium draws a random one)


def _init_options() -> str:
    return json.dumps({"keyOnlyBelow": KEY_ONLY_BELOW, "labelsFrom": LABELS_FROM,
                       "maxLabels": MAX_LABELS, "keyClasses": list(KEY_CLASSES),
                       "classColours": CLASS_COLOURS, "otherClassColour": OTHER_CLASS_COLOUR},
                      ensure_ascii=False)


_INIT_JS = """
            {map}.attributionControl.setPrefix("Leaflet");
            L.control.scale({{imperial: false}}).addTo({map});
            window.gridmap.init({map}, {options});
        """


def local_assets() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(js, css) as folium's ``(name, url)`` lists: vendored files and Qt's qwebchannel.js."""
    js = [("leaflet", (VENDOR / "leaflet.js").as_uri()),
          ("qwebchannel", QWEBCHANNEL_JS),
          ("gridmap", (WEB / "gridmap.js").as_uri())]
    css = [("leaflet_css", (VENDOR / "leaflet.css").as_uri()),
           ("gridmap_css", (WEB / "gridmap.css").as_uri())]
    return js, css


def folium_page_html() -> str:
    """The page as folium renders it (``folium.Map(tiles=None, prefer_canvas=True)`` with the
    local assets), trailing spaces dropped: the reference :func:`page_html` reproduces without
    importing folium, which cost 0.2–3 s at every start (tests check the two are the same)."""
    import folium
    from branca.element import MacroElement
    from jinja2 import Template

    class GridmapInit(MacroElement):
        """Hands the folium-created Leaflet map to ``gridmap.init`` (after the map exists)."""

        _template = Template("{% macro script(this, kwargs) %}"
                             + _INIT_JS.format(map="{{ this._parent.get_name() }}",
                                               options="{{ this.options }}")
                             + "{% endmacro %}")

        def __init__(self) -> None:
            super().__init__()
            self.options = _init_options()

    m = folium.Map(location=(23.0, 113.1), zoom_start=11, tiles=None, prefer_canvas=True,
                   control_scale=False)  # a metric-only scale is added with gridmap.init
    m._id = MAP_ID.removeprefix("map_")
    m.default_js, m.default_css = local_assets()  # instance attributes hide folium's CDN lists
    GridmapInit().add_to(m)
    html = m.get_root().render()
    return _checked(_tidy(html))


def _tidy(html: str) -> str:
    return "\n".join(line.rstrip() for line in html.split("\n"))


def _checked(html: str) -> str:
    remote = re.findall(r"""(?:src|href)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)""", html)
    if remote:  # folium grew a new default asset: fail loudly rather than go online
        raise RuntimeError(f"map page references remote files: {remote}")
    return html


_PAGE = """<!DOCTYPE html>
<html>
<head>

    <meta http-equiv="content-type" content="text/html; charset=UTF-8" />
{scripts}
{styles}

            <meta name="viewport" content="width=device-width,
                initial-scale=1.0, maximum-scale=1.0, user-scalable=no" />
            <style>
                #{map} {{
                    position: relative;
                    width: 100.0%;
                    height: 100.0%;
                    left: 0.0%;
                    top: 0.0%;
                }}
                .leaflet-container {{ font-size: 1rem; }}
            </style>

            <style>html, body {{
                width: 100%;
                height: 100%;
                margin: 0;
                padding: 0;
            }}
            </style>

            <style>#map {{
                position:absolute;
                top:0;
                bottom:0;
                right:0;
                left:0;
                }}
            </style>

            <script>
                L_NO_TOUCH = false;
                L_DISABLE_3D = false;
            </script>


</head>
<body>


            <div class="folium-map" id="{map}" ></div>

</body>
<script>


            var {map} = L.map(
                "{map}",
                {{
                    center: [23.0, 113.1],
                    crs: L.CRS.EPSG3857,
                    ...{{
  "zoom": 11,
  "zoomControl": true,
  "preferCanvas": true,
}}

                }}
            );




    {init}
</script>
</html>"""


@lru_cache(maxsize=1)
def page_html() -> str:
    """The map page: an empty Leaflet map (no basemap) ready for ``gridmap.setAreas`` — the
    text folium renders (:func:`folium_page_html`), from a template, so a start needs no folium."""
    js, css = local_assets()
    return _checked(_tidy(_PAGE.format(
        map=MAP_ID,
        scripts="\n".join(f'    <script src="{url}"></script>' for _, url in js),
        styles="\n".join(f'    <link rel="stylesheet" href="{url}"/>' for _, url in css),
        init=_INIT_JS.format(map=MAP_ID, options=_init_options()))))


def write_page(directory: str | Path) -> Path:
    """Write the page as ``gridmap.html`` in ``directory`` (created) and return its path."""
    path = Path(directory) / "gridmap.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page_html(), encoding="utf-8")
    return path


def _flat(rings: Rings) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(coords without each ring's closing point, ring_ends, poly_rings, feature_polys)."""
    n_pts = np.diff(rings.ring_offsets)
    keep = np.ones(len(rings.coords), dtype=bool)
    keep[rings.ring_offsets[1:][n_pts > 0] - 1] = False  # drop each ring's closing point
    return (rings.coords[keep], np.cumsum(np.maximum(n_pts - 1, 0)), rings.poly_offsets[1:],
            rings.geom_offsets[1:])


def _packed(rings: Rings) -> dict[str, list]:
    """Polygons as one flat coordinate list with geoarrow-style offsets (see area_payload)."""
    coords, ring_ends, poly_rings, feature_polys = _flat(rings)
    return {"coords": np.round(coords, DECIMALS).ravel().tolist(),
            "ring_ends": ring_ends.tolist(), "poly_rings": poly_rings.tolist(),
            "feature_polys": feature_polys.tolist()}


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<i4").tobytes()).decode("ascii")


def _binary(rings: Rings) -> dict[str, Any]:
    """The same as :func:`_packed`, as base64 int32 arrays: coordinates in millionths of a
    degree from ``origin`` (``(origin + xy) / 1e6`` is exactly the rounded value the JSON list
    holds), offsets as they are.  A quarter of the text, and no number to parse in the page."""
    coords, ring_ends, poly_rings, feature_polys = _flat(rings)
    q = np.rint(coords * 10 ** DECIMALS) if len(coords) else np.zeros((0, 2))
    origin = q.min(axis=0) if len(q) else np.zeros(2)
    d = q - origin
    if len(d) and d.max() >= 2 ** 31:
        raise ValueError("areas span more than 2147 degrees")
    return {"origin": [int(origin[0]), int(origin[1])], "scale": 10 ** DECIMALS,
            "xy": _b64(d), "ring_ends": _b64(ring_ends), "poly_rings": _b64(poly_rings),
            "feature_polys": _b64(feature_polys)}


def decode_binary(d: Mapping[str, Any]) -> dict[str, list]:
    """A binary payload back to the JSON form (what ``gridmap.js`` reads from it)."""
    def ints(key: str) -> np.ndarray:
        return np.frombuffer(base64.b64decode(d[key]), dtype="<i4").astype(np.int64)

    xy = (ints("xy").reshape(-1, 2) + np.asarray(d["origin"], dtype=np.int64)) / d["scale"]
    return {"coords": xy.ravel().tolist(), "ring_ends": ints("ring_ends").tolist(),
            "poly_rings": ints("poly_rings").tolist(),
            "feature_polys": ints("feature_polys").tolist()}


def _simplified(geoms: np.ndarray, tol: float) -> np.ndarray:
    """``shapely.coverage_simplify`` (shared edges stay shared: no gaps open between cells)."""
    ok = ~shapely.is_missing(geoms)
    ok[ok] = ~shapely.is_empty(geoms[ok])
    out = geoms.copy()
    if ok.any():
        out[ok] = shapely.coverage_simplify(geoms[ok], tol, simplify_boundary=False)
    return out


def pixel_degrees(zoom: float) -> float:
    """Degrees of longitude one screen pixel spans at a Leaflet zoom level."""
    return 360.0 / (256.0 * 2.0 ** zoom)


def lod_zoom(geoms: np.ndarray | Rings, min_px: float = MIN_PX) -> int:
    """The zoom from which the median area is ``min_px`` wide (gridmap.js draws a level from
    there; the same rule, so Python knows which zoom the coarse geometry serves)."""
    b = geoms.bounds() if isinstance(geoms, Rings) else shapely.bounds(geoms)
    w = b[:, 2] - b[:, 0]
    w = w[np.isfinite(w) & (w > 0)]
    if not len(w):
        return 0
    return max(0, math.ceil(math.log2(min_px / (256 * float(np.median(w)) / 360))))


def area_features(data: Any) -> tuple[list[str], list[Any], Rings, Any]:
    """(codes, names, rings, geometries-or-None) of a GeoDataFrame or a ``Store.map_areas``."""
    if isinstance(getattr(data, "rings", None), Rings):
        return [str(c) for c in data.codes], list(data.names), data.rings, None
    geoms = np.asarray(data.geometry.values, dtype=object)
    return [str(c) for c in data["code"]], list(data["name"]), rings_of(geoms), geoms


def area_payload(gdf: Any, simplify: float | None = None,
                 simplify_above: int = SIMPLIFY_ABOVE, coarse: bool = True,
                 binary: bool = False, names: bool = True) -> dict[str, Any]:
    """A GeoDataFrame in lon/lat (``code``, ``name``, polygon ``geometry``), or the
    ``Store.map_areas`` of a level in lon/lat, as compact data.

    Coordinates are one flat ``[lon, lat, lon, lat, …]`` array (rings without their closing
    point) with geoarrow-style offsets: ``ring_ends`` (end of each ring in points),
    ``poly_rings`` (end of each polygon in rings, the first ring is the shell) and
    ``feature_polys`` (end of each feature in polygons).  ``binary=True`` gives the same as
    base64 int32 arrays (:func:`_binary`, what the window pushes); ``names=False`` leaves the
    names out (the page writes codes on cells, never their names).  With ``simplify``
    (degrees), layers with more than ``simplify_above`` features are simplified with
    :func:`shapely.coverage_simplify`, which keeps shared edges shared.

    Level of detail: when the areas have many vertices (more than :data:`COARSE_ABOVE` points per
    area on average) a ``coarse`` geometry is added, coverage-simplified to half a pixel at the
    zoom where the layer starts to show, which the page draws below ``coarse["below"]``.
    """
    codes, labels, rings, geoms = area_features(gdf)
    tol = SIMPLIFY_TOLERANCE if simplify is None else simplify
    if tol and len(codes) > simplify_above:
        geoms = _simplified(rings.geoms() if geoms is None else geoms, tol)
        rings = rings_of(geoms)
    pack = _binary if binary else _packed
    out: dict[str, Any] = {
        "codes": codes,
        "names": ["" if n is None or n != n else str(n) for n in labels] if names else [],
        **pack(rings),
    }
    n_pts = len(rings.coords) - int(np.count_nonzero(np.diff(rings.ring_offsets)))
    if coarse and 0 < len(codes) <= COARSE_MAX_AREAS and n_pts / len(codes) > COARSE_ABOVE:
        z = lod_zoom(rings)
        if z == 0:  # shown from the start (a district, streets): from the zoom that fits them
            b = rings.bounds()
            width = np.nanmax(b[:, 2]) - np.nanmin(b[:, 0])
            z = max(0, int(math.log2(1000 / (256 * max(width, 1e-9) / 360))))
        below = z + COARSE_ZOOMS
        geoms = rings.geoms() if geoms is None else geoms
        simple = rings_of(_simplified(geoms, pixel_degrees(below - 1) / 2))
        n_simple = len(simple.coords) - int(np.count_nonzero(np.diff(simple.ring_offsets)))
        if n_simple < 0.75 * n_pts:
            out["coarse"] = {**pack(simple), "below": below}
    return out


def colour_array(codes: Iterable[str], colours: Mapping[str, str | None]) -> list[str | None]:
    """``colours`` ({code: "#rrggbb"}) aligned to the pushed order; None keeps the default."""
    return [colours.get(c) for c in codes]


def _text(value: Any) -> str:
    return "" if value is None or value != value else str(value).strip()


def point_payload(gdf: Any) -> dict[str, Any]:
    """Enterprises (a GeoDataFrame of points in lon/lat, as ``Store.enterprises()``) as compact
    data for ``gridmap.setPoints``: ``codes`` (the credit code, else the uuid, else the row
    number), ``names``, ``classes`` (supervision class, "" when unknown) and one flat
    ``[lon, lat, …]`` array.  Rows without a point are left out; other geometries use their
    representative point.
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    ok = ~shapely.is_missing(geoms)
    ok[ok] = ~shapely.is_empty(geoms[ok])
    idx = np.flatnonzero(ok)
    pts = geoms[idx]
    not_point = shapely.get_type_id(pts) != shapely.GeometryType.POINT.value
    if not_point.any():
        pts = pts.copy()
        pts[not_point] = shapely.point_on_surface(pts[not_point])
    xy = np.round(shapely.get_coordinates(pts), DECIMALS)

    def column(name: str) -> list[Any]:
        return list(gdf[name]) if name in gdf.columns else [None] * len(gdf)

    credit, uuid, names, classes = (column(c) for c in
                                    ("credit_code", "uuid", "name", "supervision_class"))
    codes = [_text(credit[i]) or _text(uuid[i]) or str(i) for i in idx]
    return {
        "codes": codes,
        "names": [_text(names[i]) for i in idx],
        "classes": [_text(classes[i]) for i in idx],
        "coords": xy.ravel().tolist(),
    }


def _number(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _numbers(values: Iterable[Any]) -> np.ndarray:
    """:func:`_number` of each value as one float array, NaN for none (numpy converts ints,
    floats, numeric text and None at C speed; anything else goes value by value)."""
    items = list(values)
    try:
        x = np.array(items, dtype=float)
    except (TypeError, ValueError):
        x = np.array([np.nan if (v := _number(i)) is None else v for i in items], dtype=float)
    if x.ndim != 1:  # a sequence among the values: value by value
        x = np.array([np.nan if (v := _number(i)) is None else v for i in items], dtype=float)
    x[~np.isfinite(x)] = np.nan
    return x


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.4g}"


def class_breaks(values: Iterable[float], bins: Iterable[float] | None = None,
                 k: int = len(PALETTE)) -> list[float]:
    """Class edges ``[b0, b1, …, bn]`` (n ≤ k classes): ``bins`` as given (sorted), else the
    quantiles of ``values``; repeated edges (many equal values) merge their classes."""
    if bins is not None:
        edges = sorted(float(b) for b in bins)
        if len(edges) < 2 or len(edges) - 1 > k:
            raise ValueError(f"bins must give 1 to {k} classes (2 to {k + 1} edges): {edges}")
        return edges
    vals = np.asarray([v for v in values], dtype=float)
    if not len(vals):
        return []
    edges = np.unique(np.quantile(vals, np.linspace(0.0, 1.0, k + 1)))
    if len(edges) == 1:
        edges = np.array([edges[0], edges[0]])
    return [float(e) for e in edges]


def measure_style(codes: Iterable[str], values: Mapping[str, Any], title: str,
                  bins: Iterable[float] | None = None
                  ) -> tuple[list[str], dict[str, Any]]:
    """Colours aligned to ``codes`` for ``{code: number}`` and the legend for ``setLegend``.

    A value ``v`` falls in class ``i`` when ``b[i] <= v < b[i+1]`` (the last class includes its
    upper edge; values outside the bins go to the first or last class).  Codes without a number
    get :data:`NO_DATA_COLOUR`; the legend lists each class as "from – to" and then "无数据".
    """
    codes = list(codes)
    all_values = _numbers(values.values())
    edges = class_breaks(all_values[~np.isnan(all_values)], bins)
    n = max(len(edges) - 1, 0)
    top = len(PALETTE) - 1
    pick = np.round(np.linspace(0, top, n)).astype(int) if n > 1 else [top] * n
    colours = [PALETTE[i] for i in pick]
    x = _numbers(values.get(c) for c in codes)  # one searchsorted, not one per code (100k)
    if n:
        classes = np.searchsorted(np.asarray(edges[1:-1], dtype=float), x, side="right")
        picked = np.asarray(colours, dtype=object)[np.minimum(classes, n - 1)]
        out = np.where(np.isnan(x), NO_DATA_COLOUR, picked).tolist()
    else:
        out = [NO_DATA_COLOUR] * len(codes)
    entries = [{"colour": colours[i], "label": f"{_fmt(edges[i])} – {_fmt(edges[i + 1])}"}
               for i in range(n)]
    entries.append({"colour": NO_DATA_COLOUR, "label": NO_DATA_LABEL})
    return out, {"title": title, "entries": entries}
