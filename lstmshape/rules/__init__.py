"""The rules of `lstmshape check`: one module per code, registered by importing it, yamllint's way.

Every module has `ID`, `NAME`, `SUMMARY`, `SEVERITY`, a docstring whose first line is the summary
and which holds a failing and a passing example (`lstmshape rules CODE` shows it; the tests run
both examples, so the docs cannot rot), and a check function per framework it judges: `check`
for torch configs, `check_keras` and `check_onnx` for Keras and ONNX ones (each Framework's `check`, lstmshape.frameworks), each a
generator of `Problem`s given that framework's context. A rule judges exactly the frameworks it
has a check function for. LS009 and LS010 judge the settings alone (`STAGE = "config"`):
`config_stage_problems` runs them for `infer` as well as for `check`.

The codes the reader finds while reading a file (LS001–LS008, LS011, LS013–LS016, LS203, LS205)
have no rule module: they are documented in the code table, lstmshape.codes, with examples the
tests run like a rule's; `documentation(code)` gives either.

Rules do arithmetic only: nothing is allocated, so `hidden_size: 10**40` is checked in microseconds.
"""

from __future__ import annotations

import re
from types import ModuleType

from ..codes import Code
from ..frameworks import FRAMEWORKS, of
from ..problems import Problem
from ..settings import Config
from . import (
    ls009_dropout_single_layer,
    ls010_unused_batch_size,
    ls100_stack_input_size,
    ls101_head_in_features,
    ls102_head_chain,
    ls103_hn_concat_unidirectional,
    ls104_hn_last_bidirectional,
    ls105_last_step_bidirectional,
    ls106_lengths_count,
    ls107_lengths_range,
    ls108_last_step_padding,
    ls109_stack_layout,
    ls110_expect_shape,
    ls111_state_batch_first,
    ls112_output_features,
    ls113_proj_size_confusion,
    ls114_silent_state_transpose,
    ls115_silent_input_transpose,
    ls116_packed_output_length,
    ls117_no_cell_state,
    ls118_not_returned,
    ls119_keras_input_ndim,
    ls120_onnx_y_rank,
    ls121_lengths_without_sequence_lens,
    ls122_sequence_lens_without_lengths,
    ls123_dense_per_time_step,
    ls124_head_reshape,
    ls125_head_rank,
    ls126_input_shape_mismatch,
    ls127_stateful_batch,
    ls128_batch_shape_unchecked,
    ls129_stateful_bidirectional_state,
    ls130_join_input_size,
    ls131_join_in_features,
    ls132_merge_unidirectional,
    ls133_lengths_unsorted,
    ls134_partial_last_batch,
    ls135_empty_epoch,
    ls136_decoder_state_layers,
    ls137_decoder_directions_as_layers,
    ls138_decoder_state_size,
    ls139_bridge_in_features,
    ls140_state_structure,
    ls141_target_shape,
)
from ..frameworks.context import RuleContext

__all__ = ["CHECKS", "RULES", "STAGES", "RuleContext", "all_examples", "config_stage_problems", "context_for",
           "declaration_errors", "documentation", "rule", "run_rules", "stage"]

# Every rule, by code, in code order. Adding a rule = importing its module above and listing it here
# (tests/rules/test___init__.py holds this against the files of this package).
RULES: dict[str, ModuleType] = {module.ID: module for module in (
    ls009_dropout_single_layer,
    ls010_unused_batch_size,
    ls100_stack_input_size,
    ls101_head_in_features,
    ls102_head_chain,
    ls103_hn_concat_unidirectional,
    ls104_hn_last_bidirectional,
    ls105_last_step_bidirectional,
    ls106_lengths_count,
    ls107_lengths_range,
    ls108_last_step_padding,
    ls109_stack_layout,
    ls110_expect_shape,
    ls111_state_batch_first,
    ls112_output_features,
    ls113_proj_size_confusion,
    ls114_silent_state_transpose,
    ls115_silent_input_transpose,
    ls116_packed_output_length,
    ls117_no_cell_state,
    ls118_not_returned,
    ls119_keras_input_ndim,
    ls120_onnx_y_rank,
    ls121_lengths_without_sequence_lens,
    ls122_sequence_lens_without_lengths,
    ls123_dense_per_time_step,
    ls124_head_reshape,
    ls125_head_rank,
    ls126_input_shape_mismatch,
    ls127_stateful_batch,
    ls128_batch_shape_unchecked,
    ls129_stateful_bidirectional_state,
    ls130_join_input_size,
    ls131_join_in_features,
    ls132_merge_unidirectional,
    ls133_lengths_unsorted,
    ls134_partial_last_batch,
    ls135_empty_epoch,
    ls136_decoder_state_layers,
    ls137_decoder_directions_as_layers,
    ls138_decoder_state_size,
    ls139_bridge_in_features,
    ls140_state_structure,
    ls141_target_shape,
)}


