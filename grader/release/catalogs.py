"""The message catalogs: the English of every declared message, and the translations TAs keep in
nnkit_contract/locale/<lang>.po, compiled into the one file nnkit_contract/i18n.py reads.

Made here (by `grader release`, compared by `grader release --check`):

- nnkit_contract/locale/messages.pot: every declared message, `msgctxt` its id, `msgid` its
  English template, taken from the declarations themselves (the diagnosis registry of every
  assignment), so no message can be missed by a text scan; `pybabel update -i messages.pot -o
  de.po -l de` brings a language's catalog up to date with it (new ids empty, changed ones fuzzy);
- nnkit_contract/locale/messages.json: {id: {"en": template, lang: template, ...}}, sorted. A
  translation enters only when it is not fuzzy, not empty, and its `msgid` is the current English
  (a stale translation is left out, and tests/test_i18n.py names it).

Babel reads and writes the .po files (the ecosystem's gettext tooling); only this module needs it,
never grading or check.py. See docs/translating.md.
"""

from __future__ import annotations

import datetime
import io
import json
from dataclasses import dataclass
from pathlib import Path

import nnkit_contract
from autograde_tests import diagnosis, engine, messages
from nnkit_contract import i18n
from nnkit_contract.i18n import DEFAULT_LANGUAGE

LOCALE = Path(nnkit_contract.FOLDER) / "locale"
TEMPLATE = LOCALE / "messages.pot"
COMPILED = Path(i18n.CATALOG_FILE)
#: A fixed date in the template's header, so that the file is the same bytes every time.
_EPOCH = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Entry:
    """One translation as a .po file holds it."""

    english: str
    text: str
    fuzzy: bool


def declared_messages() -> dict[str, str]:
    """Every declared message: id -> English template (the diagnoses and `message()`s of every
    assignment of the kit, keyed `<assignment>:<id>`, and the common and shared ones, keyed by
    their id; each diagnosis's label under its `label_id`, `<message id>.label`)."""
    found: dict[str, str] = {}
    for assignment in engine.assignments():
        for d in diagnosis.declared(assignment).values():
            found[d.message_id] = d.message
            found[d.label_id] = d.label
        for m in messages.declared(assignment).values():
            if found.setdefault(m.key, m.english) != m.english:
                raise ValueError(f"message {m.key} is declared twice with different texts")
    for table in _tool_messages():
        found.update(table)
    return dict(sorted(found.items()))


def _tool_messages() -> list[dict[str, str]]:
    """The messages of the kit's own texts (check.py's, the dataset helper's, the feedback's and
    the report's), each declared as id -> English in the module that uses it."""
    import toy2d

    from grader.grading import texts
    from grader.release import student_check

    return [student_check.MESSAGES, texts.MESSAGES, toy2d.MESSAGES]


def po_files() -> dict[str, Path]:
    """language -> its catalog nnkit_contract/locale/<lang>.po."""
    return {p.stem: p for p in sorted(LOCALE.glob("*.po"))}


def read_po(path: Path) -> dict[str, Entry]:
    """The entries of a .po file by message id (its msgctxt)."""
    from babel.messages.pofile import read_po

    with open(path, "rb") as f:
        cat = read_po(f)
    return {m.context: Entry(m.id, m.string or "", m.fuzzy) for m in cat if m.id and m.context}


def compiled(messages: dict[str, str] | None = None,
             languages: dict[str, dict[str, Entry]] | None = None) -> dict[str, dict[str, str]]:
    """The compiled catalog: every declared message in English, with each language's current,
    non-fuzzy, non-empty translation."""
    messages = declared_messages() if messages is None else messages
    if languages is None:
        languages = {lang: read_po(path) for lang, path in po_files().items()}
    out: dict[str, dict[str, str]] = {}
    for mid, english in messages.items():
        entry = {DEFAULT_LANGUAGE: english}
        for lang, entries in sorted(languages.items()):
            e = entries.get(mid)
            if e is not None and e.text and not e.fuzzy and e.english == english:
                entry[lang] = e.text
        out[mid] = entry
    return out


