"""Re-record tests/golden/real_configs.json from torch.nn.LSTM itself (run by hand).

    python tests/golden/record_real_configs.py

Each case is a training config in the shape real projects write (tests/real_configs/ and
configs/foreign/, kept byte for byte as they are), the --from/--set options that map it, and the
torch.nn.LSTM the project's model code builds from those numbers (its constructor arguments,
written out by hand from what that kind of model code does). The recorder builds that module and
stores its state_dict shapes and parameter count; tests/read/test_mapping.py holds
`lstmshape infer --format json` of the mapped config against them (and against live torch).
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).with_name("real_configs.json")

CASES = [
    {   # ESPnet1 RNN encoder: torch.nn.LSTM(idim, eunits, elayers, batch_first=True, bidirectional=True)
        # for etype blstm; idim (83: fbank + pitch) comes from the data, not the config
        "name": "espnet_asr",
        "file": "tests/real_configs/espnet_asr.yaml",
        "args": ["--from", "lstm.hidden_size=eunits", "--from", "lstm.num_layers=elayers",
                 "--set", "lstm.input_size=83", "--set", "lstm.bidirectional=true", "--set", "lstm.batch_first=true"],
        "torch": {"input_size": 83, "hidden_size": 512, "num_layers": 3, "bidirectional": True, "batch_first": True},
    },
    {   # HyperPyYAML: rnn: !new:torch.nn.LSTM with its arguments as !ref
        "name": "speechbrain_lm",
        "file": "tests/real_configs/speechbrain_lm.yaml",
        "args": ["--from", "lstm=rnn"],
        "torch": {"input_size": 128, "hidden_size": 512, "num_layers": 2, "batch_first": True, "dropout": 0.15},
    },
    {   # Hydra/NeMo: encoder under model.encoder; stacking subsampling ×2 makes the input 2 × 64
        "name": "nemo_rnnt",
        "file": "tests/real_configs/nemo_rnnt.yaml",
        "args": ["--from", "lstm=model.encoder", "--from", "lstm.hidden_size=model.encoder.d_model",
                 "--set", "lstm.input_size=128", "--set", "lstm.batch_first=true"],
        "torch": {"input_size": 128, "hidden_size": 640, "num_layers": 4, "proj_size": 320, "batch_first": True,
                  "dropout": 0.1},
    },
    {   # deepspeech.pytorch-style: rnn_type / hidden_size / hidden_layers under model; the first
        # RNN's input is the convolutions' output (1312 features for 20 ms windows at 16 kHz)
        "name": "deepspeech_style",
        "file": "tests/real_configs/deepspeech_style.yaml",
        "args": ["--from", "lstm=model", "--from", "data.batch_size=data.batch_size", "--set", "lstm.input_size=1312"],
        "torch": {"input_size": 1312, "hidden_size": 768, "num_layers": 3, "bidirectional": True},
    },
    {   # plain JSON: the model section, the training section as data
        "name": "forecast_json",
        "file": "tests/real_configs/forecast.json",
        "args": ["--from", "lstm=model", "--from", "data=training"],
        "torch": {"input_size": 7, "hidden_size": 64, "num_layers": 2, "batch_first": True, "dropout": 0.2},
    },
    {   # Lightning-style: model.encoder
        "name": "encoder_section",
        "file": "configs/foreign/encoder_section.yaml",
        "args": ["--from", "lstm=model.encoder", "--from", "data.batch_size=data.batch_size"],
        "torch": {"input_size": 80, "hidden_size": 320, "num_layers": 3, "bidirectional": True, "dropout": 0.1},
    },
    {   # flat Hydra-style: the root itself, one value an interpolation
        "name": "flat_hydra",
        "file": "configs/foreign/flat_hydra.yaml",
        "args": ["--from", "lstm=."],
        "torch": {"input_size": 40, "hidden_size": 256, "num_layers": 2},
    },
    {   # ESPnet2 Tacotron2 encoder: torch.nn.LSTM(econv_chans, eunits // 2, elayers, batch_first=True,
        # bidirectional=True): eunits is the size summed over both directions
        "name": "tacotron_style",
        "file": "configs/foreign/tacotron_style.yaml",
        "args": ["--from", "lstm.input_size=tts_conf.econv_chans", "--from", "lstm.total_hidden_size=tts_conf.eunits",
                 "--from", "lstm.num_layers=tts_conf.elayers", "--set", "lstm.bidirectional=true",
                 "--set", "lstm.batch_first=true"],
        "torch": {"input_size": 512, "hidden_size": 256, "num_layers": 1, "bidirectional": True, "batch_first": True},
    },
]


def record(case: dict) -> dict:
    """The state_dict shapes and parameter count of the module the project builds."""
    import torch

    module = torch.nn.LSTM(**case["torch"])
    return {"params": {name: list(t.shape) for name, t in module.state_dict().items()},
            "num_params": sum(p.numel() for p in module.parameters())}


def main() -> None:
    golden = {case["name"]: record(case) for case in CASES}
    OUT.write_text(json.dumps(golden, indent=1) + "\n")
    print(f"wrote {OUT} ({len(golden)} cases)")


if __name__ == "__main__":
    main()
