"""Hostile repositories for the gate: project files and directory walks that would read outside
the project or never end, file names built to forge CI log commands or break an encoder, and
bounds that must never turn into a false OK. End to end through the console script, each input
built here, time and memory measured in the child (5 s, 400 MB)."""

from __future__ import annotations

import json
import os

import pytest

from helpers import SECRET, run, run_bounded

GOOD = "lstm: {input_size: 3, hidden_size: 4}\n"


@pytest.fixture
def outside(tmp_path):
    """A file outside the project holding a value that must never be printed."""
    (tmp_path / "outside").mkdir()
    secret = tmp_path / "outside" / "secret.yaml"
    secret.write_text(f"lstm: {{input_size: 3, hidden_size: {SECRET}}}\n")
    return secret


def project(root, files: str, extra: str = ""):
    (root / "configs").mkdir(parents=True, exist_ok=True)
    (root / "configs" / "model.yaml").write_text(GOOD)
    (root / "pyproject.toml").write_text(f"[[tool.lstmshape.configs]]\nfiles = {files}\n{extra}")
    return root


@pytest.mark.parametrize("pattern, words", [('"../outside/*.yaml"', "climbs out of the project with '..'"),
                                            ('"configs/../../outside/*.yaml"', "climbs out"),
                                            ('"/etc/host*"', "is an absolute path")])
def test_globs_stay_inside_the_project(tmp_path, outside, pattern, words):
    root = project(tmp_path / "proj", f'["configs/*.yaml", {pattern}]')
    result = run_bounded("check", cwd=root)
    result.assert_harmless()
    assert result.returncode == 2
    assert f"pyproject.toml:1: files: {pattern.strip(chr(34))!r} {words}" in result.stderr
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize("weights", ["/etc/hostname", "../outside/secret.yaml", "link.pt"])
def test_weights_stay_inside_the_project(tmp_path, outside, weights):
    root = project(tmp_path / "proj", '["configs/*.yaml"]', f'weights = "{weights}"\n')
    (root / "link.pt").symlink_to(outside)
    result = run_bounded("check", cwd=root)
    result.assert_harmless()
    assert result.returncode == 2 and "pyproject.toml:1: weights" in result.stderr and weights in result.stderr


def test_discovery_does_not_follow_a_symlink_out_of_the_root(tmp_path, outside):
    root = project(tmp_path / "proj", '["configs/**/*.yaml"]')
    (root / "configs" / "leak.yaml").symlink_to(outside)
    (root / "configs" / "away").symlink_to(outside.parent, target_is_directory=True)
    (root / "configs" / "inside.yaml").symlink_to(root / "configs" / "model.yaml")
    for args in (("check",), ("check", "configs"), ("check", root)):
        result = run_bounded(*args, "--format", "json", cwd=root)
        result.assert_harmless()
        report = json.loads(result.stdout)
        names = sorted(os.path.basename(f) for f in report["checked"])
        assert names == ["inside.yaml", "model.yaml"], (args, report)
    named = run("check", root / "configs" / "leak.yaml")  # a symlink named is the user's choice
    assert named.returncode == 1 and SECRET in named.stdout


def test_symlink_loops_end(tmp_path):
    root = project(tmp_path, '["configs/**/*.yaml"]')
    (root / "configs" / "a").symlink_to(root, target_is_directory=True)
    (root / "configs" / "b").symlink_to(root / "configs", target_is_directory=True)
    for args in (("check",), ("check", "configs")):
        result = run_bounded(*args, cwd=root)
        result.assert_harmless()
        assert (result.returncode, result.stdout) == (0, "1 file OK\n")


def test_a_backtracking_glob_is_matched_in_linear_time(tmp_path):
    root = project(tmp_path, '["configs/*.yaml"]')
    (root / "configs" / ("a" * 40 + ".yaml")).write_text(GOOD)
    pattern = "**a**a**a**a**a**a**a**a**a**a**a**a!"
    (root / "pyproject.toml").write_text(f'[[tool.lstmshape.configs]]\nfiles = ["configs/{pattern}", '
                                         '"configs/*.yaml"]\n')
    result = run_bounded("check", "configs/" + "a" * 40 + ".yaml", cwd=root)
    result.assert_harmless()
    assert result.returncode == 0
    result = run_bounded("check", cwd=root)
    result.assert_harmless()
    assert result.returncode == 2 and "matches no file" in result.stderr


