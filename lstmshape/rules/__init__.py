"""The rules of `lstmshape check`: one module per code, yamllint style.

Every module has `ID`, `NAME`, `SUMMARY`, `SEVERITY` and a docstring whose first line is the
summary and which holds a failing and a passing example (`lstmshape rules CODE` shows it; the tests
run both examples, so the docs cannot rot). Shape rules (LS100…) also have `check(context)`, a
generator of `Problem`s given a `RuleContext`, and `check_keras` / `check_onnx` where they apply to
keras and onnx configs (given their context, lstmshape.frameworks.keras / .onnx). Config codes (LS001–LS008) are found while
reading the file (lstmshape.read) and their modules only document them. LS009 judges the settings
alone (`STAGE = "config"`): `config_stage_problems` runs it for `infer` as well as for `check`.

Rules do arithmetic only: nothing is allocated, so `hidden_size: 10**40` is checked in microseconds.
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType

from ..codes import ALL
from ..frameworks import FRAMEWORKS as FRAMEWORK_OBJECTS
from ..frameworks import of
from ..frameworks.context import RuleContext
from ..problems import Problem
from ..settings import Config

# The registry, in code order. Adding a rule = adding a module here.
MODULES = (
    "ls001_invalid_yaml",
    "ls002_duplicate_key",
    "ls003_wrong_structure",
    "ls004_unknown_key",
    "ls005_missing_key",
    "ls006_conflicting_alias",
    "ls007_wrong_type",
    "ls008_out_of_range",
    "ls009_dropout_single_layer",
    "ls010_unused_batch_size",
    "ls011_unresolved_value",
    "ls013_input_shape_rank",
    "ls014_keras_2_argument",
    "ls015_unknown_activation",
    "ls016_unread_size_key",
    "ls100_stack_input_size",
    "ls101_head_in_features",
    "ls102_head_chain",
    "ls103_hn_concat_unidirectional",
    "ls104_hn_last_bidirectional",
    "ls105_last_step_bidirectional",
    "ls106_lengths_count",
    "ls107_lengths_range",
    "ls108_last_step_padding",
    "ls109_stack_layout",
    "ls110_expect_shape",
    "ls111_state_batch_first",
    "ls112_output_features",
    "ls113_proj_size_confusion",
    "ls114_silent_state_transpose",
    "ls115_silent_input_transpose",
    "ls116_packed_output_length",
    "ls117_no_cell_state",
    "ls118_not_returned",
    "ls119_keras_input_ndim",
    "ls120_onnx_y_rank",
    "ls121_lengths_without_sequence_lens",
    "ls122_sequence_lens_without_lengths",
    "ls123_dense_per_time_step",
    "ls124_head_reshape",
    "ls125_head_rank",
    "ls126_input_shape_mismatch",
    "ls127_stateful_batch",
    "ls128_batch_shape_unchecked",
    "ls129_stateful_bidirectional_state",
    "ls130_join_input_size",
    "ls131_join_in_features",
    "ls132_merge_unidirectional",
    "ls133_lengths_unsorted",
    "ls134_partial_last_batch",
    "ls135_empty_epoch",
    "ls136_decoder_state_layers",
    "ls137_decoder_directions_as_layers",
    "ls138_decoder_state_size",
    "ls139_bridge_in_features",
    "ls203_no_effect",
    "ls205_stack_2d_input",
)

__all__ = ["FRAMEWORKS", "STAGES", "RuleContext", "all_examples", "all_rules", "config_stage_problems",
           "context_for", "declaration_errors", "examples", "rule", "rules_for", "run_rules", "stage"]


ALL_FRAMEWORKS = ("torch", "keras", "onnx")
# The configs each rule module judges where not torch's alone (each has a `check_keras` /
# `check_onnx` for them, see CHECKS); () for a module that only documents a code the reader finds.
# `check` imports only the modules of the config's framework: a torch config never loads the Keras
# or ONNX rules, nor their engines (start-up). tests/test_framework_checks.py holds this table
# against the functions each module has.
FRAMEWORKS = {
    "ls013_input_shape_rank": (),
    "ls014_keras_2_argument": (),
    "ls015_unknown_activation": (),
    "ls016_unread_size_key": (),
    "ls100_stack_input_size": ALL_FRAMEWORKS,
    "ls101_head_in_features": ALL_FRAMEWORKS,
    "ls102_head_chain": ALL_FRAMEWORKS,
    "ls106_lengths_count": ALL_FRAMEWORKS,
    "ls107_lengths_range": ALL_FRAMEWORKS,
    "ls110_expect_shape": ALL_FRAMEWORKS,
    "ls118_not_returned": ("keras", "onnx"),
    "ls119_keras_input_ndim": ("keras",),
    "ls120_onnx_y_rank": ("onnx",),
    "ls121_lengths_without_sequence_lens": ("onnx",),
    "ls122_sequence_lens_without_lengths": ("onnx",),
    "ls123_dense_per_time_step": ("keras",),
    "ls124_head_reshape": ("keras", "onnx"),
    "ls125_head_rank": ("keras", "onnx"),
    "ls126_input_shape_mismatch": ("keras",),
    "ls127_stateful_batch": ("keras",),
    "ls128_batch_shape_unchecked": ("keras",),
    "ls129_stateful_bidirectional_state": ("keras",),
    "ls205_stack_2d_input": (),
}
# The rules of the model around the LSTM judge parts few configs have (joins between blocks, a
# decoder, the DataLoader, enforce_sorted): imported only for a config that has one, so that
# `check` on a plain config starts as fast as before them.
AROUND = tuple(name for name in MODULES if "ls130" <= name < "ls140")


def all_rules() -> list[ModuleType]:
    """Every rule module, in code order."""
    return [importlib.import_module(f"{__name__}.{name}") for name in MODULES]


def has_around(config: Config) -> bool:
    data = config.data
    return bool(config.joins) or config.decoder is not None or data.enforce_sorted is not None \
        or data.dataset_size is not None


def rules_for(config: Config) -> list[ModuleType]:
    """The rule modules that can have something to say about `config`, in code order: those about
    its framework (FRAMEWORKS), the model-around rules only when it has a part they judge."""
    around = has_around(config)
    return [importlib.import_module(f"{__name__}.{name}") for name in MODULES
            if config.framework in FRAMEWORKS.get(name, ("torch",)) and (around or name not in AROUND)]


def rule(code: str) -> ModuleType | None:
    for name in MODULES:
        if name[:5] == code.lower():
            return importlib.import_module(f"{__name__}.{name}")
    return None


# When a rule runs: "model" (the default) in `check` once the config is read, "config" on the
# settings alone (config_stage_problems, for `infer` too).
STAGES = ("model", "config")


def stage(module: ModuleType) -> str:
    """The rule's STAGE; one no stage has would leave the rule never run, so it is a bug, raised."""
    value = getattr(module, "STAGE", "model")
    if value not in STAGES:
        raise ValueError(f"{module.__name__}: STAGE {value!r} is not one of {', '.join(STAGES)}")
    return value


