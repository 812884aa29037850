"""Where the course lives: which course a `grader` command serves, and the folders of its layout.

A course is a folder with the fixed layout (solutions/, assignments/, examples/, ...). Every
command finds it the same way, first match wins:

1. `--course DIR` (a global option of `grader`, also accepted after the subcommand);
2. $NNKIT_COURSE_ROOT, an override for scripts (never needed);
3. the nearest checkout at or above the working directory: a folder holding solutions/ with a
   course.json or an assignment folder (solutions/<a>/<a>.ipynb);
4. the course installed with the kit: a regular install (wheel or `pip install <clone>`) carries
   the whole course as package data (`nnkit_course/`: solutions/, assignments/, examples/), next
   to its hidden tests (the `autograde_tests` package) and datasets (the `toy2d` package); an
   editable install serves the checkout it was installed from.

`grader course` and `grader --version` say which course is used and where it came from. Hidden
tests and datasets are always the installed packages' (they are Python code the grader imports);
a course folder only supplies what it holds (the source notebooks, the releases, the examples).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError

#: Environment variable that points the grader at a course folder (an override, never needed).
ROOT_ENV = "NNKIT_COURSE_ROOT"
#: The package (a folder of site-packages) that holds the course a regular install carries.
EMBEDDED_PACKAGE = "nnkit_course"
#: The distribution the kit is installed as.
DISTRIBUTION = "nnkit"
#: The course file inside solutions/ (grader/course/course_file.py reads it).
COURSE_FILE = "course.json"

#: Where a course came from (the words `grader course` prints).
FROM_OPTION = "--course"
FROM_ENV = f"${ROOT_ENV}"
FROM_CHECKOUT = "the checkout at or above the working directory"
FROM_INSTALLED = "the course installed with the kit"
FROM_SOURCE = "the course installed with the kit: the checkout of its editable install"


@dataclass(frozen=True)
class Course:
    """The fixed top-level layout of a course folder. `origin` says how it was found."""

    root: Path
    origin: str = ""

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def assignments(self) -> Path:
        return self.root / "assignments"

    @property
    def autograde_tests(self) -> Path:
        """The hidden tests: the course's own folder when it has one (a checkout), else the
        installed package the grader imports them from."""
        own = self.root / "autograde_tests"
        return own if own.is_dir() else _package_dir("autograde_tests")

    @property
    def datasets(self) -> Path:
        """The datasets and their loader: the course's datasets/ when it has one, else the
        installed `toy2d` package (the same files)."""
        own = self.root / "datasets"
        return own if own.is_dir() else _package_dir("toy2d")

    def solution_notebook(self, assignment: str) -> Path:
        """The nbgrader source notebook of `assignment` (one notebook per assignment)."""
        folder = self.solutions / assignment
        if not folder.is_dir():
            raise UsageError(f"no such assignment: {folder} does not exist")
        notebooks = sorted(folder.glob("*.ipynb"))
        if len(notebooks) != 1:
            raise UsageError(f"{folder} must hold exactly one notebook, found {len(notebooks)}")
        return notebooks[0]

    def assignment_names(self) -> list[str]:
        """Every assignment that has a source folder under solutions/."""
        if not self.solutions.is_dir():
            return []
        return sorted(p.name for p in self.solutions.iterdir() if p.is_dir() and not
                      p.name.startswith((".", "_")))

    def choose(self, assignment: str | None) -> str:
        """The assignment a command works on: the one named (which must exist), else the course's
        only one; with several and none named, one clear error that lists them."""
        names = self.assignment_names()
        if assignment:
            if assignment not in names:
                raise UsageError(f"no such assignment: {assignment!r} (there are: "
                                 f"{', '.join(names) or 'none'})")
            return assignment
        if len(names) == 1:
            return names[0]
        if not names:
            raise UsageError(f"no assignments: {self.solutions} has no assignment folder")
        raise UsageError(f"several assignments ({', '.join(names)}): choose one with --assignment")

    def describe(self) -> str:
        """One line: where the course is and how it was found."""
        return f"{self.root} ({self.origin})" if self.origin else str(self.root)


def _package_dir(name: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise UsageError(f"the package {name} is not installed: reinstall the kit "
                         "(pip install '<kit>[instructor]')")
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def is_course(folder: Path) -> bool:
    """True for a folder with the course layout: solutions/ holding course.json or at least one
    assignment folder with a notebook."""
    solutions = Path(folder) / "solutions"
    if not solutions.is_dir():
        return False
    if (solutions / COURSE_FILE).is_file():
        return True
    return any(p.is_dir() and any(p.glob("*.ipynb")) for p in solutions.iterdir())


def checkout_above(start: Path) -> Path | None:
    """The nearest course folder at or above `start`, or None."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if is_course(folder):
            return folder
    return None


