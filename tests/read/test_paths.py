"""Tests of lstmshape.read.paths: the PATH grammar of --from and its arithmetic.

Paths with quoted segments, negative indexes, list filters ([KEY=VALUE]) and `-` inside names,
each parsed, and written back (dotted) to the same path; expressions with `+ - * //` and
parentheses, precedence and left association, `-` an operator only after white space or `)`;
show and references; each malformed text with its message and column; and every bound (length,
digits, nesting, operands, segments) refused within 0.1 s, a megabyte of hostile text included.
"""

from __future__ import annotations

import time

import pytest

from lstmshape.read.paths import (MAX_DIGITS, MAX_NESTING, MAX_OPERANDS, MAX_SEGMENTS, MAX_TEXT, Operation,
                                  PathError, Ref, Select, dotted, parse_expression, parse_path, references, show)

PATHS = {
    ".": (),
    "model.encoder": ("model", "encoder"),
    "layers.0": ("layers", 0),
    "model.fcnet_hiddens.-1": ("model", "fcnet_hiddens", -1),
    'model_params."encoder.params".rnn_cell.cell_params.num_units':
        ("model_params", "encoder.params", "rnn_cell", "cell_params", "num_units"),
    'a."say \\"hi\\"".b': ("a", 'say "hi"', "b"),
    "model.layers[type=lstm]": ("model", "layers", Select("type", "lstm")),
    "model.layers[type=lstm].0.neurons": ("model", "layers", Select("type", "lstm"), 0, "neurons"),
    'l[name="enc 1"][kind=rnn]': ("l", Select("name", "enc 1"), Select("kind", "rnn")),
    "pred-rnn_layers": ("pred-rnn_layers",),  # `-` inside a segment is part of the name
    "cartpole-lstm.config": ("cartpole-lstm", "config"),
    "a.b-1": ("a", "b-1"),
    '"hydra/launcher".n': ("hydra/launcher", "n"),
    "0.hidden": (0, "hidden"),  # digits before `.`: a path (a top-level list, or the key 0)
}


@pytest.mark.parametrize("text", PATHS)
def test_paths(text):
    tree = parse_expression(text)
    assert isinstance(tree, Ref) and tree.parts == PATHS[text] and tree.text == text
    assert parse_path(text) == PATHS[text]
    assert parse_path(dotted(PATHS[text])) == PATHS[text]  # written back, read the same


EXPRESSIONS = {
    "behaviors.Hallway2.network_settings.memory.memory_size // 2":
        Operation("//", Ref(("behaviors", "Hallway2", "network_settings", "memory", "memory_size"),
                            "behaviors.Hallway2.network_settings.memory.memory_size"), 2),
    "a + b": Operation("+", Ref(("a",), "a"), Ref(("b",), "b")),
    "a - b": Operation("-", Ref(("a",), "a"), Ref(("b",), "b")),
    "a -b": Operation("-", Ref(("a",), "a"), Ref(("b",), "b")),  # a space before `-`: the operator
    "(a)-1": Operation("-", Ref(("a",), "a"), 1),  # after `)`: the operator
    "a*b": Operation("*", Ref(("a",), "a"), Ref(("b",), "b")),
    "a//2": Operation("//", Ref(("a",), "a"), 2),
    "a + b * 2": Operation("+", Ref(("a",), "a"), Operation("*", Ref(("b",), "b"), 2)),  # * binds tighter
    "(a + b) * 2": Operation("*", Operation("+", Ref(("a",), "a"), Ref(("b",), "b")), 2),
    "a - b - c": Operation("-", Operation("-", Ref(("a",), "a"), Ref(("b",), "b")), Ref(("c",), "c")),  # left first
    "8 // 2 // 2": Operation("//", Operation("//", 8, 2), 2),
    "l.-1 * 2": Operation("*", Ref(("l", -1), "l.-1"), 2),
    "  x.y  ": Ref(("x", "y"), "x.y"),
}


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_expressions(text):
    assert parse_expression(text) == EXPRESSIONS[text]


def test_show_and_references():
    tree = parse_expression("model.decoder.embeddings.embedding_dim + model.decoder.hidden_size")
    assert show(tree) == "model.decoder.embeddings.embedding_dim + model.decoder.hidden_size"
    assert [r.parts for r in references(tree)] == [("model", "decoder", "embeddings", "embedding_dim"),
                                                   ("model", "decoder", "hidden_size")]
    assert show(parse_expression("a - (b - c)")) == "a - (b - c)"  # the grouping that matters is kept
    assert references(parse_expression("2 * 3")) == []


MALFORMED = {
    "": "expected a path or an integer at the end",
    "a..b": "expected a key, an index or a quoted key at column 3 of 'a..b', found '.'",
    "a.": "expected a key, an index or a quoted key at the end of 'a.'",
    "a +": "expected a path or an integer at the end of 'a +'",
    "a b": "expected an operator (+, -, *, //) at column 3 of 'a b', found 'b'",
    "(a + b": "expected ')' at the end of '(a + b'",
    "a / 2": "expected an operator (+, -, *, //) at column 3 of 'a / 2', found '/'",  # `/` alone is none
    "a[type]": "expected '=' in a filter [KEY=VALUE] at column 7 of 'a[type]', found ']'",
    "a[type=lstm": "expected ']' closing the filter at the end of 'a[type=lstm'",
    'a."open': "a quoted key is not closed",
    "a * (": "expected a path or an integer at the end of 'a * ('",
    "hydra/launcher.n": "expected an operator (+, -, *, //) at column 6",  # `/` is no name character: quote it
}


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed(text):
    with pytest.raises(PathError) as caught:
        parse_expression(text)
    assert MALFORMED[text] in str(caught.value)


def test_a_path_option_has_no_arithmetic():
    with pytest.raises(PathError, match="expected the end of the path"):
        parse_path("a + b")


BOUNDS = {
    "long": ("a." * (MAX_TEXT // 2 + 1) + "a", f"at most {MAX_TEXT:,}"),
    "huge literal": ("x * " + "9" * (MAX_DIGITS + 1), f"has {MAX_DIGITS + 1} digits; at most {MAX_DIGITS}"),
    "deep parentheses": ("(" * (MAX_NESTING + 1) + "a" + ")" * (MAX_NESTING + 1), f"nest at most {MAX_NESTING}"),
    "many operands": (" * ".join(["2"] * (MAX_OPERANDS + 1)), f"at most {MAX_OPERANDS} paths and numbers"),
    "many segments": (".".join(["a"] * (MAX_SEGMENTS + 2)), f"at most {MAX_SEGMENTS} segments"),
}


@pytest.mark.parametrize("name", BOUNDS)
def test_bounds(name):
    text, words = BOUNDS[name]
    started = time.perf_counter()
    with pytest.raises(PathError) as caught:
        parse_expression(text)
    assert words in str(caught.value)
    assert time.perf_counter() - started < 0.1


def test_within_bounds():
    assert parse_expression("(" * MAX_NESTING + "a" + ")" * MAX_NESTING) == Ref(("a",), "a")
    assert parse_expression("9" * MAX_DIGITS) == int("9" * MAX_DIGITS)


def test_hostile_text_is_linear():
    """A megabyte of operators, parentheses or quotes is refused by its length, before parsing."""
    for text in ("2*" * 500_000 + "2", "(" * 1_000_000, '"' * 1_000_000, "[" * 1_000_000):
        started = time.perf_counter()
        with pytest.raises(PathError, match="characters long"):
            parse_expression(text)
        assert time.perf_counter() - started < 0.1
