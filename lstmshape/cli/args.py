"""Every command's options, written once: the parser, `--help` and the usage errors all come from
this table. No typer here: parsing argv by hand costs nothing at start-up, where typer (and the
pydantic it pulls in) costs a quarter of a second, and the help reads as a person wrote it.
(lstmshape.cli.app builds typer's shell completion from the same table.)"""

from __future__ import annotations

from dataclasses import dataclass

PROG = "lstmshape"
SUMMARY = "Work out, check and explain the tensor shapes of LSTM networks from a YAML config."


@dataclass(frozen=True)
class Option:
    """One option: its names, the value it takes (None: a flag), the values allowed."""

    names: tuple[str, ...]
    dest: str
    help: str
    metavar: str | None = None
    choices: tuple[str, ...] = ()
    needs: str = ""  # another option this one only works with
    required: bool = False
    repeat: bool = False  # may be given more than once: its values are collected in a list


@dataclass(frozen=True)
class Command:
    """One command: its arguments, options and help."""

    name: str
    summary: str
    arguments: str  # as the usage line shows them: CONFIG, [FILE_OR_DIR...], [CODE]
    arguments_help: str
    options: tuple[Option, ...] = ()
    many: bool = False  # any number of arguments (else exactly one, or at most one when optional)
    optional: bool = False
    epilog: str = ""

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if name in o.names), None)


class Usage(Exception):
    """A command line that cannot run as written: exit 2 with this message."""

    def __init__(self, message: str, command: Command | None = None):
        super().__init__(message)
        self.command = command


class Help(Exception):
    """`-h` / `--help`: show the help of `command` (None: of lstmshape itself)."""

    def __init__(self, command: Command | None):
        super().__init__(command.name if command else PROG)
        self.command = command


FORMAT_HELP = "JSON output is always JSON: problems included"
FROM = Option(("--from",), "from_", "read TARGET (lstm, data, lstm.KEY, data.KEY, framework) from PATH, a dot-separated "
              "key path in the file (model.encoder; '.' is the root); repeatable", "TARGET=PATH", repeat=True)
SET = Option(("--set",), "set_", "a value the file does not hold, read as a YAML scalar (lstm.input_size=80, "
             "framework=keras); repeatable", "TARGET=VALUE", repeat=True)
COMMANDS = {c.name: c for c in (
    Command(
        "infer", "Every tensor shape of the configured network: input, output, h0, c0, hn, cn and parameters.",
        "CONFIG", "the config file (YAML or JSON); - reads it from standard input",
        (
            Option(("--matrix",), "matrix", "every combination of the framework's axes (torch: batch_first × "
                   "bidirectional × num_layers; keras: bidirectional × return_sequences × return_state × "
                   "num_layers; onnx: layout × direction × num_layers)"),
            Option(("--layers",), "layers", "num_layers values for --matrix, e.g. 1,2,4 (implies --matrix)",
                   "N,N,..."),
            Option(("--explain",), "explain", "how each dimension is derived, and the traps for this config"),
            Option(("--format",), "format", f"table (default) or json ({FORMAT_HELP})", "FORMAT", ("table", "json")),
            Option(("--verify",), "verify", "run the NumPy forward pass and check every shape (exit 1 on a "
                   "mismatch)"),
            Option(("--full",), "full", "run the forward pass at full size even when it is large (implies "
                   "--verify)"),
            Option(("--as",), "as_framework", "the same network in another framework; exit 1 naming the setting "
                   "it cannot express", "FRAMEWORK", ("torch", "keras", "onnx")),
            Option(("--weights",), "weights", "run a checkpoint's real weights (.pt/.pth/.bin, .safetensors, "
                   ".npz) instead of random ones", "FILE", needs="--verify"),
            Option(("--prefix",), "prefix", "the LSTM's prefix in the checkpoint (default: its only LSTM)",
                   "PREFIX", needs="--weights"),
            FROM,
            SET,
        ),
        epilog="Exit codes: 0 shapes shown, 1 the config has errors or a shape was not verified, 2 usage error.",
    ),
    Command(
        "check", "Check configs against the whole model's shape rules (the pre-commit and CI gate).",
        "[FILE_OR_DIR...]", "config files (each one named is checked: a file that is not an lstmshape config is an "
        "error saying how to map it), or directories searched for *.yaml / *.yml / *.json (there, YAML and JSON "
        "that is not an lstmshape config is skipped); none: every file [tool.lstmshape] in pyproject.toml names; "
        "- reads standard input",
        (
            Option(("--format",), "format", "text (default), json, github (default under GitHub Actions) or "
                   "sarif", "FORMAT", ("text", "json", "github", "sarif")),
            Option(("--strict",), "strict", "warnings fail the check too"),
            Option(("--exit-zero",), "exit_zero", "exit 0 even when problems are found (2 still means a usage "
                   "error)"),
            Option(("--skip-non-configs",), "skip_non_configs", "skip named files that are not lstmshape configs "
                   "and that no [tool.lstmshape] group maps, as a directory walk does (the pre-commit hook passes "
                   "it: pre-commit names every staged YAML and JSON file)"),
            Option(("-v", "--verbose"), "verbose", "name every file skipped as not an lstmshape config"),
            Option(("--weights",), "weights", "hold the config against this checkpoint (.pt/.pth/.bin, "
                   ".safetensors, .npz): every tensor's name and shape", "FILE"),
            Option(("--prefix",), "prefix", "the LSTM's prefix in the checkpoint, e.g. encoder.rnn (default: its "
                   "only LSTM)", "PREFIX", needs="--weights"),
            FROM,
            SET,
        ),
        many=True,
        epilog="Exit codes: 0 clean (warnings allowed), 1 problems found, 2 usage error (no config found, a path "
               "that does not exist, a bad option).",
    ),
    Command(
        "draw", "A picture of the network: an SVG, or a self-contained HTML report.",
        "CONFIG", "the config file",
        (
            Option(("-o", "--output"), "output", "the file to write: NAME.svg (the picture) or NAME.html (the "
                   "picture, tables, traps and problems on one page)", "FILE", required=True),
            Option(("--open",), "open_browser", "open the written file in the default browser"),
            FROM,
            SET,
        ),
        epilog="Exit codes: 0 drawn, 1 the check found errors (they are drawn too), 2 usage error.",
    ),
    Command(
        "inspect", "Every LSTM in a weights file, its settings read off the tensor shapes (headers only).",
        "FILE", "a weights file: .pt/.pth/.bin, .safetensors, .npz, .onnx or .keras",
        (
            Option(("--format",), "format", "table (default), json, or yaml (a ready lstmshape config per LSTM)",
                   "FORMAT", ("table", "json", "yaml")),
            Option(("-o", "--output-dir"), "out_dir", "with --format yaml: write one config file per LSTM into "
                   "this directory", "DIR"),
        ),
    ),
    Command(
        "rules", "Every problem code with its severity and summary; with CODE, its documentation.",
        "[CODE]", "a code (LS101) or a name (head-in-features)", optional=True,
    ),
)}


