"""The spec registry and the runner that turns checks into scored results.

A spec module (autograde_tests/specs/*.py) declares its checks with `@check(...)`: a stable id,
the graded function (= nbgrader grade cell), the points, and a one-line description. A check gets
a `Context` and either returns (pass) or raises `Fail` (fail, with message and diagnosis); a
`CallFailed` from the student call (autograde_tests.contract) becomes its `kind` as the status.
The assignment's total is the sum of the registered points.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import pkgutil
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from types import SimpleNamespace

import numpy as np

from autograde_tests.compare import Fail
from autograde_tests.contract import CallFailed, Status
from autograde_tests.student import Student


@dataclass(frozen=True)
class Check:
    id: str
    function: str
    points: float
    description: str
    run: Callable[[Context], None]


@dataclass
class Context:
    """What a check works with: the student, the reference, a seeded generator and the seed."""

    student: Student
    ref: SimpleNamespace
    rng: np.random.Generator
    seed: int


@dataclass
class TestResult:
    id: str
    function: str
    points: float
    max_points: float
    status: str  # one of autograde_tests.contract.CHECK_STATUSES
    message: str = ""
    diagnosis: str | None = None
    duration: float = 0.0

    def to_json(self) -> dict:
        return asdict(self)


_REGISTRY: dict[str, Check] = {}
#: CPU seconds a call of a graded function may use, where a spec sets its own (the grading
#: default applies to every other function); students read these in the release's README.
_TIME_LIMITS: dict[str, float] = {}


def time_limit(function: str, seconds: float) -> float:
    """Declare the CPU time a call of `function` may use; returns `seconds` (for the spec's use)."""
    _TIME_LIMITS[function] = float(seconds)
    return float(seconds)


def time_limits() -> dict[str, float]:
    """Every function's own CPU time limit, as the specs declare them."""
    _import_specs()
    return dict(_TIME_LIMITS)


def check(id: str, *, function: str, points: float, description: str):
    """Register a check function `run(ctx)`; its points are declared here, next to the test."""

    def register(run: Callable[[Context], None]) -> Callable[[Context], None]:
        if id in _REGISTRY:
            raise ValueError(f"duplicate check id {id}")
        _REGISTRY[id] = Check(id, function, points, description, run)
        return run

    return register


@functools.cache
def _import_specs() -> None:
    from autograde_tests import specs

    for info in sorted(pkgutil.iter_modules(specs.__path__), key=lambda m: m.name):
        importlib.import_module(f"autograde_tests.specs.{info.name}")


def all_checks() -> list[Check]:
    """Every registered check, in spec-module then declaration order (whatever the import order)."""
    _import_specs()
    position = {cid: i for i, cid in enumerate(_REGISTRY)}
    return sorted(_REGISTRY.values(), key=lambda c: (c.run.__module__, position[c.id]))


def functions() -> list[str]:
    """The graded functions in order, each once."""
    return list(dict.fromkeys(c.function for c in all_checks()))


def total_points() -> float:
    """The assignment's total: the sum of every check's points."""
    return float(sum(c.points for c in all_checks()))


def points_by_function() -> dict[str, float]:
    totals: dict[str, float] = {}
    for c in all_checks():
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
    status, message, diagnosis = Status.PASSED, "", None
    try:
        student.new_check()
        with np.errstate(all="ignore"):
            c.run(ctx)
    except Fail as exc:
        status, message, diagnosis = Status.FAILED, exc.message, exc.diagnosis
    except CallFailed as exc:
        status, message = exc.kind, exc.feedback
        if exc.kind is Status.NOT_IMPLEMENTED:
            message = f"`{c.function}` is not implemented yet"
    except (ArithmeticError, ValueError, TypeError, IndexError, KeyError, RecursionError,
            MemoryError) as exc:
        status = Status.BAD_ANSWER
        message = (f"your answer could not be checked ({type(exc).__name__}: "
                   f"{str(exc)[:200]}); return the types the docstring asks for")
    status = Status(status).value
    points = c.points if status == Status.PASSED.value else 0.0
    return TestResult(c.id, c.function, points, c.points, status, message, diagnosis,
                      round(time.perf_counter() - start, 4))


def run_checks(student: Student, run_seed: int, ref: SimpleNamespace,
               only: Iterable[str] | None = None) -> list[TestResult]:
    """Run every check (or the checks of the functions in `only`) against one student."""
    wanted = set(only) if only is not None else None
    return [run_check(c, student, run_seed, ref) for c in all_checks()
            if wanted is None or c.function in wanted]
