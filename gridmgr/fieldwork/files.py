"""The files of a field package: GeoPackage for QField/QGIS, task list, KML, GPX, map layers.

* ``data.gpkg`` is written by GDAL (pyogrio) so QField and QGIS open it as it is.  Value lists
  (inspection result, case progress action, case category) are GeoPackage schema-extension enums
  (``gpkg_data_columns`` + ``gpkg_data_column_constraints``), which GDAL reads as coded field
  domains and QGIS shows as dropdowns; the Chinese titles there become field aliases (GDAL's
  alternative names).  Dates and times are declared DATE/DATETIME.  The QGIS/QField project
  and the layer styles beside them are :mod:`.qfield`'s.
* KML and GPX are WGS84 longitude/latitude, as their specifications say, not GCJ-02: an app
  that draws on a GCJ-02 basemap has to convert on import (see docs/readme-fieldwork.md).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from copy import copy
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import geopandas as gpd
import pandas as pd
import pyogrio

from ..storage.package_gpkg import declare_types, write_value_lists
from ..text import sheet_cell, xml_safe
from .scope import Scope

INSPECTION_LAYER = "inspections"
PROGRESS_LAYER = "case_progress"
META_LAYER = "fieldpack_meta"
# enterprise fields the field may correct (besides the location)
ENTERPRISE_EDITABLE = ("contact", "phone", "address")

# column → Chinese title (QGIS shows it as the field alias)
TITLES = {
    "cells": {"code": "网格编码", "name": "网格名称", "community_name": "社区", "street_name": "街道",
              "primary_name": "责任人", "primary_mobile": "责任人电话",
              "supervisor_name": "区级监管责任人", "supervisor_mobile": "监管责任人电话",
              "collectors": "信息采集员", "team_text": "网格团队"},
    "enterprises": {"name": "企业名称", "credit_code": "统一社会信用代码", "industry": "所属行业",
                    "supervision_class": "监管类别", "rating": "环境行为等级",
                    "inspection_frequency": "检查频次", "contact": "联系人", "phone": "联系电话",
                    "address": "地址", "last_inspection": "最近检查日期", "next_due": "下次应检日期",
                    "overdue": "检查逾期", "due": "本期应检", "cell_code": "网格编码",
                    "cell_name": "网格名称"},
    "cases": {"case_no": "案件编号", "source": "来源", "category_code": "小类编码",
              "category_name": "小类", "description": "问题描述", "address": "地址",
              "status": "状态", "reported_at": "上报时间", "due_at": "本阶段截止",
              "dispose_due_at": "处置截止", "handler_staff_no": "处置人工号",
              "cell_code": "网格编码"},
    INSPECTION_LAYER: {"enterprise_uuid": "企业UUID（从企业图层复制）", "by_staff_no": "检查人工号",
                       "at": "检查时间", "result": "检查结果", "findings": "发现的问题",
                       "opens_case": "立案上报", "case_category": "案件小类", "photo": "照片"},
    PROGRESS_LAYER: {"case_uuid": "案件UUID", "action": "操作", "at": "时间",
                     "by_staff_no": "工号", "note": "情况说明", "photo": "照片"},
}
INSPECTION_COLUMNS = ("uuid", "enterprise_uuid", "by_staff_no", "at", "result", "findings",
                      "opens_case", "case_category", "photo")
PROGRESS_COLUMNS = ("uuid", "case_uuid", "action", "at", "by_staff_no", "note", "photo")
# text columns holding dates or Beijing local times, declared so that GDAL/QGIS read them so
DATE_TYPES = {"enterprises": {"last_inspection": "DATE", "next_due": "DATE"},
              "cases": {"reported_at": "DATETIME", "due_at": "DATETIME",
                        "dispose_due_at": "DATETIME"}}


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    text = str(v)
    if len(text) == 19 and text[10] == "T" and text[4] == "-":  # a stored time, for people
        return text.replace("T", " ")[:16]
    return text


# --------------------------------------------------------------------------- GeoPackage

def _strings(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Object columns as text (None stays None), booleans as bool: GDAL field types follow."""
    out = gdf.copy()
    for c in out.columns:
        if c == out.geometry.name:
            continue
        if c in ("overdue", "due"):
            out[c] = out[c].astype(bool)
        elif out[c].dtype == object:
            out[c] = [None if v is None or (isinstance(v, float) and v != v) else str(v)
                      for v in out[c]]
    return out


