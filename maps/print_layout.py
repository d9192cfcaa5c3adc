"""The printed responsibility map (网格化管理责任区域图): page plan and drawing with QPainter.

Pages are laid out in millimetres and painted on any paint device — QPdfWriter (vector PDF),
QImage (PNG) or the desktop's QPrinter — at the device's own resolution: a length in mm is
multiplied by ``dpi / 25.4``, fonts are given in points.  The map frame shows the scope in the
job's Gauss-Krüger CRS at a round scale (1:N), so the scale bar is true.

Page plan (what ``plan()`` returns, in order):

* single map: one map page (title, map, legend, scale bar, north arrow, the first rows of the
  responsibility table in the side panel), then as many table pages as the remaining rows need;
* atlas: ``ceil(units / rows per index page)`` index pages, then for every unit its map page
  (with an overview inset) followed by table pages only when its rows do not fit in the panel.
  With street/community/cell/officer units on A4 and larger that rarely happens; the summary
  returned by :func:`print_job` gives the page kinds so that callers can count.
"""

from __future__ import annotations

import errno
import math
import os
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
    QPolygonF,
)

from gridmgr import staging
from gridmgr.outputs.sheets import Detail, PrintJob, Row, Unit
from gridmgr.progress import Progress

from .print_labels import Box, Label, Obstacles, place_areas, place_cells
from .print_text import Measure, cjk_families, fix_tounicode, font, radical_map
from .render import CLASS_COLOURS, STYLE

PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0), "A2": (420.0, 594.0),
            "A1": (594.0, 841.0), "A0": (841.0, 1189.0)}
PAPER_ID = {"A4": QPageSize.PageSizeId.A4, "A3": QPageSize.PageSizeId.A3,
            "A2": QPageSize.PageSizeId.A2, "A1": QPageSize.PageSizeId.A1,
            "A0": QPageSize.PageSizeId.A0}
LINE_MM = {"cell": 0.12, "community": 0.35, "street": 0.6, "district": 0.9, "scope": 0.9}
NICE_SCALES = (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 8, 10)
TABLE_HEAD = ("网格编码", "网格名称", "责任人", "联系电话", "区级监管责任人", "联系电话")
TABLE_PAGE_PT = 6.5  # continuation tables, every paper
TABLE_PAGE_MIN_PT = 5.8  # … down to this when that fits one more block across
ROW_LINES = 1.3  # a table row is this many text lines high
CELL_PAD = 0.19  # per point of font size: the text inset of a table cell (0.8 + 0.4 mm at 6.5 pt)
BLOCK_GAP_MM = (4.0, 10.0)  # between side-by-side table blocks: at least, at most
INDEX_HEAD = ("序号", "编码", "名称", "网格数", "页码")
FROM_MARK = "*"
DETAIL_MM = 25.0  # a dense cluster gets a detail sheet when one of its areas is narrower
SYMBOL_SHARE = 0.2  # a cell's symbols are drawn as one count when they would cover more


def ensure_app() -> QGuiApplication:
    """The QGuiApplication painting needs (offscreen when there is no display)."""
    app = QGuiApplication.instance()
    if app is None:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([])
        ensure_app.app = app  # type: ignore[attr-defined]  # keep it alive
    return app  # type: ignore[return-value]


def nice_scale(denominator: float) -> int:
    """The round scale denominator at or above ``denominator`` (1:2 500, 1:30 000 …)."""
    e = 10 ** math.floor(math.log10(denominator))
    return int(round(next(n for n in NICE_SCALES if n * e >= denominator * 0.9999) * e))


def nice_length(limit: float) -> float:
    """The longest 1/2/5×10ⁿ length not longer than ``limit``."""
    e = 10 ** math.floor(math.log10(limit))
    return max(n * e for n in (1, 2, 5) if n * e <= limit)


@dataclass
class MapView:
    """Ground (GK metres) → page (mm): ``x_mm = ox + (x - cx) * k``, ``y_mm = oy - (y - cy) * k``.
    ``k`` is mm per metre = 1000 / scale."""

    cx: float
    cy: float
    ox: float
    oy: float
    k: float
    scale: int

    def to_page(self, x: Any, y: Any) -> tuple[Any, Any]:
        return self.ox + (x - self.cx) * self.k, self.oy - (y - self.cy) * self.k

    def to_ground(self, x: Any, y: Any) -> tuple[Any, Any]:
        return self.cx + (x - self.ox) / self.k, self.cy - (y - self.oy) / self.k

    def transform(self, geoms: np.ndarray) -> np.ndarray:
        return shapely.transform(geoms, lambda c: np.column_stack(self.to_page(c[:, 0], c[:, 1])))


@dataclass
class Page:
    kind: str  # map | detail | table | index
    unit: Unit | None = None
    detail: Detail | None = None
    rows: list[Row] = field(default_factory=list)
    index: list[tuple[Unit, int]] = field(default_factory=list)
    continued: bool = False
    # filled while painting: what tests and benches look at
    labels: list[Label] = field(default_factory=list)
    view: MapView | None = None
    frame: Box | None = None
    bar: tuple[float, float, float, float] | None = None  # x0, y, length mm, ground metres
    north: Box | None = None  # the north arrow's white box
    marks: list[tuple[Detail, Box]] = field(default_factory=list)  # detail extents drawn
    symbols: dict[str, int] = field(default_factory=dict)  # single / grouped / badges


