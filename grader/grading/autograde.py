"""A grading run over a class: discovery, parallel grading, resume, summary.

Submissions use nbgrader's layout, SUBMISSIONS/<student_id>/<assignment>/<notebook>.ipynb. Each
submission is graded in a pool process (trusted grader code) that drives one sandboxed worker
(student code) and writes the result file itself, atomically, so a result is never lost even if
the run is killed: `--resume` then grades only what has no complete result yet, with the same seed.
"""

from __future__ import annotations

import json
import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from grader import sandbox
from grader.errors import UsageError
from grader.grading import results
from grader.grading.grade import Assignment, base_result, grade_notebook, ungraded
from grader.grading.limits import cap_grading_process
from grader.grading.run_seed import new_seed
from grader.grading.submission import locate_notebook
from grader.paths import Course


@dataclass(frozen=True)
class Task:
    student: str
    notebook: Path | None  # None: the student has no notebook for this assignment
    note: str = ""


@dataclass
class Discovery:
    tasks: list[Task] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def course_assignment(course: Course, name: str) -> Assignment:
    """The assignment `name` of the kit's checkout: the release in assignments/<name>/ and the
    reference in solutions/<name>/."""
    release_dir = course.assignments / name
    if not release_dir.is_dir():
        raise UsageError(f"no release of {name} in {course.assignments}: run `grader release`")
    return Assignment.from_folders(release_dir, course.solution_notebook(name))


def discover(submissions: Path, assignment: Assignment) -> Discovery:
    """Find one task per student folder; report everything else that is there."""
    if not submissions.is_dir():
        raise UsageError(f"submissions folder not found: {submissions}")
    found = Discovery()
    for entry in sorted(submissions.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink() or not entry.is_dir():
            found.notes.append(f"{entry.name}: not a student folder, ignored")
            continue
        if not results.usable_id(entry.name):
            found.tasks.append(Task(entry.name, None, f"the student id {entry.name!r} is not usable "
                                    "(letters, digits and _.@+- only, at most 128, starting with "
                                    "a letter or digit): rename the folder and grade it again"))
            found.notes.append(f"{entry.name!r}: unusable student id, graded as invalid (see its row)")
            continue
        folder = entry / assignment.name
        if folder.is_symlink():
            found.tasks.append(Task(entry.name, folder, "the assignment folder is a symbolic link"))
            continue
        for other in sorted(entry.iterdir()):
            if other.name != assignment.name and not other.name.startswith("."):
                found.notes.append(f"{entry.name}/{other.name}: not part of {assignment.name}, ignored")
        if not folder.is_dir():
            found.tasks.append(Task(entry.name, None))
            continue
        # The one rule of every path (nbgrader's too): the notebook under its released name.
        located = locate_notebook(folder, assignment.notebook_name)
        found.notes += [f"{entry.name}/{assignment.name}/{name}: ignored" for name in located.ignored]
        if located.problem:
            found.notes.append(f"{entry.name}: not graded: {located.problem}")
        found.tasks.append(Task(entry.name, located.path, located.problem))
    return found


@dataclass(frozen=True)
class Settings:
    out: Path
    assignment: Assignment
    seed: int
    limits: sandbox.Limits
    strict: bool | None = None


def grade(task: Task, settings: Settings) -> dict:
    """Grade one task and return its result: the one function that grades a submission on every
    path of `grader autograde` (a --jobs pool process, a dask worker: grader.cluster) and on
    Gradescope (grader.gradescope). Writes nothing."""
    if task.note:
        return ungraded(_base(task, settings), "invalid", task.note)
    return grade_notebook(task.notebook, task.student, settings.assignment, settings.seed,
                          settings.limits, settings.strict)


def grade_task(task: Task, settings: Settings) -> dict:
    """Grade one task and write its JSON and feedback (runs in a pool process)."""
    return record(grade(task, settings), settings)


def _base(task: Task, settings: Settings) -> dict:
    return base_result(task.student, settings.assignment.name, settings.seed)


def record(result: dict, settings: Settings) -> dict:
    """Write a submission's result (atomically) and its feedback; return the result."""
    results.write_json_atomic(results.result_path(settings.out, result["student"],
                                                  settings.assignment.name), result)
    results.write_feedback(settings.out, result)
    return result


def _warm_up(assignment: Assignment) -> None:
    """Put the pool process under the grading memory ceiling, then load the reference and the
    specs once, before the first submission."""
    from autograde_tests import engine

    cap_grading_process()
    engine.all_checks(assignment.name)
    assignment.load_reference()


def prepare_run(out: Path, assignment: str, seed: int | None, resume: bool, settings: dict) -> int:
    """Create the output folder and run.json; return the run seed (a resumed run keeps its own)."""
    run_file = out / results.RUN_FILE
    if resume and run_file.exists():
        recorded = json.loads(run_file.read_text())
        if recorded.get("assignment") != assignment:
            raise UsageError(f"{out} holds a run of {recorded.get('assignment')}, not {assignment}")
        if seed is not None and seed != recorded["seed"]:
            raise UsageError(f"--resume: {out} was graded with seed {recorded['seed']}, not {seed}")
        seed = int(recorded["seed"])
    else:
        seed = new_seed() if seed is None else seed
        out.mkdir(parents=True, exist_ok=True)
        results.write_json_atomic(run_file, results.run_record(assignment, seed, "grader autograde",
                                                               **settings))
    results.remove_leftovers(out, assignment)   # half-written result files of a killed run
    return seed


def resumed(tasks: list[Task], settings: Settings, resume: bool, todo: list[Task]) -> Iterator[dict]:
    """Yield the complete results of this run's seed already in the output folder (on resume);
    append every other task to `todo`."""
    for task in tasks:
        existing = results.read_result(results.result_path(settings.out, task.student,
                                                           settings.assignment.name))
        if resume and existing is not None and existing.get("seed") == settings.seed:
            yield existing
        else:
            todo.append(task)


def progress_bar(total: int, progress: bool):
    """The progress bar of a run (None when there is nothing to show)."""
    if not (progress and total):
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="sub", desc="grading", dynamic_ncols=True, leave=False)


