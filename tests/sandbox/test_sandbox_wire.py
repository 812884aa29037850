"""The wire format: round trips, and hostile bytes that must end as WireError (never a crash)."""

from __future__ import annotations

import io
import json
import math
import pickle
import struct

import numpy as np
import pytest

from grader.sandbox import wire
from grader.sandbox.wire import Decoder, Encoder, FrameReader, WireError
from nnkit_contract.values import Unrepresentable, normalize, type_name

LIMITS = wire.WireLimits(max_frame=1 << 20, max_header=1 << 16, max_nodes=10_000,
                         max_arrays=16, max_depth=8, max_str=1000)


def roundtrip(value, *, limits=LIMITS):
    """`value` as the worker sends it (the contract's normalizer, then the encoder) and as the
    grader reads it."""
    enc = Encoder(limits=limits)
    frame = enc.frame({"kind": "result", "value": enc.value(normalize(value, (np.random.Generator,)))})
    reader = FrameReader(limits)
    reader.feed(frame)
    got = reader.next_frame()
    assert got is not None and reader.pending == 0
    return Decoder(got, limits).value(got.message["value"])


def raw_frame(message: dict, payloads=(), sizes=None) -> bytes:
    header = json.dumps({"m": message, "p": sizes if sizes is not None else
                         [len(p) for p in payloads]}).encode()
    body = struct.pack("<I", len(header)) + header + b"".join(payloads)
    return b"NKW1" + struct.pack("<Q", len(body)) + body


def decode_raw(frame: bytes, limits=LIMITS):
    reader = FrameReader(limits)
    reader.feed(frame)
    got = reader.next_frame()
    return Decoder(got, limits).value(got.message["value"])


def npy(arr) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=True)
    return buf.getvalue()


def test_plain_values_round_trip():
    value = [None, True, False, 0, -7, 2**80, 1.5, -0.0, "héllo\n", [], (), {},
             (1, [2, (3,)]), {"a": (1, 2), "b": [None]}]
    got = roundtrip(value)
    assert got == value
    assert type(got[12]) is tuple and type(got[12][1][1]) is tuple
    assert math.copysign(1, got[7]) == -1


def test_non_finite_floats_are_preserved():
    got = roundtrip((math.nan, math.inf, -math.inf, np.float32("nan"), np.array([np.nan, -np.inf])))
    assert math.isnan(got[0]) and got[1] == math.inf and got[2] == -math.inf
    assert math.isnan(got[3]) and type(got[3]) is float
    assert np.isnan(got[4][0]) and got[4][1] == -np.inf


@pytest.mark.parametrize("arr", [
    np.arange(12.0).reshape(3, 4), np.arange(6, dtype=np.int32), np.array(3.5),
    np.zeros((0, 4)), np.array([True, False]), np.arange(5, dtype=np.uint8),
    np.asfortranarray(np.arange(6.0).reshape(2, 3)), np.arange(20.0)[::3],
    np.arange(4, dtype=">f8"), np.ones(3, dtype=np.float16), np.ones(2, dtype=np.longdouble),
])
def test_arrays_round_trip_as_plain_writable_ndarrays(arr):
    got = roundtrip(arr)
    assert type(got) is np.ndarray
    assert got.shape == arr.shape and np.array_equal(got, arr)
    assert got.flags.writeable and got.dtype.isnative


def test_numpy_scalars_become_python_numbers():
    got = roundtrip((np.float64(1.5), np.int64(3), np.bool_(True), np.float32(0.25)))
    assert got == (1.5, 3, True, 0.25)
    assert [type(x) for x in got] == [float, int, bool, float]


def test_normalized_values_mark_what_is_not_plain_data():
    class Always:
        def __eq__(self, other):
            return True

    got = roundtrip([Always(), np.array([1 + 2j]), np.array([object()], dtype=object),
                     np.zeros(2, dtype=[("a", "f8")]), {1: 2}, {1, 2}, b"bytes"])
    assert all(isinstance(x, Unrepresentable) for x in got)
    assert "complex" in got[1].type_name and "object" in got[2].type_name
    assert got[0] != got[0].type_name and not (got[0] == 1)


