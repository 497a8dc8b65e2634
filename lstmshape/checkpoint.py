"""Read a weights file's table of contents (names, shapes, dtypes, byte sizes) without its data.

A checkpoint can be gigabytes; its shapes are in a header of kilobytes. Each format is read the
way that touches the least: safetensors and npz headers are parsed and checked against the file's
real size, a torch state_dict is memory-mapped by torch's own `weights_only` loader (never a plain
unpickle: no code in the file runs), ONNX initializers are read without external data, and a
Keras 3 `.keras` archive's config.json names its layers. Anything unreadable raises
`CheckpointError` with a message naming the file; nothing is ever written.

A hostile file must cost what a model costs, whatever its few bytes say: every count and size a
file declares (zip members' inflated sizes, a pickle's opcodes, a header's bytes, tensors, layers,
dimensions) is held against a bound no real model reaches before anything reads past it.
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import math
import os
import warnings
import zipfile
import zlib
from dataclasses import dataclass, replace

from .settings import CELLS, DIRECTIONS, MERGE_MODES, KerasLSTM
from .frameworks import KERAS, ONNX
from .frameworks.keras import parameters as keras_parameters
from .yamlload import not_a_file
from .identify import FoundLSTM, Incomplete, TensorInfo, identify_torch, listed, torch_groups

# The weights file formats (Checkpoint.format): file layouts, not config frameworks. A torch file
# (torch.save's zip or legacy pickle), safetensors and npz hold a state_dict's tensors by name;
# an .onnx or .keras file holds a whole model (MODEL_FILES), its LSTMs in that framework's terms.
TORCH_FILE, SAFETENSORS, NPZ, ONNX_FILE, KERAS_FILE = "torch", "safetensors", "npz", "onnx", "keras"
MODEL_FILES = (ONNX_FILE, KERAS_FILE)
TORCH_SUFFIXES = (".pt", ".pth", ".bin", ".ckpt")
FORMATS = {".safetensors": SAFETENSORS, ".npz": NPZ, ".onnx": ONNX_FILE, ".keras": KERAS_FILE,
           **{suffix: TORCH_FILE for suffix in TORCH_SUFFIXES}}
MAX_TENSORS = 100_000  # tensors (npz members) in one file: a model has hundreds to thousands
MAX_LAYERS = 1_000  # recurrent layers (LSTM groups, ONNX nodes, Keras layers) in one file: a model has a few
MAX_HEADER = 16 << 20  # bytes of a safetensors header or a torch data.pkl: about 100 bytes a tensor
MAX_INFLATED = 64 << 20  # bytes zip members read may inflate past their stored size (torch stores them)
MAX_PICKLE_OPS = 500_000  # opcodes a torch state_dict's pickle runs: about 32 a tensor
TORCH_MAGIC = 0x1950A86A20F9469CFC6C  # torch.serialization.MAGIC_NUMBER: a legacy torch.save file's first pickle
MAX_KERAS_CONFIG = 8 << 20  # a .keras config.json is kilobytes
MAX_DIM = (1 << 63) - 1  # every framework stores a size in an int64
MAX_NDIM = 64  # numpy's limit on dimensions
# the recurrent layers read from model files: ONNX op_type / Keras class_name → lstmshape's cell
ONNX_CELLS = {CELLS[c].onnx: c for c in CELLS}
KERAS_CELLS = {CELLS[c].keras: c for c in CELLS}
NPY_MAGIC = b"\x93NUMPY"
ONNX_TYPES = {1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64",
              9: "bool", 10: "float16", 11: "float64", 12: "uint32", 13: "uint64", 16: "bfloat16"}
ITEM_BYTES = {"float32": 4, "float64": 8, "float16": 2, "bfloat16": 2, "int8": 1, "uint8": 1, "int16": 2,
              "uint16": 2, "int32": 4, "uint32": 4, "int64": 8, "uint64": 8, "bool": 1}


class CheckpointError(Exception):
    """A weights file that cannot be read as one: the message names the file and why."""


@dataclass(frozen=True)
class Checkpoint:
    path: str
    format: str  # TORCH_FILE, SAFETENSORS, NPZ, ONNX_FILE or KERAS_FILE
    tensors: tuple[TensorInfo, ...]  # every tensor, recurrent or not, in file order
    lstms: tuple[FoundLSTM, ...]  # every whole LSTM, GRU and RNN
    incomplete: tuple[Incomplete, ...]

    @property
    def other_tensors(self) -> int:
        """Tensors that belong to no recurrent layer found (embeddings, heads, ...)."""
        inside = {id(t) for lstm in self.lstms for t in lstm.tensors}
        return sum(id(t) not in inside for t in self.tensors)


def weights_format(path: str) -> str:
    """The format a weights file is read as, from its suffix, else from its first bytes."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    with open(path, "rb") as f:
        head = f.read(16)
    if head.startswith(b"PK"):
        with _zip(path) as archive:
            names = archive.namelist()
        if "config.json" in names:
            return KERAS_FILE
        if any(name.endswith("/data.pkl") or name == "data.pkl" for name in names):
            return TORCH_FILE
        return NPZ
    if len(head) >= 9 and head[8:9] == b"{":
        return SAFETENSORS
    if head[:1] == b"\x80":
        return TORCH_FILE
    raise CheckpointError(f"{path}: not a weights file lstmshape knows (.pt/.pth/.bin, .safetensors, .npz, "
                          ".onnx, .keras)")


