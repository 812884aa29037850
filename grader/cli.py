"""`grader` command line: a thin dispatcher over grader.commands.*."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from grader import __version__
from grader.commands import COMMANDS
from grader.errors import UsageError

COURSE_HELP = ("the course folder (the one holding solutions/; default: the checkout at or above "
               "the working directory, else the course installed with the kit)")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (no usage dump) and exit status 2. Every parser
    (the main one and each subcommand's) takes the global `--course DIR`, so it may stand before
    or after the subcommand."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_argument("--course", dest="course_root", type=Path, metavar="DIR",
                          default=argparse.SUPPRESS, help=COURSE_HELP)

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"grader: error: {message} (see 'grader --help')\n")
        raise SystemExit(2)


class _Version(argparse.Action):
    """`grader --version`: the kit's version and the course it serves (and where it came from)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help="show the version and the course used, then exit"):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from grader import paths

        try:
            where = paths.find_course(getattr(namespace, "course_root", None)).describe()
        except UsageError as exc:
            where = f"none ({exc})"
        print(f"grader {__version__}\ncourse: {where}")
        parser.exit()


def _load(name: str):
    return importlib.import_module(f"grader.commands.{COMMANDS[name]}")


def build_parser() -> argparse.ArgumentParser:
    """The full parser; each subcommand module adds its own arguments."""
    parser = _Parser(prog="grader", description="Release, check and auto-grade the NumPy "
                     "neural-network assignments of a course.")
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = _load(name)
        except ModuleNotFoundError as exc:
            if exc.name != f"grader.commands.{COMMANDS[name]}":
                raise
            continue  # a subcommand not built yet is simply not offered
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    from grader import paths

    try:
        with paths.chosen(getattr(args, "course_root", None)):
            if getattr(args, "course_root", None) is not None:
                paths.course()   # a wrong --course is the first thing to say
            return int(args._run(args) or 0)
    except UsageError as exc:
        sys.stderr.write(f"grader: error: {exc}\n")
        return 2
    except LookupError as exc:
        from autograde_tests.engine import UnknownAssignment

        if not isinstance(exc, UnknownAssignment):
            raise
        # A course folder with an assignment whose hidden tests the installed kit lacks.
        sys.stderr.write(f"grader: error: {exc}: install the kit again from the clone that has "
                         "them (pip install '<clone>[instructor]')\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("grader: interrupted\n")
        return 130
    except BrokenPipeError:   # e.g. `grader collect ... | head`: the reader left, nothing to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())   # no second error when Python flushes stdout
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
