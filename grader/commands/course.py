"""`grader course`: which course the grader serves, where it came from, and what it holds."""

from __future__ import annotations

import argparse

HELP = ("Say which course the grader uses and where it came from (--course, $NNKIT_COURSE_ROOT, "
        "the checkout at or above the working directory, or the course installed with the kit), "
        "and list its assignments.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # only the global --course


def run(args: argparse.Namespace) -> int:
    from grader import __version__
    from grader.course import course_file
    from grader.grading import numpy_version
    from grader.paths import course
    from grader.release import example_class

    the_course = course()
    settings = course_file.load(the_course)
    file = course_file.course_file(the_course)
    print(f"course: {the_course.describe()}")
    print(f"course file: {file if file.is_file() else 'none (every assignment weight 1)'}")
    print(f"grader {__version__}; hidden tests: {the_course.autograde_tests}; "
          f"datasets: {the_course.datasets}")
    print(numpy_version.environment_line())
    names = the_course.assignment_names()
    classes = set(example_class.classes(the_course))
    print(f"assignments ({len(names)}):")
    for name in names:
        release = the_course.assignments / name
        parts = [settings.assignment(name).title,
                 "released" if release.is_dir() else "not released (run `grader release`)"]
        if name in classes:
            parts.append("example class")
        print(f"  {name}: {', '.join(parts)}")
    return 0