def test_a_project_file_nested_deeply_is_a_usage_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.lstmshape]\nx = " + "[" * 50_000 + "]" * 50_000 + "\n")
    (tmp_path / "model.yaml").write_text(GOOD)
    result = run_bounded("check", "model.yaml", cwd=tmp_path)
    result.assert_harmless()
    assert result.returncode == 2 and "pyproject.toml: not read: nested too deeply" in result.stderr


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_a_lone_surrogate_key_is_reported_in_every_format(tmp_path, fmt):
    path = tmp_path / "model.json"
    path.write_text('{"lstm": {"input_size": 3, "hidden_size": 4, "\\ud800": 1}}\n')
    result = run_bounded("check", "--format", fmt, path)
    result.assert_harmless(path)
    assert result.returncode == 1
    if fmt in ("json", "sarif"):
        doc = json.loads(result.stdout)
        assert "\ud800" in json.dumps(doc, ensure_ascii=False)  # the key, escaped in the JSON text
    else:
        assert "\\ud800" in result.stdout


def test_a_file_name_that_is_not_utf8(tmp_path):
    name = os.fsencode(str(tmp_path)) + b"/caf\xe9.yaml"
    with open(name, "wb") as fh:
        fh.write(b"lstm: {input_size: 0, hidden_size: 4}\n")
    for fmt in ("text", "json", "github", "sarif"):
        result = run_bounded("check", "--format", fmt, tmp_path)
        result.assert_harmless()
        assert result.returncode == 1
    sarif = json.loads(run("check", "--format", "sarif", tmp_path).stdout)
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith("caf%E9.yaml")


FORGED = "::warning title=Forged::All good"


def test_file_names_never_forge_a_workflow_command(tmp_path):
    forged = tmp_path / "::warning title=Forged::All good.yaml"
    forged.write_text("lstm: {input_size: 0, hidden_size: 4}\n")
    missing = f"nope\n{FORGED}.yaml"
    for fmt in ("text", "github", "json", "sarif"):
        for args in ((forged.name,), (missing,), (".",)):
            result = run_bounded("check", "--format", fmt, *args, cwd=tmp_path)
            result.assert_harmless()
            lines = (result.stdout + result.stderr).splitlines()
            assert not any(line.startswith(FORGED[:9]) for line in lines), lines
            commands = [line.split("::", 2)[1] for line in lines if line.startswith("::")]
            assert all(c.startswith(("error file=", "warning file=", "notice title=lstmshape")) for c in commands)
    text = run("check", forged.name, cwd=tmp_path)
    assert text.stdout.startswith(f"./{forged.name}:1:20: error[LS008]")


def test_a_config_after_a_megabyte_of_comment_is_not_skipped(tmp_path):
    (tmp_path / "long.yaml").write_bytes(b"#" * (1 << 20) + b"\n" + GOOD.encode())
    result = run_bounded("check", tmp_path)
    result.assert_harmless(tmp_path / "long.yaml")
    assert result.returncode == 1 and "error[LS001]" in result.stdout and "larger than" in result.stdout


def test_a_one_line_json_with_a_duplicate_lstm_key_is_not_skipped(tmp_path):
    (tmp_path / "model.json").write_text('{"lstm": {"input_size": 3, "hidden_size": 4}, "lstm": {"input_size": 1}}')
    result = run_bounded("check", tmp_path)
    result.assert_harmless(tmp_path / "model.json")
    assert result.returncode == 1 and "error[LS002]" in result.stdout


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_twenty_thousand_unknown_keys_are_counted_not_listed(tmp_path, fmt):
    path = tmp_path / "keys.yaml"
    path.write_text("lstm:\n  input_size: 3\n  hidden_size: 4\n" + "".join(f"  k{i}: 1\n" for i in range(20_000)))
    result = run_bounded("check", "--format", fmt, path)
    result.assert_harmless(path)
    assert result.returncode == 1
    assert result.stdout.count("unknown key 'k") == 100
    assert "19900 more errors [LS004] from here on, like the 100 listed before" in result.stdout
    inferred = run_bounded("infer", path)
    inferred.assert_harmless(path)
    assert inferred.stderr.count("error[LS004]") == 101
