"""Hostile submissions. Each attack must end as the right CallFailed (or a contained load
error), leave the grader process unaffected, and a fresh session must still work afterwards."""

from __future__ import annotations

import math
import os
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
from sandbox_support import FAST, descendants

from grader.sandbox import (
    Limits,
)
from nnkit_contract.outcomes import BadAnswer, CallTimedOut, Crashed, OutOfMemory
from nnkit_contract.values import Unrepresentable

ORIGINAL_ALLCLOSE = np.allclose
ORIGINAL_ASSERT_ALLCLOSE = np.testing.assert_allclose
ORIGINAL_ABS = abs

# Helpers available to attack code: build frames by hand and find the worker's internals.
FORGERY = r'''
import json, os, struct, sys

def _frame(message, payloads=()):
    header = json.dumps({"m": message, "p": [len(p) for p in payloads]}).encode()
    body = struct.pack("<I", len(header)) + header + b"".join(payloads)
    return b"NKW1" + struct.pack("<Q", len(body)) + body

def _worker_frame():
    f = sys._getframe(1)
    while f is not None and "call_id" not in f.f_locals:
        f = f.f_back
    return f.f_locals

def _answer(value, payloads=()):
    loc = _worker_frame()
    os.write(loc["self"].fd_out, _frame({"kind": "result", "id": loc["call_id"],
                                         "type_name": "float", "value": value}, payloads))
'''

HONEST = "def ok():\n    return 'still fine'\n"


def assert_fresh_session_works(make_session):
    s = make_session(HONEST)
    assert s.call("ok", ()).value == "still fine"


# ------------------------------------------------------------------------------ exiting


def test_sys_exit_at_import_is_a_cell_error(make_session):
    s = make_session(["import sys\nsys.exit(3)\n", HONEST])
    report = s.start()
    assert report.ok and report.cell_errors == ["cell 1: SystemExit: 3"]
    assert s.call("ok", ()).value == "still fine"


def test_os_exit_at_import_fails_the_load(make_session):
    s = make_session(["import os\nos._exit(7)\n", HONEST])
    report = s.start()
    assert not report.ok and "status 7" in report.cell_errors[-1]
    assert "cell 1" in report.cell_errors[-1]
    with pytest.raises(Crashed, match="status 7"):
        s.call("ok", ())
    assert_fresh_session_works(make_session)


@pytest.mark.parametrize("code, status", [("import sys\n    sys.exit(4)", 4),
                                          ("import os\n    os._exit(5)", 5)])
def test_exit_inside_a_call(make_session, code, status):
    s = make_session([f"def f():\n    {code}\n", HONEST])
    with pytest.raises(Crashed) as e:
        s.call("f", ())
    assert e.value.status == status
    assert s.call("ok", ()).value == "still fine"


# ------------------------------------------------------------------------------ tampering


def test_patching_numpy_and_builtins_stays_in_the_child(make_session):
    s = make_session("""
import builtins, numpy as np, numpy.testing
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
builtins.abs = lambda x: 0
builtins.round = lambda *a: 42
def f():
    return np.allclose(np.zeros(2), np.ones(2)), abs(-5), np.ones(2)
""")
    r = s.call("f", ())
    assert r.value[0] is True and r.value[1] == 0  # patched in the child...
    assert np.allclose is ORIGINAL_ALLCLOSE       # ...but not here
    assert np.testing.assert_allclose is ORIGINAL_ASSERT_ALLCLOSE
    assert abs is ORIGINAL_ABS and abs(-5) == 5 and round(2.4) == 2
    assert not np.allclose(r.value[2], np.zeros(2))
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(r.value[2], np.zeros(2))


def test_ndarray_subclass_with_lying_eq_arrives_as_plain_ndarray(make_session):
    s = make_session("""
import numpy as np
class Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)
    __ne__ = lambda self, other: np.zeros(self.shape, dtype=bool)
    def __array_finalize__(self, obj):
        pass
def f():
    return np.zeros(3).view(Liar)
""")
    r = s.call("f", ())
    assert type(r.value) is np.ndarray and r.type_name == "Liar(ndarray subclass)"
    assert not (r.value == np.ones(3)).any()
    assert not np.array_equal(r.value, np.ones(3))


