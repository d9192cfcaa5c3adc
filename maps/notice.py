"""The rectification notice (整改通知书) as a one-page A4 PDF, drawn with QPainter on QPdfWriter.

Text stays text (searchable, copyable) in an embedded CJK font; the 三色单 colour is a filled
band across the top and named in words, so a black-and-white copy still says it.  The data come
ready from :func:`gridmgr.cases.notices.issue_notice`; nothing is decided here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from gridmgr import staging

from .print_text import cjk_families, fix_tounicode, font, radical_map

COLOURS = {"蓝": ("#1f5fbf", "蓝色"), "黄": ("#e0b000", "黄色"), "红": ("#c81e1e", "红色")}
_DPI = 300


def _app() -> QGuiApplication:
    app = QGuiApplication.instance()
    if app is None:
        import os

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([])
    return app  # type: ignore[return-value]


def _when(text: str | None) -> str:
    """'2026-03-02T12:00:00' → '2026年3月2日 12:00'."""
    if not text:
        return "（未定）"
    d, _, t = text.partition("T")
    y, m, dd = d.split("-")
    return f"{int(y)}年{int(m)}月{int(dd)}日" + (f" {t[:5]}" if t else "")


def _day(text: str | None) -> str:
    """'2026-03-02T09:30:00' → '2026年3月2日' (the date under the issuer)."""
    return _when(text).split(" ")[0]


def _lines(data: dict[str, Any]) -> tuple[list[tuple[str, str]], str]:
    case, cat, ent = data["case"], data.get("category") or {}, data.get("enterprise")
    esc, notice = data["escalation"], data["notice"]
    rows = [("案件编号", case["case_no"]),
            ("问题类别", f"{cat.get('kind') or ''} {cat.get('major_name') or ''} / "
                         f"{cat.get('name') or case.get('category_code') or ''}"),
            ("发现时间", _when(case["reported_at"])),
            ("地　　点", (data.get("place") or {}).get("text") or " ".join(filter(None, [
                case.get("address") or (ent or {}).get("address"),
                f"单元网格 {case.get('cell_code') or '—'}"]))),
            ("问题描述", case.get("description") or "—"),
            ("整改要求", cat.get("close_condition") or "按相关规定整改到位"),
            ("整改期限", f"{_when(notice.get('deadline'))} 前")]
    cell_name = (data.get("place") or {}).get("cell_name")
    where = (f"该单位（{ent['name']}）" if ent else
             f"该地点（{cell_name or '单元网格 ' + str(case.get('cell_code'))}）")
    escalation = (f"{where}在本次发现前 90 天内（含本次）同类（{esc.get('major_name') or '同一大类'}）"
                  f"问题共 {esc['count']} 次，按三色单制度发出{COLOURS[notice['colour']][1]}"
                  "整改通知书。")
    return rows, escalation


def write_notice(out: str | Path, data: dict[str, Any]) -> Path:
    """Draw the notice for ``data`` (see :func:`gridmgr.cases.notices.issue_notice`) into ``out``."""
    _app()
    sans, serif = cjk_families()
    # Latin letters and digits in a Latin font first: Qt leaves digits that follow Latin
    # letters in a CJK font (ZG2026…) out of the PDF's ToUnicode map, so text search lost them
    latin = [f for f in ("DejaVu Sans",) if f in QFontDatabase.families()]
    out = Path(out)
    tmp = staging.partial(out)
    writer = QPdfWriter(str(tmp))
    writer.setResolution(_DPI)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    notice, case = data["notice"], data["case"]
    colour, colour_name = COLOURS[notice["colour"]]
    rows, escalation = _lines(data)
    ent = data.get("enterprise")
    handler = data.get("handler") or {}
    district = data.get("district") or ""
    drawn: list[str] = []
    p = QPainter(writer)
    try:
        k = _DPI / 25.4  # mm → device pixels (fonts stay in points: the writer knows its dpi)

        def box(x: float, y: float, w: float, h: float) -> QRectF:
            return QRectF(x * k, y * k, w * k, h * k)

        def text(rect: tuple[float, float, float, float], s: str, pt: float, *,
                 bold: bool = False, family: str = sans, flags: int = 0,
                 pen: str = "#000000") -> float:
            """Draw ``s`` wrapped in ``rect`` (mm); returns the height used (mm)."""
            f = font(family, pt, bold)
            f.setFamilies([*latin, family])
            p.setFont(f)
            p.setPen(QColor(pen))
            r = box(*rect)
            flags = flags or int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            used = p.boundingRect(r, flags | int(Qt.TextFlag.TextWordWrap), s)
            p.drawText(r, flags | int(Qt.TextFlag.TextWordWrap), s)
            drawn.append(s)
            return used.height() / k

        # the 三色单 band
        p.fillRect(box(0, 0, 210, 14), QColor(colour))
        text((20, 3.5, 170, 8), f"{colour_name}整改通知单（三色单）", 14, bold=True,
             flags=int(Qt.AlignmentFlag.AlignCenter), pen="#ffffff")
        text((20, 26, 170, 14), f"{district}城市管理", 16, family=serif,
             flags=int(Qt.AlignmentFlag.AlignHCenter))
        text((20, 36, 170, 16), "整 改 通 知 书", 26, bold=True, family=serif,
             flags=int(Qt.AlignmentFlag.AlignHCenter))
        text((20, 52, 170, 8), f"编号：{notice['notice_no']}", 11,
             flags=int(Qt.AlignmentFlag.AlignRight))
        to = (data.get("addressee") or {}).get("name") or (
            ent["name"] if ent else f"单元网格 {case.get('cell_code') or ''} 责任单位")
        y = 64.0
        y += text((20, y, 170, 10), f"{to}：", 13, bold=True) + 3
        y += text((20, y, 170, 20), "　　经现场核查，发现存在以下问题，现通知你（单位）在规定期限内"
                  "整改完毕，并将整改情况报告我局。逾期未整改的，将依法处理。", 12) + 5
        for label, value in rows:
            important = label == "整改期限"
            h = max(text((24, y, 28, 10), label, 12, bold=True),
                    text((54, y, 132, 40), value, 13 if important else 12, bold=important,
                         pen=colour if important else "#000000"))
            y += h + 1.5
            p.setPen(QPen(QColor("#999999"), 0.2 * k))
            p.drawLine(round(22 * k), round(y * k), round(188 * k), round(y * k))
            y += 2.5
        y += 3
        y += text((20, y, 170, 20), escalation, 11) + 3
        contact = handler.get("name")
        if contact:
            y += text((20, y, 170, 10), f"承办人：{contact}（工号 {handler.get('staff_no')}）　"
                      f"联系电话：{handler.get('mobile') or '—'}", 11) + 2
        # the seal goes on paper: an empty box labelled （盖章）, never a drawn imitation of one
        y = min(max(y + 6, 200), 214)
        p.setPen(QPen(QColor("#888888"), 0.25 * k))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(box(129, y, 40, 30))
        text((129, y + 22, 40, 7), "（盖章）", 10, flags=int(Qt.AlignmentFlag.AlignHCenter),
             pen="#666666")
        text((110, y + 32, 78, 8), f"{district}城市管理和综合执法局", 12,
             flags=int(Qt.AlignmentFlag.AlignHCenter))
        text((110, y + 40, 78, 8), _day(notice["issued_at"]), 12,
             flags=int(Qt.AlignmentFlag.AlignHCenter))
        text((20, 262, 170, 8), "被通知人（签收）：＿＿＿＿＿＿＿＿　　签收日期：＿＿＿＿年＿＿月＿＿日", 11)
        text((20, 276, 170, 8), "本通知书一式两份，一份交被通知人，一份存档。", 9, pen="#555555")
    finally:
        p.end()
    fix_tounicode(tmp, radical_map((sans, serif), "".join(drawn)))
    tmp.replace(out)
    return out
