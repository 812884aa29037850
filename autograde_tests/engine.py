"""The spec registries and the runner that turns checks into scored results.

Every assignment has its own registry: a spec module (autograde_tests/<assignment>/specs/*.py)
declares its checks with `@check(...)`: a stable id, the graded function (= nbgrader grade cell),
the points, and a one-line description. A check gets
a `Context` and either returns (pass) or raises `Fail` (fail, with message and diagnosis); a
`CallFailed` from the student call (nnkit_contract) becomes its `kind` as the status.
The assignment's total is the sum of the registered points.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import pkgutil
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from types import SimpleNamespace

import numpy as np

from autograde_tests.compare import Fail
from autograde_tests.messages import Text, message
from autograde_tests.student import Student
from nnkit_contract.outcomes import (
    BadAnswer,
    CallFailed,
    CallTimedOut,
    Crashed,
    OutOfMemory,
    Status,
    not_implemented_message,
)


@dataclass(frozen=True)
class Check:
    id: str
    function: str
    points: float
    description: str
    run: Callable[[Context], None]


@dataclass
class Context:
    """What a check works with: the student, the reference, a seeded generator and the seed.
    `note(text)` adds a remark to the feedback that never changes the points (a passed check
    shows its notes as its message)."""

    student: Student
    ref: SimpleNamespace
    rng: np.random.Generator
    seed: int
    notes: list[Text | str] = field(default_factory=list)

    def note(self, text: Text | str) -> None:
        if text not in self.notes:
            self.notes.append(text)


@dataclass
class TestResult:
    id: str
    function: str
    points: float
    max_points: float
    status: str  # one of nnkit_contract.CHECK_STATUSES
    message: str = ""   # a failure's message; for a passed check, its notes (or "")
    diagnosis: str | None = None       # the confirmed cause's label (autograde_tests.diagnosis)
    duration: float = 0.0
    diagnosis_id: str | None = None    # ... and its id
    #: The message by id and values, for rendering it in another language (`message_in`):
    #: {"id", "values"} of a failure's message (absent when it has none) and "notes", its notes';
    #: None when the message is empty or has no id.
    text: dict | None = None

    def to_json(self) -> dict:
        return asdict(self)


#: One registry per assignment: its checks by id, and its functions' own CPU time limits.
_REGISTRY: dict[str, dict[str, Check]] = {}
#: CPU seconds a call of a graded function may use, where a spec sets its own (the grading
#: default applies to every other function); students read these in the release's README.
_TIME_LIMITS: dict[str, dict[str, float]] = {}
#: Where the hidden tests of an assignment live: autograde_tests/<assignment>/specs/.
PACKAGE = "autograde_tests"


def assignment_of(module: str) -> str:
    """The assignment a spec module belongs to: "autograde_tests.<assignment>.specs.p1" -> name."""
    parts = module.split(".")
    if len(parts) < 3 or parts[0] != PACKAGE or parts[2] != "specs":
        raise ValueError(f"{module} is not a spec module (autograde_tests/<assignment>/specs/)")
    return parts[1]


def time_limit(function: str, seconds: float) -> float:
    """Declare, in a spec module, the CPU time a call of `function` may use; returns `seconds`."""
    caller = sys._getframe(1).f_globals["__name__"]
    _TIME_LIMITS.setdefault(assignment_of(caller), {})[function] = float(seconds)
    return float(seconds)


def time_limits(assignment: str) -> dict[str, float]:
    """Every function's own CPU time limit, as the assignment's specs declare them."""
    _import_specs(assignment)
    return dict(_TIME_LIMITS.get(assignment, {}))


def check(id: str, *, function: str, points: float, description: str):
    """Register a check function `run(ctx)` with the registry of its spec module's assignment;
    its points are declared here, next to the test."""

    def register(run: Callable[[Context], None]) -> Callable[[Context], None]:
        registry = _REGISTRY.setdefault(assignment_of(run.__module__), {})
        if id in registry:
            raise ValueError(f"duplicate check id {id}")
        registry[id] = Check(id, function, points, description, run)
        return run

    return register


def assignments() -> list[str]:
    """Every assignment that has hidden tests (a package autograde_tests/<name>/specs/)."""
    root = importlib.import_module(PACKAGE)
    return sorted(info.name for info in pkgutil.iter_modules(root.__path__) if info.ispkg
                  and importlib.util.find_spec(f"{PACKAGE}.{info.name}.specs") is not None)


@functools.cache
def _import_specs(assignment: str) -> None:
    try:
        specs = importlib.import_module(f"{PACKAGE}.{assignment}.specs")
    except ModuleNotFoundError as exc:
        if exc.name in (f"{PACKAGE}.{assignment}", f"{PACKAGE}.{assignment}.specs"):
            raise UnknownAssignment(f"no hidden tests for {assignment!r}: "
                                    f"{PACKAGE}/{assignment}/specs/ does not exist") from None
        raise
    for info in sorted(pkgutil.iter_modules(specs.__path__), key=lambda m: m.name):
        importlib.import_module(f"{PACKAGE}.{assignment}.specs.{info.name}")


class UnknownAssignment(LookupError):
    """An assignment without hidden tests."""


def all_checks(assignment: str) -> list[Check]:
    """Every check of `assignment`, in spec-module then declaration order (whatever the import
    order)."""
    _import_specs(assignment)
    registry = _REGISTRY.get(assignment, {})
    position = {cid: i for i, cid in enumerate(registry)}
    return sorted(registry.values(), key=lambda c: (c.run.__module__, position[c.id]))


def functions(assignment: str) -> list[str]:
    """The graded functions in order, each once."""
    return list(dict.fromkeys(c.function for c in all_checks(assignment)))


def total_points(assignment: str) -> float:
    """The assignment's total: the sum of every check's points."""
    return float(sum(c.points for c in all_checks(assignment)))


def points_by_function(assignment: str) -> dict[str, float]:
    totals: dict[str, float] = {}
    for c in all_checks(assignment):
        totals[c.function] = totals.get(c.function, 0) + c.points
    return totals


def check_seed(run_seed: int, check_id: str) -> int:
    """Seed of one check: depends only on the run seed and the check id (not on order or jobs)."""
    digest = hashlib.sha256(f"{run_seed}:{check_id}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def run_check(c: Check, student: Student, run_seed: int, ref: SimpleNamespace) -> TestResult:
    """Run one check and score it: full points when it passes, zero otherwise.

    Whatever goes wrong inside a check costs that check only: an answer the comparisons cannot
    handle (an int with 3000 digits, say) makes the check `bad_answer`, never the submission.
    """
    seed = check_seed(run_seed, c.id)
    ctx = Context(student, ref, np.random.default_rng(seed), seed)
    start = time.perf_counter()
    status, message, diagnosis, diagnosis_id = Status.PASSED, "", None, None
    text = None
    try:
        student.new_check()
        with np.errstate(all="ignore"):
            c.run(ctx)
        message = "\n".join(str(NOTE(note=note)) for note in ctx.notes)
        text = _text_record(None, ctx.notes)
    except Fail as exc:
        status, message = Status.FAILED, exc.message
        diagnosis, diagnosis_id = exc.diagnosis, exc.diagnosis_id
        message += "".join(f"\n  {NOTE(note=note)}" for note in ctx.notes)
        text = _text_record(exc.text, ctx.notes) if exc.text is not None else None
    except CallFailed as exc:
        status, message = exc.kind, exc.feedback
        if type(exc).prefix and type(exc).kind.value in CALL_FAILED:
            # The kit's words before the sandbox's own message (which stays as it is).
            failed = CALL_FAILED[type(exc).kind.value](detail=exc.message)
            if str(failed) == message:
                text = _text_record(failed, [])
        if exc.kind is Status.NOT_IMPLEMENTED:
            stub = NOT_IMPLEMENTED(function=c.function)
            message, text = str(stub), _text_record(stub, [])
    except (ArithmeticError, ValueError, TypeError, IndexError, KeyError, RecursionError,
            MemoryError) as exc:
        status = Status.BAD_ANSWER
        unusable = BAD_ANSWER(error=type(exc).__name__, detail=str(exc)[:200])
        message, text = str(unusable), _text_record(unusable, [])
    status = Status(status).value
    points = c.points if status == Status.PASSED.value else 0.0
    return TestResult(c.id, c.function, points, c.points, status, message, diagnosis,
                      round(time.perf_counter() - start, 4), diagnosis_id, text)


#: The engine's own messages (docs/translating.md).
NOTE = message("engine.note", "note: {note}")
#: A call that gave no answer, by its status: the contract's prefix before the sandbox's message.
CALL_FAILED = {cls.kind.value: message(f"engine.call-{cls.kind.value}", cls.prefix + "{detail}")
               for cls in (CallTimedOut, OutOfMemory, Crashed, BadAnswer)}
#: The contract's own words (check.py says them too).
NOT_IMPLEMENTED = message("engine.not-implemented", not_implemented_message("{function}"))
BAD_ANSWER = message("engine.bad-answer", "your answer could not be checked ({error}: {detail}); "
                     "return the types the docstring asks for")


def _text_record(text: Text | None, notes: list[Text | str]) -> dict | None:
    """What a TestResult keeps of its message for other languages (None: nothing to render;
    a note without an id is kept as its text)."""
    record: dict = text.to_json() if text is not None else {}
    if notes:
        record["notes"] = [n.to_json() if isinstance(n, Text) else n for n in notes]
    return record or None


def message_in(t: dict, lang: str) -> str:
    """The message of a result's test `t` (TestResult.to_json()) in `lang`: built from its text
    record as run_check builds the English; its stored message when it has no record (a
    sandbox's failure, an older result) or names an id the catalog lacks."""
    record = t.get("text")
    if not record:
        return t.get("message", "")
    try:
        def note(n: dict | str) -> str:
            return NOTE(note=Text.from_json(n) if isinstance(n, dict) else n).render(lang)

        notes = [note(n) for n in record.get("notes", [])]
        if "id" not in record:
            return "\n".join(notes)
        return Text.from_json(record).render(lang) + "".join(f"\n  {n}" for n in notes)
    except (KeyError, IndexError, ValueError, TypeError):
        return t.get("message", "")


def run_checks(student: Student, run_seed: int, ref: SimpleNamespace,
               only: Iterable[str] | None = None) -> list[TestResult]:
    """Run every check of the reference's assignment (or the checks of the functions in `only`)
    against one student."""
    wanted = set(only) if only is not None else None
    return [run_check(c, student, run_seed, ref) for c in all_checks(ref.assignment)
            if wanted is None or c.function in wanted]
