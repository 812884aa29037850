"""Scores of pairs of submissions from their fingerprints, and the lines they share.

Every submission is fingerprinted once; the shared fingerprints of all pairs come from one sparse
product (submissions x fingerprints), so the cost per pair is a few operations.

The score of a pair is the share of the fingerprints of the *smaller* of the two that the other
one has too: a copier who adds dead code or extra cells still shares nearly all of the original,
and the original shares it all. A submission with little code of its own (fewer than
MIN_FINGERPRINTS fingerprints after the instructor's code is removed) counts as if it had
MIN_FINGERPRINTS, so that one short line two students wrote alike is not a score of 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from grader.similarity.fingerprint import Fingerprint

#: See the module docstring: about three lines of code of one's own.
MIN_FINGERPRINTS = 20


def _matrix(prints: list[Fingerprint], vocabulary: np.ndarray) -> sparse.csr_matrix:
    rows = np.repeat(np.arange(len(prints)), [len(p.hashes) for p in prints])
    hashes = np.concatenate([p.hashes for p in prints]) if prints else np.zeros(0, np.int64)
    cols = np.searchsorted(vocabulary, hashes)
    data = np.ones(len(hashes), dtype=np.float32)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(prints), len(vocabulary)))


def shared_counts(left: list[Fingerprint], right: list[Fingerprint]) -> np.ndarray:
    """How many fingerprints each submission of `left` shares with each of `right`, (L, R)."""
    vocabulary = np.unique(np.concatenate([p.hashes for p in [*left, *right]] or
                                          [np.zeros(0, np.int64)]))
    product = _matrix(left, vocabulary) @ _matrix(right, vocabulary).T
    return np.asarray(product.todense(), dtype=np.int64)


def scores(shared: np.ndarray, sizes_left: np.ndarray, sizes_right: np.ndarray) -> np.ndarray:
    """The pair scores in [0, 1] (module docstring) from `shared` (L, R) and the number of
    fingerprints of each side, (L,) and (R,)."""
    smaller = np.minimum.outer(sizes_left, sizes_right)
    return np.clip(shared / np.maximum(smaller, MIN_FINGERPRINTS), 0.0, 1.0)


@dataclass(frozen=True)
class Region:
    """Lines of one submission that the other one has too: indexes into Fingerprint.lines."""

    first: int
    last: int


def shared_lines(mine: Fingerprint, other: Fingerprint) -> list[Region]:
    """The lines of `mine` covered by a fingerprint that `other` has too, merged into regions."""
    common = np.intersect1d(mine.hashes, other.hashes, assume_unique=True)
    hit = np.isin(mine.occ_hashes, common)
    covered = np.zeros(len(mine.lines) + 1, dtype=bool)
    for first, last in zip(mine.occ_first[hit], mine.occ_last[hit]):
        covered[first:last + 1] = True
    regions, start = [], None
    for line, on in enumerate(covered):
        if on and start is None:
            start = line
        elif not on and start is not None:
            regions.append(Region(start, line - 1))
            start = None
    return regions
