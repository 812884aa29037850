"""Check-cell messages in another language (docs/translating.md, "Check-cell messages").

An assertion message after `# diagnosis: <id>` or `# message: <id>` is the English template of
that id in the message catalog; in language L it becomes L's template, its `{placeholders}` filled
with the same expressions as the English f-string. A placeholder's text (a hint, in the message or
in a name it shows) becomes L's text of the declared message whose English it is
(`translate_constant`, the one rule for text values). Used by `languages.language_notebook`.
"""

from __future__ import annotations

import ast
import re
import string
from dataclasses import dataclass

from nnkit_contract import i18n
from nnkit_contract.cells import neutralize_magics

#: The comment that names the catalog id of the assertion message on the next statement.
MESSAGE_TAG = re.compile(r"^\s*# (?:diagnosis|message): (?P<id>\S+)\s*$")
#: A `# message: <id>` tag line: the source notebook's only, every release leaves it out (a
#: `# diagnosis: <id>` stays, it names the cause for the student too).
_MESSAGE_ONLY_TAG = re.compile(r"^[ \t]*# message: \S+[ \t]*\n?", re.M)


_SENTINEL = "\x00{}\x00"
_SENTINEL_RE = re.compile("\x00(\\d+)\x00")


@dataclass(frozen=True)
class Untranslated:
    """A tagged message the release could not translate (no template in the language, or a
    message that does not fit its English template): named by the tests and by lint."""

    line: int
    message_id: str
    why: str


def _message_node(statement: ast.stmt) -> ast.expr | None:
    if isinstance(statement, ast.Assert):
        return statement.msg
    if isinstance(statement, ast.Raise) and isinstance(statement.exc, ast.Call) \
            and statement.exc.args:
        return statement.exc.args[0]
    return None


def _template_regex(template: str) -> tuple[re.Pattern, list[str]]:
    parts, names = [], []
    for literal, name, _, _ in string.Formatter().parse(" ".join(template.split())):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(f"(?P<p{len(names)}>.+?)")
            names.append(name)
    return re.compile("".join(parts), re.S), names


