"""`grader nbgrader`: set up an nbgrader course for the kit, plus thin conveniences.

After `grader nbgrader setup COURSE`, nbgrader's own commands (run in COURSE) are the whole
workflow; `autograde` and `export` here only save typing (see docs/nbgrader.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "Set up an nbgrader course to grade through the kit's sandbox (and run nbgrader on it)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True,
                                parser_class=type(parser))

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("course", type=Path, metavar="COURSE",
                       help="the nbgrader course folder (holds nbgrader_config.py)")
        p.add_argument("--assignment", help="the assignment (needed when the kit has several; "
                       "export: default every assignment of the gradebook)")

    p = sub.add_parser("setup", help="add the kit's configuration and the assignment's source "
                       "to an existing nbgrader course")
    common(p)
    p.add_argument("--seed", type=int, help="run seed to record (default: keep the recorded one, "
                   "else draw one)")
    p.add_argument("--timeout", type=float,
                   help="time limit per call of a student function, seconds (default: the kit's)")
    p.add_argument("--lang", metavar="LANG", help="the language of the release students get "
                   "(one of solutions/course.json `languages`; default its first)")
    p.add_argument("--force", action="store_true", help="replace a source/<assignment> that was "
                   "changed, or record a new --seed for an assignment the course has grades of")
    p = sub.add_parser("autograde", help="copy SUBMITTED into COURSE/submitted, then run "
                       "`nbgrader autograde` there")
    common(p)
    p.add_argument("submitted", type=Path, metavar="SUBMITTED",
                   help="folder with <student>/<assignment>/*.ipynb")
    p = sub.add_parser("export", help="grades.csv with one column per grade cell, from the "
                       "course's gradebook")
    common(p)
    p.add_argument("out_csv", type=Path, metavar="OUT.csv")


def _assignment(args: argparse.Namespace) -> str:
    from grader.paths import course

    return course().choose(args.assignment)


def run(args: argparse.Namespace) -> int:
    from grader.nbgrader import course as nc
    from grader.paths import course

    nc.require_course(args.course)  # a wrong course folder is the first thing to say
    if args.action == "export":   # every assignment of the gradebook unless one is named
        rows, path = nc.export(args.course, args.out_csv, args.assignment)
        print(f"{len(rows)} rows -> {path}")
        return 0
    assignment = _assignment(args)
    if args.action == "setup":
        report = nc.setup(course(), args.course, assignment, seed=args.seed, force=args.force,
                          timeout=args.timeout, lang=args.lang)
        print("\n".join(report.lines()))
    elif args.action == "autograde":
        students = nc.copy_submissions(args.course, assignment, args.submitted)
        print(f"{len(students)} submissions copied to {args.course / 'submitted'}", flush=True)
        nc.run_nbgrader(args.course, "autograde", assignment, "--force")
    return 0
