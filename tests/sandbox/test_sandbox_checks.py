"""One fresh process per check, limits in CPU time, argument arrays the grader reads itself, and
bounded reference callbacks: what a student's code may carry, hide or ask for, attacked.
"""

from __future__ import annotations

import resource
import time

import numpy as np
import pytest
from sandbox_support import BURNER, FAST, HAVE_BWRAP, busy

from grader.sandbox import Limits
from grader.sandbox.arguments import CHANGED
from nnkit_contract.outcomes import CallTimedOut, StudentRaised

# ------------------------------------------------------------------------------ state

CARRIER = r'''
import os
STATE = []
PLACES = ["/tmp/note", "/tmp/work/note", "/dev/shm/note", "note"]

def leave(value):
    STATE.append(value)
    os.environ["NOTE"] = str(value)
    written = []
    for path in PLACES:
        try:
            with open(path, "w") as f:
                f.write(str(value))
            written.append(path)
        except OSError:
            pass
    return written

def find():
    found = {"memory": list(STATE), "environ": os.environ.get("NOTE")}
    for path in PLACES:
        try:
            found[path] = open(path).read()
        except OSError:
            pass
    return found
'''


def test_nothing_survives_a_check(make_session):
    s = make_session(CARRIER)
    written = s.call("leave", (7,)).value
    assert "/tmp/note" in written and "note" in written      # writable within a check
    assert s.call("find", ()).value["memory"] == [7]          # and seen within it
    s.new_check()
    assert s.call("find", ()).value == {"memory": [], "environ": None}


#: Storage that once broke the wipe between checks: a tree 3000 folders deep (Python's recursive
#: rmtree raised RecursionError, the sandbox was neither wiped nor replaced, and the next
#: submissions on the same host lost 46 points each), and a flood of files (the grader's time
#: deleting them was charged to nobody). Now no one wipes anything: the check's /tmp is a tmpfs of
#: its own (limited in size and in files), freed by the kernel when its process ends.
STORAGE_BOMBS = r"""
import os

def deep(levels):
    fd = os.open("/tmp", os.O_RDONLY)
    for _ in range(levels):
        try:
            os.mkdir("d", dir_fd=fd)
        except FileExistsError:
            pass
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)
    return levels

def flood(n):
    fd = os.open("/tmp", os.O_RDONLY)
    made = 0
    try:
        for i in range(n):
            os.close(os.open(f"f{i}", os.O_CREAT | os.O_WRONLY, dir_fd=fd))
            made += 1
    except OSError:
        pass
    os.close(fd)
    return made

def listing():
    return sorted(os.listdir("/tmp"))
"""


@pytest.mark.parametrize("bomb", [("deep", 3000), ("flood", 20000)])
def test_whatever_a_check_leaves_goes_with_its_process(bomb):
    """The next check, and the next submission on the same template, start clean; nothing is
    wiped by the grader and nothing restarts."""
    from grader.sandbox import SandboxTemplate, SubmissionSession

    template = SandboxTemplate(limits=FAST)
    try:
        with SubmissionSession([STORAGE_BOMBS], template=template) as s:
            clean = s.call("listing", ()).value
            made = s.call(bomb[0], (bomb[1],)).value
            assert made >= min(bomb[1], 1000)
            s.new_check()
            assert s.call("listing", ()).value == clean
        with SubmissionSession([STORAGE_BOMBS], template=template) as honest:
            assert honest.call("listing", ()).value == clean
        assert template.starts == 1 and template.hosts == 2
    finally:
        template.close()


@pytest.mark.bwrap
def test_a_checks_storage_holds_a_bounded_number_of_files(make_session):
    s = make_session(STORAGE_BOMBS)
    assert FAST.tmp_inodes // 2 < s.call("flood", (20000,)).value < FAST.tmp_inodes


