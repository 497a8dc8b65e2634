"""Hostile configs for `infer`, `draw` and `infer --verify` (issue 24, items 6, 9 and 10): a few bytes
of config never cost more than a reader can read, a wrong-typed value is an error naming the file
(never exit 3), and no string from a file reaches the terminal as rich markup or control characters.

End-to-end cases run the real console script in a child process (tests/helpers.run_bounded:
time, peak memory and a secret in the environment); the rest run in-process."""

from __future__ import annotations

import io
import json
import re

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import on_terminal, run_bounded, write
from lstmshape.check import check_text, load_text
from lstmshape.frameworks import infer
from lstmshape.frameworks.keras import KERAS_KEYS
from lstmshape.frameworks.onnx import ONNX_KEYS
from lstmshape.render.infer_json import JsonReporter
from lstmshape.render.infer_table import TableReporter
from lstmshape.shapes import Repeat
from lstmshape.shapes.core import DEEPEST_RUN, LEADING_LAYERS, Layers

DEEP = 100_000_000
SIZES = {
    "torch": {"input_size": 10, "hidden_size": 20},
    "keras": {"input_dim": 10, "units": 20},
    "onnx": {"input_size": 10, "hidden_size": 20},
}


def config_text(framework: str, lstm, more: dict | None = None) -> str:
    """A config of `framework` with `lstm` as its section, a data section, and `more` (top-level keys) on top."""
    doc = ({} if framework == "torch" else {"framework": framework}) | {"lstm": lstm, "data": {"batch_size": 4, "seq_len": 5}}
    return yaml.safe_dump(doc | (more or {}))


def parsed(framework: str, **lstm):
    config, problems = load_text(config_text(framework, SIZES[framework] | lstm), "c.yaml")
    assert config is not None, problems
    return config


# --- item 6: num_layers is one number, not a loop -------------------------------------------------

@pytest.mark.parametrize("framework", SIZES)
@pytest.mark.parametrize("options", [(), ("--format", "json"), ("--explain",), ("--format", "json", "--explain"),
                                     ("--matrix",), ("--layers", f"1,{DEEP}")])
def test_a_hundred_million_layers_are_summarised(tmp_path, framework, options):
    path = write(tmp_path, "deep.yaml", config_text(framework, SIZES[framework] | {"num_layers": DEEP}))
    ran = run_bounded("infer", path, *options, cwd=tmp_path)
    ran.assert_harmless(path)
    assert ran.returncode == 0, ran.stderr
    assert len(ran.stdout) < 100_000
    if "json" in options:
        results = json.loads(ran.stdout)["results"]
        assert all(("repeated_layers" in r or "repeated_nodes" in r) for r in results), results[0].keys()
    elif "--matrix" in options:
        assert f"num_layers 4 to {DEEP - 1:,} not shown" in ran.stdout
    elif "--layers" in options:
        assert str(DEEP) in ran.stdout
    else:
        assert "99,999,996 identical" in ran.stdout


@pytest.mark.parametrize("framework", SIZES)
def test_draw_and_verify_refuse_an_absurd_depth_naming_file_and_size(tmp_path, framework):
    path = write(tmp_path, "deep.yaml", config_text(framework, SIZES[framework] | {"num_layers": DEEP}))
    drawn = run_bounded("draw", path, "-o", tmp_path / "deep.svg", cwd=tmp_path)
    drawn.assert_harmless(path)
    assert drawn.returncode == 2 and "100,000,000" in drawn.stderr and f"{DEEPEST_RUN:,}" in drawn.stderr
    assert not (tmp_path / "deep.svg").exists()
    if framework == "torch":  # --verify runs torch's forward pass only
        verified = run_bounded("infer", path, "--verify", cwd=tmp_path)
        verified.assert_harmless(path)
        assert verified.returncode == 1 and "100,000,000" in verified.stderr


