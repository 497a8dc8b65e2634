"""The pages of the docs site that are generated, not written: the CLI reference, from the command
line itself (click's command tree of the typer app), one page per problem code, from the rule
modules' docstrings and lstmshape.codes, and the gallery, every shipped config and example drawn by
`lstmshape draw`. So none can drift from what `lstmshape --help`, `lstmshape rules` and
`lstmshape draw` print. An MkDocs hook (mkdocs.yml `hooks:`); tests/test_docs_examples.py imports
it to hold the rule pages against the rules' examples."""

from __future__ import annotations

import os
import re
from pathlib import Path

CLI_PAGE = "reference/cli.md"
GALLERY_PAGE = "gallery.md"
GALLERY_SOURCES = ("examples", "configs")  # the repository's folders of shipped configs, the examples first
REPO = Path(__file__).resolve().parent.parent
RULES_DIR = "rules"
# the code ranges (the hundreds digit of LSnnn), as the navigation groups them
RANGES = (("0", "Reading a file"), ("1", "The model's shapes"), ("2", "Frameworks and --as"), ("3", "Checkpoints"))


# ----------------------------------------------------------------------------- the CLI reference


def _text(help_text: str | None) -> str:
    """A help string as Markdown: typer's rich-markup escapes undone, table pipes escaped."""
    return (help_text or "").replace("\\[", "[").replace("|", "\\|").strip()


def _parameters(command, ctx) -> list[str]:
    """A table of a command's arguments and options, each with its help, as --help shows them."""
    rows = []
    for param in command.params:
        if getattr(param, "hidden", False):
            continue
        record = param.get_help_record(ctx)
        if record is None and param.param_type_name == "argument":
            record = (param.human_readable_name, getattr(param, "help", None))
        if record is not None:
            names, help_text = record
            rows.append(f"| `{names}` | {_text(help_text)} |")
    if not rows:
        return []
    return ["| argument or option | meaning |", "|---|---|", *rows, ""]


def _command_section(command, ctx, level: int) -> list[str]:
    out = [f"{'#' * level} `{ctx.command_path}`", ""]
    if command.help:
        out += [_text(command.help), ""]
    out += ["```text", command.get_usage(ctx), "```", ""]
    out += _parameters(command, ctx)
    if command.epilog:
        out += [_text(command.epilog), ""]
    return out


def cli_reference() -> str:
    """The CLI reference page: every command of `lstmshape.cli.app:app` with its help, usage,
    arguments and options, walked through click's API (typer builds a click command tree, with a
    click of its own: contexts are made by the command's own `context_class`)."""
    import typer.main

    from lstmshape.cli.app import app

    root = typer.main.get_command(app)
    ctx = root.context_class(root, info_name="lstmshape")
    out = ["# Command line", "",
           "Generated from the command line itself: every command's `--help`, as `lstmshape COMMAND -h` "
           "prints it. Exit codes are on [Exit codes and output formats](../output.md).", ""]
    out += _command_section(root, ctx, 2)
    for name in root.list_commands(ctx):
        command = root.get_command(ctx, name)
        if command is not None and not command.hidden:
            out += _command_section(command, command.context_class(command, info_name=name, parent=ctx), 2)
    return "\n".join(out)


# ------------------------------------------------------------------------------ one page per rule


def _docstring_markdown(doc: str) -> str:
    """A rule docstring (its first line is the summary) as Markdown: its `Label::` literal blocks
    become fenced blocks (YAML for the failing and passing examples, text for an example's output)."""
    import textwrap

    lines = textwrap.dedent("\n".join(doc.strip().split("\n")[1:])).strip("\n").split("\n")
    out: list[str] = []
    at = 0
    while at < len(lines):
        line = lines[at]
        at += 1
        if not line.rstrip().endswith("::"):
            out.append(line)
            continue
        block = []
        while at < len(lines) and (not lines[at].strip() or lines[at].startswith("    ")):
            block.append(lines[at])
            at += 1
        example = re.match(r"(Failing|Passing) example(?: \((\w+)\))?::$", line.strip())
        if example:
            kind, framework = example.groups()
            line = f"**{'Fails' if kind == 'Failing' else 'Passes'}{f' ({framework})' if framework else ''}:**"
        else:
            line = line.rstrip()[:-1]
        body = textwrap.dedent("\n".join(block)).strip("\n")
        out += [line, "", f"```{'yaml' if example else 'text'}", body, "```", ""]
    return "\n".join(out).strip("\n")


def rule_page(code) -> str:
    """The page of one code: its name, severity and summary, then its documentation with examples
    (the rule module's docstring, or the code's own in lstmshape/codes.py for a code no rule reports)."""
    from lstmshape.rules import documentation, rule

    module = rule(code)
    where = f"`lstmshape/rules/{module.__name__.rsplit('.', 1)[1]}.py`" if module is not None \
        else "`lstmshape/codes.py`"
    out = [f"# {code} {code.name}", "",
           f"**Severity:** {code.severity} · **Summary:** {code.summary}", "",
           _docstring_markdown(documentation(code)), "",
           f"Documented in {where}; `lstmshape rules {code}` prints the same. "
           "[All codes](index.md)", ""]
    return "\n".join(out)