#: What a check could leave for the next one, or for the next student: modes, timestamps, a
#: module planted where `import` looks first, extended attributes, files; all on storage that is
#: new in the next check.
LEAVINGS = r"""
import ctypes, os, platform

def leave():
    with open("/tmp/work/tqdm.py", "w") as f:
        f.write("def tqdm(*a, **k):\n    raise RuntimeError('planted')\n")
    with open("/tmp/note", "w") as f:
        f.write("hello")
    os.utime("/tmp/work", (0, 0))
    os.chmod("/tmp/work", 0o555)
    os.chmod("/tmp", 0o444)
    return "left"

def look():
    from tqdm import tqdm
    return {"work": sorted(os.listdir(".")), "mode": oct(os.stat("/tmp/work").st_mode & 0o777),
            "tmp_mode": oct(os.stat("/tmp").st_mode & 0o777),
            "mtime_1970": os.stat("/tmp/work").st_mtime < 1e9, "tqdm": tqdm.__module__,
            "note": os.path.exists("/tmp/note")}

def attributes():
    refused = {}
    for name, call in (("setxattr /tmp", lambda: os.setxattr("/tmp", "user.a", b"1")),
                       ("setxattr .", lambda: os.setxattr(".", "user.a", b"1")),
                       ("removexattr", lambda: os.removexattr("/tmp", "user.a")),
                       ("setxattr file", lambda: os.setxattr(open("/tmp/x", "w").fileno(),
                                                             "user.a", b"1")),
                       ("memfd_create", lambda: os.memfd_create("x"))):
        try:
            call()
            refused[name] = False
        except PermissionError:
            refused[name] = True
    libc = ctypes.CDLL(None, use_errno=True)
    number = {"x86_64": 189, "aarch64": 6}.get(platform.machine())   # lsetxattr
    if number is not None:
        rc = libc.syscall(number, b"/tmp", b"user.b", b"1", 1, 0)
        refused["lsetxattr"] = rc == -1 and ctypes.get_errno() == 1
    return refused
"""


@pytest.mark.bwrap
def test_modes_timestamps_and_planted_files_do_not_outlive_a_check(make_session):
    s = make_session(LEAVINGS, limits=Limits(call_cpu=5.0))
    clean = s.call("look", ()).value
    assert clean["mode"] == "0o755" and not clean["mtime_1970"] and clean["tqdm"] != "tqdm"
    assert s.call("leave", ()).value == "left"
    s.new_check()
    assert s.call("look", ()).value == clean


@pytest.mark.bwrap
def test_extended_attributes_are_refused(make_session):
    s = make_session(LEAVINGS)
    refused = s.call("attributes", ()).value
    assert refused and all(refused.values()), refused


def test_every_check_gets_a_fresh_process(make_session):
    """Twenty checks, twenty processes, none restarted after a failure. What a fork costs is
    measured by bench/ (overhead.py, isolation_cost.py), never asserted here."""
    s = make_session("def f():\n    return 1\n", setup_cells=["import numpy\nimport json\n"])
    s.start()
    forks = s.forks
    for _ in range(20):
        s.new_check()
        assert s.call("f", ()).value == 1
    assert s.forks == forks + 19 and s.restarts == 0   # the first check keeps the loaded process


def test_a_check_that_made_no_call_keeps_its_process(make_session):
    s = make_session("def f():\n    return 1\n")
    s.start()
    s.new_check()
    s.new_check()
    assert s.forks == 1


SHARED_CHANNELS = r'''
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)

def ipc():
    refused = []
    for name, args in (("shmget", (0, 4096, 0o1600)), ("msgget", (0, 0o1600)),
                       ("semget", (0, 1, 0o1600))):
        rc = getattr(libc, name)(*args)
        refused.append(rc == -1 and ctypes.get_errno() == 1)
    try:
        import posix_ipc  # noqa: F401 - not installed; mq_open through libc instead
    except ImportError:
        pass
    libc.mq_open.restype = ctypes.c_int
    rc = libc.syscall(240 if os.uname().machine == "x86_64" else 180, b"/q", 0o100 | 2, 0o600, None)
    refused.append(rc == -1 and ctypes.get_errno() == 1)
    return refused

def template_memory():
    try:
        open("/proc/1/mem", "r+b")
    except OSError as e:
        return type(e).__name__
    return "opened"
'''


