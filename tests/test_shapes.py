"""The shape engine against torch.nn.LSTM: recorded (golden) and live."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstmshape import DataConfig, TorchLSTM
from helpers import GOLDEN_DIR, assert_matches_torch, engine, recorder
from lstmshape.frameworks.torch import combinations, infer_lstm
from lstmshape.shapes import Size

GOLDEN = json.loads((GOLDEN_DIR / "torch_shapes.json").read_text())


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
