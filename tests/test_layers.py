"""The import graph of bot, storage and scheduler runs one way and has no cycle.

Read with ast (nothing is imported): imports under ``if TYPE_CHECKING:`` never run and are left
out; imports inside functions count. The rules (docs/internals.md, "Layers"):
storage imports neither bot nor scheduler; scheduler never imports bot.handlers; bot imports
scheduler only from its composition root (the roles, the CLI, bot/app.py).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "storage", "scheduler")
COMPOSITION_ROOT = ("bot.app", "bot.cli", "bot.__main__", "bot.roles")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _files() -> dict[str, Path]:
    return {
        _module(p): p
        for pkg in PACKAGES
        for p in sorted((ROOT / pkg).rglob("*.py"))
        if "migrations" not in p.parts
    }


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", "")
            if name == "TYPE_CHECKING":
                skipped |= {id(n) for sub in node.body for n in ast.walk(sub)}
    return skipped


def _imported_names(path: Path, module: str) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skipped = _type_checking_nodes(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    """module -> the project's modules it imports."""
    files = _files()
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        found: set[str] = set()
        for name in _imported_names(path, module):
            while name and name not in files:  # the longest project module the name starts with
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
        graph[module] = found
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def forbidden(graph: dict[str, set[str]]) -> list[str]:
    """Imports against the layer rules, as "a -> b"."""
    bad = []
    for module, deps in sorted(graph.items()):
        top = module.split(".")[0]
        for dep in sorted(deps):
            dep_top = dep.split(".")[0]
            if (
                (top == "storage" and dep_top in ("bot", "scheduler"))
                or (top == "scheduler" and dep.startswith("bot.handlers"))
                or (top == "bot" and dep_top == "scheduler" and not module.startswith(COMPOSITION_ROOT))
            ):
                bad.append(f"{module} -> {dep}")
    return bad


def test_no_import_cycles() -> None:
    """No two modules import each other, directly or through others."""
    assert cycles(import_graph()) == []


def test_layers_run_one_way() -> None:
    """storage never imports bot or scheduler; scheduler never a handler; bot the scheduler only
    from its composition root."""
    assert forbidden(import_graph()) == []


def test_the_checks_can_fail() -> None:
    """The checks find a planted cycle and a planted wrong-way import."""
    graph = {"storage.a": {"bot.b"}, "bot.b": {"storage.a"}, "bot.c": {"scheduler.x"}, "scheduler.x": set()}
    assert cycles(graph) == [["bot.b", "storage.a"]]
    assert forbidden(graph) == ["bot.c -> scheduler.x", "storage.a -> bot.b"]
