"""The wire format between the grader and the sandboxed worker. Standard library + NumPy only.

The worker imports this file too (by path, without the `grader` package), so it must import
nothing of the kit but the shared contract (nnkit_contract/), which the worker loads
first.

Frame layout, on a pipe that only the grader and the worker hold:

    b"NKW1" | u64 body length | u32 header length | header (UTF-8 JSON) | payload 0 | payload 1 ...

The header is ``{"m": message, "p": [payload lengths]}``. A message is a JSON object whose
values are plain JSON or *encoded values*:

    null, true, false, int, finite float, str    as themselves
    [v, ...]                                     list
    {"t": [v, ...]}                              tuple
    {"d": [[key, v], ...]}                       dict with str keys
    {"f": "nan" | "inf" | "-inf"}                non-finite float
    {"a": i}                                     NumPy array, stored as .npy bytes in payload i
    {"u": "type name"}                           a value that cannot be represented
    {"g": state}                                 np.random.Generator with this bit generator state
    {"s": [offset, dtype, shape]}                an argument array in the shared argument memory
                                                 (grader to worker only; see session.ArgMemory)

Nothing is ever unpickled. Arrays are checked before anything is allocated: magic and version,
a header that matches the canonical ``.npy`` layout, dtype kind b/i/u/f only (no objects, no
fields, no complex), shape × item size equal to the payload length, every payload used once.
The decoded array is always exactly ``np.ndarray``, writable and in native byte order. Any
deviation raises `WireError`; the decoder never trusts a length before checking it against the
caps in `WireLimits`.
"""

from __future__ import annotations

import json
import math
import os
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

# The public contract's values (nnkit_contract/values.py): the same package in the grader and, bound
# next to the worker, in the sandbox (worker.py loads it before this module).
from nnkit_contract.values import ARRAY_DTYPES, MAX_INT_BITS, MAX_TYPE_NAME, Unrepresentable, type_name

MAGIC = b"NKW1"
_PREFIX = struct.Struct("<4sQ")
_U32 = struct.Struct("<I")

_NPY_MAGIC = b"\x93NUMPY"
_NPY_HEADER_RE = re.compile(
    r"\{'descr': '(?P<order>[<>|=]?)(?P<kind>[biuf])(?P<size>\d{1,2})', "
    r"'fortran_order': (?P<fortran>True|False), 'shape': \((?P<shape>[0-9, ]{0,600})\), \}"
    r"[ ]*\n?"
)
_MAX_NDIM = 32
_MAX_DIM = 1 << 40
_SPECIAL_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class WireError(Exception):
    """Malformed, forged or oversized data on the wire."""


class TooLarge(WireError):
    """A value that is well-formed but exceeds a cap (raised by the encoder)."""


@dataclass(frozen=True)
class WireLimits:
    """Caps applied by the decoder (and by the encoder, so that an honest sender stays within)."""

    max_frame: int = 64 << 20       # body bytes of one frame
    max_header: int = 16 << 20      # JSON header bytes
    max_str: int = 1 << 20          # characters in one string
    max_depth: int = 64             # nesting of lists/tuples/dicts
    max_nodes: int = 1_000_000      # encoded values in one frame
    max_arrays: int = 10_000        # payloads in one frame


# ---------------------------------------------------------------------------------- encoding


_NPY_PREFIX_CACHE: dict[tuple[str, tuple[int, ...]], bytes] = {}


def npy_bytes(arr: np.ndarray) -> bytes:
    """`arr` (exact ndarray, allowed dtype) as canonical .npy version 1.0 bytes, C order."""
    if not arr.flags.c_contiguous:
        arr = arr.copy(order="C")
    key = (arr.dtype.str, tuple(int(d) for d in arr.shape))
    prefix = _NPY_PREFIX_CACHE.get(key)
    if prefix is None:
        header = f"{{'descr': {key[0]!r}, 'fortran_order': False, 'shape': {key[1]!r}, }}"
        total = len(_NPY_MAGIC) + 4 + len(header) + 1
        header += " " * (-total % 64) + "\n"
        prefix = (_NPY_MAGIC + b"\x01\x00" + struct.pack("<H", len(header))
                  + header.encode("ascii"))
        if len(_NPY_PREFIX_CACHE) >= 512:
            _NPY_PREFIX_CACHE.clear()
        _NPY_PREFIX_CACHE[key] = prefix
    return prefix + arr.tobytes()


