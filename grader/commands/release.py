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
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 naming every generated file (assignments/, the "
                             "example classes, the doc tables) that differs from what `grader "
                             "release` would write now, and the source to edit or command to run")


def run(args: argparse.Namespace) -> int:
    if args.check:
        return check(args)
    from grader.course import course_file
    from grader.release import build as release
    from grader.release import catalogs, doc_tables, example_class, lint

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
    written = catalogs.update(the_course.root)  # and the message catalogs (docs/translating.md)
    if written:
        print(f"catalogs: {', '.join(written)} rewritten", flush=True)
    return 0


def check(args: argparse.Namespace) -> int:
    """`grader release --check`: the generated files against their sources, in seconds (nbgrader
    builds each release in a temporary folder); one line per stale file, then what to run."""
    from grader.release import build as release
    from grader.release import catalogs, doc_tables, example_class, lint

    the_course = course()
    names = args.assignments or the_course.assignment_names()
    for name in names:
        release.check_assignment(the_course, name)
    release.require_nbgrader()
    stale: list[str] = []
    for name in names:
        problems = lint.lint_folder_problems(the_course, name) or lint.lint(the_course, name)[0]
        for problem in problems:
            print(f"{name}: {problem}")
        if problems:
            stale.append(f"solutions/{name}")
            continue
        want = release.expected_release_files(the_course, name)
        have = release.read_tree(the_course.assignments / name)
        for rel in sorted(set(want) | set(have)):
            if want.get(rel) != have.get(rel):
                what = ("missing" if rel not in have else "not in the release any more"
                        if rel not in want else "out of date")
                print(f"assignments/{name}/{rel}: {what} (made from {_made_from(name, rel)})")
                stale.append(f"assignments/{name}/{rel}")
        if name in example_class.classes(the_course):
            folder = example_class.examples_dir(the_course, name) / example_class.SUBMITTED_DIR
            if release.read_tree(folder) != example_class.submission_files(the_course, name):
                print(f"{folder.relative_to(the_course.root)}: out of date (made from the release "
                      f"and examples/{name}/variants/)")
                stale.append(str(folder))
    for rel in doc_tables.update(the_course, check=True):
        print(f"{rel}: generated tables are out of date (made from the hidden tests and corpora)")
        stale.append(rel)
    for rel in catalogs.update(the_course.root, check=True):
        print(f"{rel}: out of date (made from the declared messages and nnkit_contract/locale/*.po)")
        stale.append(rel)
    if stale:
        print(f"{len(stale)} generated file(s) are stale: run `make release` (or `grader release`) "
              "and commit them; a line naming solutions/ is a notebook to fix first (`grader lint`)")
        return 1
    print(f"the release of {', '.join(names)}, the example classes, the doc tables and the "
          "message catalogs are up to date")
    return 0


def _made_from(name: str, rel: str) -> str:
    """The sources a released file is made from: where the edit that made it stale was."""
    if rel == "check.py":
        return (f"the check cells of solutions/{name}/, grader/release/student_check.py and "
                "nnkit_contract/")
    if rel in ("README.md", "requirements.txt"):
        return "grader/templates/student-README.md, grader/release/student_readme.py, pyproject.toml"
    if rel == "toy2d.py" or rel.startswith("data/"):
        return "datasets/"
    return f"solutions/{name}/"
