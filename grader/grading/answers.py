"""Written answers (the cells of role "answer", graded by hand): when one is blank, and what it
counts. Every path asks this module: `grader autograde` (grader.grading.submission.written_answers), the
nbgrader preprocessor (grader.nbgrader.plugin), the gradebook reader
(grader.nbgrader.course.gradebook_results), `grader collect` and the course page
(grader.course.gradebook), the report and the feedback (grader.grading.results).

An answer is blank when, whitespace aside, its text is empty, nbgrader's default stub, the stub
the course configured (nbgrader's `ClearSolutions.text_stub`), or the text the release put in the
cell (unchanged from the release). A blank answer counts 0 at once and is never "awaiting":
there is nothing for a person to grade. Only a written answer waits for a person, and the course
table is provisional only while one does.

Each written answer of a result is a dict in the result's `manual` list:

    {"id": grade_id, "max_points": p, "status": AWAITING | BLANK, "answered": bool}

(a blank one also has "points": 0), and once graded by hand it moves to `manual_done` with its
points and status GRADED.
"""

from __future__ import annotations

from collections.abc import Iterable

#: nbgrader's default ClearSolutions.text_stub: what a written-answer cell of a release holds.
NBGRADER_TEXT_STUB = "YOUR ANSWER HERE"
#: The delimiter of a solution region (nbgrader's default): a cell holding one is a source
#: notebook's model answer, never a release's stub.
SOLUTION_MARK = "BEGIN SOLUTION"

AWAITING = "awaiting_manual_grading"
BLANK = "blank"
GRADED = "graded"


def _normal(text: str) -> str:
    return " ".join(str(text).split())


def is_blank(text: str | None, stubs: Iterable[str] = ()) -> bool:
    """True when the answer `text` holds nothing to grade: empty, nbgrader's default stub, or one
    of `stubs` (the course's configured stub, the released texts), whitespace aside."""
    mine = _normal(text or "")
    return not mine or mine in {_normal(s) for s in (NBGRADER_TEXT_STUB, *stubs) if s}


def released_text(cell_source: str) -> str | None:
    """The text an answer cell of a release holds, as a stub to recognise; None for a source
    notebook's cell (its model answer, inside a solution region), which is never a stub."""
    return None if SOLUTION_MARK in cell_source else cell_source


def entry(grade_id: str, max_points: float, text: str | None, stubs: Iterable[str]) -> dict:
    """One written answer of a result (the module docstring's shape)."""
    if is_blank(text, stubs):
        return {"id": grade_id, "max_points": float(max_points), "status": BLANK,
                "answered": False, "points": 0.0}
    return {"id": grade_id, "max_points": float(max_points), "status": AWAITING, "answered": True}


def blank(answer: dict) -> bool:
    """An answer entry that counts 0 with nothing to grade (also older results, which marked it
    by `answered: False` only)."""
    return answer.get("status") == BLANK or answer.get("answered") is False


def awaiting(r: dict) -> list[dict]:
    """The written answers of result `r` that wait for a person."""
    return [m for m in r.get("manual") or [] if not blank(m)]


def awaiting_points(r: dict) -> float:
    """Points of the written answers of `r` that wait for a person (not in score/max_score)."""
    return float(sum(m["max_points"] for m in awaiting(r)))


def from_gradebook(grade_id: str, max_points: float, manual_score: float | None,
                   auto_score: float | None, needs_manual_grade: bool) -> dict:
    """A written answer as nbgrader's gradebook holds it: graded by hand (a manual score), blank
    (nbgrader scored it 0 because it is unchanged from the release, or the kit did because it is
    blank, and nothing is left to grade), or awaiting a person."""
    if manual_score is not None:
        return {"id": grade_id, "max_points": float(max_points), "points": float(manual_score),
                "status": GRADED, "answered": True}
    if auto_score is not None and not needs_manual_grade:
        return {"id": grade_id, "max_points": float(max_points), "points": float(auto_score),
                "status": BLANK, "answered": False}
    return {"id": grade_id, "max_points": float(max_points), "status": AWAITING, "answered": True}


def nbgrader_stub(config) -> str:
    """The text stub an nbgrader course releases written answers with (its configured
    ClearSolutions.text_stub, else nbgrader's default), read by nbgrader itself."""
    from nbgrader.preprocessors import ClearSolutions

    return ClearSolutions(config=config).text_stub


def nbgrader_release_texts(cells, config) -> dict[str, str]:
    """grade_id -> the text nbgrader's release gives each written-answer cell of a source
    notebook (its solution region replaced by the course's stub), computed by nbgrader's own
    ClearSolutions."""
    import copy

    from nbgrader.preprocessors import ClearSolutions

    from nnkit_contract.cells import Role, cell_role, grade_id

    clear = ClearSolutions(config=config)
    texts = {}
    for index, cell in enumerate(cells):
        if cell_role(cell) is Role.ANSWER and cell.get("cell_type") == "markdown":
            released, _ = clear.preprocess_cell(copy.deepcopy(cell), {"language": "python"}, index)
            texts[grade_id(cell)] = released.source
    return texts


def course_text_stub(course_dir) -> str | None:
    """The ClearSolutions.text_stub set by the nbgrader course in `course_dir` (its
    nbgrader_config.py, as nbgrader reads it), or None when there is no such course or it sets
    none. Used by `grader autograde` on a course's submitted/ folder."""
    from pathlib import Path

    config_file = Path(course_dir) / "nbgrader_config.py"
    if not config_file.is_file():
        return None
    try:
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader(config_file.name, path=str(config_file.parent)).load_config()
    except Exception:  # noqa: BLE001 - an unreadable config: the default stubs still apply
        return None
    stub = config.get("ClearSolutions", {}).get("text_stub")
    return str(stub) if stub else None