class Encoder:
    """Turns values into encoded values plus payloads; one Encoder per frame.

    It encodes plain data as `nnkit_contract.values.normalize` defines it, `Unrepresentable` markers and
    random generators. Anything else raises TypeError: the worker normalizes everything student
    code hands it before encoding, and the grader's own data is plain by construction.
    """

    def __init__(self, *, limits: WireLimits | None = None):
        self.limits = limits or WireLimits()
        self.payloads: list[bytes] = []
        self._payload_bytes = 0
        self._nodes = 0

    def value(self, obj: Any, _depth: int = 0) -> Any:
        self._nodes += 1
        if self._nodes > self.limits.max_nodes:
            raise TooLarge(f"more than {self.limits.max_nodes} values")
        if obj is None or obj is True or obj is False:
            return obj
        t = type(obj)
        if t is float:
            return obj if math.isfinite(obj) else {"f": "nan" if obj != obj else
                                                   ("inf" if obj > 0 else "-inf")}
        if t is int:
            if obj.bit_length() > MAX_INT_BITS:
                raise TypeError("integer too large to send")
            return obj
        if t is str:
            if len(obj) > self.limits.max_str:
                raise TooLarge(f"string longer than {self.limits.max_str} characters")
            return obj
        if t in (list, tuple, dict) and _depth >= self.limits.max_depth:
            raise TooLarge("nested too deeply")
        if t is list:
            return [self.value(x, _depth + 1) for x in obj]
        if t is tuple:
            return {"t": [self.value(x, _depth + 1) for x in obj]}
        if t is dict:
            pairs = []
            for k, v in obj.items():
                if type(k) is not str:
                    raise TypeError("dict keys must be str")
                pairs.append([k, self.value(v, _depth + 1)])
            return {"d": pairs}
        if t is np.ndarray:
            return self._array(obj)
        if t is Unrepresentable:
            return {"u": str(obj.type_name)[:MAX_TYPE_NAME]}
        if t is np.random.Generator:
            return {"g": self.value(obj.bit_generator.state, _depth + 1)}
        if t is SharedArray:
            return {"s": [obj.offset, obj.dtype, list(obj.shape)]}
        raise TypeError(f"cannot send a value of type {type_name(obj)}: not plain data")

    def _array(self, arr: np.ndarray) -> Any:
        dt = arr.dtype
        if dt.fields is not None or dt.subdtype is not None or \
                (dt.kind, dt.itemsize) not in ARRAY_DTYPES:
            raise TypeError(f"cannot send an array of dtype {dt}")
        if arr.ndim > _MAX_NDIM:
            raise TypeError("cannot send an array with that many dimensions")
        if len(self.payloads) >= self.limits.max_arrays:
            raise TooLarge(f"more than {self.limits.max_arrays} arrays")
        size = arr.nbytes + 256
        if self._payload_bytes + size > self.limits.max_frame:
            raise TooLarge(f"arrays larger than {self.limits.max_frame} bytes")
        data = npy_bytes(arr)
        self._payload_bytes += len(data)
        self.payloads.append(data)
        return {"a": len(self.payloads) - 1}

    def frame(self, message: dict) -> bytes:
        """The complete frame for `message` (whose values came from `self.value`)."""
        header = json.dumps({"m": message, "p": [len(p) for p in self.payloads]},
                            separators=(",", ":"), allow_nan=False).encode("utf-8")
        if len(header) > self.limits.max_header:
            raise TooLarge(f"header larger than {self.limits.max_header} bytes")
        body_len = _U32.size + len(header) + self._payload_bytes
        if body_len > self.limits.max_frame:
            raise TooLarge(f"frame larger than {self.limits.max_frame} bytes")
        return b"".join([_PREFIX.pack(MAGIC, body_len), _U32.pack(len(header)), header,
                         *self.payloads])


