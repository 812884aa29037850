"""Releases per language (issue 23, docs/translating.md): one source notebook, paired cells.

- the language build (grader/release/languages.py): twins replace their default cell and take
  its id and grade id, docstrings are swapped in by `ast` position, tagged check-cell messages
  take the catalog's template, a code cell's translated string literals (plot titles, labels,
  printed lines) replace their English tokens, an f-string's {fields} kept as written; a stale
  translation is an error naming its text; the default language's notebook is the source without
  twins;
- every release has the same code (ast without docstrings, message words and the swapped
  literals' words), the same cell ids and grade ids;
- no English sentence in a German release (a stop-word test; a demo cell's string literals by
  their words), and the test finds one planted;
- the German release's check.py passes the reference and names a bug in German;
- hostile: a notebook of the German release graded with the English release (and the reverse)
  gets exactly the grade it gets from its own;
- lint's rules for translated cells, each one line.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from corpus import ASSIGNMENTS

from grader.course import course_file
from grader.paths import Course
from grader.release import build, lint
from grader.release.cell_messages import (
    MESSAGE_TAG,
    _message_node,
    strip_message_tags,
    translate_constant,
    translate_messages,
)
from grader.release.classgen import make_submission, reference_answers
from grader.release.english_reader import ENGLISH_WORDS, english_sentences
from grader.release.languages import (
    StringsError,
    _comment_lines,
    _docstring_nodes,
    ast_position,
    code_signature,
    docstring_starts,
    fstring_parts,
    language_notebook,
    string_literals,
    strings,
    swap_comments,
    swap_docstrings,
    swap_strings,
)
from nnkit_contract import i18n
from nnkit_contract.cells import Role, cell_role, grade_id, neutralize_magics

ROOT = Path(__file__).resolve().parent.parent
COURSE = Course(ROOT)
LANG = "de"
NAME = "nn_from_scratch"
#: Assignments whose German prose may still be missing: only while its source notebook has no
#: German cell at all (none today: both assignments have their German). Once one
#: German cell is there, the whole notebook is held to the test.
MAY_BE_UNTRANSLATED: set[str] = set()


def _source(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(COURSE.solution_notebook(assignment), as_version=4)


def _release(assignment: str, lang: str | None = None) -> Path:
    return build.release_folder(COURSE, assignment, lang) / COURSE.solution_notebook(assignment).name


def _has_german(assignment: str) -> bool:
    return any(c.metadata.get("nnkit", {}).get("lang") == LANG for c in _source(assignment).cells)


# ----------------------------------------------------------------------- the language build

def _tiny() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    md = nbformat.v4.new_markdown_cell("The mean of the inputs is what you subtract first.")
    md.id = "intro"
    twin = nbformat.v4.new_markdown_cell("Zuerst ziehen Sie den Mittelwert der Eingaben ab.")
    twin.id, twin.metadata = "intro-de", {"nnkit": {"lang": "de"}}
    code = nbformat.v4.new_code_cell('def f(x):\n    """Add one.\n\n    Inputs:\n    - x: a number.\n'
                                     '    """\n    return x + 1  # the step\n')
    code.id = "code"
    code.metadata = {"nbgrader": {"grade_id": "solution-f", "solution": True, "grade": False,
                                  "locked": False, "schema_version": 3},
                     "nnkit": {"de": {"docstrings": {"f": "Addiert eins.\n\nEingaben:\n- x: eine Zahl."}}}}
    nb.cells = [md, twin, code]
    return nb


def test_the_default_language_drops_twins_and_the_translation_metadata():
    nb = _tiny()
    en = language_notebook(nb, "en").notebook
    assert [c.id for c in en.cells] == ["intro", "code"]
    assert en.cells[0].source == nb.cells[0].source and en.cells[1].source == nb.cells[2].source
    assert all("nnkit" not in c.metadata for c in en.cells)
    assert en.cells[1].metadata["nbgrader"] == nb.cells[2].metadata["nbgrader"]


def test_another_language_takes_the_twin_with_the_default_cells_id_and_metadata():
    nb = _tiny()
    nb.cells[0].metadata = {"nbgrader": {"grade_id": "answer-x", "grade": True, "points": 1,
                                         "solution": True, "locked": False, "schema_version": 3}}
    built = language_notebook(nb, "de")
    assert built.untranslated == []
    de = built.notebook
    assert [c.id for c in de.cells] == ["intro", "code"]
    assert de.cells[0].source.startswith("Zuerst") and grade_id(de.cells[0]) == "answer-x"
    assert '"""\n    Addiert eins.\n\n    Eingaben:\n    - x: eine Zahl.\n    """' in de.cells[1].source
    assert "return x + 1  # the step" in de.cells[1].source
    assert code_signature(de) == code_signature(language_notebook(nb, "en").notebook)


def test_a_language_without_a_twin_keeps_the_default_text_and_says_so():
    built = language_notebook(_tiny(), "sv")
    assert built.notebook.cells[0].source.startswith("The mean")
    assert built.untranslated == [("intro", "markdown cell without a sv twin")]


def test_docstrings_are_swapped_by_position_and_the_code_is_untouched():
    source = ('class A:\n    """Doc of A."""\n\n    def m(self):\n        """Doc of m,\n        two lines."""\n'
              '        return 1\n\n\ndef g():\n    return """not a docstring"""\n')
    out = swap_docstrings(source, {"A": "Doku von A.", "m": "Doku von m,\nzwei Zeilen."})
    assert '    """Doku von A."""' in out and '        Doku von m,\n        zwei Zeilen.' in out
    assert 'return """not a docstring"""' in out
    assert ast.dump(ast.parse(out)).count("Constant") == ast.dump(ast.parse(source)).count("Constant")
    with pytest.raises(KeyError, match="no docstring of g"):
        swap_docstrings(source, {"g": "gibt es nicht"})


