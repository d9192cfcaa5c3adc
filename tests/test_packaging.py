"""The self-contained folder's spec (packaging/gridmgr.spec) keeps what the product imports.

Building the folder takes minutes, so CI builds and runs it once in scripts/test-bundle.sh;
this catches the commonest break early: a Qt module the window starts using (QtCharts did)
while the spec still leaves it out.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imported_qt_modules() -> set[str]:
    found = set()
    for pkg in ("gridmgr", "maps", "ui"):
        for f in (ROOT / pkg).rglob("*.py"):
            for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("PySide6."):
                    found.add(node.module)
                elif isinstance(node, ast.Import):
                    found |= {a.name for a in node.names if a.name.startswith("PySide6.")}
    return found


def test_the_bundle_spec_excludes_no_qt_module_the_product_imports():
    spec = (ROOT / "packaging" / "gridmgr.spec").read_text(encoding="utf-8")
    excluded = set(re.findall(r'"(PySide6\.Qt\w+)"', spec))
    used = _imported_qt_modules()
    assert {"PySide6.QtWebEngineWidgets", "PySide6.QtCharts"} <= used
    assert used & excluded == set()


def test_the_launcher_names_the_entry_points_setup_cfg_declares():
    cfg = (ROOT / "setup.cfg").read_text(encoding="utf-8")
    assert "gridmgr = gridmgr.cli:main" in cfg and "gridmgr-desktop = gridmgr.cli:desktop" in cfg
    launcher = (ROOT / "packaging" / "launcher.py").read_text(encoding="utf-8")
    assert "from gridmgr.cli import desktop, main" in launcher
