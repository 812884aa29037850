"""The release's README.md and requirements.txt: what a student needs to get started.

Both are written from the kit's data, never typed per assignment: the title comes from the
notebook, the points from the check registry and the answer cells, the time limits from the
grading limits and the specs, the packages from what the sandbox lets a graded notebook import,
their versions (one NumPy minor version for students and grader) and the Python students need
from the kit's declared dependencies (grader/grading/numpy_version.py). The text is a template
(grader/templates/student-README.md).

The time limit per call is stated in one form, `CALL_LIMIT`, here and in each notebook's
introduction; `state_call_limit` rewrites it where a course grades with another limit (`grader
nbgrader setup --timeout`), so what students read is what grading applies.
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
import textwrap
from pathlib import Path
from string import Template

import nbformat

from autograde_tests import engine
from grader.grading.limits import grading_limits
from grader.grading.numpy_version import declared_requirements
from grader.sandbox.isolation import STUDENT_PACKAGES
from nnkit_contract.cells import Role, cell_role, grade_id
from nnkit_contract.i18n import DEFAULT_LANGUAGE

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "student-README.md"


def template_path(lang: str = DEFAULT_LANGUAGE) -> Path:
    """The README template of `lang`: student-README.md for the default language,
    student-README.<lang>.md for another (one whole template per language: it is prose)."""
    return TEMPLATE if lang == DEFAULT_LANGUAGE else TEMPLATE.with_name(f"student-README.{lang}.md")


#: The README's own phrases around the data, per language (the prose is in the templates).
PHRASES = {
    "en": {"function": "function", "points": "points", "total": "autograded in all",
           "answers": "The {n} written questions ({ids}, {points} points) are graded by hand.",
           "limits": "Each call of one of your functions {limit}", "and": ", and ",
           "settings-graded": "the training settings of every dataset (also used when your "
                              "notebook is graded)",
           "settings-demo": "the settings of the notebook's experiments (grading does not use "
                            "them)"},
    "de": {"function": "Funktion", "points": "Punkte", "total": "automatisch bewertet, insgesamt",
           "answers": "Die {n} schriftlichen Fragen ({ids}, {points} Punkte) werden von Hand "
                      "bewertet.",
           "limits": "Jeder Aufruf einer Ihrer Funktionen {limit}", "and": ", und ",
           "settings-graded": "die Trainingseinstellungen jedes Datensatzes (auch bei der "
                              "Bewertung verwendet)",
           "settings-demo": "die Einstellungen der Experimente des Notebooks (die Bewertung "
                            "verwendet sie nicht)"},
}
#: What opens the notebook (the packages a graded notebook may import come from the sandbox).
NOTEBOOK_APP = "jupyterlab"


def _num(x: float) -> str:
    return f"{x:g}"


def _title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "Assignment"


#: How the students' texts state the CPU time a call of their function may use, per language.
CALL_LIMITS = {"en": "may use {seconds} s of CPU time", "de": "darf {seconds} s CPU-Zeit verwenden"}
CALL_LIMIT = CALL_LIMITS[DEFAULT_LANGUAGE]
_CALL_LIMITS = {lang: re.compile(re.escape(form).replace(r"\{seconds\}", r"(?P<seconds>\d+(?:\.\d+)?)"))
                for lang, form in CALL_LIMITS.items()}


def call_limit_text(seconds: float, lang: str = DEFAULT_LANGUAGE) -> str:
    return CALL_LIMITS.get(lang, CALL_LIMIT).format(seconds=_num(seconds))


def state_call_limit(text: str, seconds: float) -> tuple[str, int]:
    """`text` (a notebook's JSON or a README, in any language) with every statement of the time
    limit per call saying `seconds`; returns the new text and how many statements it holds."""
    count = 0
    for lang, pattern in _CALL_LIMITS.items():
        text, n = pattern.subn(call_limit_text(seconds, lang), text)
        count += n
    return text, count


def stated_call_limits(text: str) -> list[float]:
    """Every time limit per call that `text` states (in any language)."""
    found = sorted((m.start(), float(m["seconds"])) for pattern in _CALL_LIMITS.values()
                   for m in pattern.finditer(text))
    return [seconds for _, seconds in found]


#: What the README adds for an assignment with training checks (checks of `train`): the words
#: "$trained" and "$training" of the template stand for (two paragraphs of this file; another
#: language's are in student-README-training.<lang>.md).
TRAINING_TEMPLATE = TEMPLATE.with_name("student-README-training.md")
#: How the paragraph that holds $trained and $training begins, per language (it is re-filled).
GRADED_PARAGRAPH = {"en": "Your functions are called by hidden tests",
                    "de": "Versteckte Tests rufen Ihre Funktionen auf"}


def _training_texts(points: dict, lang: str = DEFAULT_LANGUAGE) -> tuple[str, str]:
    if "train" not in points:
        return "", ""
    path = (TRAINING_TEMPLATE if lang == DEFAULT_LANGUAGE
            else TRAINING_TEMPLATE.with_name(f"student-README-training.{lang}.md"))
    trained, training = path.read_text(encoding="utf-8").split("\n\n", 1)
    return trained.strip("\n"), training.rstrip("\n")


def python_needed() -> str:
    """The oldest Python the course's NumPy supports (students need it), e.g. "3.11"."""
    try:
        needed = metadata.metadata("numpy")["Requires-Python"] or ""
    except metadata.PackageNotFoundError:
        needed = ""
    match = re.search(r">=\s*(\d+\.\d+)", needed)
    return match[1] if match else "3.11"


def readme(assignment: str, source_notebook: Path, notebook_name: str,
           call_cpu: float | None = None, lang: str = DEFAULT_LANGUAGE) -> str:
    """The release's README.md in `lang` (`source_notebook`: the notebook in that language);
    `call_cpu`: the time limit per call a course grades with (default: the kit's)."""
    nb = nbformat.read(source_notebook, as_version=4)
    words = PHRASES.get(lang, PHRASES[DEFAULT_LANGUAGE])
    points = engine.points_by_function(assignment)
    rows = [f"| {words['function']} | {words['points']} |", "|---|---|"]
    rows += [f"| `{f}` | {_num(p)} |" for f, p in points.items()]
    rows.append(f"| **{words['total']}** | **{_num(engine.total_points(assignment))}** |")
    answers = [(grade_id(c), float(c.metadata["nbgrader"].get("points", 0)))
               for c in nb.cells if cell_role(c) is Role.ANSWER]
    answer_text = ""
    if answers:
        answer_text = words["answers"].format(
            n=len(answers), ids=", ".join(f"`{a}`" for a, _ in answers),
            points=_num(sum(p for _, p in answers)))
    trained, training = _training_texts(points, lang)
    own = engine.time_limits(assignment)
    limits = words["limits"].format(limit=call_limit_text(grading_limits(call_cpu).call_cpu, lang))
    if own:
        limits += words["and"] + ", ".join(f"`{f}` {_num(s)} s" for f, s in sorted(own.items()))
    limits += "."
    text = Template(template_path(lang).read_text(encoding="utf-8")).substitute(
        title=_title(nb), notebook=notebook_name, points="\n".join(rows), answers=answer_text,
        limits=limits, python=python_needed(), trained=trained, training=training,
        hyperparameters=words["settings-graded" if "train" in points else "settings-demo"])
    return _rewrap(text, GRADED_PARAGRAPH.get(lang, GRADED_PARAGRAPH[DEFAULT_LANGUAGE]))


def _rewrap(text: str, start: str, width: int = 99) -> str:
    """`text` with the paragraph that begins with `start` filled to `width` (it holds the parts
    that depend on the assignment)."""
    paragraphs = text.split("\n\n")
    for i, paragraph in enumerate(paragraphs):
        if paragraph.startswith(start):
            paragraphs[i] = textwrap.fill(" ".join(paragraph.split()), width)
    return "\n\n".join(paragraphs)


def requirements() -> str:
    """The packages a graded notebook may import, with the kit's own declared versions (NumPy:
    the one minor version the course grades with), and what opens the notebook."""
    bounds = {}
    for req in declared_requirements():
        match = re.match(r"([A-Za-z0-9_.-]+)\s*([^;]*)", req)
        if match and ";" not in req:
            bounds[match[1].lower()] = match[2].strip()
    lines = [f"{name}{bounds.get(name, '')}" for name in STUDENT_PACKAGES] + [NOTEBOOK_APP]
    return "\n".join(lines) + "\n"
