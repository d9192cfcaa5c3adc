"""统一社会信用代码 (unified social credit code, GB 32100-2015): normalise and check.

18 characters from ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (no I, O, Z, S, V): position 1 the
registering authority (登记管理部门, 1, 5, 9, Y …), 2 the kind of organisation (机构类别),
3–8 the authority's administrative division code (6 digits), 9–17 the organisation's identifier
and 18 a check character: each of the first 17 characters' value (its index in the alphabet) is
weighted by 3**i mod 31, and check = 31 − (sum mod 31), with 31 written as 0.  Positions 1, 2 and
9–17 are checked against the alphabet only.
"""

from __future__ import annotations

import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_NEVER_USED = "IOZSV"


def normalise(code: str) -> str:
    """Full-width → half-width (NFKC), every space removed, upper case.

    Callers that must report a change compare the result with what they were given.
    """
    return "".join(unicodedata.normalize("NFKC", code).split()).upper()


def check_character(first17: str) -> str:
    """The check character for the first 17 characters (normalised); ValueError if they can't be."""
    if len(first17) != LENGTH - 1 or any(ch not in _VALUE for ch in first17):
        raise ValueError(f"需要 17 位信用代码字符，得到 {first17!r}")
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why ``code`` (normalised first) is not a valid credit code, or None when it is."""
    code = normalise(code)
    if not code:
        return "信用代码为空"
    if len(code) != LENGTH:
        return f"长度应为 18 位，实际 {len(code)} 位"
    for ch in code:
        if ch in _NEVER_USED:
            return f"含非法字符 {ch}（信用代码不用 I、O、Z、S、V）"
        if ch not in _VALUE:
            return f"含非法字符 {ch}（只能是数字和大写字母，不用 I、O、Z、S、V）"
    if not code[2:8].isdigit():
        return f"第 3–8 位应为行政区划代码（6 位数字），实际为 {code[2:8]}"
    want = check_character(code[:17])
    if code[17] != want:
        return f"校验位应为 {want}，实际为 {code[17]}"
    return None
