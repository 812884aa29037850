"""Diagnoses: the named causes of wrong answers, declared as data next to the checks that show
them, each with the way the grader confirms it.

A diagnosis is a claim the grader has verified, never a guess. It is one of two kinds:

- an **alternative formula** (`alternative`): a wrong implementation of the graded function, with
  its signature (EMA momentum, Adam without bias correction, ...). It is confirmed when the
  student's answers equal the alternative's on every call the check has made (`Trail`), within
  the comparison's tolerance (NaN where it has NaN, the same exception where it raises), and the
  alternative's answer differs from the reference's on at least one of them. When two declared
  alternatives match, the inputs cannot tell them apart and neither is named.
- an **observation** (`alternative=None`): a property of the answer that the check measures itself
  and the message states, no more (an argument that the call changed, a returned step count that
  did not advance, the same call answering twice differently, NumPy reporting an overflow on the
  very call whose answer holds inf, in the student's own line).

A check that recognises nothing names no cause: the message says what differs (which output,
where, by how much). Every diagnosis has a stable id `<function>.<cause>` (or `common.<cause>`):
results, the mutant corpus and a later message catalog key on it; a short `label` for reports;
and a message template whose {placeholders} the check fills with its own values. The students'
check cells name the same diagnoses with the same messages (a `# diagnosis: <id>` comment before
the assertion); tests/test_diagnoses.py runs every check cell against every declared alternative,
so a check cell and the grader never name different causes.

Nothing here is shipped to students: the alternatives are near-copies of the reference.
"""

from __future__ import annotations

import copy
import re
import string
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograde_tests.compare import ATOL, RTOL
from nnkit_contract import i18n

#: Diagnoses shared by every assignment have this scope instead of a function name.
COMMON = "common"
#: A label's catalog id is its diagnosis's message id with this suffix
#: (`nn_from_scratch:train.no-update.label`, `common.fp-error.label`).
LABEL_SUFFIX = ".label"


