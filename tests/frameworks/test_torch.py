"""Tests of lstmshape.frameworks.torch: torch.nn.LSTM's (GRU's, RNN's) shapes as plain arithmetic.

The shape engine (helpers.engine, assert_matches_torch) against tests/golden/torch_shapes.json
(recorded by tests/golden/record_shapes.py) and tests/golden/rnn_shapes.json (GRU and RNN,
recorded by tests/golden/record_rnn_shapes.py), each covering every flag, with the recorders
re-run live, and a property-based test against live torch.nn.LSTM. Also: the --matrix
combinations, symbolic dimensions and huge sizes kept as arithmetic (Size), total_proj_size's
shapes as live torch builds them, and a --matrix over 10**21 layers in every framework through
the real console script (helpers.run_bounded).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from helpers import GOLDEN_DIR, SIZES, assert_matches_torch, config_text, engine, recorder, run_bounded, write
from lstmshape.frameworks import infer
from lstmshape.frameworks.torch import combinations, infer_lstm
from lstmshape.read import read_config
from lstmshape.settings import DataConfig, TorchLSTM
from lstmshape.shapes import Size


GOLDEN = json.loads((GOLDEN_DIR / "torch_shapes.json").read_text())


configs = st.fixed_dictionaries(
    {
        "lstm": st.fixed_dictionaries(
            {
                "input_size": st.integers(1, 9),
                "hidden_size": st.integers(2, 9),
                "num_layers": st.integers(1, 4),
                "bidirectional": st.booleans(),
                "batch_first": st.booleans(),
                "bias": st.booleans(),
            }
        ),
        "data": st.fixed_dictionaries(
            {"batch_size": st.integers(1, 5), "seq_len": st.integers(1, 6), "unbatched": st.booleans()}
        ),
        "proj": st.integers(0, 8),
    }
)


OBSERVE = recorder("record_shapes").observe


SHAPES = json.loads((GOLDEN_DIR / "rnn_shapes.json").read_text())


OBSERVE_RNN = recorder("record_rnn_shapes").observe


@pytest.mark.parametrize("record", GOLDEN["records"], ids=lambda r: json.dumps(r["case"], separators=(",", ":")))
def test_golden_torch_shapes(record):
    assert_matches_torch(engine(record["case"]), record["torch"])


def test_golden_covers_every_flag():
    seen = {(r["case"]["lstm"]["batch_first"], r["case"]["lstm"]["bidirectional"], r["case"]["lstm"]["proj_size"] > 0,
             r["case"]["lstm"]["bias"], r["case"]["data"]["unbatched"]) for r in GOLDEN["records"]}
    assert len(seen) == 32


def test_golden_recorder_reproduces_file(torch):
    """The recorder, run now against the installed torch, gives the committed file."""
    observe = recorder("record_shapes").observe
    for record in GOLDEN["records"][::7]:
        assert observe(record["case"]) == record["torch"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(configs)
def test_live_against_torch(torch, case):
    case["lstm"]["proj_size"] = case.pop("proj") % case["lstm"]["hidden_size"]
    assert_matches_torch(engine(case), OBSERVE(case))


def test_matrix_spans_every_combination():
    base = TorchLSTM(input_size=3, hidden_size=4, num_layers=3, proj_size=2, dropout=0.5)
    combos = combinations(base)
    assert [(c.batch_first, c.bidirectional, c.num_layers) for c in combos] == [
        (bf, bi, n) for bf in (False, True) for bi in (False, True) for n in (1, 2, 3)
    ]
    assert {c.proj_size for c in combos} == {2} and {c.dropout for c in combos} == {0.5}
    assert [c.num_layers for c in combinations(TorchLSTM(3, 4), layers=[1, 4])][:2] == [1, 4]
    assert len(combinations(TorchLSTM(3, 4))) == 8  # num_layers 1..max(1, 2)


def test_symbolic_dimensions_stay_symbols():
    result = infer_lstm(TorchLSTM(10, 20, bidirectional=True, batch_first=True), DataConfig("B", "T"))
    assert result.shapes == {
        "input": ("B", "T", 10), "output": ("B", "T", 40), "h0": (2, "B", 20),
        "c0": (2, "B", 20), "hn": (2, "B", 20), "cn": (2, "B", 20),
    }
    assert result["output"].nbytes.value == "160*B*T"
    assert str(result.macs) == "5,120·B·T"


def test_huge_sizes_are_arithmetic_only():
    big = 10**40
    result = infer_lstm(TorchLSTM(big, big), DataConfig(32, 5))
    assert result.shapes["hn"] == (1, 32, big)
    assert result.num_params == 4 * big * big * 2 + 8 * big
    assert result.macs.value == 160 * result.num_params


def test_size_products():
    assert Size.of((2, "N", 3)) * 4 == Size(24, ("N",))
    assert (Size.of(("L",)) * Size.of(("N", 2))).value == "2*L*N"
    assert Size.of(()).value == 1


@pytest.mark.parametrize("record", SHAPES["records"], ids=lambda r: json.dumps(r["case"], separators=(",", ":")))
def test_golden_gru_rnn_shapes(record):
    assert_matches_torch(engine(record["case"]), record["torch"])


def test_golden_shapes_cover_every_flag():
    seen = {(r["case"]["lstm"]["cell"], r["case"]["lstm"]["batch_first"], r["case"]["lstm"]["bidirectional"],
             r["case"]["lstm"]["bias"], r["case"]["data"]["unbatched"]) for r in SHAPES["records"]}
    assert len(seen) == 32


@pytest.mark.oracle
def test_shapes_recorder_reproduces_file(torch):
    for record in SHAPES["records"][::5]:
        assert OBSERVE_RNN(record["case"]) == record["torch"]


@pytest.mark.oracle
@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize("bidirectional, total", [(False, 4), (True, 8)])
def test_total_proj_size_shapes_are_torchs(tmp_path, bidirectional, total, torch):
    path = write(tmp_path, "c.yaml", f"lstm: {{input_size: 5, hidden_size: 7, num_layers: 2, bidirectional: "
                                     f"{str(bidirectional).lower()}, total_proj_size: {total}, batch_first: true}}\n"
                                     "data: {batch_size: 3, seq_len: 4}\n")
    config, _ = read_config(path)
    (shapes,) = infer(config)
    directions = 2 if bidirectional else 1
    module = torch.nn.LSTM(5, 7, num_layers=2, bidirectional=bidirectional, batch_first=True,
                           proj_size=total // directions)
    output, (hn, cn) = module(torch.zeros(3, 4, 5))
    real = {"output": output.shape, "hn": hn.shape, "cn": cn.shape}
    assert {name: shapes.shapes[name] for name in real} == {name: tuple(s) for name, s in real.items()}
    assert {t.name: t.shape for t in shapes.params} == {k: tuple(v.shape) for k, v in module.state_dict().items()}


@pytest.mark.oracle
@pytest.mark.parametrize("cell", ["GRU", "RNN"])
def test_torch_refuses_a_projection_for_gru_and_rnn(cell, torch):
    """What the GRU and RNN cases above stand on."""
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
        getattr(torch.nn, cell)(5, 7, proj_size=2)


def test_a_matrix_over_10_to_the_21_layers_is_four_rows_per_axis(tmp_path):
    for framework in SIZES:
        path = write(tmp_path, f"{framework}.yaml", config_text(framework, SIZES[framework] | {"num_layers": 10**21}))
        for options in (("--matrix",), ("--matrix", "--format", "json")):
            ran = run_bounded("infer", path, *options, cwd=tmp_path)
            ran.assert_harmless(path)
            assert ran.returncode == 0, ran.stderr
