"""A bug in lstmshape is an internal error (exit 3), never a verdict about the user's file: the
rules and the checkpoint reader tell "the config or file says so" apart from "lstmshape's own code
went wrong", and the registry of rules refuses declarations that would silently skip a rule.

Every code's documentation is tested: the failing example in its rule module's docstring, or
in lstmshape/codes.py for a code the reader finds, must produce its code, the passing example must
be clean. Both through the library and through the CLI's entry point.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from helpers import REPO, cli, run, write
from lstmshape import rules
from lstmshape.check import check_file
from lstmshape.codes import ALL, lookup
from lstmshape.read import parse_text
from lstmshape.rules import RULES, all_examples, declaration_errors, documentation, rule, run_rules


def fake_rule(name: str, **attributes) -> ModuleType:
    module = ModuleType(f"lstmshape.rules.{name}")
    module.__dict__.update(attributes)
    return module


def check(context):
    return iter(())


IDS = list(RULES)


# The rule codes a commit gets through with (exit 0 unless --strict): settings that run but are likely
# mistakes. Written here, apart from lstmshape/codes.py, because a severity is a promise about what
# the gate lets through: changing one there must fail this test until it is changed here too.
WARNINGS = frozenset({"LS009", "LS010", "LS016", "LS104", "LS105", "LS108", "LS109", "LS114", "LS115", "LS116",
                      "LS122", "LS123", "LS128", "LS135", "LS137", "LS203"})


def gate(path, strict: bool) -> tuple[int, str]:
    """`lstmshape check [--strict] PATH` in process: its exit code and the label of its one problem."""
    from io import StringIO

    from lstmshape.cli.commands import check

    out = StringIO()
    code = check([str(path)], "text", strict=strict, stdout=out, stderr=StringIO())
    return code, re.search(r": ((?:error|warning)\[LS\d{3}\]) ", out.getvalue()).group(1)


EXAMPLES = [(code, kind, label, text) for code in ALL for kind, label, text in all_examples(code)]


EXAMPLE_IDS = [f"{code}-{kind}-{label or 'torch'}" for code, kind, label, _ in EXAMPLES]


# what is documented without a config file example: a command's output (LS012: a --from path;
# infer --as; --weights and inspect), LS016's examples, which need a mapping
# (tests/test_mapping_warnings.py runs them), LS204, which no config of today's format produces, and
# LS017/LS018, a jsonnet or gin file's (their documented commands run in test_documented_command_output)
WITHOUT_EXAMPLES = {"LS012", "LS016", "LS017", "LS018", "LS201", "LS202", "LS204"} | {f"LS30{n}" for n in range(1, 8)}


def test_every_rule_module_is_registered_and_declared_as_it_runs():
    """A rule module left out of RULES would never run: every file is imported and listed, under its
    own code, and each declares a check it runs."""
    files = {p.stem for p in __import__("pathlib").Path(rules.__file__).parent.glob("ls[0-9][0-9][0-9]_*.py")}
    assert files == {module.__name__.rsplit(".", 1)[1] for module in rules.RULES.values()}
    assert all(code == module.ID and module.__name__.rsplit(".", 1)[1][:5] == code.lower()
               for code, module in rules.RULES.items())
    assert [error for module in rules.RULES.values() for error in declaration_errors(module)] == []


@pytest.mark.parametrize("attributes, error", [
    ({"STAGE": "modle", "check": check, "check_keras": check, "check_onnx": check}, "STAGE 'modle'"),
    ({"check": None}, "no check function (check, check_keras, check_onnx): it never runs"),
    ({}, "no check function"),
    ({"check": check, "check_kears": lambda context: iter(())}, "check_kears is not one of check, check_keras"),
])
def test_the_declaration_check_catches_a_rule_that_would_never_run(attributes, error):
    (found,) = declaration_errors(fake_rule("ls999_fake", **attributes))
    assert error in found


def test_a_helper_bound_to_a_check_name_is_no_declaration_error():
    """`check_keras = check_onnx = check_framework` (one function for both) runs: not an error."""
    assert declaration_errors(fake_rule("ls999_fake", check_framework=check, check_keras=check)) == []


def test_a_mistyped_stage_is_raised_when_rules_run(monkeypatch):
    config, _ = parse_text("lstm: {input_size: 10, hidden_size: 20}\n")
    monkeypatch.setattr(rules.rule("LS100"), "STAGE", "modle", raising=False)
    with pytest.raises(ValueError, match="modle"):
        run_rules(config)


@pytest.mark.parametrize("code", sorted(ALL))
def test_rules_page_tells_no_history(code):
    status, out = cli("rules", code)
    assert status == 0 and out
    assert not any(phrase in out.lower() for phrase in ("issue #", "since issue", "before 0.", "used to ")), out


def test_registry_is_complete_and_ordered():
    assert IDS == sorted(IDS) and len(set(IDS)) == len(IDS)
    raised = set()
    for source in (Path(REPO) / "lstmshape").rglob("*.py"):
        if "rules" not in source.parts:
            raised |= set(re.findall(r'"(LS\d{3})"', source.read_text()))
    # the codes no rule module reports are documented in lstmshape/codes.py: those the reader finds
    # while reading a file, infer --as's (LS201/LS202), --weights' and inspect's (LS301–LS307), LS012
    # (a --from path), LS204 (the guard for sections not checked for a framework), LS017 and LS018
    # (a jsonnet or gin file's: found while loading it)
    documented_apart = {code.id for code in ALL if rule(code) is None}
    reader = {"LS001", "LS002", "LS003", "LS004", "LS005", "LS006", "LS007", "LS008", "LS011", "LS013", "LS014",
              "LS015", "LS016", "LS017", "LS018", "LS203", "LS205"}
    assert documented_apart == reader | {"LS012", "LS201", "LS202", "LS204"} | {f"LS30{n}" for n in range(1, 8)}
    assert raised <= set(IDS) | documented_apart
    for code in ALL:
        assert documentation(code).splitlines()[0] == code.summary, code
    for m in RULES.values():
        assert re.fullmatch(r"LS\d{3}", m.ID)
        assert m.SEVERITY in ("error", "warning")
        assert re.fullmatch(r"[a-z0-9-]+", m.NAME)
        assert m.__doc__.strip().splitlines()[0] == m.SUMMARY
        assert m.__name__.rsplit(".", 1)[1].startswith(m.ID.lower() + "_" + m.NAME.replace("-", "_"))
        assert rule(m.ID) is m


def test_every_code_but_a_few_has_config_examples():
    assert {code for code in ALL if not all_examples(code)} == WITHOUT_EXAMPLES


@pytest.mark.parametrize("code", [code for code in ALL if code not in WITHOUT_EXAMPLES], ids=str)
def test_every_code_has_a_failing_and_a_passing_example(code):
    kinds = [(kind, label) for kind, label, _ in all_examples(code)]
    for label in {label for _, label in kinds}:
        assert ("failing", label) in kinds and ("passing", label) in kinds, (code, label)


@pytest.mark.parametrize(("code", "kind", "label", "text"), EXAMPLES, ids=EXAMPLE_IDS)
def test_examples_fail_with_their_code_or_are_clean(code, kind, label, text, tmp_path):
    """Every example (torch's, and the Keras and ONNX ones of the rules that check those): a
    failing one reports exactly its code, a passing one nothing."""
    path = write(tmp_path, f"{kind}.yaml", text)
    problems = check_file(str(path))
    if kind == "passing":
        assert problems == []
        return
    assert [p.code for p in problems] == [code], problems
    severity = "warning" if code in WARNINGS else "error"
    assert (problems[0].severity, gate(path, strict=False), gate(path, strict=True)) == (
        severity, (0 if severity == "warning" else 1, f"{severity}[{code}]"), (1, f"{severity}[{code}]"))
    if label:
        assert f"framework: {label.lower()}" in text


@pytest.mark.parametrize("code", ["LS101", "LS102", "LS106", "LS107", "LS110", "LS118", "LS124", "LS125"])
def test_rules_checking_keras_and_onnx_show_examples_of_both(code):
    labels = {label for _, label, _ in all_examples(lookup(code))}
    assert {"Keras", "ONNX"} & labels, code
    shown = run("rules", code)
    assert shown.returncode == 0
    for _, label, text in all_examples(lookup(code)):
        assert textwrap.indent(text, "    ") in shown.stdout, (code, label)


def test_unchecked_section_guard(tmp_path, monkeypatch):
    """LS204 refuses a section listed as unchecked for a framework, at the section, instead of
    passing it silently: today the torch-only model around the LSTM (a decoder, the DataLoader keys)
    in keras and onnx configs; head, expect and data.lengths are checked for every framework."""
    from dataclasses import replace

    from lstmshape.frameworks import FRAMEWORKS

    torch_only = ("decoder", "data.enforce_sorted", "data.dataset_size", "data.drop_last")
    assert {name: f.unchecked for name, f in FRAMEWORKS.items()} == {"torch": (), "keras": torch_only,
                                                                     "onnx": torch_only}
    monkeypatch.setitem(FRAMEWORKS, "keras", replace(FRAMEWORKS["keras"], unchecked=("head",)))
    monkeypatch.setitem(FRAMEWORKS, "onnx", replace(FRAMEWORKS["onnx"], unchecked=("data.lengths",)))
    keras = write(tmp_path, "k.yaml", "framework: keras\nlstm: {input_dim: 3, units: 4}\nhead:\n  - dense: {units: 2}\n")
    onnx = write(tmp_path, "o.yaml", "framework: onnx\nlstm: {input_size: 3, hidden_size: 4, sequence_lens: true}\n"
                 "data: {batch_size: 2, seq_len: 3, lengths: [3, 1]}\n")
    got = check_file(str(keras))
    assert [(p.code, p.line, p.column) for p in got] == [("LS204", 3, 1)]
    assert "'head' is not checked for keras configs yet" in got[0].message
    got = check_file(str(onnx))
    assert [(p.code, p.line) for p in got] == [("LS204", 3)] and "'data.lengths'" in got[0].message


def test_examples_through_the_console_script(tmp_path):
    """All examples in one call (as pre-commit passes many files): every failing example reports
    exactly its code, at a line and column inside the file, and no passing example reports anything."""
    files = {}
    for code, kind, label, text in EXAMPLES:
        name = f"{code}_{label or 'torch'}"
        if kind == "failing":
            files[name] = (write(tmp_path, f"{name}_failing.yaml", text), None)
        else:
            files[name] = (files[name][0], write(tmp_path, f"{name}_passing.yaml", text))
    result = run("check", "--format", "json", tmp_path)
    assert result.returncode == 1, result.stderr
    problems = json.loads(result.stdout)["problems"]
    by_file = {}
    for p in problems:
        by_file.setdefault(p["file"], []).append(p)
    for name, (failing, passing) in files.items():
        got = by_file.get(str(failing), [])
        code = name.split("_")[0]
        assert [p["code"] for p in got] == [code], (name, got)
        lines = failing.read_text().splitlines()
        assert 1 <= got[0]["line"] <= max(len(lines), 1)
        assert got[0]["path"].startswith("$")
        assert str(passing) not in by_file
