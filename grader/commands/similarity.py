"""`grader similarity`: which submissions of a class share code beyond what the release gave."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from grader.errors import UsageError
from grader.paths import course

HELP = ("Compare every pair of submissions of a class on the code the students wrote (the "
        "release's and the reference's code removed); write DIR/similarity.csv, .html and .png. "
        "Student code is only read, never run.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions", type=Path, metavar="CLASS",
                        help="folder with one subfolder per student (nbgrader layout)")
    parser.add_argument("--assignment", help="assignment name (default: the only one)")
    parser.add_argument("--out", type=Path, default=Path("grading-output"),
                        help="output folder (default: grading-output)")
    parser.add_argument("--past", type=Path, metavar="DIR",
                        help="a folder of earlier terms' classes (DIR/<term>/<student>/<assignment>/): "
                             "each submission is also compared with every one of them")
    parser.add_argument("--threshold", type=float, default=None,
                        help="flag pairs scoring at least this, 0 to 1 (default: the course file's "
                             "similarity_threshold, else 0.5)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="processes reading the notebooks (default: number of cores)")


def run(args: argparse.Namespace) -> int:
    from grader.commands.autograde import _only_assignment_in

    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.threshold is not None and not 0 <= args.threshold <= 1:
        raise UsageError("--threshold must be from 0 to 1")
    the_course = course()
    if not args.submissions.is_dir():
        raise UsageError(f"submissions folder not found: {args.submissions}")
    if args.past is not None and not args.past.is_dir():
        raise UsageError(f"past classes folder not found: {args.past}")
    name = the_course.choose(args.assignment or _only_assignment_in(args.submissions, the_course))
    return compare_class(the_course, name, args.submissions, args.out, args.threshold, args.past,
                         args.jobs)


def compare_class(the_course, name: str, submissions: Path, out: Path, threshold: float | None,
                  past: Path | None = None, jobs: int | None = None) -> int:
    """Run the comparison and write its files into `out` (also used by `grader autograde
    --similarity`); print one line per submission not compared and a summary."""
    from grader.course import course_file
    from grader.similarity import output
    from grader.similarity import run as similarity

    release = the_course.assignments / name
    notebooks = sorted(release.glob("*.ipynb")) if release.is_dir() else []
    if len(notebooks) != 1:
        raise UsageError(f"no release of {name} in {the_course.assignments}: run `grader release`")
    if threshold is None:
        threshold = course_file.load(the_course).similarity_threshold_of(name)
    result = similarity.run(submissions, name, notebooks[0], the_course.solution_notebook(name),
                            threshold, past, jobs)
    files = output.write(result, out.resolve())
    for entry in result.entries:
        if entry.print is None:
            print(f"not compared: {entry.who}: {entry.problem}")
        for note in entry.notes:
            print(f"note: {entry.who}: {note}")
    flagged = result.flagged()
    print(f"similarity: {sum(e.print is not None and not e.past for e in result.entries)} submissions "
          f"of {name} compared, {len(result.scores)} pairs, {len(flagged)} at or above {threshold:g}")
    for p in flagged[:10]:
        print(f"  {p.score:.2f}  {result.entries[p.a].who}  {result.entries[p.b].who}")
    print(f"similarity: {files['html']} ({files['csv'].name}, {files['png'].name})")
    return 0
