"""The import graph of the product's code, read from the source (no import is executed).

    python scripts/import_graph.py            # app-level edges, upward imports and module cycles

Layers, from the ground up (an app may import only apps of lower layers, and its own modules):
municipalities → dialogues → pledges → followup → public, exchange; accounts beside them at the edge
(reached only through its small interface), config on top of everything. Tests and migrations are left out.
"""

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {
    "municipalities": 0,
    "dialogues": 1,
    "pledges": 2,
    "followup": 3,
    "public": 4,
    "exchange": 4,
}
# accounts sits at the edge: every app may use these modules of it, and it may use any app below the top.
ACCOUNTS_INTERFACE = {"accounts.audit", "accounts.submissions", "accounts.two_factor"}
APPS = set(LAYERS) | {"accounts", "config"}


def product_modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[0] not in APPS or "tests" in parts or "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def imports_of(name, path):
    """What this module imports, at any depth of its code (function-level imports count): (module, names)
    pairs, names empty for a plain `import`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            found.append((target, tuple(alias.name for alias in node.names)))
    return [(module, names) for module, names in found if module.split(".")[0] in APPS]


def graph():
    modules = dict(product_modules())
    edges = defaultdict(set)
    for name, path in modules.items():
        for module, names in imports_of(name, path):
            # "from pledges import models" imports the module pledges.models; "from pledges.models import X",
            # the module pledges.models.
            targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in modules] or [module]
            for target in targets:
                while target not in modules and "." in target:
                    target = target.rpartition(".")[0]
                if target in modules and target != name:
                    edges[name].add(target)
    return modules, edges


def upward_imports(edges):
    """(importer, imported) pairs that break the layering."""
    wrong = set()
    for source, targets in edges.items():
        source_app = source.split(".")[0]
        for target in targets:
            target_app = target.split(".")[0]
            if source_app == target_app or source_app == "config":
                continue
            if target_app == "config":
                if target not in {"config.celery", "config.text", "config.csv"}:
                    wrong.add((source, target))
            elif target_app == "accounts":
                if target not in ACCOUNTS_INTERFACE:
                    wrong.add((source, target))
            elif source_app == "accounts":
                continue  # the edge reads what it reports on (personal data, audit subjects)
            elif LAYERS[target_app] >= LAYERS[source_app]:
                wrong.add((source, target))
    return wrong


def cycles(edges):
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
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

    sys.setrecursionlimit(10_000)
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def app_cycles(edges):
    """Cycles between apps (accounts' interface modules and config left out: they are reached from anywhere)."""
    apps = defaultdict(set)
    for source, targets in edges.items():
        for target in targets:
            if target in ACCOUNTS_INTERFACE or target.startswith("config") or source.startswith("config"):
                continue
            if source.split(".")[0] != target.split(".")[0]:
                apps[source.split(".")[0]].add(target.split(".")[0])
    return cycles(apps)


def app_edges(edges):
    counts = defaultdict(int)
    for source, targets in edges.items():
        for target in targets:
            pair = (source.split(".")[0], target.split(".")[0])
            if pair[0] != pair[1]:
                counts[pair] += 1
    return dict(sorted(counts.items()))


def main():
    modules, edges = graph()
    print(f"{len(modules)} modules, {sum(map(len, edges.values()))} imports between them\n")
    print("apps (importer → imported: number of module imports)")
    for (source, target), count in app_edges(edges).items():
        print(f"  {source} → {target}: {count}")
    wrong = sorted(upward_imports(edges))
    print(f"\nupward imports: {len(wrong)}")
    for source, target in wrong:
        print(f"  {source} → {target}")
    found = cycles(edges)
    print(f"\nmodule cycles: {len(found)}")
    for component in found:
        print("  " + " ⇄ ".join(component))
    between_apps = app_cycles(edges)
    print(f"\napp cycles: {len(between_apps)}")
    for component in between_apps:
        print("  " + " ⇄ ".join(component))
    return 1 if wrong or found or between_apps else 0


if __name__ == "__main__":
    sys.exit(main())
