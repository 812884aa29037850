"""`grader demo`: the kit's main job on the embedded example class, into one output folder.

Regenerates the release (and with it the example classes), grades every example class
examples/<a>/submitted/ in the sandbox with the seed and time limit of its expected.json into
DIR/<a>/ (grades.csv, feedback, the HTML report), compares every score with the expectation, and
collects the classes into the course gradebook DIR/course/ (course table, Moodle and Canvas CSVs
with examples/roster.csv, the course page).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from grader.errors import UsageError

HELP = ("Run the demo: regenerate the release, grade each example class of examples/ in the "
        "sandbox, write grades.csv, feedback and report.html per assignment into one folder, "
        "check the scores, then collect the classes into the course gradebook (course/: table, "
        "Moodle and Canvas CSVs, course.html) with examples/roster.csv.")

DEFAULT_OUT = Path("demo-output")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                        help=f"folder for the demo's files, replaced on every run (default: {DEFAULT_OUT}/)")
    parser.add_argument("--jobs", type=int, default=None, help="submissions graded at once "
                        "(default: number of cores)")
    parser.add_argument("--assignment", help="only this assignment's example class "
                        "(default: every one)")
    parser.add_argument("--skip-release", action="store_true",
                        help="grade the committed examples without regenerating the release first")


#: The file that marks a folder as a demo output folder (so a rerun may replace it).
RUN_MARK = ".nnkit-demo"
#: Where the course gradebook of the example classes goes, and the roster it uses.
COURSE_DIR = "course"
ROSTER_FILE = "roster.csv"


def _fresh_folder(out: Path) -> None:
    """Empty `out` for a new run, but only if it is one the demo wrote (never a user's folder)."""
    if out.exists():
        if not out.is_dir() or (any(out.iterdir()) and not (out / RUN_MARK).is_file()):
            raise UsageError(f"{out} exists and is not a demo output folder: choose another --out")
        shutil.rmtree(out)
    out.mkdir(parents=True)


def run(args: argparse.Namespace) -> int:
    import toy2d

    from grader.cli import main
    from grader.paths import course, writable
    from grader.release import example_class

    the_course = course() if args.skip_release else writable(course(), "grader demo (its release)")
    out: Path = args.out.resolve()
    names = example_class.chosen_classes(the_course, args.assignment)
    if not names:
        raise UsageError("no example class: examples/<assignment>/expected.json does not exist")
    if not args.skip_release:
        status = main(["release"])  # also rebuilds examples/<a>/submitted/ from the release
        if status != 0:
            return status
    _fresh_folder(out)
    (out / RUN_MARK).write_text("grader demo\n", encoding="utf-8")
    mismatched = 0
    for name in names:
        status, problems = _grade_class(the_course, name, out / name, args.jobs)
        if status != 0:
            return status
        mismatched += problems
    argv = ["collect", *(str(out / name) for name in names), "--out", str(out / COURSE_DIR)]
    roster = example_class.examples_root(the_course) / ROSTER_FILE
    if roster.is_file():
        argv += ["--roster", str(roster)]
    status = main(argv)  # the course gradebook of the classes, with its LMS exports and page
    if status != 0:
        return status
    print(f"datasets: {toy2d.plot_gallery(out / 'datasets.png')}")
    print(f"demo output folder: {out}")
    return 1 if mismatched else 0


def _grade_class(the_course, name: str, out: Path, jobs: int | None) -> tuple[int, int]:
    """Grade one example class into `out`; return (exit status, number of mismatches)."""
    from grader.cli import main
    from grader.grading.results import load_results
    from grader.release import example_class
    from grader.report.page import write_report
    from grader.similarity.output import report_section

    expected = example_class.load_expected(the_course, name)
    submitted = example_class.examples_dir(the_course, name) / example_class.SUBMITTED_DIR
    argv = ["autograde", str(submitted), "--assignment", name, "--out", str(out),
            "--seed", str(expected["seed"]), "--timeout", str(expected["timeout"])]
    if jobs is not None:
        argv += ["--jobs", str(jobs)]
    status = main(argv)
    if status != 0:
        return status, 0
    print(f"report: {write_report(out, name, report_section)}")
    problems = example_class.mismatches(expected, load_results(out))
    for line in problems:
        print(f"NOT AS EXPECTED ({name}): {line}")
    n = len(expected["students"])
    print(f"expected scores (examples/{name}/{example_class.EXPECTED_FILE}): "
          + (f"all {n} match" if not problems else f"{len(problems)} mismatch(es)"))
    return 0, len(problems)
