"""The generated student release: up to date, idempotent, a valid nbgrader release, free of
leaks, and both the solution and the released notebook run the way they should."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import toy2d
from nbclient import NotebookClient

from grader.cli import main
from grader.course import course_file
from grader.paths import ROOT_ENV, Course
from grader.release import build as release
from grader.release import leaks
from grader.release.leaks import (
    RELEASE_ALLOW_LIST,
    find_leaks,
    is_allowed,
    is_interpreter_cache,
    split_solution_regions,
)
from nnkit_contract.cells import cell_role

ROOT = Path(__file__).resolve().parent.parent
COURSE = Course(ROOT)
ASSIGNMENTS = COURSE.assignment_names()
PRIVATE_DIRS = [COURSE.autograde_tests, ROOT / "grader"]
PUBLIC_FILES = [COURSE.datasets / "__init__.py"]
HAS_NBGRADER = importlib.util.find_spec("nbgrader") is not None
OUT_OF_DATE = "assignments/ is out of date: run `make release`"
STUB = "raise NotImplementedError()"



def needs_nbgrader(test):
    """Mark a test that runs the real nbgrader (the 'instructor' extra)."""
    test = pytest.mark.nbgrader(test)
    return pytest.mark.skipif(not HAS_NBGRADER, reason="needs the 'instructor' extra")(test)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not is_interpreter_cache(p.relative_to(folder))}


def _role(cell) -> str:
    """The cell's role (nnkit_contract): "setup", "solution", "check", "demo", "test"..."""
    return cell_role(cell).value


def _source_nb(name: str, lang: str = "en"):
    """The source notebook as nbgrader gets it for the release in `lang` (its cells of that
    language only: grader/release/languages.py)."""
    from grader.release.languages import language_notebook

    nb = nbformat.read(COURSE.solution_notebook(name), as_version=4)
    return language_notebook(nb, lang, assignment=name).notebook


def _released_nb_path(name: str) -> Path:
    return COURSE.assignments / name / COURSE.solution_notebook(name).name


def _released_nb(name: str, lang: str = "en"):
    path = release.release_folder(COURSE, name, lang) / COURSE.solution_notebook(name).name
    return nbformat.read(path, as_version=4)


#: (assignment, language) of every release the course makes.
RELEASES = [(a, lang) for a in ASSIGNMENTS for lang in course_file.load(COURSE).languages]


# ---------------------------------------------------------------------------------------------
# The committed release matches the sources, and `grader release` is idempotent.
# ---------------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
@needs_nbgrader
def test_committed_release_is_up_to_date(name, tmp_path):
    fresh = release.release_assignment(COURSE, name, tmp_path / name)
    assert fresh, "the release is empty"
    expected = _tree(tmp_path / name)
    committed = _tree(COURSE.assignments / name)
    missing = sorted(set(expected) - set(committed))
    extra = sorted(set(committed) - set(expected))
    differ = sorted(rel for rel in set(expected) & set(committed)
                    if expected[rel] != committed[rel])
    assert not (missing or extra or differ), (
        f"{OUT_OF_DATE} (missing: {missing}, no longer produced: {extra}, differ: {differ})")


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Bytes, modification time and inode of every file: a rewrite changes the last two."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns,
                                               p.stat().st_ino)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
@needs_nbgrader
def test_release_twice_changes_nothing(course_copy, capsys, full):
    """`grader release` of every assignment does the work a planted change needs; a second run
    rewrites nothing (in `make test` the second run releases the planted assignment only, in
    `make test-full` every assignment again)."""
    name = ASSIGNMENTS[0]
    dest = course_copy.assignments / name
    # Make the first run do real work: a missing file, a stale one, and files not produced.
    (dest / COURSE.solution_notebook(name).name).unlink()
    (dest / "hyperparameters.json").write_text("{}\n")
    (dest / "notes.txt").write_text("left over\n")
    (dest / "old" / "deep").mkdir(parents=True)
    (dest / "old" / "deep" / "x.py").write_text("x = 1\n")
    top_level = sorted(p.name for p in course_copy.root.iterdir())

    assert main(["release"]) == 0
    first_out = capsys.readouterr().out
    first = _snapshot(dest)
    assert main(["release", *([] if full else [name])]) == 0
    second_out = capsys.readouterr().out
    second = _snapshot(dest)

    languages = len(course_file.load(course_copy).languages)
    releases = len(ASSIGNMENTS) * languages   # one per language
    assert first_out.count("\n") == releases, first_out
    assert f"{name}: 2 written" in first_out and "2 deleted" in first_out, first_out
    assert second_out.count("\n") == (releases if full else languages), second_out
    assert f"{name}: 0 written, {len(second)} unchanged" in second_out, second_out
    assert second == first, "the second `grader release` rewrote or changed files"
    assert sorted(first) == sorted(_tree(COURSE.assignments / name)), OUT_OF_DATE
    assert not (dest / "old").exists(), "emptied folders are removed"
    # Nothing of nbgrader's state (gradebook, course folders, log, config) is left behind.
    assert sorted(p.name for p in course_copy.root.iterdir()) == top_level