def embedded_course() -> Course | None:
    """The course the installed kit carries: site-packages/nnkit_course/ of a regular install,
    or the checkout an editable install (or a plain source tree) runs from; None if neither."""
    try:
        from importlib.metadata import PackageNotFoundError, distribution

        try:
            installed = Path(str(distribution(DISTRIBUTION).locate_file(EMBEDDED_PACKAGE)))
        except PackageNotFoundError:
            installed = None
        if installed is not None and is_course(installed):
            return Course(installed.resolve(), FROM_INSTALLED)
    except (OSError, ValueError):  # a broken installation: fall through to the source tree
        pass
    source_tree = Path(__file__).resolve().parent.parent
    return Course(source_tree, FROM_SOURCE) if is_course(source_tree) else None


def writable(the_course: Course, what: str) -> Course:
    """`the_course`, unless it is the course inside an installed kit, which commands that write
    into the course (`what`) must not change: UsageError, one line, saying where to run them."""
    if the_course.origin == FROM_INSTALLED:
        raise UsageError(f"{what} writes into the course, and {the_course.root} is the course "
                         "installed with the kit: run it in a checkout of your course (or pass "
                         "--course DIR), then install the kit again from it")
    return the_course


#: The folder given with --course for the command being run (set by grader.cli while it runs).
_chosen: Path | None = None


@contextlib.contextmanager
def chosen(folder: Path | None) -> Iterator[None]:
    """While a command runs, serve the course in `folder` (None: keep the current choice, which
    by default is to find the course as usual)."""
    global _chosen
    previous = _chosen
    _chosen = folder if folder is not None else previous
    try:
        yield
    finally:
        _chosen = previous


def find_course(option: Path | None = None, cwd: Path | None = None) -> Course:
    """The course a command serves (see the module docstring); UsageError, one line, when none
    can be found or the one named is no course."""
    if option is not None:
        if not Path(option).is_dir():
            raise UsageError(f"--course {option}: no such folder (give the course folder, the one "
                             "holding solutions/)")
        if not is_course(option):
            raise UsageError(f"--course {option} is not a course: it has no solutions/ with "
                             "course.json or an assignment folder")
        return Course(Path(option).resolve(), FROM_OPTION)
    env = os.environ.get(ROOT_ENV)
    if env:
        if not is_course(Path(env)):
            raise UsageError(f"{ROOT_ENV}={env} is not a course (no solutions/ with course.json "
                             f"or an assignment folder): fix or unset {ROOT_ENV}")
        return Course(Path(env).resolve(), FROM_ENV)
    found = checkout_above(Path.cwd() if cwd is None else cwd)
    if found is not None:
        return Course(found, FROM_CHECKOUT)
    embedded = embedded_course()
    if embedded is not None:
        return embedded
    raise UsageError("no course found: run grader inside a course checkout, pass --course DIR, or "
                     "reinstall the kit (pip install '<kit>[instructor]') so that it carries its "
                     "course")


def course() -> Course:
    """The course this command serves: --course, else $NNKIT_COURSE_ROOT, else the checkout
    at or above the working directory, else the course installed with the kit."""
    return find_course(_chosen)
