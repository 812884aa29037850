"""`grader translations`: keep the message catalogs of the course's languages current."""

from __future__ import annotations

import argparse

from grader.errors import UsageError

HELP = ("Update the message catalogs (nnkit_contract/locale/<lang>.po) from the declared messages: "
        "new messages get an empty translation, changed English marks its translation fuzzy.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True,
                                    parser_class=type(parser))
    update = actions.add_parser("update", help="update every language's .po file (or --lang's) "
                                "from the declared messages, then recompile messages.json")
    update.add_argument("--lang", action="append", metavar="LANG",
                        help="only this language (repeatable; default: every catalog)")


def run(args: argparse.Namespace) -> int:
    from grader.course.course_file import available_languages
    from grader.paths import course
    from grader.release import catalogs
    from nnkit_contract.i18n import DEFAULT_LANGUAGE

    have = [lang for lang in available_languages() if lang != DEFAULT_LANGUAGE]
    wanted = args.lang or have
    for lang in wanted:
        if lang not in have:
            raise UsageError(f"--lang {lang}: no catalog nnkit_contract/locale/{lang}.po (the kit "
                             f"has: {', '.join(have) or 'none'}; docs/translating.md adds one)")
    for lang in wanted:
        report = catalogs.update_po(lang)
        print(f"{lang}.po: {len(report['new'])} new (to translate), {len(report['changed'])} "
              f"changed (fuzzy: re-read them), {len(report['obsolete'])} obsolete")
        for mid in report["changed"]:
            print(f"  fuzzy: {mid}")
    catalogs.update(course().root)
    return 0
