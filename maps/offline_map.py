"""An offline HTML map in ONE file: Leaflet, its images and the data are inside the page.

A field package's ``map.html`` opens in any browser with the network off (a phone's file viewer,
a laptop): the vendored Leaflet (``maps/vendor/leaflet``) and its CSS are inlined, the CSS images
become data: URIs, and the layers are GeoJSON inside a ``<script>``.  No tiles: cells, enterprises
(circle markers, the ones due for inspection in red) and open cases (triangles) are drawn on a
plain background with a layer switch, a scale bar and popups in Chinese.  The page exposes
``window.fieldmap`` (the Leaflet map and the marker counts) for tests.

Plain Python (no Qt needed), but it lives in maps/ because it draws.
"""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path
from typing import Any

VENDOR = Path(__file__).resolve().parent / "vendor" / "leaflet"

_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{leaflet_css}</style>
<style>
html, body {{ margin: 0; height: 100%; font-family: "Microsoft YaHei", "PingFang SC",
  "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; }}
#map {{ position: absolute; top: 36px; bottom: 0; left: 0; right: 0; background: #f8fafc; }}
#bar {{ position: absolute; top: 0; left: 0; right: 0; height: 36px; line-height: 36px;
  padding: 0 10px; background: #1e3a5f; color: #fff; font-size: 15px; overflow: hidden;
  white-space: nowrap; }}
.fm-legend {{ background: #fff; padding: 6px 8px; font-size: 12px; line-height: 18px;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3); }}
.fm-legend i {{ display: inline-block; width: 10px; height: 10px; border-radius: 5px;
  margin-right: 5px; }}
.fm-pop table {{ border-collapse: collapse; font-size: 12px; }}
.fm-pop td {{ padding: 1px 4px; vertical-align: top; }}
.fm-pop td:first-child {{ color: #555; white-space: nowrap; }}
.fm-label {{ background: none; border: none; box-shadow: none; font-size: 11px; color: #1e3a5f;
  font-weight: bold; }}
</style></head>
<body><div id="bar">{title}</div><div id="map"></div>
<script>{leaflet_js}</script>
<script>
var FIELD_DATA = {data};
(function () {{
  "use strict";
  var map = L.map("map", {{ preferCanvas: true, zoomControl: true }});
  map.attributionControl.setPrefix("Leaflet");
  L.control.scale({{ imperial: false }}).addTo(map);
  // every text from the data is escaped: names, addresses and case numbers are typed by
  // people (or by an attacker) and must show as text, never run as markup
  function esc(t) {{
    return String(t === null || t === undefined ? "" : t).replace(/[&<>"']/g, function (c) {{
      return {{ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }}[c];
    }});
  }}
  function popup(p, title) {{
    var rows = Object.keys(p).map(function (k) {{
      return "<tr><td>" + esc(k) + "</td><td>" + esc(p[k]) + "</td></tr>";
    }}).join("");
    return "<div class='fm-pop'><b>" + esc(title) + "</b><table>" + rows + "</table></div>";
  }}
  var counts = {{ cells: 0, enterprises: 0, cases: 0 }};
  var cells = L.geoJSON({{ type: "FeatureCollection", features: FIELD_DATA.cells }}, {{
    style: {{ color: "#2563eb", weight: 1.2, fillColor: "#dbeafe", fillOpacity: 0.45 }},
    onEachFeature: function (f, layer) {{
      counts.cells++;
      layer.bindPopup(popup(f.properties, "单元网格"));
      layer.bindTooltip(esc(f.properties["网格名称"] || f.properties["网格编码"] || ""),
        {{ permanent: false, className: "fm-label" }});
    }}
  }}).addTo(map);
  var enterprises = L.geoJSON({{ type: "FeatureCollection", features: FIELD_DATA.enterprises }}, {{
    pointToLayer: function (f, ll) {{
      var due = f.properties["本期应检"] === "是";
      return L.circleMarker(ll, {{ radius: due ? 7 : 5, color: "#fff", weight: 1,
        fillColor: due ? "#dc2626" : "#475569", fillOpacity: 0.95 }});
    }},
    onEachFeature: function (f, layer) {{
      counts.enterprises++;
      layer.bindPopup(popup(f.properties, f.properties["企业名称"] || "企业"));
    }}
  }}).addTo(map);
  var cases = L.geoJSON({{ type: "FeatureCollection", features: FIELD_DATA.cases }}, {{
    pointToLayer: function (f, ll) {{
      return L.circleMarker(ll, {{ radius: 8, color: "#7c2d12", weight: 2,
        fillColor: "#f59e0b", fillOpacity: 0.95 }});
    }},
    onEachFeature: function (f, layer) {{
      counts.cases++;
      layer.bindPopup(popup(f.properties, "案件 " + (f.properties["案件编号"] || "")));
    }}
  }}).addTo(map);
  L.control.layers(null, {{ "单元网格": cells, "企业": enterprises, "未结案件": cases }},
    {{ collapsed: false }}).addTo(map);
  var legend = L.control({{ position: "bottomright" }});
  legend.onAdd = function () {{
    var d = L.DomUtil.create("div", "fm-legend");
    d.innerHTML = "<i style='background:#dc2626'></i>本期应检企业<br>" +
      "<i style='background:#475569'></i>其他企业<br>" +
      "<i style='background:#f59e0b;border:1px solid #7c2d12'></i>未结案件";
    return d;
  }};
  legend.addTo(map);
  var all = L.featureGroup([cells, enterprises, cases]);
  if (all.getLayers().length && all.getBounds().isValid()) {{
    map.fitBounds(all.getBounds(), {{ padding: [12, 12] }});
  }} else {{
    map.setView([23.0, 113.1], 12);
  }}
  window.fieldmap = {{ map: map, counts: counts, layers: {{ cells: cells,
    enterprises: enterprises, cases: cases }} }};
}})();
</script></body></html>
"""


def _inline_css() -> str:
    css = (VENDOR / "leaflet.css").read_text(encoding="utf-8")

    def data_uri(m: re.Match[str]) -> str:
        png = VENDOR / m.group(1)
        if not png.exists():
            return m.group(0)
        return "url(data:image/png;base64," + base64.b64encode(png.read_bytes()).decode() + ")"

    return re.sub(r"url\((images/[^)]+\.png)\)", data_uri, css)


def page(layers: dict[str, list[dict[str, Any]]], *, title: str) -> str:
    """The whole page as one string.  ``layers``: ``cells``, ``enterprises``, ``cases`` as lists
    of GeoJSON features (WGS84) whose properties are the popup rows."""
    data = {k: layers.get(k, []) for k in ("cells", "enterprises", "cases")}
    # "</script" ends a script early and "<!--<script" makes the parser swallow the rest of
    # the page: no "<", ">" or "&" is left in the JSON at all (its \\u escapes mean the same)
    text = (json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
    js = (VENDOR / "leaflet.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    return _PAGE.format(title=html.escape(title), leaflet_css=_inline_css(), leaflet_js=js,
                        data=text)


def write_offline_map(path: str | Path, layers: dict[str, list[dict[str, Any]]], *,
                      title: str) -> Path:
    p = Path(path)
    p.write_text(page(layers, title=title), encoding="utf-8")
    return p