def declaration_errors(name: str, module: ModuleType) -> list[str]:
    """What makes a rule module run other than as it says: a STAGE no stage has, or check functions
    (each Framework's `check`) for other frameworks than FRAMEWORKS lists for it (absent there: torch's alone); () or
    torch's for a module with no check, which only documents a code the reader finds."""
    errors = []
    try:
        stage(module)
    except ValueError as exc:
        errors.append(str(exc))
    has = tuple(fw.name for fw in FRAMEWORK_OBJECTS.values() if getattr(module, fw.check, None) is not None)
    listed = FRAMEWORKS.get(name, ("torch",))
    if has != listed and (has or listed not in ((), ("torch",))):
        errors.append(f"{name}: has checks for {', '.join(has) or 'no framework'}, "
                      f"but FRAMEWORKS runs it for {', '.join(listed) or 'none'}")
    return errors


def context_for(config: Config) -> RuleContext:
    """The RuleContext of a config's framework."""
    return of(config.framework).context(config)


def run_rules(config: Config) -> list[Problem]:
    """Every shape rule's problems for one valid config (config-stage rules run apart, see
    `config_stage_problems`), each rule checked in the config framework's own terms: by the
    function its Framework names (a rule with no such function does not apply to it)."""
    framework = of(config.framework)
    context = framework.context(config)
    out: list[Problem] = []
    for module in rules_for(config):
        check = getattr(module, framework.check, None)
        if check is not None and stage(module) == "model":
            out.extend(check(context))
    return out


def config_stage_problems(config: Config) -> list[Problem]:
    """The rules about the settings alone (LS009), which `infer` reports too."""
    framework = of(config.framework)
    context = framework.context(config)
    return [p for module in rules_for(config) if stage(module) == "config"
            for p in getattr(module, framework.check, lambda context: ())(context)]


# compiled on first use (re caches it), not at import: `check` never reads the examples
_EXAMPLE = r"^(Failing|Passing) example(?: \((\w+)\))?::\n\n((?:(?:    .*)?\n)+)"


def all_examples(module: ModuleType) -> list[tuple[str, str, str]]:
    """Every example of the rule's docstring, in order: (kind, framework label, yaml), the
    label "" for torch's and e.g. "Keras" for `Failing example (Keras)::`."""
    import textwrap

    return [(kind.lower(), label, textwrap.dedent(body).strip("\n") + "\n")
            for kind, label, body in re.findall(_EXAMPLE, module.__doc__ + "\n", re.M)]


def examples(module: ModuleType) -> dict[str, str]:
    """{"failing": yaml, "passing": yaml} from the rule's docstring: its first of each kind."""
    out: dict[str, str] = {}
    for kind, _, text in all_examples(module):
        out.setdefault(kind, text)
    return out