def test_comments_are_swapped_as_blocks_and_after_code():
    source = "def f():\n    # one\n    # two\n    return 1  # the one\n\ns = '# one'\n"
    out = swap_comments(source, {"# one\n# two": "# eins\n# zwei\n# drei", "# the one": "# die Eins"})
    assert out == ("def f():\n    # eins\n    # zwei\n    # drei\n    return 1  # die Eins\n\n"
                   "s = '# one'\n")
    with pytest.raises(KeyError, match="no comment '# three'"):
        swap_comments(source, {"# three": "# drei"})


DEMO = ('def f():\n    """test accuracy"""\n    return 1\n\n'
        'history = {"loss": [0.5]}\n'
        'print("test accuracy", history["loss"][-1])\n'
        'print(f"{name:8s} lr {lr:<6g}: last loss {history[\'loss\'][-1]:.3f}, test accuracy {acc:.2f}")\n'
        'ax.set(ylabel="loss", title=f\'{label}: {near_zero:.0%} of the weights\')\n')


def test_string_literals_are_swapped_by_token_and_fstrings_keep_every_field():
    """Each English literal (as written between its quotes) becomes its translation, prefix and
    quotes kept; an f-string's {expression!conversion:format} fields stay as written, in the
    translation's order; a docstring of the same text is not a literal of this table; a list
    translates occurrence by occurrence (None keeps one: `history["loss"]` is a key)."""
    table = {"test accuracy": "Testgenauigkeit",
             "loss": [None, None, "Verlust"],
             "{name:8s} lr {lr:<6g}: last loss {history['loss'][-1]:.3f}, test accuracy {acc:.2f}":
                 "{name:8s} lr {lr:<6g}: letzter Verlust {history['loss'][-1]:.3f}, "
                 "Testgenauigkeit {acc:.2f}",
             "{label}: {near_zero:.0%} of the weights": "{near_zero:.0%} der Gewichte: {label}"}
    out, swapped = swap_strings(DEMO, table)
    assert out == DEMO.replace('print("test accuracy"', 'print("Testgenauigkeit"').replace(
        'last loss', 'letzter Verlust').replace(', test accuracy {acc', ', Testgenauigkeit {acc').replace(
        'ylabel="loss"', 'ylabel="Verlust"').replace(
        "f'{label}: {near_zero:.0%} of the weights'", "f'{near_zero:.0%} der Gewichte: {label}'")
    assert '"""test accuracy"""' in out and 'history["loss"][-1]' in out and '{"loss": [0.5]}' in out
    assert len(swapped) == 4
    # The code is the same once the swapped literals are reduced to their fields (any order),
    # and a literal that was not swapped still counts.
    nb_en, nb_de = nbformat.v4.new_notebook(), nbformat.v4.new_notebook()
    nb_en.cells = [nbformat.v4.new_code_cell(DEMO, id="demo")]
    nb_de.cells = [nbformat.v4.new_code_cell(out, id="demo")]
    assert code_signature(nb_de, {"demo": swapped}) == code_signature(nb_en, {"demo": swapped})
    assert code_signature(nb_de) != code_signature(nb_en)
    nb_de.cells[0].source = out.replace('{"loss": [0.5]}', '{"Verlust": [0.5]}')
    assert code_signature(nb_de, {"demo": swapped}) != code_signature(nb_en, {"demo": swapped})
    nb_de.cells[0].source = out.replace("{acc:.2f}", "{acc:.3f}")
    assert code_signature(nb_de, {"demo": swapped}) != code_signature(nb_en, {"demo": swapped})


@pytest.mark.parametrize(("german", "says"), [
    ("{name:8s} lr {lr}: letzter Verlust {history['loss'][-1]:.3f}, Testgenauigkeit {acc:.2f}",
     "must keep every {field}"),                                      # a format spec dropped
    ("{name:8s} lr {lr:<6g}: letzter Verlust {history['loss'][-1]:.4f}, Testgenauigkeit {acc:.2f}",
     "must keep every {field}"),                                      # a format spec changed
    ("{name:8s} lr {lr:<6g}: letzter Verlust, Testgenauigkeit {acc:.2f}",
     "must keep every {field}"),                                      # a field dropped
    ("{name:8s} lr {lr:<6g} {acc!r}: letzter Verlust {history['loss'][-1]:.3f}, Testgenauigkeit {acc:.2f}",
     "must keep every {field}"),                                      # a field added
    ("{name:8s} lr {lr:<6g}: letzter \"Verlust\" {history['loss'][-1]:.3f}, Testgenauigkeit {acc:.2f}",
     "no valid literal"),                                             # the literal's own quote
])
def test_a_translation_that_changes_an_fstring_field_is_an_error(german, says):
    english = "{name:8s} lr {lr:<6g}: last loss {history['loss'][-1]:.3f}, test accuracy {acc:.2f}"
    with pytest.raises(StringsError, match=re.escape(says)):
        swap_strings(DEMO, {english: german})
    assert [p for is_field, p in fstring_parts(english) if is_field] == \
        ["{name:8s}", "{lr:<6g}", "{history['loss'][-1]:.3f}", "{acc:.2f}"]


def test_a_stale_string_translation_is_an_error_naming_its_text():
    """An entry whose English the cell no longer has is never dropped silently: swap_strings,
    lint (and so `grader release`, which lints first) name it; so does a list of the wrong length."""
    with pytest.raises(StringsError, match="no string 'train accuracy' in this cell"):
        swap_strings(DEMO, {"train accuracy": "Trainingsgenauigkeit"})
    with pytest.raises(StringsError, match="'loss' occurs 3 time"):
        swap_strings(DEMO, {"loss": ["Verlust"]})


