"""gridmgr.registers.creditcode: published codes, typical mistakes, and the check character's properties."""

from __future__ import annotations

import random

import pytest

from gridmgr.registers.creditcode import ALPHABET, check_character, normalise, problem

# Codes as published in the national enterprise credit information system / on invoices.
PUBLISHED = {
    "华为技术有限公司": "914403001922038216",
    "腾讯科技（深圳）有限公司": "9144030071526726XG",
    "美的集团股份有限公司（佛山顺德）": "91440606722473344C",
    "比亚迪股份有限公司": "91440300192317458F",
    "小米科技有限责任公司": "91110108551385082Q",
    "中国石油化工股份有限公司": "91110000710926094P",
    "中国工商银行股份有限公司": "91100000100003962T",
    "阿里巴巴（中国）有限公司": "91330100799655058B",
    "蔚来控股有限公司": "91340111MA2RAD3M4R",
    "清华大学": "12100000400000624D",
}

# An independent check: values by lookup table, weights as powers of 3 mod 31 (GB 32100 §4.4).
_TABLE = dict(zip("0123456789ABCDEFGHJKLMNPQRTUWXY", range(31)))
_CHAR = {v: k for k, v in _TABLE.items()}


def independent_check(first17: str) -> str:
    remainder = sum(_TABLE[c] * pow(3, i, 31) for i, c in enumerate(first17)) % 31
    return _CHAR[0 if remainder == 0 else 31 - remainder]


def random_prefix(rng: random.Random) -> str:
    """17 characters with a plausible division code: kind, division (6 digits), body."""
    return ("".join(rng.choice(ALPHABET) for _ in range(2))
            + "".join(rng.choice("0123456789") for _ in range(6))
            + "".join(rng.choice(ALPHABET) for _ in range(9)))


@pytest.mark.parametrize("name, code", PUBLISHED.items())
def test_published_codes_are_valid(name: str, code: str) -> None:
    assert problem(code) is None, name
    assert check_character(code[:17]) == code[17] == independent_check(code[:17])


def test_alphabet() -> None:
    assert len(ALPHABET) == 31 and ALPHABET == "".join(_TABLE)
    assert not set("IOZSV") & set(ALPHABET)


@pytest.mark.parametrize("code", PUBLISHED.values())
def test_wrong_check_character(code: str) -> None:
    wrong = "0" if code[17] != "0" else "1"
    assert problem(code[:17] + wrong) == f"校验位应为 {code[17]}，实际为 {wrong}"


@pytest.mark.parametrize("code, length", [
    ("91440606722473344", 17), ("91440606722473344CC", 19), ("9144", 4),
])
def test_wrong_length(code: str, length: int) -> None:
    assert problem(code) == f"长度应为 18 位，实际 {length} 位"


def test_empty() -> None:
    assert problem("") == "信用代码为空"
    assert problem(" \u3000 ") == "信用代码为空"


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_forbidden_letters(letter: str) -> None:
    code = "91440606722473344C"
    bad = code[:10] + letter + code[11:]
    assert problem(bad) == f"含非法字符 {letter}（信用代码不用 I、O、Z、S、V）"


def test_other_illegal_characters() -> None:
    reason = problem("9144060672247334-C")
    assert reason is not None and reason.startswith("含非法字符 -")


def test_division_code_must_be_digits() -> None:
    prefix = "9144A606722473344"
    assert problem(prefix + check_character(prefix)) == (
        "第 3–8 位应为行政区划代码（6 位数字），实际为 44A606")


def test_full_width_and_spaces_normalised() -> None:
    full = "９１４４０６０６ ７２２４７３３４４Ｃ"
    assert normalise(full) == "91440606722473344C"
    assert normalise(full) != full  # how a caller tells that it normalised
    assert problem(full) is None


def test_lower_case_normalised() -> None:
    assert normalise(" 9144030071526726xg\n") == "9144030071526726XG"
    assert problem("9144030071526726xg") is None
    assert normalise("91440606722473344C") == "91440606722473344C"


@pytest.mark.parametrize("bad", [
    "", "9144060672247334", "914406067224733441", "9144060672247334I", "9144060672247334!",
    "9144060672247334c",  # not normalised
])
def test_check_character_rejects_bad_prefix(bad: str) -> None:
    with pytest.raises(ValueError):
        check_character(bad)


def test_random_prefixes() -> None:
    rng = random.Random(32100)
    for _ in range(2000):
        prefix = random_prefix(rng)
        check = check_character(prefix)
        assert check == independent_check(prefix)
        assert problem(prefix + check) is None
        other = rng.choice(ALPHABET.replace(check, ""))
        assert problem(prefix + other) == f"校验位应为 {check}，实际为 {other}"


def test_every_single_substitution_and_adjacent_swap_is_caught() -> None:
    # weights 3**i mod 31 are non-zero and pairwise distinct, so the mod-31 sum catches both
    rng = random.Random(11714)
    for _ in range(100):
        prefix = random_prefix(rng)
        code = prefix + check_character(prefix)
        for i in range(17):
            for ch in ALPHABET.replace(code[i], ""):
                assert problem(code[:i] + ch + code[i + 1:]) is not None
            if i < 16 and code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
                assert problem(swapped) is not None