def test_object_with_lying_eq_is_unrepresentable(make_session):
    s = make_session("""
class Yes:
    def __eq__(self, other):
        return True
    def __float__(self):
        return 1.0
class F(float):
    def __eq__(self, other):
        return True
def f():
    return Yes()
def g():
    return F(0.0)
""")
    r = s.call("f", ())
    assert isinstance(r.value, Unrepresentable) and r.type_name == "__main__.Yes"
    assert r.value != 1.0 and not (r.value == 1.0)
    g = s.call("g", ())
    assert type(g.value) is float and g.value != 1.0 and g.type_name == "__main__.F"


def test_nan_and_inf_are_preserved(make_session):
    s = make_session("import numpy as np\ndef f():\n    return (float('nan'), float('inf'), "
                     "-float('inf'), np.float32('nan'), np.array([np.nan, np.inf, 1.0]))\n")
    v = s.call("f", ()).value
    assert math.isnan(v[0]) and v[1] == math.inf and v[2] == -math.inf and math.isnan(v[3])
    assert np.isnan(v[4][0]) and np.isinf(v[4][1])


def test_wrong_dtypes_are_refused(make_session):
    s = make_session(FORGERY + """
import io, numpy as np
def obj():
    return np.array([1, 'a', None], dtype=object)
def cplx():
    return np.array([1 + 2j])
def structured():
    return np.zeros(2, dtype=[('a', 'f8'), ('b', 'i4')])
def forged_complex():
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.array([1 + 2j]))
    _answer({"a": 0}, [buf.getvalue()])
    return 1.0
def forged_object():
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.array([object()], dtype=object), allow_pickle=True)
    _answer({"a": 0}, [buf.getvalue()])
    return 1.0
def forged_shape():
    header = b"{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000,), }"
    header += b" " * (-(len(header) + 11) % 64) + b"\\n"
    _answer({"a": 0}, [b"\\x93NUMPY\\x01\\x00" + struct.pack("<H", len(header)) + header
                       + b"\\0" * 8])
    return 1.0
""")
    for fn, needle in [("obj", "object"), ("cplx", "complex"), ("structured", "dtype")]:
        r = s.call(fn, ())
        assert isinstance(r.value, Unrepresentable) and needle in r.value.type_name, fn
    for fn, needle in [("forged_complex", "only plain"), ("forged_object", "only plain"),
                       ("forged_shape", "does not match")]:
        with pytest.raises(BadAnswer, match=needle):
            s.call(fn, ())


def test_forged_frames_on_every_fd(make_session):
    s = make_session([FORGERY + """
def forge():
    junk = [_frame({"kind": "result", "id": "0" * 16, "type_name": "float", "value": 100.0}),
            b"NKW1" + b"\\xff" * 8, b"score: 100\\n", b"\\x80\\x04\\x95garbage"]
    for fd in range(256):
        for j in junk:
            try:
                os.write(fd, j)
            except OSError:
                pass
    return 1.0
def forge_with_right_id():
    _answer(100.0)
    return 1.0
def forge_pickle():
    _answer({"pickle": "gASVIAAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOUjAJpZJSFlFKULg=="})
    return 1.0
def forge_callback():
    loc = _worker_frame()
    os.write(loc["self"].fd_out, _frame({"kind": "callback", "id": loc["call_id"], "cb": 1,
                                         "name": "reference", "args": {"t": []},
                                         "kwargs": {"d": []}}))
    return 1.0
""", HONEST])
    with pytest.raises(BadAnswer, match="stale or forged"):
        s.call("forge", ())
    assert s.call("ok", ()).value == "still fine"
    # A frame forged with the current call's id is just another way for the function to
    # answer: it is taken as this call's answer. The worker's real answer then arrives late
    # and is never taken as another call's answer: it is either found before the next call
    # (the worker is replaced first) or arrives during it (BadAnswer for that call).
    assert s.call("forge_with_right_id", ()).value == 100.0
    restarts = s.restarts
    try:
        assert s.call("ok", ()).value == "still fine"
    except BadAnswer as e:
        assert "stale or forged" in str(e)
    assert s.call("ok", ()).value == "still fine"
    assert s.restarts == restarts + 1
    with pytest.raises(BadAnswer, match="unknown value tag"):
        s.call("forge_pickle", ())
    with pytest.raises(BadAnswer, match="does not substitute"):
        s.call("forge_callback", ())
    assert s.call("ok", ()).value == "still fine"


