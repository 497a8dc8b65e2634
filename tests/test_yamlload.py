"""The safe YAML loader: positions, duplicate keys, tags, bounds.

Hostile input: a clear diagnostic, a non-zero exit, never a traceback, nothing written, and
every case bounded in time and memory. End to end through the real console script (the CLI's
entry point in process where nothing is bounded), plus a property-based test over random YAML and
random bytes.
"""

from __future__ import annotations

import time
import tracemalloc

import pytest
from hypothesis import given, settings, strategies as st

from helpers import documents, mutate, to_yaml, values
from lstmshape.yamlload import MAX_BYTES, Tagged, YamlError, load_yaml, parse_yaml


def problem(text):
    with pytest.raises(YamlError) as info:
        parse_yaml(text, "f.yaml")
    return info.value.problem



def same_with_and_without_libyaml(text: str) -> None:
    from lstmshape import yamlload
    from lstmshape.yamlload import YamlError

    def parse(fast):
        saved = yamlload._FAST_LOADER
        yamlload._FAST_LOADER = fast
        try:
            got = yamlload.parse_yaml(text.encode(), "x.yaml")
            return got.data, got.value_marks, got.key_marks
        except YamlError as exc:
            return exc.problem
        finally:
            yamlload._FAST_LOADER = saved

    import yaml

    assert parse(yaml.CSafeLoader) == parse(None)


def test_values_and_marks():
    doc = parse_yaml(b"lstm:\n  hidden_size: 20\n  sizes: [1, 2]\n", "f.yaml")
    assert doc.data == {"lstm": {"hidden_size": 20, "sizes": [1, 2]}}
    assert doc.mark(("lstm", "hidden_size")) == (2, 16)
    assert doc.mark(("lstm", "hidden_size"), key=True) == (2, 3)
    assert doc.mark(("lstm", "sizes", 1)) == (3, 14)
    assert doc.mark(("lstm", "missing")) == (2, 3)  # falls back to the nearest ancestor


def test_duplicate_key_names_both_places():
    """A duplicate is recorded (LS002), not raised: the value kept is the last, as PyYAML keeps it,
    and the marks point at it; whether it matters is the reader's call (a mapping may not read it)."""
    doc = parse_yaml(b"lstm:\n  hidden_size: {a: 1}\n  hidden_size: 30\n  hidden_size: 40\n", "f.yaml")
    assert doc.data == {"lstm": {"hidden_size": 40}}
    assert doc.mark(("lstm", "hidden_size")) == (4, 16) and doc.mark(("lstm", "hidden_size"), key=True) == (4, 3)
    assert [(p.line, p.column, p.code, p.severity, p.path) for p in doc.problems] == [
        (3, 3, "LS002", "error", "$.lstm.hidden_size"), (4, 3, "LS002", "error", "$.lstm.hidden_size")]
    assert all("first at line 2, column 3" in p.message for p in doc.problems)


@pytest.mark.parametrize(
    "text, line, column, words",
    [
        (b"", 1, 1, "empty"),
        (b"# only a comment\n", 1, 1, "empty"),
        (b"a: [1, 2\n", 2, 1, "invalid YAML"),
        (b"a: 1\n---\nb: 2\n", 2, 1, "single YAML document"),
        (b"a: 1\n\xff\xfe\n", 2, 1, "not UTF-8"),
        (b"a: 1\nb: \x00\n", 2, 4, "NUL byte"),
        (b"a: !!python/object/apply:os.system [echo hi]\n", 1, 4, "!!python/object/apply:os.system"),
        (b"a: !!python/name:os.system\n", 1, 4, "constructs no objects"),
        (b"a: *nowhere\n", 1, 4, "unknown alias"),
        (b"? [1]\n: 2\n", 1, 3, "plain scalar"),
        (b"a: " + b"9" * 5000 + b"\n", 1, 4, "cannot read scalar"),
    ],
)
def test_bad_documents(text, line, column, words):
    p = problem(text)
    assert (p.line, p.column) == (line, column)
    assert words in p.message
    assert p.severity == "error"


