"""The QField/QGIS project of a field package: ``fieldpack.qgs`` beside ``data.gpkg``.

Written with xml.etree in QGIS's project format (the one QGIS 3.22 writes; QField reads it):

* the layers in drawing order — inspections and case progress (what the officer fills in) on
  top, then open cases, enterprises, cells — with the package's styles;
* two map themes: 今日任务 (the cells, the enterprises due this period, the open cases, the
  inspections) and 全部;
* the forms: value lists (inspection result, case category, progress action), Chinese aliases,
  default values (a uuid, the officer's staff number from the project variable
  ``gridmgr_staff_no``, now()), a photo field stored relative to the project (``DCIM/…``);
* relations enterprise → inspections and case → progress, offered in the forms as references;
* the layers the officer must not edit (cells, cases, the package's own table) read-only, and
  on enterprises only the fields the field may correct (contact, phone, address, location).

The same styles go into ``data.gpkg``'s ``layer_styles`` so that opening the GeoPackage alone in
QGIS shows them too (without the relations, which only a project holds).
"""

from __future__ import annotations

import json
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pyproj import CRS

from ..outputs.qgis_styles import (
    ENTERPRISE_OTHER_KEY,
    LayerStyle,
    area_style,
    case_style,
    enterprise_style,
    inspection_style,
    layer_elements,
    table_style,
)
from ..outputs.qgis_xml import (
    QGIS_VERSION,
    FieldForm,
    custom_properties,
    datetime_config,
    photo_config,
    rule_keys,
    sub,
    to_text,
    value_map,
)
from .files import ENTERPRISE_EDITABLE, INSPECTION_LAYER, META_LAYER, PROGRESS_LAYER, TITLES

PROJECT_FILE = "fieldpack.qgs"
PHOTO_DIR = "DCIM"
STAFF_VARIABLE = "gridmgr_staff_no"
THEME_TODAY = "今日任务"
THEME_ALL = "全部"
LAYER_NAMES = {INSPECTION_LAYER: "检查记录", PROGRESS_LAYER: "案件进展", "cases": "未结案件",
               "enterprises": "企业", "cells": "单元网格", META_LAYER: "外业包信息"}
# drawing order, top first (QGIS's layer tree lists the top layer first)
ORDER = (INSPECTION_LAYER, PROGRESS_LAYER, "cases", "enterprises", "cells", META_LAYER)
GEOMETRY = {"cells": "Polygon", "enterprises": "Point", "cases": "Point",
            INSPECTION_LAYER: "Point", PROGRESS_LAYER: "No geometry", META_LAYER: "No geometry"}
WKB = {"cells": "MultiPolygon", "enterprises": "Point", "cases": "Point",
       INSPECTION_LAYER: "Point", PROGRESS_LAYER: "NoGeometry", META_LAYER: "NoGeometry"}
READ_ONLY = ("cells", "cases", META_LAYER)
REL_ENTERPRISE = "inspections_enterprise"
REL_CASE = "case_progress_case"
UUID_DEFAULT = "uuid('WithoutBraces')"


def layer_id(table: str) -> str:
    return f"{table}_gridmgr"


def photo_naming(layer: str) -> str:
    """The file name QField gives a new photo (relative to the project)."""
    return (f"'{PHOTO_DIR}/{layer}_' || format_date(now(), 'yyyyMMdd_hhmmss_zzz') || '.jpg'")


def _titles(layer: str) -> dict[str, str]:
    return {"fid": "序号", "uuid": "UUID", "photo": "照片", **TITLES.get(layer, {})}


