"""`lstmshape schema`: the JSON Schema editors use, tested against its real consumers.

- check-jsonschema (run as a subprocess) accepts every shipped config and example that the reader
  reads without error, and refuses the two with known reading errors;
- the real yaml-language-server (npm, installed by .ci/run from tests/lsp's lockfile into
  /tmp/lstmshape-lsp), driven over LSP (JSON-RPC on stdio), completes a key under `lstm:` and
  flags `hidden_size: "x"`;
- a property test: the schema refuses what the reader refuses as a type or structure error
  (LS003, LS004, LS005, LS007, LS008) and accepts what the reader accepts. The documented
  exceptions (what a JSON Schema cannot say) are kept out of the generated configs and pinned by
  their own tests below: cross-field rules, 20.0 as an integer, the value an interpolation
  resolves to.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from jsonschema import Draft202012Validator

from helpers import REPO, run
from lstmshape.frameworks import KERAS, ONNX, of
from lstmshape.frameworks.torch import LSTM_KEYS
from lstmshape.read import parse_text
from lstmshape.read.data import DATA_KEYS
from lstmshape.read.values import classify, classify_choice
from lstmshape.schema import build, shipped_text, text
from lstmshape.settings import NONLINEARITIES

READING_ERRORS = {"configs/broken.yaml", "examples/keras_layer_args.yaml"}  # errors the reader reports
SHIPPED = sorted(str(p.relative_to(REPO)) for d in ("configs", "examples") for p in (REPO / d).glob("*.yaml"))
TYPE_CODES = {"LS003", "LS004", "LS005", "LS007", "LS008"}
LSP_SERVER = Path(os.environ.get("LSTMSHAPE_YAML_LS", "/tmp/lstmshape-lsp/node_modules/.bin/yaml-language-server"))


def required_or_skip(what: str) -> None:
    """Skip without `what`, unless CI requires every consumer (as the oracles)."""
    if os.environ.get("LSTMSHAPE_REQUIRE_ORACLES") == "1" or os.environ.get("CI"):
        pytest.fail(f"{what} is required here (installed by .ci/run)")
    pytest.skip(f"{what} not installed")


@pytest.fixture(scope="module")
def schema_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "lstmshape.schema.json"
    result = run("schema")
    assert result.returncode == 0, result.stderr
    path.write_text(result.stdout, encoding="utf-8")
    return path


def test_the_command_prints_the_shipped_schema(schema_file):
    assert schema_file.read_text(encoding="utf-8") == text() == shipped_text(), \
        "lstmshape/schema/lstmshape.schema.json is stale: regenerate it with `lstmshape schema > ...`"


def test_every_key_has_a_description():
    def walk(node, path):
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                assert sub.get("description"), f"{path}.{name} has no description"
            for key, sub in node.items():
                if key not in ("if", "then", "else"):  # conditions: each key is described where it is declared
                    walk(sub, f"{path}.{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{path}[{i}]")

    walk(build(), "$")


def check_jsonschema(schema: Path, *files: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("check-jsonschema")
    if not exe.exists():
        required_or_skip("check-jsonschema")
    return subprocess.run([str(exe), "--schemafile", str(schema), *files], cwd=REPO, capture_output=True,
                          text=True, timeout=120)


def test_check_jsonschema_accepts_the_metaschema_and_every_valid_shipped_config(schema_file):
    exe = Path(sys.executable).with_name("check-jsonschema")
    if not exe.exists():
        required_or_skip("check-jsonschema")
    meta = subprocess.run([str(exe), "--check-metaschema", str(schema_file)], capture_output=True, text=True,
                          timeout=120)
    assert meta.returncode == 0, meta.stdout + meta.stderr
    valid = [f for f in SHIPPED if f not in READING_ERRORS]
    assert len(valid) >= 20
    result = check_jsonschema(schema_file, *valid)
    assert result.returncode == 0, result.stdout + result.stderr


TYPE_ERRORS = [
    ("lstm: {input_size: 10, hidden_size: 20.5}\n", "$.lstm"),
    ("lstm: {input_size: 10, hidden_size: 20}\ndata: {batch_size: -1}\n", "$.data"),
    ("lstm: {input_size: 10, hidden_size: 20, batch_frist: true}\n", "$.lstm"),
    ("framework: keras\nlstm: {input_dim: 10, units: 20, hidden_size: 3}\n", "$.lstm"),
    ("lstm: {input_size: 10, hidden_size: 20}\nhead: [{linear: {in_features: 20}}]\n", "$.head"),
]


@pytest.fixture(scope="module")
def refused(schema_file, tmp_path_factory):
    """check-jsonschema run once on every config it must refuse (READING_ERRORS and each of
    TYPE_ERRORS written in a file): {file: the errors it reports for that file ("" if none)} and
    its exit code. It validates each file on its own; one run spares a start-up per file."""
    written = {text: tmp_path_factory.mktemp("bad") / "bad.yaml" for text, _ in TYPE_ERRORS}
    for text, path in written.items():
        path.write_text(text, encoding="utf-8")
    files = [*sorted(READING_ERRORS), *map(str, written.values())]
    result = check_jsonschema(schema_file, *files)
    errors, current = dict.fromkeys(files, ""), None
    for line in result.stdout.splitlines():
        current = next((f for f in files if line.startswith(f"  {f}::")), current)
        if current is not None:
            errors[current] += line + "\n"
    return written, errors, result


@pytest.mark.xdist_group("check-jsonschema-refuses")  # one worker runs check-jsonschema once
@pytest.mark.parametrize("name", sorted(READING_ERRORS))
def test_configs_with_known_type_errors_fail_it(refused, name):
    config, problems = parse_text((REPO / name).read_bytes(), name)
    assert config is None and any(p.is_error for p in problems)  # the reader refuses it too
    _, errors, result = refused
    assert result.returncode == 1 and errors[name], result.stdout + result.stderr


@pytest.mark.xdist_group("check-jsonschema-refuses")
@pytest.mark.parametrize("text, where", TYPE_ERRORS)
def test_type_errors_written_in_a_file_fail_it(refused, text, where):
    written, errors, result = refused
    assert parse_text(text)[0] is None
    assert result.returncode == 1 and where in errors[str(written[text])], result.stdout + result.stderr


# --- the real yaml-language-server, over LSP ------------------------------------------------------


class Lsp:
    """A minimal LSP client: JSON-RPC 2.0 with Content-Length framing on the server's stdio."""

    def __init__(self, command: list[str]):
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.next_id = 0
        self.messages: list[dict] = []
        self.lock = threading.Condition()
        threading.Thread(target=self.read_loop, daemon=True).start()

    def read_loop(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            message = json.loads(out.read(length))
            if "id" in message and "method" in message:  # a request from the server: answer it
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": self.answer(message)})
            with self.lock:
                self.messages.append(message)
                self.lock.notify_all()

    def answer(self, message: dict):
        if message["method"] == "workspace/configuration":
            return [self.settings.get(item.get("section", ""), None) for item in message["params"]["items"]]
        return None

    settings: dict = {}

    def send(self, message: dict) -> None:
        body = json.dumps(message).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict, timeout: float = 30):
        self.next_id += 1
        ident = self.next_id
        self.send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        found = self.wait(lambda m: m.get("id") == ident and "method" not in m, timeout)
        assert "error" not in found, found
        return found["result"]

    def wait(self, matches, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                for message in self.messages:
                    if matches(message):
                        return message
                left = deadline - time.monotonic()
                assert left > 0, f"no such message from the language server in {timeout} s: {self.messages[-5:]}"
                self.lock.wait(left)

    def close(self) -> None:
        try:
            self.request("shutdown", {}, timeout=10)
            self.notify("exit", {})
            self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


@pytest.fixture
def lsp(schema_file, tmp_path):
    if not LSP_SERVER.exists():
        required_or_skip(f"yaml-language-server ({LSP_SERVER})")
    client = Lsp(["node", str(LSP_SERVER), "--stdio"])
    client.settings = {"yaml": {"validate": True, "completion": True, "hover": True,
                                "schemas": {schema_file.as_uri(): ["*.lstm.yaml"]}}}
    client.request("initialize", {"processId": os.getpid(), "rootUri": tmp_path.as_uri(), "capabilities": {
        "workspace": {"configuration": True},
        "textDocument": {"completion": {"completionItem": {"snippetSupport": False}},
                         "publishDiagnostics": {}, "hover": {"contentFormat": ["plaintext"]}}}})
    client.notify("initialized", {})
    client.notify("workspace/didChangeConfiguration", {"settings": client.settings})
    client.wait(lambda m: m.get("method") == "workspace/configuration")  # it has asked for (and got) the settings
    yield client
    client.close()


def open_document(lsp: Lsp, path: Path, text: str) -> str:
    uri = path.as_uri()
    path.write_text(text, encoding="utf-8")
    lsp.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                         "text": text}})
    # validated (so its schema is loaded) once the server publishes its first diagnostics
    lsp.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
    return uri


