"""Students isolated from each other on one template, and nothing the worker says is believed
for what the grader can check itself; grading work and waiting charged to the submission.

Each attack next to its honest twin: the same code without the attack, or the attack aimed at
the submission itself (where it must work, proving that it would find what it looks for).
"""

from __future__ import annotations

import os
import time

import numpy as np
import pytest
from sandbox_support import BURNER, FAST, busy

from autograde_tests.compare import Fail, expect_unchanged
from grader.sandbox import Limits, SandboxTemplate, SubmissionSession, wire
from grader.sandbox.arguments import CHANGED
from grader.sandbox.calls import IDLE_GRACE
from nnkit_contract.outcomes import BadAnswer, CallTimedOut
from nnkit_contract.values import Callback

# ------------------------------------------------------------------------------ memory

#: Looks for a text in the memory of its own process: /proc/self/mem, else ctypes.string_at on
#: the readable anonymous mappings.
SCANNER = r'''
import ctypes

def _regions():
    for line in open("/proc/self/maps").read().splitlines():
        parts = line.split()
        name = parts[5] if len(parts) > 5 else ""
        if not parts[1].startswith("r") or name.startswith("/") or name in (
                "[vvar]", "[vvar_vclock]", "[vsyscall]", "[vdso]"):
            continue
        low, high = (int(x, 16) for x in parts[0].split("-"))
        yield low, high

def holds(pieces, use_mem):
    # The text is looked for in two pieces, so that it is never whole in this process's memory
    # (not in this notebook, not in the arguments, not in a needle).
    head, tail = (p.encode() for p in pieces)
    mem = open("/proc/self/mem", "rb", buffering=0) if use_mem else None
    for low, high in list(_regions()):
        try:
            if mem is not None:
                mem.seek(low)
                data = mem.read(high - low)
            else:
                data = ctypes.string_at(low, high - low)
        except (OSError, ValueError, OverflowError):
            continue
        at = data.find(head)
        while at >= 0:
            if data.startswith(tail, at + len(head)):
                return True
            at = data.find(head, at + 1)
    return False
'''
SECRET = ("def secret_solution", "_of_an_earlier_student(x):")
_DOC = "\n".join(f"    line {i} of a docstring that makes the cell a large block" for i in range(60))
#: A cell with that function, as a student writes it (a long source: the old zygote kept large
#: freed blocks of it, and every later submission's processes inherited them), and the joined
#: text as a constant of the compiled cell (adjacent literals are joined by the compiler): in the
#: memory of every process that holds the submission's code, for the honest twin.
SECRET_CELL = (f"NOTE = {SECRET[0]!r} {SECRET[1]!r}\n\n\n{''.join(SECRET)}\n"
               f'    """\n{_DOC}\n    """\n    return x\n')


def _proc_mem_readable() -> bool:
    return os.getuid() == 0


@pytest.mark.parametrize("use_mem", [True, False])
def test_no_process_of_a_submission_holds_an_earlier_submissions_code(use_mem):
    """One template serves three submissions in a row: the first holds a text, the others scan
    their process's memory for it. The first finds its own (the scan works); the later ones
    find nothing: their host was forked from a template that never received the first
    submission's bytes, and the first one's host is gone."""
    if use_mem and not _proc_mem_readable():
        pytest.skip("/proc/self/mem of a non-dumpable process is readable only for a root grader")
    template = SandboxTemplate(limits=FAST)
    try:
        with SubmissionSession([SECRET_CELL, SCANNER], template=template) as first:
            assert first.call("holds", (list(SECRET), use_mem)).value is True
            host = first._host.pid
        for _ in range(2):
            with SubmissionSession([SCANNER], template=template) as later:
                later.start()
                assert not os.path.exists(f"/proc/{host}")     # gone before the next started
                host = later._host.pid
                assert later.call("holds", (list(SECRET), use_mem)).value is False
                later.new_check()
                assert later.call("holds", (list(SECRET), use_mem)).value is False
        assert template.starts == 1 and template.hosts == 3
    finally:
        template.close()


def test_each_submission_gets_its_own_argument_memory():
    template = SandboxTemplate(limits=FAST)
    try:
        inodes = []
        for _ in range(2):
            with SubmissionSession(["def f(x):\n    return float(x.sum())\n"],
                                   template=template) as s:
                assert s.call("f", (np.ones(4),), return_args=True).value == 4.0
                inodes.append(os.fstat(s._args.fd).st_ino)
        assert inodes[0] != inodes[1]
    finally:
        template.close()


# ------------------------------------------------------------------------------ the arguments

