"""The layout of ``docs/architecture.md`` holds: imports follow the arrow between the apps,
no module imports in a circle within its app, and no role is compared outside the
permission policy. Read from the source with ``ast`` (every import, also those inside
functions), so an arrow against the order fails here before it confuses a reader."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: the order of docs/architecture.md: a module may import its own layer and those before it.
#: ``ecopark`` is the project: its settings, Celery app, middleware and probes import no app
#: (layer 0, usable by all), its URL map and pages import every app (the top).
LAYERS = {
    "common": 0,
    "enterprises": 1,
    "indicators": 2,
    "registers": 3,
    "surveys": 4,
    "dashboards": 5,
    "demo": 6,
}
PROJECT_TOP = {"ecopark.urls": 7}
PROJECT_BASE = 0
APPS = tuple(LAYERS) + ("ecopark",)


def _modules() -> dict[str, Path]:
    """Every application module (migrations excluded), by dotted name."""
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            if "migrations" in rel.parts:
                continue
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _layer(module: str) -> int:
    if module in PROJECT_TOP:
        return PROJECT_TOP[module]
    app = module.split(".")[0]
    return PROJECT_BASE if app == "ecopark" else LAYERS[app]


def _imports(module: str, path: Path) -> set[str]:
    """Dotted names of the project modules ``module`` imports (absolute or relative, at any
    depth of the file)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            names.add(prefix)
            names.update(f"{prefix}.{alias.name}" for alias in node.names)
    return {n for n in names if n.split(".")[0] in APPS}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        targets = set()
        for imported in _imports(name, path):
            # ``from pkg import module`` names a module; ``from module import name`` its module
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def test_no_module_imports_against_the_arrow_between_the_apps():
    wrong = sorted(
        f"{source} imports {target}"
        for source, targets in _graph().items()
        for target in targets
        if _layer(target) > _layer(source)
    )
    assert wrong == []


def test_only_dashboards_and_the_url_map_import_dashboards():
    importers = sorted(
        source
        for source, targets in _graph().items()
        if any(t.split(".")[0] == "dashboards" for t in targets)
        and source.split(".")[0] not in ("dashboards", "ecopark", "demo")
    )
    assert importers == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_circle_of_imports_inside_an_app():
    assert _cycles(_graph()) == []


def test_the_circle_finder_finds_a_circle():
    """The check above can fail: a three-module circle is reported."""
    assert _cycles({"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "a.w": {"a.x"}}) == [
        ["a.x", "a.y", "a.z"]
    ]


ROLE_COMPARISON = re.compile(
    r"\bRole\.(MINISTRY|BOARD|PARK_MANAGER|ENTERPRISE)\b|\bscope\.role\b|\brole_of\("
)


def test_no_role_is_compared_outside_the_permission_policy():
    """Views, forms, templates, API and services ask ``enterprises.policy``; only the policy
    (and the demo loader, which creates the demo users with their roles) names a role."""
    allowed = {ROOT / "enterprises" / "policy.py", ROOT / "enterprises" / "models.py"}
    offenders = []
    for app in (*APPS, "templates"):
        if app == "demo":
            continue
        for path in (ROOT / app).rglob("*"):
            if path.suffix not in (".py", ".html") or "migrations" in path.parts:
                continue
            if path in allowed:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if ROLE_COMPARISON.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
