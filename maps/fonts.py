"""Which Chinese font the window, the map page and the printed maps use, on any OS.

The preferred families come first (Windows: 微软雅黑 Microsoft YaHei, 宋体 SimSun; macOS: PingFang
SC; Linux: Noto/Source Han, WenQuanYi), then any family Qt reports as able to write Simplified
Chinese, and last the subset shipped in ``maps/fonts`` (gridmgr Sans SC, SIL OFL), loaded only
when the computer has none.  :func:`choose` is pure: tests pass it a Windows or macOS font set.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from gridmgr import platforms
from gridmgr.errors import SetupError

SANS = ("Microsoft YaHei", "微软雅黑", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC",
        "Source Han Sans CN", "Hiragino Sans GB", "Heiti SC", "WenQuanYi Zen Hei",
        "WenQuanYi Micro Hei", "Droid Sans Fallback", "SimHei", "黑体", "DengXian", "等线")
SERIF = ("Noto Serif CJK SC", "Source Han Serif SC", "Source Han Serif CN", "SimSun", "宋体",
         "Songti SC", "STSong")
BUNDLED = Path(__file__).resolve().parent / "fonts" / "GridmgrSansSC-Regular.otf"
BUNDLED_FAMILY = "gridmgr Sans SC"


def choose(families: Iterable[str], writes_chinese: Callable[[str], bool]) -> str | None:
    """The sans family to use: a preferred one present, else any that writes Simplified
    Chinese (not a Japanese/Korean-only or Traditional-only one when Qt can tell), else None."""
    have = list(dict.fromkeys(families))
    present = set(have)
    for fam in SANS:
        if fam in present:
            return fam
    for fam in have:
        if fam not in SERIF and writes_chinese(fam):
            return fam
    return next((f for f in have if writes_chinese(f)), None)


def choose_serif(families: Iterable[str], sans: str) -> str:
    present = set(families)
    return next((f for f in SERIF if f in present), sans)


def _qt_families() -> tuple[list[str], Callable[[str], bool]]:
    from PySide6.QtGui import QFontDatabase

    sc = QFontDatabase.WritingSystem.SimplifiedChinese
    return list(QFontDatabase.families()), lambda f: sc in QFontDatabase.writingSystems(f)


_chosen: tuple[str, str] | None = None


def cjk_families(platform: str = sys.platform) -> tuple[str, str]:
    """(sans, serif) families for Chinese text; the shipped font when the computer has none;
    SetupError with the fix for this OS when even that cannot be loaded."""
    global _chosen
    if _chosen is not None:
        return _chosen
    families, writes = _qt_families()
    sans = choose(families, writes)
    if sans is None and BUNDLED.exists():
        from PySide6.QtGui import QFontDatabase

        if QFontDatabase.addApplicationFont(str(BUNDLED)) >= 0:
            families, writes = _qt_families()
            sans = choose(families, writes)
    if sans is None:
        raise SetupError(f"没有找到中文字体，无法显示和打印中文。{platforms.font_fix(platform)}")
    _chosen = (sans, choose_serif(families, sans))
    return _chosen


def css_stack(sans: str | None = None) -> str:
    """A CSS font-family list for the map pages: the chosen family first, then the usual ones
    of each OS (a phone opening the package's HTML map has its own)."""
    names = ([sans] if sans else []) + [f for f in SANS + (BUNDLED_FAMILY,) if f != sans]
    return ", ".join(f'"{n}"' for n in names) + ", sans-serif"
