"""Tests of lstmshape.read.interpolation: OmegaConf interpolations, `!ref` and `???` in real configs.

Hostile interpolations through the real console script (helpers.run_bounded: helpers.SECRET in
its environment, time and peak memory measured): no resolver runs however its name is built, so
no environment value reaches any output format; a value's resolved size, a file's resolving work
and what omegaconf's parser is given are bounded; no relative reference climbs above the top of
the file. Unresolvable values (cycles, resolvers, `???`, `!new:`) and misspelt references naming
the nearest key path, through helpers.run and helpers.run_script. Property-based tests hold the
resolver scan and the single-reference shortcut against omegaconf's own grammar and values.
"""

from __future__ import annotations

import json
import os
import re
import warnings

import pytest
from hypothesis import given, settings, strategies as st

from helpers import REPO, SECRET, problem_message, run, run_bounded, run_script, write
from lstmshape.read.interpolation import Unresolved, interpolate, resolver_call
from lstmshape.yamlload import parse_yaml


SECRET_VAR = "LSTMSHAPE_TEST_SECRET"


# a resolver whose name is only known once another value is read: every spelling reaches the
# environment through omegaconf unless no resolver runs at all
LEAKS = {
    "name-built-by-interpolation": f"n: env\nlstm:\n  input_size: ${{oc.${{n}}:{SECRET_VAR}}}\n  hidden_size: 8\n",
    "namespace-built-by-interpolation": (f"r: oc\nlstm:\n  input_size: x${{${{r}}.env:{SECRET_VAR}}}\n"
                                         "  hidden_size: 8\n"),
    "decode-of-built-text": ("d: decode\nopen: $\nrest: '{oc.env:" + SECRET_VAR + "}'\ntext: ${open}${rest}\n"
                             "lstm:\n  input_size: ${oc.${d}:${text}}\n  hidden_size: 8\n"),
    "reached-through-a-key": (f"n: env\nsize: ${{oc.${{n}}:{SECRET_VAR}}}\nlstm:\n  input_size: x${{size}}\n"
                              "  hidden_size: 8\n"),
    "name-from-a-list": f"l: [env]\nlstm:\n  input_size: ${{ oc.${{l[0]}} :{SECRET_VAR}}}\n  hidden_size: 8\n",
    "select-built-around-it": (f"r: oc\nn: env\nlstm:\n  input_size: ${{${{r}}.select:x,${{oc.${{n}}:{SECRET_VAR}}}}}\n"
                               "  hidden_size: 8\n"),
}


BOMBS = {
    # a 500,000-character string referenced 999 times: half a gigabyte from 500 KB
    "string-repeated": ("s: " + "x" * 500_000 + "\nlstm:\n  input_size: \"" + "${s}" * 999 + "\"\n  hidden_size: 8\n",
                        "resolves to more than"),
    # the same through a key built by interpolation, which the counting cannot follow
    "string-through-a-built-key": ("n: s\ns: " + "x" * 500_000 + "\nlstm:\n  input_size: \"" + "${${n}}" * 999
                                   + "\"\n  hidden_size: 8\n", "LS011"),
    # one reference each in a thousand stack blocks: 500 MB of messages quoting the value
    "string-in-every-block": ("s: " + "x" * 500_000 + "\nlstm:\n" + "  - {input_size: '${s}', hidden_size: 8}\n" * 1000,
                              "resolves to more than"),
    # the same through a list whose items hold the references
    "string-through-a-list": ("s: " + "x" * 500_000 + "\nl: [" + ", ".join(["'${s}'"] * 999) + "]\n"
                              "lstm:\n  input_size: ${l}\n  hidden_size: 8\n", "resolves to more than"),
}


def problems(stdout: str, code: str) -> int:
    """How many `code` problems a check reported: those listed, and those a long run of one code
    only counts ("900 more errors [LS011] from here on")."""
    listed = [line for line in stdout.splitlines() if f"[{code}] " in line and f"more errors [{code}]" not in line]
    return len(listed) + sum(map(int, re.findall(rf"(\d+) more errors \[{code}\]", stdout)))


def blocks(count: int, value: str, head: str = "x:\n  k: 8\n  j: ${x.k}\n") -> str:
    """A stack of `count` blocks after `head`, each reading its hidden size through `value`."""
    lines = [head, "lstm:\n"]
    lines += [f"  - input_size: 8\n    hidden_size: {value}\n" for _ in range(count)]
    return "".join(lines)


