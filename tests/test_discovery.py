"""Tests of lstmshape.discovery: the files `check` finds, by directory walks and project globs.

Through the real console script (helpers.run_bounded: 5 s, 400 MB, a secret outside the project
never printed): [tool.lstmshape] globs that climb out with `..` or are absolute are usage errors;
a walk follows no symlink out of the root (a symlink named on the command line is read); symlink
loops end; and a backtracking glob is matched in linear time.
"""

from __future__ import annotations

import json
import os

import pytest

from helpers import SECRET, SMALL, project, run, run_bounded


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
    (root / "configs" / ("a" * 40 + ".yaml")).write_text(SMALL)
    pattern = "**a**a**a**a**a**a**a**a**a**a**a**a!"
    (root / "pyproject.toml").write_text(f'[[tool.lstmshape.configs]]\nfiles = ["configs/{pattern}", '
                                         '"configs/*.yaml"]\n')
    result = run_bounded("check", "configs/" + "a" * 40 + ".yaml", cwd=root)
    result.assert_harmless()
    assert result.returncode == 0
    result = run_bounded("check", cwd=root)
    result.assert_harmless()
    assert result.returncode == 2 and "matches no file" in result.stderr
