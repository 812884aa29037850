"""`grader demo`: show what the kit does, writing everything into one output folder."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

HELP = "Run the demo: draw the course datasets (more steps to come) into an output folder."

DEFAULT_OUT = Path("demo-output")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                        help=f"folder for the demo's files (default: {DEFAULT_OUT}/)")


def _datasets_step(out: Path) -> str:
    import toy2d

    path = toy2d.plot_gallery(out / "datasets.png")
    return f"datasets gallery: {path}"


#: The demo's steps in order. Each takes the output folder and returns one line to print.
STEPS: list[Callable[[Path], str]] = [_datasets_step]


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for step in STEPS:
        print(step(out))
    return 0
