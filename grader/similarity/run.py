"""A similarity run: find the submissions of a class (and of past classes), fingerprint each once,
in parallel, and score every pair.

Submissions are found by the rule of every grading path (grader.grading.autograde.discover and
grader.grading.submission.locate_notebook): SUBMISSIONS/<student>/<assignment>/<released notebook name>.
A submission that cannot be read (not a notebook, junk, too large, missing) is left out with one
line saying why; nothing a submission holds stops the run. Student code is only read, never run.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader.grading.submission import InvalidSubmission, ReleaseCells
from grader.similarity import compare, extract
from grader.similarity.fingerprint import Fingerprint, boilerplate, fingerprint

#: Submissions fingerprinted per task sent to a worker process.
CHUNK = 16


@dataclass
class Entry:
    """One submission in the comparison: `who` is the student id, prefixed with the past class's
    folder name for earlier terms ("2024-fall/ana"); `past` tells them apart. `problem` (one line)
    when it could not be compared; `notes` on what was left out of it."""

    who: str
    past: bool = False
    print: Fingerprint | None = None
    problem: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class Pair:
    a: int      # index into Result.entries (always one of the class)
    b: int      # index into Result.entries (of the class, or of a past class)
    score: float
    shared: int  # fingerprints in common


@dataclass
class Result:
    assignment: str
    entries: list[Entry]
    pairs: list[Pair]     # every pair with a score above 0, best first
    scores: np.ndarray    # the score of every pair compared (zeros too), for the histogram
    threshold: float
    past_classes: list[str] = field(default_factory=list)

    def flagged(self) -> list[Pair]:
        return [p for p in self.pairs if p.score >= self.threshold]


def find_submissions(folder: Path, assignment: str, notebook_name: str) -> list[tuple[str, Path | None, str]]:
    """(student, notebook or None, problem) per student folder of `folder` (autograde's rule)."""
    from grader.grading.autograde import discover

    @dataclass
    class _Named:  # what discover needs of an assignment
        name: str
        notebook_name: str

    found = discover(folder, _Named(assignment, notebook_name))
    return [(t.student, t.notebook, t.note) for t in found.tasks]


# ------------------------------------------------------------------ fingerprinting, in workers

_WORKER: dict = {}


def _init(release: ReleaseCells, boiler: np.ndarray) -> None:
    _WORKER["release"], _WORKER["boiler"] = release, boiler


def _one(student: str, notebook: Path | None, problem: str) -> tuple[Fingerprint | None, str, list[str]]:
    if notebook is None:
        return None, problem or "no notebook submitted", []
    if problem:
        return None, problem, []
    try:
        code = extract.student_code(student, notebook, _WORKER["release"])
        return fingerprint(code.cells, _WORKER["boiler"]), "", code.notes
    except InvalidSubmission as exc:
        return None, str(exc), []
    except (RecursionError, MemoryError):
        return None, "its code is nested too deeply or too large to compare", []
    except Exception as exc:  # noqa: BLE001 - one odd notebook never stops the others
        return None, f"could not be compared ({type(exc).__name__}: {str(exc)[:120]})", []


def _chunk(items: list[tuple[str, Path | None, str]]) -> list[tuple[Fingerprint | None, str, list[str]]]:
    return [_one(*item) for item in items]


def _fingerprint_all(items, release: ReleaseCells, boiler: np.ndarray, jobs: int) -> list:
    chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
    if jobs <= 1 or len(chunks) <= 1:
        _init(release, boiler)
        return [out for chunk in chunks for out in _chunk(chunk)]
    done: list = []
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init,
                             initargs=(release, boiler)) as pool:
        futures = [pool.submit(_chunk, chunk) for chunk in chunks]
        for chunk, future in zip(chunks, futures):
            try:
                done += future.result()
            except BrokenProcessPool:
                done += [(None, "the process comparing it failed", [])] * len(chunk)
    return done


# ------------------------------------------------------------------ the run

def run(submissions: Path, assignment: str, release_notebook: Path, source_notebook: Path,
        threshold: float, past: Path | None = None, jobs: int | None = None) -> Result:
    """Compare every pair of submissions of the class in `submissions` (and each of them with
    every submission of the past classes in `past`, one subfolder per class)."""
    jobs = jobs or os.cpu_count() or 1
    release = extract.release_cells(release_notebook)
    boiler = boilerplate(extract.instructor_code(release_notebook, source_notebook))
    items = find_submissions(submissions, assignment, release_notebook.name)
    entries = [Entry(student) for student, _, _ in items]
    past_classes = []
    if past is not None:
        for term in sorted(p for p in past.iterdir() if p.is_dir() and not p.name.startswith(".")):
            if term.resolve() == submissions.resolve():
                continue
            found = find_submissions(term, assignment, release_notebook.name)
            if found:
                past_classes.append(term.name)
            items += found
            entries += [Entry(f"{term.name}/{student}", past=True) for student, _, _ in found]
    for entry, (fp, problem, notes) in zip(entries, _fingerprint_all(items, release, boiler, jobs)):
        entry.print, entry.problem, entry.notes = fp, problem, notes
    return _score(assignment, entries, threshold, past_classes)


def _score(assignment: str, entries: list[Entry], threshold: float, past_classes: list[str]) -> Result:
    now = [i for i, e in enumerate(entries) if not e.past and e.print is not None]
    before = [i for i, e in enumerate(entries) if e.past and e.print is not None]
    pairs: list[Pair] = []
    all_scores = []
    for others, same in ((now, True), (before, False)):
        if not now or not others:
            continue
        left, right = [entries[i].print for i in now], [entries[i].print for i in others]
        shared = compare.shared_counts(left, right)
        sizes = (np.array([len(p.hashes) for p in left]), np.array([len(p.hashes) for p in right]))
        score = compare.scores(shared, *sizes)
        rows, cols = np.triu_indices(len(now), k=1) if same else \
            np.indices(score.shape).reshape(2, -1)
        all_scores.append(score[rows, cols])
        keep = score[rows, cols] > 0
        pairs += [Pair(now[r], others[c], float(score[r, c]), int(shared[r, c]))
                  for r, c in zip(rows[keep], cols[keep])]
    pairs.sort(key=lambda p: (-p.score, -p.shared, entries[p.a].who, entries[p.b].who))
    return Result(assignment, entries, pairs,
                  np.concatenate(all_scores) if all_scores else np.zeros(0), threshold, past_classes)
