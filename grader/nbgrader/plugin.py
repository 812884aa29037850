"""nbgrader grades through the kit's sandbox: two preprocessors for nbgrader's `autograde`.

`grader nbgrader setup` writes them into the course's configuration (nnkit_config.py, included
from nbgrader_config.py), in place of nbgrader's `Execute`:

    c.Autograde.autograde_preprocessors = AUTOGRADE_PREPROCESSORS

- `SandboxGrade` takes the place of `Execute`. No kernel is started. It grades the notebook the
  student submitted (submitted/<student>/<a>/<notebook>.ipynb, the file `grader autograde`
  grades) with the same engine (grader.grading.grade.grade_notebook), sandbox, limits
  (grader.grading.limits) and recorded run seed as `grader autograde`, against the reference in the
  course's source/<a>/. Then it writes into the notebook nbgrader hands it: each grade cell gets
  the student-facing report as output and its points as the cell's result (nbgrader's partial
  credit); a grade cell the student deleted is put back, so it is scored like the others; check
  and demo cells get a line saying they are not run when graded. The result is also written in
  the grader's own format under <course>/nnkit-results/<a>/ (`grader report` and `grader
  collect` read it).
- `FlagUngraded` runs after nbgrader's `SaveAutoGrades`: a submission that could not be graded
  (its code did not load, ran out of time or memory) gets every grade cell flagged "needs manual
  grading" with the reason in the cell, instead of a silent 0.

- `CheckCells` runs first of nbgrader's sanitizing steps (before DeduplicateIds, OverwriteCells
  and CheckCellMetadata, which would flag a notebook with a copied, added or altered grade cell
  for manual grading, or abort the whole run): it rewrites nbgrader's working copy in the
  released form (grader.grading.submission.released_form), by the verdict `grader autograde` applies.
- `check_files` is nbgrader's pre-convert hook: a submission whose notebook is missing under its
  released name, or unreadable, is refused with the same reason as `grader autograde` gives
  (grader.grading.submission.locate_notebook / read_notebook), recorded in the grader's format; nbgrader
  then flags it for manual grading and goes on with the next student.

A notebook that is not one of the kit's (no recorded seed, and its grade cells do not say they
are graded by the kit): `SandboxGrade` hands it to nbgrader's own `Execute` and the two checks
above leave it alone, so the course's other assignments are graded as before. A kit notebook
without a recorded seed, or any notebook while the kit's settings are missing or broken
(`settings_error`, set by the block setup adds to nbgrader_config.py), is refused: flagged for
manual grading, nbgrader exits non-zero, never a silent 0.

nbgrader's own SaveAutoGrades, gradebook, formgrader, export and generate_feedback then work
unchanged. No hidden test, reference or grading code runs in a student kernel: the hidden-test
cells hold only a `raise` that tells a course without this setup that it is misconfigured.
"""

from __future__ import annotations

import copy
import functools
import re
import sys
from dataclasses import replace
from pathlib import Path

from nbformat import NotebookNode
from nbformat.v4 import new_output
from traitlets import Dict, Float, Int, Unicode

from grader.errors import UsageError
from grader.grading import answers, results, texts
from grader.grading.grade import Assignment, base_result, grade_notebook, ungraded
from grader.grading.limits import grading_limits, grading_memory_ceiling
from grader.grading.submission import InvalidSubmission, locate_notebook, read_notebook, released_form
from nnkit_contract.cells import Role, cell_role, function_of, grade_id
from nnkit_contract.outcomes import SubmissionStatus

try:
    from nbgrader.preprocessors import NbGraderPreprocessor
except ImportError as exc:  # pragma: no cover - this module is only loaded by nbgrader
    raise ImportError("grader.nbgrader.plugin is loaded by nbgrader: install the 'instructor' "
                      "extra") from exc

