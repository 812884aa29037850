"""One NumPy for students and grader: the version a course grades with, and what to say when a
student's differs.

The one declared place is the kit's own dependency on NumPy in pyproject.toml (`numpy==X.Y.*`,
one minor version): it decides what the grading environment installs, the release's
requirements.txt repeats it (grader/release/student_readme.py), check.py is told the minor version and
says in one line when the student's NumPy is another one, and a test checks that the NumPy
installed here is that minor version. Releases stay byte-reproducible: they are written from the
declaration, never from whatever NumPy happens to be installed.

Grading records the versions it ran with (run.json and every result: `environment`), and a check
that fails with a TypeError or AttributeError raised on a line of the student's code that calls
NumPy gets a diagnosis that names a NumPy version difference as a possible cause (NumPy removes
keywords and aliases between versions: `np.reshape(x, newshape=...)` runs under 2.3 and raises a
TypeError under 2.4).
"""

from __future__ import annotations

import platform
import re
import tomllib
from functools import cache
from pathlib import Path

#: Exceptions that NumPy's API changes raise in code that ran under another version (a removed
#: keyword argument or function: TypeError; a removed alias or module attribute: AttributeError).
VERSION_ERRORS = ("TypeError", "AttributeError")
#: Where the student's exception was raised, as the sandbox appends it to the message.
_WHERE = re.compile(r"\(cell (?P<cell>[^,()\s]+), line (?P<line>\d+), in [^()]*\)\s*$")
_NUMPY_CALL = re.compile(r"\b(?:np|numpy)\s*\.\s*(?P<name>[A-Za-z_][\w.]*)")
_PIN = re.compile(r"^numpy\s*==\s*(?P<minor>\d+\.\d+)\.\*$")


@cache
def declared_requirements() -> tuple[str, ...]:
    """The kit's own dependencies as declared: pyproject.toml next to the grader package when the
    kit runs from its source tree (a checkout or an editable install), else the installed
    distribution's metadata (a regular install, built from the same file)."""
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    if pyproject.is_file():
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        if data.get("project", {}).get("name") == "nnkit":
            return tuple(data["project"].get("dependencies", []))
    import importlib.metadata as metadata

    try:
        return tuple(r for r in metadata.requires("nnkit") or [] if ";" not in r)
    except metadata.PackageNotFoundError:
        return ()


def declared_spec() -> str:
    """The NumPy requirement as declared, e.g. "numpy==2.4.*"."""
    found = [r.replace(" ", "") for r in declared_requirements()
             if re.match(r"numpy\b", r.strip()) and not r.strip().startswith("numpy-")]
    if len(found) != 1:
        raise RuntimeError(f"pyproject.toml must declare numpy once, found {found}")
    return found[0]


def course_minor() -> str:
    """The NumPy minor version the course grades with, e.g. "2.4" (from the declaration)."""
    match = _PIN.match(declared_spec())
    if not match:
        raise RuntimeError(f"pyproject.toml must pin one NumPy minor version (numpy==X.Y.*), "
                           f"found {declared_spec()!r}")
    return match["minor"]


def minor_of(version: str) -> str:
    """"2.4.6" -> "2.4" (what versions are compared by)."""
    return ".".join(version.split(".")[:2])


def grading_environment() -> dict[str, str]:
    """The versions grading runs with (recorded in run.json and every result)."""
    import numpy

    return {"numpy": numpy.__version__, "python": platform.python_version()}


def environment_line() -> str:
    env = grading_environment()
    line = f"grading with NumPy {env['numpy']} and Python {env['python']}"
    try:
        minor = course_minor()
    except RuntimeError as exc:
        return f"{line} (the NumPy declaration is broken: {exc})"
    if minor_of(env["numpy"]) != minor:
        return (f"{line}: NOT the course's NumPy {minor} (pyproject.toml pins numpy=={minor}.*): "
                "reinstall the kit")
    return f"{line} (the course pins numpy=={minor}.*, students get the same in requirements.txt)"


def numpy_call_note(test: dict, code: dict[str, str]) -> str | None:
    """A diagnosis for a failed check whose message is an exception the student's code raised on
    a line that calls NumPy (see the module docstring), or None.

    test: a check's result (grader.grading.results' shape); code: cell label -> the source that ran."""
    message = test.get("message") or ""
    kind = message.split(":", 1)[0].strip()
    where = _WHERE.search(message)
    if test.get("status") == "passed" or kind not in VERSION_ERRORS or where is None:
        return None
    lines = (code.get(where["cell"]) or "").splitlines()
    number = int(where["line"])
    if not 1 <= number <= len(lines):
        return None
    call = _NUMPY_CALL.search(lines[number - 1])
    if call is None:
        return None
    env = grading_environment()
    return (f"the {kind} was raised by a NumPy call on that line (np.{call['name'].rstrip('.')}); "
            f"the grader runs NumPy {env['numpy']}: if this line runs on your computer, your "
            "NumPy is probably another version (install the one in the release's "
            "requirements.txt and run check.py again)")


def add_numpy_notes(tests: list[dict], code: list[tuple[str, str]]) -> None:
    """Give every failed check that `numpy_call_note` recognises that diagnosis (in place), unless
    the check already names a likely cause."""
    sources = dict(code)
    for test in tests:
        if not test.get("diagnosis"):
            note = numpy_call_note(test, sources)
            if note:
                test["diagnosis"] = note