MALFORMED = {  # the value of block i, the words of its problem
    "dots-never-closed": (lambda i: f"'${{{'.' * 4_000}{i}'", "never closed"),
    "nested-deep": (lambda i: "'" + "${" * 1_000 + f"a{i}" + "}" * 1_000 + "'", "nested more than"),
    "long-garbage": (lambda i: f"'${{{'.' * 20_000}{i}'", "more than 4096 characters"),
    "unicode-digit-index": (lambda i: f"${{a.\u00b2{i}}}", "LS011"),
}


PIECES = st.sampled_from(["${", "}", ":", ".", "oc", "env", "a", "b", "\\", "{", "'", '"', "[", "]", ",", " ", "$",
                          "0", "\\${"])


SENTINEL = "env-value-that-must-not-appear"


SPELLINGS = st.sampled_from(["${", "}", ":", ".", "oc", "env", "decode", "spy", "a", "b", "X", "${n}", "${r}",
                             "${n}:", "${${n}:", "${oc.${n}:", "${${r}.env:", "'", ",", "\\"])


TEXTS = st.lists(SPELLINGS, min_size=1, max_size=10).map("".join)


MODEL = "model:\n  d_model: 64\n  encoder: {layers: 2}\n"


def infer_json_of(path, *args, cwd=REPO):
    result = run("infer", path, *args, "--format", "json", cwd=cwd)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


INTERPOLATIONS = {
    "cycle": ("a: ${b}\nb: ${a}\nlstm: {input_size: 4, hidden_size: '${a}'}\n",
              "3:36: error[LS011] hidden_size is '${a}', an interpolation cycle (Recursive interpolation detected)"),
    "other-file": ("lstm: {input_size: 4, hidden_size: '${training.hidden}'}\n",
                   "1:36: error[LS011] hidden_size is '${training.hidden}': Interpolation key 'training.hidden' not "
                   "found; that key is not in this file"),
    "resolver": ("lstm: {input_size: 4, hidden_size: '${oc.env:HIDDEN}'}\n",
                 "1:36: error[LS011] hidden_size is '${oc.env:HIDDEN}', which calls the resolver 'oc.env', which "
                 "lstmshape never runs"),
    "unknown-resolver": ("lstm: {input_size: 4, hidden_size: '${my_resolver:3}'}\n",
                         "calls the resolver 'my_resolver', which lstmshape never runs"),
    "mandatory": ("lstm: {input_size: 4, hidden_size: '???'}\n",
                  "1:36: error[LS011] hidden_size is ??? (a mandatory value filled in at run time): give it with --set"),
    "ref-expression": ("n: 4\nlstm: {input_size: !ref <n> * 2, hidden_size: 8}\n",
                       "2:20: error[LS011] input_size is !ref '<n> * 2', an expression HyperPyYAML evaluates"),
    "new-object": ("lstm: {input_size: !new:torch.nn.Linear [3, 4], hidden_size: 8}\n",
                   "1:20: error[LS011] input_size is !new:torch.nn.Linear, an object HyperPyYAML would construct"),
    "fan-out": ("\n".join(["a0: 1"] + [f'a{i}: "${{a{i - 1}}}${{a{i - 1}}}"' for i in range(1, 40)])
                + "\nlstm: {input_size: 4, hidden_size: '${a39}'}\n",
                "error[LS011] hidden_size is '${a39}', which expands to more than 1000 interpolations"),
}


LEAVES = st.one_of(st.integers(-5, 5), st.booleans(), st.floats(allow_nan=False, width=32),
                   st.sampled_from(["x", "???", "${a}", "${.b}", "${c.a}", "a\\b", ""]))


KEYS = st.sampled_from(["a", "b", "c", "d_model"])


DOCS = st.recursive(LEAVES, lambda inner: st.dictionaries(KEYS, inner, max_size=3) | st.lists(inner, max_size=2),
                    max_leaves=8)


REFERENCES = st.sampled_from(["${a}", "${b}", "${c.a}", "${c.b}", "${.a}", "${..a}", "${c.0}", "${d_model}",
                              "${c.d_model}", "${.c.a}"])


def own_report(stdout: str, fmt: str, path) -> str:
    """What a `check --format fmt` of several files reports about `path` alone: its lines (text,
    github), its problems (json) or its results (sarif)."""
    if fmt == "text":
        return "\n".join(line for line in stdout.splitlines() if line.startswith(f"{path}:"))
    if fmt == "github":
        return "\n".join(line for line in stdout.splitlines() if line.startswith(f"::error file={path},"))
    if fmt == "json":
        return json.dumps([p for p in json.loads(stdout)["problems"] if p["file"] == str(path)])
    return json.dumps([r for r in json.loads(stdout)["runs"][0]["results"]
                       if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == path.as_uri()])