def read_checkpoint(path: str) -> Checkpoint:
    """The table of contents of a weights file and the recurrent layers in it; reads headers, not
    tensor data."""
    refused = not_a_file(path)
    if refused:
        raise CheckpointError(f"{path}: {refused}")
    kind = weights_format(path)
    if kind == ONNX_FILE:
        tensors, lstms, incomplete = _onnx(path)
    elif kind == KERAS_FILE:
        tensors, lstms, incomplete = _keras(path)
    else:
        tensors = {SAFETENSORS: _safetensors, NPZ: _npz, TORCH_FILE: _torch}[kind](path)
        _bound(path, len(tensors), MAX_TENSORS, "tensors")
        _bound(path, len(torch_groups(tensors)), MAX_LAYERS, "recurrent layers")
        lstms, incomplete = identify_torch(tensors)
    return Checkpoint(path, kind, tuple(tensors), tuple(lstms), tuple(incomplete))


def _bound(path: str, count: int, most: int, what: str) -> None:
    """A count the file declares, refused past what any model has (before the work it would cost)."""
    if count > most:
        raise CheckpointError(f"{path}: {count:,} {what}; lstmshape reads at most {most:,} (no model has more)")


def _shape(path: str, what: str, shape) -> tuple[int, ...]:
    """A shape read from a file, as sizes a framework can hold: at most 64 dimensions, each an int64."""
    shape = tuple(shape)
    if len(shape) > MAX_NDIM or not all(isinstance(d, int) and 0 <= d <= MAX_DIM for d in shape):
        raise CheckpointError(f"{path}: {what} has a shape no framework holds (more than {MAX_NDIM} dimensions, "
                              "or a size that is not an int64)")
    return shape


# What reading a weights file's data raises when the file changed since its header was read, or
# lies past it; any other exception is a bug in lstmshape, left for the CLI's internal-error handler.
DATA_ERRORS = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error, RuntimeError)


def _torch_array(path: str, name: str, tensor):
    """A torch tensor's data as NumPy: bfloat16 widened; a dtype NumPy has no type for refused."""
    if str(tensor.dtype) == "torch.bfloat16":
        tensor = tensor.float()
    try:
        return tensor.detach().numpy()
    except TypeError:  # float8 and friends: "Got unsupported ScalarType"
        raise CheckpointError(f"{path}: cannot read tensor data: {name!r} is {tensor.dtype}, which NumPy "
                              "cannot hold") from None


def load_tensors(path: str, names: list[str]) -> dict:
    """The data of the named tensors only (as NumPy float32/float64 arrays), for running them."""
    import numpy as np

    kind = weights_format(path)
    out = {}
    try:
        if kind == SAFETENSORS:
            from safetensors import SafetensorError, safe_open

            try:
                with safe_open(path, framework="np") as f:
                    out = {name: f.get_tensor(name) for name in names}
            except SafetensorError as exc:
                raise CheckpointError(f"{path}: cannot read tensor data: {type(exc).__name__}: {exc}") from None
        elif kind == NPZ:
            with _zip(path) as archive:
                members = {m.filename.removesuffix(".npy"): m for m in archive.infolist()}
            _bound_inflation(path, [members[name] for name in names if name in members])
            with np.load(path, allow_pickle=False) as archive:
                out = {name: archive[name] for name in names}
        elif kind == TORCH_FILE:
            state = _torch_state(path)
            out = {name: _torch_array(path, name, state[name]) for name in names}
        else:
            raise CheckpointError(f"{path}: running a {kind} file's weights is not supported; use a torch "
                                  "state_dict, safetensors or npz file")
    except DATA_ERRORS as exc:  # a file that changed or lies past its header; anything else is a bug (exit 3)
        raise CheckpointError(f"{path}: cannot read tensor data: {type(exc).__name__}: {exc}") from None
    return {name: a if a.dtype in (np.float32, np.float64) else a.astype(np.float32) for name, a in out.items()}