@contextmanager
def _unsynced() -> Iterator[None]:
    """GDAL writes the package's GeoPackage without waiting for the disk after each layer
    (SQLite ``synchronous = OFF``): the file is a draft in the package's staging folder, of
    no use until the whole package is moved or zipped into place, so a flush per layer only
    waits (seconds on a busy disk) and guards nothing."""
    before = pyogrio.get_gdal_config_option(_SYNC)
    pyogrio.set_gdal_config_options({_SYNC: "OFF"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({_SYNC: before})


_SYNC = "OGR_SQLITE_SYNCHRONOUS"


def write_gpkg(path: Path, frames: dict[str, gpd.GeoDataFrame], crs: Any,
               manifest: dict[str, Any], *, results: tuple[str, ...],
               actions: tuple[str, ...], categories: list[tuple[str, str]]) -> None:
    """The package's data: cells, enterprises, open cases, and the layers the field fills."""
    with warnings.catch_warnings(), _unsynced():
        warnings.filterwarnings("ignore", category=RuntimeWarning)
        for name in ("cells", "enterprises", "cases"):
            gdf = _strings(frames[name])
            gtype = "MultiPolygon" if name == "cells" else "Point"
            # GeoPackage 1.3: what the project file uses and what older GDAL/QGIS read fully
            opts = {"dataset_options": {"VERSION": "1.3"}} if name == "cells" else {}
            pyogrio.write_dataframe(gdf, path, layer=name, driver="GPKG",
                                    geometry_type=gtype, promote_to_multi=name == "cells",
                                    **opts)
        insp = gpd.GeoDataFrame(
            {"uuid": pd.Series([], dtype=object), "enterprise_uuid": pd.Series([], dtype=object),
             "by_staff_no": pd.Series([], dtype=object),
             "at": pd.Series([], dtype="datetime64[ms]"),
             "result": pd.Series([], dtype=object), "findings": pd.Series([], dtype=object),
             "opens_case": pd.Series([], dtype=bool),
             "case_category": pd.Series([], dtype=object),
             "photo": pd.Series([], dtype=object)}, geometry=[], crs=crs)
        pyogrio.write_dataframe(insp, path, layer=INSPECTION_LAYER, driver="GPKG",
                                geometry_type="Point")
        prog = pd.DataFrame({c: pd.Series([], dtype="datetime64[ms]" if c == "at" else object)
                             for c in PROGRESS_COLUMNS})
        pyogrio.write_dataframe(prog, path, layer=PROGRESS_LAYER, driver="GPKG")
        meta = pd.DataFrame({"key": ["package_uuid", "project_uuid", "format", "staff_no",
                                     "as_of", "created_at"],
                             "value": [manifest["package_uuid"], manifest["project_uuid"],
                                       manifest["format"], manifest["scope"]["staff_no"] or "",
                                       manifest["scope"]["as_of"], manifest["created_at"]]})
        pyogrio.write_dataframe(meta, path, layer=META_LAYER, driver="GPKG")
    _value_lists(path, results, actions, categories)
    declare_types(path, DATE_TYPES)


def _value_lists(path: Path, results: tuple[str, ...], actions: tuple[str, ...],
                 categories: list[tuple[str, str]]) -> None:
    enums: dict[str, list[tuple[str, str]]] = {
        "inspection_result": [(r, r) for r in results],
        "progress_action": [(a, a) for a in actions],
    }
    bound = {(INSPECTION_LAYER, "result"): "inspection_result",
             (PROGRESS_LAYER, "action"): "progress_action"}
    if categories:
        enums["case_category"] = categories
        bound[(INSPECTION_LAYER, "case_category")] = "case_category"
    write_value_lists(path, enums, TITLES, bound)


# --------------------------------------------------------------------------- task list (XLSX)

def task_tables(scope: Scope, wgs: dict[str, gpd.GeoDataFrame], eff: pd.DataFrame
                ) -> dict[str, pd.DataFrame]:
    """The task list as tables with Chinese headers: enterprises due, open cases, contacts."""
    ents = wgs["enterprises"]
    due = ents[ents["due"].astype(bool)]
    due = due.assign(lon=due.geometry.x.round(6), lat=due.geometry.y.round(6))
    ent_tab = pd.DataFrame({
        "网格": due["cell_code"], "企业名称": due["name"], "地址": due["address"],
        "联系人": due["contact"], "联系电话": due["phone"], "监管类别": due["supervision_class"],
        "检查频次": due["inspection_frequency"], "最近检查": due["last_inspection"],
        "应检日期": due["next_due"], "逾期": ["是" if o else "" for o in due["overdue"]],
        "经度": due["lon"], "纬度": due["lat"]})
    cases = wgs["cases"]
    case_tab = pd.DataFrame({
        "案件编号": cases["case_no"], "网格": cases["cell_code"], "状态": cases["status"],
        "小类": cases["category_name"], "问题描述": cases["description"],
        "地址": cases["address"], "本阶段截止": cases["due_at"],
        "处置截止": cases["dispose_due_at"]})
    if len(case_tab):
        case_tab = case_tab.sort_values(["处置截止", "案件编号"], na_position="last")
    contacts = pd.DataFrame({
        "网格编码": eff["cell_code"], "网格名称": eff["cell_name"], "社区": eff["community_name"],
        "责任人": eff["primary_name"], "责任人电话": eff["primary_mobile"],
        "区级监管责任人": eff["supervisor_name"], "监管责任人电话": eff["supervisor_mobile"]}
    ).sort_values("网格编码")
    return {"待检查企业": ent_tab.reset_index(drop=True),
            "未结案件": case_tab.reset_index(drop=True),
            "联系人": contacts.reset_index(drop=True)}


def write_tasks_xlsx(path: Path, scope: Scope, wgs: dict[str, gpd.GeoDataFrame],
                     eff: pd.DataFrame) -> None:
    """The task list as a workbook: a sheet per table, title and bold header frozen above the
    rows, columns as wide as their text (up to 50), body cells top-aligned and wrapped in a
    column that would be wider.  The body's two looks are named styles, set by name on each
    cell: openpyxl then keeps one style record, not an alignment object per cell."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, NamedStyle
    from openpyxl.styles.borders import DEFAULT_BORDER
    from openpyxl.styles.fonts import DEFAULT_FONT
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    body = {False: "gridmgr_top", True: "gridmgr_top_wrap"}
    for wrap, name in body.items():
        wb.add_named_style(NamedStyle(name, font=copy(DEFAULT_FONT), border=copy(DEFAULT_BORDER),
                                      alignment=Alignment(wrap_text=wrap, vertical="top")))
    title = (f"外业任务清单 {scope.label}  日期 {scope.as_of}  单元网格 {len(scope.cells)} 个")
    for sheet, table in task_tables(scope, wgs, eff).items():
        ws = wb.create_sheet(sheet)
        ws.append([sheet_cell(title)])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([sheet_cell(c) for c in table.columns])
        bold = Font(bold=True)
        for cell in ws[2]:
            cell.font = bold
        for row in table.itertuples(index=False):
            ws.append([None if (isinstance(v, float) and v != v) else sheet_cell(v) for v in row])
        ws.freeze_panes = "A3"
        for i, col in enumerate(table.columns, start=1):
            values = [str(col), *(_text(v) for v in table[col].head(200))]
            width = max(len(v.encode("gbk", "replace")) for v in values) + 2
            ws.column_dimensions[get_column_letter(i)].width = min(max(width, 8), 50)
            style = body[width > 50]
            for (c,) in ws.iter_rows(min_row=3, min_col=i, max_col=i):
                c.style = style
    wb.save(path)


# --------------------------------------------------------------------------- KML and GPX

_KML_STYLES = """<Style id="cell"><LineStyle><color>ff2563eb</color><width>1.5</width></LineStyle>
<PolyStyle><color>262563eb</color></PolyStyle></Style>
<Style id="enterprise"><IconStyle><color>ff0b61ea</color><scale>0.9</scale></IconStyle></Style>
<Style id="enterprise_due"><IconStyle><color>ff1c1cb9</color><scale>1.1</scale></IconStyle></Style>
<Style id="case"><IconStyle><color>ff0000ff</color><scale>1.1</scale></IconStyle></Style>
"""


def _esc(text: str) -> str:
    """Text as XML character data: markup escaped, and the control characters XML cannot hold
    (a NUL typed into a name) dropped, so that one bad name cannot make the whole file
    unreadable."""
    return escape(xml_safe(text))


def _coords(ring: Any) -> str:
    return " ".join(f"{x:.7f},{y:.7f}" for x, y in ring.coords)


def _kml_polygon(geom: Any) -> str:
    polys = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    parts = []
    for p in polys:
        inner = "".join(f"<innerBoundaryIs><LinearRing><coordinates>{_coords(r)}</coordinates>"
                        "</LinearRing></innerBoundaryIs>" for r in p.interiors)
        parts.append(f"<Polygon><outerBoundaryIs><LinearRing><coordinates>"
                     f"{_coords(p.exterior)}</coordinates></LinearRing></outerBoundaryIs>"
                     f"{inner}</Polygon>")
    return parts[0] if len(parts) == 1 else f"<MultiGeometry>{''.join(parts)}</MultiGeometry>"


def _extended(layer: str, rec: dict[str, Any]) -> str:
    """The record's fields as typed data of the layer's ``<Schema>``: ASCII field names (GDAL
    turns non-ASCII names into underscores, and names of one length then collide), the
    Chinese name as the schema field's ``displayName``."""
    data = "".join(f'<SimpleData name="{c}">{_esc(_text(rec.get(c)))}</SimpleData>'
                   for c in _kml_fields(layer) if _text(rec.get(c)))
    return f'<ExtendedData><SchemaData schemaUrl="#{layer}">{data}</SchemaData></ExtendedData>'


def _kml_fields(layer: str) -> list[str]:
    """The layer's fields in ExtendedData: all but ``name`` and ``description``, which are the
    Placemark's own elements (GDAL reads them into its Name and description columns)."""
    return [c for c in TITLES[layer] if c not in ("name", "description")]


def _schemas() -> str:
    """One ``<Schema>`` per KML folder: every field a string, with its Chinese display name."""
    out = []
    for layer in ("cells", "enterprises", "cases"):
        fields = "".join(f'<SimpleField name="{c}" type="string"><displayName>'
                         f"{_esc(TITLES[layer][c])}</displayName></SimpleField>"
                         for c in _kml_fields(layer))
        out.append(f'<Schema name="{layer}" id="{layer}">{fields}</Schema>')
    return "\n".join(out)


def _records(gdf: gpd.GeoDataFrame) -> list[tuple[dict[str, Any], Any]]:
    return list(zip(gdf.drop(columns=gdf.geometry.name).to_dict("records"), gdf.geometry))


def write_kml(path: Path, scope: Scope, wgs: dict[str, gpd.GeoDataFrame]) -> None:
    """Cells as polygons, enterprises and cases as placemarks, in WGS84 (the KML standard)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>',
           f"<name>{_esc('外业包 ' + scope.label)}</name>", _schemas(), _KML_STYLES]
    out.append("<Folder><name>单元网格</name>")
    for rec, g in _records(wgs["cells"]):
        out.append(f"<Placemark><name>{_esc(_text(rec['name']) or rec['code'])}</name>"
                   f"<styleUrl>#cell</styleUrl>{_extended('cells', rec)}"
                   f"{_kml_polygon(g)}</Placemark>")
    out.append("</Folder><Folder><name>企业</name>")
    for rec, g in _records(wgs["enterprises"]):
        style = "enterprise_due" if rec.get("due") else "enterprise"
        out.append(f"<Placemark><name>{_esc(_text(rec['name']))}</name>"
                   f"<styleUrl>#{style}</styleUrl>{_extended('enterprises', rec)}"
                   f"<Point><coordinates>{g.x:.7f},{g.y:.7f}</coordinates></Point></Placemark>")
    out.append("</Folder><Folder><name>未结案件</name>")
    for rec, g in _records(wgs["cases"]):
        if g is None or g.is_empty:
            continue
        name = f"{_text(rec['case_no'])} {_text(rec.get('category_name'))}".strip()
        desc = _text(rec.get("description"))
        desc = f"<description>{_esc(desc)}</description>" if desc else ""
        out.append(f"<Placemark><name>{_esc(name)}</name>{desc}<styleUrl>#case</styleUrl>"
                   f"{_extended('cases', rec)}"
                   f"<Point><coordinates>{g.x:.7f},{g.y:.7f}</coordinates></Point></Placemark>")
    out.append("</Folder></Document></kml>")
    path.write_text("\n".join(out), encoding="utf-8")


def write_gpx(path: Path, scope: Scope, wgs: dict[str, gpd.GeoDataFrame]) -> None:
    """Waypoints: enterprises (those due first) and open cases, WGS84."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<gpx version="1.1" creator="gridmgr" xmlns="http://www.topografix.com/GPX/1/1">',
           f"<metadata><name>{_esc('外业包 ' + scope.label)}</name></metadata>"]
    ents = wgs["enterprises"]
    ents = ents.iloc[sorted(range(len(ents)), key=lambda i: not bool(ents["due"].iloc[i]))]
    for rec, g in _records(ents):
        desc = "；".join(x for x in (_text(rec.get("address")), _text(rec.get("contact")),
                                     _text(rec.get("phone")),
                                     "本期应检" if rec.get("due") else "") if x)
        out.append(f'<wpt lat="{g.y:.7f}" lon="{g.x:.7f}"><name>{_esc(_text(rec["name"]))}'
                   f"</name><desc>{_esc(desc)}</desc><type>企业</type></wpt>")
    for rec, g in _records(wgs["cases"]):
        if g is None or g.is_empty:
            continue
        desc = "；".join(x for x in (_text(rec.get("description")), _text(rec.get("address")),
                                     "处置截止 " + _text(rec.get("dispose_due_at"))) if x)
        out.append(f'<wpt lat="{g.y:.7f}" lon="{g.x:.7f}"><name>{_esc(_text(rec["case_no"]))}'
                   f"</name><desc>{_esc(desc)}</desc><type>案件</type></wpt>")
    out.append("</gpx>")
    path.write_text("\n".join(out), encoding="utf-8")


# --------------------------------------------------------------------------- map and printing

def map_layers(wgs: dict[str, gpd.GeoDataFrame]) -> dict[str, Any]:
    """Plain data for the offline map: GeoJSON-like dicts with the popup fields in Chinese."""
    def features(gdf: gpd.GeoDataFrame, layer: str, extra: dict[str, str]) -> list[dict]:
        titles = {**TITLES[layer], **extra}
        out = []
        for rec, g in _records(gdf):
            if g is None or g.is_empty:
                continue
            props = {t: _text(rec.get(c)) for c, t in titles.items() if _text(rec.get(c))}
            out.append({"type": "Feature", "geometry": g.__geo_interface__, "properties": props,
                        "id": rec.get("uuid")})
        return out

    return {
        "cells": features(wgs["cells"], "cells", {}),
        "enterprises": features(wgs["enterprises"], "enterprises", {}),
        "cases": features(wgs["cases"], "cases", {}),
    }


def print_tasks_pdf(plugin: Any, folder: Path, scope: Scope,
                    wgs: dict[str, gpd.GeoDataFrame], eff: pd.DataFrame) -> bool:
    """The task list as PDF through the printing renderer, when it offers one."""
    fn = getattr(plugin, "print_table", None) if plugin is not None else None
    if fn is None:
        return False
    tables = {k: v.drop(columns=[c for c in ("经度", "纬度") if c in v.columns])
              for k, v in task_tables(scope, wgs, eff).items()}
    tables = {k: pd.DataFrame({c: [_text(x) for x in v[c]] for c in v.columns})
              for k, v in tables.items()}
    fn(str(folder / "tasks.pdf"), title=f"外业任务清单 {scope.label}",
       subtitle=f"日期 {scope.as_of}，单元网格 {len(scope.cells)} 个；应检企业为已逾期或 7 日内"
                "到期的企业", tables=tables)
    return True


ATLAS_CELL_PAGES = 40  # up to this many cells an atlas page per cell, else one per community


def print_atlas(plugin: Any, store: Any, folder: Path, scope: Scope,
                grid_eff: pd.DataFrame | None = None, *,
                areas: dict[str, gpd.GeoDataFrame] | None = None,
                enterprises: gpd.GeoDataFrame | None = None) -> Any:
    """The scope's cells as an atlas (A4, one page per cell, or per community for a large
    scope) through the printing renderer; a task returning True, or False when the renderer
    has no print_map.  ``grid_eff``: the whole grid's effective responsibility of the scope's
    day, so that it is not worked out a second time; ``areas`` and ``enterprises``: the day's
    frames, so that they are not read a second time (see :func:`.outputs.sheets.gather`)."""
    fn = getattr(plugin, "print_map", None) if plugin is not None else None
    if fn is None:
        return False
    from ..errors import UsageError
    from ..outputs.sheets import gather

    atlas = "cell" if len(scope.cells) <= ATLAS_CELL_PAGES else "community"
    where = f"officer:{scope.staff_no}" if scope.kind == "officer" else scope.value
    try:
        job = gather(store, scope=where, atlas=atlas, as_of=scope.as_of, eff=grid_eff,
                     areas=areas, enterprises=enterprises)
    except UsageError:
        return False
    yield from fn(job, folder / "atlas.pdf", paper="A4")
    return True
