"""Tests of lstmshape.shapes.core: the shape vocabulary, exact at any size.

GRU and RNN gate rows and their missing cell state (infer_lstm); parameters counted as arithmetic
equal to the ones listed plus the repeated layers, in every framework; Layers builds only the
layers looked at, of 10**21. A hundred million layers in every framework, summarised by `infer`,
`--format json`, `--explain`, `--matrix` and `--layers`, through the real console script
(helpers.run_bounded: 5 s, 400 MB, under 100,000 characters of output).
"""

from __future__ import annotations

import json

import pytest

from helpers import SIZES, config_text, parsed, run_bounded, write
from lstmshape.frameworks import infer
from lstmshape.frameworks.torch import infer_lstm
from lstmshape.settings import DataConfig, TorchLSTM
from lstmshape.shapes import Repeat
from lstmshape.shapes.core import LEADING_LAYERS, Layers


DEEP = 100_000_000


def test_gate_rows_and_no_cell_state():
    gru = infer_lstm(TorchLSTM(10, 20, cell="gru"), DataConfig(32, 5))
    rnn = infer_lstm(TorchLSTM(10, 20, cell="rnn", nonlinearity="relu"), DataConfig(32, 5))
    assert gru["weight_ih_l0"].shape == (60, 10) and gru["weight_ih_l0"].dims[0].meaning == "3 × hidden_size"
    assert rnn["weight_ih_l0"].shape == (20, 10) and rnn["weight_hh_l0"].shape == (20, 20)
    for result in (gru, rnn):
        assert [t.name for t in result.tensors] == ["input", "output", "h0", "hn"]
        with pytest.raises(KeyError):
            result["c0"]
    lstm = infer_lstm(TorchLSTM(10, 20), DataConfig(32, 5))
    assert lstm.num_params == 4 * rnn.num_params and gru.num_params == 3 * rnn.num_params


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
