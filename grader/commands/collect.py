"""`grader collect`: rebuild grades.csv and the feedback files from a run's JSON results."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.errors import UsageError

HELP = "Rebuild grades.csv and per-student feedback from the JSON results in DIR."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", type=Path, metavar="DIR", help="output folder of a grading run")


def run(args: argparse.Namespace) -> int:
    from grader import results

    if not args.out.is_dir():
        raise UsageError(f"results folder not found: {args.out}")
    rows, csv_path = results.collect(args.out)
    if not rows:
        raise UsageError(f"no result files in {args.out}")
    print(f"{len(rows)} results -> {csv_path}")
    return 0
