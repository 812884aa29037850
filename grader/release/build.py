"""Build the student release of an assignment: assignments/<a>/ from solutions/<a>/.

nbgrader's own generate_assignment turns the source notebook into the student notebook (solution
regions replaced by a stub, hidden tests removed, outputs cleared, cells locked and checksummed).
It runs in a throw-away course directory, so neither its gradebook nor its folders end up in the
repository. The student support files (the `toy2d` loader as toy2d.py, the dataset files and the
local check runner check.py) are then added, and the result is synchronized into the release
folder: only files whose bytes changed are written, files no longer produced are deleted.

nbgrader's output was measured to be deterministic (two runs give identical bytes: cell ids come
from the source notebook, checksums are hashes of cell contents, no timestamps are written), so no
normalization is applied; the idempotency test guards this.
"""

from __future__ import annotations

import os
import re
import shutil
import sysconfig
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import UsageError
from grader.paths import Course
from grader.release.check_script import check_script, toy2d_script
from grader.release.leaks import RELEASE_ALLOW_LIST, is_allowed, is_interpreter_cache
from nnkit_contract.i18n import DEFAULT_LANGUAGE

#: Course id used inside the temporary nbgrader course directory (never stored anywhere).
NBGRADER_COURSE_ID = "nnkit"

_EXCEPTION_LINE = re.compile(r"^\s*(?P<name>[\w.]*(?:Error|Exception)): (?P<message>.+)$")

INSTALL_HINT = ("grader release needs nbgrader: install the 'instructor' extra "
                "(pip install -e '.[instructor]')")


class ReleaseError(UsageError):
    """nbgrader refused the source notebook; `log` holds nbgrader's own messages."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message)
        self.log = log


@dataclass
class ReleaseReport:
    """What one release did to its destination folder (paths relative to it, "/" separated)."""

    dest: Path
    files: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def line(self, name: str) -> str:
        parts = [f"{len(self.written)} written", f"{len(self.unchanged)} unchanged"]
        if self.deleted:
            parts.append(f"{len(self.deleted)} deleted")
        return f"{name}: {', '.join(parts)} -> {self.dest}"


def check_assignment(course: Course, name: str) -> None:
    """UsageError (one line) unless `name` is an assignment with a source folder."""
    names = course.assignment_names()
    if name not in names:
        known = ", ".join(names) if names else "none"
        raise UsageError(f"unknown assignment {name!r} (assignments in {course.solutions}: "
                         f"{known})")
    course.solution_notebook(name)  # exactly one notebook, else a UsageError


def require_nbgrader():
    """nbgrader's API class and traitlets' Config; UsageError when nbgrader is missing."""
    try:
        from nbgrader.apps import NbGraderAPI
        from traitlets.config import Config
    except ImportError as exc:
        raise UsageError(INSTALL_HINT) from exc
    return NbGraderAPI, Config


@contextmanager
def _scripts_on_path() -> Iterator[None]:
    """Make this environment's scripts findable by name while nbgrader runs.

    nbgrader's Gradebook runs the `alembic` command by name to read the database schema version;
    when the grader is started as .venv/bin/grader without activating the venv, the venv's bin
    folder is not on PATH and generate_assignment fails.
    """
    scripts = sysconfig.get_path("scripts")
    old = os.environ.get("PATH")
    entries = old.split(os.pathsep) if old else []
    if scripts and scripts not in entries:
        os.environ["PATH"] = os.pathsep.join([scripts, *entries])
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = old


def _nbgrader_release(source: Mapping[str, bytes], name: str, course_dir: Path) -> Path:
    """Run nbgrader generate_assignment on the source folder `source` (relative path -> bytes)
    inside `course_dir`; return the release folder it wrote (course_dir/release/<name>)."""
    NbGraderAPI, Config = require_nbgrader()
    for rel, data in source.items():
        target = course_dir / "source" / name / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    config = Config()
    config.CourseDirectory.root = str(course_dir)
    config.CourseDirectory.course_id = NBGRADER_COURSE_ID
    config.CourseDirectory.db_url = f"sqlite:///{course_dir / 'gradebook.db'}"
    # The API lists the exchange when it starts; keep that inside the temporary folder too.
    config.Exchange.root = str(course_dir / "exchange")
    with _scripts_on_path():
        api = NbGraderAPI(config=config)
        result = api.generate_assignment(name, force=True, create=True)
    log = result.get("log", "") or ""
    if not result.get("success"):
        # The first exception line in the log is the cause, e.g. "ValidationError: Duplicate
        # grade id: ..."; nbgrader's own last words are a generic "see the above traceback".
        causes = [m for m in map(_EXCEPTION_LINE.match, log.splitlines()) if m]
        detail = (f"{causes[0]['name'].rsplit('.', 1)[-1]}: {causes[0]['message']}" if causes
                  else "see nbgrader's log above")
        raise ReleaseError(f"nbgrader generate_assignment failed for {name}: {detail}",
                           log=log + (result.get("error") or ""))
    released = course_dir / "release" / name
    if not released.is_dir():
        raise ReleaseError(f"nbgrader generate_assignment wrote no release for {name}", log=log)
    return released


def read_tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (bytecode caches left out): relative path -> bytes."""
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not is_interpreter_cache(p.relative_to(folder))}