def test_subclasses_travel_as_their_base_type():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return np.ones(self.shape, bool)

    class F(float):
        def __eq__(self, other):
            return True

    got = roundtrip((np.zeros(3).view(Liar), F(2.0)))
    assert type(got[0]) is np.ndarray and not np.array_equal(got[0], np.ones(3))
    assert type(got[1]) is float and got[1] != 3.0
    assert type_name(np.zeros(3).view(Liar)) == "Liar(ndarray subclass)"
    assert type_name(np.float64(1)) == "numpy.float64"


def test_self_referencing_list_is_unrepresentable():
    a: list = []
    a.append(a)
    got = roundtrip(a, limits=wire.WireLimits())
    inner = got
    while isinstance(inner, list):
        inner = inner[0]
    assert isinstance(inner, Unrepresentable)


def test_encoder_refuses_what_is_not_plain_data():
    for value in (object(), np.array([1j]), np.float64(1.0), np.zeros(3).view(np.matrix), {1: 2}):
        with pytest.raises(TypeError):
            Encoder().value(value)


def test_encoder_caps_are_enforced():
    with pytest.raises(wire.TooLarge):
        Encoder(limits=LIMITS).value(np.zeros(1 << 18))


# ------------------------------------------------------------------------------ hostile input

VALID_NPY = npy(np.arange(3.0))


@pytest.mark.parametrize("payload, needle", [
    (npy(np.array([1 + 1j])), "only plain"),
    (npy(np.array([object()], dtype=object)), "only plain"),
    (npy(np.zeros(2, dtype=[("a", "<f8"), ("b", "<i4")])), "only plain"),
    (npy(np.array(["abc"])), "only plain"),
    (npy(np.array([1], dtype="datetime64[s]")), "only plain"),
    (b"\x93NUMPY\x01\x00" + struct.pack("<H", 60) +
     b"{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000,), }\n"[:60] + b"\0" * 8,
     "only plain"),
    (VALID_NPY[:-8], "length does not match"),
    (VALID_NPY + b"\0" * 8, "length does not match"),
    (b"PK\x03\x04" + VALID_NPY, "not .npy"),
    (VALID_NPY[:6] + b"\x09\x00" + VALID_NPY[8:], "version"),
    (pickle.dumps(np.arange(3.0)), "not .npy"),
    (VALID_NPY.replace(b"'<f8'", b"'<f16'"), "not accepted"),
    (VALID_NPY.replace(b"(3,)", b"(3,-1)"), "only plain"),
])
def test_bad_array_payloads_are_rejected(payload, needle):
    with pytest.raises(WireError, match=needle):
        decode_raw(raw_frame({"value": {"a": 0}}, [payload]))


def test_forged_huge_shape_never_allocates():
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000,), }"
    header += " " * (-(len(header) + 11) % 64) + "\n"
    payload = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + b"\0" * 8
    with pytest.raises(WireError, match="length does not match"):
        decode_raw(raw_frame({"value": {"a": 0}}, [payload]))


def test_bool_payload_with_other_bytes_is_rejected():
    good = npy(np.array([True, False]))
    payload = good[:-2] + b"\x02\x00"
    with pytest.raises(WireError, match="bool"):
        decode_raw(raw_frame({"value": {"a": 0}}, [payload]))


@pytest.mark.parametrize("value, needle", [
    ({"a": 0, "t": []}, "unknown value encoding"),
    ({"pickle": "gASV"}, "unknown value tag"),
    ({"a": 5}, "bad array reference"),
    ({"t": [{"a": 0}, {"a": 0}]}, "used twice"),
    ({"f": "NaN!"}, "special float"),
    ({"d": [[1, 2]]}, "dict item"),
    ({"d": [["k", 1], ["k", 2]]}, "duplicate"),
    ({"u": 5}, "unrepresentable"),
    ("x" * 2000, "string too long"),
    ([[[[[[[[[[[1]]]]]]]]]]], "nested more than 8 levels deep"),
])
def test_bad_value_encodings_are_rejected(value, needle):
    with pytest.raises(WireError, match=needle):
        decode_raw(raw_frame({"value": value}, [VALID_NPY]))


