"""QGIS's XML vocabulary for a vector layer, built with xml.etree: symbols, rule-based
renderers, labels, form widgets, aliases, default values and constraints.

The same elements make a QML style (``<qgis>`` around them, stored in ``layer_styles``) and
the body of a ``<maplayer>`` in a project (:mod:`gridmgr.fieldwork.qfield`).  Written as QGIS
3.22 (Debian's, the oldest the bureau's PCs run) reads it; later QGIS reads it as well.  Both
property spellings of a symbol layer are written (``<Option>`` map and the older ``<prop>``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

QGIS_VERSION = "3.22.16-Białowieża"
DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"


def rgba(hex_colour: str, alpha: int = 255) -> str:
    """``#2563eb`` → ``37,99,235,255`` (QGIS's colour text)."""
    h = hex_colour.lstrip("#")
    return f"{int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha}"


def option(value: Any, name: str | None = None) -> ET.Element:
    """A Python value as QGIS's ``<Option>`` tree (Map, List, bool, int, double, QString)."""
    el = ET.Element("Option")
    if name is not None:
        el.set("name", name)
    if isinstance(value, Mapping):
        el.set("type", "Map")
        for k, v in value.items():
            el.append(option(v, str(k)))
    elif isinstance(value, list | tuple):
        el.set("type", "List")
        for v in value:
            el.append(option(v))
    elif isinstance(value, bool):
        el.set("type", "bool")
        el.set("value", "true" if value else "false")
    elif isinstance(value, int):
        el.set("type", "int")
        el.set("value", str(value))
    elif isinstance(value, float):
        el.set("type", "double")
        el.set("value", repr(value))
    elif value is None:
        el.set("type", "invalid")
    else:
        el.set("type", "QString")
        el.set("value", str(value))
    return el


def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: Any) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        el.text = text
    return el


# --------------------------------------------------------------------------- symbols

def symbol_layer(cls: str, props: Mapping[str, Any]) -> ET.Element:
    el = ET.Element("layer", {"class": cls, "enabled": "1", "locked": "0", "pass": "0"})
    el.append(option({k: str(v) for k, v in props.items()}))
    for k, v in props.items():
        sub(el, "prop", k=k, v=v)
    return el


def fill_symbol(name: str, outline: str, width_mm: float, fill: str | None = None,
                fill_alpha: int = 255) -> ET.Element:
    """A polygon symbol: outline colour and width (mm), an optional fill."""
    sym = ET.Element("symbol", {"type": "fill", "name": name, "alpha": "1",
                                "clip_to_extent": "1", "force_rhr": "0"})
    sym.append(symbol_layer("SimpleFill", {
        "color": rgba(fill, fill_alpha) if fill else "255,255,255,0",
        "style": "solid" if fill else "no", "outline_color": rgba(outline),
        "outline_style": "solid", "outline_width": width_mm, "outline_width_unit": "MM",
        "joinstyle": "round"}))
    return sym


def marker_symbol(name: str, fill: str, size_mm: float, *, outline: str = "#ffffff",
                  outline_mm: float = 0.3, shape: str = "circle", fill_alpha: int = 255
                  ) -> ET.Element:
    sym = ET.Element("symbol", {"type": "marker", "name": name, "alpha": "1",
                                "clip_to_extent": "1", "force_rhr": "0"})
    sym.append(symbol_layer("SimpleMarker", {
        "name": shape, "color": rgba(fill, fill_alpha), "outline_color": rgba(outline),
        "outline_style": "solid", "outline_width": outline_mm, "outline_width_unit": "MM",
        "size": size_mm, "size_unit": "MM", "angle": 0, "joinstyle": "bevel",
        "scale_method": "diameter", "vertical_anchor_point": 1, "horizontal_anchor_point": 1}))
    return sym


@dataclass
class Rule:
    """One rule of a rule-based renderer; ``key`` is also the legend node a map theme checks."""

    key: str
    label: str
    filter: str | None
    symbol: ET.Element | None = None
    children: list[Rule] = field(default_factory=list)


