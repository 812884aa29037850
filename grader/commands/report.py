"""`grader report`: the instructor's HTML report of a grading run."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = ("Write DIR/report.html from the results in DIR: score histogram, pass rate per exercise "
        "and test, frequent diagnoses, timeouts and errors, every student's feedback. On a course "
        "folder (`grader collect --out`), write its course page course.html.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", type=Path, metavar="DIR", help="output folder of `grader autograde`, "
                        "or a course folder of `grader collect --out`")
    parser.add_argument("--assignment", help="report on this assignment only (default: the only one)")


def _course_language() -> str:
    """The course's first language (solutions/course.json), English outside a course."""
    from grader.course import course_file
    from grader.errors import UsageError
    from grader.paths import course

    try:
        return course_file.load(course()).languages[0]
    except UsageError:
        return course_file.DEFAULT_LANGUAGE


def run(args: argparse.Namespace) -> int:
    from grader.course import gradebook as course_book
    from grader.report import course_page as course_report
    from grader.report.page import write_report
    from grader.similarity.output import report_section

    if (args.out / course_book.DATA_FILE).is_file():
        page = course_report.write_page(args.out, _course_language())
    else:
        page = write_report(args.out, args.assignment, report_section)
    print(f"report: {page.resolve()}")
    return 0
