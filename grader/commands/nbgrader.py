"""`grader nbgrader`: the real nbgrader round trip on a course directory (grader.nbgrader_course)."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "Run real nbgrader (generate, autograde, export, feedback) on a course directory."
ASSIGNMENT = "nn_from_scratch"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from grader.nbgrader_course import DEFAULT_CELL_TIMEOUT, DEFAULT_COURSE_DIR

    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True,
                                parser_class=type(parser))

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--course", type=Path, default=DEFAULT_COURSE_DIR, metavar="DIR",
                       help=f"nbgrader course directory (default: {DEFAULT_COURSE_DIR})")
        p.add_argument("--assignment", default=ASSIGNMENT, help=f"default: {ASSIGNMENT}")

    p = sub.add_parser("generate", help="generate_assignment from solutions/")
    common(p)
    p.add_argument("--timeout", type=int, default=DEFAULT_CELL_TIMEOUT,
                   help="Execute.timeout written to the course config, seconds per cell")
    p = sub.add_parser("autograde", help="copy SUBMITTED into the course and autograde everyone")
    common(p)
    p.add_argument("submitted", type=Path, metavar="SUBMITTED",
                   help="folder with <student>/<assignment>/*.ipynb")
    p.add_argument("--seed", type=int, help="run seed ($NNKIT_SEED in the kernel); drawn if unset")
    p.add_argument("--timeout", type=int, default=DEFAULT_CELL_TIMEOUT,
                   help=f"Execute.timeout, seconds per cell (default {DEFAULT_CELL_TIMEOUT})")
    p = sub.add_parser("export", help="grades.csv (grader's format) from the gradebook")
    common(p)
    p.add_argument("out_csv", type=Path, metavar="OUT.csv")
    p = sub.add_parser("feedback", help="generate_feedback, hidden test source cleared")
    common(p)
    p.add_argument("--student", action="append", metavar="ID",
                   help="only this student (repeatable; default: everyone autograded)")


def run(args: argparse.Namespace) -> int:
    from grader import nbgrader_course as nc
    from grader.paths import course

    if args.action == "generate":
        release = nc.generate(course(), args.course, args.assignment, args.timeout)
        print(f"{args.assignment}: released by nbgrader -> {release}")
    elif args.action == "autograde":
        def report(o: nc.AutogradeOutcome) -> None:
            state = "ok" if o.success else f"FAILED: {o.error}"
            print(f"  {o.student}: {o.seconds:.1f} s {state}", flush=True)

        seed, outcomes = nc.autograde(course(), args.course, args.assignment, args.submitted,
                                      args.seed, args.timeout, progress=report)
        failed = sum(not o.success for o in outcomes)
        print(f"{len(outcomes)} submissions autograded by nbgrader (seed {seed}, {failed} failed) "
              f"-> {args.course}")
    elif args.action == "export":
        rows, path = nc.export(args.course, args.out_csv, args.assignment)
        print(f"{len(rows)} rows -> {path}")
    else:
        paths = nc.feedback(args.course, args.assignment, args.student)
        print(f"{len(paths)} feedback files in {args.course / 'feedback'}")
    return 0
