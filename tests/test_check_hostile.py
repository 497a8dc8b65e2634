"""Hostile input: a clear diagnostic, a non-zero exit, never a traceback, nothing written, and
every case bounded in time and memory. End to end through the real console script (the CLI's
entry point in process where nothing is bounded), plus a property-based test over random YAML and
random bytes."""

from __future__ import annotations

import json
import os
import socket
import string
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lstmshape.check import check_paths

from helpers import run, run_script


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
NOT_CONFIGS = {"empty", "only-comment", "list", "scalar", "null", "binary", "deep-block"}


@pytest.mark.parametrize("name", sorted(NOT_CONFIGS))
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


@pytest.mark.parametrize("name", sorted(set(HOSTILE) - NOT_CONFIGS))
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
    started = time.process_time()  # this process's CPU time: the work done, whatever else the machine runs
    report = check_paths([str(path)])
    elapsed = time.process_time() - started
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


# --- property-based: random YAML and random bytes never crash the checker -------------------------

keys = st.sampled_from(["lstm", "data", "head", "expect", "input_size", "hidden_size", "num_layers",
                        "bidirectional", "batch_first", "proj_size", "dropout", "batch_size", "seq_len",
                        "lengths", "linear", "in_features", "out_features", "input", "output", "h0", "c0",
                        "hn", "cn", "unbatched", "num_directions", "x", "<<"])
scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 70), st.integers(), st.floats(allow_nan=True),
                    st.sampled_from(["N", "L", "hn_last", "hn_concat", "last_step", "output", "relu", "1e3", ""]),
                    st.text(string.printable, max_size=8))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(keys, inner, max_size=5)), max_leaves=25)
documents = st.dictionaries(keys, values, max_size=5)


def to_yaml(value, flow: bool) -> str:
    import yaml

    return yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)


def mutate(text: str, cut: int) -> str:
    return text[:cut] if cut < len(text) else text


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


@pytest.mark.skipif(not getattr(__import__("yaml"), "__with_libyaml__", False), reason="PyYAML without libyaml")
@settings(max_examples=300, deadline=None)
@given(doc=st.one_of(documents, values), flow=st.booleans(), cut=st.integers(0, 400))
def test_libyaml_fast_path_is_identical(doc, flow, cut):
    """Valid files are read with libyaml when available: the same values and the same marks as
    the pure-Python parser (errors always come from the pure-Python parser)."""
    same_with_and_without_libyaml(mutate(to_yaml(doc, flow), cut))


@pytest.mark.skipif(not getattr(__import__("yaml"), "__with_libyaml__", False), reason="PyYAML without libyaml")
@pytest.mark.parametrize("text", [
    "base: &b {hidden_size: 20, bias: false}\nlstm: {<<: *b, input_size: 3, hidden_size: 8}\n",
    "a: {'<<': 1, \"<<\": 2}\n",
    "lstm: {größe: 'äöü', x: [1, 'ß', {y: 2}]}\n  # ü\ndata:\n  é: 1\n",
    "\ufeffa: '😀😀'\nb: |\n  ü\n  x\nc: 2024-01-01\nd: !!str 3\n",
])
def test_libyaml_fast_path_is_identical_on_tricky_text(text):
    same_with_and_without_libyaml(text)


def same_with_and_without_libyaml(text: str) -> None:
    from lstmshape import yamlload
    from lstmshape.yamlload import YamlError

    def parse(fast):
        saved = yamlload._FAST_LOADER
        yamlload._FAST_LOADER = fast
        try:
            got = yamlload.parse_yaml(text.encode(), "x.yaml")
            return got.data, got.value_marks, got.key_marks
        except YamlError as exc:
            return exc.problem
        finally:
            yamlload._FAST_LOADER = saved

    import yaml

    assert parse(yaml.CSafeLoader) == parse(None)