def pack(message: dict, *, limits: WireLimits | None = None) -> bytes:
    """A frame for a message that carries no encoded values (only plain JSON)."""
    return Encoder(limits=limits).frame(message)


# ---------------------------------------------------------------------------------- decoding


def too_many_values(limits: WireLimits) -> str:
    return (f"more than {limits.max_nodes} values (numbers, strings, lists) in one frame: "
            "NumPy arrays travel as one value each")


def parse_frame(data: bytes | bytearray | memoryview, limits: WireLimits) -> Frame:
    """A whole frame (prefix and body) received in one piece (a datagram)."""
    if len(data) < _PREFIX.size:
        raise WireError("truncated frame prefix")
    magic, body_len = _PREFIX.unpack_from(data, 0)
    if magic != MAGIC or body_len > limits.max_frame or _PREFIX.size + body_len != len(data):
        raise WireError("bad frame prefix")
    return parse_body(memoryview(data)[_PREFIX.size:], limits)


def _reject_constant(name: str) -> Any:
    raise WireError(f"bare {name} in JSON")


@dataclass
class Frame:
    message: dict
    payloads: list[memoryview]


def parse_body(body: bytes | bytearray | memoryview, limits: WireLimits) -> Frame:
    """Split and check a frame body (everything after the 12-byte prefix)."""
    mv = memoryview(body)
    if len(mv) < _U32.size:
        raise WireError("truncated frame")
    (hlen,) = _U32.unpack_from(mv, 0)
    if hlen > limits.max_header or _U32.size + hlen > len(mv):
        raise WireError("bad header length")
    raw = bytes(mv[_U32.size:_U32.size + hlen])
    # Counted before parsing: a frame of a million tiny lists would otherwise cost the grader
    # about a second to parse and walk (measured), on every call.
    if raw.count(b",") + raw.count(b"[") + raw.count(b"{") > 2 * limits.max_nodes + 16:
        raise WireError(too_many_values(limits))
    try:
        header = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, RecursionError, UnicodeDecodeError) as e:
        raise WireError(f"bad JSON header: {str(e)[:80]}") from None
    if type(header) is not dict or set(header) != {"m", "p"}:
        raise WireError("bad header")
    message, sizes = header["m"], header["p"]
    if type(message) is not dict or type(sizes) is not list:
        raise WireError("bad header")
    if len(sizes) > limits.max_arrays or any(type(s) is not int or s < 0 for s in sizes):
        raise WireError("bad payload sizes")
    pos = _U32.size + hlen
    if pos + sum(sizes) != len(mv):
        raise WireError("payload sizes do not add up to the frame length")
    payloads = []
    for s in sizes:
        payloads.append(mv[pos:pos + s])
        pos += s
    return Frame(message, payloads)


class FrameReader:
    """Incremental frame splitter for the grader side (non-blocking reads feed it)."""

    def __init__(self, limits: WireLimits):
        self.limits = limits
        self._buf = bytearray()

    def feed(self, data: bytes) -> None:
        self._buf += data

    @property
    def pending(self) -> int:
        return len(self._buf)

    def next_frame(self) -> Frame | None:
        """The next complete frame, or None if more bytes are needed. Raises WireError."""
        if len(self._buf) < _PREFIX.size:
            if self._buf and not MAGIC.startswith(bytes(self._buf[: len(MAGIC)])):
                raise WireError("bad frame magic")
            return None
        magic, body_len = _PREFIX.unpack_from(self._buf, 0)
        if magic != MAGIC:
            raise WireError("bad frame magic")
        if body_len > self.limits.max_frame:
            raise TooLarge(f"frame of {body_len} bytes exceeds the {self.limits.max_frame} "
                           "byte limit")
        end = _PREFIX.size + body_len
        if len(self._buf) < end:
            return None
        body = bytes(self._buf[_PREFIX.size:end])
        del self._buf[:end]
        return parse_body(body, self.limits)


