"""`grader docs`: rewrite the doc tables derived from the kit's data (grader/release/doc_tables.py)."""

from __future__ import annotations

import argparse

HELP = "Rewrite the generated tables of the docs (checks, mutant corpus, example class)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true",
                        help="only report the docs whose tables are out of date (exit 1 if any)")


def run(args: argparse.Namespace) -> int:
    from grader.paths import course, writable
    from grader.release import doc_tables

    the_course = course() if args.check else writable(course(), "grader docs")
    stale = doc_tables.update(the_course, check=args.check)
    if args.check:
        for rel in stale:
            print(f"{rel}: generated tables are out of date: run `make release` (or `grader docs` for the docs alone)")
        return 1 if stale else 0
    print(f"{len(stale)} doc(s) rewritten" + (f": {', '.join(stale)}" if stale else ""))
    return 0
