"""The rules of `lstmshape check`: one module per code, yamllint style.

Every module has `ID`, `NAME`, `SUMMARY`, `SEVERITY` and a docstring whose first line is the
summary and which holds a failing and a passing example (`lstmshape rules CODE` shows it; the tests
run both examples, so the docs cannot rot). Shape rules (LS100…) also have `check(context)`, a
generator of `Problem`s given a `RuleContext`. Config codes (LS001–LS008) are found while
reading the file (lstmshape.read) and their modules only document them. LS009 judges the settings
alone (`STAGE = "config"`): `config_stage_problems` runs it for `infer` as well as for `check`.

Rules do arithmetic only: nothing is allocated, so `hidden_size: 10**40` is checked in microseconds.
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType

from ..codes import ALL
from ..problems import Problem
from ..settings import Config
from .context import RuleContext

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
    "ls204_unchecked_section",
    "ls205_stack_2d_input",
)

# The configs each rule module judges, where not torch's: `check` imports only the modules of the
# config's framework, so a torch config never loads the Keras rules (start-up). () for a module that
# only documents a code the reader finds
FRAMEWORKS = {
    "ls013_input_shape_rank": (),
    "ls014_keras_2_argument": (),
    "ls015_unknown_activation": (),
    "ls100_stack_input_size": ("torch", "keras", "onnx"),
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


def has_around(config: Config) -> bool:
    data = config.data
    return bool(config.joins) or config.decoder is not None or data.enforce_sorted is not None \
        or data.dataset_size is not None

__all__ = ["RuleContext", "all_rules", "rule", "run_rules", "config_stage_problems", "examples", "markdown"]


def all_rules() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{name}") for name in MODULES]


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


def run_rules(config: Config) -> list[Problem]:
    """Every shape rule's problems for one valid config (config-stage rules run apart, see
    `config_stage_problems`), for the rules about the config's framework (FRAMEWORKS)."""
    context = RuleContext(config)
    out: list[Problem] = []
    for module in rules_for(config):
        if getattr(module, "check", None) is not None and getattr(module, "STAGE", "model") == "model":
            out.extend(module.check(context))
    return out


def config_stage_problems(config: Config) -> list[Problem]:
    """The rules about the settings alone (LS009), which `infer` reports too."""
    if config.framework != "torch":
        return []
    context = RuleContext(config)
    return [p for module in rules_for(config) if getattr(module, "STAGE", "model") == "config"
            for p in module.check(context)]


_EXAMPLE = re.compile(r"^(Failing|Passing) example(?: \((\w+)\))?::\n\n((?:(?:    .*)?\n)+)", re.M)


def examples(module: ModuleType) -> dict[str, str]:
    """{"failing": yaml, "passing": yaml} from the rule's docstring, plus "failing keras",
    "passing onnx", ... for the examples labelled with a framework (`Failing example (keras)::`)."""
    import textwrap

    out = {}
    for kind, label, body in _EXAMPLE.findall(module.__doc__ + "\n"):
        out[kind.lower() + (f" {label}" if label else "")] = textwrap.dedent(body).strip("\n") + "\n"
    return out


def markdown() -> str:
    """The codes reference in README (regenerate: python -c 'from lstmshape.rules import markdown; print(markdown())'):
    every rule with its examples, and the codes of `infer --as`."""
    from textwrap import dedent

    out = ["| code | name | severity | summary |", "|---|---|---|---|"]
    for code in ALL:
        summary = code.summary.replace("|", "\\|")
        out.append(f"| `{code}` | {code.name} | {code.severity} | {summary} |")
    out.append("")
    for code in ALL:
        module = rule(code)
        doc = module.__doc__ if module is not None else code.doc
        paragraphs = doc.strip().split("\n\n")[1:]
        body = [" ".join(p.split()) for p in paragraphs
                if not p.startswith(("Failing example", "Passing example", "Example:", "    "))]
        out.append(f"#### `{code}` {code.name} ({code.severity})\n")
        out.append(f"{code.summary}\n")
        out += [p + "\n" for p in body]
        if module is not None:
            for kind, text in examples(module).items():
                label = kind.split(" ", 1)[1:]
                head = ("Fails" if kind.startswith("failing") else "Passes") + (f" ({label[0]})" if label else "")
                out.append(f"{head}:\n\n```yaml\n" + text + "```\n")
        elif "Example: " in code.doc:
            command, text = code.doc.split("Example: ", 1)[1].split("::\n\n", 1)
            out.append(f"Example, {command}:\n\n```text\n" + dedent(text).strip("\n") + "\n```\n")
    return "\n".join(out)
