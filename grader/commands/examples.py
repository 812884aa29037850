"""`grader examples`: rebuild the example class examples/submitted/ from its variants."""

from __future__ import annotations

import argparse

from grader.paths import course

HELP = ("Rebuild the example class examples/submitted/ from examples/variants/ and the current "
        "release (`grader release` does this too).")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when examples/submitted/ is out of date")


def run(args: argparse.Namespace) -> int:
    from grader import example_class
    from grader.release import read_tree

    the_course = course()
    files = example_class.submission_files(the_course)
    folder = example_class.examples_dir(the_course) / example_class.SUBMITTED_DIR
    if args.check:
        if read_tree(folder) != files:
            print(f"{folder} is out of date: run `grader examples` (or `grader release`)")
            return 1
        print(f"{folder} is up to date ({len(files)} submissions)")
        return 0
    print(example_class.regenerate(the_course).line("examples"))
    return 0