@dataclass(frozen=True)
class Diagnosis:
    """A named cause. `alternative`: the wrong formula that confirms it (a function with the graded
    function's signature, or a factory `ref -> function` when `needs_ref`), or a tuple of such
    formulas that are the same mistake written two ways (any one confirms it); None for an
    observed diagnosis. `local`: the function's check cell names it too (tests hold the cell to
    it)."""

    id: str
    label: str
    message: str
    alternative: Callable | tuple[Callable, ...] | None = None
    needs_ref: bool = False
    local: bool = True
    #: The assignment that declared it (COMMON for the shared ones), set by `declare`: ids are
    #: unique within an assignment, so the message catalog keys on both (`message_id`).
    assignment: str = field(default="", compare=False)

    @property
    def message_id(self) -> str:
        """The key of its message in the catalogs (nnkit_contract/i18n.py): the id of a common
        diagnosis, `<assignment>:<id>` for an assignment's own (two assignments may declare the
        same id with different texts)."""
        return self.id if self.assignment in ("", COMMON) else f"{self.assignment}:{self.id}"

    @property
    def label_id(self) -> str:
        """The key of its label in the catalogs: its message id + LABEL_SUFFIX."""
        return self.message_id + LABEL_SUFFIX

    def render_label(self, lang: str = i18n.DEFAULT_LANGUAGE, /) -> str:
        """The label in language `lang` (its own text in English)."""
        return i18n.template(self.label_id, lang, self.label)

    @property
    def function(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def placeholders(self) -> list[str]:
        return [name for _, name, _, _ in string.Formatter().parse(self.message) if name]

    def render(self, lang: str = i18n.DEFAULT_LANGUAGE, /, **values: Any) -> str:
        """The message in language `lang` with its placeholders filled (every placeholder must be
        given): its own template in English, the message catalog's in any other language, keyed
        by the diagnosis's id (nnkit_contract/i18n.py, docs/translating.md)."""
        missing = sorted(set(self.placeholders) - set(values))
        if missing:
            raise KeyError(f"diagnosis {self.id}: no value for {', '.join(missing)}")
        return i18n.template(self.message_id, lang, self.message).format(**values)

    def pattern(self) -> re.Pattern:
        """A regular expression that matches every rendering of the message (placeholders match
        any text): how a test recognises the diagnosis in a check cell's assertion message."""
        parts = []
        for literal, name, _, _ in string.Formatter().parse(" ".join(self.message.split())):
            parts.append(re.escape(literal))
            if name:
                parts.append(r".+?")
        return re.compile("".join(parts), re.S)

    def implementations(self, ref: Any = None) -> list[Callable]:
        """The alternative formulas as callables (built from the reference when they need it)."""
        if self.alternative is None:
            raise ValueError(f"diagnosis {self.id} is observed, it has no alternative formula")
        formulas = self.alternative if isinstance(self.alternative, tuple) else (self.alternative,)
        return [f(ref) if self.needs_ref else f for f in formulas]


#: assignment -> diagnosis id -> Diagnosis; COMMON holds the shared ones.
_DECLARED: dict[str, dict[str, Diagnosis]] = {}


def _assignment_of_caller(depth: int = 2) -> str:
    module = sys._getframe(depth).f_globals["__name__"]
    parts = module.split(".")
    if len(parts) >= 3 and parts[0] == "autograde_tests" and parts[2] == "specs":
        return parts[1]
    if module == __name__:
        return COMMON
    raise ValueError(f"diagnoses are declared in spec modules, not in {module}")


def declare(*diagnoses: Diagnosis) -> dict[str, Diagnosis]:
    """Register diagnoses (in a spec module: for its assignment); returns them by their cause,
    the part of the id after the function: `MOMENTUM["ema"]`."""
    assignment = _assignment_of_caller()
    table = _DECLARED.setdefault(assignment, {})
    for d in diagnoses:
        if d.id in table:
            raise ValueError(f"diagnosis {d.id} declared twice")
        if "." not in d.id or " " in d.id:
            raise ValueError(f"diagnosis id {d.id!r} is not <function>.<cause>")
        # Frozen for everyone else; its assignment is known only here, where it is declared.
        object.__setattr__(d, "assignment", assignment)
        table[d.id] = d
    return {d.id.split(".", 1)[1]: d for d in diagnoses}


def declared(assignment: str) -> dict[str, Diagnosis]:
    """Every diagnosis the hidden tests of `assignment` may show: its own and the common ones."""
    from autograde_tests import engine

    engine.all_checks(assignment)   # imports the spec modules, which declare their diagnoses
    return {**_DECLARED.get(COMMON, {}), **_DECLARED.get(assignment, {})}


def label_in(label: str | None, diagnosis_id: str | None, assignment: str,
             lang: str = i18n.DEFAULT_LANGUAGE) -> str | None:
    """The label a result stored (`TestResult.diagnosis`, in English) in language `lang`, found by
    the result's diagnosis id in its assignment (the assignment's own before a common one, as
    `message_id` keys them). The stored text as it is in English, and when the catalog has no
    label of that id with that English (a cause that is no declared diagnosis, such as the
    NumPy-version note of grader.grading.numpy_version, or a label changed since the run)."""
    if lang == i18n.DEFAULT_LANGUAGE or not label or not diagnosis_id:
        return label
    catalog = i18n.catalog()
    for key in (f"{assignment}:{diagnosis_id}", diagnosis_id):
        entry = catalog.get(key + LABEL_SUFFIX)
        if entry is not None and entry.get(i18n.DEFAULT_LANGUAGE) == label:
            return entry.get(lang) or label
    return label


def recognise(message: str, candidates: Iterable[Diagnosis]) -> list[Diagnosis]:
    """The diagnoses whose message template matches `message` as a whole."""
    text = " ".join(message.split())
    return [d for d in candidates if d.pattern().fullmatch(text)]


# ---------------------------------------------------------------------------------------------
# Confirming alternatives
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Raised:
    """The outcome of a call that raised: its exception type and message. Two are the same outcome
    when the types match and the messages do, one possibly ending the other after ": " (a
    function of the grader standing in for a student's, under the sandbox, reports the error it
    met after saying so)."""

    exc_type: str
    message: str

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Raised) or self.exc_type != other.exc_type:
            return False
        a, b = sorted((self.message, other.message), key=len)
        return a == b or (bool(a) and b.endswith(": " + a))

    def __hash__(self) -> int:
        return hash(self.exc_type)


