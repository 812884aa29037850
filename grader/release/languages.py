"""One source notebook, one release per language (docs/translating.md, "Notebook prose").

The source notebook keeps every language side by side:

- a markdown cell of another language sits directly after the default-language cell it
  translates, with cell metadata {"nnkit": {"lang": "de"}} and the cell id `<english id>-de`;
- the translated docstrings of a code cell are in its metadata,
  {"nnkit": {"de": {"docstrings": {"<function or class name>": "..."}}}}; the code itself is
  written once;
- a check cell's assertion message after `# diagnosis: <id>` (or `# message: <id>`) is the English
  template of that id in the message catalog (nnkit_contract/locale/), so its translation is
  that id's template in the catalog; a `# message: <id>` line is the source's only (every
  release strips it, `strip_message_tags`), a `# diagnosis: <id>` line is released.

`language_notebook(nb, lang, default)` is the notebook of one language, made before nbgrader runs:

- default language: every translated cell is dropped and every `nnkit` metadata key removed (an
  English-only notebook comes out unchanged);
- another language L: each default cell with an L twin is replaced by the twin, which takes the
  default cell's id and nbgrader metadata (a written-answer cell keeps its grade id in every
  release), cells of other languages are dropped, docstrings are swapped in by `ast` position
  and check-cell messages are rewritten with L's templates, their `{placeholders}` filled with the
  same expressions as the English f-string; a placeholder's text (a hint, in the message or in a
  name it shows) becomes L's text of the declared message whose English it is (`translate_constant`).

So every release has the same cells, cell ids and grade ids, and the same code once docstrings and
comments are set aside (`code_signature`, which the tests compare): a notebook of one language is
graded exactly like one of another.
"""

from __future__ import annotations

import ast
import copy
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass

import nbformat

from nnkit_contract import i18n
from nnkit_contract.cells import neutralize_magics

#: The cell-metadata key of everything language-related.
META_KEY = "nnkit"
#: The comment that names the catalog id of the assertion message on the next statement.
MESSAGE_TAG = re.compile(r"^\s*# (?:diagnosis|message): (?P<id>\S+)\s*$")
#: A `# message: <id>` tag line: the source notebook's only, every release leaves it out (a
#: `# diagnosis: <id>` stays, it names the cause for the student too).
_MESSAGE_ONLY_TAG = re.compile(r"^[ \t]*# message: \S+[ \t]*\n?", re.M)


def cell_language(cell) -> str | None:
    """The language a translated cell is written in ({"nnkit": {"lang": L}}), None for a cell of
    the default language."""
    meta = cell.get("metadata", {}).get(META_KEY)
    lang = meta.get("lang") if isinstance(meta, dict) else None
    return lang if isinstance(lang, str) and lang else None


def docstrings(cell, lang: str) -> dict[str, str]:
    """The translated docstrings of a code cell in `lang`: function or class name -> text."""
    meta = cell.get("metadata", {}).get(META_KEY)
    found = meta.get(lang, {}).get("docstrings", {}) if isinstance(meta, dict) else {}
    return dict(found) if isinstance(found, dict) else {}


def twin_id(cell_id: str, lang: str) -> str:
    """The cell id of the `lang` twin of the cell `cell_id`."""
    return f"{cell_id}-{lang}"


def _strip_meta(cell) -> None:
    cell.get("metadata", {}).pop(META_KEY, None)


# ------------------------------------------------------------------------------ docstrings

def _docstring_nodes(tree: ast.AST) -> Iterator[tuple[str, ast.Expr]]:
    """(name, docstring expression) of every function and class that has a docstring."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                yield node.name, first


def _docstring_source(text: str, indent: str) -> list[str]:
    """A docstring as source lines at `indent`, in the kit's shape (quotes on lines of their own
    for a text of several lines)."""
    text = text.strip("\n").replace('"""', r'\"\"\"')
    if "\n" not in text:
        return [f'{indent}"""{text}"""']
    body = [f"{indent}{line}" if line.strip() else "" for line in text.splitlines()]
    return [f'{indent}"""', *body, f'{indent}"""']