@pytest.fixture(scope="module")
def leaks_checked(tmp_path_factory):
    """The LEAKS files, written once, and for each format one console-script child that checks
    them all (run_bounded: the canary in its environment; its time and memory bound the lot): a
    child per file and format would only start the same process 24 times over."""
    paths = {case: write(tmp_path_factory.mktemp(case), "train.yaml", text) for case, text in LEAKS.items()}
    runs = {}

    def checked(fmt: str):
        if fmt not in runs:
            runs[fmt] = run_bounded("check", "--format", fmt, *paths.values())
        return paths, runs[fmt]

    return checked


@pytest.mark.xdist_group("interpolation-leaks")  # one worker runs the four children
@pytest.mark.parametrize("fmt", ["text", "github", "json", "sarif"])
@pytest.mark.parametrize("case", LEAKS)
def test_no_resolver_runs_whatever_builds_its_name(leaks_checked, case, fmt):
    paths, result = leaks_checked(fmt)
    path = paths[case]
    result.assert_harmless(path)
    assert result.returncode == 1
    own = own_report(result.stdout, fmt, path)
    assert "LS011" in own and "never runs" in own, result.stdout
    assert SECRET not in result.stdout + result.stderr
    if fmt in ("json", "sarif"):
        json.loads(result.stdout)


def test_an_environment_value_never_becomes_a_symbol_name(tmp_path):
    """The silent variant: a mapped batch size that resolved to an environment value would be a
    symbol name, printed by infer's table and drawn into the picture without any problem."""
    path = tmp_path / "train.yaml"
    path.write_text("model:\n  n: env\n  batch: ${oc.${model.n}:TOKEN}\n  input_size: 10\n  hidden_size: 20\n")
    mapping = ("--from", "lstm=model", "--from", "data.batch_size=model.batch")
    env = {"TOKEN": "CanaryBatch"}
    for args in (("infer", path), ("infer", "--format", "json", path), ("draw", "-o", tmp_path / "n.svg", path)):
        result = run_bounded(*args, *mapping, env=env)
        result.assert_harmless(path)
        assert result.returncode == 1, result.stdout
        assert "CanaryBatch" not in result.stdout + result.stderr
    assert not (tmp_path / "n.svg").exists() or "CanaryBatch" not in (tmp_path / "n.svg").read_text()


@pytest.mark.parametrize("case", BOMBS)
def test_resolved_size_is_bounded(tmp_path, case):
    text, words = BOMBS[case]
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    result = run_bounded("check", path)
    result.assert_harmless(path)
    assert result.returncode == 1 and words in result.stdout, result.stdout[-2000:]


def test_interpolation_text_omegaconf_parses_is_bounded_too():
    """Two 3,000-character keys resolve to nothing, but omegaconf's parser would read them both."""
    key = "k" * 3_000
    doc = parse_yaml(f"a: '${{{key}}}'\nb: '${{{key}x}}'\nlstm: {{input_size: '${{a}}${{b}}'}}\n")
    result = interpolate(doc, ("lstm", "input_size"), "${a}${b}")
    assert isinstance(result, Unresolved) and "parse more than 4096 characters" in result.message


@pytest.mark.parametrize("value,errors", [("${x.j}", 0), ("'${x.k}${x.k}'", 1000), ("${x.missing}", 1000),
                                          ("${x.${missing}}", 1000)])
def test_many_stack_blocks_resolve_in_linear_time(tmp_path, value, errors):
    path = tmp_path / "stack.yaml"
    path.write_text(blocks(1000, value))
    result = run_bounded("check", path)
    result.assert_harmless(path)
    assert problems(result.stdout, "LS011") + problems(result.stdout, "LS007") == errors, result.stdout[-2000:]


