"""Where the course lives: the folders of the fixed layout, found from one root."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError

#: Environment variable that points the grader at a course checkout other than its own.
ROOT_ENV = "NNKIT_COURSE_ROOT"


@dataclass(frozen=True)
class Course:
    """The fixed top-level layout of a course checkout."""

    root: Path

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def assignments(self) -> Path:
        return self.root / "assignments"

    @property
    def autograde_tests(self) -> Path:
        return self.root / "autograde_tests"

    @property
    def datasets(self) -> Path:
        return self.root / "datasets"

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


def course() -> Course:
    """The course this grader serves: $NNKIT_COURSE_ROOT, else the checkout it is installed from."""
    env = os.environ.get(ROOT_ENV)
    root = Path(env) if env else Path(__file__).resolve().parent.parent
    if not (root / "solutions").is_dir():
        raise UsageError(f"{root} is not a course checkout (no solutions/ folder); set {ROOT_ENV}")
    return Course(root.resolve())