def language_source(course: Course, name: str, lang: str | None = None) -> dict[str, bytes]:
    """The source folder solutions/<name>/ as nbgrader gets it for the release in `lang` (default:
    the source's own language): relative path -> bytes, the notebook in that language
    (grader/release/languages.py). A notebook with no translation at all is passed unchanged."""
    import nbformat

    from grader.release.languages import META_KEY, language_notebook

    folder = course.solutions / name
    source = course.solution_notebook(name)
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
             if p.is_file() and not is_interpreter_cache(p.relative_to(folder))}
    lang = lang or DEFAULT_LANGUAGE
    raw = files[source.name]
    if lang == DEFAULT_LANGUAGE and f'"{META_KEY}"'.encode() not in raw \
            and b"# message: " not in raw:
        return files
    nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    files[source.name] = nbformat.writes(
        language_notebook(nb, lang, DEFAULT_LANGUAGE, name).notebook).encode("utf-8")
    return files


def support_files(course: Course, name: str, call_cpu: float | None = None,
                  lang: str | None = None) -> dict[str, bytes]:
    """The student support files of assignment `name` in language `lang` (default: the source's):
    the toy2d loader as one module, every dataset file, the students' local check runner
    (grader/release/student_check.py made self-contained, with the assignment's released checks
    in that language, as check.py), and the README.md and requirements.txt of
    grader/release/student_readme.py (its time limit per call: `call_cpu`, default the kit's)."""
    from grader.release.student_readme import readme, requirements

    source = course.solution_notebook(name)
    with tempfile.TemporaryDirectory(prefix="nnkit-lang-") as tmp:
        notebook = Path(tmp) / source.name   # check.py names the assignment by the file's stem
        notebook.write_bytes(language_source(course, name, lang)[source.name])
        helper = toy2d_script((course.datasets / "__init__.py").read_bytes(),
                              lang or DEFAULT_LANGUAGE)   # its texts in `lang`
        files = {"toy2d.py": helper,
                 "check.py": check_script(notebook, lang or DEFAULT_LANGUAGE),
                 "README.md": readme(name, notebook, source.name, call_cpu,
                                     lang or DEFAULT_LANGUAGE).encode("utf-8"),
                 "requirements.txt": requirements().encode("utf-8")}
    datasets = sorted((course.datasets / "data").glob("*.npz"))
    if not datasets:
        raise UsageError(f"no dataset files in {course.datasets / 'data'}")
    for path in datasets:
        files[f"data/{path.name}"] = path.read_bytes()
    return files


def expected_release_files(course: Course, name: str, lang: str | None = None) -> dict[str, bytes]:
    """Every file of the release of `name` in language `lang` (default: the source's): path
    relative to the release folder -> bytes.

    Runs nbgrader in a temporary course directory that is removed afterwards.
    """
    check_assignment(course, name)
    with tempfile.TemporaryDirectory(prefix="nnkit-release-") as tmp:
        files = read_tree(_nbgrader_release(language_source(course, name, lang), name, Path(tmp)))
    for rel, data in support_files(course, name, lang=lang).items():
        if rel in files:
            raise UsageError(f"solutions/{name}/{rel} clashes with a support file of the "
                             f"same name; remove it from solutions/{name}/")
        files[rel] = data
    refused = sorted(rel for rel in files if not is_allowed(rel))
    if refused:
        raise UsageError(f"solutions/{name}/ holds files that would be shipped to students but "
                         f"are not on the release allow-list ({', '.join(RELEASE_ALLOW_LIST)}): "
                         f"{', '.join(refused)}")
    return dict(sorted(files.items()))


def sync_folder(files: Mapping[str, bytes], dest: Path) -> ReleaseReport:
    """Make `dest` hold exactly `files`: write only changed files, delete everything else."""
    dest = Path(dest)
    report = ReleaseReport(dest=dest, files=sorted(files))
    dest.mkdir(parents=True, exist_ok=True)
    for rel, data in sorted(files.items()):
        target = dest / rel
        if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
            report.unchanged.append(rel)
            continue
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.is_dir():
            shutil.rmtree(target)
        for parent in reversed(Path(rel).parents[:-1]):  # a file where a folder must be
            if (dest / parent).is_symlink() or (dest / parent).is_file():
                (dest / parent).unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.write_bytes(data)
        os.replace(partial, target)
        report.written.append(rel)
    for path in sorted(dest.rglob("*"), reverse=True):  # children before their folders
        rel = path.relative_to(dest).as_posix()
        if path.is_symlink() or path.is_file():
            if rel not in files:
                path.unlink()
                report.deleted.append(rel)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    report.deleted.sort()
    return report


def release_folder(course: Course, name: str, lang: str | None = None,
                   languages: tuple[str, ...] | None = None) -> Path:
    """Where the release of `name` in `lang` lives: assignments/<name>/ for the course's default
    language (the first of `languages`, default solutions/course.json's), assignments/<lang>/<name>/
    for every other one."""
    if languages is None:
        from grader.course import course_file

        languages = course_file.load(course).languages
    lang = lang or languages[0]
    return course.assignments / name if lang == languages[0] else course.assignments / lang / name


def release(course: Course, name: str, dest: Path | None = None,
            lang: str | None = None) -> ReleaseReport:
    """Generate the release of `name` in `lang` (default: the source's language) and synchronize
    it into `dest` (default: its folder, `release_folder`)."""
    files = expected_release_files(course, name, lang)
    return sync_folder(files, release_folder(course, name, lang) if dest is None else Path(dest))


def release_assignment(course: Course, name: str, dest: Path) -> list[Path]:
    """Release `name` into the folder `dest`; return the paths of all its files, sorted."""
    report = release(course, name, dest)
    return [Path(dest) / rel for rel in report.files]
