"""lstmshape.frameworks: every framework fills in the whole Framework interface, and the rest of
the package reaches a framework only through it."""

from __future__ import annotations

import dataclasses

import pytest

from lstmshape import rules
from lstmshape.frameworks import FRAMEWORKS, KERAS, ONNX, TORCH, Framework, infer, of
from lstmshape.frameworks.context import RuleContext
from lstmshape.read import parse_text
from lstmshape.settings import CELLS, FRAMEWORKS as FRAMEWORK_NAMES

CONFIGS = {
    "torch": "lstm: {input_size: 10, hidden_size: 20, bidirectional: true}\n",
    "keras": "framework: keras\nlstm: {input_dim: 10, units: 20, bidirectional: true}\n",
    "onnx": "framework: onnx\nlstm: {input_size: 10, hidden_size: 20, direction: bidirectional}\n",
}


def test_the_registry_holds_every_framework_a_config_may_name():
    assert tuple(FRAMEWORKS) == FRAMEWORK_NAMES == ("torch", "keras", "onnx")
    assert [of(name) for name in FRAMEWORKS] == [TORCH, KERAS, ONNX]
    assert all(fw.name == name for name, fw in FRAMEWORKS.items())
    with pytest.raises(KeyError):
        of("jax")


@pytest.mark.parametrize("name", list(FRAMEWORKS))
def test_every_framework_has_every_attribute(name):
    fw = of(name)
    for field in dataclasses.fields(Framework):
        value = getattr(fw, field.name)
        assert value is not None, field.name
    names = {n for key in fw.keys for n in (key.name, *key.aliases)}
    assert fw.input_key in names and fw.hidden_key in names
    assert set(fw.choices) <= names and set(fw.cell_only) <= names and not set(fw.foreign) & names
    assert set(fw.cell_only.values()) <= set(CELLS)
    assert fw.in_key in {k for sizes in fw.weighted.values() for k, _ in sizes}
    assert fw.out_key in {k for sizes in fw.weighted.values() for k, _ in sizes}
    assert set(fw.head_inputs) <= set(fw.expect_names) | {"last_step", "hn_last", "hn_concat"}
    assert issubclass(fw.context, RuleContext) and fw.context.framework is fw
    assert all(fw.module(cell).endswith(fw.cell_class(cell)) for cell in CELLS.values())
    assert fw.article in ("a", "an") and fw.label and fw.section_doc


@pytest.mark.parametrize("name", list(FRAMEWORKS))
def test_a_framework_reads_infers_and_checks_its_own_configs(name):
    fw = of(name)
    config, problems = parse_text(CONFIGS[name])
    assert problems == [] and config.framework == name
    (result,) = infer(config)
    assert result.framework == name
    block = config.blocks[0]
    assert getattr(block, fw.input_key) == 10 and getattr(block, fw.hidden_key) == 20
    assert fw.settings(dataclasses.asdict(block) if name != "keras" else
                       {**{k: v for k, v in dataclasses.asdict(block).items() if k != "arguments"},
                        **block.arguments._asdict()}) == block
    assert fw.handed_on(block) == 40  # two directions of 20 features each, concatenated
    context = rules.context_for(config)
    assert type(context) is fw.context and context.lengths_user == fw.lengths_user
    assert any(hasattr(module, fw.check) for module in rules.RULES.values())


def test_a_single_lstm_is_a_stack_of_one():
    config, _ = parse_text(CONFIGS["torch"])
    assert len(config.blocks) == 1 and not config.listed
    listed, _ = parse_text("lstm:\n  - {input_size: 10, hidden_size: 20, bidirectional: true}\n")
    assert listed.blocks == config.blocks and listed.listed
    for name in ("keras", "onnx"):
        config, _ = parse_text(CONFIGS[name])
        assert len(config.blocks) == 1 and not config.listed
    assert not hasattr(config, "lstm") and not hasattr(config, "stack")
