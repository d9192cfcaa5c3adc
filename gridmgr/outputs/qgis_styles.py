"""The layer styles QGIS and QField apply when a project or a field package is opened: the
symbols and labels of the desktop map and the printed maps, as QML (and SLD for other
clients), one default row per layer in the GeoPackage's ``layer_styles`` table.

* area layers: boundaries by level (district, street, community, cell) in the colours and
  weights of the window's map; cells labelled with their short code (the digits after the
  12-digit community code, as printed), streets and communities with their names; only the
  current grid is drawn (``valid_to`` empty) in the project, which keeps the history;
* enterprises by supervision class (国控/省控/市控/一般), inspection overdue ringed in red; in a
  package the enterprises due this period are drawn full, the others pale (a map theme shows
  just the due ones);
* cases by status, a case past its stage deadline ringed in red.

The colours are the ones ``maps/`` paints with (the core cannot import that Qt module);
``tests/maps/test_qgis_styles.py`` holds the two lists together.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..statuses import OPEN_STATUSES, STATUSES
from .qgis_xml import (
    QGIS_VERSION,
    FieldForm,
    Rule,
    datetime_config,
    fill_symbol,
    form_elements,
    labeling,
    marker_symbol,
    rgba,
    rule_renderer,
    sub,
    to_text,
    value_map,
)

FONT = "Noto Sans CJK SC"
# maps/render.py STYLE: level → (outline, width px on screen, fill)
LEVEL_STYLE = {"district": ("#1f2937", 0.9, None), "street": ("#b91c1c", 0.6, None),
               "community": ("#2563eb", 0.35, None), "cell": ("#9ca3af", 0.15, "#f1f5f9")}
# maps/render.py CLASS_COLOURS
CLASS_COLOURS = {"国控": "#b91c1c", "省控": "#ea580c", "市控": "#ca8a04", "一般": "#64748b"}
OTHER_CLASS_COLOUR = "#64748b"
# maps/case_layer.py STATUS_COLOURS, OVERDUE_COLOUR
STATUS_COLOURS = {"受理": "#64748b", "立案": "#2563eb", "派遣": "#7c3aed", "处置": "#ea580c",
                  "反馈": "#d97706", "核查": "#0d9488", "结案": "#16a34a", "作废": "#cbd5e1",
                  "挂账": "#92400e"}
OVERDUE_COLOUR = "#dc2626"
INSPECTION_COLOUR = "#059669"
STYLE_NAME = "gridmgr"
CELL_SHORT_CODE = 'substr("code", 13)'  # 14-digit national → 2 digits, DB11 15 → 3


def _q(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def open_filter() -> str:
    return '"status" IN (' + ", ".join(_q(s) for s in OPEN_STATUSES) + ")"


def case_overdue_filter() -> str:
    """Open and past the deadline of its current stage."""
    return open_filter() + ' AND "due_at" IS NOT NULL AND to_datetime("due_at") < now()'


# the project computes overdue from the register; the package carries it as a column
ENTERPRISE_OVERDUE_PROJECT = ('"frequency_days" IS NOT NULL AND ("last_inspection" IS NULL OR '
                              'to_date("last_inspection") + make_interval(days:="frequency_days")'
                              " < to_date(now()))")
ENTERPRISE_OVERDUE_PACKAGE = '"overdue"'  # a Boolean field: QGIS's true is not 1


@dataclass
class SldRule:
    """What an SLD client can be told of a rule: a property equal to a value (or empty)."""

    label: str
    prop: str | None
    value: str | None  # None with a prop: the property is empty
    kind: str  # fill | marker
    colour: str
    outline: str
    size: float  # outline width (fill) or diameter (marker), mm


@dataclass
class LayerStyle:
    table: str
    geometry_column: str
    renderer: ET.Element | None
    labels: ET.Element | None
    sld: list[SldRule]
    forms: Sequence[FieldForm] = ()
    rules: Sequence[Rule] = ()
    description: str = ""


# --------------------------------------------------------------------------- area layers

def area_style(level: str, table: str, *, history: bool) -> LayerStyle:
    outline, width, fill = LEVEL_STYLE[level]
    sym = fill_symbol("0", outline, width, fill, fill_alpha=160 if fill else 255)
    current = '"valid_to" IS NULL' if history else None
    rules = [Rule(f"{{{level}}}", {"district": "区界", "street": "街道界", "community": "社区界",
                                     "cell": "单元网格"}[level], current, sym)]
    labels = None
    if level == "cell":
        labels = labeling(CELL_SHORT_CODE, size_pt=7, colour="#374151", font=FONT,
                          max_scale_denominator=25000)
    elif level in ("street", "community"):
        labels = labeling('"name"', size_pt=11 if level == "street" else 9,
                          colour=outline if level == "street" else "#1e3a8a", font=FONT,
                          bold=level == "street",
                          max_scale_denominator=None if level == "street" else 60000)
    sld = [SldRule(rules[0].label, "valid_to" if history else None, None, "fill",
                   fill or "#ffffff", outline, width)]
    return LayerStyle(table, "geom", rule_renderer(rules), labels, sld, rules=rules,
                      description=f"gridmgr：{rules[0].label}")


# --------------------------------------------------------------------------- points

def _class_rules(prefix: str, pale: bool) -> list[Rule]:
    rules = []
    for cls, colour in CLASS_COLOURS.items():
        rules.append(Rule(f"{{{prefix}-{cls}}}", cls, f'"supervision_class" = {_q(cls)}',
                          marker_symbol("0", colour, 2.4 if cls in ("国控", "省控") else 2.0,
                                        fill_alpha=90 if pale else 255)))
    rules.append(Rule(f"{{{prefix}-other}}", "其他", "ELSE",
                      marker_symbol("0", OTHER_CLASS_COLOUR, 1.8,
                                    fill_alpha=90 if pale else 255)))
    return rules


def _ring(key: str, label: str, flt: str, size: float) -> Rule:
    sym = marker_symbol("0", "#ffffff", size, outline=OVERDUE_COLOUR, outline_mm=0.6,
                        fill_alpha=0)
    return Rule(key, label, flt, sym)


ENTERPRISE_DUE_KEY = "{due}"
ENTERPRISE_OTHER_KEY = "{not-due}"
ENTERPRISE_OVERDUE_KEY = "{overdue}"


def enterprise_style(*, package: bool, forms: Sequence[FieldForm] = ()) -> LayerStyle:
    """By supervision class; in a package, due enterprises full and the rest pale."""
    if package:
        rules = [Rule(ENTERPRISE_DUE_KEY, "本期应检", '"due"', None, _class_rules("due", False)),
                 Rule(ENTERPRISE_OTHER_KEY, "其他企业", 'NOT coalesce("due", false)', None,
                      _class_rules("other", True)),
                 _ring(ENTERPRISE_OVERDUE_KEY, "检查逾期", ENTERPRISE_OVERDUE_PACKAGE, 3.6)]
    else:
        rules = [Rule("{classes}", "监管类别", None, None, _class_rules("class", False)),
                 _ring(ENTERPRISE_OVERDUE_KEY, "检查逾期", ENTERPRISE_OVERDUE_PROJECT, 3.6)]
    labels = labeling('"name"', size_pt=7, colour="#111827", font=FONT, placement=0,
                      max_scale_denominator=8000)
    sld = [SldRule(c, "supervision_class", c, "marker", col, "#ffffff", 2.2)
           for c, col in CLASS_COLOURS.items()]
    if package:
        sld.append(SldRule("检查逾期", "overdue", "1", "marker", "#ffffff", OVERDUE_COLOUR, 3.6))
    return LayerStyle("enterprises", "geom", rule_renderer(rules), labels, sld, forms,
                      rules=rules, description="gridmgr：企业（按监管类别，检查逾期红圈）")


CASE_OVERDUE_KEY = "{case-overdue}"


def case_style(*, forms: Sequence[FieldForm] = ()) -> LayerStyle:
    by_status = [Rule(f"{{status-{s}}}", s, f'"status" = {_q(s)}',
                      marker_symbol("0", STATUS_COLOURS[s], 2.6, shape="diamond"))
                 for s in STATUSES]
    by_status.append(Rule("{status-other}", "其他状态", "ELSE",
                          marker_symbol("0", "#111827", 2.2, shape="diamond")))
    rules = [Rule("{statuses}", "状态", None, None, by_status),
             _ring(CASE_OVERDUE_KEY, "超期", case_overdue_filter(), 4.0)]
    labels = labeling('"case_no"', size_pt=7, colour="#111827", font=FONT, placement=0,
                      max_scale_denominator=5000)
    sld = [SldRule(s, "status", s, "marker", STATUS_COLOURS[s], "#ffffff", 2.6)
           for s in STATUSES]
    return LayerStyle("cases", "geom", rule_renderer(rules), labels, sld, forms, rules=rules,
                      description="gridmgr：案件（按状态，超期红圈）")


def inspection_style(*, forms: Sequence[FieldForm] = ()) -> LayerStyle:
    rules = [Rule("{inspection}", "检查记录", None,
                  marker_symbol("0", INSPECTION_COLOUR, 2.4, shape="square"))]
    sld = [SldRule("检查记录", None, None, "marker", INSPECTION_COLOUR, "#ffffff", 2.4)]
    return LayerStyle("inspections", "geom", rule_renderer(rules), None, sld, forms,
                      rules=rules, description="gridmgr：检查记录")


def table_style(table: str, forms: Sequence[FieldForm], description: str) -> LayerStyle:
    """A table without geometry: only its form (aliases, widgets, defaults)."""
    return LayerStyle(table, "", None, None, [], forms, description=description)


# --------------------------------------------------------------------------- QML and SLD

def layer_elements(style: LayerStyle) -> list[ET.Element]:
    """The children of a QML ``<qgis>`` or a project's ``<maplayer>`` for this style."""
    out: list[ET.Element] = []
    if style.renderer is not None:
        out.append(style.renderer)
    if style.labels is not None:
        out.append(style.labels)
    out += form_elements(style.forms) if style.forms else []
    return out