def diagnostics(lsp: Lsp, uri: str, line: int) -> list[dict]:
    """The first diagnostics the server publishes for `uri` on `line` (0-based)."""
    found = lsp.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
                     and any(d["range"]["start"]["line"] == line for d in m["params"]["diagnostics"]))
    return [d for d in found["params"]["diagnostics"] if d["range"]["start"]["line"] == line]


def test_the_language_server_completes_a_key_under_lstm(lsp, tmp_path):
    text = "lstm:\n  input_size: 10\n  hid\n"
    uri = open_document(lsp, tmp_path / "model.lstm.yaml", text)
    result = lsp.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                     "position": {"line": 2, "character": 5}})
    items = result["items"] if isinstance(result, dict) else result
    labels = {item["label"] for item in items}
    assert "hidden_size" in labels, sorted(labels)[:40]
    assert "batch_size" not in labels  # a key of `data`, not of `lstm`


@pytest.mark.parametrize("name, modeline", [("model.lstm.yaml", False), ("model.yaml", True)])
def test_the_language_server_flags_a_string_hidden_size(lsp, schema_file, tmp_path, name, modeline):
    """By VS Code's yaml.schemas glob (*.lstm.yaml here), and by the modeline where no glob matches."""
    head = f"# yaml-language-server: $schema={schema_file.as_uri()}\n" if modeline else ""
    text = head + 'lstm:\n  input_size: 10\n  hidden_size: "x"\n  num_layers: 2\n'
    uri = open_document(lsp, tmp_path / name, text)
    found = diagnostics(lsp, uri, text.count("\n", 0, text.index("hidden_size")))
    assert [d["severity"] for d in found] == [1] and found[0]["range"]["start"]["character"] == 15, found
    assert 'Expected "integer"' in found[0]["message"] and found[0]["source"] == "yaml-schema: lstmshape config"


