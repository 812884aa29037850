"""One source notebook, one release per language (docs/translating.md, "Notebook prose").

The source notebook keeps every language side by side:

- a markdown cell of another language sits directly after the default-language cell it
  translates, with cell metadata {"nnkit": {"lang": "de"}} and the cell id `<english id>-de`;
- the translated docstrings of a code cell are in its metadata,
  {"nnkit": {"de": {"docstrings": {"<function or class name>": "..."}}}}; the code itself is
  written once;
- the translated string literals a cell shows (a demo cell's plot titles, labels and printed
  lines) are in its metadata too, {"nnkit": {"de": {"strings": {"<English literal>": "..."}}}},
  each literal as written between its quotes; an f-string keeps every {field} (`swap_strings`);
- a check cell's assertion message after `# diagnosis: <id>` (or `# message: <id>`) is the English
  template of that id in the message catalog (nnkit_contract/locale/), so its translation is
  that id's template in the catalog; a `# message: <id>` line is the source's only (every
  release strips it, `strip_message_tags`), a `# diagnosis: <id>` line is released.

`language_notebook(nb, lang, default)` is the notebook of one language, made before nbgrader runs:

- default language: every translated cell is dropped and every `nnkit` metadata key removed (an
  English-only notebook comes out unchanged);
- another language L: each default cell with an L twin is replaced by the twin, which takes the
  default cell's id and nbgrader metadata (a written-answer cell keeps its grade id in every
  release), cells of other languages are dropped, string literals are swapped by `tokenize`,
  docstrings by `ast` position, and check-cell messages are rewritten with L's templates, their
  `{placeholders}` filled with the same expressions as the English f-string; a placeholder's text
  (a hint, in the message or in a name it shows) becomes L's text of the declared message whose
  English it is (`translate_constant`).

So every release has the same cells, cell ids and grade ids, and the same code once docstrings,
comments, message words and the swapped literals' words are set aside (`code_signature`, which
the tests compare): a notebook of one language is graded exactly like one of another.
"""

from __future__ import annotations

import ast
import bisect
import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import nbformat

from grader.release.cell_messages import (
    _message_node,
    _texts_of,
    strip_message_tags,
    translate_messages,
)
from nnkit_contract import i18n
from nnkit_contract.cells import neutralize_magics

#: The cell-metadata key of everything language-related.
META_KEY = "nnkit"


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


# -------------------------------------------------------------------------- string literals

class StringsError(ValueError):
    """A translated string literal that does not fit its cell (stale, or a changed {field})."""


def strings(cell, lang: str) -> dict[str, str | list[str | None]]:
    """The translated string literals of a code cell in `lang`: English literal as written
    between its quotes -> translation, or a list of translations, one per occurrence in the cell
    (None keeps that occurrence) ({"nnkit": {"de": {"strings": {...}}}})."""
    meta = cell.get("metadata", {}).get(META_KEY)
    found = meta.get(lang, {}).get("strings", {}) if isinstance(meta, dict) else {}
    return dict(found) if isinstance(found, dict) else {}


@dataclass(frozen=True)
class Literal:
    """One string token of a cell: its ordinal among the cell's string tokens, where it stands
    (0-based offsets into the source), its prefix (`f`, `r`, ...), quotes and text as written."""

    ordinal: int
    start: int
    end: int
    prefix: str
    quote: str
    body: str

    @property
    def is_f(self) -> bool:
        return "f" in self.prefix.lower()


_STRING_START = re.compile(r"([A-Za-z]*)('''|\"\"\"|'|\")")


def _line_starts(source: str) -> list[int]:
    """The offset of every line's first character (lines end at "\n", as tokenize reads them)."""
    return [0, *(m.end() for m in re.finditer("\n", source))]


def string_literals(source: str) -> list[Literal]:
    """Every string token of `source` in order (docstrings too: ordinals count every token;
    Python 3.11's tokenize gives an f-string as one token)."""
    import io
    import tokenize

    starts = _line_starts(source)
    found = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(neutralize_magics(source)).readline):
            if tok.type != tokenize.STRING:
                continue
            prefix, quote = _STRING_START.match(tok.string).groups()
            body = tok.string[len(prefix) + len(quote):len(tok.string) - len(quote)]
            found.append(Literal(len(found), starts[tok.start[0] - 1] + tok.start[1],
                                 starts[tok.end[0] - 1] + tok.end[1], prefix, quote, body))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return found


