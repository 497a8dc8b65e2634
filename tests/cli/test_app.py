"""Tests of lstmshape.cli.app: the typer app's declarations, as a user meets them.

Through helpers.run: `-h`/`--help` of infer, check and the top level list every option and
format; a bad `--format` value is a usage error (exit 2) saying what is allowed, without
pydantic's "Value error"; and bash's completion requests (_LSTMSHAPE_COMPLETE) get typer's
completions of commands, options and option values.
"""

from __future__ import annotations

import pytest

from helpers import REPO, run


def test_help_comes_from_typer():
    for flag in ("-h", "--help"):
        result = run("infer", flag, env={"COLUMNS": "120"})
        assert result.returncode == 0
        assert "Usage: lstmshape infer [OPTIONS] {CONFIG}" in result.stdout
        for option in ("--matrix", "--layers", "--explain", "--format", "--verify", "--full", "--as", "--weights",
                       "--prefix", "--from", "--set"):
            assert option in result.stdout, option
        assert "<table|json>" in result.stdout
    top = run("-h").stdout
    assert all(name in top for name in ("infer", "check", "draw", "inspect", "rules", "--install-completion"))
    check = run("check", "--help", env={"COLUMNS": "120"}).stdout
    formats = check[check.index("--format"):check.index("--strict")]
    assert all(name in formats for name in ("text", "json", "github", "sarif", "markdown", "gitlab", "junit"))
    assert "--skip-non-configs" in check and "--verbose" in check


def test_a_bad_value_says_what_is_allowed():
    result = run("infer", "configs/basic.yaml", "--format", "xml", cwd=REPO)
    assert result.returncode == 2
    assert "lstmshape: error: Invalid value for '--format': 'xml' is not one of 'table', 'json'." in result.stderr
    assert "Value error" not in result.stderr


@pytest.mark.parametrize("words, offered", [("lstmshape inf", "infer"), ("lstmshape infer --ma", "--matrix"),
                                            ("lstmshape check --exit", "--exit-zero"),
                                            ("lstmshape check --format gith", "github"),
                                            ("lstmshape infer x --format j", "json")])
def test_shell_completion_is_typers(words, offered):
    """What bash asks the installed completion script (`lstmshape --install-completion`) for."""
    env = {"_LSTMSHAPE_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
    result = run(env=env)
    assert result.returncode == 0 and result.stdout.split() == [offered], result.stderr
