"""A translated notebook keeps what is not prose (issue 23, docs/translating.md "Notebook prose").

A German twin of a markdown cell translates the words around the formulas and the code, never
the formulas or the code: every twin has the same math (`$$...$$`, `$...$`) and code (`` `...` ``)
spans as the English cell it follows. German docstrings and comments in a code cell's metadata
(`nnkit.de.docstrings`, `nnkit.de.comments`) name docstrings and comments the cell has, and the code
with them swapped in is the same code (by `ast`) with lines of at most 120 characters, the
project's line length; so are the lines with the translated string literals (`nnkit.de.strings`).
"""

from __future__ import annotations

import ast
import copy
import io
import re
import tokenize
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from grader.release.languages import swap_strings

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "solutions").glob("*/*.ipynb"))
MAX_LINE = 120
#: Math and code spans, in the order they are taken out (a fenced code block first, so that its
#: backticks do not pair with an inline span's; a display formula before an inline one).
SPANS = (re.compile(r"^```.*?^```", re.S | re.M), re.compile(r"\$\$.+?\$\$", re.S),
         re.compile(r"`[^`]+`"), re.compile(r"\$[^$]+\$"))
#: Comments that are markers for tools, not prose.
MARKER = re.compile(r"^#+\s*(diagnosis:|message:|BEGIN |END |YOUR )")


def _lang(cell) -> str | None:
    meta = cell.get("metadata", {}).get("nnkit")
    return meta.get("lang") if isinstance(meta, dict) else None


def spans(markdown: str) -> Counter:
    """The math and code spans of a markdown text, whitespace inside a span collapsed (a line
    break inside a formula renders as a space)."""
    found, rest = [], markdown
    for pattern in SPANS:
        found += pattern.findall(rest)
        rest = pattern.sub(" ", rest)
    return Counter(" ".join(span.split()) for span in found)


def pairs(nb) -> list[tuple[object, object]]:
    """(English cell, translated cell) of every twin in the notebook."""
    out, default = [], None
    for cell in nb.cells:
        if _lang(cell) is None:
            default = cell
        elif default is not None:
            out.append((default, cell))
    return out


def span_problems(nb) -> list[str]:
    problems = []
    for english, twin in pairs(nb):
        ours, theirs = spans(english.source), spans(twin.source)
        if ours != theirs:
            problems.append(f"{twin.get('id')}: only in English {sorted((ours - theirs).elements())}, "
                            f"only in the translation {sorted((theirs - ours).elements())}")
    return problems


def comment_units(source: str) -> list[tuple[int, int, int, str]]:
    """(first line, last line, column, text) of every comment: a run of full-line comments at one
    indentation (their lines joined by newlines) or one end-of-line comment; markers left out."""
    lines = source.split("\n")
    found = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT and not MARKER.match(tok.string):
            found[tok.start[0]] = (tok.start[1], tok.string, lines[tok.start[0] - 1].strip() == tok.string)
    units: list[tuple[int, int, int, str]] = []
    for row in sorted(found):
        col, text, full = found[row]
        if full and units and units[-1][1] == row - 1 and found[row - 1][2] and units[-1][2] == col:
            units[-1] = (units[-1][0], row, col, units[-1][3] + "\n" + text)
        else:
            units.append((row, row, col, text))
    return units


def swapped_code(source: str, docstrings: dict[str, str], comments: dict[str, str]) -> str:
    """The code with the translated comments and docstrings in place of the English ones."""
    lines = source.split("\n")
    for first, last, col, text in reversed(comment_units(source)):
        if text in comments:
            german = comments[text].split("\n")
            if first == last and lines[first - 1].strip() != text:
                lines[first - 1] = lines[first - 1][:col] + german[0]
            else:
                lines[first - 1:last] = [" " * col + line for line in german]
    tree = ast.parse("\n".join(lines))
    nodes = {node.name: node.body[0] for node in ast.walk(tree)
             if isinstance(node, ast.FunctionDef | ast.ClassDef) and ast.get_docstring(node) is not None}
    for name, expr in sorted(nodes.items(), key=lambda item: -item[1].lineno):
        if name in docstrings:
            indent = " " * expr.col_offset
            text = docstrings[name]
            new = [f'{indent}"""{text}"""'] if "\n" not in text else \
                [f'{indent}"""', *(f"{indent}{line}" if line.strip() else "" for line in text.split("\n")),
                 f'{indent}"""']
            lines[expr.lineno - 1:expr.end_lineno] = new
    return "\n".join(lines)


