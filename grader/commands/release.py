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
    # The message catalogs first (docs/translating.md): a release in another language takes its
    # check-cell messages from them.
    written = catalogs.update(the_course.root)
    if written:
        print(f"catalogs: {', '.join(written)} rewritten", flush=True)
    for name in names:
        for lang in settings.languages:   # the default first: assignments/<a>/, then <lang>/<a>/
            _release_one(the_course, settings, name, lang)
    _drop_undeclared_languages(the_course, settings.languages)
    for name in names:  # the example classes follow the release
        if name in example_class.classes(the_course):
            print(example_class.regenerate(the_course, name).line(f"examples/{name}"), flush=True)
    stale = doc_tables.update(the_course)  # and so do the tables of the docs
    if stale:
        print(f"docs: {', '.join(stale)} rewritten", flush=True)
    return 0


def _release_one(the_course, settings, name: str, lang: str) -> None:
    """Build the release of `name` in `lang`, check it for leaks, write it to its folder."""
    from grader.release import build as release

    dest = release.release_folder(the_course, name, lang, settings.languages)
    label = dest.relative_to(the_course.assignments).as_posix()
    try:
        files = release.expected_release_files(the_course, name, lang)
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
        sys.stderr.write(f"grader: leak in the release of {label}: {leak}\n")
    if leaks:
        raise UsageError(f"the release of {label} would contain {len(leaks)} thing(s) students "
                         f"must not see (listed above); nothing was written to assignments/{label}: "
                         "fix solutions/ and release again")
    report = release.sync_folder(files, dest)
    print(report.line(label), flush=True)


def _drop_undeclared_languages(the_course, languages: tuple[str, ...]) -> None:
    """Remove assignments/<lang>/ of a language the course no longer declares (only folders named
    like a language the kit has a catalog for: nothing else of assignments/ is touched)."""
    import shutil

    from grader.course.course_file import available_languages

    for lang in available_languages():
        folder = the_course.assignments / lang
        if lang not in languages[1:] and folder.is_dir() and lang not in \
                the_course.assignment_names():
            shutil.rmtree(folder)
            print(f"assignments/{lang}/: removed (not a language of solutions/course.json)",
                  flush=True)


def check(args: argparse.Namespace) -> int:
    """`grader release --check`: the generated files against their sources, in seconds (nbgrader
    builds each release in a temporary folder); one line per stale file, then what to run."""
    from grader.course import course_file
    from grader.course.course_file import available_languages
    from grader.release import build as release
    from grader.release import catalogs, doc_tables, example_class, lint

    the_course = course()
    names = args.assignments or the_course.assignment_names()
    for name in names:
        release.check_assignment(the_course, name)
    release.require_nbgrader()
    settings = course_file.load(the_course)
    stale: list[str] = []
    for lang in available_languages():   # a release of a language the course does not declare
        folder = the_course.assignments / lang
        if lang not in settings.languages[1:] and folder.is_dir() and \
                lang not in the_course.assignment_names():
            print(f"assignments/{lang}/: not a language of solutions/course.json any more")
            stale.append(f"assignments/{lang}")
    for name in names:
        problems = lint.lint_folder_problems(the_course, name) or lint.lint(the_course, name)[0]
        for problem in problems:
            print(f"{name}: {problem}")
        if problems:
            stale.append(f"solutions/{name}")
            continue
        for lang in settings.languages:
            dest = release.release_folder(the_course, name, lang, settings.languages)
            label = dest.relative_to(the_course.root).as_posix()
            want = release.expected_release_files(the_course, name, lang)
            have = release.read_tree(dest)
            for rel in sorted(set(want) | set(have)):
                if want.get(rel) != have.get(rel):
                    what = ("missing" if rel not in have else "not in the release any more"
                            if rel not in want else "out of date")
                    print(f"{label}/{rel}: {what} (made from {_made_from(name, rel, lang)})")
                    stale.append(f"{label}/{rel}")
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


def _made_from(name: str, rel: str, lang: str = "en") -> str:
    """The sources a released file is made from: where the edit that made it stale was."""
    if rel == "check.py":
        return (f"the check cells of solutions/{name}/, grader/release/student_check.py and "
                "nnkit_contract/")
    if rel in ("README.md", "requirements.txt"):
        from grader.release.student_readme import template_path

        return (f"grader/templates/{template_path(lang).name}, grader/release/student_readme.py, "
                "pyproject.toml")
    if rel == "toy2d.py" or rel.startswith("data/"):
        return "datasets/"
    return f"solutions/{name}/"