def test_the_language_server_is_quiet_on_a_valid_config_and_shows_each_keys_doc(lsp, tmp_path):
    text = (REPO / "configs/bilstm.yaml").read_text()
    uri = open_document(lsp, tmp_path / "bilstm.lstm.yaml", text)
    found = lsp.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
    assert found["params"]["diagnostics"] == []
    line = text.splitlines().index("  hidden_size: 20")
    hover = lsp.request("textDocument/hover", {"textDocument": {"uri": uri},
                                               "position": {"line": line, "character": 4}})
    shown = hover["contents"]["value"] if isinstance(hover["contents"], dict) else json.dumps(hover["contents"])
    doc = next(k.doc for k in LSTM_KEYS if k.name == "hidden_size")
    assert doc.split(" (")[0] in shown, shown  # markdown escapes the parentheses after it


# --- the schema never disagrees with the reader -------------------------------------------------

VALIDATOR = Draft202012Validator(build())
TABLES = {"torch": LSTM_KEYS, "keras": KERAS.keys, "onnx": ONNX.keys}
BASE = {"torch": {"input_size": 10, "hidden_size": 20}, "keras": {"input_dim": 10, "units": 20},
        "onnx": {"input_size": 10, "hidden_size": 20}}
# Keys whose valid values meet a cross-field rule (proj_size < hidden_size, a setting of one cell only,
# go_backwards with bidirectional, ...), which a schema cannot express: the generator gives them
# only values that are wrong on their own.
CROSS_FIELD = {"torch": {"proj_size", "total_proj_size", "total_hidden_size", "nonlinearity"},
               "keras": {"reset_after", "unit_forget_bias", "go_backwards", "merge_mode", "recurrent_activation"},
               "onnx": {"linear_before_reset", "peepholes", "input_forget"}}
