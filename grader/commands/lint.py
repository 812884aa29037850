"""`grader lint [A]`: check source notebooks against the cell-role contract (grader/release/lint.py)."""

from __future__ import annotations

import argparse

HELP = ("Check the source notebook of an assignment (default: every one) against the cell-role "
        "contract and its hidden tests: grade_ids and roles, a reference, a check cell and a "
        "test cell per graded function, test-cell points equal to the sum of its checks. One "
        "line per problem; exit 1 if there is one.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", nargs="?", metavar="ASSIGNMENT",
                        help="an assignment under solutions/ (default: every one)")


def run(args: argparse.Namespace) -> int:
    from grader.paths import course
    from grader.release import lint

    the_course = course()
    names = [the_course.choose(args.assignment)] if args.assignment else the_course.assignment_names()
    failed = 0
    for name in names:
        problems = lint.lint_folder_problems(the_course, name)
        if not problems:
            problems, summary = lint.lint(the_course, name)
        for problem in problems:
            print(f"{name}: {problem}")
        if problems:
            failed += 1
            print(f"{name}: {len(problems)} problem(s)")
        else:
            print(f"{name}: OK ({summary.functions} graded functions, {summary.checks} checks, "
                  f"{summary.points:g} points)")
            for gap in lint.translation_gaps(the_course, name):   # reported, not a contract break
                print(f"{name}: untranslated: {gap}")
    return 1 if failed else 0
