"""`grader autograde`: grade a class's submissions in the sandbox, in parallel."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

from grader.errors import UsageError
from grader.grading.limits import TOTAL_BUDGET_FACTOR, grading_limits
from grader.paths import course

HELP = ("Grade SUBMISSIONS/<student>/<assignment>/<notebook>.ipynb with the hidden tests, each "
        "submission sandboxed; write JSON results, grades.csv and feedback.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS",
                        help="folder with one subfolder per student (nbgrader layout)")
    parser.add_argument("--assignment", help="assignment name (default: the only one)")
    parser.add_argument("--out", type=Path, default=Path("grading-output"),
                        help="output folder (default: grading-output)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="submissions graded at once (default: number of cores)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="CPU seconds per call of a student function (default: 10); a whole "
                             f"submission gets {TOTAL_BUDGET_FACTOR}x that, at least 300 s of CPU, "
                             f"and {grading_limits().total_idle:g} s for all its waiting (sleeping, "
                             "blocking); time spent waiting "
                             "for a CPU does not count, so a busy machine does not change grades")
    parser.add_argument("--seed", type=int, default=None,
                        help="run seed for the random test inputs (default: drawn and recorded)")
    parser.add_argument("--resume", action="store_true",
                        help="keep complete results in --out and grade only the rest")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--similarity", action="store_true",
                        help="also compare every pair of submissions (`grader similarity`): "
                             "similarity.csv/.html in the output folder, a section in report.html")
    parser.add_argument("--lang", default=None, metavar="LANG",
                        help="language of the feedback, report.html and course page (default: "
                             "the first of `languages` in solutions/course.json, else en); grades "
                             "are the same in every language")
    parser.add_argument("--dask", metavar="ADDRESS", default=None,
                        help="grade on the workers of this running dask scheduler (e.g. "
                             "tcp://10.0.0.5:8786) instead of local processes (docs/cluster.md)")


def _only_assignment_in(submissions: Path, the_course) -> str | None:
    """The one assignment of the course that the student folders hold, when there is exactly one
    (so a class folder of one assignment needs no --assignment); None otherwise."""
    names = set(the_course.assignment_names())
    try:
        held = {entry.name for student in submissions.iterdir() if student.is_dir()
                and not student.is_symlink() for entry in student.iterdir() if entry.name in names}
    except OSError:
        return None
    return held.pop() if len(held) == 1 else None


def feedback_language(the_course, asked: str | None) -> str:
    """The language of a run's feedback: `asked` (--lang), else the course's first language; one
    clear error for a language the kit has no catalog for."""
    from grader.course import course_file

    if asked is None:
        return course_file.load(the_course).languages[0]
    known = course_file.available_languages()
    if asked not in known:
        raise UsageError(f"--lang {asked}: no catalog for this language (the kit has: "
                         f"{', '.join(known)}; docs/translating.md adds one)")
    return asked


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from autograde_tests import engine
    from grader import sandbox
    from grader.grading import answers, autograde, results, texts
    from grader.release.student_readme import stated_call_limits

    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    the_course = course()
    lang = feedback_language(the_course, args.lang)
    if not args.submissions.is_dir():  # the folder first: it is what the command is about
        raise UsageError(f"submissions folder not found: {args.submissions}")
    name = the_course.choose(args.assignment or _only_assignment_in(args.submissions, the_course))
    engine.all_checks(name)      # hidden tests the kit lacks are one clear error, before grading
    assignment = autograde.course_assignment(the_course, name)
    assignment.load_reference()  # a broken reference is one clear error, before any grading
    stub = answers.course_text_stub(args.submissions.resolve().parent)
    if stub:   # the class of an nbgrader course (COURSE/submitted) with a stub of its own
        assignment = replace(assignment, answer_stubs=(stub,))
    found = autograde.discover(args.submissions, assignment)
    if sandbox.isolation_mode() != "bubblewrap" and not args.dask:
        warnings.warn("bubblewrap is not available: student code runs with resource limits only "
                      "(no filesystem or network isolation)", stacklevel=1)
    limits = grading_limits(args.timeout)
    out = args.out.resolve()
    client = None
    if args.dask:   # before anything is written: an unreachable cluster is one clear error
        from grader import cluster

        client = cluster.connect(args.dask)
    where = {"dask": args.dask} if args.dask else {"jobs": args.jobs}
    where[texts.RUN_KEY] = lang
    seed = autograde.prepare_run(out, name, args.seed, args.resume,
                                 {**where, "call_cpu": limits.call_cpu, "total_cpu": limits.total_cpu})
    settings = autograde.Settings(out, assignment, seed, limits)
    progress = not args.no_progress and sys.stderr.isatty()
    if client is not None:
        print(f"grading {len(found.tasks)} submissions of {name} (seed {seed}, dask scheduler "
              f"{args.dask}, {len(client.nthreads())} worker{'s' * (len(client.nthreads()) != 1)})", flush=True)
        seen: dict = {}
        try:
            rows = [autograde.summary_row(r) for r in cluster.run(
                found.tasks, settings, client, args.resume, progress=progress, seen=seen)]
        finally:
            client.close()
        found.notes += cluster.isolation_notes(seen)
    else:
        print(f"grading {len(found.tasks)} submissions of {name} (seed {seed}, {args.jobs} jobs, "
              f"{sandbox.isolation_mode()})", flush=True)
        rows = [autograde.summary_row(r) for r in autograde.run(
            found.tasks, settings, args.jobs, args.resume, progress=progress)]
    _, csv_path = results.collect(out)
    print(autograde.summary_table(rows))
    for line in found.notes:
        print(f"note: {line}")
    print(f"results: {csv_path} (feedback and JSON per student in {out})")
    if args.similarity:
        from grader.commands.similarity import compare_class

        compare_class(the_course, name, args.submissions, out, None, jobs=args.jobs)
    stated = stated_call_limits((the_course.assignments / name / "README.md").read_text(
        encoding="utf-8")) if (the_course.assignments / name / "README.md").is_file() else []
    if stated and limits.call_cpu not in stated:
        print(f"note: graded with {limits.call_cpu:g} s of CPU per call, but the release of {name} "
              f"tells students {stated[0]:g} s")
    return 0
