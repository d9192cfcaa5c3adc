"""Fonts for printing: a CJK font that embeds, text measured in millimetres, searchable PDFs.

Qt embeds the font as a CID TrueType subset with a ToUnicode map, but builds that map by
looking up, for each glyph, the *lowest* code point the font maps to it.  Noto/Source Han CJK
give a Kangxi radical (U+2F79 ⽹) the same glyph as the ideograph (U+7F51 网), so pdftotext and
search saw ⽹格 instead of 网格 (the same bug as wkhtmltopdf#4414, pdfbox PR 470).  Qt writes
ToUnicode streams uncompressed, so :func:`fix_tounicode` rewrites those code points in place
(same length, offsets unchanged) to the ideographs we actually drew.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtGui import QFont, QFontMetricsF, QImage, QRawFont

from .fonts import SANS, SERIF, cjk_families  # noqa: F401 (re-exported: the printers use it)

PT_MM = 25.4 / 72
_REF_DPI = 720
_ref_device: QImage | None = None
RADICALS = range(0x2E80, 0x2FE0)  # CJK Radicals Supplement + Kangxi Radicals


def font(family: str, pt: float, bold: bool = False) -> QFont:
    f = QFont(family)
    f.setPointSizeF(pt)
    f.setBold(bold)
    f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    f.setKerning(False)
    return f


def _device() -> QImage:
    global _ref_device
    if _ref_device is None:
        _ref_device = QImage(4, 4, QImage.Format.Format_RGB32)
        dpm = round(_REF_DPI / 0.0254)
        _ref_device.setDotsPerMeterX(dpm)
        _ref_device.setDotsPerMeterY(dpm)
    return _ref_device


class Measure:
    """Text extents in millimetres, independent of the device the page is painted on."""

    def __init__(self, family: str, bold: bool = False) -> None:
        self.metrics = QFontMetricsF(font(family, 10.0, bold), _device())
        self.cache: dict[str, float] = {}

    def width(self, text: str, pt: float) -> float:
        w = self.cache.get(text)
        if w is None:
            w = self.cache[text] = self.metrics.horizontalAdvance(text) / _REF_DPI * 25.4 / 10
        return w * pt

    @staticmethod
    def height(pt: float) -> float:
        return 1.25 * pt * PT_MM


def radical_map(families: Iterable[str], drawn: Iterable[str]) -> dict[int, int]:
    """Radical code point → the drawn ideograph sharing its glyph, in each family's font."""
    chars = {c for c in drawn if ord(c) >= 0x3000}
    out: dict[int, int] = {}
    for fam in families:
        for bold in (False, True):
            raw = QRawFont.fromFont(font(fam, 12, bold))
            if not raw.isValid():
                continue
            glyph_of_char = {}
            for c in chars:
                g = raw.glyphIndexesForString(c)
                if g and g[0]:
                    glyph_of_char.setdefault(g[0], ord(c))
            for r in RADICALS:
                g = raw.glyphIndexesForString(chr(r))
                if g and g[0] in glyph_of_char:
                    out.setdefault(r, glyph_of_char[g[0]])
    for r in RADICALS:  # the Kangxi radicals also have a compatibility mapping
        n = unicodedata.normalize("NFKC", chr(r))
        if n != chr(r) and len(n) == 1 and ord(n) < 0x10000:
            out.setdefault(r, ord(n))
    return out


_STREAM = re.compile(rb"/ToUnicode (\d+) 0 R")


def fix_tounicode(path: Path, mapping: dict[int, int]) -> int:
    """Rewrite radical code points in the PDF's ToUnicode CMaps to ideographs, in place.

    Only destination code points are touched (bfchar second token, bfrange third token or
    array), each 4 hex digits for 4 hex digits, so object offsets stay valid.  Returns how many
    were replaced.
    """
    data = bytearray(path.read_bytes())
    replaced = 0

    def dest(hexcode: bytes) -> bytes:
        nonlocal replaced
        cp = int(hexcode, 16)
        new = mapping.get(cp)
        if new is None:
            return hexcode
        replaced += 1
        return f"{new:04X}".encode()

    for ref in set(_STREAM.findall(data)):
        head = re.search(rb"\n" + ref + rb" 0 obj\s*<<[^>]*?/Length (\d+)[^>]*>>\s*stream\r?\n",
                         data)
        if head is None:
            continue
        start, length = head.end(), int(head.group(1))
        body = bytes(data[start:start + length])
        if b"begincmap" not in body:
            continue  # compressed or not a CMap: leave it
        lines = []
        for line in body.split(b"\n"):
            m = re.fullmatch(rb"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]{4})>", line)
            if m:  # bfchar: <cid> <unicode>
                line = b"<%s> <%s>" % (m.group(1), dest(m.group(2)))
            m = re.fullmatch(rb"(<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]{4})> )(.*)", line)
            if m and (m.group(4).startswith(b"[") or m.group(2) == m.group(3)):
                # bfrange: <lo> <hi> [<u> <u> …], or one glyph <lo> <lo> <u> (a longer range
                # with one start code point is a run of consecutive code points: left alone)
                tail = re.sub(rb"<([0-9A-Fa-f]{4})>", lambda t: b"<" + dest(t.group(1)) + b">",
                              m.group(4))
                line = m.group(1) + tail
            lines.append(line)
        new = b"\n".join(lines)
        if len(new) == len(body):
            data[start:start + length] = new
    if replaced:
        path.write_bytes(bytes(data))
    return replaced
