"""Result files of a grading run: per-submission JSON, grades.csv, per-student feedback.

Layout of an output folder:
    DIR/run.json                                   the run: seed, assignment, version, settings
    DIR/grades.csv                                 one row per student x assignment, a column per test
    DIR/report.html, DIR/report-figures/           `grader report`
    DIR/students/<student>/<assignment>.json       one result per submission (written atomically)
    DIR/students/<student>/<assignment>.feedback.md
Per-student files live under students/, so that no student id can collide with a run-level file.
The JSON files are the record; CSV and feedback are rebuilt from them (`grader collect`).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from grader.grading import answers, texts
from nnkit_contract.outcomes import SUBMISSION_STATUSES

#: Statuses of a whole submission (the contract's).
#: Keys whose values are wall-clock measurements (excluded when comparing runs).
TIMING_KEYS = frozenset({"duration", "started", "finished"})
RUN_FILE = "run.json"
CSV_FILE = "grades.csv"
#: Folder of the per-student files inside an output folder.
STUDENTS_DIR = "students"
#: Student ids that are used as they are for folder names and CSV cells; any other id (spaces,
#: other characters, too long) is graded all the same, but its files go to a folder named after
#: its hash, and it is reported as unusable.
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,127}$")


def usable_id(student: str) -> bool:
    return bool(STUDENT_ID.match(student))


def student_folder(student: str) -> str:
    """The folder name of a student's files under students/ (the id itself when it is usable)."""
    if usable_id(student):
        return student
    return "_id-" + hashlib.sha256(student.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def run_record(assignment: str, seed: int, graded_by: str, **settings: Any) -> dict:
    """What run.json holds on every grading path (`grader autograde`, nbgrader through the
    kit): the assignment, the run seed, who graded, the grader's version, the sandbox's isolation
    mode, the NumPy and Python versions of grading, and the path's own settings (limits, jobs)."""
    from grader import __version__, sandbox
    from grader.grading import numpy_version

    return {"assignment": assignment, "seed": seed, "graded_by": graded_by,
            "grader_version": __version__, "isolation": sandbox.isolation_mode(),
            "environment": numpy_version.grading_environment(), **settings}


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON so that readers see either the old file or the complete new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_leftovers(out: Path, assignment: str) -> list[Path]:
    """Delete the temporary files that a killed run left next to `assignment`'s results
    (write_json_atomic's `.<file>.*.tmp`); return them. Called before a run writes anything, so
    no live writer of this output folder owns them (one run per folder at a time)."""
    left = sorted((Path(out) / STUDENTS_DIR).glob(f"*/.{assignment}.json.*.tmp"))
    for path in left:
        path.unlink(missing_ok=True)
    return left


def read_json(path: Path) -> Any:
    """The JSON in `path`, or None when it is missing or unreadable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def result_path(out: Path, student: str, assignment: str) -> Path:
    return Path(out) / STUDENTS_DIR / student_folder(student) / f"{assignment}.json"


def feedback_path(out: Path, student: str, assignment: str) -> Path:
    return Path(out) / STUDENTS_DIR / student_folder(student) / f"{assignment}.feedback.md"


def is_complete(data: Any) -> bool:
    """A result file that a finished grading wrote (resume skips these)."""
    return (isinstance(data, dict) and data.get("status") in SUBMISSION_STATUSES
            and isinstance(data.get("tests"), list) and "score" in data)


def read_result(path: Path) -> dict | None:
    data = read_json(path)
    return data if is_complete(data) else None


def result_files(out: Path) -> list[Path]:
    """The result files under `out`, sorted by student then assignment (not yet validated)."""
    return sorted((Path(out) / STUDENTS_DIR).glob("*/*.json"), key=lambda p: (p.parent.name, p.stem))


def iter_results(out: Path) -> Iterator[dict]:
    """Every complete result under `out`, one at a time (sorted by student then assignment), so
    that a class of any size is processed in constant memory."""
    for path in result_files(out):
        data = read_result(path)
        if data is not None:
            yield data


def load_results(out: Path) -> list[dict]:
    """Every complete result under `out`, sorted by student then assignment."""
    return sorted(iter_results(out), key=lambda r: (r["student"], r["assignment"]))


def without_timing(data: Any) -> Any:
    """A copy of a result with the wall-clock fields removed (for comparing two runs)."""
    if isinstance(data, dict):
        return {k: without_timing(v) for k, v in data.items() if k not in TIMING_KEYS}
    if isinstance(data, list):
        return [without_timing(v) for v in data]
    return data


def test_ids(results: Iterable[dict]) -> list[str]:
    """All test ids in first-seen order (every graded result lists the same ones)."""
    return list(dict.fromkeys(t["id"] for r in results for t in r["tests"]))


def write_csv_file(path: Path, results: Iterable[dict], with_source: bool = False,
                   ids: list[str] | None = None) -> Path:
    """grades.csv at `path`: student_id, assignment, score, max_score, status, the points per
    test id, then the points of the written answers still to grade by hand; `with_source` adds a
    last column naming who graded each row ("grader" or "nbgrader", see `grader collect
    --gradebook`). `results` may be a one-pass iterator when the test `ids` (the columns) are
    given."""
    if ids is None:
        results = list(results)
        ids = test_ids(results)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student_id", "assignment", "score", "max_score", "status", *ids,
                         "manual_points_awaiting", *(["source"] if with_source else [])])
        for r in results:
            points = {t["id"]: t["points"] for t in r["tests"]}
            writer.writerow([csv_text(r["student"]), csv_text(r["assignment"]), _num(r["score"]),
                             _num(r["max_score"]), r["status"], *(_num(points[i]) if i in points else "" for i in ids),
                             _num(manual_points(r)), *([r.get("source", "grader")] if with_source else [])])
    os.replace(tmp, path)
    return path


def _num(x: float) -> str:
    return f"{x:g}"


def csv_text(text: str) -> str:
    """A text cell that a spreadsheet shows as text (never runs as a formula): every CSV the kit
    writes passes student-influenced text (ids, names) through here."""
    text = str(text).replace("\r", " ").replace("\n", " ")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t") else text



def write_rows(path: Path, head: list[str], rows: Iterable[list[str]]) -> Path:
    """A CSV file written atomically (a reader never sees half of it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(head)
        writer.writerows(rows)
    os.replace(tmp, path)
    return path


#: Heading of a result's notes (grader.grading.submission.cell_notes) wherever they are shown.
NOTES_HEADING = texts.MESSAGES["feedback.notes-heading"]


def feedback_markdown(r: dict, lang: str = texts.DEFAULT_LANGUAGE) -> str:
    """The feedback a student reads, in `lang`: score, then every test with its message."""
    say = texts.say
    lines = [say("feedback.title", lang, assignment=r["assignment"], student=r["student"]), "",
             *feedback_summary(r, lang)]
    current = None
    for t in r["tests"]:
        if t["function"] != current:
            current = t["function"]
            lines += ([""] if lines[-1] else []) + [f"## `{current}`", ""]
        mark = texts.check_status(t["status"], lang)
        lines.append(f"- **{t['id']}** — {_num(t['points'])}/{_num(t['max_points'])} — {mark}")
        if t["status"] != "passed" or t.get("message"):   # a passed check may carry notes
            for line in texts.test_message(t, lang).splitlines():
                lines.append(f"    {line}")
            if t.get("diagnosis"):
                lines.append("    " + say("feedback.cause", lang,
                                              label=texts.cause_label(t, r["assignment"], lang)))
    manual = r.get("manual") or []
    if manual:
        lines += ([""] if lines[-1] else []) + [
            say("feedback.written-answers", lang), "",
            say("feedback.graded-by-hand", lang, points=_num(manual_points(r))), ""]
        lines += [say("feedback.manual-item", lang, id=m["id"], points=_num(m["max_points"]),
                      state=say("feedback.no-answer" if answers.blank(m) else "feedback.awaiting",
                                lang))
                  for m in manual]
    lines += ["", say("feedback.demo-cells", lang),
              # Never the run seed: with the public grader code it would give away every hidden
              # input of a later submission graded with the same seed.
              say("feedback.grader", lang, version=r.get("grader_version")), ""]
    return "\n".join(lines)


def feedback_summary(r: dict, lang: str = texts.DEFAULT_LANGUAGE) -> list[str]:
    """The feedback's lines about the whole submission (score, status, why it was not graded,
    errors of its cells, what the grader ignored), before any test (Markdown), in `lang`."""
    lines = [texts.say("feedback.score", lang, score=_num(r["score"]),
                       max_score=_num(r["max_score"]),
                       status=texts.submission_status(r["status"], lang)), ""]
    if r.get("reason"):
        lines += [f"> {r['reason']}", ""]
    if r.get("load_errors"):
        lines += [texts.say("feedback.load-errors", lang), ""]
        lines += [f"- `{e}`" for e in r["load_errors"]] + [""]
    if r.get("notes"):
        lines += [texts.say("feedback.notes-heading", lang) + ":", ""] + [
            f"- {n}" for n in r["notes"]] + [""]
    return lines


def manual_points(r: dict) -> float:
    """Points of the written answers that await manual grading (not in `score`/`max_score`); a
    blank answer awaits nothing (grader.grading.answers)."""
    return answers.awaiting_points(r)


def cell_points(r: dict) -> dict[str, float]:
    """The points of a result per nbgrader grade cell (test-<function>), as the gradebook holds
    them: the sum of the function's checks."""
    cells: dict[str, float] = {}
    for t in r["tests"]:
        cells[f"test-{t['function']}"] = cells.get(f"test-{t['function']}", 0) + t["points"]
    return cells


def cell_report(r: dict, function: str, lang: str = texts.DEFAULT_LANGUAGE) -> str:
    """The plain-text report of one graded function, as nbgrader shows it in the function's grade
    cell: the score, then every check with its message and confirmed cause (and a passed check
    with its notes)."""
    tests = [t for t in r["tests"] if t["function"] == function]
    score = sum(t["points"] for t in tests)
    total = sum(t["max_points"] for t in tests)
    say = texts.say
    lines = [say("feedback.cell-score", lang, function=function, score=_num(score),
                 total=_num(total))]
    if r["status"] != "graded":
        lines.append("  " + say("feedback.cell-not-graded", lang,
                         status=texts.submission_status(r["status"], lang),
                         reason=r.get("reason") or say("feedback.see-log", lang)))
        return "\n".join(lines) + "\n"
    for t in tests:
        mark = "ok  " if t["status"] == "passed" else "FAIL"
        state = "" if t["status"] in ("passed", "failed") else \
            f", {texts.check_status(t['status'], lang)}"
        lines.append(f"  {mark} {t['id']} ({_num(t['points'])}/{_num(t['max_points'])}{state})")
        if t["status"] != "passed" or t.get("message"):   # a passed check may carry notes
            lines += [f"       {line}" for line in texts.test_message(t, lang).splitlines()]
            if t.get("diagnosis"):
                lines.append("       " + say("feedback.cell-cause", lang,
                                                 label=texts.cause_label(t, r["assignment"], lang)))
    return "\n".join(lines) + "\n"


def write_feedback(out: Path, r: dict, lang: str | None = None) -> Path:
    """Write a result's feedback in `lang` (default: the run's language, run.json)."""
    path = feedback_path(out, r["student"], r["assignment"])
    path.parent.mkdir(parents=True, exist_ok=True)
    lang = lang or texts.run_language(out)
    path.write_text(feedback_markdown(r, lang), encoding="utf-8")
    return path


def collect(out: Path, extra: list[dict] | None = None) -> tuple[int, Path]:
    """Rebuild grades.csv and every feedback file from the JSON results in `out`; return the
    number of CSV rows and the CSV's path.

    The result files are read one at a time, twice (the columns first, then the rows), so memory
    does not grow with the class. `extra` are results graded elsewhere (nbgrader's gradebook): a
    row of `extra` is added only for a (student, assignment) that `out` has no result for, so the
    grader's own result wins; the CSV then gets a last `source` column. No feedback file is
    written for those rows."""
    lang = texts.run_language(out)
    if extra is None:
        ids = test_ids(iter_results(out))
        count = 0

        def rows() -> Iterator[dict]:
            nonlocal count
            for r in iter_results(out):
                write_feedback(out, r, lang)
                count += 1
                yield r
        path = write_csv_file(out / CSV_FILE, rows(), ids=ids)
        return count, path
    results = load_results(out)
    for r in results:
        write_feedback(out, r, lang)
    have = {(r["student"], r["assignment"]) for r in results}
    merged = results + [dict(r, source="nbgrader") for r in extra
                        if (r["student"], r["assignment"]) not in have]
    merged.sort(key=lambda r: (r["student"], r["assignment"]))
    return len(merged), write_csv_file(out / CSV_FILE, merged, with_source=True)
