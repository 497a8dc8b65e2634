"""`infer --format json`: the stable, documented structure (keys are only ever added)."""

from __future__ import annotations

import json
import re
from typing import TextIO

from ..config import Config
from ..shapes import Inference


def result_json(result: Inference, verification=None) -> dict:
    lstm = result.lstm
    doc = {
        "batch_first": lstm.batch_first,
        "bidirectional": lstm.bidirectional,
        "num_layers": lstm.num_layers,
        "proj_size": lstm.proj_size,
        "unbatched": result.data.unbatched,
        "shapes": {t.name: list(t.shape) for t in result.tensors},
        "params": {p.name: list(p.shape) for p in result.params},
        "num_params": result.num_params,
        "bytes": {t.name: t.nbytes.value for t in result.tensors} | {"params": 4 * result.num_params},
        "macs": result.macs.value,
    }
    if getattr(result, "block", None) is not None:  # a stack of LSTMs: which block
        doc["block"] = result.block
    if verification is not None:
        doc["verified"] = verification.verified
        doc["observed"] = {name: list(shape) for name, shape in verification.observed.items()}
        doc["run_at"] = verification.run_at
        doc["verify_note"] = verification.note
    return doc


class JsonReporter:
    def __init__(self, stream: TextIO, explain: bool = False):
        self.stream = stream

    def report(self, config: Config, results: list[Inference], verifications: list | None = None) -> None:
        from .frameworks import is_framework_result, json_report

        if is_framework_result(results):  # keras / onnx results
            return json_report(self.stream, config, results)
        checks = verifications or [None] * len(results)
        doc = {"config": config.path, "framework": "torch",
               "results": [result_json(r, v) for r, v in zip(results, checks)]}
        self.stream.write(dumps(doc) + "\n")


_FLAT_LIST = re.compile(r"\[\s+([^\[\]{}]*?)\s+\]")


def dumps(doc: dict) -> str:
    """Indented JSON with each shape on one line: `"hn": [4, 32, 20]`."""
    text = json.dumps(doc, indent=2)
    return _FLAT_LIST.sub(lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)
