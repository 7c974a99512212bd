"""The package layout is the architecture: each layer imports only the layers below it,
and no module imports another in a circle (docs/CONTRACTS.md, "Layers").

An AST walk over crawler/ collects every import, at module level or inside a function,
so a lazy import cannot hide an upward dependency. The table is data: change it only
together with docs/CONTRACTS.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# layer -> the layers it may import (besides itself). The foundation (configuration,
# logging, the items every layer passes) imports nothing of newsmon's.
ALLOWED: dict[str, set[str]] = {
    "cli": {"ops", "spiders", "crawl", "sites", "extract", "db", "replica", "foundation"},
    "ops": {"crawl", "db", "foundation"},
    "spiders": {"crawl", "sites", "foundation"},
    "crawl": {"sites", "extract", "db", "foundation"},
    "sites": {"extract", "foundation"},
    "extract": {"foundation"},
    "db": {"foundation"},
    "replica": {"sites", "foundation"},
    "foundation": set(),
}
PACKAGE_LAYERS = ("cli", "ops", "crawl", "spiders", "sites", "extract", "db", "replica")


def layer_of(module: str, package: str = "crawler") -> str:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in PACKAGE_LAYERS:
        return parts[1]
    return "foundation"  # crawler, crawler.config, crawler.logging_setup, crawler.items, ...


def modules(root: Path, package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every module of ``package`` under ``root``."""
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports_of(module: str, path: Path, known: dict[str, Path], package: str) -> set[str]:
    """The package's modules that ``module`` imports, anywhere in its code."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = module.split(".")
                anchor = anchor[:len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join(anchor + ([base] if base else []))
            names = []
            for alias in node.names:
                # `from crawler.crawl import rendering` imports the submodule itself
                child = f"{base}.{alias.name}"
                names.append(child if child in known else base)
        else:
            continue
        for name in names:
            if name.split(".")[0] != package:
                continue
            while name and name not in known:  # `import crawler.x.y` -> crawler.x.y
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    known = modules(root, package)
    return {name: imports_of(name, path, known, package) for name, path in known.items()}


def upward_imports(graph: dict[str, set[str]], package: str = "crawler") -> list[str]:
    problems = []
    for module, targets in sorted(graph.items()):
        layer = layer_of(module, package)
        for target in sorted(targets):
            other = layer_of(target, package)
            if other != layer and other not in ALLOWED[layer]:
                problems.append(f"{module} ({layer}) imports {target} ({other})")
    return problems


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


# --- the real tree -------------------------------------------------------------------

def test_every_layer_imports_only_the_layers_below_it() -> None:
    assert upward_imports(import_graph(ROOT, "crawler")) == []


def test_no_module_imports_another_in_a_circle() -> None:
    assert import_cycles(import_graph(ROOT, "crawler")) == []


def test_every_module_opens_with_a_docstring() -> None:
    missing = [name for name, path in modules(ROOT, "crawler").items()
               if path.read_text(encoding="utf-8").strip()
               and ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None]
    assert missing == []


def test_every_layer_of_the_table_exists() -> None:
    names = modules(ROOT, "crawler")
    assert {layer_of(name) for name in names} == set(ALLOWED)


# --- the check itself, on synthetic trees: it must fail on what it forbids -----------

def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


@pytest.mark.parametrize("importer, statement", [
    ("crawler/db/store.py", "from crawler.cli.main import main\n"),
    ("crawler/db/store.py", "def late():\n    import crawler.ops.health\n"),
    ("crawler/crawl/runner.py", "from crawler.spiders import almayadeen\n"),
    ("crawler/sites/site/parser.py", "from ...db import store\n"),
    ("crawler/config.py", "from crawler.crawl import settings\n"),
])
def test_an_upward_import_is_caught(tmp_path: Path, importer: str, statement: str) -> None:
    files = {f"crawler/{p}/__init__.py": '"""x"""\n' for p in PACKAGE_LAYERS}
    files.update({"crawler/__init__.py": "", "crawler/config.py": "",
                  "crawler/cli/main.py": "", "crawler/ops/health.py": "",
                  "crawler/crawl/runner.py": "", "crawler/crawl/settings.py": "",
                  "crawler/spiders/almayadeen.py": "", "crawler/db/store.py": "",
                  "crawler/sites/site/__init__.py": "", "crawler/sites/site/parser.py": ""})
    files[importer] = statement
    root = _tree(tmp_path, files)
    problems = upward_imports(import_graph(root, "crawler"))
    assert len(problems) == 1, problems


def test_a_downward_import_passes(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "crawler/__init__.py": "", "crawler/config.py": "", "crawler/db/__init__.py": "",
        "crawler/db/store.py": "from crawler import config\n",
        "crawler/cli/__init__.py": "", "crawler/cli/main.py": "from crawler.db import store\n"})
    assert upward_imports(import_graph(root, "crawler")) == []


def test_a_circle_is_caught_even_through_a_lazy_import(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "crawler/__init__.py": "", "crawler/db/__init__.py": "",
        "crawler/db/store.py": "from crawler.db import monitoring\n",
        "crawler/db/monitoring.py": "def f():\n    from crawler.db.store import Store\n"})
    assert import_cycles(import_graph(root, "crawler")) == [
        ["crawler.db.monitoring", "crawler.db.store"]]
