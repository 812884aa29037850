"""`grader gradescope`: the Gradescope autograder of an assignment (build), and the grading of
one submission inside Gradescope's container (run, called by the zip's run_autograder)."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.errors import UsageError
from grader.paths import course

HELP = "Build a Gradescope autograder zip for an assignment, or grade one submission inside it."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    build = sub.add_parser("build", help="write OUT/autograder.zip for Gradescope",
                           description="Write OUT/autograder.zip: setup.sh, run_autograder, the kit "
                                       "and the assignment, graded with one run seed.")
    build.add_argument("--assignment", help="assignment name (default: the only one)")
    build.add_argument("--out", type=Path, required=True, help="folder for autograder.zip")
    build.add_argument("--seed", type=int, default=None,
                       help="run seed of every submission it grades (default: drawn and printed)")
    build.add_argument("--wheel", type=Path, default=None,
                       help="the kit's wheel to install on Gradescope (default: built from this "
                            "kit's checkout)")
    build.add_argument("--lang", metavar="LANG", default=None,
                       help="the language of the release it grades against (one of "
                            "solutions/course.json `languages`; default its first)")
    run = sub.add_parser("run", help="grade $AUTOGRADER_ROOT/submission and write "
                                     "results/results.json (what run_autograder calls)")
    run.add_argument("--root", type=Path, default=None,
                     help="the autograder's folder (default: $AUTOGRADER_ROOT, else /autograder)")


def run(args: argparse.Namespace) -> int:
    from grader import gradescope

    if args.action == "build":
        from grader.grading.run_seed import new_seed

        the_course = course()
        name = the_course.choose(args.assignment)
        seed = new_seed() if args.seed is None else args.seed
        built = gradescope.build(the_course, name, args.out.resolve(), seed, args.wheel, args.lang)
        print(f"wrote {built.zip} ({name}{f' in {args.lang}' if args.lang else ''}, run seed "
              f"{seed}, kit {built.wheel})")
        print("upload it as the assignment's autograder on Gradescope (docs/gradescope.md)")
        return 0
    if args.action == "run":
        gradescope.run(gradescope.autograder_root(args.root).resolve())
        return 0
    raise UsageError("grader gradescope: say build or run (see 'grader gradescope --help')")