#: Tasks handed to the pool at a time, per job: enough to keep every job busy, few enough that
#: the parent holds no class-sized queue of futures and results.
IN_FLIGHT_PER_JOB = 2


def run(tasks: list[Task], settings: Settings, jobs: int, resume: bool,
        progress: bool = True) -> Iterator[dict]:
    """Grade every task (skipping complete results on resume); yield each result as it is done."""
    todo: list[Task] = []
    yield from resumed(tasks, settings, resume, todo)
    bar = progress_bar(len(todo), progress)
    attempts: dict[str, int] = {}
    try:
        while todo:
            queue = deque(todo)
            retry: list[Task] = []
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=ctx,
                                     initializer=_warm_up, initargs=(settings.assignment,)) as pool:
                # Only a few tasks are handed to the pool at a time, and a finished future is
                # dropped at once: the parent's memory stays flat whatever the class size.
                pending: dict[Future, Task] = {}
                broken = False
                while queue or pending:
                    while queue and not broken and len(pending) < IN_FLIGHT_PER_JOB * max(1, jobs):
                        task = queue.popleft()
                        pending[pool.submit(grade_task, task, settings)] = task
                    if not pending:
                        break
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        task = pending.pop(future)
                        try:
                            result = future.result()
                        except BrokenProcessPool:
                            broken = True
                            attempts[task.student] = attempts.get(task.student, 0) + 1
                            if attempts[task.student] < 2:
                                retry.append(task)
                                continue
                            result = grader_failure(task, settings, "the grading process died twice")
                        except Exception as exc:  # noqa: BLE001 - one submission never stops the rest
                            result = grader_failure(task, settings, f"{type(exc).__name__}: {exc}")
                        if bar:
                            bar.update()
                        yield result
            todo = retry + list(queue)  # after a broken pool: its victims, then the rest
    finally:
        if bar:
            bar.close()


def grader_failure(task: Task, settings: Settings, reason: str) -> dict:
    """Record a submission whose grading itself failed, so that no result is ever missing."""
    return record(ungraded(_base(task, settings), "error", f"grading failed: {reason}"), settings)


def summary_row(r: dict) -> dict:
    """What the end-of-run table needs of a result (a few hundred bytes, kept for every student
    instead of the whole result)."""
    return {"student": r["student"], "status": r["status"], "score": r["score"],
            "reason": r.get("reason") or "", "lost": [t["id"] for t in r["tests"] if t["status"] != "passed"]}


def summary_table(rows: list[dict]) -> str:
    """The end-of-run table (rows made by summary_row): one line per submission, then totals by
    status."""
    width = max([len("student")] + [len(r["student"]) for r in rows])
    lines = [f"{'student':<{width}}  {'status':<8}  {'score':>7}  note",
             f"{'-' * width}  {'-' * 8}  {'-' * 7}  ----"]
    for r in sorted(rows, key=lambda r: r["student"]):
        lost = r["lost"]
        note = r["reason"] or (f"{len(lost)} lost: " + ", ".join(lost[:3])
                               + (" ..." if len(lost) > 3 else "") if lost else "")
        lines.append(f"{r['student']:<{width}}  {r['status']:<8}  {r['score']:>7g}  {note[:70]}")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    graded = [r["score"] for r in rows if r["status"] == "graded"]
    mean = f", mean score {sum(graded) / len(graded):.1f}" if graded else ""
    lines.append(f"{len(rows)} submissions: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
                 + mean)
    return "\n".join(lines)