def test_a_files_interpolations_share_one_budget(tmp_path):
    """A thousand values each reaching a thousand-value mapping: each is within its own bounds
    for counting, but together they would have omegaconf build a million values."""
    path = tmp_path / "stack.yaml"
    path.write_text(blocks(1000, "${m}", head="m: {" + ", ".join(f"k{i}: {i}" for i in range(1000)) + "}\n"))
    result = run_bounded("check", path)
    result.assert_harmless(path)
    assert problems(result.stdout, "LS011") == 1000, result.stdout[-2000:]


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_interpolations_never_reach_omegaconfs_parser(tmp_path, case):
    """omegaconf's parser takes time growing with the square of the nesting and of some garbage
    (seconds for one 4 KB value): what it would refuse anyway is refused before it parses."""
    value, words = MALFORMED[case]
    path = tmp_path / "c.yaml"
    path.write_text("a: [1]\nlstm:\n" + "".join(f"  - input_size: {value(i)}\n    hidden_size: 8\n" for i in range(40)),
                    encoding="utf-8")
    result = run_bounded("check", path)
    result.assert_harmless(path)
    assert result.returncode == 1 and result.stdout.count(words) == 40, result.stdout[-2000:]


@pytest.mark.parametrize("reference", ["${...d}", "${.....d}", "${...lstm.hidden_size}"])
def test_a_reference_above_the_top_of_the_file_is_an_error(tmp_path, reference):
    """`${.d}` is a sibling of the key holding it and each further dot one level up; from
    lstm.input_size, `${..d}` is the top of the file and `${...d}` above it, where omegaconf raises."""
    path = tmp_path / "c.yaml"
    path.write_text(f"d: 8\nlstm:\n  input_size: '{reference}'\n  hidden_size: 8\n")
    result = run_bounded("check", path)
    result.assert_harmless(path)
    assert result.returncode == 1 and "LS011" in result.stdout and "above the top" in result.stdout, result.stdout


def test_relative_references_up_to_the_top_still_resolve():
    doc = parse_yaml("d: 8\nlstm:\n  input_size: ${..d}\n  hidden_size: ${.input_size}\n"
                     "  proj: '${..d}${.input_size}'\n")
    assert interpolate(doc, ("lstm", "input_size"), "${..d}") == 8
    assert interpolate(doc, ("lstm", "hidden_size"), "${.input_size}") == 8
    assert interpolate(doc, ("lstm", "proj"), "${..d}${.input_size}") == "88"
    climbing = interpolate(doc, ("lstm", "proj"), "${...d}")
    assert isinstance(climbing, Unresolved) and "above the top" in climbing.message


@settings(max_examples=2000, deadline=None)
@given(st.lists(PIECES, max_size=14).map("".join))
def test_every_resolver_call_omegaconf_would_make_is_found(text):
    """Wherever omegaconf's parse tree holds a resolver call, the scan finds one: it may refuse
    more than omegaconf would run (an escaped `\\${a:b}`), never less."""
    from omegaconf.errors import GrammarParseError
    from omegaconf.grammar_parser import OmegaConfGrammarParser, parse

    def calls(tree) -> bool:
        if isinstance(tree, OmegaConfGrammarParser.InterpolationResolverContext):
            return True
        return any(calls(child) for child in (getattr(tree, "getChildren", lambda: ())()))

    try:
        tree = parse(text)
    except GrammarParseError:
        return
    if calls(tree):
        assert resolver_call(text) is not None


def test_no_interpolation_text_is_no_resolver_call():
    assert resolver_call("host:port") is None
    assert resolver_call("${a}:${b}") is None
    assert resolver_call("${a.${b}}") is None
    assert resolver_call("${oc.${n}:X}") == "oc.${n}"
    assert resolver_call("x${${r}.env:X}") == "${r}.env"


@settings(max_examples=1500, deadline=None)
@given(st.fixed_dictionaries({"n": st.sampled_from(["spy", "env", "decode"]), "r": st.just("oc")},
                             optional={"a": TEXTS, "b": TEXTS, "c": TEXTS}))
def test_no_resolver_runs_on_any_document(data):
    """Whatever a value spells, resolving it never calls a resolver: neither one lstmshape's
    process happens to have registered (`spy`) nor omegaconf's own (`oc.env`, `oc.decode`)."""
    from omegaconf import OmegaConf

    from lstmshape.yamlload import YamlDoc

    calls = []
    with warnings.catch_warnings():  # omegaconf 2.4 deprecates the name 2.1 to 2.3 have
        warnings.simplefilter("ignore", UserWarning)
        OmegaConf.register_new_resolver("spy", lambda *args: calls.append(args) or SENTINEL, replace=True)
    os.environ["X"] = SENTINEL
    try:
        doc = YamlDoc("c.yaml", data, {}, {})
        for key, text in data.items():
            if "${" in text:
                result = interpolate(doc, (key,), text)
                assert SENTINEL not in (result.message if isinstance(result, Unresolved) else str(result))
    finally:
        OmegaConf.clear_resolver("spy")
        del os.environ["X"]
    assert not calls