def test_ipc_that_outlives_a_process_is_refused(make_session):
    s = make_session(SHARED_CHANNELS)
    assert s.call("ipc", ()).value == [True, True, True, True]


@pytest.mark.bwrap
@pytest.mark.skipif(not HAVE_BWRAP, reason="needs bubblewrap")
def test_the_template_memory_is_out_of_reach(make_session):
    s = make_session(SHARED_CHANNELS)
    assert s.call("template_memory", ()).value == "PermissionError"


# ------------------------------------------------------------------------------ in-place changes

PATCHER = r'''
import sys
_c = sys.modules["nnkit_contract.values"]
_honest = _c.normalize
_saved = {}

def _lying(obj, keep=(), _depth=0):
    if type(obj) is tuple and obj and id(obj[0]) in _saved:
        obj = (_saved[id(obj[0])],) + obj[1:]
    return _honest(obj, keep, _depth)

_c.normalize = _lying

def scale_(x, params):
    _saved[id(x)] = x.copy()
    x *= 2
    params[0][0][...] = 0
    return None

def replace_layer(params):
    params[0] = (params[0][0] + 1, params[0][1])
    return None
'''


def test_the_grader_reads_mutated_arguments_itself(make_session):
    s = make_session(PATCHER)
    x = np.arange(3.0)
    params = [(np.ones((2, 2)), np.zeros(2))]
    r = s.call("scale_", (x, params), return_args=True)
    after_x, after_params = r.args_after
    assert np.array_equal(after_x, 2 * np.arange(3.0))                  # despite the lying report
    assert np.array_equal(after_params[0][0], np.zeros((2, 2)))         # nested arrays too
    assert np.array_equal(x, np.arange(3.0)) and np.array_equal(params[0][0], np.ones((2, 2)))


def test_a_replaced_list_element_is_a_change_never_a_value(make_session):
    """The worker's report that an element was replaced is not believed as a value: the grader
    marks the place as changed (an array it placed there is read back where it still is)."""
    s = make_session(PATCHER)
    params = [(np.ones((2, 2)), np.zeros(2))]
    r = s.call("replace_layer", (params,), return_args=True)
    assert r.args_after[0][0][0] is CHANGED
    assert np.array_equal(r.args_after[0][0][1], np.zeros(2))


def test_argument_memory_is_empty_in_the_next_check(make_session):
    s = make_session("import mmap, os\n"
                     "def peek(x):\n"
                     "    fd = int(sorted(os.listdir('/proc/self/fd'), key=int)[-1])\n"
                     "    return sorted(int(f) for f in os.listdir('/proc/self/fd'))\n"
                     "def keep(x):\n    return float(x.sum())\n")
    assert s.call("keep", (np.ones(1000),), return_args=True).value == 1000.0
    assert s._args.size > s._args.PROGRESS
    s.new_check()
    assert s._args.size == s._args.PROGRESS and s._args.cell() == 0


# ------------------------------------------------------------------------------ CPU time

def test_a_busy_machine_does_not_turn_slow_code_into_a_timeout(make_session):
    """0.6 s of CPU under a 1 s limit passes, also when three CPU-bound processes share the two
    cores (its wall time is then well over 1 s); an endless loop still times out."""
    limits = Limits(call_cpu=1.0, wall_factor=20.0, wall_grace=5.0)
    s = make_session(BURNER + "def spin():\n    while True:\n        pass\n", limits=limits)
    assert s.call("burn", (0.6,)).value == 0.6
    hogs = busy(3)
    try:
        time.sleep(0.3)
        t0 = time.monotonic()
        r = s.call("burn", (0.6,))
        wall = time.monotonic() - t0
        assert r.value == 0.6 and r.cpu < 1.0
        with pytest.raises(CallTimedOut, match="CPU time"):
            s.call("spin", ())
    finally:
        for p in hogs:
            p.kill()
            p.wait()
    print(f"0.6 s of CPU took {wall:.2f} s of wall time on the busy machine")


