"""`grader examples`: rebuild the example classes examples/<assignment>/submitted/ from their
variants."""

from __future__ import annotations

import argparse

from grader.paths import course, writable

HELP = ("Rebuild the example classes examples/<assignment>/submitted/ from their variants and the "
        "current release (`grader release` does this too).")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--assignment", help="only this assignment's example class")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a class's submitted/ is out of date")


def run(args: argparse.Namespace) -> int:
    from grader.release import example_class
    from grader.release.build import read_tree

    the_course = course() if args.check else writable(course(), "grader examples")
    names = example_class.chosen_classes(the_course, args.assignment)
    stale = 0
    for name in names:
        files = example_class.submission_files(the_course, name)
        folder = example_class.examples_dir(the_course, name) / example_class.SUBMITTED_DIR
        if args.check:
            if read_tree(folder) != files:
                print(f"{folder} is out of date: run `grader examples` (or `grader release`)")
                stale += 1
            else:
                print(f"{folder} is up to date ({len(files)} submissions)")
        else:
            print(example_class.regenerate(the_course, name).line(f"examples/{name}"))
    return 1 if stale else 0
