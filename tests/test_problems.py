"""lstmshape.problems: the one problem value, its printed line and its JSON, and the bounds on
how many are listed."""

from __future__ import annotations

import json

from lstmshape.problems import (ERROR, MAX_LISTED, WARNING, Problem, by_position, encodable, format_problem,
                                json_path, listed, one_line, shown_path)


def problem(line=1, column=1, code="LS007", severity=ERROR, message="m", file="a.yaml", subject=None):
    return Problem(file, line, column, code, severity, message, "$.lstm", subject)


def test_json_path_writes_indexes_and_keys_as_the_document_nests_them():
    assert json_path(()) == "$"
    assert json_path(("head", 0, "linear", "in_features")) == "$.head[0].linear.in_features"


def test_a_printed_problem_is_one_compiler_style_line():
    p = problem(3, 7, message="bad\nvalue\x1b[31m")
    assert format_problem(p) == "a.yaml:3:7: error[LS007] bad\\nvalue\\x1b[31m"
    assert "\n" not in format_problem(p)


def test_a_file_name_never_forges_a_workflow_command():
    assert shown_path("::warning title=x::ok.yaml") == "./::warning title=x::ok.yaml"
    assert shown_path("dir/::x.yaml") == "dir/::x.yaml"
    assert one_line("a\rb\tc d") == "a\\rb\\tc d"


def test_a_lone_surrogate_becomes_an_escape_a_utf8_stream_takes():
    text = encodable("key\ud800")
    assert text == "key\\ud800"
    text.encode("utf-8")
    assert json.loads(f'"{text}"') == "key\ud800"


def test_json_has_subject_only_where_a_problem_concerns_a_part_of_the_model():
    assert "subject" not in problem().as_json()
    assert problem(subject=("expect", 0, "hn")).as_json()["subject"] == ["expect", 0, "hn"]
    assert problem().as_json() == {"file": "a.yaml", "line": 1, "column": 1, "code": "LS007",
                                   "severity": "error", "message": "m", "path": "$.lstm"}
    assert problem(subject=("head", 0)) == problem(), "the subject is no part of a problem's identity"


def test_by_position_orders_by_file_line_column_and_keeps_found_order_at_one_place():
    first, second = problem(2, 1, message="first"), problem(2, 1, message="second")
    ordered = by_position([problem(9, 1, file="b.yaml"), second, problem(1, 5), first] )
    assert [(p.file, p.line, p.column) for p in ordered] == [("a.yaml", 1, 5), ("a.yaml", 2, 1), ("a.yaml", 2, 1),
                                                             ("b.yaml", 9, 1)]
    assert [p.message for p in ordered[1:3]] == ["second", "first"]


def test_listed_keeps_a_hundred_of_each_code_and_counts_the_rest():
    many = [problem(line, code="LS006") for line in range(1, MAX_LISTED + 6)]
    warnings = [problem(line, code="LS006", severity=WARNING) for line in range(1, 4)]
    out = listed(many + warnings)
    assert out[:MAX_LISTED] == many[:MAX_LISTED]
    assert out[MAX_LISTED:MAX_LISTED + 3] == warnings
    assert len(out) == MAX_LISTED + 4
    summary = out[-1]
    assert (summary.line, summary.code, summary.severity) == (MAX_LISTED + 1, "LS006", ERROR)
    assert summary.message.startswith("5 more errors [LS006] from here on")
