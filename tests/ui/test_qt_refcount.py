"""Regression: PySide6 6.12 on Python 3.11 drops a reference to None in many QPainter calls.

Seen as ``Fatal Python error: none_dealloc`` after a few thousand polygons in a print test.  The
project pins a PySide6 without the bug (setup.cfg); this test fails if a version with it comes
back.  Each call is made many times and the refcount of None must not fall.
"""

from __future__ import annotations

import os
import sys

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

QtCore = pytest.importorskip("PySide6.QtCore")
QtGui = pytest.importorskip("PySide6.QtGui")


@pytest.fixture(scope="module")
def painter():
    app = QtGui.QGuiApplication.instance() or QtGui.QGuiApplication([])
    image = QtGui.QImage(400, 400, QtGui.QImage.Format.Format_ARGB32)
    p = QtGui.QPainter(image)
    yield p
    p.end()
    del app


def _calls(p):
    poly = QtGui.QPolygonF([QtCore.QPointF(0, 0), QtCore.QPointF(10, 0), QtCore.QPointF(5, 9)])
    path = QtGui.QPainterPath()
    brush = QtGui.QBrush(QtGui.QColor(200, 30, 30))
    pen = QtGui.QPen(QtGui.QColor(0, 0, 0))
    font = QtGui.QFont("Noto Sans CJK SC", 9)
    return {
        "setBrush": lambda: p.setBrush(brush),
        "setPen": lambda: p.setPen(pen),
        "setFont": lambda: p.setFont(font),
        "drawPolygon": lambda: p.drawPolygon(poly),
        "QPainterPath.moveTo": lambda: path.moveTo(1, 1),
        "QPainterPath.lineTo": lambda: path.lineTo(2, 2),
        "drawPath": lambda: p.drawPath(path),
        "drawLine": lambda: p.drawLine(QtCore.QPointF(1, 1), QtCore.QPointF(5, 5)),
        "drawRect": lambda: p.drawRect(QtCore.QRectF(1, 1, 3, 3)),
        "drawText": lambda: p.drawText(QtCore.QPointF(3, 3), "网格"),
    }


@pytest.mark.parametrize("name", list(_calls(None)))
def test_painter_call_keeps_none_alive(painter, name):
    call = _calls(painter)[name]
    call()  # warm up caches
    before = sys.getrefcount(None)
    for _ in range(200):
        call()
    lost = before - sys.getrefcount(None)
    assert lost < 50, f"{name} dropped {lost} references to None in 200 calls"


def test_ten_thousand_polygons_do_not_abort(painter):
    """The shape of the original crash: 10k styled polygons in one go."""
    before = sys.getrefcount(None)
    for i in range(10_000):
        painter.setBrush(QtGui.QBrush(QtGui.QColor(i % 255, 80, 120)))
        x = (i % 100) * 4.0
        y = (i // 100) * 4.0
        painter.drawPolygon(QtGui.QPolygonF([QtCore.QPointF(x, y), QtCore.QPointF(x + 3, y),
                                             QtCore.QPointF(x + 3, y + 3)]))
    assert before - sys.getrefcount(None) < 100