def rule_renderer(rules: Sequence[Rule]) -> ET.Element:
    """``renderer-v2`` of type RuleRenderer: symbols numbered in rule order."""
    ren = ET.Element("renderer-v2", {"type": "RuleRenderer", "symbollevels": "0",
                                     "forceraster": "0", "enableorderby": "0",
                                     "referencescale": "-1"})
    root = sub(ren, "rules", key="{root}")
    symbols = ET.Element("symbols")
    n = 0

    def add(parent: ET.Element, rule: Rule) -> None:
        nonlocal n
        attrs = {"key": rule.key, "label": rule.label}
        if rule.filter:
            attrs["filter"] = rule.filter
        if rule.symbol is not None:
            attrs["symbol"] = str(n)
            rule.symbol.set("name", str(n))
            symbols.append(rule.symbol)
            n += 1
        el = sub(parent, "rule", **attrs)
        for child in rule.children:
            add(el, child)

    for r in rules:
        add(root, r)
    ren.append(symbols)
    return ren


def rule_keys(rules: Iterable[Rule]) -> list[str]:
    out = []
    for r in rules:
        out.append(r.key)
        out += rule_keys(r.children)
    return out


# --------------------------------------------------------------------------- labels

def labeling(expression: str, *, size_pt: float, colour: str, font: str,
             bold: bool = False, buffer_mm: float = 0.6, placement: int = 1,
             max_scale_denominator: float | None = None) -> ET.Element:
    """Simple labelling from an expression, with a white halo; ``placement`` is QGIS's
    Placement (1 = over the point / polygon centre, 0 = around a point).  Labels show only
    at scales larger than 1:``max_scale_denominator`` when given."""
    lab = ET.Element("labeling", {"type": "simple"})
    st = sub(lab, "settings", calloutType="simple")
    sub(st, "text-style", fieldName=expression, isExpression=1, fontFamily=font,
        namedStyle="Bold" if bold else "Regular", fontWeight=75 if bold else 50,
        fontSize=size_pt, fontSizeUnit="Point", textColor=rgba(colour), textOpacity=1,
        fontItalic=0, fontUnderline=0, fontStrikeout=0, fontKerning=1, blendMode=0,
        multilineHeight=1, allowHtml=0, capitalization=0, previewBkgrdColor="255,255,255,255",
        useSubstitutions=0, fontLetterSpacing=0, fontWordSpacing=0, textOrientation="horizontal")
    sub(st, "text-format", wrapChar="", autoWrapLength=0, multilineAlign=3, plussign=0,
        reverseDirectionSymbol=0, leftDirectionSymbol="<", rightDirectionSymbol=">",
        decimals=3, formatNumbers=0, addDirectionSymbol=0, placeDirectionSymbol=0,
        useMaxLineLengthForAutoWrap=1)
    sub(st, "text-buffer", bufferDraw=1, bufferSize=buffer_mm, bufferSizeUnits="MM",
        bufferColor="255,255,255,255", bufferOpacity=1, bufferNoFill=1, bufferJoinStyle=128,
        bufferBlendMode=0)
    sub(st, "placement", placement=placement, placementFlags=10, centroidWhole=0,
        centroidInside=1, fitInPolygonOnly=0, dist=0, distUnits="MM", offsetType=0,
        quadOffset=4, xOffset=0, yOffset=0, offsetUnits="MM", priority=5, repeatDistance=0,
        overrunDistance=0, overrunDistanceUnit="MM", maxCurvedCharAngleIn=25,
        maxCurvedCharAngleOut=-25, rotationAngle=0, preserveRotation=1, polygonPlacementFlags=2,
        layerType="PolygonGeometry" if placement == 1 else "PointGeometry",
        geometryGenerator="", geometryGeneratorEnabled=0, geometryGeneratorType="PointGeometry",
        lineAnchorPercent=0.5, lineAnchorType=0, lineAnchorClipping=0, labelOffsetMapUnitScale=
        "3x:0,0,0,0,0,0", distMapUnitScale="3x:0,0,0,0,0,0", predefinedPositionOrder=
        "TR,TL,BR,BL,R,L,TSR,BSR", overlapHandling="PreventOverlap", allowDegraded=0)
    scale = max_scale_denominator is not None
    sub(st, "rendering", scaleVisibility=int(scale), scaleMin=0,
        scaleMax=max_scale_denominator or 0, obstacle=1, obstacleFactor=1, obstacleType=1,
        displayAll=0, limitNumLabels=0, maxNumLabels=2000, mergeLines=0, minFeatureSize=0,
        labelPerPart=0, upsidedownLabels=0, drawLabels=1, fontLimitPixelSize=0,
        fontMinPixelSize=3, fontMaxPixelSize=10000, zIndex=0, unplacedVisibility=0)
    return lab


