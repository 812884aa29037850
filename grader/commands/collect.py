"""`grader collect`: rebuild a run's grades.csv and feedback from its JSON results (optionally
merged with an nbgrader gradebook), or, with --out, gather several assignments into the course
gradebook (grader/course/gradebook.py) with its LMS exports and course page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.errors import UsageError

HELP = ("Rebuild grades.csv and per-student feedback from the JSON results in DIR; with --out, "
        "collect the results of several assignments (output folders and/or an nbgrader "
        "gradebook) into one course table with a weighted total, Moodle and Canvas CSVs and a "
        "course page.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folders", type=Path, nargs="*", metavar="DIR",
                        help="output folders of `grader autograde` (one per assignment run)")
    parser.add_argument("--gradebook", type=Path, metavar="PATH",
                        help="nbgrader gradebook.db: add its results that no DIR has (the "
                             "grader's own result wins; a 'source' column tells them apart)")
    parser.add_argument("--assignment", help="only this assignment from the gradebook")
    parser.add_argument("--out", type=Path, metavar="COURSE_DIR",
                        help="write the course gradebook here: course-grades.csv/.json, "
                             "moodle-<assignment>.csv and canvas-<assignment>.csv per graded "
                             "assignment, course.html")
    parser.add_argument("--course-file", type=Path, metavar="FILE",
                        help="course file with titles, weights and LMS maxima (default: the "
                             "course's solutions/course.json)")
    parser.add_argument("--roster", type=Path, metavar="CSV",
                        help="roster: student_id plus the LMS ids (see docs/course.md)")
    parser.add_argument("--hand-grades", type=Path, metavar="CSV",
                        help="written answers graded by hand: student_id,assignment,answer,points "
                             "(for a course graded without nbgrader's formgrader)")


def _gradebook(args: argparse.Namespace) -> list[dict] | None:
    if args.gradebook is None:
        return None
    from grader.nbgrader.course import gradebook_results

    return gradebook_results(args.gradebook, args.assignment)


def _course(args: argparse.Namespace) -> int:
    from grader.course import course_file, lms_export, roster
    from grader.course import gradebook as course_book
    from grader.paths import course
    from grader.report import course_page as course_report

    the_course = course()
    settings = course_file.load(the_course, args.course_file)
    people = roster.load(args.roster)
    found = course_book.gather(args.folders, _gradebook(args))
    if not found:
        raise UsageError("no results to collect")
    if args.hand_grades is not None:
        from grader.course import hand_grades

        hand_grades.apply(found, hand_grades.load(args.hand_grades), args.hand_grades)
    book = course_book.build(found, settings, people, the_course.assignment_names())
    out: Path = args.out
    lms_files, lms_warnings = lms_export.write(book, out)
    written = course_book.write(book, out) + lms_files
    page = course_report.write_page(out, settings.languages[0])
    graded = [c for c in book.columns if c.graded]
    print(f"{len(book.students)} students, {len(graded)} of {len(book.columns)} assignments graded "
          f"({', '.join(c.name for c in graded)})")
    for path in [*written, page]:
        print(f"  {path}")
    behind = book.behind()
    if behind:
        print(f"{len(behind)} student(s) fell behind: {', '.join(s for s, _ in behind)}")
    provisional = [s for s in book.students if book.provisional(s)]
    if provisional:
        # The LMS files have no column for it: whoever uploads them must be told here.
        print(f"{len(provisional)} student(s) have written answers still to grade by hand "
              f"(provisional; the Moodle and Canvas files hold the points so far): "
              f"{', '.join(provisional)}")
    if book.not_in_roster:
        print(f"not on the roster: {', '.join(book.not_in_roster)}")
    if args.roster is None and lms_files:
        print("no --roster: the LMS files name students by their kit ids (Moodle username, "
              "Canvas SIS Login ID)")
    for line in lms_warnings:
        sys.stderr.write(f"grader: warning: {line}\n")
    return 0


def run(args: argparse.Namespace) -> int:
    from grader.grading import results

    if args.out is not None:
        return _course(args)
    if args.course_file is not None or args.roster is not None:
        raise UsageError("--course-file and --roster belong to the course gradebook: add --out "
                         "COURSE_DIR")
    if len(args.folders) != 1:
        raise UsageError("give one results folder DIR (or several with --out COURSE_DIR for the "
                         "course gradebook)")
    folder = args.folders[0]
    if not folder.is_dir():
        raise UsageError(f"results folder not found: {folder}")
    count, csv_path = results.collect(folder, _gradebook(args))
    if not count:
        raise UsageError(f"no result files in {folder}")
    print(f"{count} results -> {csv_path}")
    return 0