def test_a_key_of_code_elsewhere_is_not_renamed_with_its_label():
    """`history["loss"]` (filled by `train`, another cell) and `ylabel="loss"`: translating "loss"
    everywhere would break the key, so it is an error that says how (a list, null for the key); a
    name the cell builds itself (a subplot "accuracy" and its title) is renamed as a whole."""
    source = 'plt.plot(history["loss"])\nax.set(ylabel="loss")\n'
    with pytest.raises(StringsError, match="'loss' indexes something this cell does not build"):
        swap_strings(source, {"loss": "Verlust"})
    out, _ = swap_strings(source, {"loss": [None, "Verlust"]})
    assert out == 'plt.plot(history["loss"])\nax.set(ylabel="Verlust")\n'
    built = 'axes = plt.subplot_mosaic([["accuracy"]])\naxes["accuracy"].set(title="accuracy")\n'
    out, swapped = swap_strings(built, {"accuracy": "Genauigkeit"})
    assert out == built.replace("accuracy", "Genauigkeit") and len(swapped) == 3
    cell = nbformat.v4.new_code_cell(DEMO, id="cell-demo-x")
    cell.metadata["nnkit"] = {"de": {"strings": {"test accuracy": "Testgenauigkeit",
                                                 "train accuracy": "Trainingsgenauigkeit"}}}
    problems = _pair_problems([cell])
    assert len(problems) == 1 and "no string 'train accuracy' in this cell" in problems[0]


def test_a_stale_string_translation_in_the_source_notebook_stops_lint(course_copy):
    """The real notebook: the English of a translated title changed, its German entry left as it
    was: `grader lint` names the cell and the text."""
    source = course_copy.solution_notebook("computation_graphs")
    nb = nbformat.read(source, as_version=4)
    cell = next(c for c in nb.cells if c.get("id") == "cell-90-demo-zero-init")
    assert "{label}: first layer W after training" in strings(cell, LANG)
    cell.source = cell.source.replace("first layer W after training", "first-layer W, trained")
    nbformat.write(nb, source)
    problems = [f"{p.where}: {p.what}" for p in lint.lint(course_copy, "computation_graphs")[0]]
    assert len(problems) == 1, problems
    assert "cell-90-demo-zero-init" in problems[0]
    assert "no string '{label}: first layer W after training' in this cell" in problems[0]


def test_a_tagged_message_takes_the_catalog_template_with_the_same_expressions():
    source = ('Z_check = 1\n# diagnosis: common.input-changed\n'
              'assert ok, f"sigmoid changed `Z` in place: {hint}"\n')
    out, missed = translate_messages(source, "de")
    assert missed == []
    assert "hat `Z` direkt (in place) verändert: {hint}" in out
    assert ast.dump(ast.parse(out)).count("Name(id='hint'") == 1
    wrong = source.replace("in place", "somewhere")
    assert translate_messages(wrong, "de")[1][0].why == "the message is not its English template"


# ------------------------------------------------------------------------------- releases

@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_release_has_the_same_code_cells_ids_and_grade_ids(assignment):
    """Code is written once: every language's release has the same cells, ids, grade ids and code
    (ast without docstrings, comments and the words of assertion messages)."""
    en = nbformat.read(_release(assignment, "en"), as_version=4)
    de = nbformat.read(_release(assignment, LANG), as_version=4)
    swapped = language_notebook(_source(assignment), LANG, assignment=assignment).swapped
    assert swapped   # every assignment's demo cells show German literals
    assert code_signature(de, swapped) == code_signature(en, swapped)
    assert [grade_id(c) for c in de.cells] == [grade_id(c) for c in en.cells]
    # Only the swapped literals (besides docstrings and assertion and raise messages) differ: each
    # is one token in both releases, at the same ordinal.
    for en_cell, de_cell in zip(en.cells, de.cells):
        if en_cell.cell_type == "code" and en_cell.id in swapped:
            en_lits, de_lits = string_literals(en_cell.source), string_literals(de_cell.source)
            assert len(en_lits) == len(de_lits)
            tree = ast.parse(neutralize_magics(en_cell.source))
            other_texts = docstring_starts(en_cell.source) | {
                (n.lineno, n.col_offset) for s in ast.walk(tree)
                if isinstance(s, ast.stmt) and (n := _message_node(s)) is not None}
            differ = {lit.ordinal for lit, other in zip(en_lits, de_lits) if lit.body != other.body
                      and ast_position(en_cell.source, lit.start) not in other_texts}
            assert differ == set(swapped[en_cell.id]), en_cell.id


def test_an_english_only_notebook_is_released_unchanged():
    """The default language's notebook of a notebook without translations is the notebook itself;
    with translations, it is the notebook with them (and its `# message:` tags) taken out (the
    English release of this checkout is therefore the one `grader release --check` compares
    with)."""
    nb = _source(NAME)
    stripped = copy.deepcopy(nb)
    stripped.cells = [c for c in stripped.cells if "lang" not in c.metadata.get("nnkit", {})]
    for cell in stripped.cells:
        cell.metadata.pop("nnkit", None)
        if cell.cell_type == "code":   # the `# message: <id>` tags are the source's only
            cell.source = strip_message_tags(cell.source)
    assert any("# message: " in c.source for c in nb.cells)
    assert not any("# message: " in c.source for c in stripped.cells)
    assert language_notebook(nb, "en").notebook == stripped
    assert language_notebook(stripped, "en").notebook == stripped
    only_en = course_file.CourseSettings(languages=("en",))
    assert build.release_folder(COURSE, NAME, "en", only_en.languages) == COURSE.assignments / NAME
    assert build.release_folder(COURSE, NAME, "de", ("en", "de")) == COURSE.assignments / "de" / NAME


