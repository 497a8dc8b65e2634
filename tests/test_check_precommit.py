"""The shipped .pre-commit-hooks.yaml, exercised by pre-commit itself: `pre-commit run` on the
config `pre-commit try-repo HOOK_REPO lstmshape --ref HEAD` would write (try-repo builds the
hook's virtualenv afresh in a temporary store at every call; here one store serves the session's
runs, so the virtualenv is built once, by `pre-commit install-hooks`).

pre-commit builds the hook's virtualenv with pip from PyPI (network needed). The hook repository
is a fresh git repo holding a copy of this working tree (tracked and untracked files, as they are
now), so the test never touches this repository's git state.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from helpers import REPO, made_once

pytestmark = pytest.mark.precommit

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def make_hook(directory):
    """A hook repository (directory/repo), the config try-repo writes for it (directory/config.yaml:
    the hook at the repository's commit) and a pre-commit store (directory/home) in which
    `pre-commit install-hooks` has built the hook's virtualenv, as the first `pre-commit run` would."""
    import yaml

    repo = directory / "repo"
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file() and not name.startswith("tests/"):
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hook repo")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.strip()
    hooks = {"repos": [{"repo": str(repo), "rev": head, "hooks": [{"id": "lstmshape"}]}]}
    (directory / "config.yaml").write_text(yaml.safe_dump(hooks))
    (directory / "home").mkdir()
    subprocess.run(["pre-commit", "install-hooks", "--config", str(directory / "config.yaml")], cwd=repo,
                   check=True, capture_output=True, timeout=900,
                   env={**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(directory / "home")})


MADE_ONCE = {"pre-commit-hook": make_hook}


@pytest.fixture(scope="session")
def hook_config(tmp_path_factory):
    """The config and the pre-commit store (PRE_COMMIT_HOME) every run of the session shares, made
    once (make_hook, started as the session starts: MADE_ONCE): the hook's virtualenv is built once."""
    if shutil.which("pre-commit") is None:
        if os.environ.get("CI") or os.environ.get("LSTMSHAPE_REQUIRE_ORACLES") == "1":
            pytest.fail("pre-commit is required in CI (pip install -e '.[test]')")
        pytest.skip("pre-commit not installed")
    hook = made_once(tmp_path_factory, "pre-commit-hook", make_hook)
    return hook / "config.yaml", hook / "home"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "good.yaml").write_text("lstm: {input_size: 10, hidden_size: 20, bidirectional: true}\n"
                                                    "head:\n  - linear: {in_features: 40, out_features: 3}\n")
    (tmp_path / "configs" / "bad.yaml").write_text("lstm: {input_size: 10, hidden_size: 20, bidirectional: true}\n"
                                                   "head:\n  - linear: {in_features: 20, out_features: 3}\n")
    (tmp_path / "README.txt").write_text("not yaml: [\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    return tmp_path


def run_hook(project, hook_config, *args):
    config, home = hook_config
    env = {**os.environ, **GIT_ENV, "NO_COLOR": "1", "PRE_COMMIT_HOME": str(home)}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(["pre-commit", "run", "--config", str(config), "--color", "never", "--verbose", *args],
                          cwd=project, capture_output=True, text=True, env=env, timeout=900)


def test_hook_definition():
    import yaml

    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "lstmshape" and hook["entry"] == "lstmshape check --skip-non-configs"
    assert hook["language"] == "python" and hook["types_or"] == ["yaml", "json", "jsonnet", "ini"] \
        and "files" not in hook


def test_hook_fails_on_the_bad_config(project, hook_config):
    result = run_hook(project, hook_config, "--all-files")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "configs/bad.yaml:3:27: error[LS101] head[0].in_features is 20 but output has 40 features" in out
    assert "good.yaml" not in out and "README.txt" not in out


def test_hook_passes_on_the_good_config(project, hook_config):
    result = run_hook(project, hook_config, "--files", "configs/good.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


@pytest.fixture
def real_project(tmp_path):
    """A repository as it is: workflow, compose and pre-commit YAML, a JSON manifest, and a
    training config lstmshape reads through [tool.lstmshape]."""
    files = {
        ".pre-commit-config.yaml": "repos:\n  - repo: local\n    hooks: []\n",
        ".github/workflows/ci.yml": "name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
        "compose.yaml": "services:\n  web:\n    image: nginx\n",
        "package.json": '{"name": "site", "version": "1.0.0"}\n',
        "conf/train.yaml": (REPO / "configs/foreign/encoder_section.yaml").read_text(),
        "pyproject.toml": '[project]\nname = "asr"\n\n[[tool.lstmshape.configs]]\nfiles = ["conf/*.yaml"]\n'
                          'from = {lstm = "model.encoder"}\n',
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    return tmp_path


def test_hook_without_files_filter_skips_other_yaml(real_project, hook_config):
    result = run_hook(real_project, hook_config, "--all-files")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    # pre-commit may split the files over several processes: one summary line each
    summaries = [line for line in out.splitlines() if "OK" in line or "error" in line or "skipped" in line]
    assert "error" not in out and any(line.startswith("1 file OK") for line in summaries), out
    skipped = sum(int(line.split("; ")[1].split()[0]) for line in summaries if "skipped" in line)
    assert skipped == 4, summaries


def test_hook_reports_a_mapped_config_at_its_own_line(real_project, hook_config):
    train = real_project / "conf/train.yaml"
    train.write_text(train.read_text().replace("dropout: 0.1", "dropout: 1.5"))
    git(real_project, "add", "-A")
    result = run_hook(real_project, hook_config, "--all-files")
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "conf/train.yaml:14:14: error[LS008] dropout must be in [0, 1], got float 1.5" in out


def test_hook_passes_a_commit_that_touches_only_a_workflow(real_project, hook_config):
    """pre-commit names the one staged YAML file: the hook skips it (it is no lstmshape config) and
    passes, saying that it checked nothing rather than that anything is OK."""
    workflow = real_project / ".github/workflows/ci.yml"
    workflow.write_text(workflow.read_text() + "    steps:\n      - run: make test\n")
    git(real_project, "add", "-A")
    result = run_hook(real_project, hook_config, "--files", ".github/workflows/ci.yml")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "Passed" in result.stdout
    assert "no config checked; 1 other YAML/JSON file skipped (not lstmshape configs)" in out
    assert "OK" not in out.replace("Passed", "")
