"""Tests of lstmshape.read.sources: where every setting of a read config came from.

Through helpers.run on tests/real_configs/nemo_rnnt.yaml with the --from/--set arguments of its
case in tests/golden/record_real_configs.py: `infer --format json` gives each setting's value and
its origin (a path in the user's file with line and column, the --set option, or the default),
and the table shows the same; a plain config (configs/basic.yaml) lists its sources in JSON but
prints no Sources table.
"""

from __future__ import annotations

import json

from helpers import REPO, recorder, run


RECORDER = recorder("record_real_configs")


REAL_CASES = {case["name"]: case for case in RECORDER.CASES}


def infer_json_of(path, *args, cwd=REPO):
    result = run("infer", path, *args, "--format", "json", cwd=cwd)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


def test_sources_name_the_users_lines_the_options_and_defaults():
    doc = infer_json_of("tests/real_configs/nemo_rnnt.yaml", *REAL_CASES["nemo_rnnt"]["args"])
    sources = doc["sources"]
    name = "tests/real_configs/nemo_rnnt.yaml"
    assert sources["lstm.hidden_size"] == {"value": 640, "from": "model.encoder.d_model", "file": name,
                                           "line": 20, "column": 14}
    assert sources["lstm.num_layers"] == {"value": 4, "from": "model.encoder.n_layers", "file": name,
                                          "line": 19, "column": 15}
    assert sources["lstm.proj_size"]["from"] == "model.encoder.proj_size"  # the interpolation ${.half}
    assert sources["lstm.input_size"] == {"value": 128, "from": "--set lstm.input_size=128", "file": "--set",
                                          "line": 1, "column": 17}
    assert sources["lstm.bias"] == {"value": True, "from": "default"}
    table = run("infer", name, *REAL_CASES["nemo_rnnt"]["args"], cwd=REPO, env={"NO_COLOR": "1"}).stdout
    assert "│ lstm.hidden_size   │ 640   │ model.encoder.d_model at tests/real_configs/nemo_rnnt.yaml:20:14" in table
    assert "│ lstm.input_size    │ 128   │ --set lstm.input_size=128" in table


def test_plain_configs_list_their_sources_too():
    doc = infer_json_of("configs/basic.yaml")
    assert doc["sources"]["lstm.hidden_size"]["from"] == "lstm.hidden_size"
    assert "Sources" not in run("infer", "configs/basic.yaml", cwd=REPO).stdout
