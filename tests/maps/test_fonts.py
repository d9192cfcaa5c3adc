"""The Chinese font on any computer (maps/fonts.py): the preferred family of each OS, any other
Simplified-Chinese family Qt finds, and the shipped subset when there is none.

The other computers are simulated with fontconfig: a folder holding only fonts named like
Windows' (微软雅黑 Microsoft YaHei, 宋体 SimSun), one with a family on no list, one with no
Chinese font; each run of gridmgr in a child process sees only that folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from maps import fonts

fontTools = pytest.importorskip("fontTools.ttLib")


def test_the_preferred_family_of_each_os_wins():
    def sc(_family: str) -> bool:
        return True

    assert fonts.choose(["Arial", "SimSun", "Microsoft YaHei"], sc) == "Microsoft YaHei"
    assert fonts.choose(["Helvetica", "PingFang SC", "Songti SC"], sc) == "PingFang SC"
    assert fonts.choose(["DejaVu Sans", "Noto Sans CJK SC"], sc) == "Noto Sans CJK SC"
    assert fonts.choose_serif(["SimSun", "Microsoft YaHei"], "Microsoft YaHei") == "SimSun"
    assert fonts.choose_serif(["PingFang SC"], "PingFang SC") == "PingFang SC"


def test_any_simplified_chinese_family_is_accepted_and_japanese_only_is_not():
    writes = {"Bureau Hei": True, "IPAGothic": False, "DejaVu Sans": False}
    assert fonts.choose(["DejaVu Sans", "IPAGothic", "Bureau Hei"], writes.get) == "Bureau Hei"
    assert fonts.choose(["DejaVu Sans", "IPAGothic"], writes.get) is None
    # a serif-only Chinese computer still gets a family rather than nothing
    assert fonts.choose(["SimSun"], lambda f: f == "SimSun") == "SimSun"


def test_the_page_font_stack_starts_with_the_chosen_family():
    stack = fonts.css_stack("Bureau Hei")
    assert stack.startswith('"Bureau Hei", ') and stack.endswith("sans-serif")
    assert '"Microsoft YaHei"' in stack and f'"{fonts.BUNDLED_FAMILY}"' in stack


def _renamed(src: Path, dst: Path, family: str) -> None:
    font = fontTools.TTFont(str(src))
    for rec in font["name"].names:
        if rec.nameID in (1, 4, 16):
            rec.string = family
        elif rec.nameID == 6:
            rec.string = family.replace(" ", "")
    font.save(str(dst))


@pytest.fixture(scope="module")
def computers(tmp_path_factory) -> dict[str, Path]:
    """fonts.conf files: 'windows' (YaHei + SimSun), 'other' (a family on no list), 'none'
    (a Latin font only)."""
    base = tmp_path_factory.mktemp("font-computers")
    made = {}
    for name, families in {"windows": ["Microsoft YaHei", "SimSun"], "other": ["Bureau Hei"],
                           "none": []}.items():
        folder = base / name
        folder.mkdir()
        for i, family in enumerate(families):
            _renamed(fonts.BUNDLED, folder / f"f{i}.otf", family)
        if not families:
            latin = next(Path("/usr/share/fonts").rglob("DejaVuSans.ttf"), None)
            if latin:
                (folder / "latin.ttf").write_bytes(latin.read_bytes())
        conf = base / f"{name}.conf"
        conf.write_text(
            '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
            f"<dir>{folder}</dir><cachedir>{base / 'cache'}</cachedir></fontconfig>",
            encoding="utf-8")
        made[name] = conf
    return made


def _gridmgr(conf: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "gridmgr", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("computer, sans, serif, source", [
    ("windows", "Microsoft YaHei", "SimSun", "system"),
    ("other", "Bureau Hei", "Bureau Hei", "system"),
    ("none", fonts.BUNDLED_FAMILY, fonts.BUNDLED_FAMILY, "bundled"),
])
def test_info_fonts_names_the_font_each_computer_uses(computers, computer, sans, serif, source):
    out = _gridmgr(computers[computer], "info", "--fonts", "--json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert (got["sans"], got["serif"], got["source"]) == (sans, serif, source)
    text = _gridmgr(computers[computer], "info", "--fonts").stdout
    assert f"中文字体：{sans}" in text


def test_a_computer_without_chinese_fonts_prints_with_the_shipped_one(computers, demo_file,
                                                                      tmp_path):
    out = _gridmgr(computers["none"], "-q", "print", str(demo_file), "--out",
                   str(tmp_path / "m.pdf"), "--paper", "A4", "--scope", "440604012")
    assert out.returncode == 0, out.stderr
    listed = subprocess.run(["pdffonts", str(tmp_path / "m.pdf")], capture_output=True,
                            text=True).stdout
    assert "GridmgrSansSC" in listed and "Noto" not in listed
    text = subprocess.run(["pdftotext", str(tmp_path / "m.pdf"), "-"], capture_output=True,
                          text=True).stdout
    assert "禅城区" in text and "网格" in text