def test_a_matrix_over_10_to_the_21_layers_is_four_rows_per_axis(tmp_path):
    for framework in SIZES:
        path = write(tmp_path, f"{framework}.yaml", config_text(framework, SIZES[framework] | {"num_layers": 10**21}))
        for options in (("--matrix",), ("--matrix", "--format", "json")):
            ran = run_bounded("infer", path, *options, cwd=tmp_path)
            ran.assert_harmless(path)
            assert ran.returncode == 0, ran.stderr


def test_a_stack_of_a_thousand_blocks_lists_a_few(tmp_path):
    blocks = [SIZES["torch"]] + [{"hidden_size": 20}] * 999
    path = write(tmp_path, "blocks.yaml", config_text("torch", blocks))
    for options in ((), ("--matrix",), ("--verify",)):
        ran = run_bounded("infer", path, *options, cwd=tmp_path)
        ran.assert_harmless(path)
        assert "⋮ blocks 3–998 not shown" in ran.stdout


@pytest.mark.parametrize("framework", SIZES)
@pytest.mark.parametrize("layers", [1, 2, 8, 9, 13])
def test_counted_parameters_equal_the_enumerated_ones(framework, layers):
    """num_params is arithmetic; the listed parameters plus the repeated layers are every parameter."""
    for result in infer(parsed(framework, num_layers=layers, **({"bidirectional": True} if framework != "onnx" else {}))):
        every = sum(t.numel.coefficient for t in result.params)
        assert result.num_params == every
        listed = result.listed_nodes if framework == "onnx" else result.listed_params
        repeats = [item for item in listed if isinstance(item, Repeat)]
        assert len(repeats) == (layers > 8)
        if repeats:
            assert (repeats[0].first, repeats[0].last) == (LEADING_LAYERS, layers - 2)


def test_a_deep_stack_builds_the_layers_looked_at_only():
    built = []
    layers = Layers(10**21, lambda k: built.append(k) or k)
    assert (layers[0], layers[-1], layers[:2]) == (0, 10**21 - 1, (0, 1))
    assert built == [0, 10**21 - 1, 1]


@pytest.mark.parametrize("framework", SIZES)
def test_json_lists_eight_layers_whole_and_summarises_nine(framework):
    """Up to 8 layers the JSON is what it always was (every parameter or node, no new key); from 9 on,
    the layers between the third and the last are one `repeated_layers` (`repeated_nodes`) entry."""
    for layers in (8, 9):
        out = io.StringIO()
        config = parsed(framework, num_layers=layers)
        JsonReporter(out).report(config, infer(config))
        (result,) = json.loads(out.getvalue())["results"]
        repeated = result.get("repeated_nodes" if framework == "onnx" else "repeated_layers")
        listed = len(result["nodes"]) if framework == "onnx" else len({re.sub(r"\D", "", n) for n in result["params"]})
        assert (listed, repeated and repeated["count"]) == ((8, None) if layers == 8 else (4, 5))


# --- item 9: a wrong type is an error naming the file, never exit 3 -------------------------------

WRONG = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.just(10**5), st.just(10**21),
                  st.floats(allow_nan=False),
                  st.text(max_size=8), st.just("abc"), st.just("[/x]"),
                  st.lists(st.one_of(st.integers(0, 3), st.text(max_size=3)), max_size=3),
                  st.dictionaries(st.text(max_size=3), st.integers(0, 3), max_size=2))
KEYS = [("keras", k.name) for k in KERAS_KEYS] + [("onnx", k.name) for k in ONNX_KEYS]


def outcome(text: str) -> str:
    """What `check` and `infer` (table and JSON, --explain, --matrix) make of a config, in-process and
    through the same library calls as the console script: "error" (problems naming the file) or "ok".
    Any exception is the bug the tests look for (the console script would exit 3)."""
    assert all(p.file == "c.yaml" for p in check_text(text, "c.yaml"))
    config, problems = load_text(text, "c.yaml")
    if config is None:
        assert problems and all(p.file == "c.yaml" for p in problems)
        return "error"
    for matrix in (False, True):
        results = infer(config, matrix)
        JsonReporter(io.StringIO(), explain=True).report(config, results, None, problems)
        TableReporter(io.StringIO(), explain=True).report(config, results, None, problems)
    return "ok"


