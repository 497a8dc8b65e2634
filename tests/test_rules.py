"""Every rule's documentation is tested: the failing example in its docstring must produce its
code, the passing example must be clean. Both in-process and through the real console script."""

from __future__ import annotations

import json
import re

import pytest

from lstmshape.check import check_file
from lstmshape.codes import ALL
from pathlib import Path
from lstmshape.rules import all_rules, examples, rule

from check_helpers import REPO, run

RULES = all_rules()
IDS = [m.ID for m in RULES]


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_registry_is_complete_and_ordered():
    assert IDS == sorted(IDS) and len(set(IDS)) == len(IDS)
    raised = set()
    for source in (Path(REPO) / "lstmshape").rglob("*.py"):
        if "rules" not in source.parts:
            raised |= set(re.findall(r'"(LS\d{3})"', source.read_text()))
    # codes no config file check produces (infer --as: LS201/LS202; --weights and inspect: LS301–LS307)
    # are documented in lstmshape/codes.py instead of a rule module
    documented_apart = {code.id for code in ALL if rule(code) is None}
    # and LS012 (a --from path: a file alone never maps anything)
    assert documented_apart == {"LS012", "LS201", "LS202"} | {f"LS30{n}" for n in range(1, 8)}
    assert raised - documented_apart <= set(IDS), "every code the loader and readers raise has a rule module"
    for m in RULES:
        assert re.fullmatch(r"LS\d{3}", m.ID)
        assert m.SEVERITY in ("error", "warning")
        assert re.fullmatch(r"[a-z0-9-]+", m.NAME)
        assert m.__doc__.strip().splitlines()[0] == m.SUMMARY
        assert m.__name__.rsplit(".", 1)[1].startswith(m.ID.lower() + "_" + m.NAME.replace("-", "_"))
        assert rule(m.ID) is m


@pytest.mark.parametrize("module", RULES, ids=IDS)
def test_failing_example_fails_with_its_code(module, tmp_path):
    path = write(tmp_path, "failing.yaml", examples(module)["failing"])
    problems = check_file(str(path))
    assert [p.code for p in problems] == [module.ID], problems
    assert problems[0].severity == module.SEVERITY


@pytest.mark.parametrize("module", RULES, ids=IDS)
def test_passing_example_is_clean(module, tmp_path):
    path = write(tmp_path, "passing.yaml", examples(module)["passing"])
    assert check_file(str(path)) == []


def test_examples_through_the_console_script(tmp_path):
    """All examples in one call (as pre-commit passes many files): every failing example reports
    exactly its code, at a line and column inside the file, and no passing example reports anything."""
    files = {}
    for m in RULES:
        ex = examples(m)
        files[m.ID] = (write(tmp_path, f"{m.ID}_failing.yaml", ex["failing"]),
                       write(tmp_path, f"{m.ID}_passing.yaml", ex["passing"]))
    result = run("check", "--format", "json", tmp_path)
    assert result.returncode == 1, result.stderr
    problems = json.loads(result.stdout)
    by_file = {}
    for p in problems:
        by_file.setdefault(p["file"], []).append(p)
    for code, (failing, passing) in files.items():
        got = by_file.get(str(failing), [])
        assert [p["code"] for p in got] == [code], (code, got)
        lines = failing.read_text().splitlines()
        assert 1 <= got[0]["line"] <= max(len(lines), 1)
        assert got[0]["path"].startswith("$")
        assert str(passing) not in by_file


def test_rules_command_lists_every_code():
    result = run("rules")
    assert result.returncode == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == [code.id for code in ALL]  # every rule module's code, and infer --as's LS201/LS202
    assert set(IDS) <= set(listed)
    for m in RULES:
        assert f"{m.ID}  {m.SEVERITY}" in result.stdout and m.SUMMARY in result.stdout


@pytest.mark.parametrize("code", ["LS101", "ls111", "head-chain", "LS009", "LS001"])
def test_rules_command_shows_full_doc(code):
    result = run("rules", code)
    assert result.returncode == 0
    assert "Failing example::" in result.stdout and "Passing example::" in result.stdout


def test_rules_command_unknown_code_is_a_usage_error():
    result = run("rules", "LS999")
    assert result.returncode == 2 and "unknown rule" in result.stderr


def test_readme_documents_every_rule_with_its_examples():
    readme = (REPO / "README.md").read_text()
    for m in RULES:
        assert f"`{m.ID}`" in readme, m.ID
        for text in examples(m).values():
            assert text.strip() in readme, (m.ID, text)
    from lstmshape.rules import markdown

    assert markdown() in readme, "README rules section is stale: regenerate it with lstmshape.rules.markdown()"


def test_readme_config_format_example_is_clean(tmp_path):
    readme = (REPO / "README.md").read_text()
    start = readme.index("### The config format around the LSTM")
    body = readme.index("```yaml\n", start) + len("```yaml\n")
    path = tmp_path / "format.yaml"
    path.write_text(readme[body:readme.index("```\n", body)])
    assert check_file(str(path)) == []


@pytest.mark.parametrize("code", [c for c in ALL if rule(c) is None and "Example: " in c.doc], ids=str)
def test_codes_without_a_rule_module_show_what_the_tool_prints(code):
    """LS201/LS202 come from `infer --as`, not from a file check: their documented example is
    the command's real output, line for line."""
    command, text = code.doc.split("Example: ", 1)[1].split("::\n\n", 1)
    args = command.strip("`").split()[1:]
    result = run(*args, cwd=REPO)
    assert text.strip() in result.stderr.splitlines(), result.stderr
    shown = run("rules", code)
    assert shown.returncode == 0 and text.strip() in shown.stdout
