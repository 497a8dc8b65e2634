"""The docs cannot drift from the tool: every `$ lstmshape ...` (and `$ cat ...`) line of the text
and console blocks of README.md and docs/**/*.md is run, in a copy of the shipped configs,
examples and golden weights, and each output line a page shows must be a line the command prints.
A line starting with "…" marks output the page leaves out; a block's lines after it are still
compared. The generated pages (one per rule, the CLI reference) are held against the code they are
generated from, and no install recipe points at a release that does not exist."""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import REPO, run

BLOCK = re.compile(r"```(?:text|console)\n(\$ .*?)```", re.S)
SHIPPED = ("configs", "examples", "tests/golden/weights", "docs")
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def page_name(page: Path) -> str:
    return str(page.relative_to(REPO))


def examples() -> list[tuple[str, str, list[str]]]:
    """(page, command, the output lines shown) for every command in the pages' text/console blocks."""
    out = []
    for page in PAGES:
        for block in BLOCK.findall(page.read_text()):
            for chunk in re.split(r"^(?=\$ )", block, flags=re.M):
                if chunk.strip():
                    command, *shown = chunk.rstrip("\n").split("\n")
                    out.append((page_name(page), command[2:], shown))
    return out


EXAMPLES = examples()


def commands_of(page: str | None = None) -> set[str]:
    return {shlex.split(command)[1] for name, command, _ in EXAMPLES
            if command.startswith("lstmshape") and page in (None, name)}


def test_readme_tours_infer_and_check():
    assert {"infer", "check"} <= commands_of("README.md")


def test_docs_have_examples_of_every_command():
    assert {"infer", "check", "inspect"} <= commands_of()
    assert {page for page, _, _ in EXAMPLES} >= {"README.md", "docs/getting-started.md", "docs/checking-configs.md"}


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("docs")
    for part in SHIPPED:
        shutil.copytree(REPO / part, root / part)
    return root


@pytest.mark.parametrize("page, command, shown", EXAMPLES, ids=[f"{p}: {c}" for p, c, _ in EXAMPLES])
def test_docs_example_prints_what_the_page_shows(page, command, shown, tree):
    words = shlex.split(command)
    if words[0] == "lstmshape":  # the console script's function, in process (helpers.run): what it prints is the point
        result = run(*words[1:], cwd=tree, env={"KERAS_BACKEND": "torch"})
    else:
        result = subprocess.run([shutil.which(words[0]), *words[1:]], capture_output=True, text=True, cwd=tree,
                                timeout=120, env={"PATH": "/usr/bin:/bin"})
    streams = [[line.rstrip() for line in text.splitlines()] for text in (result.stdout, result.stderr)]
    printed = "\n".join(streams[0] + streams[1])
    assert result.returncode == exit_shown(shown), printed
    assert unmatched(shown, streams) == [], printed


def exit_shown(shown: list[str]) -> int:
    """The exit code a page's example must have: 1 where the output it shows holds an error (a text
    `error[LSxxx]`, a JSON `"severity": "error"` (GitLab's `"major"`, SARIF's `"level": "error"`), a
    summary counting errors), else 0."""
    error = re.compile(r'\berror\[LS\d{3}\]|"(?:severity|level)": "(?:error|major)"|\b[1-9][\d,]* errors? in ')
    return 1 if any(error.search(line) for line in shown) else 0


def unmatched(shown: list[str], streams: list[list[str]]) -> list[str]:
    """The shown lines (past "…" marks) not printed in the page's order: each must come after the
    line before it of the same stream (a terminal interleaves stdout and stderr)."""
    at, out = [0] * len(streams), []
    for line in (line.rstrip() for line in shown if not line.startswith("…")):
        found = [(k, lines.index(line, at[k])) for k, lines in enumerate(streams) if line in lines[at[k]:]]
        if not found:
            out.append(line)
            continue
        k, index = found[0]
        at[k] = index + 1
    return out


# --- the generated pages ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", REPO / "docs" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_code_has_a_page_with_its_documentation_and_examples(hooks):
    from lstmshape.codes import ALL
    from lstmshape.rules import all_examples

    pages = hooks.rule_pages()
    assert set(pages) == {"rules/index.md"} | {f"rules/{code}.md" for code in ALL}
    for code in ALL:
        page = pages[f"rules/{code}.md"]
        assert page.startswith(f"# {code} {code.name}\n") and code.summary in page and code.severity in page
        assert f"[`{code}`]({code}.md)" in pages["rules/index.md"]
        for kind, label, text in all_examples(code):
            title = ("Fails" if kind == "failing" else "Passes") + (f" ({label})" if label else "")
            assert f"**{title}:**\n\n```yaml\n{text}```" in page, (code, kind, label)
        if "Example: " in code.doc:
            output = code.doc.split("::\n\n", 1)[1].strip().splitlines()[0].strip()
            assert f"```text\n{output}\n" in page, code


def test_cli_reference_has_every_command_and_option(hooks):
    """Walked with the command tree's own API: typer carries a click of its own (no `click` package)."""
    import typer.main

    from lstmshape.cli.app import app

    page = hooks.cli_reference()
    root = typer.main.get_command(app)
    ctx = root.context_class(root, info_name="lstmshape")
    for name in root.list_commands(ctx):
        command = root.get_command(ctx, name)
        assert f"## `lstmshape {name}`" in page
        for param in command.params:
            if param.param_type_name == "option" and not param.hidden:
                assert all(f"{opt}" in page for opt in param.opts), (name, param.opts)


def test_api_page_documents_every_name_lstmshape_exports_once(hooks):
    import lstmshape

    blocks = hooks.api_reference().split("\n\n")
    objects = [getattr(lstmshape, block.removeprefix("::: lstmshape.")) for block in blocks]
    assert len(set(map(id, objects))) == len(objects)
    assert {id(getattr(lstmshape, name)) for name in lstmshape.__all__} == set(map(id, objects))


def test_config_format_example_is_clean(tmp_path):
    """The annotated config of "The config format around the LSTM" is a valid, clean config."""
    from lstmshape.check import check_file

    text = (REPO / "docs" / "model-around.md").read_text()
    start = text.index("## The config format around the LSTM")
    body = text.index("```yaml\n", start) + len("```yaml\n")
    path = tmp_path / "format.yaml"
    path.write_text(text[body:text.index("```\n", body)])
    assert check_file(str(path)) == []


# --- install recipes --------------------------------------------------------------------------

CODE = re.compile(r"^```[^\n`]*\n(.*?)^```", re.S | re.M)
# what does not exist before a first release: the PyPI package, the upstream repository, its tag
UNPUBLISHED = re.compile(r"^\s*(?:- run: )?pip install lstmshape\b|github\.com/lstmshape/lstmshape|rev: v\d", re.M)


@pytest.mark.parametrize("page", [*PAGES, REPO / "CONTRIBUTING.md", REPO / ".pre-commit-hooks.yaml"], ids=page_name)
def test_no_recipe_installs_what_is_not_published(page):
    text = page.read_text()
    blocks = [text] if page.suffix == ".yaml" else CODE.findall(text)
    assert [m.group(0) for block in blocks for m in UNPUBLISHED.finditer(block)] == []