def fstring_parts(body: str) -> list[tuple[bool, str]]:
    """The parts of an f-string's text as written: (True, "{expression!conversion:spec}") for a
    replacement field, (False, text) for the literal text between them ("{{" stays "{{")."""
    parts: list[tuple[bool, str]] = []
    text, i = [], 0
    while i < len(body):
        char = body[i]
        if char in "{}" and body[i + 1:i + 2] == char:
            text.append(char * 2)
            i += 2
            continue
        if char != "{":
            text.append(char)
            i += 1
            continue
        depth, quote, j = 0, None, i
        while j < len(body):
            c = body[j]
            if quote:
                quote = None if c == quote else quote
            elif c in "'\"":
                quote = c
            elif c in "{[(":
                depth += 1
            elif c in "}])":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if text:
            parts.append((False, "".join(text)))
            text = []
        parts.append((True, body[i:j + 1]))
        i = j + 1
    if text:
        parts.append((False, "".join(text)))
    return parts


def _fields(literal_body: str) -> list[str]:
    return sorted(part for is_field, part in fstring_parts(literal_body) if is_field)


def ast_position(source: str, offset: int) -> tuple[int, int]:
    """(line, UTF-8 column) of an offset into `source`, as `ast` counts positions."""
    starts = _line_starts(source)
    row = bisect.bisect_right(starts, offset) - 1
    return row + 1, len(source[starts[row]:offset].encode("utf-8"))


def docstring_starts(source: str) -> set[tuple[int, int]]:
    """(line, column) of every docstring of `source`, as `ast` counts positions."""
    try:
        tree = ast.parse(neutralize_magics(source))
    except SyntaxError:
        return set()
    return {(node.value.lineno, node.value.col_offset) for _, node in _docstring_nodes(tree)}


def _check_translation(literal: Literal, text: str) -> str:
    """Why `text` cannot replace `literal`'s English ("" if it can)."""
    if not isinstance(text, str):
        return f"its translation {text!r} is no text"
    if literal.is_f and _fields(text) != _fields(literal.body):
        return (f"its translation {text!r} must keep every {{field}} of the English as written "
                f"({', '.join(_fields(literal.body)) or 'none'})")
    try:
        ast.parse(literal.prefix + literal.quote + text + literal.quote, mode="eval")
    except SyntaxError:
        return (f"its translation {text!r} is no valid literal between {literal.quote} quotes "
                "(escape the quote, or a line break)")
    return ""


def swap_strings(source: str, translated: dict) -> tuple[str, frozenset[int]]:
    """`source` with each string literal named in `translated` (its English text as written
    between the quotes, an f-string's {fields} included) replaced by its translation, at every
    occurrence (or per occurrence, for a list; None keeps one), the prefix and quotes kept, and
    the ordinals of the string tokens replaced. Docstrings are never matched (they have their own
    metadata). StringsError naming the literal when the cell no longer has it (a stale
    translation), when an f-string's translation changes, drops or adds a {field} (each is kept as
    written, in any order), when a list has another length than the literal's occurrences, or when
    a swapped occurrence indexes something (`history["loss"]`) and no swapped occurrence builds it
    (a dict key, an element of a list, tuple or set): that key belongs to code elsewhere, so the
    text is translated occurrence by occurrence (a list, None for the key). Nothing but the
    literals' text changes (tokens are replaced in place)."""
    if not translated:
        return source, frozenset()
    indexes, builds = _key_positions(source)
    docs = docstring_starts(source)
    literals = [lit for lit in string_literals(source) if ast_position(source, lit.start) not in docs]
    edits: list[tuple[Literal, str]] = []
    for english, german in translated.items():
        hits = [lit for lit in literals if lit.body == english]
        if not hits:
            raise StringsError(f"no string {english!r} in this cell (a stale translation: change "
                               "or remove its entry)")
        texts = german if isinstance(german, list) else [german] * len(hits)
        if len(texts) != len(hits):
            raise StringsError(f"the string {english!r} occurs {len(hits)} time(s) in this cell, "
                               f"its translation lists {len(texts)}")
        for lit, text in zip(hits, texts):
            if text is None:
                continue
            if (why := _check_translation(lit, text)):
                raise StringsError(f"the string {english!r}: {why}")
            edits.append((lit, text))
        swapped = {ast_position(source, lit.start) for lit, text in zip(hits, texts) if text is not None}
        if swapped & indexes and not swapped & builds:
            raise StringsError(f"the string {english!r} indexes something this cell does not build "
                               f"([{english!r}] is a key of code elsewhere): translate it occurrence "
                               "by occurrence, a list with null for the key")
    for lit, text in sorted(edits, key=lambda edit: -edit[0].start):
        source = (source[:lit.start] + lit.prefix + lit.quote + text + lit.quote
                  + source[lit.end:])
    return source, frozenset(lit.ordinal for lit, _ in edits)