def test_reference_callbacks_count_against_the_call(make_session):
    def heavy():
        end = time.thread_time() + 0.2
        while time.thread_time() < end:
            pass
        return 1

    s = make_session("def many():\n    return sum(heavy() for _ in range(50))\n",
                     limits=Limits(call_cpu=1.0))
    with pytest.raises(CallTimedOut, match="CPU time"):
        s.call("many", (), substitute={"heavy": heavy})


def test_callback_time_counts_against_the_submissions_total(make_session):
    def heavy():
        end = time.thread_time() + 0.3
        while time.thread_time() < end:
            pass
        return 1

    s = make_session("def once():\n    return heavy()\n", limits=Limits(call_cpu=5.0))
    s.start()
    before = s.cpu_used
    assert s.call("once", (), substitute={"heavy": heavy}).value == 1
    assert s.cpu_used - before >= 0.3   # the grader's work for the call is the submission's


# ------------------------------------------------------------------------------ callback bounds

def test_a_seed_among_the_arguments_is_not_a_size(make_session):
    """train(X, y, sizes, lr, epochs, batch_size, seed): a seed of 2**31 - 1 (or any plain number
    among the arguments or in a dict) must not let a callback ask for data of that size."""
    s = make_session("import numpy as np\n"
                     "def train(X, y, sizes, lr, epochs, batch_size, seed, options):\n"
                     "    return init_params([2, 6000, 2], None)\n")
    X, y = np.ones((23, 2)), np.zeros(23, dtype=np.int64)
    args = (X, y, [2, 5, 3], 0.05, 3, 5, 2**31 - 1, {"patience": 10**6})
    with pytest.raises(StudentRaised, match="the size 6000"):
        s.call("train", args, substitute={"init_params": lambda sizes, rng: sizes})


def test_callbacks_are_bounded_by_the_call_before_any_work(make_session):
    calls = []

    def linear_forward(X, W, b):
        calls.append(X.shape)
        return X @ W + b

    s = make_session("import numpy as np\n"
                     "def forward(X):\n"
                     "    linear_forward(np.ones((20000, 1)), np.ones((1, 20000)), np.zeros(20000))\n"
                     "def fine(X):\n"
                     "    return linear_forward(X, np.ones((X.shape[1], 3)), np.zeros(3))\n"
                     "def deep(X):\n"
                     "    return linear_forward(np.ones((2, 2, 2)), np.ones((2, 2)), np.zeros(2))\n"
                     "def sizes(X):\n"
                     "    return init_params([2, 50000, 2], None)\n"
                     "def chatty(X):\n"
                     "    return [linear_forward(X, np.ones((2, 2)), np.zeros(2)) for _ in range(30)]\n",
                     limits=Limits(callbacks=20))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    X = np.ones((5, 2))
    with pytest.raises(StudentRaised, match=r"refuses an array of shape \(20000, 1\)"):
        s.call("forward", (X,), substitute={"linear_forward": linear_forward})
    with pytest.raises(StudentRaised, match="with 3 dimensions"):
        s.call("deep", (X,), substitute={"linear_forward": linear_forward})
    with pytest.raises(StudentRaised, match="the size 50000"):
        s.call("sizes", (X,), substitute={"init_params": lambda sizes, rng: sizes})
    with pytest.raises(StudentRaised, match="more than 20 calls"):
        s.call("chatty", (X,), substitute={"linear_forward": linear_forward})
    assert s.call("fine", (X,), substitute={"linear_forward": linear_forward}).value.shape == (5, 3)
    assert (20000, 1) not in calls
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 200, f"the grading process grew by {grown_mib:.0f} MiB"