def inspection_form(results: Sequence[str], categories: Sequence[tuple[str, str]], *,
                    relations: bool) -> list[FieldForm]:
    t = _titles(INSPECTION_LAYER)
    ent = FieldForm("enterprise_uuid", "检查的企业")
    if relations:
        ent.widget, ent.config = "RelationReference", {
            "Relation": REL_ENTERPRISE, "AllowNULL": True, "ReadOnly": False,
            "ShowForm": False, "MapIdentification": True, "OrderByValue": True,
            "ShowOpenFormButton": True}
    cat = FieldForm("case_category", t["case_category"], "ValueMap" if categories else "",
                    value_map(categories) if categories else {})
    return [
        FieldForm("fid", t["fid"], editable=False),
        FieldForm("uuid", t["uuid"], default=UUID_DEFAULT, editable=False),
        ent,
        FieldForm("by_staff_no", t["by_staff_no"], default=f"@{STAFF_VARIABLE}"),
        FieldForm("at", t["at"], "DateTime", datetime_config(True), default="now()",
                  not_null=True),
        FieldForm("result", t["result"], "ValueMap", value_map([(r, r) for r in results]),
                  not_null=True),
        FieldForm("findings", t["findings"], "TextEdit", {"IsMultiline": True,
                                                          "UseHtml": False}),
        FieldForm("opens_case", t["opens_case"], "CheckBox",
                  {"CheckedState": "", "UncheckedState": "", "TextDisplayMethod": 0},
                  default="false"),
        cat,
        FieldForm("photo", "照片", "ExternalResource", photo_config()),
    ]


def progress_form(actions: Sequence[str], *, relations: bool) -> list[FieldForm]:
    t = _titles(PROGRESS_LAYER)
    case = FieldForm("case_uuid", "案件", not_null=True)
    if relations:
        case.widget, case.config = "RelationReference", {
            "Relation": REL_CASE, "AllowNULL": False, "ReadOnly": False, "ShowForm": False,
            "MapIdentification": True, "OrderByValue": True, "ShowOpenFormButton": True}
    return [
        FieldForm("fid", t["fid"], editable=False),
        FieldForm("uuid", t["uuid"], default=UUID_DEFAULT, editable=False),
        case,
        FieldForm("action", t["action"], "ValueMap", value_map([(a, a) for a in actions]),
                  not_null=True),
        FieldForm("at", t["at"], "DateTime", datetime_config(True), default="now()",
                  not_null=True),
        FieldForm("by_staff_no", t["by_staff_no"], default=f"@{STAFF_VARIABLE}"),
        FieldForm("note", t["note"], "TextEdit", {"IsMultiline": True, "UseHtml": False},
                  constraint="\"action\" <> '回退' OR length(\"note\") > 0",
                  constraint_desc="回退须写明原因"),
        FieldForm("photo", "照片", "ExternalResource", photo_config()),
    ]


def _read_only_form(layer: str, columns: Sequence[str], editable: Sequence[str] = ()
                    ) -> list[FieldForm]:
    t = _titles(layer)
    forms = []
    for c in ("fid", *columns):
        f = FieldForm(c, t.get(c, ""), editable=c in editable)
        if c in ("last_inspection", "next_due"):
            f.widget, f.config = "DateTime", datetime_config(False)
        elif c in ("reported_at", "due_at", "dispose_due_at"):
            f.widget, f.config = "DateTime", datetime_config(True)
        forms.append(f)
    return forms


def package_styles(columns: dict[str, list[str]], *, results: Sequence[str],
                   actions: Sequence[str], categories: Sequence[tuple[str, str]],
                   relations: bool) -> dict[str, LayerStyle]:
    """Every layer's style and form; ``columns``: the layers' columns as written."""

    cells = area_style("cell", "cells", history=False)
    cells.forms = _read_only_form("cells", columns["cells"])
    ents = enterprise_style(package=True, forms=_read_only_form(
        "enterprises", columns["enterprises"], ENTERPRISE_EDITABLE))
    cases = case_style(forms=_read_only_form("cases", columns["cases"]))
    insp = inspection_style(forms=inspection_form(results, categories, relations=relations))
    prog = table_style(PROGRESS_LAYER, progress_form(actions, relations=relations),
                       "gridmgr：案件进展（处置/反馈/回退）")
    meta = table_style(META_LAYER, _read_only_form(META_LAYER, ["key", "value"]),
                       "gridmgr：外业包信息")
    return {"cells": cells, "enterprises": ents, "cases": cases, INSPECTION_LAYER: insp,
            PROGRESS_LAYER: prog, META_LAYER: meta}


