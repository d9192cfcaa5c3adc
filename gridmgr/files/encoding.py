"""Refusing text read in the wrong encoding, before garbled names reach the project.

A GBK file read as UTF-8 fails to decode, but a UTF-8 file read as GBK, or anything read as
Latin-1, usually decodes — into mojibake ('浣犲ソ', 'ä¸\\xadå', 'ÆóÒµ').  Such text is
implausible for a Chinese register: most of its characters are outside the 3,755 common hanzi
(GB2312 level 1), or Latin-1 letters and C1 controls, or kana and hangul.  So the text an
encoding gives is scored by the share of such characters, and when another encoding decodes
the same bytes cleanly into text that scores far better, the file is refused naming both.
'锟斤拷' (UTF-8 replacement characters read as GBK) and U+FFFD mean the file was garbled
before it got here: no encoding repairs it, so it is refused too.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from ..errors import InputFileError

CANDIDATES = ("UTF-8", "GB18030")  # what Chinese registers and bureaus' layers come in
GARBLED = ("锟斤拷", "\ufffd")  # damage no encoding undoes
SAMPLE = 2_000_000  # characters scored: enough for any register, fast for any file
MIN_ODD_CHARS = 3  # fewer odd characters than this prove nothing
ODD_SHARE = 0.3  # above this share of odd characters the text is implausible
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_FINE_PUNCT = set("·×÷°±№‰←→↑↓√∶")

SOURCE_ZH = {"option": "--encoding 指定的", "cpg": ".cpg 声明的", "detected": "自动识别的",
             "bom": "BOM 表明的"}


@lru_cache(maxsize=65536)
def _odd(ch: str) -> bool:
    """Whether ``ch`` is unlikely in a Chinese register (outside common hanzi and punctuation)."""
    o = ord(ch)
    if 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E or 0x2010 <= o <= 0x2027:
        return False  # CJK punctuation, full-width forms, dashes and quotes
    if ch in _FINE_PUNCT:
        return False
    if 0x4E00 <= o <= 0x9FFF:
        try:
            lead = ch.encode("gb2312")[0]
        except UnicodeEncodeError:
            return True  # outside GB2312: rare
        return lead > 0xD7  # level 2 (less common hanzi); level 1 is 0xB0–0xD7
    return True  # Latin-1 letters and controls, kana, hangul, private use, box drawing …


def oddness(text: str) -> tuple[float, int]:
    """(share of odd characters among the non-ASCII ones, how many are odd)."""
    counts = Counter(_NON_ASCII.findall(text[:SAMPLE]))
    total = sum(counts.values())
    if not total:
        return 0.0, 0
    odd = sum(n for ch, n in counts.items() if _odd(ch))
    return odd / total, odd


def _decode(data: bytes | list[bytes], encoding: str) -> str | None:
    """``data`` decoded, or None; a list (a DBF's values, cut to their field's width, often in
    the middle of a character) is decoded value by value, forgiving an incomplete last one."""
    try:
        if isinstance(data, bytes):
            return data.decode(encoding)
        return "\n".join(codecs.getincrementaldecoder(encoding)().decode(v, final=False)
                         for v in data)
    except (UnicodeDecodeError, LookupError):
        return None


def _odd_sample(text: str, n: int = 6) -> str:
    """A few of the garbled characters, to show in the message."""
    seen: list[str] = []
    for ch in _NON_ASCII.findall(text[:SAMPLE]):
        if _odd(ch) and ch.isprintable() and ch not in seen:
            seen.append(ch)
            if len(seen) == n:
                break
    return "".join(seen)


def better_encoding(data: bytes | list[bytes], encoding: str, text: str | None) -> str | None:
    """The candidate that decodes ``data`` cleanly into plausible text, when ``encoding`` gave
    an error (``text`` None) or implausible text; None when none does better."""
    if text is not None:
        share, odd = oddness(text)
        if share <= ODD_SHARE or odd < MIN_ODD_CHARS:
            return None
    for cand in CANDIDATES:
        alt = _decode(data, cand)
        if alt is None or alt == text or any(g in alt for g in GARBLED):
            continue
        alt_share, _ = oddness(alt)
        if text is None and alt_share <= ODD_SHARE:
            return cand
        if text is not None and alt_share <= min(ODD_SHARE, share / 3):
            return cand
    return None


def check_encoding(file: object, data: bytes | Iterable[bytes], encoding: str, source: str,
                   text: str | None = None, *, lines: bool = True) -> None:
    """InputFileError (one line: the file, the encoding and where it came from, and the one that
    decodes cleanly) when ``data`` — a file's bytes, or a DBF's text values (``lines`` False:
    no line to name) — read as ``encoding`` is an error, mojibake or text garbled before."""
    raw = data if isinstance(data, bytes) else list(data)
    if text is None:
        text = _decode(raw, encoding)
    given = f" {SOURCE_ZH.get(source, '')}编码 {encoding} "
    alt = better_encoding(raw, encoding, text)
    if text is None:
        hint = (f"按 {alt} 可完整解码，请改用 --encoding {alt}" if alt else
                "UTF-8 和 GB18030 也都不能完整解码；请用 --encoding 指明文件的编码")
        raise InputFileError(f"{file}：按{given}无法解码；{hint}")
    if alt:
        raise InputFileError(f"{file}：按{given}读出的是乱码（如“{_odd_sample(text)}”）；按 "
                             f"{alt} 可完整解码且文字正常，请改用 --encoding {alt}；未导入任何内容")
    for g in GARBLED:
        at = text.find(g)
        if at >= 0:
            where = f"第 {text.count(chr(10), 0, at) + 1} 行" if lines else "属性"
            shown = "锟斤拷" if g == "锟斤拷" else "替换字符 U+FFFD"
            raise InputFileError(f"{file}：{where}含乱码“{shown}”（按{given}读取）——文件"
                                 "在交给你之前已被错误转码，任何编码都无法还原；请向提供方索取原始"
                                 "文件；未导入任何内容")