#: Words of the kit's English assertion messages that no German message uses ("got", "should",
#: "expected", ...), with the function words of prose: a message is short, so one of them marks it.
MESSAGE_WORDS = ENGLISH_WORDS | {
    "got", "should", "expected", "wrong", "every", "returns", "return", "keeps", "needs", "one",
    "after", "before", "each", "given", "changed", "compute", "nothing", "never", "gives", "write",
    "into", "as", "dropped", "equals", "comes"}


def english_messages(source: str) -> list[str]:
    """The assertion (and raise) messages of a code cell that read as English: the words of the
    message's own text (its `{expressions}` left out) that are whole words, not code, and at least
    one of them in MESSAGE_WORDS."""
    found = []
    for statement in ast.walk(ast.parse(neutralize_magics(source))):
        node = _message_node(statement) if isinstance(statement, ast.stmt) else None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = " ".join(v.value for v in node.values if isinstance(v, ast.Constant))
        else:
            continue
        words = [w.strip(",:;.!?()'\"").lower() for w in text.split()]
        if any(w in MESSAGE_WORDS for w in words if re.fullmatch(r"[a-z]+", w)):
            found.append(" ".join(text.split()))
    return found


#: Words of the demo cells' English plot titles, labels and printed lines that no German text of
#: the kit uses (German shares "test", "training", "momentum", "dropout", "seed(s)", "labels",
#: "logit(s)", "gradient", "in", "batch", "relative": those are left out), with MESSAGE_WORDS: a short
#: literal, so one of them marks it.
DEMO_WORDS = MESSAGE_WORDS | {
    "loss", "losses", "accuracy", "epoch", "epochs", "layer", "layers", "weights", "weight",
    "hidden", "unit", "units", "first", "last", "largest", "mean", "points", "point", "raw",
    "features", "feature", "standardized", "classes", "errors", "error", "bug", "correct",
    "backward", "about", "smaller", "more", "chance", "level", "initial", "initialization",
    "noise", "noisy", "clean", "step", "steps", "network", "fit", "count", "within",
    "without", "difference", "between", "input", "right", "full", "range", "scale", "drawn", "cut",
    "above", "per", "flipped", "set", "binary", "cross", "entropy", "train", "none", "both",
    "zero", "norm", "start", "variance", "alone", "at", "by", "on", "no"}


def english_strings(source: str) -> list[str]:
    """The string literals of a demo cell that read as English: a word of the literal's own text
    (an f-string's {fields} left out) in DEMO_WORDS. Docstrings and the literals that index a
    subscript (`history["loss"]`: a key of the code, never shown) are not read."""
    tree = ast.parse(neutralize_magics(source))
    skip = docstring_starts(source)
    skip |= {(n.slice.lineno, n.slice.col_offset) for n in ast.walk(tree)
             if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Constant)}
    found = []
    for lit in string_literals(source):
        if ast_position(source, lit.start) in skip or "b" in lit.prefix.lower():
            continue
        text = _text_of(lit.body) if lit.is_f else lit.body
        if _words(text) & DEMO_WORDS:
            found.append(" ".join(text.split()))
    return found


def _text_of(fstring_body: str) -> str:
    """An f-string's own text, its {fields} left out."""
    return " ".join(part for is_field, part in fstring_parts(fstring_body) if not is_field)


def _words(text: str) -> set[str]:
    """The words of a text, names of code (`max_norm`, `step_loss`) left out."""
    return {w for w in re.findall(r"[^\W\d]+", text.lower()) if "_" not in w}


