"""The kit in the course's languages (issue 23, docs/translating.md): every message the hidden
tests, check.py, the feedback and the report write is declared once by id, rendered in English
exactly as before and in German from the catalog; grades never depend on the language; a
student's values are never templates; `grader translations update` keeps the .po files current.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import corpus as sol
import lanes
import pytest
from inprocess import InProcessStudent

from autograde_tests import engine, messages
from autograde_tests.compare import NOT_ARRAY, Fail
from autograde_tests.messages import Text, message
from grader.cli import main
from grader.grading import results, texts
from grader.paths import course
from grader.release import catalogs, example_class, student_check
from nnkit_contract import i18n

ROOT = Path(__file__).resolve().parent.parent
#: Placeholder- and format-looking text a student controls (a returned string, an exception
#: message, a class name): it must come out as these characters in every language.
HOSTILE = "{name}{0}{side_by_side!r:>9999}%s%(x)s{{}}}{"
#: Words of the kit's German that an English text never holds.
GERMAN_WORDS = ("Punkte", "Rückmeldung", "bestanden")


def _kit_ids() -> dict[str, str]:
    """The messages of the kit's own texts (not an assignment's): id -> English."""
    return {k: v for k, v in catalogs.declared_messages().items()
            if ":" not in k and not k.startswith("common.")}


# ---------------------------------------------------------------------------------------------
# Declarations and the catalog
# ---------------------------------------------------------------------------------------------

def test_every_kit_message_has_current_german():
    """The kit's own messages (compare, probes, stable, engine, check, feedback, report) all have
    a German text that is compiled (not fuzzy, not stale), with the English's placeholders."""
    compiled = i18n.catalog()
    missing = [mid for mid in _kit_ids() if "de" not in compiled.get(mid, {})]
    assert not missing, f"no current German for {missing}"
    for mid, english in _kit_ids().items():
        assert i18n.placeholders(compiled[mid]["de"]) == i18n.placeholders(english), mid


