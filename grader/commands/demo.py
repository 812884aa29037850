"""`grader demo`: the kit's main job on the embedded example class, into one output folder.

Regenerates the release (and with it the example class), grades examples/submitted/ in the
sandbox with the seed and time limit of examples/expected.json, writes grades.csv, feedback and
the HTML report, and compares every score with the expectation.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from grader.errors import UsageError

HELP = ("Run the demo: regenerate the release, grade the example class in examples/ in the "
        "sandbox, write grades.csv, feedback and report.html into one folder, check the scores.")

DEFAULT_OUT = Path("demo-output")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                        help=f"folder for the demo's files, replaced on every run (default: {DEFAULT_OUT}/)")
    parser.add_argument("--jobs", type=int, default=None, help="submissions graded at once "
                        "(default: number of cores)")
    parser.add_argument("--skip-release", action="store_true",
                        help="grade the committed examples without regenerating the release first")


def _fresh_folder(out: Path) -> None:
    """Empty `out` for a new run, but only if it is one the demo wrote (never a user's folder)."""
    from grader.results import RUN_FILE

    if out.exists():
        if not out.is_dir() or (any(out.iterdir()) and not (out / RUN_FILE).is_file()):
            raise UsageError(f"{out} exists and is not a demo output folder: choose another --out")
        shutil.rmtree(out)
    out.mkdir(parents=True)


def run(args: argparse.Namespace) -> int:
    import toy2d

    from grader import example_class
    from grader.cli import main
    from grader.paths import course
    from grader.report import write_report
    from grader.results import load_results

    the_course = course()
    out: Path = args.out.resolve()
    expected = example_class.load_expected(the_course)
    if not args.skip_release:
        status = main(["release"])  # also rebuilds examples/submitted/ from the release
        if status != 0:
            return status
    _fresh_folder(out)
    submitted = example_class.examples_dir(the_course) / example_class.SUBMITTED_DIR
    argv = ["autograde", str(submitted), "--assignment", expected["assignment"], "--out", str(out),
            "--seed", str(expected["seed"]), "--timeout", str(expected["timeout"])]
    if args.jobs is not None:
        argv += ["--jobs", str(args.jobs)]
    status = main(argv)
    if status != 0:
        return status
    print(f"report: {write_report(out, expected['assignment'])}")
    print(f"datasets: {toy2d.plot_gallery(out / 'datasets.png')}")
    problems = example_class.mismatches(expected, load_results(out))
    for line in problems:
        print(f"NOT AS EXPECTED: {line}")
    n = len(expected["students"])
    print(f"expected scores ({example_class.EXPECTED_FILE}): "
          + (f"all {n} match" if not problems else f"{len(problems)} mismatch(es)"))
    print(f"demo output folder: {out}")
    return 1 if problems else 0