def _english_in(folder: Path, notebook: str) -> list[str]:
    """Every English sentence of a release: its markdown cells, the docstrings, comments and
    assertion messages of its code, the string literals of its demo cells, and its README."""
    found = []
    nb = nbformat.read(folder / notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found += [f"{cell.id}: {s}" for s in english_sentences(cell.source)]
        elif cell.cell_type == "code":
            for name, node in _docstring_nodes(ast.parse(cell.source)):
                found += [f"{cell.id} {name}: {s}" for s in english_sentences(node.value.value)]
            block = "\n".join(text for _, text in sorted(_comment_lines(cell.source).values())
                              if not MESSAGE_TAG.match(text))
            found += [f"{cell.id} comment: {s}" for s in english_sentences(block)]
            found += [f"{cell.id} message: {s}" for s in english_messages(cell.source)]
            if cell_role(cell) is Role.DEMO:
                found += [f"{cell.id} string: {s}" for s in english_strings(cell.source)]
    found += [f"README.md: {s}" for s in english_sentences((folder / "README.md").read_text())]
    return found


#: Demo cells whose string literals are still English in the German release, each with why.
#: The test fails once such a cell is translated, so that its entry is removed here.
UNTRANSLATED_DEMO_CELLS: dict[tuple[str, str], str] = {}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_english_sentence_in_the_german_release(assignment):
    folder = build.release_folder(COURSE, assignment, LANG)
    found = _english_in(folder, COURSE.solution_notebook(assignment).name)
    for (name, cell_id), why in UNTRANSLATED_DEMO_CELLS.items():
        if name == assignment:
            left = [f for f in found if f.startswith(f"{cell_id} string: ")]
            assert left, f"{cell_id} is German now: remove it from UNTRANSLATED_DEMO_CELLS ({why})"
            found = [f for f in found if f not in left]
    if assignment in MAY_BE_UNTRANSLATED and not _has_german(assignment):
        assert found, f"{assignment} has no German yet, yet no English was found: the test is blind"
        pytest.xfail(f"{assignment}: {len(found)} English sentences, its German cells have not "
                     "been written yet")
    assert found == [], "English left in the German release:\n" + "\n".join(found[:20])


def test_an_english_sentence_planted_in_a_german_cell_is_found(tmp_path):
    folder = tmp_path / NAME
    shutil.copytree(build.release_folder(COURSE, NAME, LANG), folder)
    notebook = folder / COURSE.solution_notebook(NAME).name
    assert _english_in(folder, notebook.name) == []
    nb = nbformat.read(notebook, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and "Kettenregel" in c.source)
    cell.source += "\n\nThe gradient of the loss is what you pass to the layer before it."
    nbformat.write(nb, notebook)
    found = _english_in(folder, notebook.name)
    assert len(found) == 1 and "The gradient of the loss is what you pass" in found[0]


def test_a_text_placeholder_is_german_and_a_name_is_not():
    """`common.input-changed`'s `{hint}` is a whole declared message: the German release writes
    its German; a one-word value (a function's name such as `train`) is never taken for one, and
    an English phrase that is no declared message is named, not passed as German."""
    from nnkit_contract import i18n

    german = i18n.catalog()[f"{NAME}:softmax_cross_entropy.hint-labels"][LANG]
    assert translate_constant("only read the labels", LANG, NAME) == (german, "")
    assert translate_constant("only  read the\nlabels", LANG, NAME) == (german, "")
    assert translate_constant("train", LANG, NAME) == (None, "")
    text, why = translate_constant("only read the labels, please", LANG, NAME)
    assert text is None and "no declared message" in why


def test_an_english_assertion_message_planted_in_a_german_check_cell_is_found(tmp_path):
    """The German check cells are read too: one English assertion message among the German ones
    is found, and a German one is not."""
    folder = tmp_path / NAME
    shutil.copytree(build.release_folder(COURSE, NAME, LANG), folder)
    notebook = folder / COURSE.solution_notebook(NAME).name
    nb = nbformat.read(notebook, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "sigmoid(Z_check)" in c.source)
    assert "falsche Werte" in cell.source
    cell.source += ('\nassert np.shape(S) == (2, 2), f"sigmoid must keep the shape (2, 2), got {np.shape(S)}"'
                    '\nassert S is not None, f"Form {np.shape(S)}, erhalten: {S}"')
    nbformat.write(nb, notebook)
    found = _english_in(folder, notebook.name)
    assert len(found) == 1 and "sigmoid must keep the shape (2, 2), got" in found[0], found


def test_an_english_title_planted_in_a_german_demo_cell_is_found(tmp_path):
    """The German demo cells' literals are read: an English plot title among the German ones is
    found (a German one is not, and a key such as history["loss"] is code)."""
    name = "computation_graphs"
    folder = tmp_path / name
    shutil.copytree(build.release_folder(COURSE, name, LANG), folder)
    notebook = folder / COURSE.solution_notebook(name).name
    nb = nbformat.read(notebook, as_version=4)
    cell = next(c for c in nb.cells if c.get("id") == "cell-90-demo-zero-init")
    assert "W der 1. Schicht, trainiert" in cell.source
    before = _english_in(folder, notebook.name)
    cell.source += ('\nax.set(title=f"{label}: weights after the last epoch", ylabel=history["loss"][0])'
                    '\nax.set(xlabel="Gewichte nach der letzten Epoche")\n')
    nbformat.write(nb, notebook)
    found = [f for f in _english_in(folder, notebook.name) if f not in before]
    assert found == ["cell-90-demo-zero-init string: : weights after the last epoch"], found


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_translated_demo_literal_reads_as_english_in_the_english_release(assignment):
    """The literal reader is not blind: in the English release it finds every demo-cell literal
    that the German release translates with other words (a translation that only capitalizes,
    "momentum" -> "Momentum", reads the same in both)."""
    source = _source(assignment)
    en = {c.id: c for c in nbformat.read(_release(assignment, "en"), as_version=4).cells}
    expected, found = 0, 0
    for cell in source.cells:
        table = strings(cell, LANG) if cell.cell_type == "code" else {}
        if not table or cell_role(cell) is not Role.DEMO:   # a setup cell's literals are mostly
            continue                                        # keys: the reader reads demo cells
        read = english_strings(en[cell.id].source)
        for english, german in table.items():
            germans = german if isinstance(german, list) else [german]
            if all(g is None or _words(_text_of(english)) <= _words(_text_of(g)) for g in germans):
                continue
            expected += 1
            plain = " ".join(_text_of(english).split())
            found += plain in read
            assert plain in read, f"{cell.id}: {english!r} is not read as English"
    assert expected >= 20 and found == expected


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_english_assertion_message_is_found(assignment):
    """The message reader is not blind: it reads every assertion message of the English release as
    English (so in the German release it would find any one left untranslated)."""
    nb = nbformat.read(_release(assignment, "en"), as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code"]
    messages = [n for c in cells for s in ast.walk(ast.parse(neutralize_magics(c.source)))
                if isinstance(s, ast.stmt) and (n := _message_node(s)) is not None]
    found = [m for c in cells for m in english_messages(c.source)]
    assert len(messages) > 100 and len(found) == len(messages)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_tagged_message_and_cell_is_german(assignment):
    built = language_notebook(_source(assignment), LANG, assignment=assignment)
    assert built.untranslated == []


def _in_place_hints(nb: nbformat.NotebookNode) -> set[str]:
    """The hints of the check cells' `common.input-changed` messages: the text after "in place: ",
    written in the message or held by a name the message shows ({hint}, {hints[name]})."""
    found = set()
    for cell in nb.cells:
        if cell.cell_type != "code" or "# diagnosis: common.input-changed" not in cell.source:
            continue
        tree = ast.parse(cell.source)
        lines = cell.source.splitlines()
        constants = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                values = [node.value] if isinstance(node.value, ast.Constant) else \
                    getattr(node.value, "values", [])
                constants[node.targets[0].id] = [v.value for v in values
                                                 if isinstance(v, ast.Constant) and isinstance(v.value, str)]
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert) and node.lineno >= 2 and \
                    lines[node.lineno - 2].strip() == "# diagnosis: common.input-changed":
                msg = node.msg
                if isinstance(msg, ast.Constant):
                    found.add(msg.value.split("in place: ", 1)[1])
                else:
                    last = msg.values[-1]
                    names = {n.id for n in ast.walk(last) if isinstance(n, ast.Name)}
                    found |= {text for name in names for text in constants.get(name, [])}
    return found


#: The distinct hints the English release's `common.input-changed` messages show, where there are
#: fewer than 10: computation_graphs' seven such checks share three ("return a new array", ...).
MIN_IN_PLACE_HINTS = {"computation_graphs": 3}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_english_in_place_hint_in_the_german_release(assignment):
    """The hints of `common.input-changed` ({hint}) are German in the German notebook and its
    check.py: each English hint of the English release is a declared message of the hidden tests,
    whose German the release writes in its place."""
    notebook = COURSE.solution_notebook(assignment).name
    english = _in_place_hints(nbformat.read(_release(assignment, "en"), as_version=4))
    assert len(english) >= MIN_IN_PLACE_HINTS.get(assignment, 10)   # the test sees the hints
    german_folder = build.release_folder(COURSE, assignment, LANG)
    german = (german_folder / notebook).read_text(encoding="utf-8") + \
        (german_folder / "check.py").read_text(encoding="utf-8")
    for text in english:
        assert json.dumps(text)[1:-1] not in german and repr(text)[1:-1] not in german, text


def test_a_planted_unknown_english_hint_is_reported():
    """A hint that is no declared message stays as it is and is named (lint, the test above); a
    declared one becomes its German, written in the message or held by a name; a value that is
    code (a name) is no hint."""
    known = "compute X_std = (X - mean) / std, a new array, instead of X -= mean"
    planted = "write the answer into a brand new array of your own"
    for hint in (known, planted):
        literal = ("# diagnosis: common.input-changed\n"
                   f"assert ok, 'standardize changed `X` in place: {hint}'\n")
        named = (f"hint = {hint!r}\n# diagnosis: common.input-changed\n"
                 "assert ok, f'standardize changed `X` in place: {hint}'\n")
        for source in (literal, named):
            out, missed = translate_messages(source, LANG, NAME)
            if hint == known:
                assert missed == [] and known not in out and "ein neues Array, statt X -= mean" in out
            else:
                assert len(missed) == 1 and "no declared message of nn_from_scratch" in missed[0].why
                assert planted in out
    code = ("# diagnosis: common.input-changed\n"
            "assert ok, 'standardize changed `X` in place: standardize_inputs'\n")
    assert translate_messages(code, LANG, NAME)[1] == []


# ----------------------------------------------------------------------- the German check.py

def _german_student(tmp_path: Path, variant=None, name: str = NAME) -> Path:
    folder = tmp_path / name
    shutil.copytree(build.release_folder(COURSE, name, LANG), folder,
                    ignore=shutil.ignore_patterns("__pycache__"))
    notebook = folder / COURSE.solution_notebook(name).name
    nb = make_submission(notebook, reference_answers(COURSE.solution_notebook(name)), variant)
    nbformat.write(nb, notebook)
    return folder


def _check_py(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """check.py run as a student's bare interpreter runs it (tests/test_student_check.py)."""
    from test_student_check import _run_check_py

    return _run_check_py(folder, *args)


@pytest.mark.parametrize("name", [NAME, "computation_graphs"])
def test_german_check_py_passes_the_reference(tmp_path, name):
    done = _check_py(_german_student(tmp_path, name=name))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FAILED" not in done.stdout and "not implemented" not in done.stdout, done.stdout
    # The summary's kinds of tests, in German, with training accuracy only where `train` is graded.
    compiled = i18n.catalog()
    kinds = "check.kinds-untrained" if name == "computation_graphs" else "check.kinds-trained"
    assert f"({compiled[kinds][LANG]})." in done.stdout, done.stdout


def test_german_check_py_names_a_bug_in_german(tmp_path):
    bug = ("def sigmoid(Z):\n    return 1.0 / (1.0 + np.exp(np.clip(Z, -500, 500)))\n")
    done = _check_py(_german_student(tmp_path, {"cell:append": bug}), "-v")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "sigmoid(z) ist gleich 1 / (1 + exp(+z)): der Exponent ist -z" in done.stdout, done.stdout
    assert "the exponent is -z" not in done.stdout


def test_german_check_py_of_computation_graphs_names_a_bug_in_german(tmp_path):
    """The third assignment's German check.py: a mean_backward that returns the gradient of a sum
    is named by its diagnosis, in German and without the English text."""
    bug = "def mean_backward(dout, a):\n    return np.full(np.shape(a), float(dout))\n"
    done = _check_py(_german_student(tmp_path, {"cell:append": bug}, "computation_graphs"), "-v")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Der Mittelwert teilt durch die Zahl der Einträge" in done.stdout, done.stdout
    assert "the mean divides by the number of entries" not in done.stdout


# ------------------------------------------------------------ hostile: graded across languages

def _strip_times(value):
    if isinstance(value, dict):
        return {k: _strip_times(v) for k, v in value.items()
                if not any(t in k for t in ("time", "duration", "cpu", "elapsed", "seconds"))}
    if isinstance(value, list):
        return [_strip_times(v) for v in value]
    return value


@pytest.mark.slow
def test_a_notebook_of_one_language_grades_the_same_with_the_other_release(tmp_path):
    """Cells are matched by grade id, never by text: a German notebook graded with the English
    release, and an English one with the German release, get exactly the grade they get from their
    own (scores, statuses, every check), here for a submission with one bug, a written answer and a
    blank one."""
    from grader.grading.grade import Assignment, close_templates, grade_notebook
    from grader.grading.limits import grading_limits

    bug = "def relu_backward(dA, Z):\n    return dA * (Z >= 0)\n"
    answers = reference_answers(COURSE.solution_notebook(NAME))
    blank = {"answer-dead-relu"}
    assignments = {lang: Assignment.from_folders(build.release_folder(COURSE, NAME, lang),
                                                 COURSE.solution_notebook(NAME))
                   for lang in ("en", LANG)}
    results = {}
    try:
        for nb_lang in ("en", LANG):
            release_nb = _release(NAME, nb_lang)
            nb = make_submission(release_nb, answers, {"cell:append": bug})
            released = {grade_id(c): c.source for c in nbformat.read(release_nb, as_version=4).cells}
            for cell in nb.cells:
                if grade_id(cell) in blank:
                    cell.source = released[grade_id(cell)]   # left as released: blank
            path = tmp_path / nb_lang / release_nb.name
            path.parent.mkdir()
            nbformat.write(nb, path)
            for grader_lang, assignment in assignments.items():
                results[nb_lang, grader_lang] = _strip_times(grade_notebook(
                    path, "s1", assignment, 7, grading_limits(None)))
    finally:
        close_templates()
    first = results["en", "en"]
    assert first["score"] < first["max_score"], "the bug must cost points"
    assert any(m["status"] == "blank" for m in first["manual"])
    assert any(m["status"] != "blank" for m in first["manual"])
    for key, result in results.items():
        assert result == first, f"notebook {key[0]} graded with the {key[1]} release differs"


# ---------------------------------------------------------------------------------- lint

def _pair_problems(cells) -> list[str]:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return [p.what for p in lint.pair_problems("nb.ipynb", nb)]


def _md(source: str, cid: str, lang: str | None = None, **meta):
    cell = nbformat.v4.new_markdown_cell(source)
    cell.id = cid
    if lang:
        cell.metadata["nnkit"] = {"lang": lang}
    cell.metadata.update(meta)
    return cell


def test_lint_accepts_a_well_formed_pair():
    assert _pair_problems([_md("Hello.", "a"), _md("Hallo.", "a-de", "de")]) == []


@pytest.mark.parametrize(("cells", "says"), [
    (lambda: [_md("Hallo.", "a-de", "de")], "must follow the cell it translates"),
    (lambda: [_md("Hi.", "a"), _md("Hallo.", "b-de", "de")], "its id must be 'a-de'"),
    (lambda: [_md("Hi.", "a"), _md("Hallo.", "a-de", "de"), _md("Servus.", "a-de", "de")],
     "a second de translation"),
    (lambda: [_md("Hi.", "a"), _md("Hallo.", "a-de", "de",
                                   nbgrader={"grade_id": "answer-a", "grade": True})],
     "no nbgrader metadata of its own"),
    (lambda: [nbformat.v4.new_code_cell("x = 1", id="c"), _md("x ist 1.", "c-de", "de")],
     "translates a markdown cell"),
    (lambda: [_md("Hi.", "a"), _md("### BEGIN SOLUTION\nHallo\n### END SOLUTION", "a-de", "de")],
     "holds a solution region exactly when"),
])
def test_lint_names_each_broken_pair_in_one_line(cells, says):
    problems = _pair_problems(cells())
    assert len(problems) == 1 and says in problems[0], problems
    assert "\n" not in problems[0]


def test_lint_names_german_docstrings_of_a_function_the_cell_lacks():
    cell = nbformat.v4.new_code_cell('def f():\n    """Doc."""\n')
    cell.metadata["nnkit"] = {"de": {"docstrings": {"g": "Doku."}}}
    problems = _pair_problems([cell])
    assert len(problems) == 1 and "no docstring of g" in problems[0]
    cell.metadata["nnkit"] = {"de": {"comments": {"# gone": "# weg"}}}
    problems = _pair_problems([cell])
    assert len(problems) == 1 and "no comment '# gone'" in problems[0]


def test_lint_reports_the_cells_a_declared_language_lacks(course_copy):
    gaps = lint.translation_gaps(course_copy, NAME, ("en", "de"))
    assert gaps == []
    assert lint.translation_gaps(course_copy, NAME, ("en",)) == []
    source = course_copy.solution_notebook(NAME)
    nb = nbformat.read(source, as_version=4)
    nb.cells = [c for c in nb.cells if c.get("id") != "cell-44-markdown-de"]
    nbformat.write(nb, source)
    gaps = lint.translation_gaps(course_copy, NAME, ("en", "de"))
    assert len(gaps) == 1 and "1 markdown cell(s) without a de twin" in gaps[0].what


# ------------------------------------------------------------- nbgrader and Gradescope, --lang

def test_gradescope_build_packs_the_release_of_its_language(tmp_path):
    import zipfile

    from grader import gradescope

    wheel = tmp_path / "nnkit-0-py3-none-any.whl"
    wheel.write_bytes(b"not installed by this test")
    built = gradescope.build(COURSE, NAME, tmp_path / "out", 11, wheel, LANG)
    release = build.release_folder(COURSE, NAME, LANG)
    with zipfile.ZipFile(built.zip) as zf:
        config = json.loads(zf.read(gradescope.CONFIG))
        packed = {n.removeprefix(f"course/assignments/{NAME}/"): zf.read(n) for n in zf.namelist()
                  if n.startswith(f"course/assignments/{NAME}/")}
    assert config["lang"] == LANG
    mine = {p.relative_to(release).as_posix(): p.read_bytes() for p in release.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}
    assert packed == mine
    with pytest.raises(Exception, match="--lang sv"):
        gradescope.build(COURSE, NAME, tmp_path / "out", 11, wheel, "sv")


def test_nbgrader_source_holds_one_language_only():
    """nbgrader's source/<a>/ gets the notebook of one language: another language's model
    answers (inside solution markers of a translated cell) would otherwise reach its release."""
    from grader.nbgrader.course import _source_files

    notebook = COURSE.solution_notebook(NAME).name
    for lang, other in (("en", LANG), (LANG, "en")):
        nb = nbformat.reads(_source_files(COURSE, NAME, None, lang)[notebook].decode(), as_version=4)
        assert all("nnkit" not in c.metadata for c in nb.cells)
        assert nb == language_notebook(_source(NAME), lang, assignment=NAME).notebook, other
    de = _source_files(COURSE, NAME, None, LANG)
    assert de["README.md"] == (build.release_folder(COURSE, NAME, LANG) / "README.md").read_bytes()


@pytest.mark.slow
def test_nbgrader_setup_lang_de_releases_the_german_notebook(tmp_path):
    from grader.cli import main

    bin_dir = str(Path(sys.executable).parent)
    env = {**__import__("os").environ, "PATH": f"{bin_dir}:{__import__('os').environ['PATH']}"}
    subprocess.run([sys.executable, "-m", "nbgrader", "quickstart", "course101"], cwd=tmp_path,
                   env=env, check=True, capture_output=True, timeout=600)
    root = tmp_path / "course101"
    assert main(["nbgrader", "setup", str(root), "--assignment", NAME, "--lang", LANG,
                 "--seed", "5"]) == 0
    done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", NAME],
                          cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    notebook = COURSE.solution_notebook(NAME).name
    theirs = nbformat.read(root / "release" / NAME / notebook, as_version=4)
    ours = nbformat.read(_release(NAME, LANG), as_version=4)
    assert [c.source for c in theirs.cells[-len(ours.cells):]] == [c.source for c in ours.cells]
    assert main(["nbgrader", "setup", str(root), "--assignment", NAME, "--lang", "sv"]) == 2
    # Graded by nbgrader through the kit: the grade cells' reports are German.
    bug = "def sigmoid(Z):\n    return 1.0 / (1.0 + np.exp(np.clip(Z, -500, 500)))\n"
    nb = make_submission(root / "release" / NAME / notebook,
                         reference_answers(COURSE.solution_notebook(NAME)), {"cell:append": bug})
    (root / "submitted" / "s1" / NAME).mkdir(parents=True)
    nbformat.write(nb, root / "submitted" / "s1" / NAME / notebook)
    done = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", NAME], cwd=root, env=env,
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    graded = nbformat.read(root / "autograded" / "s1" / NAME / notebook, as_version=4)
    report = next(c for c in graded.cells if grade_id(c) == "test-sigmoid").outputs[0]["text"]
    assert "Punkte" in report and "der Exponent ist -z" in report, report


# ------------------------------------------------------------------------- the dataset helper

def test_the_german_dataset_helper_speaks_german_with_the_same_code(tmp_path):
    import importlib.util

    en = (build.release_folder(COURSE, NAME, "en") / "toy2d.py").read_text()
    de = (build.release_folder(COURSE, NAME, LANG) / "toy2d.py").read_text()
    assert en != de   # the same code: issue-23's toy2d_script tests hold the rest
    helpers = {}
    for lang, text in (("en", en), (LANG, de)):
        path = tmp_path / lang / "toy2d.py"
        path.parent.mkdir()
        path.write_text(text)
        spec = importlib.util.spec_from_file_location(f"toy2d_{lang}", path)
        helpers[lang] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(helpers[lang])
    with pytest.raises(ValueError, match="unknown dataset 'ring'; valid names are: moons"):
        helpers["en"].load_dataset("ring")
    with pytest.raises(ValueError) as german:
        helpers[LANG].load_dataset("ring")
    assert "'ring'" in str(german.value) and "Datensatz" in str(german.value), german.value


@pytest.mark.slow
def test_an_english_only_course_file_releases_the_same_english(course_copy, capsys):
    """Without `languages` (the default ["en"]) the English release is exactly the committed one:
    `grader release --check` names only the German folder, which that course no longer has."""
    from grader.cli import main

    path = course_copy.solutions / "course.json"
    data = json.loads(path.read_text())
    del data["languages"]
    path.write_text(json.dumps(data, indent=2) + "\n")
    assert main(["release", "--check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "assignments/de/: not a language of solutions/course.json any more"
    assert len(out) == 2 and out[1].startswith("1 generated file(s) are stale"), out


def test_gradescope_results_speak_the_language_of_the_zip():
    """English stays the stored text; a zip built with --lang de renders the score line and each
    check's message from its id in German (the grade is the same numbers)."""
    from grader.gradescope import gradescope_results

    result = {"score": 1.0, "max_score": 2.0, "status": "graded", "assignment": NAME, "student": "s",
              "tests": [{"function": "sigmoid", "id": "sigmoid.values", "points": 0.0,
                         "max_points": 1.0, "status": "failed",
                         "message": "sigmoid(z) equals 1 / (1 + exp(+z)): the exponent is -z",
                         "text": {"id": "nn_from_scratch:sigmoid.sign-flipped", "values": {}}}],
              "manual": []}
    en = gradescope_results(result, {"lang": "en"}, "bubblewrap")
    de = gradescope_results(result, {"lang": "de"}, "bubblewrap")
    assert en["tests"][0]["output"] == result["tests"][0]["message"]
    assert de["score"] == en["score"] and de["tests"][0]["score"] == en["tests"][0]["score"]
    assert de["output"] != en["output"]
    assert de["tests"][0]["output"] == "sigmoid(z) ist gleich 1 / (1 + exp(+z)): der Exponent ist -z"