def test_every_failure_of_the_hidden_tests_has_an_id():
    """No `Fail("...")` with a bare text is left in the hidden tests: every message a student
    reads from them is declared (a bare text could not be translated)."""
    import ast

    bare = []
    for path in sorted((ROOT / "autograde_tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Fail" and node.args \
                    and isinstance(node.args[0], ast.Constant | ast.JoinedStr | ast.BinOp):
                bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bare, f"Fail with a bare text (declare a message): {bare}"


def test_message_ids_are_scoped_and_checked():
    """A spec's message is keyed <assignment>:<id>; a helper's id names its module; a bad id or
    a placeholder that is not a plain name is refused where it is declared."""
    keys = set(messages.declared("nn_from_scratch"))
    assert "nn_from_scratch:forward.not-tuple" in keys and "compare.not-array" in keys
    assert "training_networks:train.history-length" in set(messages.declared("training_networks"))
    with pytest.raises(ValueError, match="not <scope>.<what>"):
        message("Bad Id", "text")
    with pytest.raises(ValueError):   # declared outside autograde_tests
        message("tests.something", "text")
    with pytest.raises(ValueError, match="plain name"):
        Text("x.y", "{a.b}", {"a": 1})


# ---------------------------------------------------------------------------------------------
# A student's values are never templates (hostile)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "de"])
def test_values_that_look_like_templates_stay_text(lang):
    """A value with braces, %-formats and a huge format spec renders as those characters, once,
    in English and German; nested texts too; its length is its own, nothing expands."""
    long = HOSTILE * 2000
    text = NOT_ARRAY(name=HOSTILE, kind=HOSTILE, value=long)
    out = text.render(lang)
    assert out.count(HOSTILE) == 2 + 2000
    template = i18n.template(text.message_id, lang, text.english)
    assert len(out) == len(template) - len("{name}{kind}{value}") + len(HOSTILE) * 2002
    nested = Fail(messages.Text("compare.with-note", "{message}\n  {note}",
                                {"message": text, "note": HOSTILE}))
    assert nested.render(lang).count(HOSTILE) == 2003
    again = Text.from_json(json.loads(json.dumps(nested.text.to_json())))
    assert again.render(lang) == nested.render(lang)


def test_a_hostile_answer_is_graded_the_same_and_rendered_literally():
    """A submission whose softmax returns a string full of placeholders and format specs: the
    check fails as before (not an error of the grader), and its message, stored as id and
    values, renders in German with the student's characters as they are (cut to the excerpt)."""
    ns = dict(sol.reference_namespace("nn_from_scratch"))
    ns["softmax"] = lambda logits: HOSTILE * 500
    check = next(c for c in engine.all_checks("nn_from_scratch") if c.id == "softmax.values")
    r = engine.run_check(check, InProcessStudent(ns), 7, sol.ref("nn_from_scratch")).to_json()
    assert r["status"] == "failed" and r["text"]["id"] == "compare.not-array", r
    stored = json.loads(json.dumps(r))
    assert engine.message_in(stored, "en") == r["message"]
    german = engine.message_in(stored, "de")
    assert german != r["message"] and "NumPy-Array" in german
    excerpt = r["text"]["values"]["value"]
    assert excerpt in german and len(excerpt) <= 120 and len(german) < 400


def test_a_result_without_a_text_record_keeps_its_message():
    """Results written before the ids (or a sandbox failure without one) render as stored; an id
    the catalog does not know falls back to the stored English instead of failing."""
    t = {"message": "timed out: " + HOSTILE, "text": None}
    assert texts.test_message(t, "de") == t["message"]
    t = {"message": "old", "text": {"id": "no.such-id", "values": {}}}
    assert texts.test_message(t, "de") == "old"


def _labelled_result() -> dict:
    """A result with a confirmed diagnosis, a common one, the NumPy-version note (a cause that is no
    declared diagnosis) and a label that differs from the catalog's (an older run)."""
    def test(id: str, diagnosis: str | None, diagnosis_id: str | None) -> dict:
        return {"id": id, "function": id.split(".")[0], "points": 0.0, "max_points": 1.0,
                "status": "failed", "message": "wrong", "diagnosis": diagnosis,
                "diagnosis_id": diagnosis_id, "text": None, "duration": 0.0}

    return {"student": "s1", "assignment": "nn_from_scratch", "status": "graded", "score": 0.0,
            "max_score": 4.0, "grader_version": "x",
            "tests": [test("init_params.shape", "W transposed", "init_params.w-transposed"),
                      test("relu.unchanged", "input changed in place", "common.input-changed"),
                      test("softmax.values", "the ValueError was raised by a NumPy call", None),
                      test("forward.values", "an older label", "forward.relu-after-last")]}


def test_cause_labels_are_shown_in_the_runs_language():
    """Feedback, the nbgrader cell report, Gradescope's output and report.html show a confirmed
    cause's label in the run's language (its catalog entry `<diagnosis message id>.label`), and
    in English exactly the stored label; a cause that is no declared diagnosis, or a label the
    catalog does not have with that English, stays as stored."""
    from grader import gradescope
    from grader.report import page

    r = _labelled_result()
    english = results.feedback_markdown(r)
    assert "    *Cause (confirmed): W transposed.*" in english.splitlines()
    assert "    *Cause (confirmed): input changed in place.*" in english.splitlines()
    assert "       cause (confirmed): W transposed" in results.cell_report(r, "init_params").splitlines()
    german = results.feedback_markdown(r, "de")
    assert "    *Ursache (bestätigt): W transponiert.*" in german.splitlines()
    assert "    *Ursache (bestätigt): Eingabe direkt (in place) verändert.*" in german.splitlines()
    assert "Ursache (bestätigt): the ValueError was raised by a NumPy call." in german
    assert "Ursache (bestätigt): an older label." in german
    assert "Ursache (bestätigt): W transponiert" in results.cell_report(r, "init_params", "de")

    outputs = {lang: [t["output"] for t in gradescope.gradescope_results(
        r, {"lang": lang}, "bubblewrap")["tests"]] for lang in ("en", "de")}
    assert outputs["en"][0] == "wrong\nCause (confirmed): W transposed."
    assert outputs["de"][0].endswith("\nUrsache (bestätigt): W transponiert.")

    summary = page.summarize([r])
    pngs = {"scores.png": b"", "exercises.png": b"", "tests.png": b""}
    assert "W transponiert" in page.render(summary, pngs, lang="de")
    shown = page.render(summary, pngs)
    assert "W transposed" in shown and "W transponiert" not in shown


# ---------------------------------------------------------------------------------------------
# The example class in English and German: the same numbers, German words
# ---------------------------------------------------------------------------------------------

def _numbers(r: dict) -> dict:
    return {"status": r["status"], "score": r["score"], "max_score": r["max_score"],
            "tests": [(t["id"], t["status"], t["points"], t["max_points"], t.get("diagnosis_id"))
                      for t in r["tests"]]}


@pytest.fixture(scope="module")
def german_class(demo, tmp_path_factory, full):
    """The demo's nn_from_scratch class graded again with --lang de, the demo's run seed and its
    CPU limit per call: in `make test` the students that show every status (tests/lanes.py), in
    `make test-full` the whole class. Returns (English folder, German folder, German students)."""
    _, _, out = demo
    english = out / "nn_from_scratch"
    run = json.loads((english / "run.json").read_text())
    submitted = ROOT / "examples" / "nn_from_scratch" / "submitted"
    expected = example_class.load_expected(course(), "nn_from_scratch")
    students = sorted(expected["students"]) if full else lanes.covering_students(expected)
    if not full:
        chosen = tmp_path_factory.mktemp("de-submitted")
        for student in students:
            shutil.copytree(submitted / student, chosen / student)
        submitted = chosen
    german = tmp_path_factory.mktemp("de") / "graded"
    status = main(["autograde", str(submitted),
                   "--assignment", "nn_from_scratch", "--out", str(german), "--seed", str(run["seed"]),
                   "--timeout", str(run["call_cpu"]), "--lang", "de", "--no-progress", "--jobs", "2"])
    assert status == 0
    return english, german, students


@pytest.mark.slow
def test_example_class_grades_identically_in_english_and_german(german_class):
    """Every student's status, score and maximum, every check's status, points and diagnosis,
    and every cell of grades.csv are the same in both languages."""
    english, german, students = german_class
    en = {r["student"]: r for r in results.load_results(english)}
    de = {r["student"]: r for r in results.load_results(german)}
    assert sorted(de) == students and set(de) <= set(en) and len(en) >= 12
    for student in de:
        assert _numbers(en[student]) == _numbers(de[student]), student
        # ... and the stored record of every message is the same (only its rendering differs).
        assert [t.get("text") for t in en[student]["tests"]] == \
            [t.get("text") for t in de[student]["tests"]], student
    with open(english / "grades.csv") as a, open(german / "grades.csv") as b:
        head, *rows = list(csv.reader(a))
        assert [head, *(r for r in rows if r[0] in de)] == list(csv.reader(b))
    assert json.loads((german / "run.json").read_text())["lang"] == "de"


@pytest.mark.slow
def test_german_feedback_is_german_and_english_is_unchanged(german_class):
    """The German feedback holds German text (headings, status words, the helpers' messages);
    every stored message renders back to its English exactly (so the record loses nothing)."""
    english, german, _ = german_class
    for r in results.load_results(german):
        for t in r["tests"]:
            assert engine.message_in(t, "en") == t["message"], (r["student"], t["id"])
    feedback = [p.read_text(encoding="utf-8") for p in (german / "students").rglob("*.feedback.md")]
    assert feedback and all("Rückmeldung für" in f and "**Punkte:" in f for f in feedback)
    joined = "\n".join(feedback)
    assert all(word in joined for word in GERMAN_WORDS), [w for w in GERMAN_WORDS if w not in joined]
    # Every failed check whose message has a German text shows that text, line by line.
    compiled, shown = i18n.catalog(), 0
    for r in results.load_results(german):
        own = results.feedback_path(german, r["student"], r["assignment"]).read_text(encoding="utf-8")
        for t in r["tests"]:
            if t["status"] == "failed" and t.get("text") and "de" in compiled.get(t["text"]["id"], {}):
                german_message = engine.message_in(t, "de")
                assert german_message != t["message"], (r["student"], t["id"])
                assert all(line in own for line in german_message.splitlines()), (r["student"], t["id"])
                shown += 1
    assert shown, "no failed check of the example class has a German message"
    # ... and every confirmed cause its German label.
    labels = 0
    for r in results.load_results(german):
        own = results.feedback_path(german, r["student"], r["assignment"]).read_text(encoding="utf-8")
        for t in r["tests"]:
            if t.get("diagnosis_id"):
                label = texts.cause_label(t, r["assignment"], "de")
                assert label != t["diagnosis"] and f"Ursache (bestätigt): {label}." in own, t["id"]
                labels += 1
    assert labels, "no check of the example class names a cause"
    english_feedback = "\n".join(p.read_text(encoding="utf-8")
                                 for p in (english / "students").rglob("*.feedback.md"))
    assert not any(word in english_feedback for word in ("Rückmeldung", "**Punkte:"))


@pytest.mark.slow
def test_german_report_page(german_class, tmp_path):
    """report.html of a German run is German (lang attribute, headings), English otherwise."""
    _, german, _ = german_class
    folder = tmp_path / "graded"
    shutil.copytree(german, folder)
    assert main(["report", str(folder)]) == 0
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert '<html lang="de">' in page and "Bewertungsbericht" in page and "Punktzahlen" in page


def test_unknown_language_is_one_clear_error(tmp_path, capsys):
    status = main(["autograde", str(ROOT / "examples" / "nn_from_scratch" / "submitted"),
                   "--assignment", "nn_from_scratch", "--out", str(tmp_path / "o"), "--lang", "xx"])
    assert status != 0 and "no catalog" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# check.py in German
# ---------------------------------------------------------------------------------------------

def test_german_check_py_speaks_german_with_literal_student_text(tmp_path):
    """check.py built for German: its table, summary and hints are German, and an exception text
    of the student's full of placeholders comes out as it is."""
    import subprocess
    import sys

    import nbformat

    from grader.paths import Course
    from grader.release.check_script import check_script
    from grader.release.classgen import make_submission, reference_answers

    course = Course(ROOT)
    folder = tmp_path / "nn_from_scratch"
    shutil.copytree(course.assignments / "nn_from_scratch", folder,
                    ignore=shutil.ignore_patterns("__pycache__"))
    source = course.solution_notebook("nn_from_scratch")
    (folder / "check.py").write_bytes(check_script(source, "de"))
    nb = make_submission(folder / source.name, reference_answers(source), None)
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "solution-softmax":
            cell.source += f"\n\ndef softmax(logits):\n    raise ValueError({HOSTILE!r})\n"
    nbformat.write(nb, folder / source.name)
    done = subprocess.run([sys.executable, "check.py", "-v"], cwd=folder, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "Übung" in out and "bestanden" in out and "Checks bestanden" in out, out
    assert f"ValueError in softmax: {HOSTILE}" in out, out
    # The module itself (what `grader check` runs) stays English and catalog-free.
    assert student_check.LANGUAGE == "en" and student_check.CATALOG is None


# ---------------------------------------------------------------------------------------------
# grader translations update
# ---------------------------------------------------------------------------------------------

def test_translations_update_marks_changed_english_fuzzy(tmp_path, monkeypatch):
    """A message whose English changed keeps its German, marked fuzzy with the old English as
    `#| msgid` (and is then not compiled); a message without an entry becomes new and empty; an
    entry no message declares becomes obsolete. A second update changes nothing."""
    from babel.messages.pofile import read_po, write_po

    locale = tmp_path / "locale"
    shutil.copytree(catalogs.LOCALE, locale)
    path = locale / "de.po"
    with open(path, "rb") as f:
        cat = read_po(f)
    changed, removed = "compare.wrong-shape", "check.summary"
    for m in list(cat):
        if m.context == changed:   # as if the English had been different when it was translated
            cat.delete(m.id, m.context)
            cat.add("{name} has the shape {shape}, not {expected}", m.string, context=changed)
        elif m.context == removed:
            cat.delete(m.id, m.context)
    cat.add("an old message", "eine alte Meldung", context="compare.gone")
    with open(path, "wb") as f:
        write_po(f, cat, width=100)

    report = catalogs.update_po("de", root=tmp_path)
    assert report["changed"] == [changed] and report["new"] == [removed]
    assert "compare.gone" in report["obsolete"]
    entries = catalogs.read_po(path)
    assert entries[changed].fuzzy and entries[changed].text.startswith("{name} hat die Form")
    assert entries[changed].english == catalogs.declared_messages()[changed]
    assert entries[removed].text == ""
    assert "# English before: {name} has the shape" in path.read_text(encoding="utf-8")
    compiled = catalogs.compiled(languages={"de": entries})
    assert "de" not in compiled[changed] and "de" not in compiled[removed]
    before = path.read_bytes()
    assert catalogs.update_po("de", root=tmp_path) == {"new": [], "changed": [],
                                                       "obsolete": report["obsolete"]}
    assert path.read_bytes() == before


@pytest.mark.gate
def test_committed_catalogs_are_updated(tmp_path):
    """The committed de.po is what `grader translations update` makes of it (no message left
    out, nothing changed unmarked)."""
    shutil.copytree(catalogs.LOCALE, tmp_path / "locale")
    report = catalogs.update_po("de", root=tmp_path)
    assert not report["changed"], report["changed"]
    assert (tmp_path / "locale" / "de.po").read_bytes() == (catalogs.LOCALE / "de.po").read_bytes(), \
        "nnkit_contract/locale/de.po is not current: run `grader translations update`"


def test_translations_update_unknown_language(capsys):
    assert main(["translations", "update", "--lang", "xx"]) != 0
    assert "no catalog" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# The dataset helper in German
# ---------------------------------------------------------------------------------------------

def test_toy2d_in_german_and_english_unchanged(tmp_path):
    """toy2d.py for German names its language and carries its German messages; its errors and
    plot labels are German; the English release is the module's bytes as they are."""
    import importlib.util

    import toy2d

    from grader.release.check_script import toy2d_script

    source = Path(toy2d.__file__).read_bytes()
    assert toy2d_script(source) == source
    folder = tmp_path / "release"
    shutil.copytree(Path(toy2d.__file__).parent / "data", folder / "data")
    (folder / "toy2d.py").write_bytes(toy2d_script(source, "de"))
    spec = importlib.util.spec_from_file_location("toy2d_de", folder / "toy2d.py")
    german = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(german)
    assert german.LANGUAGE == "de" and set(german.CATALOG) == set(toy2d.MESSAGES)
    with pytest.raises(ValueError, match="unbekannter Datensatz 'nope'"):
        german.load_dataset("nope")
    with pytest.raises(ValueError, match="unknown dataset"):
        toy2d.load_dataset("nope")
    with pytest.raises(ValueError, match=r"unbekannter Datensatz '\{name\}%s'"):
        german.load_dataset("{name}%s")   # a student's text is never a template
    X, y, _, _ = german.load_dataset("moons")
    ax = german.plot_dataset(X, y)
    assert ax.get_xlabel() == "Merkmal 0"
    assert [t.get_text() for t in ax.get_legend().get_texts()][0] == "Klasse 0"


def test_a_call_without_an_answer_keeps_its_status_and_speaks_german():
    """A call that timed out: the check's status and points are the sandbox's verdict as before;
    the kit's prefix is a message (German in a German run), the sandbox's own words are kept."""
    from nnkit_contract.outcomes import CallTimedOut

    class Stuck:
        def new_check(self):
            pass

        def call(self, *args, **kwargs):
            raise CallTimedOut("used more than 10 s of CPU " + HOSTILE)

    check = next(c for c in engine.all_checks("nn_from_scratch") if c.id == "softmax.values")
    r = engine.run_check(check, Stuck(), 0, sol.ref("nn_from_scratch")).to_json()
    assert r["status"] == "timeout" and r["points"] == 0
    assert r["message"] == "timed out: used more than 10 s of CPU " + HOSTILE
    assert r["text"]["id"] == "engine.call-timeout"
    assert engine.message_in(r, "de") == "Zeit überschritten: used more than 10 s of CPU " + HOSTILE