def test_local_tags_are_inert_placeholders():
    """HyperPyYAML's tags are kept as text (scalar) or plain data (mapping), never constructed."""
    doc = parse_yaml("seed: 3\nr: !ref <seed>\nact: !name:torch.nn.ReLU\n"
                     "enc: !new:speechbrain.nnet.RNN.LSTM\n  hidden_size: 64\n")
    assert doc.data["r"] == Tagged("!ref", "<seed>") and doc.data["act"] == Tagged("!name:torch.nn.ReLU", "")
    assert doc.data["enc"] == Tagged("!new:speechbrain.nnet.RNN.LSTM", {"hidden_size": 64})
    assert doc.mark(("enc", "hidden_size")) == (5, 16)


def test_json_with_positions_and_tabs():
    doc = parse_yaml('{\n\t"lstm": {"input_size":8,\n\t\t"hidden_size": 16}\n}\n', "c.json")
    assert doc.data == {"lstm": {"input_size": 8, "hidden_size": 16}}
    assert doc.mark(("lstm", "hidden_size")) == (3, 18)


def test_safe_scalars_and_merge_keys():
    doc = parse_yaml("base: &b {hidden_size: 20, bias: false}\nlstm: {<<: *b, input_size: 3, hidden_size: 8}\nday: 2024-01-01\n")
    assert doc.data["lstm"] == {"input_size": 3, "hidden_size": 8, "bias": False}
    assert doc.data["day"] == "2024-01-01"  # timestamps stay text


def test_alias_bomb_refused_fast_and_small():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    tracemalloc.start()
    start = time.thread_time()  # this thread's CPU time: the work done, whatever else the machine (or another thread) runs
    p = problem("\n".join(lines))
    elapsed = time.thread_time() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "alias bomb" in p.message
    assert elapsed < 0.5 and peak < 5 * 2**20


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "- " * 100_000 + "x", "{a: " * 100_000])
def test_deep_nesting_refused_fast(text):
    start = time.thread_time()  # this thread's CPU time: the work done, whatever else the machine (or another thread) runs
    p = problem(text)
    assert "nested too deeply" in p.message
    assert time.thread_time() - start < 1.0


def test_huge_file_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: 1\n" * (MAX_BYTES // 4))
    with pytest.raises(YamlError) as info:
        load_yaml(path)
    assert "larger than" in info.value.problem.message


def test_unreadable_path(tmp_path):
    with pytest.raises(YamlError) as info:
        load_yaml(tmp_path)
    assert "cannot read file" in info.value.problem.message


@pytest.mark.skipif(not getattr(__import__("yaml"), "__with_libyaml__", False), reason="PyYAML without libyaml")
@settings(max_examples=300, deadline=None)
@given(doc=st.one_of(documents, values), flow=st.booleans(), cut=st.integers(0, 400))
def test_libyaml_fast_path_is_identical(doc, flow, cut):
    """Valid files are read with libyaml when available: the same values and the same marks as
    the pure-Python parser (errors always come from the pure-Python parser)."""
    same_with_and_without_libyaml(mutate(to_yaml(doc, flow), cut))


@pytest.mark.skipif(not getattr(__import__("yaml"), "__with_libyaml__", False), reason="PyYAML without libyaml")
@pytest.mark.parametrize("text", [
    "base: &b {hidden_size: 20, bias: false}\nlstm: {<<: *b, input_size: 3, hidden_size: 8}\n",
    "a: {'<<': 1, \"<<\": 2}\n",
    "lstm: {größe: 'äöü', x: [1, 'ß', {y: 2}]}\n  # ü\ndata:\n  é: 1\n",
    "\ufeffa: '😀😀'\nb: |\n  ü\n  x\nc: 2024-01-01\nd: !!str 3\n",
])
def test_libyaml_fast_path_is_identical_on_tricky_text(text):
    same_with_and_without_libyaml(text)
