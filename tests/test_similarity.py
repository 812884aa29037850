"""`grader similarity`: copies rank above independent work, the release scores 0, hostile files
give one line each and never stop the report. Student code is only read here, never run.

The class (tests/similarity/make_class.py): the example class of nn_from_scratch (the reference
with each student's changes: independent of one another), the independent solution
(tests/independent/), and a student with a solution of her own (tests/similarity/original_...)
whom six others copy, each with one disguise (renamed names, reordered functions, other comments
and whitespace, dead code, np.dot for @) and one with all of them at once.
"""

from __future__ import annotations

import csv
import html
import itertools
import json
import shutil
import sys
from pathlib import Path

import pytest

from grader.cli import main
from grader.similarity import fingerprint, normalize
from grader.similarity.compare import MIN_FINGERPRINTS

sys.path.insert(0, str(Path(__file__).resolve().parent / "similarity"))
import make_class  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NAME = "nn_from_scratch"
RELEASE = ROOT / "assignments" / NAME / f"{NAME}.ipynb"
SOURCE = ROOT / "solutions" / NAME / f"{NAME}.ipynb"
EXAMPLES = ROOT / "examples" / NAME / "submitted"
COPIERS = {f"copy_{how}" for how in make_class.DISGUISES if how != "verbatim"}
COPY_GROUP = COPIERS | {"orig_source"}


