"""The course's languages: every student-facing message by its id, in the language asked for.

A message is declared once, in English, with a stable id (a diagnosis's id, `<function>.<cause>`
or `common.<cause>`; other messages `<scope>.<what>`) and `{placeholders}`. Its translations live
in one gettext catalog per language, nnkit_contract/locale/<lang>.po (edited by TAs with Babel or
any .po editor), compiled by `grader release` into nnkit_contract/locale/messages.json:

    {"common.input-changed": {"en": "{function} changed ...", "de": "{function} hat ..."}, ...}

JSON rather than .mo because this module must also run inside the students' check.py, with the
standard library only: check.py carries the entries it needs as a literal and hands them to
`use_catalog`. docs/translating.md describes the whole design.

Standard library only; imports no other module of the kit (check.py inlines it).
"""

from __future__ import annotations

import json
import os
import string
from typing import Any

#: The language of every message's source text and of a course that declares none.
DEFAULT_LANGUAGE = "en"
#: Where `grader release` writes the compiled catalog (next to this module).
CATALOG_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale", "messages.json")

#: id -> language -> template; loaded on first use (or handed in by check.py).
_catalog: dict[str, dict[str, str]] | None = None


def use_catalog(catalog: dict[str, dict[str, str]] | None) -> None:
    """Use `catalog` (id -> language -> template) instead of the compiled file; None: the file
    again. check.py calls it with the entries it carries."""
    global _catalog
    _catalog = catalog


def catalog() -> dict[str, dict[str, str]]:
    """The catalog in use: the one handed to `use_catalog`, else the compiled file (an empty
    catalog when there is none: every message is then rendered from its English source)."""
    global _catalog
    if _catalog is None:
        try:
            with open(CATALOG_FILE, encoding="utf-8") as f:
                _catalog = json.load(f)
        except FileNotFoundError:
            _catalog = {}
    return _catalog


def placeholders(template: str) -> set[str]:
    """The names of the `{placeholders}` of `template` ("{a} of {b:.3g}" -> {"a", "b"})."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def template(message_id: str, lang: str, english: str | None = None) -> str:
    """The template of `message_id` in `lang`.

    `english`: the source text the caller declares (a diagnosis's own template), returned as is
    for the default language, so English output never depends on the catalog. A language the
    catalog has no entry for falls back to English: a student never meets a crash for a missing
    translation (tests/test_i18n.py makes sure none is missing). KeyError for an id that is
    neither in the catalog nor given with its English."""
    if lang == DEFAULT_LANGUAGE and english is not None:
        return english
    entry = catalog().get(message_id)
    if entry is None:
        if english is None:
            raise KeyError(f"no message with id {message_id!r}")
        return english
    return entry.get(lang) or (english if english is not None else entry[DEFAULT_LANGUAGE])


def translate(message_id: str, lang: str = DEFAULT_LANGUAGE, /, **values: Any) -> str:
    """Message `message_id` in language `lang`, its placeholders filled with `values`
    (KeyError naming the missing placeholder when one is not given)."""
    return template(message_id, lang).format(**values)
