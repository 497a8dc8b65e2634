"""lstmshape.frameworks.translation and each Framework's `translating`: what `infer --as` asks of a
framework instead of comparing its name, held against the framework's own keys and the translation
it produces."""

from __future__ import annotations

import itertools

import pytest

from lstmshape.frameworks import DEFAULT, FRAMEWORKS, KERAS, ONNX, TORCH, of
from lstmshape.frameworks.translation import BEFORE, STEPS
from lstmshape.read import parse_text
from lstmshape.settings import CELLS, Config
from lstmshape.translate import translate

CONFIGS = {
    "torch": "lstm: {input_size: 10, hidden_size: 20, num_layers: 2, bidirectional: true, cell: gru}\n",
    "keras": "framework: keras\nlstm: {input_dim: 10, units: 20, num_layers: 2, bidirectional: true, cell: gru}\n",
    "onnx": "framework: onnx\nlstm: {input_size: 10, hidden_size: 20, num_layers: 2, direction: bidirectional, "
            "cell: gru, linear_before_reset: 1}\n",
}


def read(name: str) -> Config:
    config, problems = parse_text(CONFIGS[name])
    assert config is not None, problems
    return config


def test_every_ordered_pair_of_frameworks_has_its_steps():
    pairs = set(itertools.permutations(FRAMEWORKS, 2))
    assert set(STEPS) == pairs
    assert set(BEFORE) <= pairs
    assert all(callable(step) for steps in (*STEPS.values(), *BEFORE.values()) for step in steps)


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_describe_speaks_for_every_framework_alike(name):
    """The framework-free description: the same sizes, direction and cell from each framework's words."""
    spec = of(name).translating.describe(read(name).blocks[0])
    assert spec["source"] == name
    assert (spec["cell"], spec["input"], spec["hidden"], spec["layers"], spec["direction"]) == \
        ("gru", 10, 20, 2, "bidirectional")
    assert spec["reset_after"] is True  # torch's GRU; Keras' default; ONNX's linear_before_reset 1


@pytest.mark.parametrize("name", ["torch", "onnx"])
def test_build_gives_back_the_block_described(name):
    block = read(name).blocks[0]
    assert of(name).translating.build(of(name).translating.describe(block)) == block


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_the_reset_key_is_a_key_of_the_framework(name):
    fw = of(name)
    key = fw.translating.reset_key
    if key is None:  # torch: only the reset after the recurrent matmul
        assert fw.translating.reset_words == ()
        assert not any(k.name in ("reset_after", "linear_before_reset") for k in fw.keys)
    else:
        assert key in {k.name for k in fw.keys} and len(fw.translating.reset_words) == 2
        assert fw.cell_only[key] == "gru"


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_a_framework_refuses_a_merge_exactly_when_it_has_no_merge_modes(name):
    fw = of(name)
    can_merge = "merge_mode" in fw.choices
    assert (fw.translating.merge_refusal is None) == can_merge
    assert (fw.translating.directions_split is None) == can_merge


@pytest.mark.parametrize("source,target", sorted(itertools.permutations(FRAMEWORKS, 2)))
def test_a_gru_reaches_every_other_framework(source, target):
    """The translation ends in the target's own settings class, the cell and sizes kept."""
    translated, problems = translate(read(source), target)
    assert translated is not None, problems
    block = translated.blocks[0]
    assert translated.framework == target
    assert type(block) is type(read(target).blocks[0])
    assert block.cell == "gru" and block.num_layers == 2
    assert of(target).translating.describe(block)["hidden"] == 20


def test_torch_refuses_the_reset_before_the_matmul_in_the_sources_own_words():
    for name, key, word in (("keras", "reset_after", "false"), ("onnx", "linear_before_reset", "0")):
        text = CONFIGS[name].replace("linear_before_reset: 1", "linear_before_reset: 0") if name == "onnx" else \
            CONFIGS[name].replace("cell: gru", "cell: gru, reset_after: false")
        config, _ = parse_text(text)
        translated, problems = translate(config, "torch")
        assert translated is None
        errors = [p for p in problems if p.is_error]
        assert [p.code for p in errors] == ["LS201"]
        assert errors[0].message.startswith(f"{key} {word} has no equivalent in torch.nn.GRU, which applies the "
                                            "reset gate after the recurrent matmul")


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_the_cell_switch_names_a_cell(name):
    cell_names = of(name).cell_names
    assert all(cell in CELLS and implied in (None, "tanh", "relu") for cell, implied in cell_names.values())
    assert all(cell_names[cell] == (cell, None) for cell in CELLS)


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_mapping_aliases_name_the_frameworks_own_keys(name):
    fw = of(name)
    assert fw.mapping_aliases["neurons"] == fw.hidden_key
    assert set(fw.mapping_aliases.values()) <= {k.name for k in fw.keys}


@pytest.mark.parametrize("name", FRAMEWORKS)
def test_unbatched_input_is_read_where_the_framework_takes_it(name):
    config, problems = parse_text(CONFIGS[name] + "data: {unbatched: true, seq_len: 5}\n")
    assert (config is not None) == of(name).takes_unbatched, problems
    if not of(name).takes_unbatched:
        assert [p.message for p in problems] == [f"{name} has no unbatched input: {of(name).input_name} is always "
                                                 "3-D; use batch_size 1"]


def test_the_default_framework_is_the_one_a_config_without_framework_gets():
    assert DEFAULT is TORCH and Config.framework == DEFAULT.name
    assert read("torch").framework == DEFAULT.name


def test_what_each_framework_calls_a_block():
    assert (TORCH.unit, KERAS.unit, ONNX.unit) == ("module", "layer", "node")
    assert TORCH.reads_around and not KERAS.reads_around and not ONNX.reads_around
