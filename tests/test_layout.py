"""Tests of the tests' own layout: they mirror the package, module by module.

lstmshape/<package>/<module>.py is tested in tests/<package>/test_<module>.py (a package's
__init__.py in test___init__.py): every module has its file, and every test file mirrors a
module, tests a rule module, or says in NOT_A_MODULE what it tests instead. Rule modules
(lstmshape/rules/lsNNN_*.py) are tested by their docstring examples (rules/test___init__.py) and
need no file of their own.
"""

from __future__ import annotations

import re

from helpers import REPO

PACKAGE = REPO / "lstmshape"
TESTS = REPO / "tests"
RULE_MODULE = re.compile(r"rules/ls\d{3}_\w+\.py")

# Test files whose subject is no module of lstmshape/, each with what it tests instead.
NOT_A_MODULE = {
    "test_action.py": "action.yml, the GitHub Action, run step by step",
    "benchmarks/test_bench_forward.py": "benchmarks/bench_forward.py --quick, run end to end",
    "test_check_precommit.py": ".pre-commit-hooks.yaml, run by pre-commit itself",
    "test_docs_examples.py": "the commands and output the docs show",
    "test_layers.py": "the package's import graph (no cycle, no private import)",
    "test_layout.py": "this file: the tests' own layout",
    "test_framework_comparisons.py": "the whole package: no framework comparison outside lstmshape/frameworks/",
    "test_rnn.py": "the GRU/RNN forward pass against torch: moves into tests/forward/ with the forward helper's work",
}


def mirrored(module: str) -> str:
    """`read/formats/gin.py` → `read/formats/test_gin.py`; `check.py` → `test_check.py`."""
    directory, _, name = module.rpartition("/")
    return f"{directory}/test_{name}" if directory else f"test_{name}"


def modules() -> list[str]:
    found = [path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")]
    return sorted(m for m in found if not RULE_MODULE.fullmatch(m))


def test_mirrored_names():
    assert mirrored("check.py") == "test_check.py"
    assert mirrored("cli/app.py") == "cli/test_app.py"
    assert mirrored("read/formats/__init__.py") == "read/formats/test___init__.py"


def test_every_module_has_its_test_file():
    missing = [f"lstmshape/{m} → tests/{mirrored(m)}" for m in modules()
               if not (TESTS / mirrored(m)).is_file()]
    assert missing == []


def test_every_test_file_mirrors_a_module_or_says_what_it_tests():
    expected = {mirrored(m) for m in modules()} | set(NOT_A_MODULE)
    rule_tests = {mirrored(p.relative_to(PACKAGE).as_posix()) for p in PACKAGE.glob("rules/ls*.py")}
    stray = sorted(p.relative_to(TESTS).as_posix() for p in TESTS.rglob("test_*.py")
                   if "golden" not in p.parts and p.relative_to(TESTS).as_posix() not in expected | rule_tests)
    assert stray == [], "move each test to the file of the module it exercises"