def _parts_of(node: ast.expr) -> tuple[str, list[ast.FormattedValue]] | None:
    """An assertion message as text, each `{expr}` a sentinel, and the expressions in order."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, []
    if not isinstance(node, ast.JoinedStr):
        return None
    text, values = [], []
    for part in node.values:
        if isinstance(part, ast.Constant):
            text.append(part.value)
        else:
            text.append(_SENTINEL.format(len(values)))
            values.append(part)
    return "".join(text), values


def _rebuild(text: str, values: list[ast.FormattedValue]) -> ast.expr:
    """The message node for `text` whose sentinels stand for `values`."""
    parts: list[ast.expr] = []
    position = 0
    for m in _SENTINEL_RE.finditer(text):
        if m.start() > position:
            parts.append(ast.Constant(text[position:m.start()]))
        parts.append(values[int(m[1])])
        position = m.end()
    if position < len(text):
        parts.append(ast.Constant(text[position:]))
    if all(isinstance(p, ast.Constant) for p in parts):
        return ast.Constant("".join(p.value for p in parts))
    return ast.JoinedStr(parts)


def catalog_entry(message_id: str, assignment: str = "") -> dict[str, str] | None:
    """The catalog entry of a tag's id: an assignment's own (`<assignment>:<id>`, as
    `Diagnosis.message_id` keys it) before a common one."""
    found = i18n.catalog()
    return found.get(f"{assignment}:{message_id}") if assignment and \
        f"{assignment}:{message_id}" in found else found.get(message_id)


def known_texts(assignment: str, lang: str) -> dict[str, str | None]:
    """English -> `lang` text (None: it has none yet) of every message the hidden tests of
    `assignment` declare without placeholders (its own, `<assignment>:<id>`, and the shared
    helpers', autograde_tests.messages.declared): the hints and other fixed phrases a check cell
    may hold as a constant, e.g. `standardize.hint-new-array`. English words normalized to single
    spaces; an assignment's own message before a shared one of the same English."""
    if not assignment:
        return {}
    from autograde_tests import messages

    found = sorted(messages.declared(assignment).values(),
                   key=lambda m: (not m.key.startswith(f"{assignment}:"), m.key))
    out: dict[str, str | None] = {}
    for m in found:
        if not m.placeholders:   # its text is the template with {{ }} read as braces
            target = i18n.catalog().get(m.key, {}).get(lang)
            out.setdefault(" ".join(m.english.format().split()), target and target.format())
    return out


def _phrase(text: str) -> bool:
    """A constant that reads as words (a hint), not as code (a name, a number, a shape)."""
    words = text.split()
    return len(words) >= 3 and sum(w.strip(",.:;()").isalpha() for w in words) >= 2


def translate_constant(text: str, lang: str, assignment: str = "") -> tuple[str | None, str]:
    """The `lang` text of a constant `text` of a check cell that fills a placeholder of a tagged
    message (literally, or as the value of a name the cell assigns it to): the one rule for text
    values such as `common.input-changed`'s {hint}. The declared message of `assignment` whose
    English it is gives the translation; a text that is code is kept as it is (None, ""); a phrase
    that is no declared message is kept and named (None, why)."""
    english = " ".join(text.split())
    known = known_texts(assignment, lang)
    if known.get(english) is not None:
        return known[english], ""
    if english in known:
        return None, f"the text {english!r} has no {lang} text in the catalog"
    if _phrase(english):
        return None, f"the text {english!r} is no declared message of {assignment or 'the kit'}"
    return None, ""


def translate_message(node: ast.expr, message_id: str, lang: str,
                      assignment: str = "") -> tuple[str | None, str]:
    """The source of the message `node` in `lang` (None when it cannot be translated) and why not."""
    parsed = _parts_of(node)
    if parsed is None:
        return None, "the message is not a string"
    text, values = parsed
    entry = catalog_entry(message_id, assignment)
    if entry is None:
        return None, "no such id in the message catalog"
    english, target = entry[i18n.DEFAULT_LANGUAGE], entry.get(lang)
    if not target:
        return None, f"no {lang} text in the catalog"
    pattern, names = _template_regex(english)
    found = pattern.fullmatch(" ".join(text.split()))
    if found is None:
        return None, "the message is not its English template"
    filled: dict[str, str] = {}
    for index, name in enumerate(names):
        filled.setdefault(name, found[f"p{index}"])
    for name, value in filled.items():   # a literal text value in `lang` (a hint)
        if not _SENTINEL_RE.search(value):
            translated, why = translate_constant(value, lang, assignment)
            if why:
                return None, f"{{{name}}}: {why}"
            filled[name] = value if translated is None else translated
    out = []
    for literal, name, spec, conversion in string.Formatter().parse(target):
        out.append(literal)
        if name is not None:
            value = filled[name]
            if not _SENTINEL_RE.search(value) and (spec or conversion):  # a literal value
                value = ("{" + name + (f"!{conversion}" if conversion else "")
                         + (f":{spec}" if spec else "") + "}").format(**{name: value})
            out.append(value)
    return ast.unparse(_rebuild("".join(out), values)), ""


def translate_messages(source: str, lang: str,
                       assignment: str = "") -> tuple[str, list[Untranslated]]:
    """`source` (a check cell, or any Python file) with every tagged assertion message in `lang`,
    and the tagged messages it could not translate."""
    tags = {number: m["id"] for number, line in enumerate(source.splitlines(), 1)
            if (m := MESSAGE_TAG.match(line))}
    if not tags:
        return source, []
    tree = ast.parse(neutralize_magics(source))
    edits: list[tuple[ast.expr, str]] = []
    missed: list[Untranslated] = []
    names: set[str] = set()   # the names whose values tagged messages show
    for statement in ast.walk(tree):
        if not isinstance(statement, ast.stmt) or statement.lineno - 1 not in tags:
            continue
        message_id = tags.pop(statement.lineno - 1)
        node = _message_node(statement)
        if node is None:
            missed.append(Untranslated(statement.lineno, message_id, "no message to translate"))
            continue
        new, why = translate_message(node, message_id, lang, assignment)
        if new is None:
            missed.append(Untranslated(node.lineno, message_id, why))
        else:
            edits.append((node, new))
            names |= {n.id for v in ast.walk(node) if isinstance(v, ast.FormattedValue)
                      for n in ast.walk(v.value) if isinstance(n, ast.Name)}
    # A text the message takes from a name (`hint = "..."`, or `hints = {"X": "...", ...}` shown
    # as {hints[name]}): the same rule as a text written in the message itself (translate_constant).
    for statement in ast.walk(tree):
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                and isinstance(statement.targets[0], ast.Name) and statement.targets[0].id in names:
            for constant in _texts_of(statement.value):
                text, why = translate_constant(constant.value, lang, assignment)
                if text is not None:
                    edits.append((constant, repr(text)))
                elif why:
                    missed.append(Untranslated(constant.lineno, statement.targets[0].id, why))
    missed += [Untranslated(n + 1, mid, "the tag is not right before an assertion")
               for n, mid in tags.items()]
    return _replace_nodes(source, edits), sorted(missed, key=lambda u: u.line)


def strip_message_tags(source: str) -> str:
    """`source` without its `# message: <id>` lines (they serve the release only, so the English
    release is the same with or without them)."""
    return _MESSAGE_ONLY_TAG.sub("", source) if "# message: " in source else source


def _replace_nodes(source: str, edits: list[tuple[ast.expr, str]]) -> str:
    """`source` with the text of each node replaced by its new source (the rest the same bytes)."""
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def at(lineno: int, col: int) -> int:   # col_offset counts UTF-8 bytes
        return offsets[lineno - 1] + len(lines[lineno - 1].encode()[:col].decode())

    for node, new in sorted(edits, key=lambda e: (e[0].lineno, e[0].col_offset), reverse=True):
        start, end = at(node.lineno, node.col_offset), at(node.end_lineno, node.end_col_offset)
        source = source[:start] + new + source[end:]
    return source


def _texts_of(value: ast.expr) -> list[ast.Constant]:
    """The text constants a name is given to be shown in a message: a string, or the string
    values of a dict (`hints = {"X": "...", ...}`)."""
    values = [value] if isinstance(value, ast.Constant) else \
        value.values if isinstance(value, ast.Dict) else []
    return [v for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
