"""`grader collect`: rebuild grades.csv and the feedback files from a run's JSON results,
optionally merged with the rows of an nbgrader gradebook."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.errors import UsageError

HELP = "Rebuild grades.csv and per-student feedback from the JSON results in DIR."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", type=Path, metavar="DIR", help="output folder of a grading run")
    parser.add_argument("--gradebook", type=Path, metavar="PATH",
                        help="nbgrader gradebook.db: add its students that DIR has no result for "
                             "(the grader's own result wins; a 'source' column tells them apart)")
    parser.add_argument("--assignment", help="only this assignment from the gradebook")


def run(args: argparse.Namespace) -> int:
    from grader import results

    if not args.out.is_dir():
        raise UsageError(f"results folder not found: {args.out}")
    extra = None
    if args.gradebook is not None:
        from grader.nbgrader_course import gradebook_results

        extra = gradebook_results(args.gradebook, args.assignment)
    count, csv_path = results.collect(args.out, extra)
    if not count:
        raise UsageError(f"no result files in {args.out}")
    print(f"{count} results -> {csv_path}")
    return 0