def template_bytes(messages: dict[str, str] | None = None) -> bytes:
    """The bytes of messages.pot."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    messages = declared_messages() if messages is None else messages
    cat = Catalog(project="nnkit", version="1", creation_date=_EPOCH, revision_date=_EPOCH,
                  fuzzy=False, charset="utf-8",
                  header_comment="# The kit's messages in English (msgctxt: the message id), written by "
                                 "`grader release`\n# from the declarations; docs/translating.md.")
    for mid, english in messages.items():
        cat.add(english, context=mid)
    buf = io.BytesIO()
    write_po(buf, cat, width=100, sort_output=True, omit_header=False)
    return buf.getvalue()


def compiled_bytes() -> bytes:
    """The bytes of messages.json."""
    return (json.dumps(compiled(), indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode()


def update(root: Path, check: bool = False) -> list[str]:
    """Write messages.pot and messages.json (or, with `check`, only list the stale ones), as paths
    relative to `root`. Nothing when the kit's contract is not part of the course at `root` (an
    installed kit grading a course of its own: its catalogs come with the kit)."""
    if LOCALE.parent.parent.resolve() != Path(root).resolve():
        return []
    stale = []
    for path, data in ((TEMPLATE, template_bytes()), (COMPILED, compiled_bytes())):
        if not path.is_file() or path.read_bytes() != data:
            stale.append(str(path.relative_to(Path(root).resolve())))
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
    if stale and not check:
        i18n.use_catalog(None)   # read the new file on next use
    return stale


def update_po(lang: str, root: Path | None = None) -> dict[str, list[str]]:
    """Bring nnkit_contract/locale/<lang>.po up to date with the declared messages, as
    `pybabel update --no-fuzzy-matching` does (Babel's Catalog.update: new ids get an empty
    translation, ids no longer declared become obsolete `#~` entries), and one step more: a
    message whose English changed keeps its translation, marked fuzzy with the old English in a
    comment (a fuzzy translation is not compiled until a TA has re-read it and removed the
    flag, and the comment). Returns the ids {"new": [...], "changed": [...], "obsolete": [...]}. `root`: a copy
    of the locale folder's parent to write to instead (tests)."""
    from babel.messages.pofile import read_po as babel_read_po
    from babel.messages.pofile import write_po

    path = (Path(root) / "locale" if root is not None else LOCALE) / f"{lang}.po"
    if not path.is_file():
        raise FileNotFoundError(f"no catalog {path} (docs/translating.md: adding a language)")
    with open(path, "rb") as f:
        cat = babel_read_po(f, locale=lang)
    before = {m.context: m for m in cat if m.id and m.context}
    template = babel_read_po(io.BytesIO(template_bytes()))
    cat.update(template, no_fuzzy_matching=True, update_header_comment=False,
               update_creation_date=False)
    report: dict[str, list[str]] = {"new": [], "changed": [], "obsolete": []}
    for message in cat:
        if not message.id or not message.context or message.string:
            continue
        old = before.get(message.context)
        if old is None:
            report["new"].append(message.context)
        elif old.id != message.id and old.string:
            message.string = old.string
            message.flags.add("fuzzy")
            # The English it translated, for the TA who re-reads it (Babel does not read a
            # `#| msgid` back, so a translator comment keeps it).
            message.user_comments = [*old.user_comments, f"English before: {old.id}"]
            cat.obsolete.pop((old.id, old.context), None)
            cat.obsolete.pop(old.id, None)
            report["changed"].append(message.context)
    report["obsolete"] = sorted(m.context or str(m.id) for m in cat.obsolete.values())
    buf = io.BytesIO()
    write_po(buf, cat, width=100)
    path.write_bytes(buf.getvalue())
    return report