def _zip(path: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CheckpointError(f"{path}: not a readable zip archive (truncated or corrupt?): {exc}") from None


def _safetensors(path: str) -> list[TensorInfo]:
    """The header, through the safetensors library, which checks it against the file's size."""
    try:
        from safetensors import safe_open
    except ImportError:
        raise CheckpointError(f"{path}: reading safetensors needs the safetensors package "
                              "(pip install safetensors)") from None
    _safetensors_header(path)
    out = []
    try:
        with safe_open(path, framework="np") as f:
            for name in f.keys():
                piece = f.get_slice(name)
                shape, dtype = _shape(path, repr(name), piece.get_shape()), _safetensors_dtype(piece.get_dtype())
                out.append(TensorInfo(name, shape, dtype, math.prod(shape) * ITEM_BYTES.get(dtype, 0)))
    except CheckpointError:
        raise
    except Exception as exc:  # SafetensorError and friends: a header that is not valid, or lies
        raise CheckpointError(f"{path}: not a valid safetensors file: {exc}") from None
    return out


def _safetensors_header(path: str) -> None:
    """Refuse a header past MAX_HEADER bytes or MAX_TENSORS entries before the library parses it:
    each entry is a JSON object, so its `{` count bounds the tensors (and the parser's work)."""
    with open(path, "rb") as f:
        size = f.read(8)
        length = int.from_bytes(size, "little") if len(size) == 8 else 0
        if length > MAX_HEADER:
            raise CheckpointError(f"{path}: not a valid safetensors file: header too large ({length:,} bytes; "
                                  f"lstmshape reads at most {MAX_HEADER:,})")
        header = f.read(length)
    _bound(path, header.count(b"{") - 1, MAX_TENSORS, "tensors")


def _safetensors_dtype(code: str) -> str:
    """safetensors' names (F32, BF16, I64, BOOL) in numpy's spelling."""
    names = {"F": "float", "I": "int", "U": "uint"}
    code = code.upper()
    if code == "BOOL":
        return "bool"
    if code == "BF16":
        return "bfloat16"
    return names.get(code[:1], code.lower()) + code[1:] if code[1:].isdigit() else code.lower()


def _npz(path: str) -> list[TensorInfo]:
    """Each member's .npy header (numpy.lib.format), checked against the member's stored size."""
    from numpy.lib import format as npy

    out = []
    with _zip(path) as archive:
        members = archive.infolist()
        _bound(path, len(members), MAX_TENSORS, "members")
        for member in members:
            name = member.filename[:-4] if member.filename.endswith(".npy") else member.filename
            try:
                with archive.open(member) as f:
                    version = npy.read_magic(f)
                    if version not in ((1, 0), (2, 0), (3, 0)):
                        raise ValueError(f"unknown .npy version {version}")
                    header = {(1, 0): npy.read_array_header_1_0, (2, 0): npy.read_array_header_2_0}
                    shape, _, dtype = header.get(version, npy.read_array_header_2_0)(f)
                    offset = f.tell()
            except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as exc:
                raise CheckpointError(f"{path}: member {member.filename!r} is not a readable .npy array: "
                                      f"{exc}") from None
            if dtype.hasobject:
                raise CheckpointError(f"{path}: {name!r} is an array of Python objects; lstmshape reads numbers "
                                      "only (allow_pickle=False) and never unpickles")
            shape = _shape(path, repr(name), shape)
            nbytes = math.prod(shape) * dtype.itemsize
            if offset + nbytes != member.file_size:
                raise CheckpointError(f"{path}: {name!r}: its header says {listed(shape)} {dtype.name} "
                                      f"({nbytes:,} bytes) but the member holds {member.file_size - offset:,}")
            out.append(TensorInfo(name, tuple(shape), dtype.name, nbytes))
    return out


def _torch_state(path: str) -> dict:
    """A torch state_dict through `torch.load(weights_only=True)`, memory-mapped where it can be."""
    _bound_unpickling(path)
    try:
        import torch
    except ImportError:
        raise CheckpointError(f"{path}: a torch checkpoint needs torch to read it safely (pip install torch); "
                              "lstmshape never unpickles a file without torch's weights_only loader, or "
                              "save it as safetensors") from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's notes on pickle protocols are not the user's problem
        try:
            state = _torch_load(torch, path)
        except Exception as exc:  # UnpicklingError (refused globals), truncated zip, EOF, ...
            raise CheckpointError(f"{path}: torch.load(weights_only=True) refused it: {_torch_reason(exc)}") from None
    return _state_dict(path, state, torch.Tensor)


def _bound_unpickling(path: str) -> None:
    """What torch.load would inflate and unpickle, held against a model's before it runs: a zip's
    members (torch stores them uncompressed) and data.pkl's bytes and opcodes, or the legacy
    format's pickles. The legacy tar format is refused: torch extracts it into a temporary
    directory, and lstmshape writes nothing."""
    with open(path, "rb") as f:
        zipped = f.read(4) == b"PK\x03\x04"  # torch's own test for its zip format
    if zipped:
        _bound_torch_zip(path)
    elif _is_tar(path):
        raise CheckpointError(f"{path}: a torch checkpoint in the legacy tar format (torch < 0.4), which torch "
                              "can read only by extracting it to disk; load and save it again with a current "
                              "torch, or as safetensors")
    else:
        with open(path, "rb") as f:
            if not _torch_magic(_Capped(f)):
                raise CheckpointError(f"{path}: not a readable checkpoint: neither a zip archive nor a pickle that "
                                      "torch.save wrote (torch's begin with its magic number)")
            f.seek(0)
            ops, whole = _legacy_opcodes(_Capped(f))
        _bound(path, ops, MAX_PICKLE_OPS, "pickle opcodes")
        if not whole:
            raise CheckpointError(f"{path}: not a readable checkpoint: it begins as torch.save's legacy format, but "
                                  "its pickles break off (truncated or corrupt?)")


def _bound_torch_zip(path: str) -> None:
    with _zip(path) as archive:
        members = archive.infolist()
        _bound(path, len(members), MAX_TENSORS + 16, "zip members")  # a storage a tensor, and a few records
        _bound_inflation(path, members)
        pickles = [m for m in members if m.filename == "data.pkl" or m.filename.endswith("/data.pkl")]
        if not pickles:
            raise CheckpointError(f"{path}: not a readable checkpoint: a zip archive, but not one torch.save wrote "
                                  "(it has no data.pkl)")
        for member in pickles:
            if member.file_size > MAX_HEADER:
                raise CheckpointError(f"{path}: {member.filename} is {member.file_size:,} bytes; a state_dict's "
                                      f"pickle is about 100 bytes a tensor (lstmshape reads at most {MAX_HEADER:,})")
            try:
                data = archive.read(member)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
                raise CheckpointError(f"{path}: {member.filename} is not readable: {exc}") from None
            _bound(path, _opcodes(io.BytesIO(data), MAX_PICKLE_OPS)[0], MAX_PICKLE_OPS, "pickle opcodes")


def _bound_inflation(path: str, members: list[zipfile.ZipInfo]) -> None:
    """Refuse zip members that would inflate far past the bytes the file stores (a zip bomb, as
    their declared sizes say before a byte is inflated; torch.save stores its members as they are)."""
    inflated = sum(max(0, m.file_size - m.compress_size) for m in members)
    if inflated > MAX_INFLATED:
        raise CheckpointError(f"{path}: its zip members inflate by {inflated:,} bytes past their stored size; "
                              f"lstmshape allows {MAX_INFLATED:,} (save the weights uncompressed)")


def _is_tar(path: str) -> bool:
    """Whether torch's legacy loader would take the file for a tar archive (as it tries first)."""
    import tarfile

    try:
        with tarfile.open(path, mode="r:"):
            return True
    except (tarfile.TarError, OSError, ValueError):
        return False


class _Capped:
    """A file as pickletools reads it, where no opcode's argument is longer than MAX_HEADER (no torch
    pickle's is): a longer one ends the pickle as malformed, where the file's own read would first
    allocate all the bytes the argument declares (up to 2**64)."""

    def __init__(self, file):
        self.file = file

    def read(self, n: int) -> bytes:
        if not 0 <= n <= MAX_HEADER:
            raise ValueError(f"an opcode argument of {n:,} bytes")
        return self.file.read(n)

    def readline(self) -> bytes:
        return self.file.readline(MAX_HEADER)

    def tell(self) -> int:
        return self.file.tell()


def _torch_magic(stream) -> bool:
    """Whether the first pickle is torch's magic number, as torch.load checks it in a file that is not
    a zip: random bytes, text and another program's pickle are not checkpoints torch reads."""
    import pickletools

    try:
        ops = [(op.name, arg) for op, arg, _ in itertools.islice(pickletools.genops(stream), 5)]
    except ValueError:
        return False
    held = [op for op in ops if op[0] not in ("PROTO", "FRAME")]  # LONG1 at protocol 2 (torch's), LONG at 0
    return len(held) == 2 and held[0][0] in ("LONG", "LONG1", "LONG4") and held[0][1] == TORCH_MAGIC \
        and held[1][0] == "STOP"


def _legacy_opcodes(stream) -> tuple[int, bool]:
    """The opcodes of the legacy format's pickles in a row (magic number, protocol, system info,
    the state, its storage keys), counted no further than MAX_PICKLE_OPS + 1, and whether all five
    are whole (torch reads no file where one breaks off)."""
    total = 0
    for _ in range(5):
        count, whole = _opcodes(stream, MAX_PICKLE_OPS - total)
        total += count
        if not whole:
            return total, False
    return total, True


def _opcodes(stream, limit: int) -> tuple[int, bool]:
    """How many opcodes the pickle at `stream` runs, counting no further than `limit` + 1, and
    whether it ended at its STOP. Bytes that are not a pickle end the count: torch refuses them."""
    import pickletools

    count = 0
    try:
        for _ in pickletools.genops(stream):
            count += 1
            if count > limit:
                return count, False
    except ValueError:
        return count, False
    return count, True


def _torch_load(torch, path: str):
    try:
        return torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except RuntimeError as exc:
        if "mmap" not in str(exc):  # the legacy (non-zip) format cannot be mapped: read it whole
            raise
        return torch.load(path, map_location="cpu", weights_only=True)


def _torch_reason(exc: Exception) -> str:
    """The part of torch's long refusal that says why: an unsupported global (the file pickles more
    than tensors) or an opcode its weights_only loader does not read (written by another pickler)."""
    text = str(exc)
    if "Weights only load failed" in text or "WeightsUnpickler error:" in text:
        parts = [p.strip() for p in text.split("WeightsUnpickler error:")[-1].split("\n\n") if p.strip()] or [text]
        detail = next((p for p in parts if "nsupported" in p), parts[0])
        what = ("the file pickles more than tensors: not a state_dict" if "global" in detail.lower()
                else "not a pickle torch's weights_only loader reads")
        return f"{detail} ({what}; lstmshape never runs an unsafe unpickle)"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _state_dict(path: str, state, tensor_type) -> dict:
    """The state_dict in a loaded object: itself, or under 'state_dict' / 'model' (training checkpoints)."""
    if isinstance(state, dict):
        for key in ("state_dict", "model_state_dict", "model"):
            if isinstance(state.get(key), dict):
                state = state[key]
                break
    if not isinstance(state, dict) or not state:
        raise CheckpointError(f"{path}: not a state_dict: the file holds a {type(state).__name__}, "
                              "not a mapping of names to tensors")
    bad = [str(k) for k, v in state.items() if not isinstance(k, str) or not isinstance(v, tensor_type)]
    if bad and len(bad) == len(state):
        raise CheckpointError(f"{path}: not a state_dict: no entry is a named tensor (e.g. {bad[0]!r})")
    return {k: v for k, v in state.items() if isinstance(k, str) and isinstance(v, tensor_type)}


def _torch(path: str) -> list[TensorInfo]:
    return [TensorInfo(name, tuple(t.shape), str(t.dtype).removeprefix("torch."), t.numel() * t.element_size())
            for name, t in _torch_state(path).items()]


@functools.lru_cache(maxsize=1)
def _onnx_messages():
    """The ONNX protobuf messages (ModelProto, AttributeProto), from the onnx package's generated
    onnx/onnx_ml_pb2.py alone: `import onnx` runs the package's __init__, which loads its whole
    library (ml_dtypes, the checker, the reference evaluator: some 0.75 s) for a file lstmshape
    only parses. The module needs nothing but protobuf; it is loaded from the installed onnx,
    under a name of its own, and put in no module table. None where onnx is not installed."""
    import importlib.util

    package = importlib.util.find_spec("onnx")  # finds the package without importing it
    locations = package.submodule_search_locations if package is not None else None
    if not locations:
        return None
    spec = importlib.util.spec_from_file_location("lstmshape_onnx_ml_pb2", os.path.join(locations[0], "onnx_ml_pb2.py"))
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _onnx(path: str) -> tuple[list[TensorInfo], list[FoundLSTM], list[Incomplete]]:
    """Every LSTM, GRU and RNN node with its W, R, B, P initializers and attributes (external data
    not loaded)."""
    messages = _onnx_messages()
    if messages is None:
        raise CheckpointError(f"{path}: reading .onnx needs the onnx package (pip install onnx)")
    model = messages.ModelProto()
    try:
        with open(path, "rb") as file:
            data = file.read()
        read = model.ParseFromString(data)  # as onnx.load parses it, external data left where it is
        if read is not None and read != len(data):
            raise ValueError(f"protobuf decoding consumed {read} of {len(data)} bytes")
    except Exception as exc:  # DecodeError on a corrupt or truncated protobuf
        raise CheckpointError(f"{path}: not a readable ONNX model: {type(exc).__name__}: {exc}") from None
    graph = model.graph
    _bound(path, len(graph.initializer), MAX_TENSORS, "initializers")
    tensors = []
    for t in graph.initializer:
        shape = _shape(path, f"initializer {t.name!r}", t.dims)
        tensors.append(TensorInfo(t.name, shape, ONNX_TYPES.get(t.data_type, f"type {t.data_type}"),
                                  math.prod(shape) * ITEM_BYTES.get(ONNX_TYPES.get(t.data_type, ""), 0)))
    by_name = {t.name: t for t in tensors}
    recurrent = [n for n in graph.node if n.op_type in ONNX_CELLS]
    _bound(path, len(recurrent), MAX_LAYERS, "recurrent nodes")
    lstms, incomplete = [], []
    for k, node in enumerate(recurrent):
        prefix = node.name or f"{node.op_type} node {k}"
        found = _onnx_node(node, by_name, prefix)
        (lstms if isinstance(found, FoundLSTM) else incomplete).append(found)
    return tensors, lstms, incomplete


# the attributes lstmshape reads off a recurrent node: AttributeProto's type, and the values allowed
ONNX_ATTRIBUTES = {"hidden_size": ("INT", None), "layout": ("INT", (0, 1)), "input_forget": ("INT", (0, 1)),
                   "linear_before_reset": ("INT", (0, 1)), "direction": ("STRING", DIRECTIONS)}


def _onnx_attributes(node) -> tuple[dict, list[str]]:
    """The node's attributes that lstmshape reads, each of the type and value the ONNX spec gives
    it, and a reason for each that is not (a value is never echoed: it may be megabytes)."""
    AttributeProto = _onnx_messages().AttributeProto

    attrs, reasons = {}, []
    for a in node.attribute:
        if a.name not in ONNX_ATTRIBUTES:
            continue
        kind, allowed = ONNX_ATTRIBUTES[a.name]
        if a.type != getattr(AttributeProto, kind):
            reasons.append(f"attribute {a.name} is {AttributeProto.AttributeType.Name(a.type)}, not {kind}")
            continue
        value = a.i if kind == "INT" else a.s.decode("utf-8", "replace")
        if (allowed is not None and value not in allowed) or (a.name == "hidden_size" and value <= 0):
            shown = repr(value) if len(str(value)) <= 40 else f"{str(value)[:40]!r}..."
            reasons.append(f"attribute {a.name} is {shown}, not " +
                           (" or ".join(map(repr, allowed)) if allowed else "a positive size"))
            continue
        attrs[a.name] = value
    return attrs, reasons


def _onnx_node(node, by_name: dict, prefix: str) -> FoundLSTM | Incomplete:
    cell = CELLS[ONNX_CELLS[node.op_type]]
    attrs, wrong_attributes = _onnx_attributes(node)
    if wrong_attributes:
        return Incomplete(prefix, ONNX.name, tuple(wrong_attributes), cell.name)
    inputs = list(node.input) + [""] * 8
    slot = {"W": inputs[1], "R": inputs[2], "B": inputs[3]} | ({"P": inputs[7]} if cell.has_cell_state else {})
    given = {key: by_name.get(name) for key, name in slot.items() if name}
    reasons = [f"{key} ({slot[key]!r}) is computed in the graph, not an initializer" for key in ("W", "R")
               if given.get(key) is None]
    reasons += [f"{key} ({slot[key]!r}) is not an initializer" for key in ("B", "P") if key in slot
                if slot[key] and given.get(key) is None]
    if reasons:
        return Incomplete(prefix, ONNX.name, tuple(reasons), cell.name)
    direction = attrs.get("direction", "forward")
    w, r = given["W"], given["R"]
    d = 2 if direction == "bidirectional" else 1
    hidden = attrs.get("hidden_size", r.shape[-1] if len(r.shape) == 3 else 0)
    g = cell.gates  # LSTM 4, GRU 3, RNN 1 blocks of hidden_size rows
    expect = {"W": (d, g * hidden, w.shape[-1] if len(w.shape) == 3 else 0), "R": (d, g * hidden, hidden),
              "B": (d, 2 * g * hidden), "P": (d, 3 * hidden)}
    wrong = [f"{key} is {listed(t.shape)}, direction {direction!r} with hidden_size {hidden} needs "
             f"{listed(expect[key])}" for key, t in given.items() if t is not None and t.shape != expect[key]]
    if wrong or not hidden or not expect["W"][2]:
        return Incomplete(prefix, ONNX.name, tuple(wrong) or ("W and R do not give input_size and hidden_size",),
                          cell.name)
    settings = (("input_size", w.shape[2]), ("hidden_size", hidden), ("direction", direction),
                ("layout", attrs.get("layout", 0)), ("input_forget", bool(attrs.get("input_forget", 0))),
                ("peepholes", given.get("P") is not None), ("bias", given.get("B") is not None))
    if cell.name != "lstm":  # a GRU or RNN node: its cell, and the GRU's reset arithmetic
        settings = tuple(item for item in settings if item[0] not in ("input_forget", "peepholes"))
        settings += (("cell", cell.name),) + ((("linear_before_reset", attrs.get("linear_before_reset", 0)),)
                                              if cell.name == "gru" else ())
    return FoundLSTM(prefix, ONNX.name, settings, tuple(t for t in given.values() if t is not None))


def _keras(path: str) -> tuple[list[TensorInfo], list[FoundLSTM], list[Incomplete]]:
    """The LSTM, GRU and SimpleRNN layers (Bidirectional ones too) named in a Keras 3 archive's
    config.json; their weights' shapes are the ones Keras builds for those settings."""
    with _zip(path) as archive:
        try:
            info = archive.getinfo("config.json")
        except KeyError:
            raise CheckpointError(f"{path}: a .keras archive without config.json (not a Keras 3 model)") from None
        if info.file_size > MAX_KERAS_CONFIG:
            raise CheckpointError(f"{path}: config.json is {info.file_size:,} bytes; a model's is kilobytes "
                                  f"(lstmshape reads at most {MAX_KERAS_CONFIG:,})")
        try:
            config = json.loads(archive.read(info))
        except (ValueError, RecursionError, zipfile.BadZipFile, OSError, EOFError) as exc:
            raise CheckpointError(f"{path}: config.json is not readable JSON: {exc}") from None
    layers = list(itertools.islice(_keras_layers(config), MAX_LAYERS + 1))
    _bound(path, len(layers), MAX_LAYERS, "recurrent layers")
    lstms, incomplete = [], []
    for layer in layers:
        found = _keras_layer(layer)
        (lstms if isinstance(found, FoundLSTM) else incomplete).append(found)
    tensors = [t for lstm in lstms for t in lstm.tensors]
    return tensors, lstms, incomplete


def _keras_layers(node, depth: int = 0):
    """Recurrent and Bidirectional layer entries anywhere in a Keras config (nested models included)."""
    if depth > 200:
        return
    if isinstance(node, dict):
        if node.get("class_name") in (*KERAS_CELLS, "Bidirectional") and isinstance(node.get("config"), dict):
            yield node
            return
        for value in node.values():
            yield from _keras_layers(value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            yield from _keras_layers(value, depth + 1)


class _Malformed(Exception):
    """A part of a Keras layer's config that is not of the type Keras writes there."""


def _keras_layer(layer: dict) -> FoundLSTM | Incomplete:
    config = layer["config"]
    name = str(config.get("name", layer["class_name"].lower()))
    try:
        found = _keras_found(name, layer, config)
    except _Malformed as exc:
        found = Incomplete(name, KERAS.name, (str(exc),))
    return found if isinstance(found, FoundLSTM) else replace(found, cell=_keras_cell(layer))


def _keras_cell(layer: dict) -> str:
    """lstm, gru or rnn as the layer's class_name (a Bidirectional's: its wrapped layer's) says;
    "" where it says none."""
    inner = layer["config"].get("layer") if layer["class_name"] == "Bidirectional" else layer
    kind = inner.get("class_name") if isinstance(inner, dict) else None
    return KERAS_CELLS.get(kind, "") if isinstance(kind, str) else ""


def _mapping(owner: dict, key: str) -> dict:
    """`owner[key]`, a mapping, or {} where it is absent or null."""
    value = owner.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Malformed(f"{key} is a {_json_type(value)} where Keras writes a mapping")
    return value


def _json_type(value) -> str:
    return {str: "string", list: "list", bool: "boolean", int: "number", float: "number"}.get(type(value), "value")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "..."


def _keras_found(name: str, layer: dict, config: dict) -> FoundLSTM | Incomplete:
    bidirectional = layer["class_name"] == "Bidirectional"
    cell = _mapping(config, "layer") if bidirectional else layer
    if bidirectional and not (isinstance(cell.get("class_name"), str) and cell["class_name"] in KERAS_CELLS):
        return Incomplete(name, KERAS.name, (f"Bidirectional wraps a {_short(cell.get('class_name'))}, not an LSTM, "
                                          "GRU or SimpleRNN",))
    cell_config = _mapping(cell, "config")
    built = _mapping(layer, "build_config") or _mapping(cell, "build_config")
    shape = built.get("input_shape")
    units = cell_config.get("units")
    if not (isinstance(shape, list) and shape and isinstance(shape[-1], int)) or not isinstance(units, int):
        return Incomplete(name, KERAS.name, ("the layer was never built: config.json gives no input feature size",))
    for key, size in (("input feature size", shape[-1]), ("units", units)):
        if isinstance(size, bool) or not 0 < size <= MAX_DIM:
            return Incomplete(name, KERAS.name, (f"{key} {_short(size)} is not a size (a positive int64)",))
    merge_mode = config.get("merge_mode") if bidirectional else "concat"
    if merge_mode not in MERGE_MODES:
        return Incomplete(name, KERAS.name, (f"merge_mode {_short(merge_mode)} is not one of "
                                          "concat, sum, mul, ave or null",))
    dtype = config.get("dtype")
    if isinstance(dtype, dict):  # a DTypePolicy: {"class_name": ..., "config": {"name": "float32"}}
        dtype = _mapping(dtype, "config").get("name")
    dtype = dtype or "float32"
    if not isinstance(dtype, str):
        raise _Malformed(f"dtype is a {_json_type(dtype)} where Keras writes a name")
    lstm = KerasLSTM(shape[-1], units, return_sequences=bool(cell_config.get("return_sequences", False)),
                     return_state=bool(cell_config.get("return_state", False)),
                     go_backwards=bool(cell_config.get("go_backwards", False)) and not bidirectional,
                     use_bias=bool(cell_config.get("use_bias", True)), bidirectional=bidirectional,
                     merge_mode=merge_mode, cell=KERAS_CELLS[cell["class_name"]],
                     reset_after=bool(cell_config.get("reset_after", True)))
    settings = [("input_dim", lstm.input_dim), ("units", lstm.units), ("bidirectional", bidirectional)]
    if bidirectional:
        settings.append(("merge_mode", lstm.merge_mode))
    settings += [("use_bias", lstm.use_bias), ("return_sequences", lstm.return_sequences),
                 ("return_state", lstm.return_state), ("go_backwards", lstm.go_backwards)]
    if lstm.cell != "lstm":
        settings += [("cell", lstm.cell)] + ([("reset_after", lstm.reset_after)] if lstm.cell == "gru" else [])
    item = ITEM_BYTES.get(dtype, 4)
    # the engine names weights after its own layer names; here they sit under this layer's name
    tensors = tuple(TensorInfo(f"{name}/{t.name.partition('/')[2]}", t.shape, dtype, math.prod(t.shape) * item)
                    for t in keras_parameters(lstm))
    return FoundLSTM(name, KERAS.name, tuple(settings), tensors)
