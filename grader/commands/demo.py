"""`grader demo`: show what the kit does, writing everything into one output folder."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

HELP = ("Run the demo: draw the course datasets, then grade an example class in the sandbox; "
        "everything goes into one output folder.")

DEFAULT_OUT = Path("demo-output")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                        help=f"folder for the demo's files (default: {DEFAULT_OUT}/)")


def _datasets_step(out: Path) -> str:
    import toy2d

    path = toy2d.plot_gallery(out / "datasets.png")
    return f"datasets gallery: {path}"


def _grading_step(out: Path) -> str:
    import shutil

    from grader.cli import main
    from grader.demo_class import write_example_class
    from grader.paths import course

    submissions = out / "submissions"
    shutil.rmtree(submissions, ignore_errors=True)
    students = write_example_class(course(), submissions)
    grades = out / "grades"
    status = main(["autograde", str(submissions), "--out", str(grades), "--seed", "2024",
                   "--timeout", "3"])
    if status != 0:
        raise SystemExit(status)
    return f"graded {len(students)} example submissions: {grades / 'grades.csv'}"


#: The demo's steps in order. Each takes the output folder and returns one line to print.
STEPS: list[Callable[[Path], str]] = [_datasets_step, _grading_step]


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for step in STEPS:
        print(step(out), flush=True)
    print(f"demo output folder: {out.resolve()}")
    return 0
