"""A task list as a printable PDF: titled tables on A4 landscape, long text wrapped, the header
repeated on every page, page numbers — the field package's ``tasks.pdf``.

Drawn with QPainter on QPdfWriter in the CJK font the printed maps use (:mod:`maps.print_text`);
the PDF stays searchable (radical code points in the ToUnicode maps are fixed the same way).
Safe to call from a worker thread (no widgets).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from .print_layout import ensure_app
from .print_text import cjk_families, fix_tounicode, font, radical_map

DPI = 300
MARGIN_MM = 12.0
BODY_PT, HEAD_PT, SECTION_PT, TITLE_PT = 8.5, 8.5, 11.0, 14.0
PAD_MM = 1.2
MAX_COL_MM = 70.0
MIN_COL_MM = 10.0
HEAD_FILL = QColor("#e5e7eb")
# worked out once: Qt's flag enums are Python objects, and a table of a few thousand cells
# would combine them again for every cell
WRAP = int(Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere)
CELL_FLAGS = int(Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere
                 | Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)


def _mm(v: float) -> float:
    return v * DPI / 25.4


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return str(v)


class _Doc:
    def __init__(self, path: Path, title: str) -> None:
        ensure_app()
        self.sans, _ = cjk_families()
        self.writer = QPdfWriter(str(path))
        self.writer.setResolution(DPI)
        self.writer.setTitle(title)
        self.writer.setCreator("gridmgr")
        self.writer.setPageLayout(QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM + 4),
            QPageLayout.Unit.Millimeter))
        rect = self.writer.pageLayout().paintRectPixels(DPI)
        self.width, self.height = float(rect.width()), float(rect.height())
        self.painter = QPainter(self.writer)
        self.fonts = {"body": font(self.sans, BODY_PT), "head": font(self.sans, HEAD_PT, True),
                      "section": font(self.sans, SECTION_PT, True),
                      "title": font(self.sans, TITLE_PT, True)}
        self.metrics = {k: QFontMetricsF(f, self.writer) for k, f in self.fonts.items()}
        self.grid_pen = QPen(QColor("#6b7280"), _mm(0.15))
        self.text_pen = QPen(QColor("#111827"))
        self.heights: dict[tuple[str, str, float], float] = {}  # names and phones repeat
        self.page = 1
        self.y = 0.0
        self.drawn: list[str] = []

    def text(self, rect: QRectF, s: str, kind: str, flags: int) -> None:
        self.painter.setFont(self.fonts[kind])
        self.painter.drawText(rect, flags, s)
        self.drawn.append(s)

    def wrapped_height(self, s: str, kind: str, width: float) -> float:
        key = (s, kind, width)
        h = self.heights.get(key)
        if h is None:
            r = self.metrics[kind].boundingRect(QRectF(0, 0, max(width, 1.0), 1e7), WRAP,
                                                s or " ")
            h = self.heights[key] = r.height()
        return h

    def footer(self) -> None:
        s = f"第 {self.page} 页"
        self.text(QRectF(0, self.height + _mm(1), self.width, _mm(4)), s, "body",
                  int(Qt.AlignmentFlag.AlignRight))

    def new_page(self) -> None:
        self.footer()
        self.writer.newPage()
        self.page += 1
        self.y = 0.0

    def finish(self) -> None:
        self.footer()
        self.painter.end()


def _widths(doc: _Doc, headers: Sequence[str], rows: list[list[str]]) -> list[float]:
    """Natural column widths (longest text, capped), shrunk to the page where needed."""
    pad = 2 * _mm(PAD_MM)
    natural = []
    for i, h in enumerate(headers):
        w = doc.metrics["head"].horizontalAdvance(h)
        for r in rows[:500]:
            w = max(w, doc.metrics["body"].horizontalAdvance(r[i]))
        natural.append(min(max(w + pad, _mm(MIN_COL_MM)), _mm(MAX_COL_MM)))
    total = sum(natural)
    if total <= doc.width:
        return [w * doc.width / total for w in natural] if total > 0.8 * doc.width else natural
    # shrink the wide columns, keep the narrow ones readable
    narrow = [w for w in natural if w <= _mm(25)]
    room = doc.width - sum(narrow)
    wide = sum(w for w in natural if w > _mm(25))
    return [w if w <= _mm(25) else w * room / wide for w in natural]


def _row(doc: _Doc, cells: list[str], widths: list[float], kind: str, fill: QColor | None
         ) -> None:
    pad = _mm(PAD_MM)
    h = max(doc.wrapped_height(c, kind, w - 2 * pad) for c, w in zip(cells, widths)) + 2 * pad
    if doc.y + h > doc.height:
        raise _PageFull(h)
    x = 0.0
    doc.painter.setPen(doc.grid_pen)
    for c, w in zip(cells, widths):
        rect = QRectF(x, doc.y, w, h)
        if fill is not None:
            doc.painter.fillRect(rect, fill)
        doc.painter.drawRect(rect)
        doc.painter.setPen(doc.text_pen)
        doc.text(rect.adjusted(pad, pad, -pad, -pad), c, kind, CELL_FLAGS)
        doc.painter.setPen(doc.grid_pen)
        x += w
    doc.y += h


class _PageFull(Exception):
    pass


def print_table(out: str | Path, *, title: str, tables: Mapping[str, Any],
                subtitle: str | None = None) -> str:
    """Write ``tables`` ({section title: DataFrame}) under ``title`` to the PDF ``out``."""
    path = Path(out)
    tmp = path.with_name(path.name + ".partial")
    doc = _Doc(tmp, title)
    try:
        th = doc.metrics["title"].height() * 1.6
        doc.text(QRectF(0, 0, doc.width, th), title, "title",
                 int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter))
        doc.y = th
        if subtitle:
            sh = doc.metrics["body"].height() * 1.5
            doc.text(QRectF(0, doc.y, doc.width, sh), subtitle, "body",
                     int(Qt.AlignmentFlag.AlignHCenter))
            doc.y += sh
        for name, frame in tables.items():
            headers = [str(c) for c in frame.columns]
            rows = [[_text(v) for v in r] for r in frame.itertuples(index=False)]
            section_h = doc.metrics["section"].height() * 1.8
            head_h = doc.metrics["head"].height() + 2 * _mm(PAD_MM)
            body_h = doc.metrics["body"].height() + 2 * _mm(PAD_MM)
            if doc.y + section_h + head_h + body_h > doc.height:
                doc.new_page()
            doc.y += _mm(2)
            doc.text(QRectF(0, doc.y, doc.width, section_h), f"{name}（{len(rows)} 条）",
                     "section", int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter))
            doc.y += section_h
            if not rows:
                doc.text(QRectF(0, doc.y, doc.width, body_h), "（无）", "body",
                         int(Qt.AlignmentFlag.AlignLeft))
                doc.y += body_h
                continue
            widths = _widths(doc, headers, rows)
            _row(doc, headers, widths, "head", HEAD_FILL)
            for r in rows:
                try:
                    _row(doc, r, widths, "body", None)
                except _PageFull:
                    doc.new_page()
                    _row(doc, headers, widths, "head", HEAD_FILL)
                    _row(doc, r, widths, "body", None)
        doc.finish()
        fix_tounicode(tmp, radical_map((doc.sans,), set("".join(doc.drawn))))
        os.replace(tmp, path)
    finally:
        if doc.painter.isActive():
            doc.painter.end()
        tmp.unlink(missing_ok=True)
    return str(path)