@settings(max_examples=60, deadline=5000)  # the promise: 5 s per file, here for all of check and infer
@given(key=st.sampled_from(KEYS), value=WRONG, stacked=st.booleans())
@example(key=("onnx", "num_layers"), value=10**5, stacked=False)
@example(key=("keras", "num_layers"), value=10**5, stacked=True)
def test_any_value_for_any_keras_or_onnx_key_is_a_problem_or_fine(key, value, stacked):
    framework, name = key
    body = SIZES[framework] | {name: value}
    outcome(config_text(framework, [SIZES[framework], body] if stacked else body))


@settings(max_examples=40, deadline=None)
@given(value=WRONG, where=st.sampled_from(["framework", "head", "expect", "data"]),
       framework=st.sampled_from(list(SIZES)))
def test_any_value_for_framework_head_expect_or_data_is_a_problem_or_fine(value, where, framework):
    outcome(config_text(framework, SIZES[framework], {where: value}))


@pytest.mark.parametrize("framework, lstm, code", [
    ("keras", None, "LS007"),  # framework: [keras] below
    ("onnx", {"layout": "abc"}, "LS00"),
    ("onnx", {"layout": [1]}, "LS007"),
    ("onnx", {"hidden_size": [20, 20]}, "LS007"),
    ("onnx", {"cell": "gru", "linear_before_reset": "x"}, "LS00"),
])
def test_malformed_framework_settings_name_the_file(tmp_path, framework, lstm, code):
    if lstm is None:
        text = yaml.safe_dump({"framework": ["keras"], "lstm": SIZES["keras"]})
    else:
        text = config_text(framework, SIZES[framework] | lstm)
    path = write(tmp_path, "bad.yaml", text)
    for command in ("check", "infer", "draw"):
        ran = run_bounded(command, path, *(["-o", tmp_path / "bad.svg"] if command == "draw" else []), cwd=tmp_path)
        ran.assert_harmless(path)
        assert ran.returncode == 1 and code in ran.stdout + ran.stderr, ran.stdout + ran.stderr


# --- item 10: strings from files are text, one printable line --------------------------------------

HOSTILE = "m[/x]\x1b]0;pwned\x07\u202e[link=http://evil/x]k[bold]:smile:"


def hostile_run(tmp_path, *options, terminal: bool = False):
    """infer on a training config whose section name (the --from key) and file name hold markup,
    an OSC sequence, BEL and a bidi override."""
    path = tmp_path / "c[" / "x]\x1b[5m\u202e.yaml"
    path.parent.mkdir()
    path.write_text(json.dumps({HOSTILE: {"input_size": 10, "hidden_size": 20, "batch": 3}}))
    quoted = f'"{HOSTILE}"'  # a key holding [ and ] is one quoted segment of a PATH
    args = ("infer", str(path), "--from", f"lstm={quoted}", "--from", f"data.batch_size={quoted}.batch", *options)
    if terminal:
        return on_terminal(*args, columns=200, cwd=tmp_path)
    ran = run_bounded(*args, cwd=tmp_path)
    ran.assert_harmless()
    return ran.returncode, ran.stdout + ran.stderr


@pytest.mark.parametrize("options", [(), ("--explain",), ("--matrix",), ("--verify",)])
def test_hostile_keys_and_file_names_are_shown_not_obeyed(tmp_path, options):
    code, out = hostile_run(tmp_path, *options)
    assert code == 0, out
    assert "[/x]" in out and "[link=http://evil/x]" in out and ":smile:" in out
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e]", out), repr(out[:400])