# --------------------------------------------------------------------------- the project

def _srs(parent: ET.Element, crs: CRS) -> None:
    srs = sub(parent, "spatialrefsys")
    sub(srs, "wkt", crs.to_wkt())
    with warnings.catch_warnings():  # QGIS reads the WKT and the authid; proj4 is a hint
        warnings.simplefilter("ignore", UserWarning)
        sub(srs, "proj4", crs.to_proj4())
    epsg = crs.to_epsg()
    sub(srs, "srid", str(epsg or 0))
    sub(srs, "authid", f"EPSG:{epsg}" if epsg else "")
    sub(srs, "description", crs.name)
    sub(srs, "geographicflag", "true" if crs.is_geographic else "false")


def _extent(parent: ET.Element, tag: str, bounds: Sequence[float]) -> None:
    ext = sub(parent, tag)
    for k, v in zip(("xmin", "ymin", "xmax", "ymax"), bounds):
        sub(ext, k, repr(float(v)))


def _maplayer(table: str, style: LayerStyle, crs: CRS, bounds: Sequence[float]) -> ET.Element:
    geom = GEOMETRY[table]
    ml = ET.Element("maplayer", {
        "type": "vector", "geometry": geom, "wkbType": WKB[table],
        "readOnly": "1" if table in READ_ONLY else "0", "styleCategories": "AllStyleCategories",
        "labelsEnabled": "1" if style.labels is not None else "0",
        "hasScaleBasedVisibilityFlag": "0", "minScale": "100000000", "maxScale": "0",
        "simplifyDrawingHints": "1", "simplifyLocal": "1", "simplifyAlgorithm": "0",
        "simplifyDrawingTol": "1", "simplifyMaxScale": "1", "autoRefreshEnabled": "0",
        "autoRefreshTime": "0", "refreshOnNotifyEnabled": "0", "refreshOnNotifyMessage": "",
        "symbologyReferenceScale": "-1", "legendPlaceholderImage": ""})
    if geom != "No geometry":
        _extent(ml, "extent", bounds)
    sub(ml, "id", layer_id(table))
    sub(ml, "datasource", f"./data.gpkg|layername={table}")
    sub(ml, "layername", LAYER_NAMES[table])
    if geom != "No geometry":
        _srs(sub(ml, "srs"), crs)
    sub(ml, "provider", "ogr", encoding="UTF-8")
    flags = sub(ml, "flags")
    for k, v in (("Identifiable", 1), ("Removable", 1), ("Searchable", 1), ("Private", 0)):
        sub(flags, k, str(v))
    for el in layer_elements(style):
        ml.append(el)
    props: dict[str, Any] = {"QFieldSync/action": "copy", "QFieldSync/cloud_action": "offline"}
    if table in (INSPECTION_LAYER, PROGRESS_LAYER):
        naming = json.dumps({"photo": photo_naming(table)})
        props["QFieldSync/attachment_naming"] = naming
        props["QFieldSync/photo_naming"] = naming
    if table == "enterprises":  # a corrected location is welcome, deleting is not
        props["QFieldSync/geometry_locked_expression"] = ""
    ml.append(custom_properties(props))
    if style.forms:
        sub(ml, "previewExpression", '"name"' if table in ("cells", "enterprises") else
            '"case_no"' if table == "cases" else "")
    return ml


def _relation(parent: ET.Element, rid: str, name: str, child: str, parent_layer: str,
              child_field: str) -> None:
    rel = sub(parent, "relation", id=rid, name=name, referencingLayer=layer_id(child),
              referencedLayer=layer_id(parent_layer), strength="Association")
    sub(rel, "fieldRef", referencingField=child_field, referencedField="uuid")


def _theme(parent: ET.Element, name: str, styles: dict[str, LayerStyle],
           layers: Sequence[str], legend: dict[str, list[str]]) -> None:
    preset = sub(parent, "visibility-preset", name=name, **{"has-expanded-info": "1",
                                                              "has-checked-group-info": "1"})
    for table in layers:
        sub(preset, "layer", id=layer_id(table), visible="1", style="默认", expanded="1")
    for table, keys in legend.items():
        nodes = sub(preset, "checked-legend-nodes", id=layer_id(table))
        for k in keys:
            sub(nodes, "checked-legend-node", id=k)
    sub(preset, "checked-group-nodes")
    sub(preset, "expanded-group-nodes")


