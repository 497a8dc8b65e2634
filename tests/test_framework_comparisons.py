"""Framework knowledge has one home, lstmshape/frameworks/ (docs/architecture.md, "One home per
idea"): no other module of the package tells frameworks apart by comparing a framework's name
("torch", "keras", "onnx") or object (TORCH, KERAS, ONNX). It asks `of(config.framework)` for an
attribute instead. An AST scan of every module outside the frameworks package: a name as an operand
of a comparison (==, !=, in, not in, is, also inside a tuple, list or set compared against), a
name as a dict literal's key, a name as a match pattern, and a framework object in an identity or
equality test or as a dict key."""

from __future__ import annotations

import ast

from helpers import REPO

PACKAGE = REPO / "lstmshape"
NAMES = {"torch", "keras", "onnx"}
OBJECTS = {"TORCH", "KERAS", "ONNX"}

# No exceptions: the formats a weights file is read as have their own constants
# (checkpoint.TORCH_FILE, ONNX_FILE, KERAS_FILE, ...), the default framework is frameworks.DEFAULT,
# and the picture draws a block by its Framework's `unit`.


def name_operands(node: ast.AST):
    """The framework names `node` is or holds (a tuple, list or set of them compared against)."""
    if isinstance(node, ast.Constant) and node.value in NAMES:
        yield node.value
    elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        for element in node.elts:
            yield from name_operands(element)


def object_operand(node: ast.AST) -> str | None:
    """TORCH, KERAS or ONNX, by its plain name or as an attribute (frameworks.TORCH)."""
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
    return name if name in OBJECTS else None


def comparisons(source: str) -> list[tuple[int, str]]:
    """(line, the name or object compared) for every framework comparison in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            identity = any(isinstance(op, (ast.Is, ast.IsNot, ast.Eq, ast.NotEq, ast.In, ast.NotIn))
                           for op in node.ops)
            for operand in (node.left, *node.comparators):
                found += [(node.lineno, name) for name in name_operands(operand)]
                if identity and object_operand(operand):
                    found.append((node.lineno, object_operand(operand)))
        elif isinstance(node, ast.Dict):
            for key in node.keys:
                if key is not None:
                    found += [(key.lineno, name) for name in name_operands(key)]
                    if object_operand(key):
                        found.append((key.lineno, object_operand(key)))
        elif isinstance(node, ast.MatchValue):
            found += [(node.lineno, name) for name in name_operands(node.value)]
    return found


def outside_frameworks() -> dict[str, list[tuple[int, str]]]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        if relative.startswith("lstmshape/frameworks/"):
            continue
        out[relative] = comparisons(path.read_text(encoding="utf-8"))
    return out


def test_no_module_outside_the_frameworks_package_compares_a_framework():
    counted: dict[tuple[str, str], list[int]] = {}
    for module, found in outside_frameworks().items():
        for line, what in found:
            counted.setdefault((module, what), []).append(line)
    assert not counted, ("framework comparisons outside lstmshape/frameworks/ (ask of(framework) for an "
                         f"attribute): {counted}")


def test_the_scan_finds_every_kind_of_comparison():
    source = '''
if framework == "torch": pass
if "keras" != name: pass
if source in ("onnx", "keras"): pass
if fw is TORCH: pass
if fw is not frameworks.KERAS: pass
words = {"onnx": 1}
objects = {ONNX: 2}
match name:
    case "torch": pass
'''
    assert sorted(comparisons(source)) == [(2, "torch"), (3, "keras"), (4, "keras"), (4, "onnx"), (5, "TORCH"),
                                           (6, "KERAS"), (7, "onnx"), (8, "ONNX"), (10, "torch")]


def test_the_scan_leaves_what_compares_no_framework():
    source = '''
TORCH_FILE = "torch"
label = f"{name} config"
message = "torch.nn.LSTM"
if kind == TORCH_FILE: pass
if fw is DEFAULT: pass
print("keras")
if fw.reads_around: pass
'''
    assert comparisons(source) == []