def rule(code: str) -> ModuleType | None:
    """The rule module that reports `code` (LS101, ls101); None for a code only the reader, `infer
    --as` or `check --weights` reports."""
    return RULES.get(code.upper())


def documentation(code: Code) -> str:
    """What `lstmshape rules CODE`, the docs site and SARIF show for a code: its rule module's
    docstring, or the code's own doc (lstmshape.codes) for a code no rule module reports."""
    module = rule(code)
    return (module.__doc__ if module is not None else code.doc).strip()


# When a rule runs: "model" (the default) in `check` once the config is read, "config" on the
# settings alone (config_stage_problems, for `infer` too).
STAGES = ("model", "config")


def stage(module: ModuleType) -> str:
    """The rule's STAGE; one no stage has would leave the rule never run, so it is a bug, raised."""
    value = getattr(module, "STAGE", "model")
    if value not in STAGES:
        raise ValueError(f"{module.__name__}: STAGE {value!r} is not one of {', '.join(STAGES)}")
    return value


# The function a rule module checks each framework's configs with (each Framework's `check`): a
# rule that has no check for a framework (no `check_keras`) does not apply to it.
CHECKS = tuple(framework.check for framework in FRAMEWORKS.values())


def declaration_errors(module: ModuleType) -> list[str]:
    """What would make a rule module run other than it looks: a STAGE no stage has, no check
    function for any framework, or a `check_…` function no framework calls (`check_kears`)."""
    errors = []
    try:
        stage(module)
    except ValueError as exc:
        errors.append(str(exc))
    called = {id(getattr(module, name)) for name in CHECKS if callable(getattr(module, name, None))}
    if not called:
        errors.append(f"{module.__name__}: no check function ({', '.join(CHECKS)}): it never runs")
    errors += [f"{module.__name__}: {name} is not one of {', '.join(CHECKS)}: it never runs"
               for name, value in vars(module).items()
               if name.startswith("check_") and callable(value) and id(value) not in called]
    return errors


def context_for(config: Config) -> RuleContext:
    """The RuleContext of a config's framework."""
    return of(config.framework).context(config)


def run_rules(config: Config) -> list[Problem]:
    """Every shape rule's problems for one valid config (config-stage rules run apart, see
    `config_stage_problems`), each rule that has a check for the config's framework checking it in
    that framework's own terms."""
    framework = of(config.framework)
    context = framework.context(config)
    return [problem for module in RULES.values() if hasattr(module, framework.check) and stage(module) == "model"
            for problem in getattr(module, framework.check)(context)]


def config_stage_problems(config: Config) -> list[Problem]:
    """The rules about the settings alone (LS009, LS010), which `infer` reports too: for the
    frameworks they have a check function for."""
    framework = of(config.framework)
    context = framework.context(config)
    return [problem for module in RULES.values() if hasattr(module, framework.check) and stage(module) == "config"
            for problem in getattr(module, framework.check)(context)]


# compiled on first use (re caches it), not at import: `check` never reads the examples
_EXAMPLE = r"^(Failing|Passing) example(?: \((\w+)\))?::\n\n((?:(?:    .*)?\n)+)"


def all_examples(code: Code) -> list[tuple[str, str, str]]:
    """Every example of the code's documentation, in order: (kind, framework label, yaml), the
    label "" for torch's and e.g. "Keras" for `Failing example (Keras)::`."""
    import textwrap

    return [(kind.lower(), label, textwrap.dedent(body).strip("\n") + "\n")
            for kind, label, body in re.findall(_EXAMPLE, documentation(code) + "\n", re.M)]