def build_class(root: Path) -> Path:
    shutil.copytree(EXAMPLES, root)
    owner = make_class.reference_cells(SOURCE)
    original = make_class.functions(make_class.ORIGINAL.read_text(encoding="utf-8"))
    independent = make_class.functions(make_class.INDEPENDENT.read_text(encoding="utf-8"))
    make_class.write(make_class.notebook(RELEASE, owner, independent), root, "zed_independent",
                     NAME, RELEASE.name)
    make_class.write(make_class.notebook(RELEASE, owner, original), root, "orig_source", NAME,
                     RELEASE.name)
    for how in make_class.DISGUISES[1:]:
        funcs, reordered = make_class.disguised(original, how)
        make_class.write(make_class.notebook(RELEASE, owner, funcs, reordered), root,
                         f"copy_{how}", NAME, RELEASE.name)
    return root


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """(exit status, printed output, output folder, pair scores) of `grader similarity` on the
    generated class plus hostile files."""
    import contextlib
    import io

    base = tmp_path_factory.mktemp("similarity")
    klass = build_class(base / "class")
    hostile = {
        "junk_binary": bytes(range(256)) * 64,
        "junk_text": b"print('not a notebook')\n",
        "junk_empty": b"",
        "junk_deep": b"[" * 100_000 + b"]" * 100_000,
    }
    for student, data in hostile.items():
        make_class.write(data, klass, student, NAME, RELEASE.name) if False else None
        path = klass / student / NAME / RELEASE.name
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
    huge = make_class.notebook(RELEASE, {}, {}, extra="x = 1\n" * 20_000)
    make_class.write(huge, klass, "junk_huge_cell", NAME, RELEASE.name)
    (klass / "junk_renamed" / NAME).mkdir(parents=True)
    (klass / "junk_renamed" / NAME / "mine.ipynb").write_text("{}")
    out = base / "out"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = main(["similarity", str(klass), "--assignment", NAME, "--out", str(out),
                       "--jobs", "2"])
    with (out / "similarity.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    scores = {frozenset((r["student_a"], r["student_b"])): float(r["score"]) for r in rows}
    students = sorted(p.name for p in klass.iterdir())
    return status, printed.getvalue(), out, scores, students


def _score(scores, a, b):
    return scores.get(frozenset((a, b)), 0.0)


def test_every_copy_pair_ranks_above_every_independent_pair(compared):
    status, _, _, scores, students = compared
    assert status == 0
    honest = [s for s in students if not s.startswith("junk_")]
    assert len(honest) == 16 + 1 + len(COPY_GROUP)
    copy_pairs = [frozenset(p) for p in itertools.combinations(sorted(COPY_GROUP), 2)]
    independent = [frozenset(p) for p in itertools.combinations(honest, 2)
                   if not set(p) <= COPY_GROUP]
    lowest_copy = min(_score(scores, *p) for p in copy_pairs)
    highest_independent = max(independent, key=lambda p: _score(scores, *p))
    assert lowest_copy > _score(scores, *highest_independent), (lowest_copy, highest_independent)
    # and by a margin an instructor can see, on both sides of the default threshold
    assert lowest_copy >= 0.5 > 0.2 >= _score(scores, *highest_independent)


@pytest.mark.parametrize("copier", sorted(COPIERS))
def test_each_disguise_is_seen_through(compared, copier):
    scores = compared[3]
    assert _score(scores, "orig_source", copier) >= 0.7


def test_the_release_alone_scores_zero_against_everyone(compared):
    _, _, _, scores, students = compared
    for student in students:   # hal_stubs hands in the release; ada_perfect the reference
        assert _score(scores, "hal_stubs", student) == 0.0
        assert _score(scores, "ada_perfect", student) == 0.0


def test_hostile_files_give_one_line_each_and_the_report_goes_on(compared):
    status, printed, out, _, students = compared
    assert status == 0
    lines = printed.splitlines()
    for student in ("junk_binary", "junk_text", "junk_empty", "junk_deep", "junk_renamed"):
        mine = [line for line in lines if line.startswith(f"not compared: {student}:")]
        assert len(mine) == 1, (student, printed)
    assert any("junk_huge_cell" in line and "left out" in line for line in lines)
    page = (out / "similarity.html").read_text(encoding="utf-8")
    assert "junk_binary" in page and "copy_all" in page
    summary = json.loads((out / "similarity.json").read_text(encoding="utf-8"))
    assert {n["student"] for n in summary["not_compared"]} == {
        "junk_binary", "junk_text", "junk_empty", "junk_deep", "junk_renamed"}


def test_csv_and_page(compared):
    _, _, out, scores, _ = compared
    rows = list(csv.reader((out / "similarity.csv").open(encoding="utf-8")))
    assert rows[0][:3] == ["student_a", "student_b", "score"]
    values = [float(r[2]) for r in rows[1:]]
    assert values == sorted(values, reverse=True) and all(0 <= v <= 1 for v in values)
    assert (out / "similarity.png").read_bytes().startswith(b"\x89PNG")
    page = (out / "similarity.html").read_text(encoding="utf-8")
    assert "<mark>" in page and "<script" not in page


def test_student_code_is_escaped_in_the_page(tmp_path):
    """Code and student ids reach the page escaped: a copied `</div><script>` stays text."""
    owner = make_class.reference_cells(SOURCE)
    original = make_class.functions(make_class.ORIGINAL.read_text(encoding="utf-8"))
    payload = "\n    note = '</div><script>alert(1)</script>'\n"
    original["softmax"] = original["softmax"].replace("\n", payload, 1)
    for student in ("a_one", "b_two"):
        make_class.write(make_class.notebook(RELEASE, owner, original), tmp_path / "c", student,
                         NAME, RELEASE.name)
    assert main(["similarity", str(tmp_path / "c"), "--out", str(tmp_path / "o"), "--jobs", "1",
                 "--assignment", NAME]) == 0
    page = (tmp_path / "o" / "similarity.html").read_text(encoding="utf-8")
    assert "<script>" not in page and html.escape("<script>alert(1)</script>", quote=True) in page


def test_past_classes_are_compared_with_the_class(tmp_path):
    owner = make_class.reference_cells(SOURCE)
    original = make_class.functions(make_class.ORIGINAL.read_text(encoding="utf-8"))
    independent = make_class.functions(make_class.INDEPENDENT.read_text(encoding="utf-8"))
    funcs, reordered = make_class.disguised(original, "renamed")
    make_class.write(make_class.notebook(RELEASE, owner, funcs, reordered), tmp_path / "now",
                     "kai", NAME, RELEASE.name)
    make_class.write(make_class.notebook(RELEASE, owner, independent), tmp_path / "now", "lea",
                     NAME, RELEASE.name)
    make_class.write(make_class.notebook(RELEASE, owner, original), tmp_path / "past" / "2024-fall",
                     "old_student", NAME, RELEASE.name)
    assert main(["similarity", str(tmp_path / "now"), "--out", str(tmp_path / "o"), "--jobs", "1",
                 "--past", str(tmp_path / "past"), "--threshold", "0.6", "--assignment", NAME]) == 0
    rows = list(csv.DictReader((tmp_path / "o" / "similarity.csv").open(encoding="utf-8")))
    top = rows[0]
    assert (top["student_a"], top["student_b"], top["past_class"]) == ("kai", "2024-fall/old_student",
                                                                         "2024-fall")
    assert float(top["score"]) >= 0.9
    assert all(float(r["score"]) < 0.2 for r in rows[1:])


def test_threshold_comes_from_the_course_file(course_copy, tmp_path):
    course_json = course_copy.solutions / "course.json"
    data = json.loads(course_json.read_text(encoding="utf-8"))
    data["similarity_threshold"] = 0.9
    data["assignments"][NAME]["similarity_threshold"] = 0.25
    course_json.write_text(json.dumps(data), encoding="utf-8")
    from grader.course import course_file

    settings = course_file.load(course_copy)
    assert settings.similarity_threshold_of(NAME) == 0.25
    assert settings.similarity_threshold_of("training_networks") == 0.9
    data["similarity_threshold"] = 2
    course_json.write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "class").mkdir()
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["similarity", str(tmp_path / "class"), "--assignment", NAME]) == 2
    assert err.getvalue().count("\n") == 1 and "similarity_threshold" in err.getvalue()