@pytest.mark.slow
@needs_nbgrader
def test_release_rebuilds_the_example_class(course_with_examples, capsys):
    """A TA's change to the source notebook reaches the example submissions in the same command."""
    source = COURSE.solution_notebook(ASSIGNMENTS[0]).name
    path = course_with_examples.solutions / ASSIGNMENTS[0] / source
    nb = nbformat.read(path, as_version=4)
    first_text = next(c for c in nb.cells if c.cell_type == "markdown")
    first_text.source += "\n\nA sentence the TA added."
    nbformat.write(nb, path)

    assert main(["release", ASSIGNMENTS[0]]) == 0
    out = capsys.readouterr().out
    examples = course_with_examples.root / "examples" / ASSIGNMENTS[0]
    submitted = sorted((examples / "submitted").glob(f"*/*/{source}"))
    assert f"examples/{ASSIGNMENTS[0]}: {len(submitted)} written, 0 unchanged" in out, out
    assert len(submitted) == len(list((examples / "variants").glob("*.py")))
    for notebook in submitted:
        assert "A sentence the TA added." in notebook.read_text(), notebook


def test_sync_folder_writes_only_changes(tmp_path):
    dest = tmp_path / "dest"
    report = release.sync_folder({"a.txt": b"a", "data/b.npz": b"b"}, dest)
    assert (report.written, report.unchanged, report.deleted) == (["a.txt", "data/b.npz"], [], [])
    (dest / "stale.txt").write_bytes(b"s")
    (dest / "data" / "b.npz").write_bytes(b"changed")
    before = (dest / "a.txt").stat().st_mtime_ns, (dest / "a.txt").stat().st_ino
    report = release.sync_folder({"a.txt": b"a", "data/b.npz": b"b"}, dest)
    assert (report.written, report.unchanged, report.deleted) == (
        ["data/b.npz"], ["a.txt"], ["stale.txt"])
    assert ((dest / "a.txt").stat().st_mtime_ns, (dest / "a.txt").stat().st_ino) == before
    assert _tree(dest) == {"a.txt": b"a", "data/b.npz": b"b"}
    report = release.sync_folder({"a.txt": b"a"}, dest)
    assert report.deleted == ["data/b.npz"] and not (dest / "data").exists()


# ---------------------------------------------------------------------------------------------
# The committed release is a valid nbgrader release.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_holds_exactly_the_expected_files(name):
    files = _tree(COURSE.assignments / name)
    expected = {COURSE.solution_notebook(name).name, "hyperparameters.json", "toy2d.py", "check.py",
                "README.md", "requirements.txt", *(f"data/{dataset}.npz" for dataset in toy2d.DATASETS)}
    assert set(files) == expected
    assert all(is_allowed(rel) for rel in files), RELEASE_ALLOW_LIST
    assert files["toy2d.py"] == (COURSE.datasets / "__init__.py").read_bytes()
    for dataset in toy2d.DATASETS:
        shipped = (COURSE.datasets / "data" / f"{dataset}.npz").read_bytes()
        assert files[f"data/{dataset}.npz"] == shipped, dataset
    source_hp = (COURSE.solutions / name / "hyperparameters.json").read_bytes()
    assert files["hyperparameters.json"] == source_hp
    readme = files["README.md"].decode()
    assert "python check.py" in readme and "Time limits" in readme and "solutions/" not in readme
    from grader.grading.numpy_version import course_minor

    assert files["requirements.txt"].decode().splitlines()[:2] == [f"numpy=={course_minor()}.*",
                                                                  "matplotlib>=3.8"]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_readme_speaks_of_training_only_where_grading_trains(name):
    """An assignment without training checks (computation_graphs) has no sentence about training
    the student's network, and its hyperparameters.json is said to be the experiments' settings,
    not something grading uses; the others say both."""
    from autograde_tests import engine
    from grader.release import student_readme

    graded = "train" in engine.points_by_function(name)
    readme = " ".join((COURSE.assignments / name / "README.md").read_text().split())
    words = student_readme.PHRASES["en"]
    trained = " ".join(student_readme.TRAINING_TEMPLATE.read_text().split("\n\n")[0].split())
    assert (trained in readme) is graded
    assert (words["settings-graded"] in readme) is graded
    assert (words["settings-demo"] in readme) is not graded
    assert "gradient checks and" not in readme and "checks, ." not in readme