def swap_docstrings(source: str, translated: dict[str, str]) -> str:
    """`source` with the docstring of each function or class named in `translated` replaced by
    its translation (the code around it untouched). KeyError naming a name `source` lacks."""
    if not translated:
        return source
    tree = ast.parse(neutralize_magics(source))
    nodes = dict(_docstring_nodes(tree))
    missing = sorted(set(translated) - set(nodes))
    if missing:
        raise KeyError(f"no docstring of {', '.join(missing)} in this cell")
    lines = source.splitlines()
    for name, node in sorted(nodes.items(), key=lambda item: -item[1].lineno):
        if name not in translated:
            continue
        first = lines[node.lineno - 1]
        indent = first[:len(first) - len(first.lstrip())]
        lines[node.lineno - 1:node.end_lineno] = _docstring_source(translated[name], indent)
    return "\n".join(lines) + ("\n" if source.endswith("\n") else "")


def comments(cell, lang: str) -> dict[str, str]:
    """The translated comments of a code cell in `lang`: English comment (block) -> translation,
    both with their `#`s ({"nnkit": {"de": {"comments": {...}}}})."""
    meta = cell.get("metadata", {}).get(META_KEY)
    found = meta.get(lang, {}).get("comments", {}) if isinstance(meta, dict) else {}
    return dict(found) if isinstance(found, dict) else {}


def _comment_lines(source: str) -> dict[int, tuple[int, str]]:
    """line number (0-based) -> (column, text) of every comment token of `source`."""
    import io
    import tokenize

    found = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(neutralize_magics(source)).readline):
            if tok.type == tokenize.COMMENT:
                found[tok.start[0] - 1] = (tok.start[1], tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return found


def swap_comments(source: str, translated: dict[str, str]) -> str:
    """`source` with each English comment of `translated` replaced by its translation: a block
    of whole-line comments (the key's lines, one comment per line, at any indentation) becomes the
    translation's lines at that indentation; a one-line key also matches a comment after code.
    KeyError naming a comment `source` lacks. The code is never touched (comments are not in the
    tree)."""
    if not translated:
        return source
    lines = source.splitlines()
    found = _comment_lines(source)
    missing = []
    for english, german in translated.items():
        block = [line.strip() for line in english.strip("\n").splitlines()]
        hits = [i for i in range(len(lines) - len(block) + 1)
                if all(found.get(i + k, (0, None))[1] == block[k].strip() for k in range(len(block)))
                and (len(block) == 1 or all(lines[i + k].strip() == block[k] for k in range(len(block))))]
        if not hits:
            missing.append(english.splitlines()[0] if english else english)
            continue
        for i in reversed(hits):
            column = found[i][0]
            if len(block) == 1 and lines[i][:column].strip():   # a comment after code
                lines[i] = lines[i][:column] + " ".join(german.split("\n"))
                continue
            indent = lines[i][:column]
            lines[i:i + len(block)] = [indent + g.strip() for g in german.strip("\n").splitlines()]
            found = _comment_lines("\n".join(lines))
    if missing:
        raise KeyError(f"no comment {missing[0]!r} in this cell")
    return "\n".join(lines) + ("\n" if source.endswith("\n") else "")


# ------------------------------------------------------------------------- check messages

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


# ------------------------------------------------------------------------------- notebooks

def languages_of(nb) -> set[str]:
    """Every language the notebook has translated cells or docstrings in."""
    found = set()
    for cell in nb.cells:
        if (lang := cell_language(cell)):
            found.add(lang)
        meta = cell.get("metadata", {}).get(META_KEY)
        if isinstance(meta, dict):
            found |= {k for k, v in meta.items() if isinstance(v, dict)
                      and ("docstrings" in v or "comments" in v)}
    return found


@dataclass
class LanguageBuild:
    """The notebook of one language and what it could not translate."""

    notebook: nbformat.NotebookNode
    #: (cell id, problem) of every default-language text left as it is.
    untranslated: list[tuple[str, str]]


def language_notebook(nb, lang: str, default: str = i18n.DEFAULT_LANGUAGE,
                      assignment: str = "") -> LanguageBuild:
    """The notebook `nb` (of `assignment`, whose own message ids its check cells name) in
    language `lang` (the module docstring says how)."""
    nb = copy.deepcopy(nb)
    cells, untranslated = [], []
    index = 0
    while index < len(nb.cells):
        cell = nb.cells[index]
        index += 1
        if cell_language(cell) is not None:    # a twin whose default cell came before it
            continue
        twins = {}
        while index < len(nb.cells) and (other := cell_language(nb.cells[index])) is not None:
            twins[other] = nb.cells[index]
            index += 1
        if lang != default and lang in twins:
            twin = twins[lang]
            twin.id = cell.get("id", twin.get("id"))
            twin.metadata = {k: v for k, v in cell.metadata.items() if k != META_KEY}
            cells.append(twin)
            continue
        if lang != default and cell.cell_type == "markdown" and cell.source.strip():
            untranslated.append((cell.get("id", "?"), f"markdown cell without a {lang} twin"))
        if lang != default and cell.cell_type == "code":
            cell.source = swap_docstrings(cell.source, docstrings(cell, lang))
            cell.source = swap_comments(cell.source, comments(cell, lang))
            cell.source, missed = translate_messages(cell.source, lang, assignment)
            untranslated += [(cell.get("id", "?"), f"line {u.line}: {u.message_id}: {u.why}")
                             for u in missed]
        if cell.cell_type == "code":
            cell.source = strip_message_tags(cell.source)
        cells.append(cell)
    for cell in cells:
        _strip_meta(cell)
    nb.cells = cells
    return LanguageBuild(nb, untranslated)


def code_signature(nb) -> list[tuple[str, str, str]]:
    """(cell id, type, code) of every cell, code cells as their `ast` dump without docstrings
    (comments never reach the tree), markdown as "": what every release of a notebook shares."""
    out = []
    for cell in nb.cells:
        code = ""
        if cell.cell_type == "code":
            tree = ast.parse(neutralize_magics(cell.source))
            for _, node in _docstring_nodes(tree):
                node.value = ast.Constant("")
            shown = set()   # names whose text a message shows ({hint}): text too
            for node in ast.walk(tree):   # assertion messages are text, not code
                if isinstance(node, ast.stmt) and (msg := _message_node(node)) is not None \
                        and isinstance(msg, ast.Constant | ast.JoinedStr):
                    shown |= {n.id for v in ast.walk(msg) if isinstance(v, ast.FormattedValue)
                              for n in ast.walk(v.value) if isinstance(n, ast.Name)}
                    _blank_text(msg)
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                        and isinstance(node.targets[0], ast.Name) and node.targets[0].id in shown:
                    for value in _texts_of(node.value):
                        value.value = ""
            code = ast.dump(tree)
        out.append((cell.get("id", ""), cell.cell_type, code))
    return out


def _texts_of(value: ast.expr) -> list[ast.Constant]:
    """The text constants a name is given to be shown in a message: a string, or the string
    values of a dict (`hints = {"X": "...", ...}`)."""
    values = [value] if isinstance(value, ast.Constant) else \
        value.values if isinstance(value, ast.Dict) else []
    return [v for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)]


