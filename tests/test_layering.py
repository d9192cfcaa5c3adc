"""The architecture is checked, not only described: gridmgr ← maps ← ui."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(package: str) -> list[tuple[str, int, str]]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), node.lineno, a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((str(path.relative_to(ROOT)), node.lineno, node.module))
    return found


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint), "--config", str(ROOT / "setup.cfg")], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Contracts: 3 kept, 0 broken" in out.stdout


def test_maps_uses_no_qtwidgets():
    bad = [i for i in _imports("maps") if i[2].startswith("PySide6.QtWidgets") or
           i[2] == "ui" or i[2].startswith("ui.")]
    assert bad == []


def test_core_never_imports_qt():
    bad = [i for i in _imports("gridmgr") if i[2].split(".")[0] in ("PySide6", "shiboken6",
                                                                     "maps", "ui")]
    assert bad == []


def test_no_sql_outside_storage():
    """Only gridmgr/storage/ talks SQL; everything else calls it."""
    offenders = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] not in ("gridmgr", "maps", "ui") or rel.parts[:2] == ("gridmgr", "storage"):
            continue
        text = path.read_text(encoding="utf-8")
        # ``store.db`` is the storage layer's own handle: reaching through it is SQL by another name
        for needle in re.findall(r"\bsqlite3\b|\bsqlite_utils\b|\.execute(?:many|script)?\(|"
                                 r"\bstore\.db\b", text):
            offenders.append(f"{rel}: {needle}")
    assert offenders == []