def _expected_student_source(source: str) -> str:
    """`source` with every solution region replaced by nbgrader's stub and every hidden-test
    region removed, the way generate_assignment does it."""
    out: list[str] = []
    skipping = False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == "### BEGIN SOLUTION":
            indent = line[: len(line) - len(line.lstrip())]
            out += [f"{indent}# YOUR CODE HERE", f"{indent}{STUB}"]
            skipping = True
        elif stripped == "### BEGIN HIDDEN TESTS":
            skipping = True
        elif stripped in ("### END SOLUTION", "### END HIDDEN TESTS"):
            skipping = False
        elif not skipping:
            out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize(("name", "lang"), RELEASES)
def test_released_notebook_is_a_valid_nbgrader_release(name, lang):
    source, released = _source_nb(name, lang), _released_nb(name, lang)
    nbformat.validate(released)
    assert released.metadata.kernelspec.name == "python3"
    assert [c.get("id") for c in released.cells] == [c.get("id") for c in source.cells]
    assert [c.cell_type for c in released.cells] == [c.cell_type for c in source.cells]
    roles = {_role(c) for c in source.cells if c.cell_type == "code"}
    assert roles == {"setup", "solution", "check", "demo", "test"}, roles

    for src, rel in zip(source.cells, released.cells, strict=True):
        where = f"cell {src.get('id')} ({_role(src) or src.cell_type})"
        if rel.cell_type == "code":
            assert rel.outputs == [] and rel.execution_count is None, f"{where}: outputs kept"
        if _role(src) == "answer":   # a written answer: nbgrader puts a placeholder for all of it
            assert "### BEGIN SOLUTION" in src.source and rel.source == "YOUR ANSWER HERE", where
        else:
            assert rel.source == _expected_student_source(src.source), where
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "autograde_tests"):
            assert marker not in rel.source, f"{where}: {marker!r} left in the release"
        src_meta = src.metadata.get("nbgrader")
        if src_meta is None:
            assert "nbgrader" not in rel.metadata, where
            continue
        meta = rel.metadata.nbgrader
        for key in ("grade", "solution", "locked", "grade_id", "schema_version"):
            assert meta[key] == src_meta[key], f"{where}: {key}"
        role = _role(src)
        if role == "solution":
            assert meta.solution and not meta.grade and not meta.locked, where
            assert "### BEGIN SOLUTION" in src.source, f"{where}: no solution region"
            assert STUB in rel.source, f"{where}: no stub"
        elif role == "answer":
            assert meta.grade and meta.solution and not meta.locked and meta.points > 0, where
            assert src_meta["grade_id"].startswith("answer-") and rel.cell_type == "markdown", where
        elif role == "test":
            assert meta.grade and meta.locked and meta.points == src_meta["points"] > 0, where
            assert "### BEGIN HIDDEN TESTS" in src.source, f"{where}: no hidden tests"
            hidden = src.source.split("### BEGIN HIDDEN TESTS", 1)[1]
            assert "raise RuntimeError" in hidden and "grader nbgrader setup" in hidden, where
        else:
            assert role in ("setup", "check", "demo") and meta.locked and not meta.grade, where
        if meta.grade or meta.locked or meta.solution:
            assert len(meta.get("checksum", "")) == 32, f"{where}: no checksum"
            assert meta.cell_type == ("markdown" if role == "answer" else "code"), where
        if meta.locked:
            assert rel.metadata.get("deletable") is False, f"{where}: deletable"
            if not meta.solution:
                assert rel.metadata.get("editable") is False, f"{where}: editable"