def _key_positions(source: str) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """The positions of the string constants of `source` that index a subscript (`x["loss"]`),
    and of those that build a container (a dict key, an element of a list, tuple or set)."""
    try:
        tree = ast.parse(neutralize_magics(source))
    except SyntaxError:
        return set(), set()
    indexes, builds = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            found, target = [node.slice], indexes
        elif isinstance(node, ast.Dict):
            found, target = [k for k in node.keys if k is not None], builds
        elif isinstance(node, ast.List | ast.Tuple | ast.Set):
            found, target = node.elts, builds
        else:
            continue
        target |= {(n.lineno, n.col_offset) for n in found
                   if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return indexes, builds


def _set_aside(source: str, ordinals) -> str:
    """`source` with the string tokens of `ordinals` reduced to their {fields}, sorted (what
    every language's version of a swapped literal shares)."""
    for lit in sorted((lit for lit in string_literals(source) if lit.ordinal in ordinals),
                      key=lambda lit: -lit.start):
        kept = "".join(_fields(lit.body)) if lit.is_f else ""
        source = source[:lit.start] + lit.prefix + lit.quote + kept + lit.quote + source[lit.end:]
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
                      and ("docstrings" in v or "comments" in v or "strings" in v)}
    return found


@dataclass
class LanguageBuild:
    """The notebook of one language and what it could not translate."""

    notebook: nbformat.NotebookNode
    #: (cell id, problem) of every default-language text left as it is.
    untranslated: list[tuple[str, str]]
    #: cell id -> the ordinals of the string tokens `swap_strings` replaced in it (what
    #: `code_signature` sets aside).
    swapped: dict[str, frozenset[int]] = field(default_factory=dict)


def language_notebook(nb, lang: str, default: str = i18n.DEFAULT_LANGUAGE,
                      assignment: str = "") -> LanguageBuild:
    """The notebook `nb` (of `assignment`, whose own message ids its check cells name) in
    language `lang` (the module docstring says how)."""
    nb = copy.deepcopy(nb)
    cells, untranslated, swapped = [], [], {}
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
            cell.source, done = swap_strings(cell.source, strings(cell, lang))
            if done:
                swapped[cell.get("id", "?")] = done
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
    return LanguageBuild(nb, untranslated, swapped)


def code_signature(nb, swapped=None) -> list[tuple[str, str, str]]:
    """(cell id, type, code) of every cell, code cells as their `ast` dump without docstrings
    (comments never reach the tree), markdown as "": what every release of a notebook shares.
    `swapped` (cell id -> string-token ordinals, `LanguageBuild.swapped`) names the translated
    literals, compared by their {fields} only (any order)."""
    out = []
    swapped = swapped or {}
    for cell in nb.cells:
        code = ""
        if cell.cell_type == "code":
            source = cell.source
            if cell.get("id") in swapped:
                source = _set_aside(source, swapped[cell.get("id")])
            tree = ast.parse(neutralize_magics(source))
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


def _blank_text(node: ast.expr) -> None:
    """Keep a message's expressions, forget its words."""
    if isinstance(node, ast.Constant):
        node.value = ""
    else:
        node.values = sorted((v for v in node.values if not isinstance(v, ast.Constant)),
                             key=ast.dump)