@pytest.mark.parametrize("value, meant", [
    ("${model.dmodel}", "model.d_model"),
    ("${modle.d_model}", "model.d_model"),
    ("${model.encodr.layers}", "model.encoder.layers"),
])
def test_a_misspelt_interpolation_names_the_nearest_path(tmp_path, value, meant):
    message = problem_message(tmp_path, MODEL + f"lstm:\n  input_size: {value}\n  hidden_size: 20\n", "LS011")
    assert message.startswith(f"input_size is '{value}': Interpolation key '{value[2:-1]}' not found; "
                              f"did you mean '{meant}'?"), message


def test_a_misspelt_relative_interpolation_names_the_nearest_path(tmp_path):
    message = problem_message(tmp_path, "lstm:\n  dmodel_in: 10\n  input_size: ${.d_model_in}\n  hidden_size: 20\n",
                      "LS011")
    assert message.endswith("not found (resolved to 'lstm.d_model_in'); did you mean '.dmodel_in'?"), message


def test_an_interpolation_far_from_every_key_suggests_nothing(tmp_path):
    message = problem_message(tmp_path, MODEL + "lstm:\n  input_size: ${model.zzzz}\n  hidden_size: 20\n", "LS011")
    assert "did you mean" not in message and "give the value with --set" in message, message


def test_a_misspelt_ref_names_the_nearest_path(tmp_path):
    message = problem_message(tmp_path, "dmodel: 10\nlstm:\n  input_size: !ref <d_model>\n  hidden_size: 20\n", "LS011")
    assert message == "input_size is !ref <d_model>, which is not in the file; did you mean '<dmodel>'?"


@pytest.mark.parametrize("value", ["!ref <big.k{i:03d}{tail}>", "'${{big.k{i:03d}{tail}}}'"])
def test_spelling_keys_not_found_is_bounded(tmp_path, value):
    """A thousand misspelt references into a mapping of 256 look-alike keys (difflib's slowest
    case): the file's spelling budget runs out, the promise holds."""
    big = "".join(f"  k{i:03d}{'ab' * 28}: {i + 1}\n" for i in range(256))
    blocks = "".join(f"  - {{input_size: {value.format(i=i % 256, tail='ba' * 28)}, hidden_size: 4}}\n"
                     for i in range(1000))
    path = tmp_path / "refs.yaml"
    path.write_text("big:\n" + big + "lstm:\n" + blocks)
    result = run_bounded("check", path, cwd=tmp_path)
    result.assert_harmless(path)
    assert result.returncode == 1 and "error[LS011]" in result.stdout


@pytest.fixture(scope="module")
def interpolations_checked(tmp_path_factory):
    """The INTERPOLATIONS files, written once, checked by one console-script child (bounded in
    time, as a hang must be): one child per file would only start the same process 8 times over."""
    paths = {case: write(tmp_path_factory.mktemp(case), "c.yaml", text) for case, (text, _) in INTERPOLATIONS.items()}
    return paths, run_script("check", *paths.values(), "--from", "lstm=lstm", timeout=20)


@pytest.mark.xdist_group("interpolation-unresolvable")  # one worker runs the child
@pytest.mark.parametrize("case", INTERPOLATIONS)
def test_unresolvable_values(interpolations_checked, case):
    text, words = INTERPOLATIONS[case]
    paths, result = interpolations_checked
    path = paths[case]
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    own = "\n".join(line for line in result.stdout.splitlines() if line.startswith(f"{path}:"))
    assert words in own, result.stdout
    assert path.read_text() == text


def test_interpolations_in_a_config_of_lstmshapes_own(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("lstm:\n  input_size: 16\n  hidden_size: ${.input_size}\ndata: {seq_len: '${lstm.input_size}'}\n")
    doc = infer_json_of(path)
    assert doc["results"][0]["shapes"]["output"] == [16, "N", 16]


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, DOCS, min_size=1, max_size=4), REFERENCES)
def test_single_reference_shortcut_agrees_with_omegaconf(data, reference):
    from omegaconf import OmegaConf

    from lstmshape.read.interpolation import single_node

    data = {**data, "c": data.get("c") if isinstance(data.get("c"), dict) else {"a": 1, "here": None}}
    data["c"]["here"] = reference
    shortcut = single_node(data, ("c", "here"), reference)
    if shortcut is None:
        return
    assert OmegaConf.create(data).c.here == shortcut
    assert type(OmegaConf.create(data).c.here) is type(shortcut)
