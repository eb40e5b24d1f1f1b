"""Print the package-level import graph of custom/ and its cycles.

Run from a checkout's root: `.venv/bin/python docs/import_graph.py`. One line per edge
(`custom.a -> custom.b`), then the strongly connected groups of packages (a cycle of any
length); docs/architecture.md says which edges the layers allow, lint-imports enforces them.
"""

import sys

import grimp


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def package_edges(graph: grimp.ImportGraph) -> set[tuple[str, str]]:
    edges = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            a, b = package_of(module), package_of(imported)
            if a != b and b.startswith("custom."):
                edges.add((a, b))
    return edges


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one package."""
    adjacent: dict[str, set[str]] = {}
    for a, b in edges:
        adjacent.setdefault(a, set()).add(b)
        adjacent.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(adjacent[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while (w := stack.pop()) != v:
                group.append(w)
            group.append(v)
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(adjacent):
        if v not in index:
            visit(v)
    return groups


def main() -> None:
    sys.path.insert(0, ".")
    edges = package_edges(grimp.build_graph("custom", cache_dir=None))
    for a, b in sorted(edges):
        print(f"{a} -> {b}")
    print("cycles:", cycles(edges) or "none")


if __name__ == "__main__":
    main()
