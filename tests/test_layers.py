"""The package reads from the bottom up: no import cycle at any depth (function-level imports
included), no `_private` name imported from another module, and no function-level import of the
package's own modules outside the CLI and the renderers (where start-up time needs them). And
every code any module can print is known to `lstmshape rules`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from check_helpers import REPO, run

PACKAGE = REPO / "lstmshape"
LAZY_ALLOWED = ("lstmshape.cli", "lstmshape.render")  # start-up: typer, rich, numpy only when used


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = modules()


def imports(name: str, path: Path):
    """(imported module, imported name or None, node, at top level?) for each import of the package's own modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = set(map(id, tree.body))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "lstmshape":
                    yield alias.name, None, node, id(node) in top
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "lstmshape":
                continue
            for alias in node.names:
                yield target, alias.name, node, id(node) in top


REFERENCE = re.compile(r"(lstmshape(?:\.\w+)+):\w+")  # a registry entry (lstmshape.registry.resolve)


def references(path: Path) -> set[str]:
    """Modules named by registry entries such as "lstmshape.shapes.keras:infer_keras_config"."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {m.group(1) for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
            for m in [REFERENCE.fullmatch(node.value)] if m}


def graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports, at any depth or through a registry entry."""
    edges = {m: set() for m in MODULES}
    for name, path in MODULES.items():
        for target, alias, _, _ in imports(name, path):
            sub = f"{target}.{alias}" if alias else None
            dest = sub if sub in MODULES else target
            if dest in MODULES and dest != name:
                edges[name].add(dest)
        edges[name] |= {ref for ref in references(path) if ref in MODULES and ref != name}
    return edges


def test_registry_entries_count_as_imports():
    edges = graph()
    assert "lstmshape.weightcheck" in edges["lstmshape.check"]
    assert "lstmshape.read.frameworks" in edges["lstmshape.read"]
    assert "lstmshape.render.table" in edges["lstmshape.render"]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle():
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_private_name_imported_across_modules():
    private = []
    for name, path in MODULES.items():
        for target, alias, _, _ in imports(name, path):
            if alias and alias.startswith("_") and not alias.startswith("__") and target != name:
                private.append(f"{name} imports {alias} from {target}")
    assert private == []


def test_function_level_imports_only_in_cli_and_render():
    lazy = []
    for name, path in MODULES.items():
        if name.startswith(LAZY_ALLOWED):
            continue
        for target, alias, node, at_top in imports(name, path):
            if not at_top:
                lazy.append(f"{name}:{node.lineno} imports {target}{'.' + alias if alias else ''} inside a function")
    assert lazy == []


def emitted_codes() -> set[str]:
    """Every code a module can emit: the constants it imports from lstmshape.codes and any literal."""
    import lstmshape.codes as codes

    found = set()
    for name, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        if name != "lstmshape.codes":
            found |= set(re.findall(r'"(LS\d{3})"', text))
        for target, alias, _, _ in imports(name, path):
            if target == "lstmshape.codes" and alias and isinstance(getattr(codes, alias, None), codes.Code):
                found.add(getattr(codes, alias).id)
        found |= {getattr(codes, attr).id for attr in re.findall(r"\bcodes\.([A-Z_]+)\b", text)}
    return found


def test_codes_are_constants_in_one_module():
    literal = {name: re.findall(r'"(LS\d{3})"', path.read_text(encoding="utf-8"))
               for name, path in MODULES.items() if name != "lstmshape.codes"}
    assert {name: found for name, found in literal.items() if found} == {}


@pytest.mark.parametrize("code", sorted(emitted_codes()))
def test_rules_knows_every_code_a_module_can_print(code):
    result = run("rules", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(code + " ")
    assert code in run("rules").stdout


def test_the_translation_codes_are_among_them():
    assert {"LS001", "LS002", "LS009", "LS101", "LS201", "LS202", "LS203"} <= emitted_codes()