def _property(parent: ET.Element, tag: str, kind: str, value: Any) -> ET.Element:
    el = sub(parent, tag, type=kind)
    if kind == "QStringList":
        for v in value:
            sub(el, "value", str(v))
    else:
        el.text = str(value)
    return el


def write_project(path: Path, styles: dict[str, LayerStyle], *, crs: CRS,
                  bounds: Sequence[float], title: str, staff_no: str | None,
                  package_uuid: str) -> None:
    """``fieldpack.qgs`` for the package's layers (see the module docstring)."""
    root = ET.Element("qgis", {"projectname": title, "version": QGIS_VERSION,
                               "saveUser": "gridmgr", "saveUserFull": "gridmgr"})
    sub(root, "homePath", path="")
    sub(root, "title", title)
    sub(root, "autotransaction", active="0")
    sub(root, "evaluateDefaultValues", active="1")
    sub(root, "trust", active="0")
    _srs(sub(root, "projectCrs"), crs)
    tree = sub(root, "layer-tree-group")
    tree.append(custom_properties({}))
    for table in ORDER:
        sub(tree, "layer-tree-layer", id=layer_id(table), name=LAYER_NAMES[table],
            source=f"./data.gpkg|layername={table}", providerKey="ogr", expanded="1",
            checked="Qt::Checked" if table != META_LAYER else "Qt::Unchecked",
            legend_exp="", patch_size="-1,-1", legend_split_behavior="0")
    rels = sub(root, "relations")
    _relation(rels, REL_ENTERPRISE, "企业的检查记录", INSPECTION_LAYER, "enterprises",
              "enterprise_uuid")
    _relation(rels, REL_CASE, "案件的进展", PROGRESS_LAYER, "cases", "case_uuid")
    canvas = sub(root, "mapcanvas", name="theMapCanvas", annotationsVisible="1")
    sub(canvas, "units", "degrees" if crs.is_geographic else "meters")
    _extent(canvas, "extent", bounds)
    sub(canvas, "rotation", "0")
    _srs(sub(canvas, "destinationsrs"), crs)
    layers = sub(root, "projectlayers")
    for table in ORDER:
        layers.append(_maplayer(table, styles[table], crs, bounds))
    order = sub(root, "layerorder")
    for table in ORDER:
        sub(order, "layer", id=layer_id(table))
    props = sub(root, "properties")
    srs = sub(props, "SpatialRefSys")
    _property(srs, "ProjectionsEnabled", "int", 1)
    paths = sub(props, "Paths")
    _property(paths, "Absolute", "bool", "false")
    variables = sub(props, "Variables")
    _property(variables, "variableNames", "QStringList", [STAFF_VARIABLE, "gridmgr_package_uuid"])
    _property(variables, "variableValues", "QStringList", [staff_no or "", package_uuid])
    qfs = sub(props, "QFieldSync")
    _property(qfs, "attachmentDirs", "QStringList", [PHOTO_DIR])
    presets = sub(root, "visibility-presets")
    ents_keys = [k for k in rule_keys(styles["enterprises"].rules)
                 if k != ENTERPRISE_OTHER_KEY and not k.startswith("{other-")]
    shown = ("cells", "enterprises", "cases", INSPECTION_LAYER, PROGRESS_LAYER)
    _theme(presets, THEME_TODAY, styles, shown, {"enterprises": ents_keys})
    _theme(presets, THEME_ALL, styles, shown, {})
    view = sub(root, "ProjectViewSettings", UseProjectScales="0", rotation="0")
    dve = sub(view, "DefaultViewExtent", xmin=repr(float(bounds[0])), ymin=repr(float(bounds[1])),
              xmax=repr(float(bounds[2])), ymax=repr(float(bounds[3])))
    _srs(dve, crs)
    path.write_text(to_text(root), encoding="utf-8")