def test_fake_score_in_output_is_only_output(make_session):
    s = make_session(FORGERY + """
def f():
    print("score: 100")
    print('{"kind": "result", "value": 100}')
    sys.stdout.flush()
    os.write(1, _frame({"kind": "result", "id": "x", "type_name": "float", "value": 100.0}))
    return 0.0
""")
    r = s.call("f", ())
    assert r.value == 0.0 and "score: 100" in r.output


# ------------------------------------------------------------------------------ time


@pytest.mark.parametrize("body", [
    "while True:\n        pass",
    "while True:\n        try:\n            while True:\n                pass\n"
    "        except BaseException:\n            pass",
    "import time\n    time.sleep(1000)",
])
def test_never_returning_calls_time_out(make_session, body):
    s = make_session([f"def f():\n    {body}\n", HONEST],
                     limits=Limits(call_cpu=1.0, wall_factor=2.0, wall_grace=0.5))
    s.start()
    t0 = time.monotonic()
    with pytest.raises(CallTimedOut):
        s.call("f", ())
    # A backstop, not a measurement: the limits ended it (the sleep would last 1000 s), whatever
    # else runs on the machine.
    assert time.monotonic() - t0 < 60
    assert s.call("ok", ()).value == "still fine"


def test_infinite_loop_at_import_times_out_the_load(make_session):
    s = make_session([HONEST, "while True:\n    pass\n"],
                     limits=Limits(load_cpu=1.0, call_cpu=1.0))
    report = s.start()
    assert not report.ok and "cell 2" in report.cell_errors[-1]
    with pytest.raises(CallTimedOut, match="loading"):
        s.call("ok", ())
    assert_fresh_session_works(make_session)


# ------------------------------------------------------------------------------ resources


@pytest.mark.parametrize("body", [
    "return np.ones(2**33)",
    "keep = []\n    while True:\n        keep.append(np.empty(10**7))",
    "keep = []\n    while True:\n        keep.append(bytearray(50 * 2**20))",
])
def test_memory_bombs_hit_the_memory_limit(make_session, body):
    s = make_session([f"import numpy as np\ndef f():\n    {body}\n", HONEST],
                     limits=Limits(memory_bytes=512 << 20, call_cpu=10))
    with pytest.raises(OutOfMemory, match="memory limit") as e:
        s.call("f", ())
    assert e.value.kind == "memory"
    assert s.call("ok", ()).value == "still fine"


def test_fork_bomb_is_contained(make_session):
    s = make_session(["""
import os, subprocess
def forks():
    made, errors = 0, set()
    for attempt in (os.fork, lambda: subprocess.run(["true"]),
                    lambda: os.posix_spawn("/bin/true", ["true"], {})):
        for _ in range(50):
            try:
                if attempt() == 0:
                    while True:
                        pass
                made += 1
            except OSError as e:
                errors.add(type(e).__name__)
    return made, sorted(errors)
def bomb():
    while True:
        try:
            if os.fork() == 0:
                os.setsid()
        except OSError:
            pass
""", HONEST], limits=Limits(call_cpu=1.5))
    made, errors = s.call("forks", ()).value
    assert made == 0 and errors == ["PermissionError"]
    t0 = time.monotonic()
    with pytest.raises(CallTimedOut):
        s.call("bomb", ())
    assert time.monotonic() - t0 < 60  # a backstop: the grader stayed responsive and killed it
    assert s.call("ok", ()).value == "still fine"
    s.close()
    assert descendants() == []


def test_signals_and_limits_cannot_reach_other_processes(make_session):
    # Signal 0 only checks permission, so nothing is harmed even if this test ever fails.
    s = make_session("""
import os, resource, signal
def probe():
    results = []
    other = os.getppid() or os.getpid() + 1  # the grader (fallback) or a pid in the sandbox
    for attempt in (lambda: os.kill(other, 0), lambda: os.kill(-1, 0),
                    lambda: os.killpg(0, 0), lambda: os.kill(os.getpid() + 1, 0),
                    lambda: resource.prlimit(other, resource.RLIMIT_NOFILE),
                    lambda: os.kill(os.getpid(), 0)):
        try:
            attempt()
            results.append("allowed")
        except OSError as e:
            results.append(type(e).__name__)
    return results
""")
    results = s.call("probe", ()).value
    if s.seccomp_active:
        assert results == ["PermissionError"] * 5 + ["allowed"]
    assert os.getpid() > 0  # still here


