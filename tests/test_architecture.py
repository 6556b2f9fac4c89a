"""The layering rules of DESIGN.md ("Layers and folders"), checked over the source with ``ast``.

* (a) an area imports another area only through its face: ``portfolio.<area>`` (its
  ``__init__``), never ``portfolio.<area>.documents`` or any other module of it; and it does
  not query or write another area's documents through the types a face exports (the known
  exceptions are listed, to be paid off, not added to);
* (b) no cycle between the area packages, counting the top-level modules they go through;
* (c) ``portfolio/`` never imports fastapi, starlette, ``api`` or ``schemas``;
* (d) no module over 500 lines in ``portfolio/`` or ``api/``; (e) no router over 400.

Exempt from (a), and from nothing else: the top-level modules of ``portfolio/`` (the
infrastructure: ``models.py`` lists every area's documents, ``bootstrap.py`` loads every area's
demo, ``repair.py`` runs every area's repair steps, ``subscriptions.py`` wires the event
subscribers; ``storage.py``, ``settings.py``, ``clock.py``, ``ids.py``, ``once.py``,
``errors.py``, ``events.py``, ``exports.py``, ``tabular.py``, ``paging.py``,
``vocabulary.py``, ``lookups.py``, ``keyring.py``, ``driver_errors.py``, ``faults.py`` and
``idempotency.py`` import no area's internals), and the ``seed`` package: a privileged bulk
writer that writes every area's stored form directly (no area imports it). A ``demo.py``
may import another area's ``demo.py`` (the demo data's fixed ids). The HTTP layer (``api/``,
``schemas/``) may import area modules (views, inputs, enums).

``test_the_readme_shows_the_dependencies`` keeps the picture in the README's architecture
section equal to the one these imports draw.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from beanie import Document

ROOT = Path(__file__).resolve().parent.parent
PORTFOLIO = ROOT / "portfolio"
AREAS = (
    "identity",
    "audit",
    "accounts",
    "occupations",
    "archives",
    "priority",
    "training",
    "vouchers",
    "apprenticeships",
    "honours",
    "projects",
    "planning",
    "competitions",
    "reports",
    "credentials",
    "recognition",
    "crossborder",
    "seed",
)
# Areas that may reach into other areas' modules (see the module docstring).
PRIVILEGED = frozenset({"seed"})
FORBIDDEN_IN_DOMAIN = ("fastapi", "starlette", "api", "schemas")
MAX_MODULE_LINES = 500
MAX_ROUTER_LINES = 400
# Known debts, each to be paid off (the test fails once one is, so the list only shrinks).
OVERSIZED: dict[str, int] = {}
# (module, another area's document type it queries or writes): the accounts area has no
# "actor for a username" yet, and archives still writes principals itself on activation.
FOREIGN_QUERIES = {
    ("portfolio.archives.activation", "Principal"),
    ("portfolio.archives.demo", "Principal"),
    ("portfolio.training.demo", "Principal"),
    ("portfolio.vouchers.demo", "Principal"),
    ("portfolio.apprenticeships.demo", "Principal"),
}
QUERY_METHODS = frozenset(
    {
        "get",
        "find",
        "find_one",
        "find_many",
        "find_all",
        "get_pymongo_collection",
        "insert",
        "insert_one",
        "insert_many",
        "save",
        "replace",
        "delete",
        "update",
        "aggregate",
    }
)


@dataclass(frozen=True)
class Import:
    """One imported module (or package) by one module, at one line."""

    module: str
    target: str
    names: tuple[str, ...]
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(top: Path) -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(top.rglob("*.py"))}


MODULES = _modules(PORTFOLIO)


def _imports(module: str, path: Path) -> Iterator[Import]:
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, (), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names = tuple(alias.name for alias in node.names)
            # ``from portfolio.x import y`` where y is a module imports that module.
            submodules = [n for n in names if f"{target}.{n}" in MODULES]
            for name in submodules:
                yield Import(module, f"{target}.{name}", (), node.lineno)
            others = tuple(n for n in names if n not in submodules)
            if others or not submodules:
                yield Import(module, target, others, node.lineno)


IMPORTS = [found for module, path in MODULES.items() for found in _imports(module, path)]


def _area(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "portfolio" and parts[1] in AREAS:
        return parts[1]
    return None


def _node(module: str) -> str | None:
    """The node of the dependency graph a module belongs to: its area, or itself (a
    top-level module of ``portfolio``); None outside ``portfolio``."""
    area = _area(module)
    if area is not None:
        return area
    if module.startswith("portfolio.") and module in MODULES:
        return module.removeprefix("portfolio.")
    return None


def _is_demo_to_demo(found: Import) -> bool:
    return found.module.endswith(".demo") and found.target.endswith(".demo")


def test_areas_import_each_other_only_through_their_faces() -> None:
    broken = [
        f"{found.module}:{found.line} imports {found.target}"
        for found in IMPORTS
        if (area := _area(found.module)) is not None
        and area not in PRIVILEGED
        and (other := _area(found.target)) is not None
        and other != area
        and found.target != f"portfolio.{other}"
        and not _is_demo_to_demo(found)
    ]
    assert broken == [], "import the area's face (portfolio.<area>) instead:\n" + "\n".join(broken)


def _exported_documents() -> dict[str, set[str]]:
    """Per area, the names its face exports that are Beanie documents."""
    found: dict[str, set[str]] = {}
    for area in AREAS:
        face = importlib.import_module(f"portfolio.{area}")
        found[area] = {
            name
            for name in getattr(face, "__all__", ())
            if isinstance(getattr(face, name), type) and issubclass(getattr(face, name), Document)
        }
    return found


def test_no_area_queries_another_areas_documents() -> None:
    documents = _exported_documents()
    seen: set[tuple[str, str]] = set()
    for found in IMPORTS:
        area, other = _area(found.module), _area(found.target)
        if area is None or other is None or other == area or area in PRIVILEGED:
            continue
        foreign = set(found.names) & documents[other]
        if not foreign:
            continue
        tree = ast.parse(MODULES[found.module].read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in foreign
                and node.attr in QUERY_METHODS
            ):
                seen.add((found.module, node.value.id))
    new = sorted(seen - FOREIGN_QUERIES)
    assert new == [], f"ask the owning area (a function of its face) instead: {new}"
    paid = sorted(FOREIGN_QUERIES - seen)
    assert paid == [], f"paid off: take these out of FOREIGN_QUERIES: {paid}"


def dependencies() -> dict[str, set[str]]:
    """Which node (area or top-level module) imports which other nodes."""
    edges: dict[str, set[str]] = defaultdict(set)
    for found in IMPORTS:
        source, target = _node(found.module), _node(found.target)
        if source is not None and target is not None and source != target:
            edges[source].add(target)
        if source is not None:
            edges.setdefault(source, set())
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
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
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_cycle_between_areas() -> None:
    cycles = _cycles(dependencies())
    assert cycles == [], f"packages that import each other (directly or around): {cycles}"


def test_the_domain_never_imports_the_http_layer() -> None:
    broken = [
        f"{found.module}:{found.line} imports {found.target}"
        for found in IMPORTS
        if found.target.split(".")[0] in FORBIDDEN_IN_DOMAIN
    ]
    assert broken == []


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines())


def test_modules_and_routers_stay_small() -> None:
    too_long = {
        str(path.relative_to(ROOT)): _lines(path)
        for top in (PORTFOLIO, ROOT / "api")
        for path in top.rglob("*.py")
        if _lines(path) > MAX_MODULE_LINES
    }
    routers = {
        str(path.relative_to(ROOT)): _lines(path)
        for path in (ROOT / "api" / "routers").glob("*.py")
        if _lines(path) > MAX_ROUTER_LINES
    }
    unexpected = {k: v for k, v in too_long.items() if v > OVERSIZED.get(k, MAX_MODULE_LINES)}
    assert unexpected == {}, f"split these by use case (at most {MAX_MODULE_LINES} lines)"
    assert routers == {}, f"split these routers by concept (at most {MAX_ROUTER_LINES} lines)"
    paid = sorted(set(OVERSIZED) - set(too_long))
    assert paid == [], f"paid off: take these out of OVERSIZED: {paid}"


def picture() -> str:
    """The areas and what each imports, lowest first (the README shows this)."""
    edges = dependencies()
    lines = []
    for area in AREAS:
        uses = sorted(edges.get(area, set()) & set(AREAS))
        lines.append(f"{area:<16} -> {', '.join(uses) if uses else '(no other area)'}")
    return "\n".join(lines)


def test_the_readme_shows_the_dependencies() -> None:
    readme = (ROOT / "README.md").read_text()
    shown = re.search(r"<!-- areas -->\n```\n(.*?)\n```", readme, re.DOTALL)
    assert shown is not None, "the README's architecture section lost its area picture"
    assert shown.group(1) == picture(), f"update the README's picture to:\n{picture()}"


def test_no_two_test_files_or_tests_share_a_name() -> None:
    """A failure names one test wherever it lives: file names and test names are unique."""
    files = sorted((ROOT / "tests").rglob("test_*.py"))
    names = [path.name for path in files]
    assert sorted({n for n in names if names.count(n) > 1}) == []
    tests = [
        node.name
        for path in files
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    ]
    assert sorted({t for t in tests if tests.count(t) > 1}) == []