WORDS = ["tanh", "relu", "Tanh", "lstm", "GRU", "rnn_tanh", "SimpleRNN", "concat", "ave", "forward", "reverse",
         "bidirectional", "sigmoid", "B", "N", "x", "", "1", "0.5"]
# no YAML 1.1 boolean words ('yes'), no `${`, `???` or `<a>`: the documented exceptions, tested below
scalars = st.one_of(st.none(), st.booleans(), st.integers(-2, 40), st.sampled_from([0, 1, 2, 10**100, 10**100 + 1]),
                    st.floats(-2, 2, allow_nan=False).filter(lambda x: not x.is_integer()),
                    st.sampled_from(WORDS), st.text("abXY_09 ", max_size=4))
# each kind's values just past its bounds, and of the types nearest it: what a schema gets wrong first
NEAR = {"positive_int": [0, 1, -1, 1.5, "1", True, 10**100, 10**100 + 1], "nonneg_int": [0, -1, 2.5, "0", False],
        "directions": [0, 1, 2, 3, "2", True], "bool": [0, 1, "true", None, True],
        "fraction": [0, 1, -0.01, 1.01, "0.5", True, 0.5], "rate": [0, 1, 0.99, -0.01, "0.2", True],
        "dim": [0, 1, "B", "1B", "", -1, 1.5, True, None], "lengths": [[], [0], [1, 2], [1.5], 3, [True]],
        "input_shape": [[], [None], [0], [1, None], [1.5], 5, [10**100 + 1]],
        "state": [None, "None", " h0 ", "hz", ["h0"] * 5, [], ["none"], ["h0", 1], "(h0", "()", "h0,,c0", "(none)", 3],
        "activation": ["tanh", "Tanh", "x", None, 1, True], "choice": ["lstm", "gru", "GRU", "x", 0, 1, 2, None,
                                                                     True, "concat", "forward", "relu"]}
# each just past a bound of some kind: the values a schema gets wrong first
BOUNDARY = [0, -1, 3, 1.5, 0.99, 1.01, -0.01, True, None, "1", "B", "3x", 10**100, 10**100 + 1, [], [0], [2, None]]
values = st.one_of(st.sampled_from(BOUNDARY), st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["a", "in_features", "out_features", "units"]), inner, max_size=2), max_leaves=4))


@functools.cache  # a strategy is built once, not at every draw: the same draws, for less work
def valid(framework: str, key) -> st.SearchStrategy:
    """Values the reader takes for `key` on its own."""
    kind = key.kind
    symbols = st.sampled_from(["B", "N", "T", "seq_len"])
    if kind == "choice":
        if key.name in ("cell", "nonlinearity"):
            names = NONLINEARITIES if key.name == "nonlinearity" else of(framework).cell_names
            return st.sampled_from(sorted(names)).flatmap(lambda n: st.sampled_from([n, n.upper(), n.title()]))
        return st.sampled_from(of(framework).choices[key.name])
    return {"positive_int": st.integers(1, 64), "nonneg_int": st.integers(0, 64), "directions": st.sampled_from([1, 2]),
            "bool": st.booleans(), "fraction": st.floats(0, 1), "rate": st.floats(0, 0.99),
            "dim": st.integers(1, 64) | symbols, "lengths": st.lists(st.integers(1, 9), min_size=1, max_size=3),
            "input_shape": st.lists(st.none() | st.integers(1, 64), max_size=4),
            "activation": st.sampled_from([None, "tanh", "relu", "sigmoid", "Tanh", "swish", "x"]),
            "state": st.sampled_from([None, "none", "h0", "hx", "c", ["h0", "c0"], "(h0,)", "h0, c0", "[h, c]"])}[kind]


def wrong_alone(framework: str, name: str, value) -> bool:
    """Whether the reader refuses `value` for the key `name` whatever the other settings are."""
    key = next(k for k in TABLES[framework] if name in (k.name, *k.aliases))
    if key.kind != "choice":
        return classify(key.kind, value) is not None
    if key.name == "nonlinearity":
        return not (isinstance(value, str) and value.lower() in NONLINEARITIES)
    if key.name == "cell":
        return not (isinstance(value, str) and value.lower() in of(framework).cell_names)
    return classify_choice(value, of(framework).choices[key.name]) is not None