def _read_exact(fd: int, n: int) -> bytes:
    """Exactly n bytes from the blocking descriptor fd (fewer only at EOF); never more, so that
    nothing of the next frame is read ahead."""
    chunks, left = [], n
    while left:
        chunk = os.read(fd, left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame_fd(fd: int, limits: WireLimits) -> Frame | None:
    """Read one frame from a blocking descriptor (worker side), byte-exact. None at a clean EOF."""
    prefix = _read_exact(fd, _PREFIX.size)
    if not prefix:
        return None
    if len(prefix) != _PREFIX.size:
        raise WireError("truncated frame prefix")
    magic, body_len = _PREFIX.unpack(prefix)
    if magic != MAGIC or body_len > limits.max_frame:
        raise WireError("bad frame prefix")
    body = _read_exact(fd, body_len)
    if len(body) != body_len:
        raise WireError("truncated frame")
    return parse_body(body, limits)


class Decoder:
    """Turns encoded values of one frame back into Python values, checking every cap."""

    def __init__(self, frame: Frame, limits: WireLimits,
                 shared: Callable[[int, np.dtype, tuple[int, ...]], np.ndarray] | None = None):
        self.frame = frame
        self.limits = limits
        self._nodes = 0
        self._used: set[int] = set()
        self.shared = shared    # what a shared array decodes to; None: "s" refused

    def value(self, node: Any, _depth: int = 0) -> Any:
        self._nodes += 1
        if self._nodes > self.limits.max_nodes:
            raise WireError(too_many_values(self.limits))
        if _depth > self.limits.max_depth:
            raise WireError(f"values nested more than {self.limits.max_depth} levels deep")
        t = type(node)
        if node is None or t is bool or t is int or t is float:
            return node
        if t is str:
            if len(node) > self.limits.max_str:
                raise WireError("string too long")
            return node
        if t is list:
            return [self.value(x, _depth + 1) for x in node]
        if t is not dict or len(node) != 1:
            raise WireError("unknown value encoding")
        ((tag, inner),) = node.items()
        if tag == "t":
            if type(inner) is not list:
                raise WireError("bad tuple")
            return tuple(self.value(x, _depth + 1) for x in inner)
        if tag == "d":
            if type(inner) is not list:
                raise WireError("bad dict")
            out: dict[str, Any] = {}
            for pair in inner:
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                    raise WireError("bad dict item")
                key = self.value(pair[0], _depth + 1)
                if key in out:
                    raise WireError("duplicate dict key")
                out[key] = self.value(pair[1], _depth + 1)
            return out
        if tag == "f":
            if type(inner) is not str or inner not in _SPECIAL_FLOATS:
                raise WireError("bad special float")
            return _SPECIAL_FLOATS[inner]
        if tag == "a":
            if type(inner) is not int or not 0 <= inner < len(self.frame.payloads):
                raise WireError("bad array reference")
            if inner in self._used:
                raise WireError("array payload used twice")
            self._used.add(inner)
            return decode_npy(self.frame.payloads[inner])
        if tag == "g":
            return make_generator(self.value(inner, _depth + 1))
        if tag == "s":
            return self._shared_array(inner)
        if tag == "u":
            if type(inner) is not str:
                raise WireError("bad unrepresentable marker")
            return Unrepresentable(inner[:MAX_TYPE_NAME])
        raise WireError("unknown value tag")


    def _shared_array(self, inner: Any) -> np.ndarray:
        if self.shared is None:
            raise WireError("a shared array where none may be")
        if type(inner) is not list or len(inner) != 3 or type(inner[0]) is not int \
                or type(inner[1]) is not str or type(inner[2]) is not list:
            raise WireError("bad shared array")
        offset, descr, shape = inner
        match = re.fullmatch(r"[<>|=]?([biuf])(\d{1,2})", descr)
        if offset < 0 or match is None or (match[1], int(match[2])) not in ARRAY_DTYPES:
            raise WireError("bad shared array")
        if len(shape) > _MAX_NDIM or any(type(d) is not int or not 0 <= d <= _MAX_DIM for d in shape):
            raise WireError("bad shared array shape")
        return self.shared(offset, np.dtype(descr), tuple(shape))


@dataclass(frozen=True)
class SharedArray:
    """Stands, in a grader-to-worker message, for an argument array that the grader placed in
    the shared argument memory at `offset` (the worker maps it; the grader reads it back)."""

    offset: int
    dtype: str
    shape: tuple[int, ...]


_HEADER_CACHE: dict[bytes, tuple[np.dtype, tuple[int, ...], bool, int]] = {}


def _parse_npy_header(raw: bytes) -> tuple[np.dtype, tuple[int, ...], bool, int]:
    """(dtype, shape, fortran, item size) from a .npy header dict; cached, since loops repeat it."""
    cached = _HEADER_CACHE.get(raw)
    if cached is not None:
        return cached
    try:
        header = raw.decode("ascii")
    except UnicodeDecodeError:
        raise WireError("bad .npy header") from None
    m = _NPY_HEADER_RE.fullmatch(header)
    if m is None:
        raise WireError("unexpected .npy header (only plain b/i/u/f arrays are accepted)")
    kind, size = m["kind"], int(m["size"])
    if (kind, size) not in ARRAY_DTYPES:
        raise WireError(f"dtype {kind}{size} is not accepted")
    order = m["order"] or "|"
    if size > 1 and order == "|":
        raise WireError("multi-byte dtype without byte order")
    dtype = np.dtype(f"{'=' if order == '|' else order}{kind}{size}")
    parts = [p.strip() for p in m["shape"].split(",")]
    if parts and parts[-1] == "":
        parts.pop()
    if len(parts) > _MAX_NDIM or any(not p.isdigit() or len(p) > 13 for p in parts):
        raise WireError("bad array shape")
    shape = tuple(int(p) for p in parts)
    if any(d > _MAX_DIM for d in shape):
        raise WireError("array dimension too large")
    result = (dtype, shape, m["fortran"] == "True", size)
    if len(_HEADER_CACHE) >= 512:
        _HEADER_CACHE.clear()
    _HEADER_CACHE[raw] = result
    return result


_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


def make_generator(state: Any) -> np.random.Generator:
    """A fresh np.random.Generator in `state` (a decoded bit generator state dict)."""
    if type(state) is not dict or state.get("bit_generator") not in _BIT_GENERATORS:
        raise WireError("bad random generator state")
    try:
        bit_generator = getattr(np.random, state["bit_generator"])(0)
        bit_generator.state = state
    except Exception as e:  # NumPy validates the state; anything off lands here
        raise WireError(f"bad random generator state: {str(e)[:80]}") from None
    return np.random.Generator(bit_generator)


def decode_npy(data: memoryview | bytes) -> np.ndarray:
    """Validate .npy bytes and return a fresh, writable, native-order, exact `np.ndarray`."""
    mv = memoryview(data)
    if len(mv) < 10 or mv[:6] != _NPY_MAGIC:
        raise WireError("array payload is not .npy data")
    major = mv[6]
    if major == 1:
        (hlen,) = struct.unpack_from("<H", mv, 8)
        start = 10
    elif major in (2, 3):
        if len(mv) < 12:
            raise WireError("truncated .npy header")
        (hlen,) = struct.unpack_from("<I", mv, 8)
        start = 12
    else:
        raise WireError("unsupported .npy version")
    if hlen > 4096 or start + hlen > len(mv):
        raise WireError("bad .npy header length")
    dtype, shape, fortran, size = _parse_npy_header(bytes(mv[start:start + hlen]))
    count = math.prod(shape)
    offset = start + hlen
    if count * size != len(mv) - offset:
        raise WireError("array payload length does not match its shape and dtype")
    native = dtype.newbyteorder("=")
    if count == 0:
        return np.empty(shape, dtype=native)
    flat = np.frombuffer(mv, dtype=dtype, count=count, offset=offset)
    if dtype.kind == "b" and int(flat.view(np.uint8).max()) > 1:
        raise WireError("bool array holds values other than 0 and 1")
    if fortran:
        arr = flat.reshape(shape, order="F").astype(native, order="C", copy=True)
    else:
        arr = flat.astype(native, copy=True).reshape(shape)
    if type(arr) is not np.ndarray or not arr.flags.writeable:  # guards; cannot happen
        raise WireError("array decoded to an unexpected object")
    return arr
