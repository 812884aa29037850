"""`grader report`: the instructor's HTML report of a grading run."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = ("Write DIR/report.html from the results in DIR: score histogram, pass rate per exercise "
        "and test, frequent diagnoses, timeouts and errors, every student's feedback.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", type=Path, metavar="DIR", help="output folder of `grader autograde`")
    parser.add_argument("--assignment", help="report on this assignment only (default: the only one)")


def run(args: argparse.Namespace) -> int:
    from grader.report import write_report

    page = write_report(args.out, args.assignment)
    print(f"report: {page.resolve()}")
    return 0
