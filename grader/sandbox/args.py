"""Arguments that are not plain data: the worker builds them on its side of the sandbox."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RngSeed:
    """Reaches the student function as `np.random.default_rng(seed)`."""

    seed: int


@dataclass(frozen=True)
class Callback:
    """Reaches the student function as a callable; each call runs `substitute[name]` in the grader."""

    name: str
