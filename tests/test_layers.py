"""The package reads from the bottom up: no import cycle at any depth (function-level imports
included), no `_private` name imported from another module, no module loaded by name, and no
function-level import of the package's own modules outside the CLI but those a measured cost pays
for (MEASURED_LAZY). And every code any module can print is known to `lstmshape rules`, and every
module is on the architecture page (docs/architecture.md), which draws these layers."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

from helpers import REPO, run

PACKAGE = REPO / "lstmshape"
LAZY_ALLOWED = ("lstmshape.cli",)  # each command loads the library it runs, when it runs
# The package's own modules imported inside a function elsewhere, each paid for by a cost measured
# with `python -X importtime` on top of what the run has already loaded: (importer, imported) → why.
MEASURED_LAZY = {
    ("lstmshape.render", "lstmshape.render.infer_table"): "rich, 14 ms: infer's table only, never check's output",
    ("lstmshape.render", "lstmshape.render.infer_json"): "the Keras and ONNX result types and json, 4.7 ms: "
                                                         "infer --format json only",
    ("lstmshape.check", "lstmshape.weightcheck"): "numpy and the checkpoint readers, 5.6 ms: check --weights only",
    ("lstmshape.read.formats", "lstmshape.read.formats.ini"): "configparser, 2.5 ms: a .cfg or .ini file only",
    ("lstmshape.read.formats", "lstmshape.read.formats.gin"): "tokenize, 1.5 ms: a .gin file only",
    ("lstmshape.read.formats", "lstmshape.read.formats.jsonnet"): "subprocess and json, 7.4 ms: a .jsonnet file only",
    ("lstmshape.forward.fast", "lstmshape.forward.compiled_cell"): "numba, about 300 ms: a forward that may run "
                                                                   "the compiled cells only (never --verify)",
    ("lstmshape.forward.fast", "lstmshape.forward.packed_gemm"): "numba's kernels, loaded with the compiled cells",
}


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = modules()


@functools.cache
def parsed(path: Path) -> ast.Module:
    """Each module parsed once for every test here (the trees are only read)."""
    return ast.parse(path.read_text(encoding="utf-8"))


def imports(name: str, path: Path):
    """(imported module, imported name or None, node, at top level?) for each import of the package's own modules."""
    tree = parsed(path)
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


def imported(name: str, target: str, alias: str | None) -> str:
    """The module an import statement loads: `from . import terminal` loads lstmshape.render.terminal."""
    sub = f"{target}.{alias}" if alias else None
    return sub if sub in MODULES else target


def graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports, at any depth in the file."""
    edges = {m: set() for m in MODULES}
    for name, path in MODULES.items():
        for target, alias, _, _ in imports(name, path):
            dest = imported(name, target, alias)
            if dest in MODULES and dest != name:
                edges[name].add(dest)
    return edges


def test_function_level_imports_count_as_edges():
    edges = graph()
    assert "lstmshape.render.infer_table" in edges["lstmshape.render"]
    assert "lstmshape.weightcheck" in edges["lstmshape.check"]
    assert "lstmshape.rules.ls101_head_in_features" in edges["lstmshape.rules"]


BY_NAME_PATTERN = re.compile(r"lstmshape(?:\.\w+)+:\w+")  # "lstmshape.shapes.keras:infer_keras_config"


def test_no_module_is_loaded_by_name():
    """A module named in a string (or loaded with importlib) is an import the cycle check cannot see."""
    found = set()
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and BY_NAME_PATTERN.fullmatch(node.value) \
                    or isinstance(node, ast.Attribute) and node.attr == "import_module":
                found.add(name)
    assert found == set()


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


def test_function_level_imports_only_in_the_cli_and_where_measured():
    """Outside the CLI, a module imports the package's own modules at its top, but where a measured
    cost pays (MEASURED_LAZY, each entry still in use)."""
    lazy = set()
    for name, path in MODULES.items():
        if name.startswith(LAZY_ALLOWED):
            continue
        lazy |= {(name, imported(name, target, alias)) for target, alias, _, at_top in imports(name, path) if not at_top}
    assert lazy == set(MEASURED_LAZY)


@functools.cache
def emitted_codes() -> frozenset[str]:
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
    return frozenset(found)


def test_codes_are_constants_in_one_module():
    literal = {name: re.findall(r'"(LS\d{3})"', path.read_text(encoding="utf-8"))
               for name, path in MODULES.items() if name != "lstmshape.codes"}
    assert {name: found for name, found in literal.items() if found} == {}


@pytest.fixture(scope="module")
def rules_listing() -> str:
    """`lstmshape rules`, run once: the same listing every code below is looked for in."""
    result = run("rules")
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("code", sorted(emitted_codes()))
def test_rules_knows_every_code_a_module_can_print(code, rules_listing):
    result = run("rules", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(code + " ")
    assert code in rules_listing


def test_the_translation_codes_are_among_them():
    assert {"LS001", "LS002", "LS009", "LS101", "LS201", "LS202", "LS203"} <= emitted_codes()


def test_the_architecture_page_names_every_module():
    # the rules are one module per rule, named by their codes on the rules pages; the page gives the pattern
    page = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = [path for path in PACKAGE.rglob("*.py") if path.name not in ("__init__.py", "__main__.py")
               and path.parent != PACKAGE / "rules"]
    assert len(modules) > 40
    assert [str(path.relative_to(PACKAGE)) for path in modules if not re.search(rf"\b{path.stem}\b", page)] == []