def qml(style: LayerStyle) -> str:
    cats = "Symbology|Labeling|Fields|Forms" if style.forms else "Symbology|Labeling"
    root = ET.Element("qgis", {"version": QGIS_VERSION, "styleCategories": cats,
                               "labelsEnabled": "1" if style.labels is not None else "0"})
    for el in layer_elements(style):
        root.append(el)
    return to_text(root)


_SLD = "http://www.opengis.net/sld"
_OGC = "http://www.opengis.net/ogc"
_SE = "http://www.opengis.net/se"


def sld(style: LayerStyle) -> str:
    """An SLD 1.1 of the same rules, for clients other than QGIS (GeoServer, uDig)."""
    ET.register_namespace("", _SLD)
    ET.register_namespace("ogc", _OGC)
    ET.register_namespace("se", _SE)
    root = ET.Element(f"{{{_SLD}}}StyledLayerDescriptor", {"version": "1.1.0"})
    nl = sub(root, f"{{{_SLD}}}NamedLayer")
    sub(nl, f"{{{_SE}}}Name", style.table)
    us = sub(nl, f"{{{_SLD}}}UserStyle")
    sub(us, f"{{{_SE}}}Name", STYLE_NAME)
    fts = sub(us, f"{{{_SE}}}FeatureTypeStyle")
    for r in style.sld:
        rule = sub(fts, f"{{{_SE}}}Rule")
        sub(rule, f"{{{_SE}}}Name", r.label)
        if r.prop:
            flt = sub(rule, f"{{{_OGC}}}Filter")
            if r.value is None:
                cmp = sub(flt, f"{{{_OGC}}}PropertyIsNull")
            else:
                cmp = sub(flt, f"{{{_OGC}}}PropertyIsEqualTo")
            sub(cmp, f"{{{_OGC}}}PropertyName", r.prop)
            if r.value is not None:
                sub(cmp, f"{{{_OGC}}}Literal", r.value)
        if r.kind == "fill":
            sym = sub(rule, f"{{{_SE}}}PolygonSymbolizer")
            fill = sub(sym, f"{{{_SE}}}Fill")
            sub(fill, f"{{{_SE}}}SvgParameter", r.colour, name="fill")
            sub(fill, f"{{{_SE}}}SvgParameter", "0.6" if r.colour != "#ffffff" else "0",
                name="fill-opacity")
            stroke = sub(sym, f"{{{_SE}}}Stroke")
            sub(stroke, f"{{{_SE}}}SvgParameter", r.outline, name="stroke")
            sub(stroke, f"{{{_SE}}}SvgParameter", f"{r.size * 3.78:.1f}", name="stroke-width")
        else:
            sym = sub(rule, f"{{{_SE}}}PointSymbolizer")
            g = sub(sym, f"{{{_SE}}}Graphic")
            mark = sub(g, f"{{{_SE}}}Mark")
            sub(mark, f"{{{_SE}}}WellKnownName", "circle")
            fill = sub(mark, f"{{{_SE}}}Fill")
            sub(fill, f"{{{_SE}}}SvgParameter", r.colour, name="fill")
            stroke = sub(mark, f"{{{_SE}}}Stroke")
            sub(stroke, f"{{{_SE}}}SvgParameter", r.outline, name="stroke")
            sub(g, f"{{{_SE}}}Size", f"{r.size * 3.78:.1f}")
    if style.labels is not None:
        ts = style.labels.find("settings/text-style")
        expr = ts.get("fieldName", "") if ts is not None else ""
        if expr.startswith('"') and expr.endswith('"'):
            rule = sub(fts, f"{{{_SE}}}Rule")
            text = sub(rule, f"{{{_SE}}}TextSymbolizer")
            lab = sub(text, f"{{{_SE}}}Label")
            sub(lab, f"{{{_OGC}}}PropertyName", expr.strip('"'))
            font = sub(text, f"{{{_SE}}}Font")
            sub(font, f"{{{_SE}}}SvgParameter", FONT, name="font-family")
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def style_rows(styles: Sequence[LayerStyle]) -> list[dict[str, Any]]:
    """Rows for a GeoPackage ``layer_styles`` table (QGIS's columns), each the default."""
    return [{"f_table_catalog": "", "f_table_schema": "", "f_table_name": s.table,
             "f_geometry_column": s.geometry_column, "styleName": STYLE_NAME,
             "styleQML": qml(s), "styleSLD": sld(s), "useAsDefault": 1,
             "description": s.description, "owner": "gridmgr", "ui": None}
            for s in styles]


