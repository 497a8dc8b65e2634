"""README's examples cannot drift: every `$ lstmshape ...` (and `$ cat ...`) line of its text and
console blocks is run, in a copy of the shipped configs, examples and golden weights, and each
output line the README shows must be a line the command prints. A line starting with "…" marks
output the README leaves out; a block's lines after it are still compared."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from check_helpers import REPO, console_script

BLOCK = re.compile(r"```(?:text|console)\n(\$ .*?)```", re.S)
SHIPPED = ("configs", "examples", "tests/golden/weights", "docs")


def examples() -> list[tuple[str, list[str]]]:
    """(command, the output lines shown) for every command in README's text/console blocks."""
    out = []
    for block in BLOCK.findall((REPO / "README.md").read_text()):
        for chunk in re.split(r"^(?=\$ )", block, flags=re.M):
            if chunk.strip():
                command, *shown = chunk.rstrip("\n").split("\n")
                out.append((command[2:], shown))
    return out


EXAMPLES = examples()


def test_readme_has_examples_of_every_command():
    commands = {shlex.split(command)[1] for command, _ in EXAMPLES if command.startswith("lstmshape")}
    assert {"infer", "check", "inspect"} <= commands


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("readme")
    for part in SHIPPED:
        shutil.copytree(REPO / part, root / part)
    return root


@pytest.mark.parametrize("command, shown", EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_readme_example_prints_what_readme_shows(command, shown, tree):
    words = shlex.split(command)
    program = console_script() if words[0] == "lstmshape" else shutil.which(words[0])
    result = subprocess.run([program, *words[1:]], capture_output=True, text=True, cwd=tree, timeout=120,
                            env={"PATH": str(Path(console_script()).parent) + ":/usr/bin:/bin", "KERAS_BACKEND": "torch"})
    printed = [line.rstrip() for line in (result.stdout + result.stderr).splitlines()]
    assert result.returncode in (0, 1), result.stderr
    missing = [line for line in shown if not line.startswith("…") and line.rstrip() not in printed]
    assert missing == [], "\n".join(printed)
