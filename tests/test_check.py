"""Tests of lstmshape.check: `lstmshape check` as a library (find, read, run the rules, report).

`check` as a gate, end to end through helpers.run: a file named is always checked, only
discovery (--skip-non-configs, a directory walk) skips YAML and JSON that is not an lstmshape
config, "OK" never stands for nothing checked (in every format), the project file is found from
each checked file's directory, and `infer` shows every problem `check` would. The shipped configs
and the held-out tests/golden/checks/*.yaml (each naming its codes on its first line) give their
codes at file:line:col. Hostile files through the real console script (helpers.run_script: a
diagnostic, exit 1, no traceback, nothing written, within 5 s), bombs bounded in process, and
property-based tests over random YAML and random bytes. A check never imports torch, keras or
onnx.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from helpers import (REPO, codes_written, documents, mutate, path_of, recorder, run, run_script, to_yaml, values)
from lstmshape.check import check_paths


NOT_CONFIGS = {
    "empty.yaml": (b"", "LS001", "file is empty"),
    "list.yaml": (b"- 1\n- 2\n", "LS003", "top level is a list"),
    "scalar.yaml": (b"42\n", "LS003", "top level is a scalar"),
    "invalid.yaml": (b"name: [ci\non: push\n", "LS001", "invalid YAML"),
    "binary.yaml": (bytes(range(256)) * 4, "LS001", "NUL byte"),
    "workflow.yml": (b"name: CI\non: [push]\njobs: {}\n", "LS003", "not an lstmshape config: no 'lstm' section"),
    "flat.yaml": (b"hidden_size: 20\ninput_size: 10\n", "LS003", "not an lstmshape config"),
    "huge.yaml": (b"name: x\n" + b"#" * (2 << 20) + b"\n", "LS001", "larger than"),
    "manifest.json": (b'{"name": "site", "version": "1.0.0"}\n', "LS003", "not an lstmshape config"),
}


def project_tree(root):
    (root / "configs").mkdir(parents=True)
    (root / "configs" / "train.yaml").write_text("model:\n  rnn:\n    input_size: 40\n    hidden_size: 0\n")
    (root / "pyproject.toml").write_text('[[tool.lstmshape.configs]]\nfiles = ["configs/*.yaml"]\n'
                                         'from = {lstm = "model.rnn"}\n')
    return root / "configs" / "train.yaml"


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        name, before = chr(97 + i), chr(96 + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{before}"] * 9) + "]")
    return "\n".join(lines) + "\nlstm: *j\n"


HOSTILE = {
    "empty": (b"", "LS001", "file is empty"),
    "only-comment": (b"# nothing\n", "LS001", "file is empty"),
    "list": (b"- 1\n- 2\n", "LS003", "top level is a list"),
    "scalar": (b"42\n", "LS003", "top level is a scalar (42)"),
    "null": (b"~\n", "LS003", "top level is empty"),
    "invalid": (b"lstm:\n  input_size: [1\n  hidden_size: 2\n", "LS001", "invalid YAML"),
    "bad-indent": (b"lstm:\n  input_size: 1\n hidden_size: 2\n", "LS001", "invalid YAML"),
    "latin1": ("lstm:\n  input_size: 10 # größe\n".encode("latin-1"), "LS001", "not UTF-8"),
    "nul": (b"lstm:\n  input_size: 1\x00\n", "LS001", "NUL byte"),
    "binary": (bytes(range(256)) * 8, "LS001", "NUL byte"),
    "duplicate": (b"lstm:\n  input_size: 1\n  hidden_size: 2\n  input_size: 3\n", "LS002", "duplicate key"),
    "python-object": (b"lstm: !!python/object/apply:os.system ['touch /tmp/pwned-by-lstmshape']\n",
                      "LS001", "not allowed"),
    "python-name": (b"lstm:\n  input_size: !!python/name:os.system\n", "LS001", "not allowed"),
    "custom-tag": (b"lstm: !Model {input_size: 1}\n", "LS011", "not allowed"),
    "two-documents": (b"lstm: {}\n---\nlstm: {}\n", "LS001", "single YAML document"),
    "billion-laughs": (billion_laughs().encode(), "LS001", "alias bomb"),
    "deep-flow": (b"lstm: " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "LS001", "nested too deeply"),
    "deep-block": ("".join(" " * i + f"k{i}:\n" for i in range(200)).encode(), "LS001", "nested too deeply"),
    "huge": (b"lstm: {input_size: 1, hidden_size: 2}\n" + b"#" * (2 << 20) + b"\n", "LS001", "larger than"),
    "huge-int-digits": (b"lstm: {input_size: 1, hidden_size: " + b"9" * 5000 + b"}\n", "LS001", "cannot read scalar"),
    "huge-products": (b"lstm: {input_size: 1, hidden_size: " + b"9" * 4300 + b", bidirectional: true}\n"
                      b"expect: {output: [1, 1, 1]}\n", "LS008", "too large"),
}


def write_bytes(path, data: bytes):
    path.write_bytes(data)
    stat = path.stat()
    return stat.st_mtime_ns, data


# not lstmshape configs (no `lstm` key, lstmshape.read.recognise): named, `check` and `infer` report
# what is wrong with them; discovered (--skip-non-configs, as the pre-commit hook passes, or a
# directory walk), `check` skips them as it skips a workflow file, and says it checked nothing
NOT_CONFIG_NAMES = {"empty", "only-comment", "list", "scalar", "null", "binary", "deep-block"}


def yaml_mapping(data: bytes):
    """The YAML document's mapping, None when it is none (or no valid YAML)."""
    import yaml

    try:
        doc = yaml.safe_load(data)
    except yaml.YAMLError:
        return None
    return doc if isinstance(doc, dict) else None