def _blank_text(node: ast.expr) -> None:
    """Keep a message's expressions, forget its words."""
    if isinstance(node, ast.Constant):
        node.value = ""
    else:
        node.values = sorted((v for v in node.values if not isinstance(v, ast.Constant)),
                             key=ast.dump)


# ------------------------------------------------------------------- untranslated prose

#: English function words that no German sentence uses (German's "die", "in", "an", "was" are
#: left out): three of them in one sentence mark it as English (docs/translating.md).
ENGLISH_WORDS = frozenset({"the", "is", "of", "and", "your", "to", "that", "with", "for", "are",
                           "this", "you", "it", "be", "from", "which", "when", "not", "or",
                           "has", "have", "does", "its", "their", "must"})
#: How many of them make a sentence English.
ENGLISH_THRESHOLD = 3
_NOT_PROSE = re.compile(r"```.*?```|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]*\$|<[^>\n]*>|https?://\S+", re.S)
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+|\n\s*\n|\n\s*[*-] |\n#+ ")


def english_sentences(text: str) -> list[str]:
    """The sentences of `text` (markdown or a docstring) that read as English: at least
    `ENGLISH_THRESHOLD` English function words outside code spans, code blocks and math."""
    prose = _NOT_PROSE.sub(" ", text)
    found = []
    for sentence in _SENTENCE_END.split(prose):
        words = re.findall(r"[A-Za-z']+", sentence.lower())
        if sum(w in ENGLISH_WORDS for w in words) >= ENGLISH_THRESHOLD:
            found.append(" ".join(sentence.split()))
    return found
