"""Run by Debian's /usr/bin/python3 (python3-qgis), never imported by the tests: opens a
GeoPackage's layers or a QGIS project through QGIS's own API, offscreen, and prints what QGIS
made of it as JSON.  ``tests/fieldwork/test_qgis_clients.py`` runs it.

    qgis_probe.py layers  DATA.gpkg LAYER…          layers opened as a user adds them
    qgis_probe.py project PROJECT.qgs                the project as QGIS/QField loads it
    qgis_probe.py add     PROJECT.qgs LAYER JSON     add one feature through the form's
                                                     defaults, commit, print what was stored
    qgis_probe.py render  (PROJECT.qgs | DATA.gpkg LAYER…) OUT.png [THEME]
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (
    QgsApplication,
    QgsExpressionContextUtils,
    QgsFeature,
    QgsGeometry,
    QgsMapRendererCustomPainterJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QImage, QPainter


def rules(renderer):
    out = []

    def walk(rule, depth):
        for ch in rule.children():
            sym = ch.symbol()
            out.append({"key": ch.ruleKey(), "label": ch.label(), "filter": ch.filterExpression(),
                        "depth": depth, "colour": sym.color().name() if sym else None,
                        "symbol_type": sym.type() if sym else None})
            walk(ch, depth + 1)

    if renderer.type() == "RuleRenderer":
        walk(renderer.rootRule(), 0)
    return out


def describe(layer):
    info = {"name": layer.name(), "valid": layer.isValid(), "source": layer.source()}
    if not layer.isValid():
        return info
    r = layer.renderer()
    fields = layer.fields()
    info.update({
        "features": layer.featureCount(),
        "crs": layer.crs().authid(),
        "renderer": r.type() if r else None,
        "rules": rules(r) if r else [],
        "labels": bool(layer.labelsEnabled()),
        "label_expression": layer.labeling().settings().fieldName
        if layer.labelsEnabled() and layer.labeling() else None,
        "read_only": layer.readOnly(),
        "fields": {f.name(): {"type": f.typeName(), "variant": int(f.type()),
                              "alias": layer.attributeAlias(i),
                              "widget": layer.editorWidgetSetup(i).type(),
                              "config": json.loads(json.dumps(layer.editorWidgetSetup(i).config(),
                                                              default=str)),
                              "default": layer.defaultValueDefinition(i).expression(),
                              "editable": not layer.editFormConfig().readOnly(i),
                              "not_null": bool(f.constraints().constraints() & 1)}
                   for i, f in enumerate(fields)},
        "custom": {k: layer.customProperty(k) for k in layer.customPropertyKeys()
                   if k.startswith("QFieldSync")},
    })
    return info


def open_layers(path, names):
    out = []
    for n in names:
        lyr = QgsVectorLayer(f"{path}|layername={n}", n, "ogr")
        out.append(lyr)
    return out


def project_info(path):
    p = QgsProject.instance()
    ok = p.read(path)
    root = p.layerTreeRoot()
    themes = {}
    coll = p.mapThemeCollection()
    for name in coll.mapThemes():
        rec = coll.mapThemeState(name)
        themes[name] = {r.layer().name(): {"checked": sorted(r.checkedLegendItems),
                                           "uses_checked": r.usingLegendItems}
                        for r in rec.layerRecords() if r.layer()}
    rels = [{"id": r.id(), "name": r.name(), "valid": r.isValid(),
             "parent": r.referencedLayer().name() if r.referencedLayer() else None,
             "child": r.referencingLayer().name() if r.referencingLayer() else None,
             "pairs": [[a, b] for a, b in r.fieldPairs().items()]}
            for r in p.relationManager().relations().values()]
    return {"read": ok, "title": p.title(), "crs": p.crs().authid(),
            "absolute_paths": p.readBoolEntry("Paths", "/Absolute", True)[0],
            "order": [lyr.name() for lyr in root.layerOrder()],
            "tree": [n.name() for n in root.children()],
            "layers": {lyr.name(): describe(lyr) for lyr in p.mapLayers().values()},
            "relations": rels, "themes": themes,
            "variables": _variables(p)}


def _variables(p):
    scope = QgsExpressionContextUtils.projectScope(p)
    return {k: scope.variable(k) for k in scope.variableNames() if k.startswith("gridmgr")}


def add_feature(path, layer_name, values):
    p = QgsProject.instance()
    p.read(path)
    layer = p.mapLayersByName(layer_name)[0]
    geom = values.pop("_xy", None)
    ctx = layer.createExpressionContext()
    feat = QgsFeature(layer.fields())
    for i in range(len(layer.fields())):  # what the form fills in
        if layer.defaultValueDefinition(i).isValid():
            feat.setAttribute(i, layer.defaultValue(i, feat, ctx))
    for k, v in values.items():
        feat.setAttribute(layer.fields().indexOf(k), v)
    if geom:
        feat.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(*geom)))
    layer.startEditing()
    ok = layer.addFeature(feat)
    committed = layer.commitChanges()
    return {"added": ok, "committed": committed, "errors": layer.commitErrors(),
            "stored": {f.name(): str(v) if v is not None else None
                       for f, v in zip(layer.fields(), feat.attributes())}}


def render(layers, out, size=(1200, 900), styles=None):
    """Draw ``layers`` (with a map theme's style overrides, if given) to the PNG ``out``."""
    ms = QgsMapSettings()
    ms.setLayers(layers)
    if styles:
        ms.setLayerStyleOverrides(styles)
    ms.setDestinationCrs(layers[-1].crs())
    ext = QgsRectangle()
    for lyr in layers:
        e = ms.layerExtentToOutputExtent(lyr, lyr.extent())
        if not e.isEmpty():
            if ext.isEmpty():
                ext = QgsRectangle(e)
            else:
                ext.combineExtentWith(e)
    ext.scale(1.05)
    ms.setExtent(ext)
    ms.setOutputSize(QSize(*size))
    ms.setBackgroundColor(QColor("white"))
    img = QImage(QSize(*size), QImage.Format_ARGB32_Premultiplied)
    img.fill(QColor("white"))
    painter = QPainter(img)
    job = QgsMapRendererCustomPainterJob(ms, painter)
    job.start()
    job.waitForFinished()
    painter.end()
    img.save(out)
    return {"saved": out, "scale": ms.scale(), "layers": [lyr.name() for lyr in layers]}


def main(argv):
    app = QgsApplication([], False)
    app.initQgis()
    cmd = argv[1]
    if cmd == "layers":
        res = [describe(lyr) for lyr in open_layers(argv[2], argv[3:])]
    elif cmd == "project":
        res = project_info(argv[2])
    elif cmd == "add":
        res = add_feature(argv[2], argv[3], json.loads(argv[4]))
    elif cmd == "render":
        if argv[2].endswith(".qgs"):
            p = QgsProject.instance()
            p.read(argv[2])
            out = argv[3]
            theme = argv[4] if len(argv) > 4 else None
            if theme:
                layers = p.mapThemeCollection().mapThemeVisibleLayers(theme)
                styles = p.mapThemeCollection().mapThemeStyleOverrides(theme)
            else:
                layers = [n.layer() for n in p.layerTreeRoot().findLayers()]
                styles = {}
            ms_layers = [lyr for lyr in p.layerTreeRoot().layerOrder() if lyr in layers]
            res = render(ms_layers, out, styles=styles)  # a theme's legend choices, if any
            res["styles"] = bool(styles)
        else:
            paths = argv[2:-1]
            out = argv[-1]
            res = render(open_layers(paths[0], paths[1:]), out)
    print("JSON:" + json.dumps(res, ensure_ascii=False, default=str))
    app.exitQgis()


if __name__ == "__main__":
    main(sys.argv)