def _without_docstrings(source: str) -> str:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and ast.get_docstring(node) is not None:
            node.body[0] = ast.Expr(ast.Constant(""))
    return ast.dump(tree)


def code_problems(nb) -> list[str]:
    problems = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nnkit")
        if cell.cell_type != "code" or not isinstance(meta, dict):
            continue
        for lang, texts in meta.items():
            if not isinstance(texts, dict):
                continue
            docstrings, comments = texts.get("docstrings", {}), texts.get("comments", {})
            have = {unit[3] for unit in comment_units(cell.source)}
            problems += [f"{cell.id}: no comment {english!r} (the English changed?)"
                         for english in comments if english not in have]
            german = swapped_code(cell.source, docstrings, comments)
            if _without_docstrings(german) != _without_docstrings(cell.source):
                problems.append(f"{cell.id}: the {lang} docstrings or comments change the code")
            shown = swap_strings(german, texts.get("strings", {}))[0]   # the literals too
            problems += [f"{cell.id}: {lang} line {n} has {len(line)} > {MAX_LINE} characters"
                         for n, line in enumerate(shown.split("\n"), 1) if len(line) > MAX_LINE]
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_twin_keeps_the_math_and_code_of_its_english_cell(path):
    nb = nbformat.read(path, as_version=4)
    assert span_problems(nb) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_translated_docstrings_and_comments_leave_the_code_as_it_is(path):
    nb = nbformat.read(path, as_version=4)
    assert code_problems(nb) == []


def _pair(english: str, german: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(english, id="a"),
                nbformat.v4.new_markdown_cell(german, id="a-de", metadata={"nnkit": {"lang": "de"}})]
    return nb


@pytest.mark.parametrize("german, found", [
    ("Der Verlust ist\n$$L = \\frac{1}{N}\\sum_i \\ell_i$$\nmit `np.mean(losses)` und $N$ Beispielen.", False),
    ("Der Verlust ist\n$$L = \\frac{1}{N}\\sum_i \\ell_i$$\nmit `np.sum(losses)` und $N$ Beispielen.", True),
    ("Der Verlust ist\n$$L = \\sum_i \\ell_i$$\nmit `np.mean(losses)` und $N$ Beispielen.", True),
    ("Der Verlust ist\n$$L = \\frac{1}{N}\\sum_i \\ell_i$$\nmit `np.mean(losses)` und N Beispielen.", True),
])
def test_a_changed_formula_or_code_span_in_a_twin_is_found(german, found):
    english = "The loss is\n$$L = \\frac{1}{N}\\sum_i \\ell_i$$\nwith `np.mean(losses)` and $N$ examples."
    assert bool(span_problems(_pair(english, german))) is found


def test_a_stale_or_too_long_translated_comment_is_found():
    source = 'def f(x):\n    """Double x."""\n    # scale it\n    return 2 * x  # twice\n'
    cell = nbformat.v4.new_code_cell(source, id="c")
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell]
    honest = {"docstrings": {"f": "Verdoppelt x."}, "comments": {"# scale it": "# skalieren", "# twice": "# doppelt"}}
    cell.metadata = {"nnkit": {"de": honest}}
    assert code_problems(nb) == []
    stale = copy.deepcopy(honest)
    stale["comments"]["# scale x"] = stale["comments"].pop("# scale it")
    cell.metadata = {"nnkit": {"de": stale}}
    assert code_problems(nb) == ["c: no comment '# scale x' (the English changed?)"]
    long = copy.deepcopy(honest)
    long["comments"]["# twice"] = "# " + "doppelt " * 20
    cell.metadata = {"nnkit": {"de": long}}
    assert [p.split(":")[0] for p in code_problems(nb)] == ["c"]
    assert "characters" in code_problems(nb)[0]
