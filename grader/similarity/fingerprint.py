"""Fingerprints of code: the token stream of a submission cut into overlapping k-grams, hashed,
and thinned by winnowing, with the instructor's k-grams removed.

The tokenizing and its normalization (every variable, attribute and function name becomes one
letter, strings another; comments and whitespace go) and the winnowing are the `copydetect`
library's (`filter_code`, `winnow`), with its default thresholds. Two things are written here:
- the k-gram hash: copydetect hashes with Python's `hash()`, which is salted per process, so its
  scores would change from one run to the next; here a polynomial hash over the code points
  (NumPy, wrapping at 64 bits) gives the same fingerprints in every run and every worker;
- the bookkeeping from a fingerprint back to the lines of the student's cells, for the report.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from copydetect.utils import filter_code, winnow

from grader.similarity.normalize import rewrite_products

#: Length of a k-gram in characters of the filtered token stream (copydetect's noise threshold:
#: shorter matches are never reported).
K = 25
#: Winnowing window (copydetect's default guarantee threshold 30 = K + WINDOW - 1: any match of
#: at least 30 filtered characters is found).
WINDOW = 6
_BASE = np.uint64(1_000_003)


def filtered(source: str) -> tuple[str, np.ndarray]:
    """The filtered token stream of Python `source` (products rewritten first) and, per
    character of it, the line of `source` it comes from (from 0).

    Returns: (text of length F, lines of shape (F,), int32)."""
    code = rewrite_products(source)
    text, offsets = filter_code(code, "cell.py", "python")
    positions = np.arange(len(text))
    if len(offsets):   # copydetect's map: characters removed before each filtered character
        rows = np.clip(np.searchsorted(offsets[:, 0], positions), 0, len(offsets) - 1)
        positions = positions + offsets[rows, 1]
    starts = np.cumsum([0] + [len(line) for line in code.splitlines(keepends=True)])
    lines = np.searchsorted(starts, positions, side="right") - 1
    return text, lines.astype(np.int32)


def kgram_hashes(text: str, k: int = K) -> np.ndarray:
    """The hash of every k-gram of `text`, shape (max(len(text) - k + 1, 0),), int64; the same in
    every process."""
    if len(text) < k:
        return np.zeros(0, dtype=np.int64)
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(points) - k + 1
    hashes = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            hashes = hashes * _BASE + points[j:j + n]
        hashes ^= hashes >> np.uint64(29)   # mix the high bits down: winnowing takes minima
        hashes *= np.uint64(0xBF58476D1CE4E5B9)
        hashes ^= hashes >> np.uint64(32)
    return hashes.view(np.int64)


def pieces(source: str) -> list[tuple[int, str]]:
    """`source` cut into (first line from 0, text): one piece per top-level function or class,
    and one per run of other statements between them. K-grams never span two pieces, so
    functions that are reordered, or moved into other cells, give the same fingerprints. Code
    that does not parse is one piece."""
    try:
        body = ast.parse(source).body
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return [(0, source)]
    lines = source.splitlines(keepends=True)
    starts, previous_def = [], True
    for node in body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        is_def = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        if is_def or previous_def:
            starts.append(first)
        previous_def = is_def
    if not starts:
        return [(0, source)]
    starts[0] = 0
    ends = starts[1:] + [len(lines)]
    return [(a, "".join(lines[a:b])) for a, b in zip(starts, ends)]


def boilerplate(sources: Iterable[str]) -> np.ndarray:
    """Every k-gram hash of the instructor's code, sorted and unique (none is thinned out, so a
    student's k-gram that the instructor also wrote is always recognised)."""
    parts = [kgram_hashes(filtered(text)[0]) for s in sources for _, text in pieces(s)]
    return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


@dataclass
class Fingerprint:
    """The fingerprints of one submission.

    hashes: the winnowed hashes the student wrote (boilerplate removed), sorted and unique, (H,);
    occ_hashes / occ_first / occ_last: per occurrence of a kept hash, its hash and the first and
    last line it covers (lines of `lines`, from 0), shape (O,) each;
    lines: the student's code as displayed, one (cell label, text) per line;
    size: how many filtered characters the student's code has (0: nothing of their own).
    """

    hashes: np.ndarray
    occ_hashes: np.ndarray
    occ_first: np.ndarray
    occ_last: np.ndarray
    lines: list[tuple[str, str]]
    size: int


def fingerprint(cells: list[tuple[str, str]], boiler: np.ndarray) -> Fingerprint:
    """Fingerprint the code of one submission: `cells` as (label, source), `boiler` from
    `boilerplate`."""
    hash_parts, line_maps, shown, size = [], [], [], 0
    for label, source in cells:
        for first, piece in pieces(source):
            # k-grams never span two pieces (nor cells): the instructor's are cut the same way
            text, lines = filtered(piece)
            hashes = kgram_hashes(text)
            hash_parts.append(hashes)
            line_maps.append(np.stack([lines[:len(hashes)], lines[K - 1:K - 1 + len(hashes)]])
                             + len(shown) + first)
            size += len(text)
        shown += [(label, line) for line in source.splitlines()] or [(label, "")]
    hashes = np.concatenate(hash_parts) if hash_parts else np.zeros(0, dtype=np.int64)
    if len(hashes) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Fingerprint(empty, empty, empty.astype(np.int32), empty.astype(np.int32), shown, size)
    spans = np.concatenate(line_maps, axis=1)
    selected, where = winnow(hashes, WINDOW, remove_duplicates=False)
    mine = ~np.isin(selected, boiler)
    selected, where = selected[mine], where[mine]
    return Fingerprint(np.unique(selected), selected, spans[0, where], spans[1, where], shown, size)