#: nbgrader's autograde steps with the kit's: `Execute` replaced, `FlagUngraded` after
#: `SaveAutoGrades`. Everything else is nbgrader's default, in nbgrader's order.
AUTOGRADE_PREPROCESSORS = [
    "grader.nbgrader.plugin.SandboxGrade",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "grader.nbgrader.plugin.FlagUngraded",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
#: nbgrader's sanitizing steps, with the kit's CheckCells first (nbgrader's defaults otherwise).
SANITIZE_PREPROCESSORS = [
    "grader.nbgrader.plugin.CheckCells",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
#: nbgrader's hook before a student's notebooks are read (Autograde.pre_convert_hook).
PRE_CONVERT_HOOK = "grader.nbgrader.plugin.check_files"
#: Where in the course the results in the grader's format go (one folder per assignment).
RESULTS_DIR = "nnkit-results"
#: resources key through which SandboxGrade tells FlagUngraded how grading went.
RESOURCE_KEY = "nnkit"
NOT_RUN = {
    Role.DEMO: "[not run when graded: demo cells only train and plot; the hidden tests call your "
               "functions themselves]\n",
    Role.CHECK: "[not run when graded: this is a public check; the hidden tests of this exercise "
                "grade it with new inputs]\n",
}
RESTORED = "# This grade cell was missing from the submission; the grader put it back to show " \
           "the result.\n"


class NotSetUp(Exception):
    """The course is missing something the kit needs (run `grader nbgrader setup`)."""


class SandboxGrade(NbGraderPreprocessor):
    """Grades the submission with the kit's engine in its sandbox (replaces nbgrader's Execute)."""

    seeds = Dict(key_trait=Unicode(), value_trait=Int(), default_value={},
                 help="The recorded run seed of each assignment (written by `grader nbgrader "
                      "setup`): the same seed gives the same hidden inputs as `grader "
                      "autograde --seed`.").tag(config=True)
    timeout = Float(None, allow_none=True,
                    help="Time limit per call of a student function, in seconds (as `grader "
                         "autograde --timeout`); None: the kit's default.").tag(config=True)
    languages = Dict(key_trait=Unicode(), value_trait=Unicode(), default_value={},
                     help="The language of each assignment's release and feedback (written by "
                          "`grader nbgrader setup --lang`); an assignment not named: English."
                     ).tag(config=True)
    results_dir = Unicode(RESULTS_DIR, help="Folder of the course (relative to its root) that "
                          "receives the results in the grader's format.").tag(config=True)
    settings_error = Unicode("", help="Set by the block `grader nbgrader setup` adds to "
                             "nbgrader_config.py when the kit's settings (nnkit_config.py) are "
                             "missing or broken: every submission is then refused (flagged for "
                             "manual grading, nbgrader exits non-zero), never scored 0."
                             ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        try:
            return self._grade(nb, resources)
        except NotSetUp as exc:
            # nbgrader reports the failure and exits non-zero; the gradebook must not show the
            # submission as a plain 0 either.
            flag_needs_manual_grading(resources)
            self.log.error("%s: not graded: %s", resources["nbgrader"]["student"], exc)
            raise

    def _grade(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        ids = resources["nbgrader"]
        assignment_id, student, notebook_id = ids["assignment"], ids["student"], ids["notebook"]
        coursedir = _coursedir(self.config)
        if self.settings_error:
            raise NotSetUp(f"the course kit's settings are missing or broken "
                           f"({self.settings_error}): run `grader nbgrader setup COURSE "
                           f"--assignment {assignment_id}`")
        seed = self.seeds.get(assignment_id)
        if seed is None and _is_kit_notebook(nb):
            # A kit notebook graded in a kernel would score 0 in every grade cell.
            raise NotSetUp(f"no run seed is recorded for {assignment_id} in the kit's settings: "
                           f"run `grader nbgrader setup COURSE --assignment {assignment_id}`")
        if seed is None:
            # Not one of the kit's assignments (setup records a seed for each): the course's
            # other assignments keep nbgrader's own execution.
            self.log.info("%s is not set up by the course kit: executing it with nbgrader's "
                          "Execute", assignment_id)
            from nbgrader.preprocessors import Execute

            return Execute(config=self.config, parent=self.parent).preprocess(nb, resources)
        assignment = _assignment(Path(coursedir.format_path(coursedir.source_directory, ".",
                                                            assignment_id)))
        if notebook_id != Path(assignment.notebook_name).stem:
            raise NotSetUp(f"{assignment_id} has no graded notebook {notebook_id}.ipynb "
                           f"(the kit grades {assignment.notebook_name})")
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, student,
                                               assignment_id)) / f"{notebook_id}.ipynb"
        assignment = replace(assignment, answer_stubs=self._answer_stubs(assignment))
        limits = grading_limits(self.timeout)
        with grading_memory_ceiling():
            result = grade_notebook(submitted, student, assignment, seed, limits)
        out = Path(coursedir.root) / self.results_dir / assignment_id
        lang = self.languages.get(assignment_id) or texts.DEFAULT_LANGUAGE
        _record(out, result, limits, lang)
        self.log.info("%s: %g / %g (%s)", student, result["score"], result["max_score"],
                      result["status"])
        nb = annotate(nb, result, assignment.reference, lang)
        resources[RESOURCE_KEY] = {"status": result["status"], "reason": result["reason"],
                                   "blank_answers": [m["id"] for m in result["manual"]
                                                     if answers.blank(m)]}
        return nb, resources

    def _answer_stubs(self, assignment: Assignment) -> tuple[str, ...]:
        """What leaves a written answer blank in this course: its configured text stub and the
        text nbgrader's release gives each answer cell (grader.grading.answers)."""
        import nbformat

        cells = nbformat.read(assignment.reference, as_version=4).cells
        return (answers.nbgrader_stub(self.config),
                *answers.nbgrader_release_texts(cells, self.config).values())


class CheckCells(NbGraderPreprocessor):
    """First of nbgrader's sanitizing steps: the working copy of a submission of one of the
    kit's assignments in its released form (grader.grading.submission.released_form). Copies of a
    released cell, cells with a grade id the release lacks and altered grading metadata then
    never reach DeduplicateIds, OverwriteCells or CheckCellMetadata, which would flag the
    notebook or abort the whole run; the grader's verdict on those cells is in the result's
    notes. Other assignments pass unchanged."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        assignment_id = resources["nbgrader"]["assignment"]
        if _seed(self.config, assignment_id) is None:
            return nb, resources
        try:
            assignment = _assignment(_source_dir(self.config, assignment_id))
        except NotSetUp as exc:
            flag_needs_manual_grading(resources)
            self.log.error("%s: not graded: %s", resources["nbgrader"]["student"], exc)
            raise
        return released_form(nb, assignment.release), resources


def check_files(assignment=None, student=None, notebooks=(), **_):
    """nbgrader's pre-convert hook (`Autograde.pre_convert_hook`, set by nnkit_config.py), called
    before nbgrader reads one student's notebooks of an assignment (`notebooks`: their paths).

    For the kit's assignments it applies the verdict on the submission's files that `grader
    autograde` applies (grader.grading.submission.locate_notebook and read_notebook): a notebook missing
    under its released name (a renamed copy) or unreadable is refused, with the same reason, in
    the log and in the grader's results (nnkit-results/). nbgrader then fails that student on its
    own (the notebook is unknown to its gradebook, or cannot be read), leaves its grades to
    manual grading and goes on with the next student. `assignment` and `student` are the command
    line's patterns, so both are read from the notebooks' folder instead."""
    converter = _calling_converter()
    if converter is None or not notebooks:
        return
    folder = Path(notebooks[0]).parent
    pattern = converter._format_source("(?P<assignment_id>.*)", "(?P<student_id>.*)", escape=True)
    match = re.fullmatch(pattern, str(folder))
    if match is None:
        return
    assignment_id, student = match["assignment_id"], match["student_id"]
    seed = _seed(converter.config, assignment_id)
    if seed is None:
        return
    try:
        kit = _assignment(_source_dir(converter.config, assignment_id))
    except NotSetUp:
        return   # CheckCells and SandboxGrade report it, for every student
    located = locate_notebook(folder, kit.notebook_name)
    problem = located.problem
    if not problem and located.path is not None:
        try:
            read_notebook(located.path)
        except InvalidSubmission as exc:
            problem = str(exc)
    if problem:
        result = ungraded(base_result(student, assignment_id, seed), SubmissionStatus.INVALID,
                          problem)
        _record(Path(_coursedir(converter.config).root) / RESULTS_DIR / assignment_id, result,
                grading_limits(SandboxGrade(config=converter.config).timeout))
        converter.log.error("%s: not graded (invalid), needs manual grading: %s", student, problem)


def _calling_converter():
    """The nbgrader converter that runs the hook: nbgrader calls it with the command line's
    patterns only, so the course's directories and settings are read from its caller (nbgrader
    0.9's BaseConverter.run_pre_convert_hook); None when the caller is something else."""
    from nbgrader.converters import BaseConverter

    frame = sys._getframe(2)
    caller = frame.f_locals.get("self") if frame is not None else None
    return caller if isinstance(caller, BaseConverter) else None


def _seed(config, assignment_id: str) -> int | None:
    """The recorded run seed of one of the kit's assignments; None for any other assignment."""
    return SandboxGrade(config=config).seeds.get(assignment_id)


def _source_dir(config, assignment_id: str) -> Path:
    coursedir = _coursedir(config)
    return Path(coursedir.format_path(coursedir.source_directory, ".", assignment_id))


class FlagUngraded(NbGraderPreprocessor):
    """After SaveAutoGrades: an ungraded submission needs manual grading, never a silent 0; a
    blank written answer (grader.grading.answers) is scored 0, with nothing left to grade by hand."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources.get(RESOURCE_KEY)
        if info is not None and info.get("blank_answers"):
            score_blank_answers(resources, info["blank_answers"])
        if info is None or info["status"] == SubmissionStatus.GRADED.value:
            return nb, resources
        flag_needs_manual_grading(resources)
        self.log.warning("%s: not graded (%s), every grade cell needs manual grading: %s",
                         resources["nbgrader"]["student"], info["status"], info["reason"])
        return nb, resources


def flag_needs_manual_grading(resources: dict) -> None:
    """Every autograded grade of the submission in `resources`: no score, needs manual grading."""
    from nbgrader.api import Gradebook

    ids = resources["nbgrader"]
    with Gradebook(ids["db_url"]) as gb:
        notebook = gb.find_submission_notebook(ids["notebook"], ids["assignment"], ids["student"])
        for grade in notebook.grades:
            if grade.cell.cell_type == "code":
                grade.auto_score = None
                grade.needs_manual_grade = True
        gb.db.commit()


def score_blank_answers(resources: dict, ids: list[str]) -> None:
    """The written answers `ids` of the submission in `resources` are blank: 0 points, nothing to
    grade by hand (a score the instructor gave by hand is kept)."""
    from nbgrader.api import Gradebook

    who = resources["nbgrader"]
    with Gradebook(who["db_url"]) as gb:
        notebook = gb.find_submission_notebook(who["notebook"], who["assignment"], who["student"])
        for grade in notebook.grades:
            if grade.name in ids and grade.manual_score is None:
                grade.auto_score = 0.0
                grade.needs_manual_grade = False
        gb.db.commit()


#: What every hidden-test cell of a kit notebook says when it runs in a kernel.
KIT_MARK = "grader nbgrader setup"


def _is_kit_notebook(nb: NotebookNode) -> bool:
    """A notebook of one of the kit's assignments: its grade cells say they are graded by the
    kit (their hidden part, which nbgrader restores before autograding)."""
    return any(cell_role(c) is Role.TEST and KIT_MARK in (c.get("source") or "") for c in nb.cells)


def _coursedir(config):
    from nbgrader.coursedir import CourseDirectory

    return CourseDirectory(config=config)


@functools.lru_cache(maxsize=16)
def _assignment_cached(source: Path, _stamp: tuple) -> Assignment:
    notebooks = sorted(p for p in source.glob("*.ipynb") if not p.name.startswith("."))
    if len(notebooks) != 1:
        raise NotSetUp(f"{source} must hold exactly one notebook (the source notebook), found "
                       f"{len(notebooks)}")
    try:
        assignment = Assignment.from_folders(source, notebooks[0])
        assignment.load_reference()
    except UsageError as exc:
        raise NotSetUp(f"{exc} (run `grader nbgrader setup`)") from None
    return assignment


def _assignment(source: Path) -> Assignment:
    """The assignment as the course holds it: source/<a>/ has the source notebook (the
    reference) and every student file (the release's)."""
    if not source.is_dir():
        raise NotSetUp(f"{source} does not exist: run `grader nbgrader setup`")
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in source.iterdir()))
    return _assignment_cached(source.resolve(), stamp)


def _record(out: Path, result: dict, limits, lang: str = texts.DEFAULT_LANGUAGE) -> None:
    """The result and its feedback (in `lang`) in the grader's own layout (see
    grader.grading.results), and the run's record (results.run_record, as `grader autograde`
    writes it; its language only when it is not English)."""
    results.write_json_atomic(results.result_path(out, result["student"], result["assignment"]),
                              result)
    results.write_feedback(out, result, lang)
    run_file = out / results.RUN_FILE
    run = results.run_record(result["assignment"], result["seed"], "nbgrader",
                             call_cpu=limits.call_cpu, total_cpu=limits.total_cpu, lang=lang)
    if results.read_json(run_file) != run:
        results.write_json_atomic(run_file, run)


def annotate(nb: NotebookNode, result: dict, source_notebook: Path,
             lang: str = "en") -> NotebookNode:
    """Write `result` into the notebook: a report (in `lang`) and the points in every grade cell
    (a deleted one is put back first), a note in check and demo cells. Returns the notebook."""
    nb = _restore_missing_test_cells(nb, source_notebook)
    first = True
    for cell in nb.cells:
        role = cell_role(cell)
        if role is Role.TEST:
            function = function_of(grade_id(cell))
            text = results.cell_report(result, function, lang)
            if first and result.get("load_errors"):
                text += "Errors while running your notebook's code:\n" + "".join(
                    f"  {line}\n" for line in result["load_errors"])
            if first and result.get("notes"):
                text += results.NOTES_HEADING + ":\n" + "".join(
                    f"  {line}\n" for line in result["notes"])
            first = False
            points = sum(t["points"] for t in result["tests"] if t["function"] == function)
            cell.outputs = [new_output("stream", name="stdout", text=text),
                            new_output("execute_result", data={"text/plain": repr(float(points))},
                                       execution_count=None)]
        elif role in NOT_RUN and cell.get("cell_type") == "code":
            cell.outputs = [new_output("stream", name="stdout", text=NOT_RUN[role])]
    return nb


def _restore_missing_test_cells(nb: NotebookNode, source_notebook: Path) -> NotebookNode:
    """Put back every grade cell of the source notebook that the submission lacks, after the
    cell that precedes it in the source (or at the end)."""
    import nbformat

    present = {grade_id(c) for c in nb.cells if grade_id(c)}
    source = nbformat.read(source_notebook, as_version=4)
    previous: str | None = None
    for cell in source.cells:
        gid = grade_id(cell)
        if cell_role(cell) is Role.TEST and gid not in present:
            restored = copy.deepcopy(cell)
            restored.source = RESTORED + restored.source
            restored.outputs = []
            position = next((i + 1 for i, c in enumerate(nb.cells) if previous and
                             grade_id(c) == previous), len(nb.cells))
            nb.cells.insert(position, restored)
            present.add(gid)
        if gid:
            previous = gid
    return nb
