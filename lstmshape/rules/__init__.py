"""The rules of `lstmshape check`: one module per code, yamllint style.

Every module has `ID`, `NAME`, `SUMMARY`, `SEVERITY` and a docstring whose first line is the
summary and which holds a failing and a passing example (`lstmshape rules CODE` shows it; the tests
run both examples, so the docs cannot rot). Shape rules (LS100…) also have `check(model)`, a
generator of `Problem`s; config codes (LS001–LS009) are found while reading the file and their
modules only document them, except LS009, whose check runs on reading (`STAGE = "config"`) so that
`lstmshape infer` reports it too.

Rules do arithmetic only: nothing is allocated, so `hidden_size: 10**40` is checked in microseconds.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cached_property
from types import ModuleType
from typing import Iterator

from ..problems import ERROR, WARNING, Problem, json_path

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
    "ls203_no_effect",
)

__all__ = ["ERROR", "WARNING", "Model", "all_rules", "rule", "run_rules", "config_stage_problems"]


def all_rules() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{name}") for name in MODULES]


def rule(code: str) -> ModuleType | None:
    for name in MODULES:
        if name[:5] == code.lower():
            return importlib.import_module(f"{__name__}.{name}")
    return None


def run_rules(config) -> list[Problem]:
    """Every shape rule's problems for one valid config (config-stage rules already ran).
    The shape rules are torch.nn.LSTM's; keras and onnx configs get the config checks only."""
    if getattr(config, "framework", "torch") != "torch":
        return []
    model = Model(config)
    out: list[Problem] = []
    for module in all_rules():
        if getattr(module, "check", None) is not None and getattr(module, "STAGE", "model") == "model":
            out.extend(module.check(model))
    return out


def config_stage_problems(config) -> list[Problem]:
    model = Model(config)
    return [p for module in all_rules() if getattr(module, "STAGE", "model") == "config"
            for p in module.check(model)]


@dataclass
class Model:
    """What a rule sees: the config, each block's inferred shapes, and where things were written."""

    config: object  # lstmshape.config.Config

    @property
    def blocks(self):
        return self.config.stack

    @property
    def data(self):
        return self.config.data

    @property
    def stacked(self) -> bool:
        return len(self.blocks) > 1

    @cached_property
    def inferences(self):
        from ..shapes import infer_lstm

        return [infer_lstm(block, self.config.data) for block in self.blocks]

    def block_name(self, k: int) -> str:
        return f"lstm[{k}]" if self.config.blocks else "lstm"

    def block_parts(self, k: int) -> tuple:
        return ("lstm", k) if self.config.blocks else ("lstm",)

    def origin(self, k: int, key: str) -> tuple:
        """Where block k's setting `key` was written (its block, when the default applies)."""
        at = self.block_parts(k)
        return self.config.origins.get(at + (key,), at)

    def given(self, k: int, key: str) -> bool:
        return self.block_parts(k) + (key,) in self.config.origins

    def data_parts(self, key: str) -> tuple:
        return self.config.origins.get(("data", key), ("data",) if "data" in self.source_keys() else ())

    def source_keys(self) -> tuple:
        data = self.config.source.data if self.config.source is not None else {}
        return tuple(data) if isinstance(data, dict) else ()

    def expects(self, names: tuple[str, ...] | None = None) -> Iterator[tuple[int, str, tuple, tuple]]:
        """(block, tensor, expected shape, parts) for every `expect` entry."""
        for k, shapes in enumerate(self.config.expect):
            for name, shape in shapes.items():
                if names is None or name in names:
                    yield k, name, shape, self.config.origins[("expect", k, name)]

    def problem(self, parts: tuple, code: str, severity: str, message: str, key: bool = False) -> Problem:
        doc = self.config.source
        line, col = doc.mark(parts, key=key) if doc is not None else (1, 1)
        return Problem(self.config.path, line, col, code, severity, message, json_path(parts))


def n(value) -> str:
    """A size for a message: exact, but abbreviated past 60 digits (and never str()'s digit limit)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 199:
        digits = int(value.bit_length() * 0.30103) + 1
        return f"a {digits}-digit number"
    return str(value)


def shape(dims) -> str:
    return "(" + ", ".join(n(d) for d in dims) + ")"


def listed(dims) -> str:
    return "[" + ", ".join(n(d) for d in dims) + "]"


def features(block) -> str:
    """`40 features (num_directions 2 × hidden_size 20)`: the output feature size, explained."""
    name = "proj_size" if block.proj_size > 0 else "hidden_size"
    return f"{n(block.num_directions * block.h_out)} features (num_directions {block.num_directions} × {name} {n(block.h_out)})"


_EXAMPLE = re.compile(r"^(Failing|Passing) example::\n\n((?:(?:    .*)?\n)+)", re.M)


def examples(module: ModuleType) -> dict[str, str]:
    """{"failing": yaml, "passing": yaml} from the rule's docstring."""
    import textwrap

    out = {}
    for kind, body in _EXAMPLE.findall(module.__doc__ + "\n"):
        out[kind.lower()] = textwrap.dedent(body).strip("\n") + "\n"
    return out


def markdown() -> str:
    """The rules reference in README (regenerate: python -c 'from lstmshape.rules import markdown; print(markdown())')."""
    out = ["| code | name | severity | summary |", "|---|---|---|---|"]
    for m in all_rules():
        summary = m.SUMMARY.replace("|", "\\|")
        out.append(f"| `{m.ID}` | {m.NAME} | {m.SEVERITY} | {summary} |")
    out.append("")
    for m in all_rules():
        paragraphs = m.__doc__.strip().split("\n\n")[1:]
        body = [" ".join(p.split()) for p in paragraphs
                if not p.startswith(("Failing example::", "Passing example::", "    "))]
        ex = examples(m)
        out.append(f"#### `{m.ID}` {m.NAME} ({m.SEVERITY})\n")
        out.append(f"{m.SUMMARY}\n")
        out += [p + "\n" for p in body]
        out.append("Fails:\n\n```yaml\n" + ex["failing"] + "```\n")
        out.append("Passes:\n\n```yaml\n" + ex["passing"] + "```\n")
    return "\n".join(out)