@pytest.mark.parametrize("argv, says", [
    (["similarity", "/nonexistent/class"], "submissions folder not found"),
    (["similarity", ".", "--threshold", "1.5"], "--threshold"),
    (["similarity", ".", "--past", "/nonexistent/past"], "past classes folder not found"),
])
def test_usage_errors_are_one_line(argv, says, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err


# ------------------------------------------------------------------ the normalization, unit by unit

@pytest.mark.parametrize("call, operator", [
    ("y = np.dot(X, W) + b", "y = X @ W + b"),
    ("y = numpy.matmul(X, W)", "y = X @ W"),
    ("y = X.dot(W)", "y = X @ W"),
    ("g = np.dot(dZ, W.T)", "g = dZ @ W.T"),
    ("z = np.dot(a + 1, b).T", "z = ((a + 1) @ b).T"),
    ("z = np.dot(np.dot(a, b), c)", "z = a @ b @ c"),
])
def test_products_written_as_calls_give_the_operators_tokens(call, operator):
    assert fingerprint.filtered(call)[0] == fingerprint.filtered(operator)[0]


def test_the_rewrite_keeps_lines_and_leaves_the_rest():
    source = "h = np.dot(x,\n           w)\ns = np.sum(h)\nbroken = ("
    assert normalize.rewrite_products(source) == source          # does not parse: as it is
    source = "h = np.dot(x,\n           w)\ns = np.sum(h)"
    rewritten = normalize.rewrite_products(source)
    assert rewritten.count("\n") == source.count("\n") and rewritten.endswith("s = np.sum(h)")


def test_names_comments_and_whitespace_do_not_change_fingerprints():
    a = "def f(x, w):\n    # the scores\n    out = x @ w\n    return out + 1\n"
    b = "def f(inputs,weights):\n    result=inputs@weights   # other words\n\n    return result+1\n"
    assert fingerprint.filtered(a)[0] == fingerprint.filtered(b)[0]


def test_a_few_shared_lines_do_not_make_a_small_submission_a_copy():
    """One short function two students wrote alike is below MIN_FINGERPRINTS of the score."""
    boiler = fingerprint.boilerplate([])
    line = [("1", "def relu(Z):\n    return np.where(Z > 0, Z, 0.0) * np.ones_like(Z)\n")]
    mine = fingerprint.fingerprint(line, boiler)
    assert 0 < len(mine.hashes) < MIN_FINGERPRINTS


def test_autograde_option_and_report_section(tmp_path, capsys):
    """`grader autograde --similarity` writes the similarity files next to the grades, and
    `grader report` shows the flagged pair. The two students share a helper of their own in an
    added cell (their graded functions are the release's stubs, so grading is quick)."""
    original = make_class.functions(make_class.ORIGINAL.read_text(encoding="utf-8"))
    shared = "\n\n\n".join(original[f] for f in ("backward", "numerical_gradient", "train"))
    for student in ("pia", "quy"):
        make_class.write(make_class.notebook(RELEASE, {}, {}, extra=shared), tmp_path / "c",
                         student, NAME, RELEASE.name)
    (tmp_path / "c" / "rae" / NAME).mkdir(parents=True)
    (tmp_path / "c" / "rae" / NAME / RELEASE.name).write_bytes(b"\x00\xff junk")
    out = tmp_path / "out"
    assert main(["autograde", str(tmp_path / "c"), "--out", str(out), "--similarity", "--jobs", "1",
                 "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "not compared: rae:" in printed and "1 at or above 0.5" in printed
    assert (out / "grades.csv").is_file() and (out / "similarity.csv").is_file()
    assert main(["report", str(out)]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    section = page[page.index("<h2>Similar submissions</h2>"):page.index("<h2>Students</h2>")]
    assert "pia" in section and "quy" in section and "1.00" in section
    assert 'href="similarity.html"' in section