@pytest.mark.parametrize(("name", "lang"), RELEASES)
@needs_nbgrader
def test_released_checksums_are_nbgraders(name, lang):
    from nbgrader.utils import compute_checksum

    for cell in _released_nb(name, lang).cells:
        meta = cell.metadata.get("nbgrader")
        if meta and "checksum" in meta:
            assert compute_checksum(cell) == meta["checksum"], meta["grade_id"]


# ---------------------------------------------------------------------------------------------
# Leaks.
# ---------------------------------------------------------------------------------------------

def _find_leaks(release_dir: Path, name: str, private_dirs=PRIVATE_DIRS) -> list[str]:
    return find_leaks(release_dir, COURSE.solutions / name, private_dirs,
                      public_files=PUBLIC_FILES)


@pytest.mark.parametrize(("name", "lang"), RELEASES)
def test_committed_release_has_no_leaks(name, lang):
    assert _find_leaks(release.release_folder(COURSE, name, lang), name) == []


def _public_text(name: str) -> str:
    _, outside = split_solution_regions(json.loads(COURSE.solution_notebook(name).read_text()))
    return outside + "\n" + "\n".join(p.read_text() for p in PUBLIC_FILES)


def _a_solution_line(name: str) -> str:
    inside, _ = split_solution_regions(json.loads(COURSE.solution_notebook(name).read_text()))
    public = _public_text(name)
    lines = [line.strip() for line in inside if len(line.strip()) >= leaks.MIN_SOLUTION_LINE
             and line.strip() not in public]
    assert lines, "the source notebook has no distinctive solution line"
    return max(lines, key=len)


def _a_private_line(name: str, folder: Path) -> str:
    public = _public_text(name)
    lines = [line for line in leaks.private_lines([folder]) if line not in public]
    assert lines, f"{folder} has no distinctive line"
    return lines[len(lines) // 2]


def _edit_notebook(path: Path, edit) -> None:
    notebook = nbformat.read(path, as_version=4)
    edit(notebook)
    nbformat.write(notebook, path)


def _first_cell(notebook, role: str):
    return next(c for c in notebook.cells if _role(c) == role)


def _plant_in_solution_cell(text: str):
    def edit(notebook):
        cell = _first_cell(notebook, "solution")
        cell.source = cell.source.replace(STUB, text)
    return edit


def _plant_in_markdown(text: str):
    def edit(notebook):
        cell = next(c for c in notebook.cells if c.cell_type == "markdown")
        cell.source += f"\n\n    {text}\n"
    return edit


def _plant_output(notebook):
    cell = _first_cell(notebook, "check")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="reference: 0.9731\n")]


def _plant_execution_count(notebook):
    _first_cell(notebook, "demo").execution_count = 7


def _plant_hidden_tests(notebook):
    cell = _first_cell(notebook, "test")
    cell.source += "\n### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS"


def _plant_bridge_call(notebook):
    _first_cell(notebook, "test").source += "\nfrom autograde_tests import engine"


def _plant_solution_marker(notebook):
    cell = _first_cell(notebook, "solution")
    cell.source = cell.source.replace("# YOUR CODE HERE", "### BEGIN SOLUTION")


SECRET = "MOONS_MIN_TEST_ACCURACY = 0.9731  # hidden threshold"


