"""A test double of the engine's Student interface: student code in a namespace of this process.

Only for trusted code in the kit's own fast tests (the reference, the mutants, the independent
solution): no grading path uses it, since comparisons must never share a process with student
code. It follows the contract exactly like the sandbox does (the contract's normalizer, markers
and failures), and a test checks that both give the same per-check results on the mutant corpus.
"""

from __future__ import annotations

import contextlib
import copy
import io
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograde_tests.student import Answer
from nnkit_contract import graphs
from nnkit_contract.outcomes import Missing, NotImplementedYet, StudentRaised, not_implemented_message
from nnkit_contract.values import Callback, RngSeed, fp_errstate, normalize, type_name


def _where(exc: BaseException) -> str:
    """Where in the student's code the exception came from ("<file>, line N, in f"), as the
    sandbox's worker tells it: the innermost frame of code executed from a notebook cell."""
    where, tb = "", exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.startswith("<") and code.co_name != "<module>":
            where = f"{code.co_filename[1:-1]}, line {tb.tb_lineno}, in {code.co_name}"
        tb = tb.tb_next
    return where


@dataclass
class InProcessStudent:
    """Student code living in `namespace`; `fresh()`, when given, builds a new namespace for each
    check (as the sandbox runs each check in a freshly loaded process)."""

    namespace: dict
    fresh: Callable[[], dict] | None = None
    _saved: dict = field(default_factory=dict)

    def new_check(self) -> None:
        if self.fresh is not None:
            self.namespace = self.fresh()

    def _resolve(self, arg: Any, substitute: Mapping[str, Callable]) -> Any:
        if isinstance(arg, RngSeed):
            return np.random.default_rng(arg.seed)
        if isinstance(arg, Callback):
            return substitute[arg.name]
        return copy.deepcopy(arg)

    def call(self, fn: str, args: tuple, *, substitute: Mapping[str, Callable] | None = None,
             return_args: bool = False, fp_errors: str | None = None,
             timeout: float | None = None) -> Answer:
        substitute = dict(substitute or {})
        target = self.namespace.get(fn)
        if fn == graphs.ENTRY:   # as the worker does: the contract's builder, never the student's
            namespace = self.namespace
            target = lambda *a: graphs.run_graph(namespace, *a)  # noqa: E731
        if not callable(target):
            raise Missing(f"{fn} is not defined")
        real_args = tuple(self._resolve(a, substitute) for a in args)
        saved = {name: self.namespace.get(name) for name in substitute}
        out = io.StringIO()
        try:
            self.namespace.update(substitute)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), \
                    warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with np.errstate(**fp_errstate(fp_errors)):
                    result = target(*real_args)
        except NotImplementedError as exc:
            raise NotImplementedYet(not_implemented_message(fn)) from exc
        except Exception as exc:  # noqa: BLE001 - any student error becomes feedback
            raise StudentRaised(type(exc).__name__, str(exc)[:2000], _where(exc)) from exc
        finally:
            for name, value in saved.items():
                if value is None:
                    self.namespace.pop(name, None)
                else:
                    self.namespace[name] = value
        after = normalize(real_args) if return_args else None
        return Answer(normalize(result), type_name(result), after, out.getvalue()[-2000:])