def rules_index() -> str:
    """The table of every code, each linked to its page."""
    from lstmshape.codes import ALL

    out = ["# Rules", "",
           "Every problem code lstmshape can print, one page each, generated from the rule modules "
           "(`lstmshape/rules/lsNNN_*.py`: a docstring with a failing and a passing example, which the tests "
           "run) and, for the codes the reader finds while reading a file and those of `infer --as` and "
           "checkpoints, `lstmshape/codes.py`. `lstmshape rules` lists the same codes; `lstmshape rules LS101` "
           "(or `lstmshape rules head-in-features`) prints one's documentation.", "",
           "Codes run in ranges: LS0nn reading a file, LS1nn the shapes of the model, LS2nn frameworks and "
           "`infer --as`, LS3nn checkpoints (`check --weights`, `inspect`).", "",
           "| code | name | severity | summary |", "|---|---|---|---|"]
    for code in ALL:
        out.append(f"| [`{code}`]({code}.md) | {code.name} | {code.severity} | {_text(code.summary)} |")
    return "\n".join(out) + "\n"


def rule_pages() -> dict[str, str]:
    """{path under docs/: Markdown} of every generated rules page."""
    from lstmshape.codes import ALL

    pages = {f"{RULES_DIR}/index.md": rules_index()}
    pages.update({f"{RULES_DIR}/{code}.md": rule_page(code) for code in ALL})
    return pages


# ------------------------------------------------------------------------------ the library API

API_MARKER = "<!-- lstmshape.__all__ -->"


def api_reference() -> str:
    """One mkdocstrings block per name lstmshape exports (`__all__`), each documented under its own
    name once: an alias kept under a second name (`obj.__name__` differs) is left out."""
    import lstmshape

    names = [name for name in lstmshape.__all__ if getattr(getattr(lstmshape, name), "__name__", name) == name]
    return "\n\n".join(f"::: lstmshape.{name}" for name in names)


# ------------------------------------------------------------------------------ the gallery


def gallery_pages() -> dict[str, str]:
    """The gallery page and one SVG per shipped config that draws (`gallery/<folder>-<name>.svg`),
    drawn by `lstmshape draw`'s own code when the site is built."""
    from lstmshape.draw import drawn_text

    sections, refused, pages = [], [], {}
    for folder in GALLERY_SOURCES:
        for path in sorted((REPO / folder).glob("*.yaml")):
            name = f"{folder}/{path.name}"
            text, drawing = drawn_text(os.path.relpath(path))
            if text is None:
                codes = ", ".join(sorted({str(p.code) for p in drawing.problems}))
                refused.append(f"`{name}` ({codes})")
                continue
            svg = f"gallery/{folder}-{path.stem}.svg"
            pages[svg] = text
            sections.append(f"## {name}\n\n```yaml\n{path.read_text().rstrip()}\n```\n\n"
                            f"![{name} drawn by lstmshape draw]({svg})\n")
    intro = ("# Gallery\n\nEvery config shipped in the repository's `examples/` and `configs/`, drawn by "
             "`lstmshape draw` when this site is built, so each picture is the tool's own output "
             "([how to read them](draw.md)). Problems the check finds are marked where they are and "
             "listed, numbered, under each picture.\n\n"
             f"Not drawn, because they cannot be read (on purpose: they show the messages): {', '.join(refused)}.\n")
    pages[GALLERY_PAGE] = intro + "\n" + "\n".join(sections)
    return pages


# ------------------------------------------------------------------------------ the MkDocs hooks


def on_files(files, config):
    """Add the generated pages to the site."""
    from mkdocs.structure.files import File

    pages = {CLI_PAGE: cli_reference(), **rule_pages(), **gallery_pages()}
    for path, content in pages.items():
        files.append(File.generated(config, path, content=content))
    return files


def on_page_markdown(markdown, page, config, files):
    """Fill the library API page's marker with the names lstmshape exports."""
    return markdown.replace(API_MARKER, api_reference()) if API_MARKER in markdown else markdown


def on_config(config):
    """List every rule page under the Rules section of the navigation, after its index."""
    from lstmshape.codes import ALL

    groups = {title: [{f"{code} {code.name}": f"{RULES_DIR}/{code}.md"} for code in ALL if code[2] == digit]
              for digit, title in RANGES}
    for item in config.nav or []:
        if isinstance(item, dict) and "Rules" in item:
            item["Rules"] = [f"{RULES_DIR}/index.md", *({title: pages} for title, pages in groups.items() if pages)]
    return config
