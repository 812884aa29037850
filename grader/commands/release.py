"""`grader release`: regenerate the student release assignments/<a>/ from solutions/<a>/."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from grader.errors import UsageError
from grader.paths import course, writable
from grader.release.leaks import find_leaks

HELP = ("Regenerate the student release assignments/<assignment>/ from solutions/<assignment>/ "
        "with nbgrader (needs the 'instructor' extra).")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                        help="assignment folder names under solutions/ (default: all of them)")


def run(args: argparse.Namespace) -> int:
    from grader.course import course_file
    from grader.release import build as release
    from grader.release import doc_tables, example_class, lint

    the_course = writable(course(), "grader release")
    names = args.assignments or the_course.assignment_names()
    for name in names:  # check every name before writing anything
        release.check_assignment(the_course, name)
    settings = course_file.load(the_course)
    for name in names:  # a notebook that breaks the cell-role contract is never released
        problems = lint.lint_folder_problems(the_course, name) or lint.lint(the_course, name)[0]
        for problem in problems:
            sys.stderr.write(f"grader: {name}: {problem}\n")
        if problems:
            raise UsageError(f"{name} breaks the cell-role contract ({len(problems)} problem(s) "
                             "above, as `grader lint` lists them): fix solutions/ and release again")
    release.require_nbgrader()  # a missing nbgrader is one clear line, before any work
    for name in names:
        try:
            files = release.expected_release_files(the_course, name)
        except release.ReleaseError as exc:
            if exc.log:
                sys.stderr.write(exc.log.rstrip("\n") + "\n")
            raise
        revealed = settings.assignment(name).reveals
        others = [the_course.solutions / o for o in the_course.assignment_names()
                  if o != name and o not in revealed]
        with tempfile.TemporaryDirectory(prefix="nnkit-staged-") as tmp:
            staged = Path(tmp) / name   # checked before anything reaches assignments/
            release.sync_folder(files, staged)
            leaks = find_leaks(staged, the_course.solutions / name,
                               [the_course.autograde_tests, the_course.root / "grader"],
                               public_files=[the_course.datasets / "__init__.py"],
                               other_sources=others)
        for leak in leaks:
            sys.stderr.write(f"grader: leak in the release of {name}: {leak}\n")
        if leaks:
            raise UsageError(f"the release of {name} would contain {len(leaks)} thing(s) students "
                             f"must not see (listed above); nothing was written to assignments/{name}: "
                             "fix solutions/ and release again")
        report = release.sync_folder(files, the_course.assignments / name)
        print(report.line(name), flush=True)
    for name in names:  # the example classes follow the release
        if name in example_class.classes(the_course):
            print(example_class.regenerate(the_course, name).line(f"examples/{name}"), flush=True)
    stale = doc_tables.update(the_course)  # and so do the tables of the docs
    if stale:
        print(f"docs: {', '.join(stale)} rewritten", flush=True)
    return 0