#: The worker's report of the arguments replaced by student code (found through the stack):
#: `report` decides what it says.
FORGER = r'''
import sys
import numpy as np

def _forge(make):
    frame = sys._getframe(2)
    while frame is not None:
        me, args = frame.f_locals.get("self"), frame.f_locals.get("args")
        if me is not None and hasattr(me, "report_args") and type(args) is tuple:
            fake = make(args)
            me.report_args = lambda obj, depth=0: fake if obj is args else obj
            return
        frame = frame.f_back

def sgd_in_place(params, grads, lr, forged):
    if forged:   # params as a tuple of untouched copies: a "change" the old grader believed
        _forge(lambda a: (tuple((W.copy(), b.copy()) for W, b in a[0]),) + a[1:])
    for (W, b), (dW, db) in zip(params, grads):
        W -= lr * dW
        b -= lr * db
    return params

def no_restore(f, x, forged):
    if forged:   # x as the next float after the original: within every tolerance
        _forge(lambda a: (a[0], np.nextafter(x.copy(), np.inf)) + a[2:])
    x += 1e-5
    return f(x)

def unknown_memory(x):
    from_worker = sys.modules["_nnkit_wire"].SharedArray
    _forge(lambda a: (from_worker(1 << 30, "<f8", (3,)),))
    return 0

def adam_in_place(state, forged):
    if forged:
        _forge(lambda a: ({"t": state["t"] - 1, "m": list(state["m"])},) + a[1:])
    state["t"] += 1
    state["m"].append(np.zeros(2))
    return state["t"]

def honest(params, state, x):
    return len(params) + state["t"] + float(x.sum())
'''


def _net():
    return [(np.ones((2, 2)), np.zeros(2)), (np.ones((2, 1)), np.zeros(1))]


@pytest.mark.parametrize("forged", [False, True])
def test_a_forged_report_never_hides_an_in_place_change(make_session, forged):
    s = make_session(FORGER)
    params = _net()
    grads = [(np.full_like(W, 0.5), np.full_like(b, 0.5)) for W, b in params]
    if forged:   # the call's list reported as a tuple: no list turns into a tuple
        with pytest.raises(BadAnswer, match="misreported"):
            s.call("sgd_in_place", (params, grads, 0.1, forged), return_args=True)
    else:
        after = s.call("sgd_in_place", (params, grads, 0.1, forged), return_args=True).args_after
        assert np.allclose(after[0][0][0], 0.95)               # read from the shared memory
        with pytest.raises(Fail, match="changed `params` in place"):
            expect_unchanged((params,), after[:1], ("params",))
    assert np.array_equal(params[0][0], np.ones((2, 2)))       # the grader's own copy
    x = np.arange(3.0)
    if forged:   # the call's own tuple still holds x: reporting another value there is forged
        with pytest.raises(BadAnswer, match="misreported"):
            s.call("no_restore", (Callback("f"), x, forged), return_args=True,
                   substitute={"f": lambda v: float(v.sum())})
    else:
        after = s.call("no_restore", (Callback("f"), x, forged), return_args=True,
                       substitute={"f": lambda v: float(v.sum())}).args_after
        assert np.allclose(after[1], np.arange(3.0) + 1e-5)


def test_a_report_naming_memory_never_placed_is_forged(make_session):
    s = make_session(FORGER)
    with pytest.raises(BadAnswer, match="never placed"):
        s.call("unknown_memory", (np.arange(3.0),), return_args=True)


@pytest.mark.parametrize("forged", [False, True])
def test_dicts_and_lists_inside_arguments(make_session, forged):
    """Adam's state changed in place (t counted up, a list grown): reported honestly or forged
    as another value, the grader's answer is "changed" there, never the worker's value."""
    s = make_session(FORGER)
    state = {"t": 3, "m": [np.ones(2)]}
    after = s.call("adam_in_place", (state, forged), return_args=True).args_after[0]
    assert after["t"] is CHANGED
    assert after["m"] is CHANGED if not forged else after["m"] == [CHANGED]
    assert state["t"] == 3 and len(state["m"]) == 1                # the grader's own copy
    with pytest.raises(Fail, match="changed `state` in place"):
        expect_unchanged((state,), (after,), ("state",))


def test_an_honest_report_gives_the_arguments_as_they_were(make_session):
    s = make_session(FORGER)
    params, state, x = _net(), {"t": 2, "m": [np.ones(2)], "name": "adam", "eps": 1e-8}, np.ones(3)
    r = s.call("honest", (params, state, x), return_args=True)
    assert r.value == 2 + 2 + 3.0
    got_params, got_state, got_x = r.args_after
    assert type(got_params) is list and all(type(p) is tuple for p in got_params)
    assert all(np.array_equal(a, b) for p, q in zip(params, got_params) for a, b in zip(p, q))
    assert got_state["t"] == 2 and got_state["name"] == "adam" and got_state["eps"] == 1e-8
    assert np.array_equal(got_state["m"][0], np.ones(2)) and np.array_equal(got_x, x)