def test_too_many_values_is_rejected_before_decoding():
    limits = wire.WireLimits(max_nodes=1000)
    with pytest.raises(WireError, match="more than 1000 values"):
        decode_raw(raw_frame({"value": [0] * 3000}), limits)
    with pytest.raises(WireError, match="more than 1000 values"):
        decode_raw(raw_frame({"value": [[0, 0]] * 400}), limits)


@pytest.mark.parametrize("frame, needle", [
    (b"XXXX" + b"\0" * 20, "magic"),
    (b"NKW1" + struct.pack("<Q", 1 << 40), "exceeds"),
    (b"NKW1" + struct.pack("<Q", 4) + struct.pack("<I", 100), "header length"),
    (raw_frame({"value": 1}, [b"abc"], sizes=[10]), "add up"),
    (raw_frame({"value": 1}, [], sizes=[-1]), "payload sizes"),
    (b"NKW1" + struct.pack("<Q", 9) + struct.pack("<I", 5) + b"NaN  ", "JSON"),
    (b"NKW1" + struct.pack("<Q", 8) + struct.pack("<I", 4) + b"[1] ", "bad header"),
    (b"NKW1" + struct.pack("<Q", 6) + struct.pack("<I", 2) + b"\xff\xfe", "JSON"),
])
def test_bad_frames_are_rejected(frame, needle):
    reader = FrameReader(LIMITS)
    reader.feed(frame)
    with pytest.raises(WireError, match=needle):
        reader.next_frame()


def test_nan_token_in_json_is_rejected():
    header = b'{"m": {"value": NaN}, "p": []}'
    body = struct.pack("<I", len(header)) + header
    reader = FrameReader(LIMITS)
    reader.feed(b"NKW1" + struct.pack("<Q", len(body)) + body)
    with pytest.raises(WireError):
        reader.next_frame()


def test_deep_json_nesting_is_rejected_not_crashing():
    deep = b"[" * 200_000 + b"]" * 200_000
    header = b'{"m": {"value": ' + deep + b'}, "p": []}'
    body = struct.pack("<I", len(header)) + header
    limits = wire.WireLimits(max_frame=1 << 22, max_header=1 << 22)
    reader = FrameReader(limits)
    reader.feed(b"NKW1" + struct.pack("<Q", len(body)) + body)
    with pytest.raises(WireError):
        reader.next_frame()


def test_partial_frames_wait_for_more_bytes():
    enc = Encoder()
    frame = enc.frame({"value": enc.value(np.arange(4.0))})
    reader = FrameReader(wire.WireLimits())
    for i in range(len(frame) - 1):
        reader.feed(frame[i:i + 1])
        assert reader.next_frame() is None
    reader.feed(frame[-1:])
    assert reader.next_frame() is not None


def test_seccomp_programs_are_well_formed():
    from grader.sandbox import seccomp

    for machine in ("x86_64", "aarch64", "AMD64"):
        program = seccomp.build_program(machine, own_pid=1)
        assert program is not None and len(program) % 8 == 0 and len(program) // 8 < 4096
    assert seccomp.build_program("riscv64", own_pid=1) is None


def test_random_generators_round_trip_and_bad_states_are_rejected():
    rng = np.random.default_rng(3)
    rng.random()
    got = roundtrip(rng)
    assert type(got) is np.random.Generator and got.random() == rng.random()
    for state in ({"bit_generator": "os.system"}, {"bit_generator": "PCG64", "state": "x"},
                  {"bit_generator": "PCG64", "state": {"state": -1, "inc": 2 ** 300},
                   "has_uint32": 0, "uinteger": 0}, [1, 2]):
        enc = Encoder()
        frame = enc.frame({"value": {"g": enc.value(state)}})
        with pytest.raises(WireError, match="generator"):
            decode_raw(frame)