def test_hostile_strings_on_a_real_terminal(tmp_path):
    code, out = hostile_run(tmp_path, "--explain", terminal=True)
    assert code == 0, out
    assert "\x1b]" not in out and "\x07" not in out and "\u202e" not in out  # no OSC (title, link), no BEL
    assert "\x1b[5m" not in out and "[link=http://evil/x]" in out.replace("\r\n", "")


def test_draw_messages_are_one_printable_line(tmp_path):
    path = write(tmp_path, "ok.yaml", config_text("torch", SIZES["torch"]))
    ran = run_bounded("draw", path, "-o", tmp_path / "o\x1b]0;t\x07\u202e.txt", cwd=tmp_path)
    ran.assert_harmless()
    assert ran.returncode == 2 and "\x1b" not in ran.stderr and "\u202e" not in ran.stderr
    assert ran.stderr.count("\n") == 1


def test_a_stack_longer_than_a_thousand_blocks_is_refused(tmp_path):
    blocks = [SIZES["torch"]] + [{"hidden_size": 20}] * 20_000
    path = write(tmp_path, "blocks.yaml", config_text("torch", blocks))
    for command in (("infer", "--format", "json"), ("check",)):
        ran = run_bounded(*command, path, cwd=tmp_path)
        ran.assert_harmless(path)
        assert ran.returncode == 1
        assert "error[LS008] 'lstm' is a stack of 20,001 blocks; lstmshape reads up to 1,000" in ran.stdout + ran.stderr
    thousand = write(tmp_path, "thousand.yaml", config_text("torch", blocks[:1000]))
    ran = run_bounded("infer", "--format", "json", thousand, cwd=tmp_path)
    ran.assert_harmless(thousand)
    assert ran.returncode == 0 and len(json.loads(ran.stdout)["results"]) == 1000
    verified = run_bounded("infer", "--verify", thousand, cwd=tmp_path)  # blocks 64 on are not run: counted
    verified.assert_harmless(thousand)
    refused = [line for line in verified.stderr.splitlines() if "not verified" in line]
    assert verified.returncode == 1 and len(refused) == 11
    assert refused[-1] == f"lstmshape: error: {thousand}: 926 more forward passes not verified"


def test_weights_held_against_an_absurd_depth_are_answered_at_once(tmp_path):
    import numpy as np

    weights = tmp_path / "w.npz"
    np.savez(weights, **{f"{kind}_l0": np.zeros(shape, np.float32) for kind, shape in
                         (("weight_ih", (80, 10)), ("weight_hh", (80, 20)), ("bias_ih", (80,)), ("bias_hh", (80,)))})
    path = write(tmp_path, "deep.yaml", config_text("torch", SIZES["torch"] | {"num_layers": DEEP}))
    ran = run_bounded("check", path, "--weights", weights, cwd=tmp_path)
    ran.assert_harmless(path)
    assert ran.returncode == 1
    assert (f"error[LS302] missing from the file: every tensor of layers 1 to {DEEP - 1:,}: num_layers {DEEP:,} in "
            "the config (deeper than any real network) vs 1 in the checkpoint") in ran.stdout


def test_verify_of_many_sequential_steps_runs_reduced(tmp_path):
    """1,000 bidirectional layers of hidden 1 over 5,000 steps: under any MAC budget, but 10^7
    Python-level cell steps; --verify runs it at a reduced seq_len and says so."""
    path = write(tmp_path, "long.yaml", yaml.safe_dump({"lstm": {"input_size": 1, "hidden_size": 1, "num_layers": 1000,
                                                                 "bidirectional": True},
                                                        "data": {"batch_size": 1, "seq_len": 5000}}))
    ran = run_bounded("infer", "--verify", "--format", "json", path, cwd=tmp_path)
    ran.assert_harmless(path)
    assert ran.returncode == 0, ran.stderr
    (result,) = json.loads(ran.stdout)["results"]
    assert result["verified"] is True and result["run_at"] == {"batch_size": 2, "seq_len": 3}