@functools.cache
def optional_keys(framework: str) -> st.SearchStrategy:
    optional = [k for k in TABLES[framework] if not k.required and k.name not in CROSS_FIELD[framework]
                and k.name not in ("num_directions", "total_hidden_size", "input_shape", "batch_input_shape")]
    return st.lists(st.sampled_from(optional), max_size=3, unique=True)


@functools.cache
def spellings(key) -> st.SearchStrategy:
    """The key's name or one of its aliases."""
    return st.sampled_from((key.name, *key.aliases))


@st.composite
def block(draw, framework: str, first: bool) -> dict:
    """A valid block (or `lstm` mapping): the required sizes and some settings, any under an alias."""
    body = dict(BASE[framework])
    if not first and draw(st.booleans()):
        body.pop("input_dim" if framework == "keras" else "input_size")
    for key in draw(optional_keys(framework)):
        body[draw(spellings(key))] = draw(valid(framework, key))
    return body


HEAD = {"torch": [{"linear": {"in_features": 40, "out_features": 3}}, "relu", {"dropout": 0.1}, "flatten"],
        "keras": [{"dense": {"units": 3}}, "tanh", {"dropout": 0.2}, "global_max_pooling1d"],
        "onnx": [{"gemm": {"in_features": 40, "out_features": 3, "input": "Y_h"}}, "sigmoid", {"matmul": {
            "in_features": 3, "out_features": 2, "reshape": [0, -1]}}]}
EXPECT = {"torch": ("output", "hn"), "keras": ("output", "state_h"), "onnx": ("Y", "Y_h")}


@functools.cache
def data_keys(framework: str) -> st.SearchStrategy:
    keys = [k for k in DATA_KEYS if framework == "torch" or k.name in ("batch_size", "seq_len", "lengths")]
    return st.lists(st.sampled_from(keys), max_size=3, unique=True)


@functools.cache
def heads(framework: str) -> st.SearchStrategy:
    return st.lists(st.sampled_from(HEAD[framework]), max_size=3)


@functools.cache
def expectations(framework: str, blocks: int) -> st.SearchStrategy:
    shapes = st.dictionaries(st.sampled_from(EXPECT[framework]), st.lists(
        st.integers(1, 64) | st.sampled_from(["N", "L"]), min_size=1, max_size=3), max_size=2)
    return shapes if blocks < 2 else st.lists(st.none() | shapes, min_size=blocks, max_size=blocks)


@st.composite
def valid_configs(draw) -> tuple[str, dict]:
    framework = draw(st.sampled_from(["torch", "keras", "onnx"]))
    config: dict = {} if framework == "torch" and draw(st.booleans()) else {"framework": framework}
    blocks = draw(st.integers(0, 3))
    config["lstm"] = draw(block(framework, True)) if blocks == 0 else \
        [draw(block(framework, k == 0)) for k in range(blocks)]
    if draw(st.booleans()):
        picked = draw(data_keys(framework))
        config["data"] = {draw(spellings(k)): draw(valid(framework, k)) for k in picked}
    if draw(st.booleans()):
        config["head"] = draw(heads(framework)) if framework != "onnx" else HEAD["onnx"][:draw(st.integers(0, 3))]
    if draw(st.booleans()):
        config["expect"] = draw(expectations(framework, blocks))
    return framework, config


def places(config: dict) -> list[tuple]:
    """Every path in `config` where a value sits (mapping keys and list items)."""
    found, queue = [], [((), config)]
    while queue:
        path, node = queue.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, sub in items:
            found.append(path + (key,))
            queue.append((path + (key,), sub))
    return found


def at(config: dict, path: tuple):
    for part in path:
        config = config[part]
    return config


@functools.cache
def near(kind: str) -> st.SearchStrategy:
    return st.sampled_from(NEAR[kind]) | values


@functools.cache
def new_names(framework: str) -> st.SearchStrategy:
    names = [n for k in (*TABLES[framework], *DATA_KEYS) for n in (k.name, *k.aliases)]
    return st.sampled_from(["hiden_size", "decoder", "join", "units", *names])