def parse(argv: list[str]) -> tuple[Command, list[str], dict]:
    """The command, its arguments and its options (dest → value; flags True) from argv, or
    Usage / Help. `--` ends the options."""
    if not argv or argv[0] in ("-h", "--help"):
        raise Help(None)
    name, rest = argv[0], argv[1:]
    command = COMMANDS.get(name)
    if command is None:
        raise Usage(f"No such command {name!r}; the commands are {', '.join(COMMANDS)}")
    arguments: list[str] = []
    values: dict = {}
    words = iter(rest)
    only_arguments = False
    for word in words:
        if only_arguments or word == "-" or not word.startswith("-"):
            arguments.append(word)
            continue
        if word == "--":
            only_arguments = True
            continue
        if word in ("-h", "--help"):
            raise Help(command)
        name, has_value, value = word.partition("=") if word.startswith("--") else (word, False, "")
        option = command.option(name)
        if option is None and not word.startswith("--") and len(word) > 2 and command.option(word[:2]):
            option, has_value, value = command.option(word[:2]), True, word[2:]  # -oFILE
        if option is None:
            raise Usage(f"No such option: {word}", command)
        if option.metavar is None:
            if has_value:
                raise Usage(f"{option.names[-1]} takes no value", command)
            values[option.dest] = True
            continue
        if not has_value:
            value = next(words, None)
            if value is None:
                raise Usage(f"{option.names[-1]} needs a value ({option.metavar})", command)
        if option.choices and value not in option.choices:
            raise Usage(f"{option.names[-1]}: {value!r} is not one of {', '.join(option.choices)}", command)
        if option.repeat:
            values.setdefault(option.dest, []).append(value)
        else:
            values[option.dest] = value
    if not command.many:
        if len(arguments) > 1:
            raise Usage(f"{command.name} takes one {command.arguments.strip('[]')}, got {len(arguments)}: "
                        f"{' '.join(arguments)}", command)
        if not arguments and not command.optional:
            raise Usage(f"Missing argument {command.arguments}", command)
    for option in command.options:
        needed = command.option(option.needs) if option.needs else None
        if needed is not None and option.dest in values and needed.dest not in values:
            raise Usage(f"{option.names[-1]} works with {option.needs} only", command)
        if option.required and option.dest not in values:
            raise Usage(f"Missing option {' / '.join(option.names)} {option.metavar}", command)
    return command, arguments, values


def usage(command: Command | None) -> str:
    if command is None:
        return f"usage: {PROG} [-h] [--version] COMMAND ..."
    return f"usage: {PROG} {command.name} [-h] [OPTIONS] {command.arguments}".rstrip()


def help_text(command: Command | None, width: int = 80) -> str:
    """The help of one command (or of lstmshape), laid out like a hand-written man page."""
    import textwrap

    def entries(rows: list[tuple[str, str]]) -> list[str]:
        left = min(max(len(name) for name, _ in rows) + 4, 28)
        out = []
        for name, text in rows:
            body = textwrap.wrap(text, max(width - left, 30))
            first = f"  {name}".ljust(left) if len(name) + 4 <= left else f"  {name}\n" + " " * left
            out.append(first + (body[0] if body else ""))
            out += [" " * left + line for line in body[1:]]
        return out

    if command is None:
        lines = [usage(None), "", SUMMARY, "", "commands:"]
        lines += entries([(c.name, c.summary) for c in COMMANDS.values()])
        lines += ["", "options:"]
        lines += entries([("-h, --help", "show this help (lstmshape COMMAND -h: a command's help)"),
                          ("--version", "show the version"),
                          ("--install-completion", "install shell completion for the current shell (bash, zsh, "
                                                   "fish, PowerShell)")])
        return "\n".join(lines) + "\n"
    lines = [usage(command), "", command.summary, "", "arguments:"]
    lines += entries([(command.arguments.strip("[]"), command.arguments_help)])
    lines += ["", "options:"]
    rows = [("-h, --help", "show this help")]
    for option in command.options:
        name = ", ".join(option.names) + (f" {option.metavar}" if option.metavar else "")
        rows.append((name, option.help + (f" (with {option.needs})" if option.needs else "")))
    lines += entries(rows)
    if command.epilog:
        lines += [""] + textwrap.wrap(command.epilog, width)
    return "\n".join(lines) + "\n"