def byte_diagnostic(data: bytes) -> str | None:
    """What any reader of bytes says first: a NUL byte, else the first byte that is not UTF-8."""
    if b"\x00" in data:
        return "file contains a NUL byte: binary, not YAML"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"file is not UTF-8 text (byte 0x{data[exc.start]:02x})"
    return None


rec = recorder("record_checks")


CASES = rec.cases()


NAMES = sorted(CASES)


@pytest.mark.parametrize("name", sorted(NOT_CONFIGS))
def test_a_named_file_is_always_checked(tmp_path, name):
    data, code, words = NOT_CONFIGS[name]
    path = tmp_path / name
    path.write_bytes(data)
    for strict in ((), ("--strict",)):
        result = run("check", path, *strict)
        assert result.returncode == 1, result.stdout + result.stderr
        first = result.stdout.splitlines()[0]
        assert first.startswith(f"{path}:") and f"error[{code}]" in first and words in first, first
        assert "OK" not in result.stdout
    report = json.loads(run("check", "--format", "json", path).stdout)
    assert report["checked"] == [str(path)] and report["problems"][0]["code"] == code


@pytest.mark.parametrize("name", sorted(NOT_CONFIGS))
def test_skip_non_configs_skips_them_and_says_nothing_was_checked(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(NOT_CONFIGS[name][0])
    result = run("check", "--skip-non-configs", path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "no config checked; 1 other YAML/JSON file skipped (not lstmshape configs)\n"


def test_nothing_checked_is_said_in_every_format(tmp_path):
    path = tmp_path / "ci.yml"
    path.write_text("name: CI\non: [push]\n")
    text = run("check", "--skip-non-configs", "--strict", path)
    assert text.returncode == 0 and "OK" not in text.stdout and "no config checked" in text.stdout
    report = json.loads(run("check", "--skip-non-configs", "--format", "json", path).stdout)
    assert report == {"summary": "no config checked; 1 other YAML/JSON file skipped (not lstmshape configs)",
                      "checked": [], "skipped": [str(path)], "unread": [], "problems": []}
    sarif = json.loads(run("check", "--skip-non-configs", "--format", "sarif", path).stdout)
    (invocation,) = sarif["runs"][0]["invocations"]
    assert sarif["runs"][0]["results"] == []
    assert [n["message"]["text"] for n in invocation["toolExecutionNotifications"]] == [report["summary"]]
    github = run("check", "--skip-non-configs", "--format", "github", path)
    assert github.stdout == f"::notice title=lstmshape::{report['summary']}\n"


def test_verbose_names_every_skipped_file(tmp_path):
    (tmp_path / "ci.yml").write_text("name: CI\n")
    (tmp_path / "model.yaml").write_text("lstm: {input_size: 3, hidden_size: 4}\n")
    result = run("check", "-v", tmp_path)
    assert result.returncode == 0
    assert result.stdout == "1 file OK; 1 other YAML/JSON file skipped (not lstmshape configs)\n"
    assert result.stderr == (f"lstmshape: skipped {tmp_path / 'ci.yml'}: not an lstmshape config, and no "
                             "[tool.lstmshape] group maps it\n")
    assert run("check", tmp_path).stderr == ""


@pytest.mark.parametrize("nested, section", [("model:\n  encoder:\n    input_size: 80\n    hidden_size: 256\n"
                                              "  decoder:\n    vocab: 30\n", "model.encoder"),
                                             ("input_dim: 80\nhidden_dim: 256\nlr: 0.1\n", ".")])
def test_the_hint_names_where_the_lstm_settings_sit(tmp_path, nested, section):
    path = tmp_path / "train.yaml"
    path.write_text(nested)
    result = run("check", path)
    assert result.returncode == 1
    assert f"map them with --from lstm={section}, or in pyproject.toml: [[tool.lstmshape.configs]] " \
           f'files = ["{path}"], from = {{lstm = "{section}"}}' in result.stdout
    mapped = run("check", path, "--from", f"lstm={section}")
    assert mapped.returncode == 0, mapped.stdout


def test_directory_walks_skip_tool_directories_and_read_upper_case_suffixes(tmp_path):
    bad = "lstm: {input_size: 0, hidden_size: 4}\n"
    for skipped in (".git", ".venv", "venv", "node_modules", ".cache", "__pycache__", ".tox", ".mypy_cache"):
        (tmp_path / skipped / "deep").mkdir(parents=True)
        (tmp_path / skipped / "deep" / "model.yaml").write_text(bad)
    for name in ("a.YAML", "b.YML", "c.JSON"):
        (tmp_path / name).write_text('{"lstm": {"input_size": 3, "hidden_size": 4}}\n')
    result = run("check", "--format", "json", tmp_path)
    report = json.loads(result.stdout)
    assert result.returncode == 0, result.stdout
    assert sorted(os.path.basename(f) for f in report["checked"]) == ["a.YAML", "b.YML", "c.JSON"]


def test_the_project_file_is_found_from_the_checked_files_directory(tmp_path):
    train = project_tree(tmp_path / "proj")
    inside = run("check", "configs/train.yaml", cwd=tmp_path / "proj")
    outside = run("check", train, cwd="/")
    assert inside.returncode == outside.returncode == 1
    assert "error[LS008] hidden_size must be" in outside.stdout
    assert outside.stdout.replace(str(train), "configs/train.yaml") == inside.stdout
    inferred = run("infer", train, cwd="/")
    assert inferred.returncode == 1 and f"{train}:4:18: error[LS008]" in inferred.stderr


def test_infer_shows_every_problem_check_would(tmp_path):
    path = tmp_path / "bilstm.yaml"
    path.write_text("lstm: {input_size: 10, hidden_size: 20, bidirectional: true}\n"
                    "head:\n  - linear: {in_features: 20, out_features: 5}\n")
    checked = run("check", path)
    inferred = run("infer", path)
    problems = [line for line in checked.stdout.splitlines() if "error[" in line]
    assert problems and checked.returncode == 1
    assert inferred.returncode == 1
    assert "output" in inferred.stdout  # the tables are still shown ...
    assert inferred.stderr.splitlines()[:len(problems)] == problems  # ... and every problem after them
    document = json.loads(run("infer", "--format", "json", path).stdout)
    assert [p["code"] for p in document["problems"]] == ["LS101"]


def test_shipped_configs_still_infer_cleanly():
    for config in sorted((REPO / "configs").glob("*.yaml")):
        if config.name == "broken.yaml":
            continue
        result = run("infer", config)
        assert result.returncode == 0, (config, result.stderr)


def test_shipped_configs(tmp_path):
    result = run("check", "--format", "json", REPO / "configs")
    problems = json.loads(result.stdout)["problems"]
    assert {p["file"].rsplit("/", 1)[-1] for p in problems if p["severity"] == "error"} == {"broken.yaml"}


@pytest.mark.parametrize("name", sorted(NOT_CONFIG_NAMES))
def test_hostile_file_that_is_no_config(tmp_path, name):
    data, code, message = HOSTILE[name]
    path = tmp_path / f"{name}.yaml"
    mtime, _ = write_bytes(path, data)
    started = time.perf_counter()
    checked = run_script("check", path, timeout=20)
    skipped = run_script("check", "--skip-non-configs", path, timeout=20)
    inferred = run_script("infer", path, timeout=20)
    assert time.perf_counter() - started < 15
    assert (skipped.returncode, skipped.stderr) == (0, "")
    assert skipped.stdout == "no config checked; 1 other YAML/JSON file skipped (not lstmshape configs)\n"
    for result, stream in ((checked, checked.stdout), (inferred, inferred.stderr)):
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert f"error[{code}]" in stream and message in stream
    assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime
    assert sorted(os.listdir(tmp_path)) == [path.name], "nothing written"


@pytest.mark.parametrize("name", sorted(set(HOSTILE) - NOT_CONFIG_NAMES))
def test_hostile_file(tmp_path, name):
    data, code, message = HOSTILE[name]
    path = tmp_path / f"{name}.yaml"
    mtime, _ = write_bytes(path, data)
    started = time.perf_counter()
    result = run_script("check", "--format", "json", path, timeout=20)
    elapsed = time.perf_counter() - started
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stderr == ""
    import json

    problems = json.loads(result.stdout)["problems"]
    assert problems and problems[0]["code"] == code and message in problems[0]["message"], problems
    assert problems[0]["line"] >= 1 and problems[0]["column"] >= 1
    assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime
    assert sorted(os.listdir(tmp_path)) == [path.name], "nothing written"
    assert elapsed < 5
    assert not os.path.exists("/tmp/pwned-by-lstmshape")


def test_invalid_yaml_reports_the_parsers_position(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("lstm:\n  input_size: 10\n  hidden_size: [20\n  num_layers: 2\n")
    result = run("check", path)
    assert result.stdout.startswith(f"{path}:4:13: error[LS001] invalid YAML: expected ',' or ']', but got ':'")


@pytest.mark.parametrize("name", ["billion-laughs", "deep-flow", "huge"])
def test_bombs_are_refused_fast_and_small(tmp_path, name):
    """In-process: well under a second, and a few MB at most (tracemalloc)."""
    import tracemalloc

    path = tmp_path / "bomb.yaml"
    path.write_bytes(HOSTILE[name][0])
    started = time.thread_time()  # this thread's CPU time: the work done, whatever else the machine (or a fixture's thread) runs
    report = check_paths([str(path)])
    elapsed = time.thread_time() - started
    assert report.errors == 1
    assert elapsed < 1.0, elapsed
    tracemalloc.start()  # measured apart: tracing slows the run several times
    check_paths([str(path)])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 8 << 20, peak


def test_huge_integer_is_answered_not_allocated(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("lstm: {input_size: 10, hidden_size: 10000000000000000000000000000000000000000}\n"
                    "data: {batch_size: 1000000000000000000000, seq_len: 5}\n"
                    "expect: {hn: [1, 1000000000000000000000, 10000000000000000000000000000000000000000]}\n")
    result = run_script("check", path, timeout=10)
    assert (result.returncode, result.stdout) == (0, "1 file OK\n")


def test_directory_with_unreadable_entries(tmp_path):
    """Tests run as root, where chmod 000 does not stop reading: use what root cannot read
    either, a broken symlink, a FIFO (opening it would block forever) and a socket."""
    good = tmp_path / "a.yaml"
    good.write_text("lstm: {input_size: 1, hidden_size: 2}\n")
    (tmp_path / "b-broken.yaml").symlink_to(tmp_path / "nowhere.yaml")
    os.mkfifo(tmp_path / "c-fifo.yaml")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "d-socket.yaml"))
    try:
        result = run_script("check", tmp_path, timeout=20)
    finally:
        sock.close()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{tmp_path / 'b-broken.yaml'}:1:1: error[LS001] cannot read file")
    assert "broken symbolic link" in lines[0]
    assert lines[1] == f"{tmp_path / 'c-fifo.yaml'}:1:1: error[LS001] cannot read file: a FIFO, not a regular file"
    assert lines[2] == f"{tmp_path / 'd-socket.yaml'}:1:1: error[LS001] cannot read file: a socket, not a regular file"
    assert lines[3] == "3 errors in 3 of 4 files"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads chmod 000 files")
def test_permission_denied(tmp_path):
    path = tmp_path / "secret.yaml"
    path.write_text("lstm: {input_size: 1, hidden_size: 2}\n")
    path.chmod(0)
    result = run("check", path)
    assert result.returncode == 1 and "Permission denied" in result.stdout


def test_open_failing_is_a_diagnostic(tmp_path, monkeypatch):
    """An OSError on open (EACCES, EIO) becomes LS001 for that file; the others are still checked."""
    import builtins

    bad, good = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for path in (bad, good):
        path.write_text("lstm: {input_size: 1, hidden_size: 2}\n")
    real_open = builtins.open

    def fake_open(name, *args, **kwargs):
        if str(name) == str(bad):
            raise PermissionError(13, "Permission denied")
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    report = check_paths([str(tmp_path)])
    assert [(p.file, p.code, p.message) for p in report.problems] == [
        (str(bad), "LS001", "cannot read file: Permission denied")]
    assert report.files == [str(bad), str(good)]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=st.one_of(documents, values), flow=st.booleans(), cut=st.integers(0, 400))
def test_random_yaml_in_process(tmp_path, doc, flow, cut):
    path = tmp_path / "random.yaml"
    data = mutate(to_yaml(doc, flow), cut).encode()
    path.write_bytes(data)
    mtime = path.stat().st_mtime_ns
    report = check_paths([str(path)])
    for p in report.problems:
        assert p.file == str(path) and p.line >= 1 and p.column >= 1 and p.path.startswith("$") and p.code.startswith("LS")
    if not report.problems:  # clean only where there was a config to check: never OK for a non-config
        assert "lstm" in (yaml_mapping(data) or {}), data
    assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
@example(data=b"\xef\xbb\xbfab\xff")  # after a BOM: the byte named is the bad one, not the BOM's
@example(data=b"\xff\x00")
def test_random_bytes_in_process(tmp_path, data):
    path = tmp_path / "random.yaml"
    path.write_bytes(data)
    report = check_paths([str(path)])
    assert report.files == [str(path)] and report.errors, "random bytes are never a clean config"
    assert {p.file for p in report.problems} == {str(path)}
    assert all(1 <= p.line <= data.count(b"\n") + data.count(b"\r") + 1 and p.column >= 1 for p in report.problems)
    expected = byte_diagnostic(data)
    if expected is not None:
        assert [(p.code, p.message) for p in report.problems] == [("LS001", expected)]
    assert path.read_bytes() == data


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=st.one_of(documents, st.binary(max_size=200)), flow=st.booleans())
def test_random_input_through_the_console_script(tmp_path, doc, flow):
    path = tmp_path / "random.yaml"
    data = doc if isinstance(doc, bytes) else to_yaml(doc, flow).encode()
    path.write_bytes(data)
    mtime = path.stat().st_mtime_ns
    result = run("check", "--format", "json", path)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    problems = json.loads(result.stdout)["problems"]
    assert result.returncode == (1 if any(p["severity"] == "error" for p in problems) else 0), result.stdout
    assert {p["file"] for p in problems} <= {str(path)}
    if isinstance(doc, bytes) and byte_diagnostic(doc) is not None:
        assert [(p["code"], p["message"]) for p in problems] == [("LS001", byte_diagnostic(doc))]
    text = run("check", "--format", "text", path)
    assert text.returncode == result.returncode and "Traceback" not in text.stderr
    *lines, summary = text.stdout.splitlines()
    assert lines == [f"{path}:{p['line']}:{p['column']}: {p['severity']}[{p['code']}] {p['message']}" for p in problems]
    assert summary == json.loads(result.stdout)["summary"]
    assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime


def test_cli_check_gru_expect_c0(tmp_path):
    path = tmp_path / "gru.yaml"
    path.write_text("lstm: {input_size: 4, hidden_size: 6, cell: gru, batch_first: true}\n"
                    "data: {batch_size: 2, seq_len: 3}\nexpect:\n  hn: [2, 1, 6]\n  cn: [1, 2, 6]\n")
    result = run("check", str(path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f"{path}:5:3: error[LS117] expect.cn: nn.GRU has no cell state" in lines[1], result.stdout
    assert f"{path}:4:7: error[LS111]" in lines[0] and "h0/hn are always" in lines[0]


def test_cli_reports_file_line_column_and_exit_codes():
    broken = [path_of(n) for n in NAMES if codes_written(n)]
    clean = [path_of(n) for n in NAMES if not codes_written(n)]
    result = run("check", *broken)
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "[LS" in line]
    assert len(lines) == sum(len(codes_written(n)) for n in NAMES)
    for line in lines:
        file, row, col, _ = line.split(":", 3)
        assert file in broken and int(row) >= 1 and int(col) >= 1
    result = run("check", *clean)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_torch_check_never_loads_keras_or_onnx():
    """lstmshape's own Keras and ONNX modules are plain arithmetic, imported with the package (their
    cost was measured at a few ms); the frameworks themselves are never imported by a check."""
    code = ("import sys; from lstmshape.check import check_file; check_file('configs/bilstm.yaml'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('keras', 'onnx', 'onnxruntime', 'torch')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