@st.composite
def configs(draw) -> dict:
    """A valid config with none, one or two things made wrong (or right again by chance): a value
    replaced, a key removed or added, a key put under one of its aliases."""
    framework, config = draw(valid_configs())
    config = json.loads(json.dumps(config))  # a copy to change
    for _ in range(draw(st.integers(0, 2))):
        spots = places(config)
        if not spots:
            break
        path = draw(st.sampled_from(spots))
        parent, last = at(config, path[:-1]), path[-1]
        change = draw(st.sampled_from(["value", "value", "remove", "unknown", "key", "top"]))
        table = {"lstm": TABLES[framework], "data": DATA_KEYS}.get(path[0], ())
        key = next((k for k in table if last in (k.name, *k.aliases)), None)
        if change == "top":  # a section of torch's only, or a key that belongs in a section
            config[draw(st.sampled_from(["decoder", "hed", "batch_size", "hidden_size"]))] = draw(values)
        elif change == "value":
            value = draw(values if key is None else near(key.kind))
            if key is not None and key.name in CROSS_FIELD[framework]:
                assume(wrong_alone(framework, last, value))
            parent[last] = value
        elif change == "remove":
            del parent[last]
        elif isinstance(parent, dict):
            new = draw(new_names(framework))
            if change == "key":  # the same value under another name: an alias, another section's key, a typo
                parent.pop(last)
            value = parent.get(last) if change == "key" else draw(values)
            new_key = next((k for k in TABLES[framework] if new in (k.name, *k.aliases)), None)
            if "lstm" in path[:1] and new_key is not None and new_key.name in CROSS_FIELD[framework]:
                assume(wrong_alone(framework, new, value))
            parent[new] = value
    stack, expect = config.get("lstm"), config.get("expect")
    if isinstance(stack, list) and len(stack) > 1 and isinstance(expect, list):
        assume(len(expect) == len(stack))  # one expectation per block: a count the schema cannot compare
    return config


def reader_verdict(config: dict, text_: str | None = None) -> tuple[bool, set[str]]:
    """(the reader accepts it, the type/structure codes it reports), given `config` written as
    YAML (text_, else yaml.safe_dump's)."""
    read, problems = parse_text(yaml.safe_dump(config, sort_keys=False) if text_ is None else text_, "generated.yaml")
    return read is not None, {p.code for p in problems if p.is_error} & TYPE_CODES


# yaml.safe_load's constructor and resolver over libyaml's parser (where PyYAML has it): the same
# data from the text yaml.safe_dump wrote, several times faster
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(configs())
def test_the_schema_agrees_with_the_reader(config):
    written = yaml.safe_dump(config, sort_keys=False)
    accepted, type_errors = reader_verdict(config, written)
    valid = VALIDATOR.is_valid(yaml.load(written, Loader=SAFE_LOADER))  # what the text the reader read holds
    if accepted:
        assert valid, f"the reader accepts it, the schema refuses it: {config}\n" + \
            "\n".join(e.message for e in VALIDATOR.iter_errors(config))
    if type_errors:
        assert not valid, f"the reader reports {sorted(type_errors)}, the schema accepts it: {config}"


# --- the documented exceptions: what a JSON Schema cannot say -----------------------------------


@pytest.mark.parametrize("config", [
    {"lstm": {"input_size": 10, "hidden_size": 20, "proj_size": 20}},  # proj_size < hidden_size
    {"lstm": {"input_size": 10, "hidden_size": 20, "cell": "gru", "proj_size": 5}},  # LSTM only
    {"lstm": {"input_size": 10, "hidden_size": 20.0}},  # 20.0 is the integer 20 to JSON Schema
    {"lstm": {"input_size": 10, "hidden_size": 20, "bidirectional": "yes"}},  # quoted: text, not YAML 1.1's true
    {"lstm": [{"input_size": 10, "hidden_size": 20}, {"hidden_size": 20}], "expect": [{"output": [1]}] * 3},
    {"lstm": {"input_size": 10, "hidden_size": "${lstm.input_size}x"}},  # resolves to the text '10x'
])
def test_what_only_the_reader_refuses(config):
    assert VALIDATOR.is_valid(config)
    assert reader_verdict(config)[1], "the reader refuses it as a type or structure error"
