"""`lstmshape check` end to end, through the CLI's entry point (the console script itself for
GITHUB_ACTIONS, a terminal and python -m): formats, exit codes, --strict, --exit-zero, directories,
usage errors, and what a clean run imports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lstmshape.render.check_reports import escape_data, escape_property

from helpers import REPO, run, run_script

GOOD = "lstm: {input_size: 10, hidden_size: 20, bidirectional: true}\nhead:\n  - linear: {in_features: 40, out_features: 3}\n"
BAD = "lstm: {input_size: 10, hidden_size: 20, bidirectional: true}\nhead:\n  - linear: {in_features: 20, out_features: 3}\n"
WARN = "lstm: {input_size: 10, hidden_size: 20, dropout: 0.5}\n"
BAD_MESSAGE = ("head[0].in_features is 20 but output has 40 features (num_directions 2 × hidden_size 20): "
               "a bidirectional LSTM doubles the feature size")


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "sub" / "bad.yml").write_text(BAD)
    (tmp_path / "sub" / "deeper" / "warn.yaml").write_text(WARN)
    (tmp_path / "sub" / "notes.txt").write_text("not yaml: [")
    return tmp_path


def test_text_format(tree):
    bad = tree / "sub" / "bad.yml"
    result = run("check", bad)
    assert result.returncode == 1
    assert result.stdout == f"{bad}:3:27: error[LS101] {BAD_MESSAGE}\n1 error in 1 of 1 file\n"
    assert result.stderr == ""


def test_clean_file(tree):
    result = run("check", tree / "good.yaml")
    assert (result.returncode, result.stdout, result.stderr) == (0, "1 file OK\n", "")


def test_directory_is_read_recursively_sorted_and_only_yaml(tree):
    result = run("check", "--format", "json", tree)
    assert result.returncode == 1
    files = [p["file"] for p in json.loads(result.stdout)["problems"]]
    assert files == [str(tree / "sub" / "bad.yml"), str(tree / "sub" / "deeper" / "warn.yaml")]
    text = run("check", tree)
    assert text.stdout.splitlines()[-1] == "1 error, 1 warning in 2 of 3 files"
    assert run("check", tree / "good.yaml", tree / "good.yaml").stdout == "all 2 files OK\n"


def test_many_files_never_stop_at_the_first_bad_one(tree):
    bad = tree / "sub" / "bad.yml"
    broken = tree / "broken.yaml"
    broken.write_text("lstm: [\n")
    result = run("check", broken, bad, tree / "good.yaml")
    assert result.returncode == 1
    assert [line.split(":")[0] for line in result.stdout.splitlines()[:-1]] == [str(broken), str(bad)]
    assert result.stdout.splitlines()[-1] == "2 errors in 2 of 3 files"


def test_json_format(tree):
    bad = tree / "sub" / "bad.yml"
    result = run("check", "--format", "json", bad)
    assert json.loads(result.stdout)["problems"] == [{
        "file": str(bad), "line": 3, "column": 27, "code": "LS101", "severity": "error",
        "message": BAD_MESSAGE, "path": "$.head[0].linear.in_features", "subject": ["head", 0],
    }]
    clean = run("check", "--format=json", tree / "good.yaml")
    assert (clean.returncode, json.loads(clean.stdout)["problems"]) == (0, [])


def test_warnings_pass_unless_strict(tree):
    warn = tree / "sub" / "deeper" / "warn.yaml"
    result = run("check", warn)
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        f"{warn}:1:50: warning[LS009] dropout 0.5 has no effect with num_layers 1: torch applies dropout "
        "between stacked layers only (and warns)",
        "1 warning in 1 of 1 file",
    ]
    assert run("check", "--strict", warn).returncode == 1


def test_exit_zero(tree):
    assert run("check", "--exit-zero", tree).returncode == 0
    assert run("check", "--exit-zero", "--strict", tree).returncode == 0
    assert run("check", "--exit-zero", tree / "missing.yaml").returncode == 2


@pytest.mark.parametrize("args, message", [
    ((), "at least one"),
    (("--format", "xml", "x.yaml"), "xml"),
    (("--bogus", "x.yaml"), "--bogus"),
])
def test_usage_errors(args, message):
    result = run("check", *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_missing_file_is_a_usage_error_but_the_rest_is_checked(tree):
    result = run("check", tree / "nope.yaml", tree / "sub" / "bad.yml")
    assert result.returncode == 2
    assert "error[LS101]" in result.stdout
    assert f"lstmshape: error: {tree / 'nope.yaml'}: no such file or directory" in result.stderr


def test_github_format(tree):
    bad = tree / "sub" / "bad.yml"
    expected = (f"::error file={escape_property(str(bad))},line=3,col=27,"
                f"title=lstmshape LS101 (head-in-features)::{BAD_MESSAGE}\n")
    assert run("check", "--format", "github", bad).stdout == expected
    # chosen automatically on GitHub Actions; an explicit --format wins
    assert run_script("check", bad, env={"GITHUB_ACTIONS": "true"}).stdout == expected
    assert "error[LS101]" in run_script("check", "--format", "text", bad, env={"GITHUB_ACTIONS": "true"}).stdout
    warn = run("check", "--format", "github", tree / "sub" / "deeper" / "warn.yaml")
    assert warn.stdout.startswith("::warning file=") and warn.returncode == 0


def test_github_escaping():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_escapes_paths(tmp_path):
    odd = tmp_path / "a,b:c%.yaml"
    odd.write_text(BAD)
    line = run("check", "--format", "github", odd).stdout
    assert f"file={str(tmp_path).replace(':', '%3A')}/a%2Cb%3Ac%25.yaml," in line


def test_sarif_format(tree):
    bad = tree / "sub" / "bad.yml"
    result = run("check", "--format", "sarif", bad, tree / "sub" / "deeper" / "warn.yaml")
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["version"] == "2.1.0" and "sarif" in doc["$schema"]
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "lstmshape"
    rules = {r["id"]: r for r in driver["rules"]}
    assert {"LS001", "LS009", "LS101", "LS111"} <= set(rules)
    assert rules["LS101"]["name"] == "head-in-features"
    assert rules["LS101"]["shortDescription"]["text"].startswith("The first head layer")
    assert "Failing example::" in rules["LS101"]["fullDescription"]["text"]
    assert "Passing example::" in rules["LS101"]["help"]["text"]
    first, second = doc["runs"][0]["results"]
    assert first["ruleId"] == "LS101" and first["level"] == "error"
    assert driver["rules"][first["ruleIndex"]]["id"] == "LS101"
    assert first["message"]["text"] == BAD_MESSAGE
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == bad.as_uri()
    assert location["region"] == {"startLine": 3, "startColumn": 27}
    assert second["level"] == "warning"


def test_sarif_relative_uri(tree):
    result = run("check", "--format", "sarif", "sub/bad.yml", cwd=tree)
    uri = json.loads(result.stdout)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "sub/bad.yml"


def test_no_colour_when_piped_or_no_color(tree):
    for env in ({}, {"NO_COLOR": "1"}):
        assert "\x1b[" not in run("check", tree, env=env).stdout


def test_colour_on_a_terminal(tree):
    """On a TTY the text is coloured by rich (and only then is rich imported)."""
    from helpers import on_terminal

    code, out = on_terminal("check", tree / "sub" / "bad.yml")
    assert code == 1
    assert "\x1b[" in out and "LS101" in out


def test_clean_check_imports_neither_numpy_nor_rich(tree):
    """typer parses the command line; numpy and rich (help, colour) load only where they are used."""
    code = ("import sys\nfrom lstmshape.cli import dispatch\n"
            f"code = dispatch(['check', {str(tree / 'good.yaml')!r}])\n"
            "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'rich', 'typer'})\n"
            "print(code, heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "0 ['typer']", result.stdout + result.stderr


def test_importtime_of_python_dash_m(tree):
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "lstmshape", "check", str(tree / "good.yaml")],
                            capture_output=True, text=True)
    assert result.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert not imported & {"numpy", "rich"}


def test_help_still_comes_from_the_full_cli():
    result = run("check", "--help")
    assert result.returncode == 0 and "--strict" in result.stdout and "--exit-zero" in result.stdout
    top = run("--help")
    assert "check" in top.stdout and "rules" in top.stdout


def test_python_dash_m_matches_console_script(tree):
    bad = str(tree / "sub" / "bad.yml")
    via_m = subprocess.run([sys.executable, "-m", "lstmshape", "check", bad], capture_output=True, text=True)
    assert (via_m.returncode, via_m.stdout) == (1, run_script("check", bad).stdout)


def test_shipped_configs(tmp_path):
    result = run("check", "--format", "json", REPO / "configs")
    problems = json.loads(result.stdout)["problems"]
    assert {p["file"].rsplit("/", 1)[-1] for p in problems if p["severity"] == "error"} == {"broken.yaml"}