def test_thread_left_running(make_session):
    s = make_session(["""
import threading, time, os
def spin():
    while True:
        print("tick")
        time.sleep(0.01)
def start():
    threading.Thread(target=spin).start()
    threading.Thread(target=lambda: time.sleep(1000), daemon=False).start()
    return 'started'
""", HONEST])
    assert s.call("start", ()).value == "started"
    time.sleep(0.1)
    for _ in range(3):
        assert s.call("ok", ()).value == "still fine"
    s.close()
    assert descendants() == []


def test_huge_output_is_capped(make_session):
    s = make_session("import sys\ndef f():\n    for _ in range(10 * 1024):\n"
                     "        sys.stdout.write('x' * 1023 + '\\n')\n    return 'done'\n",
                     limits=Limits(call_cpu=20))
    r = s.call("f", ())
    assert r.value == "done"
    assert len(r.output) < FAST.output_bytes + 200
    assert r.output.endswith(f"[... {10 * 1024 * 1024 - FAST.output_bytes} more bytes of "
                             "output dropped]")


def test_network_is_unreachable(make_session):
    s = make_session("""
import socket
def connect():
    try:
        socket.create_connection(("1.1.1.1", 53), timeout=2)
        return "connected"
    except OSError as e:
        return str(e)
""")
    message = s.call("connect", ()).value
    assert "connected" != message
    assert "not permitted" in message or "unreachable" in message


# ------------------------------------------------------------------------------ files (bwrap)


@pytest.mark.bwrap
def test_writes_outside_the_private_tmp_fail(make_session, course_root):
    tag = uuid.uuid4().hex
    targets = [f"/tmp/work/{tag}", f"/tmp/{tag}", str(course_root / tag), f"/work/{tag}",
               f"/root/{tag}", f"/usr/{tag}", f"/{tag}", f"../../{tag}", f"/dev/shm/{tag}",
               f"/opt/nnkit/worker/{tag}", "/opt/nnkit/worker/worker.py"]
    s = make_session("""
import os
def write(paths):
    done = []
    for p in paths:
        try:
            with open(p, "a") as f:
                f.write("pwned")
            done.append(p)
        except OSError:
            pass
    return done
""")
    assert s.call("write", (targets,)).value == [f"/tmp/work/{tag}", f"/tmp/{tag}"]
    for host in (course_root / tag, Path("/work") / tag, Path("/root") / tag,
                 Path("/tmp/work") / tag, Path("/tmp") / tag, Path("/") / tag):
        assert not host.exists()


@pytest.mark.bwrap
def test_course_files_are_invisible(make_session, course_root):
    solutions = course_root / "solutions"
    assert solutions.is_dir()
    secret_file = next(p for p in solutions.rglob("*") if p.is_file())
    paths = [str(solutions), str(secret_file), str(course_root / "autograde_tests"),
             str(course_root / "pyproject.toml"), str(course_root / "grader"),
             os.path.relpath(solutions, "/tmp/work"), "../../" + str(solutions).lstrip("/"),
             str(course_root / ".venv"), "/root/.bash_history", "/etc/passwd", "/home"]
    s = make_session("""
import os
def probe(paths):
    seen = {}
    for p in paths:
        try:
            seen[p] = sorted(os.listdir(p)) if os.path.isdir(p) else open(p, "rb").read(10).hex()
        except OSError as e:
            seen[p] = None
    os.symlink(paths[0], "link")
    try:
        seen["link"] = os.listdir("link")
    except OSError:
        seen["link"] = None
    return seen
def imports():
    found = []
    for name in ("grader", "autograde_tests", "solutions", "nbformat"):
        try:
            __import__(name)
            found.append(name)
        except ImportError:
            pass
    return found
""")
    seen = s.call("probe", (paths,)).value
    assert seen == {p: None for p in [*paths, "link"]}
    assert s.call("imports", ()).value == []


def test_grader_process_is_unaffected_at_the_end():
    assert np.allclose is ORIGINAL_ALLCLOSE and abs is ORIGINAL_ABS
    assert descendants() == []
