"""lstmshape/read/formats/jsonnet_worker.py, the script that evaluates one jsonnet file in a
bounded process: its import callback (in process: it is plain functions) and the script itself
as lstmshape.read.formats.jsonnet runs it (`python -I`, a JSON request on stdin)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lstmshape.read.formats import jsonnet, jsonnet_worker


def request(tmp_path, text, **changes):
    out = {"filename": str(tmp_path / "model.jsonnet"), "text": text, "ext_vars": {}, "roots": [str(tmp_path)],
           "max_stack": 100, "max_trace": 20, "max_output": 10_000, "max_imports": 2, "max_import_bytes": 100,
           "memory": 1 << 30, "cpu_seconds": 5}
    return out | changes


def test_an_import_inside_the_roots_is_read(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "sizes.libsonnet").write_text("{hidden: 8}")
    path, content = jsonnet_worker.importer(request(tmp_path, ""))(str(tmp_path), "lib/sizes.libsonnet")
    assert (path, content) == (str((tmp_path / "lib" / "sizes.libsonnet").resolve()), b"{hidden: 8}")


@pytest.mark.parametrize("relative, words", [
    ("/etc/hostname", "an absolute path is not imported"),
    ("~/x.libsonnet", "an absolute path is not imported"),
    ("../outside.libsonnet", "outside the project"),
    ("escape.libsonnet", "outside the project"),  # a symlink out of the root
    ("big.libsonnet", "larger than 100 bytes"),
    ("sub", "not a regular file"),
    ("missing.libsonnet", "No such file or directory"),
])
def test_an_import_is_refused_with_its_reason(tmp_path, relative, words):
    root = tmp_path / "project"
    root.mkdir()
    (tmp_path / "outside.libsonnet").write_text("{}")
    (root / "escape.libsonnet").symlink_to(tmp_path / "outside.libsonnet")
    (root / "big.libsonnet").write_text("x" * 101)
    (root / "sub").mkdir()
    with pytest.raises(RuntimeError, match=words):
        jsonnet_worker.importer(request(tmp_path, "", roots=[str(root)]))(str(root), relative)


def test_imports_are_counted(tmp_path):
    (tmp_path / "a.libsonnet").write_text("{}")
    import_file = jsonnet_worker.importer(request(tmp_path, "", max_imports=2))
    import_file(str(tmp_path), "a.libsonnet")
    import_file(str(tmp_path), "a.libsonnet")
    with pytest.raises(RuntimeError, match="more than 2 imports"):
        import_file(str(tmp_path), "a.libsonnet")


def worker(req) -> dict:
    done = subprocess.run([sys.executable, "-I", jsonnet.WORKER], input=json.dumps(req), capture_output=True,
                          text=True, timeout=60, env={})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_script_answers_json_an_error_or_a_refusal(tmp_path):
    """One process per answer, as lstmshape runs it: a document, jsonnet's own error, and an
    evaluated document longer than max_output."""
    pytest.importorskip("_jsonnet")
    (tmp_path / "sizes.libsonnet").write_text("{hidden: 8}")
    text = "local s = import 'sizes.libsonnet'; {lstm: {hidden_size: s.hidden, input_size: std.extVar('n')}}"
    assert json.loads(worker(request(tmp_path, text, ext_vars={"n": "3"}))["json"]) == \
        {"lstm": {"hidden_size": 8, "input_size": "3"}}
    assert "undefined external variable: n" in worker(request(tmp_path, text))["error"]
    assert worker(request(tmp_path, "{x: std.repeat('a', 20000)}"))["error"] == \
        "evaluated document too large: more than 10000 characters"
