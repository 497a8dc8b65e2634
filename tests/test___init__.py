"""lstmshape's public API (lstmshape/__init__.py): the names it promises, the example its docstring
shows, and the version the package declares."""

from __future__ import annotations

import tomllib

import lstmshape
from helpers import REPO, run
from lstmshape import frameworks, read, settings
from lstmshape.frameworks.torch import TorchShapes


def test_every_promised_name_is_the_one_its_home_defines():
    homes = {"ConfigError": read, "load_config": read, "infer": frameworks, "TorchShapes": TorchShapes}
    for name in lstmshape.__all__:
        home = homes.get(name, settings)
        expected = home if isinstance(home, type) else getattr(home, name)
        assert getattr(lstmshape, name) is expected, name


def test_the_docstring_example_gives_the_shape_it_shows():
    results = lstmshape.infer(lstmshape.load_config(REPO / "configs" / "bilstm.yaml"))
    assert "results[0].shapes[\"hn\"]   # (4, 32, 20)" in lstmshape.__doc__
    assert results[0].shapes["hn"] == (4, 32, 20)


def test_a_config_with_problems_raises_config_error_naming_them(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("lstm: {input_size: 3, hidden_size: -1}\n")
    try:
        lstmshape.load_config(path)
    except lstmshape.ConfigError as error:
        assert "bad.yaml:1" in str(error) and "hidden_size" in str(error)
    else:
        raise AssertionError("load_config accepted hidden_size: -1")


def test_the_version_is_the_projects_and_the_cli_prints_it():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert lstmshape.__version__ == declared
    result = run("--version")
    assert result.returncode == 0 and declared in result.stdout