# --------------------------------------------------------------------------- forms

@dataclass
class FieldForm:
    """How one field looks and behaves in the attribute form."""

    name: str
    alias: str = ""
    widget: str = ""  # "", "TextEdit", "ValueMap", "DateTime", "ExternalResource", …
    config: dict[str, Any] = field(default_factory=dict)
    default: str = ""  # a QGIS expression: now(), uuid(), @gridmgr_staff_no …
    editable: bool = True
    not_null: bool = False
    constraint: str = ""  # an expression that must hold, with its description
    constraint_desc: str = ""


def value_map(pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """ValueMap config: ``[(stored value, label shown)]`` in order."""
    return {"map": [{label: value} for value, label in pairs]}


def datetime_config(with_time: bool) -> dict[str, Any]:
    fmt = "yyyy-MM-dd HH:mm" if with_time else "yyyy-MM-dd"
    return {"allow_null": True, "calendar_popup": True, "display_format": fmt,
            "field_format": "yyyy-MM-ddTHH:mm:ss" if with_time else "yyyy-MM-dd",
            "field_iso_format": False}


def photo_config() -> dict[str, Any]:
    """ExternalResource: a photo file, stored relative to the project, shown as an image."""
    return {"DocumentViewer": 1, "DocumentViewerHeight": 0, "DocumentViewerWidth": 0,
            "FileWidget": True, "FileWidgetButton": True, "FileWidgetFilter": "",
            "RelativeStorage": 1, "StorageMode": 0, "UseLink": False, "FullUrl": False,
            "PropertyCollection": {"name": "", "properties": {}, "type": "collection"}}


def form_elements(fields: Sequence[FieldForm]) -> list[ET.Element]:
    """fieldConfiguration, aliases, defaults, constraints, constraintExpressions, editable and
    the generated form layout, in the order QGIS writes them."""
    conf = ET.Element("fieldConfiguration")
    aliases = ET.Element("aliases")
    defaults = ET.Element("defaults")
    cons = ET.Element("constraints")
    exprs = ET.Element("constraintExpressions")
    editable = ET.Element("editable")
    for i, f in enumerate(fields):
        fe = sub(conf, "field", name=f.name, configurationFlags="None")
        ew = sub(fe, "editWidget", type=f.widget)
        sub(ew, "config").append(option(f.config) if f.config else ET.Element("Option"))
        sub(aliases, "alias", index=i, field=f.name, name=f.alias)
        sub(defaults, "default", field=f.name, expression=f.default, applyOnUpdate=0)
        flags = (1 if f.not_null else 0) | (4 if f.constraint else 0)
        sub(cons, "constraint", field=f.name, constraints=flags,
            notnull_strength=1 if f.not_null else 0, unique_strength=0,
            exp_strength=1 if f.constraint else 0)
        sub(exprs, "constraint", field=f.name, exp=f.constraint, desc=f.constraint_desc)
        sub(editable, "field", name=f.name, editable=int(f.editable))
    layout = ET.Element("editorlayout")
    layout.text = "generatedlayout"
    return [conf, aliases, defaults, cons, exprs, layout, editable]


def custom_properties(values: Mapping[str, Any]) -> ET.Element:
    el = ET.Element("customproperties")
    el.append(option(dict(values)) if values else ET.Element("Option"))
    return el


def to_text(root: ET.Element, doctype: bool = True) -> str:
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return (DOCTYPE + "\n" if doctype else "") + body + "\n"
