"""No import cycles between the package's units.

A unit is a sub-package (`omniroute/proxy/...` -> `proxy`) or a root module (`omniroute/errors.py`
-> `errors`, `omniroute/__init__.py` -> `__init__`). Every import in every module, absolute or
relative, at the top or inside a function, is read with `ast` (nothing is imported) and becomes an
edge between two units; the units must form layers, i.e. no strongly connected component holds
more than one unit. A failure names the units of each cycle and the files making each edge."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "omniroute"
INIT_UNIT = "__init__"
WEB_IMPORTERS = {INIT_UNIT, "services", "serving"}  # the dashboard and /v1 are the top layer

# (importing unit, imported unit) -> the files (relative to the package) making that edge
ImportGraph = dict[tuple[str, str], set[str]]


def unit_of_file(relative: Path) -> str:
    """The unit a module file belongs to: its top folder, or its own name at the root."""
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def package_units(package_dir: Path) -> set[str]:
    return {unit_of_file(path.relative_to(package_dir)) for path in package_dir.rglob("*.py")}


def module_parts(package_dir: Path, path: Path) -> tuple[list[str], bool]:
    """The dotted name of a module file as a list, and whether the file is a package's __init__."""
    relative = path.relative_to(package_dir.parent).with_suffix("")
    parts = list(relative.parts)
    is_package = parts[-1] == "__init__"
    return (parts[:-1] if is_package else parts), is_package


def imported_names(tree: ast.AST, parts: list[str], is_package: bool) -> list[list[str]]:
    """Every dotted name a module imports, relative imports resolved against its own name.
    `from X import y` gives X.y (y may be a submodule), `from X import *` gives X."""
    names: list[list[str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name.split(".") for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = parts if is_package else parts[:-1]
                base = anchor[: len(anchor) - (node.level - 1)]
            else:
                base = []
            base = base + (node.module.split(".") if node.module else [])
            names.extend(base + [alias.name] if alias.name != "*" else base for alias in node.names)
    return names


def unit_of_import(name: list[str], package: str, units: set[str]) -> str | None:
    """The unit an imported dotted name lands in (None outside the package).
    `package.x` is unit x when x is a unit, else a name defined in the package's __init__."""
    if not name or name[0] != package:
        return None
    if len(name) == 1:
        return INIT_UNIT
    return name[1] if name[1] in units else INIT_UNIT


def import_graph(package_dir: Path) -> ImportGraph:
    package = package_dir.name
    units = package_units(package_dir)
    graph: ImportGraph = defaultdict(set)
    for path in sorted(package_dir.rglob("*.py")):
        relative = path.relative_to(package_dir)
        source_unit = unit_of_file(relative)
        parts, is_package = module_parts(package_dir, path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name in imported_names(tree, parts, is_package):
            target = unit_of_import(name, package, units)
            if target is not None and target != source_unit:
                graph[(source_unit, target)].add(str(relative))
    return dict(graph)


def strongly_connected(graph: ImportGraph) -> list[list[str]]:
    """Tarjan's algorithm: the components of the unit graph, each sorted."""
    successors: dict[str, list[str]] = defaultdict(list)
    nodes: set[str] = set()
    for source, target in graph:
        successors[source].append(target)
        nodes.update((source, target))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in successors[node]:
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            components.append(sorted(component))

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return components


def import_cycles(graph: ImportGraph) -> list[str]:
    """One description per cycle: its units, then each edge inside it with the files making it."""
    reports = []
    for component in strongly_connected(graph):
        if len(component) < 2:
            continue
        members = set(component)
        lines = [f"import cycle between {', '.join(component)}:"]
        for (source, target), files in sorted(graph.items()):
            if source in members and target in members:
                lines.append(f"  {source} -> {target}: {', '.join(sorted(files))}")
        reports.append("\n".join(lines))
    return reports


def layer_order(graph: ImportGraph) -> list[str]:
    """The units bottom to top: each one imports only units listed before it."""
    remaining = {unit for edge in graph for unit in edge}
    order: list[str] = []
    while remaining:
        ready = sorted(
            unit
            for unit in remaining
            if not any(source == unit and target in remaining for source, target in graph)
        )
        assert ready, "the graph has a cycle"
        order.extend(ready)
        remaining.difference_update(ready)
    return order


def test_the_package_units_import_each_other_without_cycles():
    cycles = import_cycles(import_graph(PACKAGE_DIR))
    assert not cycles, "\n\n".join(cycles)


def test_only_the_wiring_modules_sit_above_the_web_package():
    graph = import_graph(PACKAGE_DIR)
    assert ("web", "store") in graph, "the checker missed imports it must see"
    importers = {source: files for (source, target), files in graph.items() if target == "web"}
    assert set(importers) <= WEB_IMPORTERS, importers
    assert not {source: files for (source, target), files in graph.items() if target == INIT_UNIT}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return root / "pkg"


def test_a_cycle_through_relative_and_function_level_imports_is_reported(tmp_path):
    package = write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/low/__init__.py": "",
            "pkg/low/values.py": "def load():\n    from ..high.app import run\n    return run\n",
            "pkg/high/__init__.py": "",
            "pkg/high/app.py": "from pkg.low import values\n\ndef run():\n    return values\n",
        },
    )
    cycles = import_cycles(import_graph(package))
    assert cycles == [
        "import cycle between high, low:\n  high -> low: high/app.py\n  low -> high: low/values.py"
    ]


def test_imports_map_to_units_and_an_acyclic_tree_passes(tmp_path):
    package = write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "from .high import app\nfrom . import errors\n",
            "pkg/errors.py": "import os\n",
            "pkg/low/__init__.py": "from . import values\nfrom .values import os\n",
            "pkg/low/values.py": "from .. import errors\nfrom ..errors import os\n",
            "pkg/high/__init__.py": "",
            "pkg/high/app.py": "import pkg.low.values\nfrom pkg import errors\n",
            "pkg/main.py": "from pkg import app\n",  # a name the package's __init__ defines
        },
    )
    graph = import_graph(package)
    assert graph == {
        ("__init__", "high"): {"__init__.py"},
        ("__init__", "errors"): {"__init__.py"},
        ("low", "errors"): {"low/values.py"},
        ("high", "low"): {"high/app.py"},
        ("high", "errors"): {"high/app.py"},
        ("main", "__init__"): {"main.py"},
    }
    assert import_cycles(graph) == []
    assert layer_order(graph) == ["errors", "low", "high", "__init__", "main"]
