"""Run seeds: the one place a new one is drawn.

Every hidden input of a run follows from its seed (engine.check_seed). A student can always see
some hidden inputs (a function may return or raise what it was given), and the grader's code is
not secret, so the seed must be too large to find from a leaked input: 63 bits from the
operating system, against 31 before (about ten core-hours to search)."""

from __future__ import annotations

import secrets

SEED_BITS = 63


def new_seed() -> int:
    return secrets.randbits(SEED_BITS)