def column_forms(table: str, lists: dict[str, Any]) -> list[FieldForm]:
    """Aliases, value lists and date pickers of a project table's columns, from the value
    lists the project hands storage (QGIS 3.22 reads neither GDAL's alternative names nor its
    coded domains, so the style carries them)."""
    from ..storage import date_type

    enums = lists.get("enums", {})
    out = []
    for t, column, title, enum in lists.get("columns", []):
        if t != table:
            continue
        f = FieldForm(column, alias=title)
        if enum in enums:
            f.widget, f.config = "ValueMap", value_map(enums[enum])
        elif date_type(column):
            f.widget, f.config = "DateTime", datetime_config(date_type(column) == "DATETIME")
        out.append(f)
    return out


def project_styles(lists: dict[str, Any] | None = None) -> list[LayerStyle]:
    """The project file's layers (areas keep their history: only the current grid drawn),
    with the Chinese aliases and value lists of ``lists`` (see :mod:`.qgis_fields`)."""
    from ..levels import LEVEL_TABLES

    lists = lists or {}
    out = [area_style(level, table, history=True) for level, table in LEVEL_TABLES.items()]
    out += [enterprise_style(package=False), case_style(), inspection_style()]
    out += [table_style(t, [], f"gridmgr：{t}") for t in
            ("officers", "responsibilities", "case_transitions", "rectification_notices")]
    for s in out:
        s.forms = column_forms(s.table, lists)
    return out


__all__ = ["CLASS_COLOURS", "LEVEL_STYLE", "STATUS_COLOURS", "LayerStyle", "project_styles",
           "qml", "rgba", "sld", "style_rows"]
