"""A Windows console in GBK (code page 936): characters GBK lacks — 平方米 ², rare name
characters such as 𬌗 — are written as a replacement instead of stopping the command with
UnicodeEncodeError (it used to exit 70, 内部错误, in the middle of ``--help``).

The console is simulated the way Python meets it on such a PC: stdout and stderr encoded as
cp936 (``PYTHONIOENCODING``), in a child process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from gridmgr.cli import main


def _gbk_console(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "cp936", "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "gridmgr", *args], env=env,
                          capture_output=True, timeout=300)


def test_help_with_a_superscript_two_on_a_gbk_console():
    out = _gbk_console("grid", "generate", "--help")
    assert out.returncode == 0, out.stderr.decode("gbk", "replace")
    text = out.stdout.decode("gbk")  # what the console shows: valid GBK throughout
    assert "边长? 的碎片" in text and "--size" in text


def test_a_rare_name_character_on_a_gbk_console(demo_file, tmp_path):
    p = tmp_path / "demo.gpkg"
    shutil.copy(demo_file, p)
    p.chmod(0o644)
    staff = tmp_path / "staff.csv"
    staff.write_text("姓名,工号,手机,角色,所属单位\n王𬌗,T950,13800000950,网格员,祖庙街道城管办\n",
                     encoding="utf-8-sig")
    assert main(["-q", "officers", "import", str(p), str(staff)]) == 0
    assert main(["-q", "assign", str(p), "--officer", "T950", "--role", "网格员",
                 "--area", "440604012001", "--from", "2025-06-01"]) == 0
    out = _gbk_console("workload", str(p))
    assert out.returncode == 0, out.stderr.decode("gbk", "replace")
    row = next(line for line in out.stdout.decode("gbk").splitlines() if "T950" in line)
    assert "王?" in row
    # and an error naming the character goes to stderr the same way
    bad = _gbk_console("assign", str(p), "--officer", "𬌗9", "--role", "网格员", "--area",
                       "440604012001")
    assert bad.returncode not in (0, 70)
    assert "?" in bad.stderr.decode("gbk") and "内部错误" not in bad.stderr.decode("gbk")


def test_a_utf8_console_is_left_as_it_is():
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    out = subprocess.run([sys.executable, "-m", "gridmgr", "grid", "generate", "--help"],
                         env=env, capture_output=True, timeout=300)
    assert "边长² 的碎片" in out.stdout.decode("utf-8")