def _planted_leaks(name: str, secret_dir: Path):
    """(label, plant(release_dir), text the report must contain) for every kind of leak."""
    nb = COURSE.solution_notebook(name).name
    solution_line = _a_solution_line(name)
    hidden_line = _a_private_line(name, COURSE.autograde_tests)
    grader_line = _a_private_line(name, ROOT / "grader")

    def in_nb(edit):
        return lambda d: _edit_notebook(d / nb, edit)

    def write(rel, data=b"x = 1\n"):
        def plant(d):
            (d / rel).parent.mkdir(parents=True, exist_ok=True)
            (d / rel).write_bytes(data)
        return plant

    def append(rel, text):
        return lambda d: (d / rel).write_text((d / rel).read_text() + f"\n{text}\n")

    return [
        ("a: private helper", write("solution.py"), "solution.py: file not on the release"),
        ("a: gradebook", write("gradebook.db"), "gradebook.db: file not on the release"),
        ("a: checkpoint", write(f".ipynb_checkpoints/{nb}"), ".ipynb_checkpoints/"),
        ("a: file in data", write("data/answers.txt"), "data/answers.txt: file not on"),
        ("a: second copy of hyperparameters",
         write("data/hyperparameters.json", b"{}"), "data/hyperparameters.json: file not on"),
        ("b: solution in solution cell", in_nb(_plant_in_solution_cell(solution_line)),
         "solution line"),
        ("b: solution in markdown", in_nb(_plant_in_markdown(solution_line)), "solution line"),
        ("b: solution in toy2d.py", append("toy2d.py", f"# {solution_line}"),
         "toy2d.py: contains a solution line"),
        ("c: hidden test region", in_nb(_plant_hidden_tests), "BEGIN HIDDEN TESTS"),
        ("c: grading hook", in_nb(_plant_bridge_call), "autograde_tests"),
        ("c: solution marker", in_nb(_plant_solution_marker), "BEGIN SOLUTION"),
        ("d: cell output", in_nb(_plant_output), "output"),
        ("d: execution count", in_nb(_plant_execution_count), "execution count 7"),
        ("e: hidden-test line in notebook", in_nb(_plant_in_solution_cell(hidden_line)),
         "line of private file"),
        ("e: grader line in markdown", in_nb(_plant_in_markdown(grader_line)),
         "line of private file"),
        ("e: threshold in hyperparameters", append("hyperparameters.json", SECRET),
         "hyperparameters.json: contains a line of private file secret.py"),
    ]


@pytest.mark.parametrize("name", [ASSIGNMENTS[0], *(pytest.param(a, marks=pytest.mark.full)
                                                    for a in ASSIGNMENTS[1:])])
def test_leak_detector_reports_every_planted_leak(name, tmp_path):
    """Every kind of leak planted in a copy of the release is reported (the detector is one
    function for every assignment: `make test` plants in the first assignment's release,
    `make test-full` in each; test_committed_release_has_no_leaks scans every release)."""
    secret_dir = tmp_path / "secret"
    secret_dir.mkdir()
    (secret_dir / "secret.py").write_text(f"{SECRET}\n")
    private_dirs = [*PRIVATE_DIRS, secret_dir]
    # Every leak is planted in a fresh copy of the committed release, which is clean (checked
    # once: a scan costs seconds, and every copy is the same files).
    clean = tmp_path / "clean"
    shutil.copytree(COURSE.assignments / name, clean)
    assert _find_leaks(clean, name, private_dirs) == [], "the copy of the release is not clean"
    missed = []
    for label, plant, expected in _planted_leaks(name, secret_dir):
        copy = tmp_path / label.replace(" ", "_").replace(":", "")
        shutil.copytree(COURSE.assignments / name, copy)
        plant(copy)
        found = _find_leaks(copy, name, private_dirs)
        if not any(expected in message for message in found):
            missed.append(f"{label}: expected a report containing {expected!r}, got {found}")
    assert not missed, "\n".join(missed)


# ---------------------------------------------------------------------------------------------
# Running the notebooks.
# ---------------------------------------------------------------------------------------------

def _execute(notebook, cwd: Path, *, allow_errors: bool, extra_check: str):
    """Run `notebook` top to bottom in a fresh python3 kernel with `cwd` as working folder.

    `extra_check` is appended as a last cell; it proves which Python the kernel is.
    """
    notebook.cells.append(nbformat.v4.new_code_cell(extra_check))
    client = NotebookClient(notebook, kernel_name="python3", timeout=600, startup_timeout=120,
                            allow_errors=allow_errors, resources={"metadata": {"path": str(cwd)}})
    client.execute()
    last = notebook.cells.pop()
    text = "".join(o.get("text", "") for o in last.outputs if o.output_type == "stream")
    return text.strip()


def _errors(cell) -> list[str]:
    return [o.ename for o in cell.get("outputs", []) if o.output_type == "error"]


def _stream(cell, name: str = "stdout") -> str:
    return "".join(o.text for o in cell.get("outputs", [])
                   if o.output_type == "stream" and o.name == name)