# ------------------------------------------------------------------------------ answer frames

#: A forged answer of about 2 MB holding 700k empty lists, written on the answer channel.
FRAME_BOMB = r'''
import json, os, struct, sys

def bomb(n):
    frame = sys._getframe(1)
    while "call_id" not in frame.f_locals:
        frame = frame.f_back
    me, call_id = frame.f_locals["self"], frame.f_locals["call_id"]
    value = "[" + ",".join(["[]"] * n) + "]"
    header = ('{"m":{"kind":"result","id":%s,"type_name":"list","value":%s},"p":[]}'
              % (json.dumps(call_id), value)).encode()
    body = struct.pack("<I", len(header)) + header
    os.write(me.fd_out, b"NKW1" + struct.pack("<Q", len(body)) + body)
    return None

def many(n):
    return [[] for _ in range(n)]
'''


def test_an_answer_frame_of_a_million_values_is_refused_before_parsing(make_session):
    s = make_session(FRAME_BOMB)
    with pytest.raises(BadAnswer, match="more than 100000 values"):
        s.call("bomb", (700_000,))
    # The honest twin: the same values returned by the function itself are refused by the
    # worker's own encoder, with the same limit named.
    with pytest.raises(BadAnswer, match="more than 100000 values"):
        s.call("many", (700_000,))
    assert len(s.call("many", (1000,)).value) == 1000


def test_decoding_an_answer_counts_against_the_submission(make_session, monkeypatch):
    """The grader's time on a call (decoding its frames included) is the call's and the
    submission's CPU time: here decoding is made to cost 0.3 s of the grader's CPU."""
    s = make_session("def f():\n    return [1, 2, 3]\n")
    s.start()
    honest = s.call("f", ())
    slow_decode = wire.Decoder.value

    def burn(self, node, _depth=0):
        if _depth == 0:
            end = time.thread_time() + 0.3
            while time.thread_time() < end:
                pass
        return slow_decode(self, node, _depth)

    monkeypatch.setattr(wire.Decoder, "value", burn)
    before = s.cpu_used
    r = s.call("f", ())
    assert r.value == honest.value == [1, 2, 3]
    assert r.cpu >= 0.3 and s.cpu_used - before >= 0.3 and honest.cpu < 0.3


# ------------------------------------------------------------------------------ waiting

SLEEPER = r'''
import time

def sleep(seconds):
    time.sleep(seconds)
    return seconds

def quick():
    return 1
'''

#: Waiting is bounded by total_idle; the wall-clock backstop is made far larger here, so that
#: the message tells which limit ended the call.
PATIENT = Limits(call_cpu=2.0, load_cpu=10.0, total_idle=1.0, wall_factor=100.0, wall_grace=60.0)


def test_a_sleeping_submission_uses_up_its_waiting_budget(make_session):
    """All its waiting together is bounded; then each call that waits again ends at once, and
    the calls that do not wait keep working."""
    s = make_session(SLEEPER, limits=PATIENT)
    assert s.call("sleep", (0.2,)).value == 0.2
    with pytest.raises(CallTimedOut, match=r"waited \(slept or blocked\) for more than 1 s"):
        s.call("sleep", (100,))
    assert 1.0 <= s.idle_used and s.idle_left == 0
    assert s.call("quick", ()).value == 1
    used = s.idle_used
    with pytest.raises(CallTimedOut, match="once more after the submission had used up its time"):
        s.call("sleep", (100,))
    assert s.idle_used - used < 10 * IDLE_GRACE     # ended at once (a backstop, not a timing)
    assert s.call("quick", ()).value == 1


def test_sleeping_while_loading_fails_the_load(make_session):
    s = make_session(["import time\ntime.sleep(100)\n", SLEEPER], limits=PATIENT)
    report = s.start()
    assert not report.ok and "waited (slept or blocked)" in report.cell_errors[-1]
    assert "cell 1" in report.cell_errors[-1]



def test_waiting_for_a_cpu_on_a_busy_machine_is_not_idle(make_session):
    """The honest twin: 3 × 0.4 s of CPU with three CPU-bound processes on the machine takes
    well over a second of wall time beyond its CPU (on two cores), none of it idle: a waiting
    budget of 0.5 s is not touched."""
    s = make_session(BURNER, limits=Limits(call_cpu=2.0, total_idle=0.5, wall_factor=20.0))
    s.start()
    hogs = busy(3)
    try:
        time.sleep(0.3)
        t0 = time.monotonic()
        assert [s.call("burn", (0.4,)).value for _ in range(3)] == [0.4] * 3
        wall = time.monotonic() - t0
    finally:
        for p in hogs:
            p.kill()
            p.wait()
    assert s.idle_used < 0.5
    print(f"1.2 s of CPU took {wall:.2f} s of wall time; idle {s.idle_used:.3f} s")