class Layout:
    """One document: the page plan for a job on a paper, and painting each page."""

    def __init__(self, job: PrintJob, paper: str = "A3", landscape: bool = False,
                 size_mm: tuple[float, float] | None = None) -> None:
        self.job = job
        w, h = size_mm or PAPER_MM[paper]
        self.W, self.H = (max(w, h), min(w, h)) if landscape else (min(w, h), max(w, h))
        self.f = min(self.W, self.H) / 210.0  # A4 = 1, A0 = 4
        self.sans, self.serif = cjk_families()
        self.m = Measure(self.sans)
        self.mb = Measure(self.sans, bold=True)
        self.mt = Measure(self.serif, bold=True)
        rf = math.sqrt(self.f)
        self.margin = 8.0 + 2.0 * self.f
        self.title_pt = 16.0 * rf
        self.text_pt = 7.0 * rf
        self.table_pt = 7.0 * rf  # the table in the map page's panel grows with the paper
        # table pages: one size on every paper — a larger sheet holds more blocks, not larger
        # letters (6.5 pt is the size of a printed register; the panel's 7 × √f grew to 8.3 pt
        # on A3 and left half of each table page empty)
        self.page_table_pt = TABLE_PAGE_PT  # page_table_fit() may go a little smaller
        self.drawn: set[str] = set()
        self._fonts: dict[tuple[str, float, bool], Any] = {}
        self._inset_cache: tuple[np.ndarray, np.ndarray] | None = None
        self._flags: dict[Any, int] = {}
        self.trees: dict[str, shapely.STRtree] = {
            lvl: shapely.STRtree(s.geoms) for lvl, s in job.layers.items()}
        roles = self.job.team_roles
        self._head_texts = TABLE_HEAD if not roles else (
            *TABLE_HEAD[:2], *(t for role in roles for t in (role, "联系电话")))
        self._table_cols = self._table_widths()
        self.details = self._details_needed()
        self.pages = self.plan()
        self.painted = 0  # pages painted so far (paint_pages, paint_document)

    # ------------------------------------------------------------------ geometry of a page
    @property
    def inner(self) -> Box:
        return (self.margin, self.margin, self.W - self.margin, self.H - self.margin)

    def _title_h(self) -> float:
        return self.mt.height(self.title_pt) + self.m.height(self.text_pt * 1.3) + 3.0

    def _footer_h(self) -> float:
        return self.m.height(self.text_pt) * 1.8

    def body(self) -> Box:
        x0, y0, x1, y1 = self.inner
        pad = 2.0
        return (x0 + pad, y0 + self._title_h(), x1 - pad, y1 - self._footer_h() - pad)

    def map_boxes(self) -> tuple[Box, Box, Box]:
        """(map frame, legend box, table box) of a map page."""
        x0, y0, x1, y1 = self.body()
        gap = 3.0
        if self.W > self.H:  # landscape: a side panel on the right
            split = x0 + (x1 - x0) * 0.62
            legend_h = self._legend_h()
            return ((x0, y0, split, y1), (split + gap, y0, x1, y0 + legend_h),
                    (split + gap, y0 + legend_h + gap, x1, y1))
        split = y0 + (y1 - y0) * 0.64
        legend_w = 62.0 * math.sqrt(self.f)
        return ((x0, y0, x1, split), (x0, split + gap, x0 + legend_w, y1),
                (x0 + legend_w + gap, split + gap, x1, y1))

    def _legend_items(self) -> list[tuple[str, str]]:
        items = [("scope", "出图范围界线"), ("street", "街道界线"), ("community", "社区界线"),
                 ("cell", "单元网格")]
        if self.job.atlas:
            items.append(("unit", "本幅单元"))
        items += [(f"class:{c}", f"{c}企业") for c in ("国控", "省控", "市控")]
        items.append(("badge", "重点企业数（过密处按网格/社区合计）"))
        return items

    def _legend_cols(self) -> int:
        """Two columns of legend items in a landscape side panel (it is narrow but short)."""
        return 2 if self.W > self.H else 1

    def _legend_h(self) -> float:
        row = self.m.height(self.text_pt) * 1.5
        items = math.ceil(len(self._legend_items()) / self._legend_cols())
        return row * (items + 4) + 16.0 * math.sqrt(self.f)

    # ------------------------------------------------------------------ tables
    def _table_widths(self) -> list[float]:
        """Column widths per point of font size, from the content; a heading wider than its
        column (区级监管责任人 over a three-character name) wraps to two lines instead of
        widening the column (see :meth:`_heads`)."""
        pt = 1.0
        rows = self.job.rows

        def widest(texts: list[str], head: str) -> float:
            content = max([self.m.width(t, pt) for t in texts] + [0.0])
            whole = self.mb.width(head, pt)
            half = max(self.mb.width(part, pt) for part in _split_head(head))
            return max(content, half) if whole > content else content

        sample = rows[:3000]
        cols = [[r.code for r in sample], [r.name for r in sample]]
        if not self.job.team_roles:
            cols += [
                [(r.primary or "（未落实）") + FROM_MARK for r in sample],
                [r.primary_mobile or "" for r in sample],
                [(r.supervisor or "（未落实）") + FROM_MARK for r in sample],
                [r.supervisor_mobile or "" for r in sample]]
        for role in self.job.team_roles:
            cols += [[(r.team.get(role, ("（未落实）", "", False))[0] or "") + FROM_MARK
                      for r in sample],
                     [r.team.get(role, ("", "", False))[1] for r in sample]]
        # widths per point of font size; a very long name is cut at 4 mm/pt (28 mm at 7 pt)
        return [min(widest(c, h), 4.0) + CELL_PAD for c, h in zip(cols, self._head_texts)]

    def _row_texts(self, r: Row) -> tuple[str, ...]:
        """One row of the table as drawn: the team's names (* when by fallback) and phones;
        the primary and supervisor columns say （未落实） where the cell has nobody."""
        if not self.job.team_roles:
            return (r.code, r.name, self._person(r.primary, r.primary_from),
                    r.primary_mobile or "", self._person(r.supervisor, r.supervisor_from),
                    r.supervisor_mobile or "")
        out = [r.code, r.name]
        for role in self.job.team_roles:
            names, mobiles, fallback = r.team.get(role, ("", "", False))
            if not names:
                missing = ((role == self.job.primary_role and not r.primary)
                           or (role == self.job.supervisor_role and not r.supervisor))
                names = "（未落实）" if missing else ""
            elif fallback:
                names += FROM_MARK
            out += [names, mobiles]
        return tuple(out)

    def _heads(self) -> tuple[str, ...]:
        """The headings as drawn: two lines where the heading is wider than its column."""
        out = []
        for w, head in zip(self._table_cols, self._head_texts):
            wrap = self.mb.width(head, 1.0) > w - CELL_PAD + 1e-9
            out.append("\n".join(_split_head(head)) if wrap else head)
        return tuple(out)

    def _head_lines(self) -> int:
        return max(h.count("\n") + 1 for h in self._heads())

    def _row_h(self, pt: float) -> float:
        return self.m.height(pt) * ROW_LINES

    def table_fit(self, box: Box, pt: float | None = None) -> tuple[float, int, int]:
        """(point size, blocks side by side, rows per block) for the table in ``box``: as many
        blocks as fit across; the font (``pt``, default the panel's size) shrinks, not below
        5 pt, when one block is wider than the box."""
        width = box[2] - box[0]
        per_pt = sum(self._table_cols)
        pt = pt or self.table_pt
        if per_pt * pt > width:
            pt = width / per_pt
        if pt < 5.0:
            return pt, 0, 0
        gap = BLOCK_GAP_MM[0]
        blocks = max(1, int((width + gap) // (per_pt * pt + gap)))
        # caption (1.2 rows) and the heading (one row per line)
        usable = box[3] - box[1] - self._row_h(pt) * (1.2 + self._head_lines())
        return pt, blocks, max(0, int(usable // self._row_h(pt)))

    def fit_more(self, box: Box, pt: float, min_pt: float) -> tuple[float, int, int]:
        """:meth:`table_fit` at ``pt``, or a little smaller (not below ``min_pt``) when that
        fits one more block across — the space beside a single block is not left empty."""
        got = self.table_fit(box, pt)
        if not got[1]:
            return got
        width, per_pt, gap = box[2] - box[0], sum(self._table_cols), BLOCK_GAP_MM[0]
        more = math.floor((width - gap * got[1]) / ((got[1] + 1) * per_pt) * 10) / 10
        return self.table_fit(box, more) if min_pt <= more < got[0] else got

    def panel_table_fit(self) -> tuple[float, int, int]:
        """The table in the map page's panel: its size, or down to the table pages' 6.5 pt."""
        return self.fit_more(self.map_boxes()[2], self.table_pt, TABLE_PAGE_PT)

    def page_table_fit(self) -> tuple[float, int, int]:
        """A continuation table page: 6.5 pt, or down to 5.8 pt for one more block across
        (A3 portrait: 3 blocks, not 2)."""
        return self.fit_more(self.body(), self.page_table_pt, TABLE_PAGE_MIN_PT)

    def _index_fit(self, box: Box) -> tuple[float, list[float], int, int]:
        pt = self.table_pt
        units = self.job.units
        widths = [self.mb.width("序号", pt) + 2, max([self.m.width(u.key, pt) for u in units[:2000]]
                                                     + [10.0]) + 2,
                  min(60.0, max([self.m.width(u.name, pt) for u in units[:2000]] + [10.0])) + 2,
                  self.mb.width("网格数", pt) + 2, self.mb.width("页码", pt) + 2]
        gap = 6.0
        width = box[2] - box[0]
        blocks = max(1, int((width + gap) // (sum(widths) + gap)))
        rows = max(1, int((box[3] - box[1] - self._row_h(pt) * 2.2) // self._row_h(pt)))
        return pt, widths, blocks, rows

    # ------------------------------------------------------------------ plan
    def main_view(self) -> MapView:
        """The single map's view (the scope, or the desktop's extent, fitted to the frame)."""
        job = self.job
        return self._fit(self.map_boxes()[0], job.extent if job.extent
                         else tuple(shapely.bounds(job.scope_geom)))

    def _details_needed(self) -> list[Detail]:
        """The dense clusters whose narrowest area would be drawn under DETAIL_MM on the main
        map: each gets a detail sheet after the map page (single maps, not "print this view")."""
        job = self.job
        if job.atlas or job.extent or not job.details:
            return []
        k = self.main_view().k
        shapes = {lvl: s for lvl, s in job.layers.items()}
        out = []
        for d in job.details:
            layer = shapes.get(d.level)
            if layer is None:
                continue
            pos = {c: i for i, c in enumerate(layer.codes)}
            b = shapely.bounds(layer.geoms[[pos[c] for c in d.codes if c in pos]])
            if len(b) and float(np.min(np.minimum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]))) * k \
                    < DETAIL_MM:
                out.append(d)
        return out

    def plan(self) -> list[Page]:
        job = self.job
        _, blocks, rows = self.panel_table_fit()
        first_cap = blocks * rows
        _, blocks, rows = self.page_table_fit()
        page_cap = max(1, blocks * rows)
        pages: list[Page] = []

        def map_then_tables(unit: Unit | None, rows: list[Row]) -> None:
            pages.append(Page("map", unit=unit, rows=rows[:first_cap]))
            rest = rows[first_cap:]
            for i in range(0, len(rest), page_cap):
                pages.append(Page("table", unit=unit, rows=rest[i:i + page_cap], continued=True))

        if not job.atlas:
            map_then_tables(None, job.rows)
            # detail sheets right after the map; they carry the table on from it
            rest = [r for pg in pages[1:] for r in pg.rows]
            details = []
            for d in self.details:
                details.append(Page("detail", detail=d, rows=rest[:first_cap]))
                rest = rest[first_cap:]
            tables = [Page("table", rows=rest[i:i + page_cap], continued=True)
                      for i in range(0, len(rest), page_cap)]
            return pages[:1] + details + tables
        key_box, first_box = self.index_boxes()
        first = 0
        if first_box is not None:
            _, _, blocks, rows = self._index_fit(first_box)
            first = blocks * rows
        _, _, blocks, rows = self._index_fit(self.body())
        per_index = blocks * rows
        n_index = 1 + max(0, math.ceil((len(job.units) - first) / per_index))
        body: list[Page] = []
        numbers = []
        for unit in job.units:
            numbers.append(n_index + len(body) + 1)
            before = len(pages)
            map_then_tables(unit, job.rows_for(unit.cells))
            body += pages[before:]
            del pages[before:]
        entries = list(zip(job.units, numbers))
        pages.append(Page("index", index=entries[:first]))
        for i in range(first, len(entries), per_index):
            pages.append(Page("index", index=entries[i:i + per_index], continued=True))
        return pages + body

    def index_boxes(self) -> tuple[Box, Box | None]:
        """(key map, index list) on the first index page.  The list takes only the room its
        entries need and the key map the rest; when the whole list would need more than half
        the page, the key map has the first page to itself (None for the list) and the list
        starts on the next."""
        x0, y0, x1, y1 = self.body()
        gap = 4.0
        n = len(self.job.units)
        if self.W > self.H:
            pt, widths, _, rows = self._index_fit((x0, y0, x1, y1))
            need = math.ceil(n / max(rows, 1)) * (sum(widths) + 6.0)
            if need > (x1 - x0) * 0.5:
                return (x0, y0, x1, y1), None
            split = max(x0 + (x1 - x0) * 0.5, x1 - need - gap)
            return (x0, y0, split, y1), (split + gap, y0, x1, y1)
        pt, widths, blocks, _ = self._index_fit((x0, y0, x1, y1))
        rh = self._row_h(pt)
        need = (math.ceil(n / max(blocks, 1)) + 2.2) * rh + 1.0
        if need > (y1 - y0) * 0.5:
            return (x0, y0, x1, y1), None
        split = y1 - need - gap
        return (x0, y0, x1, split), (x0, split + gap, x1, y1)

    # ------------------------------------------------------------------ painting helpers
    def _px(self, v: float) -> float:
        return v * self.u

    def _rect(self, b: Box) -> QRectF:
        return QRectF(b[0] * self.u, b[1] * self.u, (b[2] - b[0]) * self.u,
                      (b[3] - b[1]) * self.u)

    def _pen(self, colour: str, mm: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
        pen = QPen(QColor(colour), mm * self.u)
        pen.setStyle(style)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return pen

    def _text(self, p: QPainter, box: Box, text: str, pt: float, *, bold: bool = False,
              family: str | None = None, align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
              colour: str = "#111827") -> None:
        self.drawn.update(text)
        key = (family or self.sans, pt, bold)
        f = self._fonts.get(key)
        if f is None:
            f = self._fonts[key] = font(*key)
        flags = self._flags.get(align)
        if flags is None:
            flags = self._flags[align] = int(align | Qt.AlignmentFlag.AlignVCenter)
        p.setFont(f)
        p.setPen(QColor(colour))
        p.drawText(self._rect(box), flags, text)

    def _paths(self, geoms: np.ndarray, view: MapView) -> QPainterPath:
        """One path holding every ring of ``geoms``, in device pixels."""
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.OddEvenFill)
        if len(geoms) == 0:
            return path
        rings = shapely.get_rings(shapely.get_parts(geoms))
        coords, idx = shapely.get_coordinates(rings, return_index=True)
        x, y = view.to_page(coords[:, 0], coords[:, 1])
        x, y = x * self.u, y * self.u
        cuts = [0, *(np.flatnonzero(np.diff(idx)) + 1).tolist(), len(idx)]
        points = list(map(QPointF, x.tolist(), y.tolist()))
        for a, b in zip(cuts[:-1], cuts[1:]):
            path.addPolygon(QPolygonF(points[a:b]))
            path.closeSubpath()
        return path

    # ------------------------------------------------------------------ pages
    def paint(self, p: QPainter, index: int) -> Page:
        """Paint page ``index`` (0-based) on the painter's device; returns the page with what
        was placed on it."""
        dev = p.device()
        self.u = dev.logicalDpiX() / 25.4
        page = self.pages[index]
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self._frame_and_title(p, page, index)
        if page.kind in ("map", "detail"):
            self._map_page(p, page)
        elif page.kind == "table":
            self._table(p, self.body(), page.rows, "网格责任表（续）", self.page_table_fit()[0])
        else:
            self._index(p, page)
        return page

    def _frame_and_title(self, p: QPainter, page: Page, index: int) -> None:
        x0, y0, x1, y1 = self.inner
        p.setPen(self._pen("#111827", 0.5))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(self._rect(self.inner))
        th = self.mt.height(self.title_pt)
        title = self.job.title + ("（续）" if page.continued and page.kind == "table"
                                  and page.unit is None else "") + (
            f"（{page.detail.key}）" if page.detail is not None else "")
        self._text(p, (x0, y0 + 1.0, x1, y0 + 1.0 + th), title, self.title_pt, bold=True,
                   family=self.serif, align=Qt.AlignmentFlag.AlignHCenter)
        sub = {"index": "图幅索引" + ("（续）" if page.continued else "")}.get(page.kind, "")
        if page.unit is not None:
            sub = f"本幅：{page.unit.name}（{page.unit.key}）" if page.unit.level != "officer" \
                else f"本幅：{page.unit.name}"
            sub += "  （续）" if page.continued else ""
        elif page.detail is not None:
            sub = f"{page.detail.key}：{page.detail.name}"
        elif page.kind != "index" and self.job.scope != "district":
            sub = f"范围：{self.job.scope_name}"
        sh = self.m.height(self.text_pt * 1.3)
        if sub:
            self._text(p, (x0, y0 + 1.5 + th, x1, y0 + 1.5 + th + sh), sub, self.text_pt * 1.3,
                       align=Qt.AlignmentFlag.AlignHCenter, colour="#374151")
        fh = self._footer_h()
        fy = y1 - fh
        p.setPen(self._pen("#111827", 0.25))
        p.drawLine(QPointF(self._px(x0), self._px(fy)), QPointF(self._px(x1), self._px(fy)))
        pad = 2.0
        fb = (x0 + pad, fy, x1 - pad, y1)
        self._text(p, fb, f"编制单位：{self.job.issuer}    编制日期：{self.job.date}",
                   self.text_pt)
        self._text(p, fb, f"第 {index + 1} 页 共 {len(self.pages)} 页", self.text_pt,
                   align=Qt.AlignmentFlag.AlignRight)

    def _fit(self, frame: Box, bounds: tuple[float, float, float, float]) -> MapView:
        fx0, fy0, fx1, fy1 = frame
        bx0, by0, bx1, by1 = bounds
        pad = 0.06
        bw, bh = max(bx1 - bx0, 1.0), max(by1 - by0, 1.0)
        k = min((fx1 - fx0) * (1 - 2 * pad) / bw, (fy1 - fy0) * (1 - 2 * pad) / bh)
        scale = nice_scale(1000.0 / k)
        return MapView((bx0 + bx1) / 2, (by0 + by1) / 2, (fx0 + fx1) / 2, (fy0 + fy1) / 2,
                       1000.0 / scale, scale)

    def _map_page(self, p: QPainter, page: Page) -> None:
        job = self.job
        frame, legend, table = self.map_boxes()
        unit, detail = page.unit, page.detail
        focus = unit.geom if unit is not None else job.scope_geom
        if detail is not None:
            x0, y0, x1, y1 = detail.bounds
            view = self._fit(frame, (x0, y0, x1, y1))
        elif unit is None:
            view = self.main_view()
        else:
            view = self._fit(frame, tuple(shapely.bounds(focus)))
        # on the main map the clusters with a detail sheet are marked, not labelled
        marked = self.details if page.kind == "map" and unit is None else []
        page.view, page.frame = view, frame
        gx0, gy1 = view.to_ground(frame[0], frame[1])
        gx1, gy0 = view.to_ground(frame[2], frame[3])
        visible = shapely.box(gx0, gy0, gx1, gy1)
        # outlines are cut a little outside the frame: the painter's clip hides what lies
        # beyond, but a PDF would still carry every vertex of a district boundary on every page
        mx, my = (gx1 - gx0) * 0.05, (gy1 - gy0) * 0.05
        cut = (gx0 - mx, gy0 - my, gx1 + mx, gy1 + my)
        p.save()
        p.setClipRect(self._rect(frame))
        highlight = set(unit.cells) if unit is not None else set()
        cells = job.layers["cell"]
        hits = np.sort(self.trees["cell"].query(visible))
        in_scope = np.array([cells.codes[i] in job.scope_cells for i in hits], dtype=bool)
        chosen = np.array([cells.codes[i] in highlight for i in hits], dtype=bool)
        groups = [(hits[~in_scope], None, "#94a3b8"), (hits[in_scope & ~chosen], "#f8fafc",
                                                       STYLE["cell"][0]),
                  (hits[chosen], "#fde68a", STYLE["cell"][0])]
        for idx, fill, line in groups:
            if not len(idx):
                continue
            p.setBrush(QBrush(QColor(fill)) if fill else Qt.BrushStyle.NoBrush)
            p.setPen(self._pen(line, LINE_MM["cell"]))
            p.drawPath(self._paths(cells.geoms[idx], view))
        p.setBrush(Qt.BrushStyle.NoBrush)
        for level in ("community", "street", "district"):
            shapes = job.layers.get(level)
            if shapes is None or level == cells.level:
                continue
            idx = np.sort(self.trees[level].query(visible))
            p.setPen(self._pen(STYLE[level][0], LINE_MM[level]))
            p.drawPath(self._paths(shapely.clip_by_rect(shapes.geoms[idx], *cut), view))
        p.setPen(self._pen("#111827", LINE_MM["scope"]))
        p.drawPath(self._paths(shapely.clip_by_rect(np.array([job.scope_geom]), *cut), view))
        if unit is not None:
            p.setPen(self._pen("#b45309", LINE_MM["scope"]))
            p.drawPath(self._paths(shapely.clip_by_rect(np.array([unit.geom]), *cut), view))
        taken = Obstacles(max(4.0, 8.0 * math.sqrt(self.f)))
        inset = self._inset_box(frame) if unit is not None else None
        north = page.north = self._north_box(frame, view, focus, inset)
        taken.add(north)  # labels keep clear of the arrow and the inset
        if inset is not None:
            taken.add(inset)
        page.marks = self._marks(p, view, frame, marked, taken)
        skip = {c for d in marked for c in d.cells}
        skip_areas = {c for d in marked for c in d.codes}
        symbols = self._symbols(p, view, visible, page)
        page.labels = self._labels(p, view, frame, visible, hits, in_scope, highlight, taken,
                                   symbols, focus, skip, skip_areas)
        p.restore()
        self._north(p, north)
        p.setPen(self._pen("#111827", 0.4))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(self._rect(frame))
        if unit is not None:
            self._inset(p, frame, unit)
        page.bar = self._legend(p, legend, view)
        self._table(p, table, page.rows, "网格责任表", self.panel_table_fit()[0])

    def _marks(self, p: QPainter, view: MapView, frame: Box, details: list[Detail],
               taken: Obstacles) -> list[tuple[Detail, Box]]:
        """The extent of each detail sheet on the main map: a dashed frame and, above it (or
        below, when there is no room), 详图一（第 2 页）."""
        out = []
        pt = self.text_pt * 1.1
        pages = {id(pg.detail): n for n, pg in enumerate(self.pages, start=1)
                 if pg.detail is not None}
        for d in details:
            x0, y0, x1, y1 = d.bounds
            (px0, px1), (py1, py0) = view.to_page(np.array([x0, x1]), np.array([y0, y1]))
            pad = 1.2
            rect = (float(px0) - pad, float(py0) - pad, float(px1) + pad, float(py1) + pad)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(self._pen("#111827", 0.35, Qt.PenStyle.DashLine))
            p.drawRect(self._rect(rect))
            text = f"{d.key}（第 {pages.get(id(d), '?')} 页）"
            w, h = self.mb.width(text, pt) + 1.5, self.m.height(pt)
            cx = (rect[0] + rect[2]) / 2
            above = (cx - w / 2, rect[1] - h - 0.5, cx + w / 2, rect[1] - 0.5)
            below = (cx - w / 2, rect[3] + 0.5, cx + w / 2, rect[3] + h + 0.5)
            box = above if above[1] >= frame[1] else below
            box = (max(frame[0], min(box[0], frame[2] - w)), box[1],
                   max(frame[0], min(box[0], frame[2] - w)) + w, box[3])
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QBrush(QColor(255, 255, 255, 220)))
            p.drawRect(self._rect(box))
            self._text(p, box, text, pt, bold=True, align=Qt.AlignmentFlag.AlignHCenter)
            taken.add(box)
            taken.add(rect)
            out.append((d, rect))
        return out

    def _symbols(self, p: QPainter, view: MapView, visible: Any,
                 page: Page | None = None) -> list[Box]:
        """Key enterprises in the frame; returns their boxes (cell labels keep clear of them).

        Symbols grow with the paper (0.8 mm × √(paper/A4) radius).  Where a cell's symbols
        would cover more than SYMBOL_SHARE of it, they are drawn as one count (a white disc
        with the number, ringed in the colour of the highest class there) — in the cell when
        the disc fits, else in its community, else its street, else where they are."""
        job = self.job
        r = 0.8 * math.sqrt(self.f)
        boxes: list[Box] = []
        gx0, gy0, gx1, gy1 = shapely.bounds(visible)
        pts = [(x, y, cls) for x, y, cls, _ in job.enterprises
               if gx0 <= x <= gx1 and gy0 <= y <= gy1]
        if not pts:
            return boxes
        xy = np.array([(x, y) for x, y, _ in pts])
        classes = [c for _, _, c in pts]
        cells = job.layers["cell"]
        where = np.full(len(pts), -1)
        pi, ci = self.trees["cell"].query(shapely.points(xy), predicate="within")
        where[pi] = ci
        k2 = view.k ** 2
        counts = np.bincount(where[where >= 0], minlength=len(cells.codes))
        dense_cells = {int(c) for c in np.flatnonzero(counts) if
                       counts[c] * (2 * r) ** 2 > SYMBOL_SHARE * shapely.area(cells.geoms[c]) * k2}
        single = [i for i in range(len(pts)) if int(where[i]) not in dense_cells]
        pending = [i for i in range(len(pts)) if int(where[i]) in dense_cells]
        p.setPen(self._pen("#ffffff", 0.2))
        for i in single:
            px, py = view.to_page(xy[i, 0], xy[i, 1])
            p.setBrush(QBrush(QColor(CLASS_COLOURS.get(classes[i], "#64748b"))))
            self._symbol(p, px, py, r, classes[i])
            boxes.append((px - r, py - r, px + r, py + r))
        pt = self.text_pt * 0.85
        badges: list[tuple[float, float, int, str]] = []
        # group the pending symbols by the smallest area that holds their count's disc
        levels = [("cell", cells)] + [(lvl, job.layers[lvl]) for lvl in ("community", "street")
                                      if lvl in job.layers and lvl != cells.level]
        for level, shapes in levels:
            if not pending:
                break
            if level == "cell":
                owner = {i: int(where[i]) for i in pending}
            else:
                a, b = self.trees[level].query(shapely.points(xy[pending]), predicate="within")
                owner = {pending[int(j)]: int(g) for j, g in zip(a, b)}
            groups: dict[int, list[int]] = {}
            for i, g in owner.items():
                groups.setdefault(g, []).append(i)
            left = set(pending) - set(owner)
            for g, members in groups.items():
                d = self._badge_d(len(members), pt, r)
                geom = view.transform(np.array([shapes.geoms[g]], dtype=object))[0]
                bx0, by0, bx1, by1 = shapely.bounds(geom)
                if min(bx1 - bx0, by1 - by0) >= 1.15 * d and shapely.area(geom) >= 2 * d * d:
                    c = shapely.get_coordinates(shapely.point_on_surface(geom))[0]
                    top = min((classes[i] for i in members), key=_class_rank)
                    badges.append((float(c[0]), float(c[1]), len(members), top))
                else:
                    left.update(members)
            pending = sorted(left)
        if pending:  # nothing holds them: one count where they are
            cx, cy = view.to_page(float(xy[pending, 0].mean()), float(xy[pending, 1].mean()))
            top = min((classes[i] for i in pending), key=_class_rank)
            badges.append((float(cx), float(cy), len(pending), top))
        for cx, cy, n, top in badges:
            d = self._badge_d(n, pt, r)
            p.setPen(self._pen(CLASS_COLOURS.get(top, "#64748b"), 0.35))
            p.setBrush(QBrush(QColor("#ffffff")))
            p.drawEllipse(QPointF(cx * self.u, cy * self.u), d / 2 * self.u, d / 2 * self.u)
            self._text(p, (cx - d, cy - d / 2, cx + d, cy + d / 2), str(n), pt, bold=True,
                       align=Qt.AlignmentFlag.AlignHCenter)
            boxes.append((cx - d / 2, cy - d / 2, cx + d / 2, cy + d / 2))
        if page is not None:
            page.symbols = {"single": len(single), "grouped": sum(b[2] for b in badges),
                            "badges": len(badges)}
        return boxes

    def _badge_d(self, n: int, pt: float, r: float) -> float:
        """Diameter (mm) of the disc that shows a count of ``n`` symbols."""
        return max(2.6 * r, self.mb.width(str(n), pt) + 1.2)

    def _symbol(self, p: QPainter, x: float, y: float, r: float, cls: str) -> None:
        """国控 triangle, 省控 square, 市控 circle — shape as well as colour, for grey copies."""
        u = self.u
        if cls == "国控":
            pts = [QPointF(x * u, (y - r * 1.2) * u), QPointF((x + r * 1.1) * u, (y + r * 0.8) * u),
                   QPointF((x - r * 1.1) * u, (y + r * 0.8) * u)]
            p.drawPolygon(QPolygonF(pts))
        elif cls == "省控":
            p.drawRect(QRectF((x - r * 0.85) * u, (y - r * 0.85) * u, r * 1.7 * u, r * 1.7 * u))
        else:
            p.drawEllipse(QPointF(x * u, y * u), r * u, r * u)

    def _labels(self, p: QPainter, view: MapView, frame: Box, visible: Any, hits: np.ndarray,
                in_scope: np.ndarray, highlight: set[str], taken: Obstacles,
                symbols: list[Box], focus: Any, skip: set[str] | None = None,
                skip_areas: set[str] | None = None) -> list[Label]:
        job = self.job
        rf = math.sqrt(self.f)
        placed: list[Label] = []
        for level, pt, bold in (("street", 12.0 * rf, True), ("community", 8.0 * rf, False)):
            shapes = job.layers.get(level)
            if shapes is None or level == job.layers["cell"].level:
                continue
            idx = np.sort(self.trees[level].query(visible))
            # the area the page is about, and those around it, are in the title: their names
            # would sit on the middle of the map; the neighbours' names orient the reader
            idx = idx[~shapely.covers(shapely.buffer(shapes.geoms[idx], 1.0), focus)]
            if skip_areas:  # named on their detail sheet and beside its mark
                idx = np.array([i for i in idx if shapes.codes[i] not in skip_areas], dtype=int)
            polys = shapely.intersection(view.transform(shapes.geoms[idx]),
                                         shapely.box(*frame))
            measure = self.mb if bold else self.m
            placed += place_areas(level, [shapes.names[i] for i in idx], polys, pt,
                                  measure.width, measure.height, frame, taken)
        for b in symbols:  # names may sit on a symbol (with a halo); cell labels may not
            taken.add(b)
        cells = job.layers["cell"]
        idx = hits[in_scope]
        if highlight:
            idx = np.array([i for i in idx if cells.codes[i] in highlight], dtype=int)
        if skip:
            idx = np.array([i for i in idx if cells.codes[i] not in skip], dtype=int)
        n = job.short_digits
        placed += place_cells(view.transform(cells.geoms[idx]),
                              [cells.codes[i][-n:] for i in idx],
                              [cells.names[i] for i in idx], min_pt=4.0, max_pt=10.0 * rf,
                              width=self.m.width, height=self.m.height, frame=frame, taken=taken)
        style = {"street": ("#7f1d1d", True), "community": ("#1e3a8a", False),
                 "cell": ("#374151", False)}
        for lab in placed:
            colour, bold = style[lab.kind]
            if lab.kind != "cell":
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QBrush(QColor(255, 255, 255, 200)))
                p.drawRect(self._rect(lab.box))
            y = lab.box[1]
            for text, pt in lab.lines:
                h = self.m.height(pt)
                self._text(p, (lab.box[0] - 2, y, lab.box[2] + 2, y + h), text, pt, bold=bold,
                           align=Qt.AlignmentFlag.AlignHCenter, colour=colour)
                y += h
        return placed

    def _north_box(self, frame: Box, view: MapView | None = None, focus: Any = None,
                   keep_free: Box | None = None) -> Box:
        """Where the north arrow goes: a white box in a corner of the frame (so that no map
        line runs under the arrow), top right unless the scope (``focus``) reaches into that
        corner and another one is free; never on ``keep_free`` (the atlas inset)."""
        s = 7.0 * math.sqrt(self.f)
        w, h = 2.0 * s, 2.9 * s
        x0, y0, x1, y1 = frame
        corners = [(x1 - w, y0, x1, y0 + h), (x0, y0, x0 + w, y0 + h),
                   (x1 - w, y1 - h, x1, y1), (x0, y1 - h, x0 + w, y1)]
        if keep_free is not None:
            free = shapely.box(*keep_free)
            corners = [c for c in corners if not shapely.intersects(shapely.box(*c), free)]
        if view is None or focus is None or len(corners) == 1:
            return corners[0]
        shape = view.transform(np.array([focus], dtype=object))[0]
        covered = [shapely.intersection(shape, shapely.box(*c)).area for c in corners]
        return corners[int(np.argmin(np.round(covered, 6)))]  # first of the least covered

    def _inset_box(self, frame: Box) -> Box:
        w = (frame[2] - frame[0]) * 0.24
        bx0, by0, bx1, by1 = shapely.bounds(self.job.scope_geom)
        h = min(w * (by1 - by0) / max(bx1 - bx0, 1.0), (frame[3] - frame[1]) * 0.3)
        return (frame[0] + 1.5, frame[3] - h - 1.5, frame[0] + 1.5 + w, frame[3] - 1.5)

    def _north(self, p: QPainter, box: Box) -> None:
        """The north arrow (to true north) with 北 above it, on a white box at ``box``."""
        s = 7.0 * math.sqrt(self.f)
        p.setPen(self._pen("#111827", 0.25))
        p.setBrush(QBrush(QColor("#ffffff")))
        p.drawRect(self._rect(box))
        cx, top = (box[0] + box[2]) / 2, box[1]
        cy = top + 2.0 * s
        p.save()
        p.translate(cx * self.u, cy * self.u)
        p.rotate(self.job.true_north_deg)
        u = self.u
        left = QPolygonF([QPointF(0, -s * u), QPointF(-s * 0.4 * u, s * 0.6 * u),
                          QPointF(0, s * 0.3 * u)])
        right = QPolygonF([QPointF(0, -s * u), QPointF(s * 0.4 * u, s * 0.6 * u),
                           QPointF(0, s * 0.3 * u)])
        p.setBrush(QBrush(QColor("#111827")))
        p.drawPolygon(left)
        p.setBrush(QBrush(QColor("#ffffff")))
        p.drawPolygon(right)
        p.restore()
        self._text(p, (box[0], top + 0.1 * s, box[2], top + 0.95 * s), "北",
                   self.text_pt * 1.2, bold=True, align=Qt.AlignmentFlag.AlignHCenter)

    def _inset(self, p: QPainter, frame: Box, unit: Unit) -> None:
        """Overview: the whole scope with this page's unit filled, bottom-left of the frame."""
        job = self.job
        bx0, by0, bx1, by1 = shapely.bounds(job.scope_geom)
        box = self._inset_box(frame)
        p.setPen(self._pen("#111827", 0.3))
        p.setBrush(QBrush(QColor("#ffffff")))
        p.drawRect(self._rect(box))
        inner = (box[0] + 1, box[1] + 1, box[2] - 1, box[3] - 1)
        k = min((inner[2] - inner[0]) / max(bx1 - bx0, 1.0),
                (inner[3] - inner[1]) / max(by1 - by0, 1.0))
        view = MapView((bx0 + bx1) / 2, (by0 + by1) / 2, (inner[0] + inner[2]) / 2,
                       (inner[1] + inner[3]) / 2, k, 0)
        tolerance = 0.2 / k  # 0.2 mm in the inset: its outlines repeat on every atlas page
        if self._inset_cache is None:
            outline = job.layers.get("street") or job.layers.get("community")
            keep = outline is not None and outline.level != job.layers["cell"].level
            self._inset_cache = (
                shapely.simplify(outline.geoms, tolerance) if keep else np.array([]),
                shapely.simplify(np.array([job.scope_geom]), tolerance))
        outlines, scope = self._inset_cache
        p.setBrush(QBrush(QColor("#f1f5f9")))
        p.setPen(self._pen("#94a3b8", 0.15))
        p.drawPath(self._paths(outlines, view))
        p.setBrush(QBrush(QColor("#dc2626")))
        p.setPen(self._pen("#dc2626", 0.2))
        p.drawPath(self._paths(shapely.simplify(np.array([unit.geom]), tolerance), view))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(self._pen("#111827", 0.3))
        p.drawPath(self._paths(scope, view))

    def _legend(self, p: QPainter, box: Box, view: MapView
                ) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = box
        row = self.m.height(self.text_pt) * 1.5
        self._text(p, (x0, y0, x1, y0 + row), "图例", self.text_pt * 1.15, bold=True)
        top = y0 + row
        sw = 9.0 * math.sqrt(self.f)
        items = self._legend_items()
        per_col = math.ceil(len(items) / self._legend_cols())
        col_w = (x1 - x0) / self._legend_cols()
        for i, (key, text) in enumerate(items):
            y = top + (i % per_col) * row
            x0 = box[0] + (i // per_col) * col_w
            cy = y + row / 2
            if key.startswith("class:"):
                cls = key.split(":", 1)[1]
                p.setPen(self._pen("#ffffff", 0.2))
                p.setBrush(QBrush(QColor(CLASS_COLOURS[cls])))
                self._symbol(p, x0 + sw / 2, cy, 0.8 * math.sqrt(self.f), cls)
            elif key == "badge":
                d = self._badge_d(12, self.text_pt * 0.85, 0.8 * math.sqrt(self.f))
                p.setPen(self._pen(CLASS_COLOURS["省控"], 0.35))
                p.setBrush(QBrush(QColor("#ffffff")))
                p.drawEllipse(QPointF((x0 + sw / 2) * self.u, cy * self.u), d / 2 * self.u,
                              d / 2 * self.u)
                self._text(p, (x0 + sw / 2 - d, cy - d / 2, x0 + sw / 2 + d, cy + d / 2), "12",
                           self.text_pt * 0.85, bold=True, align=Qt.AlignmentFlag.AlignHCenter)
            elif key in ("cell", "unit"):
                p.setPen(self._pen(STYLE["cell"][0], LINE_MM["cell"]))
                p.setBrush(QBrush(QColor("#fde68a" if key == "unit" else "#f8fafc")))
                p.drawRect(self._rect((x0, cy - row * 0.3, x0 + sw, cy + row * 0.3)))
            else:
                colour = "#111827" if key == "scope" else STYLE[key][0]
                p.setPen(self._pen(colour, LINE_MM[key]))
                p.drawLine(QPointF(x0 * self.u, cy * self.u), QPointF((x0 + sw) * self.u,
                                                                      cy * self.u))
            self._text(p, (x0 + sw + 2, y, x1, y + row), text, self.text_pt)
        x0, y = box[0], top + per_col * row
        n = self.job.short_digits
        within = "社区内" if n <= 3 else "街道内"
        for note in (f"网格注记：{within}编码（末 {n} 位，完整编码见责任表）",
                     f"人名后 {FROM_MARK}：由社区/街道兜底负责"):
            self._text(p, (x0, y, x1, y + row), note, self.text_pt * 0.85, colour="#374151")
            y += row
        self._text(p, (x0, y, x1, y + row), f"比例尺 1:{view.scale:,}".replace(",", " "),
                   self.text_pt * 1.1, bold=True)
        y += row * 1.3
        self._text(p, (x0, y - row * 0.35, x1, y + row * 0.65),
                   f"坐标系：CGCS2000 高斯-克吕格 3°带（EPSG:{self.job.crs_epsg}）",
                   self.text_pt * 0.85, colour="#374151")
        y += row
        length_m = nice_length((x1 - x0) * 0.75 / view.k)
        length_mm = length_m * view.k
        bh = 1.4 * math.sqrt(self.f)
        p.setPen(self._pen("#111827", 0.2))
        for i in range(4):
            p.setBrush(QBrush(QColor("#111827" if i % 2 == 0 else "#ffffff")))
            p.drawRect(self._rect((x0 + 2 + length_mm * i / 4, y, x0 + 2 + length_mm * (i + 1)
                                   / 4, y + bh)))
        unit, div = ("千米", 1000.0) if length_m >= 1000 else ("米", 1.0)
        for frac in (0.0, 0.5, 1.0):
            v = length_m * frac / div
            text = f"{v:g}" + (unit if frac == 1.0 else "")
            cx = x0 + 2 + length_mm * frac
            self._text(p, (cx - 12, y + bh, cx + 12, y + bh + row), text, self.text_pt * 0.9,
                       align=Qt.AlignmentFlag.AlignHCenter)
        return (x0 + 2, y, length_mm, length_m)

    def _table(self, p: QPainter, box: Box, rows: list[Row], caption: str,
               pt: float | None = None) -> None:
        if not rows:
            return
        pt, blocks, per_block = self.table_fit(box, pt)
        if not blocks or not per_block:
            return
        rh = self._row_h(pt)
        x0, y0, x1, y1 = box
        self._text(p, (x0, y0, x1, y0 + rh * 1.2), caption, pt * 1.15, bold=True)
        widths = [w * pt for w in self._table_cols]
        tw = sum(widths)
        used = min(blocks, math.ceil(len(rows) / per_block))
        # the blocks spread over the width (a page of three blocks is not left-heavy)
        gap = BLOCK_GAP_MM[0] if blocks < 2 else min(
            BLOCK_GAP_MM[1], (x1 - x0 - blocks * tw) / (blocks - 1))
        heads = self._heads()
        hh = rh * self._head_lines()
        for b in range(used):
            chunk = rows[b * per_block:(b + 1) * per_block]
            bx = x0 + b * (tw + gap)
            y = y0 + rh * 1.2
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QBrush(QColor("#e5e7eb")))
            p.drawRect(self._rect((bx, y, bx + tw, y + hh)))
            self._cells(p, bx, y, hh, widths, heads, pt, bold=True)
            y += hh
            for i, r in enumerate(chunk):
                if i % 2:
                    p.setPen(Qt.PenStyle.NoPen)
                    p.setBrush(QBrush(QColor("#f8fafc")))
                    p.drawRect(self._rect((bx, y, bx + tw, y + rh)))
                texts = self._row_texts(r)
                self._cells(p, bx, y, rh, widths, texts, pt)
                y += rh
            p.setPen(self._pen("#6b7280", 0.2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            top = y0 + rh * 1.2
            p.drawRect(self._rect((bx, top, bx + tw, y)))
            cx = bx
            for w in widths[:-1]:
                cx += w
                p.drawLine(QPointF(cx * self.u, top * self.u), QPointF(cx * self.u, y * self.u))

    @staticmethod
    def _person(name: str | None, source: str | None) -> str:
        if not name:
            return "（未落实）"
        return name + (FROM_MARK if source else "")

    def _cells(self, p: QPainter, x: float, y: float, h: float, widths: list[float],
               texts: tuple[str, ...], pt: float, bold: bool = False) -> None:
        for w, t in zip(widths, texts):
            colour = "#b91c1c" if t == "（未落实）" else "#111827"
            self._text(p, (x + 0.8, y, x + w - 0.4, y + h), t, pt, bold=bold, colour=colour)
            x += w

    def _key_map(self, p: QPainter, page: Page, frame: Box) -> None:
        """The scope with every unit outlined and numbered with its page: the atlas's key."""
        job = self.job
        view = self._fit(frame, tuple(shapely.bounds(job.scope_geom)))
        page.view, page.frame = view, frame
        p.setPen(self._pen("#111827", 0.4))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(self._rect(frame))
        p.save()
        p.setClipRect(self._rect(frame))
        geoms = np.array([u.geom for u in job.units], dtype=object)
        # each unit in its own level's line, then the levels above it in theirs (streets red
        # 0.6 mm, as on the map pages), then the scope
        level = job.units[0].level if job.units else "cell"
        style = level if level in ("cell", "community", "street") else "cell"
        p.setBrush(QBrush(QColor("#f8fafc")))
        p.setPen(self._pen(STYLE[style][0], LINE_MM[style]))
        p.drawPath(self._paths(geoms, view))
        p.setBrush(Qt.BrushStyle.NoBrush)
        above = {"cell": ("community", "street"), "community": ("street",)}.get(level, ())
        if level == "officer":
            above = ("community", "street")
        for lvl in above:
            shapes = job.layers.get(lvl)
            if shapes is None or lvl == job.layers["cell"].level or not len(shapes.geoms):
                continue
            p.setPen(self._pen(STYLE[lvl][0], LINE_MM[lvl]))
            p.drawPath(self._paths(shapes.geoms, view))
        p.setPen(self._pen("#111827", LINE_MM["scope"]))
        p.drawPath(self._paths(np.array([job.scope_geom]), view))
        numbers = {u.key: n for u, n in self._numbers()}
        note_h = self.m.height(self.text_pt) + 1
        north = self._north_box(frame, view, job.scope_geom,  # not on the note at the foot
                                (frame[0], frame[3] - note_h, frame[2], frame[3]))
        taken = Obstacles()
        taken.add(north)
        labels = place_cells(view.transform(geoms), [str(numbers[u.key]) for u in job.units],
                             [""] * len(geoms), min_pt=4.0, max_pt=14.0 * math.sqrt(self.f),
                             width=self.mb.width, height=self.m.height, frame=frame,
                             taken=taken, share=0.97)  # the key's numbers: nearly all of them
        for lab in labels:
            text, pt = lab.lines[0]
            self._text(p, (lab.box[0] - 2, lab.box[1], lab.box[2] + 2, lab.box[3]), text, pt,
                       bold=True, align=Qt.AlignmentFlag.AlignHCenter, colour="#b45309")
        page.labels = labels
        p.restore()
        self._north(p, north)
        p.setPen(self._pen("#111827", 0.4))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(self._rect(frame))  # again: the arrow's box sits on it
        self._text(p, (frame[0] + 2, frame[3] - note_h, frame[2],
                       frame[3] - 1), "图中数字为页码", self.text_pt, colour="#374151")

    def _numbers(self) -> list[tuple[Unit, int]]:
        return [e for pg in self.pages if pg.kind == "index" for e in pg.index]

    def _index(self, p: QPainter, page: Page) -> None:
        box: Box | None = self.body()
        if not page.continued:
            key_box, box = self.index_boxes()
            self._key_map(p, page, key_box)
        if box is None or not page.index:
            return
        pt, widths, blocks, per_block = self._index_fit(box)
        rh = self._row_h(pt)
        level = {"street": "街道", "community": "社区", "cell": "单元网格", "officer": "责任人"}
        self._text(p, (box[0], box[1], box[2], box[1] + rh * 1.2),
                   f"图幅索引（按{level.get(self.job.atlas or '', '')}分幅，共 "
                   f"{len(self.job.units)} 幅）", pt * 1.15, bold=True)
        tw = sum(widths)
        start = self.job.units.index(page.index[0][0]) if page.index else 0
        for b in range(blocks):
            chunk = page.index[b * per_block:(b + 1) * per_block]
            if not chunk:
                break
            bx = box[0] + b * (tw + 6.0)
            y = box[1] + rh * 1.2
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QBrush(QColor("#e5e7eb")))
            p.drawRect(self._rect((bx, y, bx + tw, y + rh)))
            self._cells(p, bx, y, rh, widths, INDEX_HEAD, pt, bold=True)
            y += rh
            for i, (unit, number) in enumerate(chunk):
                n = start + b * per_block + i + 1
                self._cells(p, bx, y, rh, widths, (str(n), unit.key, unit.name,
                                                   str(len(unit.cells)), str(number)), pt)
                y += rh
            p.setPen(self._pen("#6b7280", 0.2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(self._rect((bx, box[1] + rh * 1.2, bx + tw, y)))


# ---------------------------------------------------------------------- output

def _class_rank(cls: str) -> int:
    order = ("国控", "省控", "市控")
    return order.index(cls) if cls in order else len(order)


def _split_head(head: str) -> tuple[str, ...]:
    """区级监管责任人 → (区级监管, 责任人): a heading in two lines, the longer one first."""
    cut = (len(head) + 1) // 2
    return (head[:cut], head[cut:]) if len(head) > 3 else (head,)


def _png_names(out: Path, n: int) -> list[Path]:
    """One page: FILE.png; several: FILE-001.png, FILE-002.png …"""
    if n == 1:
        return [out]
    return [out.with_name(f"{out.stem}-{i:03d}{out.suffix}") for i in range(1, n + 1)]


def _check_complete(pdf: Path) -> None:
    """OSError unless ``pdf`` was written to its end (its trailer is there)."""
    try:
        with open(pdf, "rb") as fh:
            fh.seek(max(0, pdf.stat().st_size - 1024))
            tail = fh.read()
    except FileNotFoundError as exc:
        raise OSError(errno.EACCES, "permission denied", str(pdf)) from exc
    if b"%%EOF" not in tail:
        raise OSError(errno.ENOSPC, "no space left on device", str(pdf))


def _partial(path: Path) -> Path:
    return staging.partial(path)  # pid in the name: a killed print's file is swept next time


def summary(layout: Layout, files: list[Path]) -> dict[str, Any]:
    return {"files": [str(f) for f in files], "pages": len(layout.pages),
            "kinds": [pg.kind for pg in layout.pages], "paper_mm": (layout.W, layout.H),
            "layout": layout}


def print_job(job: PrintJob, out: Path, *, paper: str = "A3", landscape: bool = False,
              dpi: int = 200) -> Generator[Progress, None, dict[str, Any]]:
    """Write ``job`` to ``out`` (.pdf: one vector document; .png: one image per page at
    ``dpi``).  Pages go to hidden ``.partial`` files renamed at the end: a cancelled or failed
    print leaves nothing behind."""
    ensure_app()
    layout = Layout(job, paper, landscape)
    n = len(layout.pages)
    yield Progress(0, n, f"共 {n} 页")
    painter = QPainter()
    temps: list[Path] = []
    try:
        if out.suffix.lower() == ".pdf":
            tmp = _partial(out)
            temps.append(tmp)
            writer = QPdfWriter(str(tmp))
            writer.setPageLayout(QPageLayout(
                QPageSize(PAPER_ID[paper]), QPageLayout.Orientation.Landscape if landscape
                else QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
            writer.setResolution(max(300, dpi))
            writer.setTitle(job.title)
            writer.setCreator("gridmgr")
            if not painter.begin(writer):  # QPdfWriter could not create the file
                raise OSError(errno.EACCES, "permission denied", str(tmp))
            for i in range(n):
                if i:
                    writer.newPage()
                layout.paint(painter, i)
                yield Progress(i + 1, n, f"第 {i + 1}/{n} 页")
            painter.end()
            _check_complete(tmp)  # QPdfWriter says nothing when the disk fills up
            fix_tounicode(tmp, radical_map((layout.sans, layout.serif), layout.drawn))
            os.replace(tmp, out)
            return summary(layout, [out])
        names = _png_names(out, n)
        for i, name in enumerate(names):
            px = (round(layout.W / 25.4 * dpi), round(layout.H / 25.4 * dpi))
            img = QImage(px[0], px[1], QImage.Format.Format_RGB32)
            dpm = round(dpi / 0.0254)
            img.setDotsPerMeterX(dpm)
            img.setDotsPerMeterY(dpm)
            img.fill(QColor("#ffffff"))
            painter.begin(img)
            layout.paint(painter, i)
            painter.end()
            tmp = _partial(name)
            temps.append(tmp)
            if not img.save(str(tmp), "PNG"):
                raise OSError(errno.ENOSPC, "no space left or not writable", str(tmp))
            yield Progress(i + 1, n, f"第 {i + 1}/{n} 页")
        for tmp, name in zip(temps, names):
            os.replace(tmp, name)
        return summary(layout, names)
    except BaseException as exc:
        if painter.isActive():
            painter.end()
        staging.discard(*temps)
        failure = staging.output_failure(exc, out) if isinstance(exc, Exception) else None
        if failure is not None:
            raise failure from exc
        raise


def paint_pages(job: PrintJob, device: Any, *, paper: str = "A3", landscape: bool = False,
                max_pages: int | None = None) -> Generator[Progress, None, Layout]:
    """Paint the pages (the first ``max_pages`` of them, for a preview) on ``device`` (a
    QPrinter: Qt allows painting one from a worker thread), one page per step, so that the
    desktop's printing shows progress and can stop between pages.  Closing the generator
    (Cancel) aborts the printer's job (``QPrinter.abort``) before the painter ends."""
    ensure_app()
    layout = Layout(job, paper, landscape)
    n = min(len(layout.pages), max_pages or len(layout.pages))
    yield Progress(0, n, f"共 {n} 页")
    painter = QPainter()
    if not painter.begin(device):
        from gridmgr.errors import InputFileError

        raise InputFileError("打印机无法开始打印（检查打印机或输出文件）")
    try:
        for i in range(n):
            if i:
                device.newPage()
            layout.paint(painter, i)
            layout.painted = i + 1
            yield Progress(i + 1, n, f"第 {i + 1}/{n} 页")
    except BaseException:
        abort = getattr(device, "abort", None)
        if callable(abort):  # a printer drops the job where the platform can (not CUPS)
            abort()
        raise
    finally:
        painter.end()
    return layout


def paint_document(job: PrintJob, painter: QPainter, new_page: Any, *, paper: str = "A3",
                   landscape: bool = False, max_pages: int | None = None) -> Layout:
    """Paint the pages (the first ``max_pages`` of them, for a preview) on an already begun
    painter (the desktop's print preview); ``new_page()`` advances the device."""
    layout = Layout(job, paper, landscape)
    count = min(len(layout.pages), max_pages or len(layout.pages))
    for i in range(count):
        if i:
            new_page()
        layout.paint(painter, i)
    layout.painted = count
    return layout