def same(a: Any, b: Any, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Two answers agree: arrays of the same shape, close entry by entry with NaN where the other
    has NaN and the same infinities; numbers close; containers of the same kind and length with
    agreeing entries; the same exception."""
    if isinstance(a, Raised) or isinstance(b, Raised):
        return isinstance(a, Raised) and isinstance(b, Raised) and a == b
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        try:
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        except (TypeError, ValueError):
            return False
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b or a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return bool(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True))
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y, rtol, atol) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], rtol, atol) for k in a)
    try:
        return bool(a == b)
    except Exception:   # an answer whose == raises is no match
        return False


def outcome(function: Callable, args: tuple) -> Any:
    """What `function(*args)` returns on copies of the arguments (so the caller's stay as they
    are), or `Raised` when it raises; NumPy's floating-point warnings are silenced."""
    args = copy.deepcopy(args)
    try:
        with np.errstate(all="ignore"):
            return function(*args)
    except Exception as exc:  # noqa: BLE001 - a wrong formula may raise, like the student's code
        return Raised(type(exc).__name__, str(exc))


def confirm(candidates: Iterable[Diagnosis], cases: Sequence[tuple[tuple, Any, Any]], *,
            ref: Any = None, part: Callable[[Any], Any] | None = None, rtol: float = RTOL,
            atol: float = ATOL) -> Diagnosis | None:
    """The one alternative among `candidates` that the student's answers confirm, or None.

    `cases` are the calls a check made so far, (args, the student's answer, the reference's),
    the last one the call that failed (an answer may be `Raised`); `part` picks what is compared
    from an answer (default: all of it). An alternative is confirmed when its answer agrees with the
    student's on every case and differs from the reference's on at least one: so the more inputs a
    check has tried, the more alternatives its evidence rules out. When more than one is confirmed
    (the inputs cannot tell them apart) none is named."""
    def pick(answer: Any) -> Any:
        if part is None or isinstance(answer, Raised):
            return answer
        try:
            return part(answer)
        except Exception:   # an answer of another structure than the part expects
            return Raised("structure", "")

    def confirms(implementation: Callable) -> bool:
        differs = False
        for args, got, expected in cases:
            alt = pick(outcome(implementation, args))
            if not same(pick(got), alt, rtol, atol):
                return False
            differs = differs or not same(alt, pick(expected), rtol, atol)
        return differs

    found = [d for d in candidates if d.alternative is not None
             and any(confirms(f) for f in d.implementations(ref))]
    return found[0] if len(found) == 1 else None


class Trail:
    """The calls one check makes of the function under test, for its diagnoses.

    `diagnose(args, got, expected, **values)` records a call and, when the answers so far confirm
    one of `candidates` (see `confirm`), fails with its message (`values` fill the placeholders).
    A check calls it for every answer before comparing that answer with the reference."""

    def __init__(self, candidates: Iterable[Diagnosis], *, ref: Any = None,
                 part: Callable[[Any], Any] | None = None, rtol: float = RTOL, atol: float = ATOL):
        self.candidates = list(candidates)
        self.options = {"ref": ref, "part": part, "rtol": rtol, "atol": atol}
        self.cases: list[tuple[tuple, Any, Any]] = []

    def diagnose(self, args: tuple, got: Any, expected: Any, /, **values: Any) -> None:
        from autograde_tests.compare import Fail

        self.cases.append((args, got, expected))
        part = self.options["part"] or (lambda answer: answer)
        try:
            agrees = not isinstance(got, Raised) and same(part(got), part(expected),
                                                           self.options["rtol"], self.options["atol"])
        except Exception:   # an answer of another structure than the part expects
            agrees = False
        if agrees:   # a check stops at its first wrong answer: all before this one were right
            return
        d = confirm(self.candidates, self.cases, **self.options)
        if d is not None:
            raise Fail.of(d, **values)


# ---------------------------------------------------------------------------------------------
# Diagnoses every assignment shares (all observed)
# ---------------------------------------------------------------------------------------------

SHARED = declare(
    Diagnosis("common.input-changed", "input changed in place",
              "{function} changed `{argument}` in place: {hint}"),
    Diagnosis("common.hidden-state", "state kept outside the arguments",
              "{function} answered the same call (the same arguments) differently the second "
              "time: it keeps state outside its arguments (a global variable, a mutable default "
              "argument); everything it needs must come in through its arguments and go out "
              "through its return value"),
    Diagnosis("common.fp-error", "floating-point error (overflow, NaN)",
              "{name} holds {count} inf/NaN value(s) where the expected values are finite, and "
              "NumPy reported '{event}' on this call ({where})"),
    # The training checks' verdicts (observed on the trained network).
    Diagnosis("common.low-accuracy", "training does not learn",
              "{case}: test accuracy {accuracy} is below {threshold} after training with the "
              "recorded hyperparameters (seed {seed})", local=False),
    Diagnosis("common.loss-not-reduced", "training does not learn",
              "the training loss went from {before} at initialization to {after}: the loop does "
              "not reduce the loss", local=False),
    Diagnosis("common.no-better-than-frequencies", "training does not learn",
              "the training loss of the returned parameters is {after}, no better than predicting "
              "the class frequencies ({floor}): the network did not learn these training data",
              local=False),
    # The tie of the end-to-end checks to the student's own functions (probes.expect_own_functions):
    # observed on the first step of the student's train against their own functions' gradient.
    Diagnosis("common.not-own-step", "first step is not your functions' step",
              "{case}: the first step of your train is not the step of your own functions: "
              "{detail}", local=False),
)
