"""Make the last-resort CJK font shipped in maps/fonts/ (run by hand; the result is committed).

A Simplified-Chinese subset of Noto Sans CJK SC Regular (SIL OFL 1.1): the 6,763 hanzi of
GB 2312 and its symbols, ASCII and the few extra signs gridmgr prints (², ㎡, №).  It is only
used when the computer has no Chinese font at all (maps/fonts.py), so it stays small (~3 MB)
instead of carrying the full 20 MB collection.  Renamed "gridmgr Sans SC": a subset is a
Modified Version under the OFL, and the family name says it is not the original font.

    .venv/bin/python scripts/make_cjk_subset.py [/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc]
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

FAMILY = "gridmgr Sans SC"
OUT = Path(__file__).resolve().parents[1] / "maps" / "fonts" / "GridmgrSansSC-Regular.otf"
EXTRA = "²³°±×÷·—–‘’“”…、。〈〉《》「」『』【】〔〕（），：；？！￥％＋－＝№㎡"


def gb2312() -> str:
    chars = []
    for b1 in range(0xA1, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                chars.append(bytes([b1, b2]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return "".join(chars)


def sc_face(path: str) -> TTFont:
    if not path.lower().endswith(".ttc"):
        return TTFont(path)
    for face in TTCollection(path).fonts:
        if face["name"].getDebugName(1) == "Noto Sans CJK SC":
            return face
    raise SystemExit(f"{path} has no Noto Sans CJK SC face")


def main(src: str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc") -> None:
    font = sc_face(src)
    text = "".join(chr(c) for c in range(0x20, 0x7F)) + gb2312() + EXTRA
    options = subset.Options()
    options.hinting = False
    options.name_IDs = ["*"]
    sub = subset.Subsetter(options)
    sub.populate(text=text)
    sub.subset(font)
    names = font["name"]
    for rec in names.names:
        if rec.nameID in (1, 16):
            rec.string = FAMILY
        elif rec.nameID in (3, 4):
            rec.string = f"{FAMILY} Regular"
        elif rec.nameID == 6:
            rec.string = "GridmgrSansSC-Regular"
    if "CFF " in font:  # the PostScript name inside the CFF table too
        cff = font["CFF "].cff
        cff.fontNames = ["GridmgrSansSC-Regular"]
        top = cff.topDictIndex[0]
        top.FamilyName, top.FullName = FAMILY, f"{FAMILY} Regular"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(OUT)
    print(f"{OUT}: {OUT.stat().st_size / 1e6:.1f} MB, {len(text)} characters")


if __name__ == "__main__":
    main(*sys.argv[1:])
