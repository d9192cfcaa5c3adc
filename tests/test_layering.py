"""The architecture is checked, not only described: gridmgr ← maps ← ui, the layers inside
gridmgr (setup.cfg, docs/architecture.md), no import circles, SQL only in storage."""

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
    assert "Contracts: 5 kept, 0 broken" in out.stdout


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


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Module → the project modules it imports when it runs (module level or inside a function;
    ``if TYPE_CHECKING:`` blocks are not run and are left out)."""
    paths = {_module_name(p): p for pkg in ("gridmgr", "maps", "ui")
             for p in sorted((ROOT / pkg).rglob("*.py"))}

    def owner(name: str) -> str | None:
        while name and name not in paths:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {m: set() for m in paths}
    for mod, path in paths.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        todo = list(ast.parse(path.read_text(encoding="utf-8")).body)
        while todo:
            node = todo.pop()
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                todo += node.orelse
                continue
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([node.module] if node.module else []))
                names = [f"{base}.{a.name}" for a in node.names] + [base]
            for name in names:
                target = owner(name)
                if target and target != mod and not mod.startswith(target + "."):
                    graph[mod].add(target)
            todo += [c for c in ast.iter_child_nodes(node) if isinstance(c, ast.stmt)]
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    group = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        group.append(w)
                        if w == v:
                            break
                    if len(group) > 1:
                        out.append(sorted(group))
    return out


def test_the_circle_finder_finds_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles():
    """A circle means two modules are one idea split wrongly, or a helper in the wrong place."""
    graph = _import_graph()
    assert len(graph) > 100 and sum(map(len, graph.values())) > 400  # the graph saw the code
    assert "gridmgr.storage.api" in graph["gridmgr.storage"]
    assert _circles(graph) == []
