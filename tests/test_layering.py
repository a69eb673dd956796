"""The package's import graph (TYPE_CHECKING imports included: a cycle
hidden behind them is still a cycle for a reader): no module takes part in
an import cycle, apart from the cycles listed here, which are known and
waiting to be taken apart. A new cycle fails this test, and so does a listed
one that is gone (take it off the list)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import grimp

# Each a set of modules that import one another (none at present).
KNOWN_CYCLES: list[set[str]] = []


class Imports(Protocol):
    @property
    def modules(self) -> Iterable[str]: ...

    def find_modules_directly_imported_by(self, module: str) -> set[str]: ...


def import_cycles(graph: Imports) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan's
    algorithm, iterative: the graph is a few hundred modules deep at most)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, imported = work[-1]
            for other in imported:
                if other not in index:
                    index[other] = low[other] = len(index)
                    stack.append(other)
                    on_stack.add(other)
                    work.append((other, iter(sorted(graph.find_modules_directly_imported_by(other)))))
                    break
                if other in on_stack:
                    low[module] = min(low[module], index[other])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[module])
                if low[module] == index[module]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == module:
                            break
                    if len(component) > 1:
                        found.append(component)
    return found


def test_no_new_import_cycles() -> None:
    cycles = import_cycles(grimp.build_graph("agentdesk"))
    new = [sorted(c) for c in cycles if c not in KNOWN_CYCLES]
    gone = [sorted(c) for c in KNOWN_CYCLES if c not in cycles]
    assert not new, f"new import cycles: {new}"
    assert not gone, f"these cycles are gone: take them off KNOWN_CYCLES: {gone}"


def test_the_cycle_finder_sees_a_cycle() -> None:
    class Graph:
        modules = ("a", "b", "c", "d")

        @staticmethod
        def find_modules_directly_imported_by(module: str) -> set[str]:
            return {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}[module]

    assert import_cycles(Graph()) == [{"a", "b", "c"}]