@pytest.mark.slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solution_notebook_runs_and_grade_cells_refuse_a_kernel(name):
    """In a kernel the source notebook runs: every check passes and every demo runs, while every
    grade cell only raises (grading happens in the kit's sandbox, never beside student code)."""
    notebook = _source_nb(name)
    kernel = _execute(notebook, COURSE.solutions / name, allow_errors=True,
                      extra_check="import sys\nprint(sys.prefix)")
    assert kernel == sys.prefix, f"the python3 kernel runs {kernel!r}, not this environment"
    problems = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
        errors = _errors(cell)
        role = _role(cell)
        if role == "test":
            tb = [o for o in cell.outputs if o.output_type == "error"]
            if not tb or tb[0].ename != "RuntimeError" or "grader nbgrader setup" not in tb[0].evalue:
                problems.append(f"{grade_id}: ran in a kernel without refusing to grade")
            continue
        if errors:
            tb = [o for o in cell.outputs if o.output_type == "error"][0]
            problems.append(f"{grade_id}: {errors[0]}: {tb.evalue}")
            continue
        if role == "check" and "all checks passed" not in _stream(cell):
            problems.append(f"{grade_id}: did not print 'all checks passed'")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_released_notebook_runs_to_not_implemented_errors(name, tmp_path):
    # Run in a copy: importing toy2d.py from the release folder would write __pycache__ there.
    folder = tmp_path / name
    shutil.copytree(COURSE.assignments / name, folder)
    notebook = _released_nb(name)
    loader = _execute(notebook, folder, allow_errors=True,
                      extra_check="import toy2d\nprint(toy2d.__file__)")
    assert Path(loader) == folder / "toy2d.py", f"the release imported toy2d from {loader}"
    problems = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
        errors = _errors(cell)
        if any(e != "NotImplementedError" for e in errors):
            problems.append(f"{grade_id}: raised {errors}")
        role = _role(cell)
        if role == "setup" and errors:
            problems.append(f"{grade_id}: a setup cell failed")
        if role == "check" and errors != ["NotImplementedError"]:
            problems.append(f"{grade_id}: expected NotImplementedError, got {errors}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# Command-line errors.
# ---------------------------------------------------------------------------------------------

def test_release_of_unknown_assignment_is_one_line():
    env = {k: v for k, v in os.environ.items() if k != ROOT_ENV}
    done = subprocess.run([sys.executable, "-m", "grader.cli", "release", "nonsense"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "nonsense" in done.stderr, done.stderr


def test_release_without_nbgrader_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "nbgrader.apps", None)  # makes the import fail
    assert main(["release"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "install the 'instructor' extra" in err, err


# ---------------------------------------------------------------------------------------------
# `grader release --check`: the TA's gate on the generated files.
# ---------------------------------------------------------------------------------------------

@pytest.mark.slow
@needs_nbgrader
def test_release_check_names_each_stale_file_and_what_to_run(course_copy, capsys):
    """A check cell edited without `make release`: the gate says which released files are stale,
    what they are made from and what to run, and writes nothing; the honest twin (the committed
    release) passes."""
    name = ASSIGNMENTS[0]
    assert main(["release", "--check", name]) == 0, capsys.readouterr().out
    capsys.readouterr()
    path = course_copy.solution_notebook(name)
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if _role(c) == "check")
    cell.source += "\nassert True, 'one more check'"
    nbformat.write(nb, path)
    before = _tree(course_copy.assignments / name)
    assert main(["release", "--check", name]) == 1
    out = capsys.readouterr().out
    assert f"assignments/{name}/check.py: out of date (made from the check cells of solutions/{name}/" in out
    assert f"assignments/{name}/{path.name}: out of date (made from solutions/{name}/)" in out
    assert "run `make release`" in out
    assert _tree(course_copy.assignments / name) == before


@pytest.mark.slow
@needs_nbgrader
def test_release_check_names_the_cell_when_a_marker_is_misplaced(course_copy, capsys):
    """A solution region pasted into a check cell: nbgrader would fail after a long traceback (or
    ship it); the gate names the cell and the source to fix."""
    name = ASSIGNMENTS[0]
    path = course_copy.solution_notebook(name)
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if _role(c) == "check")
    cell.source = "### BEGIN SOLUTION\n" + cell.source + "\n### END SOLUTION"
    nbformat.write(nb, path)
    assert main(["release", "--check", name]) == 1
    out = capsys.readouterr().out
    gid = cell.metadata["nbgrader"]["grade_id"]
    assert f"({gid}): holds '### BEGIN SOLUTION', which belongs in a solution cell only" in out
    assert "a line naming solutions/ is a notebook to fix first" in out
