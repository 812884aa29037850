"""The one rewrite of student code that the tokenizer cannot do: matrix products written as a
call (`np.dot(a, b)`, `np.matmul(a, b)`, `a.dot(b)`) become the operator form `a @ b`, so that
the token streams of both spellings are the same.

Hand-written because no fingerprinting library knows NumPy's synonyms. The rewrite works on the
positions of Python's own parser (the code is parsed, never run); code that does not parse is
left as it is. Each replacement keeps the newlines of the text it replaces, so a line of the
rewritten code is the same line of the student's code (the report highlights the student's lines).
"""

from __future__ import annotations

import ast
import re

#: Module names under which NumPy's matrix-product functions are called.
_NUMPY_NAMES = frozenset({"np", "numpy"})
_PRODUCT_FUNCTIONS = frozenset({"dot", "matmul"})
#: Operands that need no parentheses around them in `a @ b`.
_ATOMS = (ast.Name, ast.Attribute, ast.Subscript, ast.Call, ast.Constant)
#: An `@` without a space on both sides (see _spaced_operators).
_TIGHT_AT = re.compile(r"\S@|@\S")
#: Parents in which `a @ b` must keep parentheses to mean the same, e.g. `(a @ b).T`.
_TIGHT_PARENTS = (ast.Attribute, ast.Subscript, ast.UnaryOp, ast.Await)


def _operands(node: ast.AST) -> tuple[ast.expr, ast.expr] | None:
    """(a, b) when `node` is a matrix product written as a call, else None."""
    if not isinstance(node, ast.Call) or node.keywords or not isinstance(node.func, ast.Attribute):
        return None
    func = node.func
    if func.attr not in _PRODUCT_FUNCTIONS or any(isinstance(a, ast.Starred) for a in node.args):
        return None
    module = isinstance(func.value, ast.Name) and func.value.id in _NUMPY_NAMES
    if module and len(node.args) == 2:
        return node.args[0], node.args[1]
    if not module and func.attr == "dot" and len(node.args) == 1:
        return func.value, node.args[0]
    return None


class _Source:
    """Character offsets of the nodes of one parsed source (the parser counts UTF-8 bytes)."""

    def __init__(self, text: str):
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, lineno: int, col: int) -> int:
        line = self.lines[lineno - 1] if lineno - 1 < len(self.lines) else ""
        return self.starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8", "ignore"))

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (self.offset(node.lineno, node.col_offset),
                self.offset(node.end_lineno, node.end_col_offset))


def rewrite_products(source: str) -> str:
    """`source` with every matrix product written as a call turned into `a @ b` (same lines)."""
    if "dot" not in source and "matmul" not in source and not _TIGHT_AT.search(source):
        return source   # nothing to rewrite: spare the parse (most pieces of code)
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return source
    src = _Source(source)
    source = _spaced_operators(tree, src)
    if source != src.text:   # same lines, other offsets: parse the spaced text again
        tree = ast.parse(source)
        src = _Source(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    products = [node for node in ast.walk(tree) if _operands(node) is not None]
    if not products:
        return source
    outer = [n for n in products if not any(p in products for p in _ancestors(n, parents))]
    edits = sorted((src.span(n), _render(n, src, parents, products)) for n in outer)
    out, at = [], 0
    for (start, end), text in edits:
        out += [source[at:start], text]
        at = end
    out.append(source[at:])
    return "".join(out)


def _spaced_operators(tree: ast.AST, src: _Source) -> str:
    """The text with a space on each side of every `@` operator: written without them
    (`a@b`), the tokenizer would read `@b` as a decorator and name it."""
    at = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            gap_start, gap_end = src.span(node.left)[1], src.span(node.right)[0]
            where = src.text.find("@", gap_start, gap_end)
            if where >= 0:
                at.append(where)
    text = src.text
    for where in sorted(at, reverse=True):
        text = f"{text[:where]} @ {text[where + 1:]}"
    return text


def _ancestors(node: ast.AST, parents: dict) -> list[ast.AST]:
    found = []
    while node in parents:
        node = parents[node]
        found.append(node)
    return found


def _render(node: ast.AST, src: _Source, parents: dict, products: list) -> str:
    """The text of `node` with the products inside it (and itself, if one) rewritten; as many
    newlines as the original text."""
    start, end = src.span(node)
    original = src.text[start:end]
    operands = _operands(node)
    if operands is None:   # a node holding products: rewrite the outermost ones inside it
        inner = [n for n in ast.walk(node) if n is not node and n in products
                 and not any(p in products and p is not node for p in _ancestors(n, parents)
                             if _is_inside(p, node, parents))]
        out, at = [], start
        for n in sorted(inner, key=lambda n: src.span(n)):
            s, e = src.span(n)
            out += [src.text[at:s], _render(n, src, parents, products)]
            at = e
        out.append(src.text[at:end])
        return "".join(out)
    a, b = (_render(x, src, parents, products) for x in operands)
    a, b = (t.replace("\n", " ") if isinstance(x, _ATOMS) else f"({t.replace(chr(10), ' ')})"
            for x, t in zip(operands, (a, b)))
    text = f"{a} @ {b}"
    parent = parents.get(node)
    if isinstance(parent, _TIGHT_PARENTS) or (isinstance(parent, ast.BinOp) and
                                              isinstance(parent.op, ast.Pow)):
        text = f"({text})"
    return text + "\n" * original.count("\n")


def _is_inside(candidate: ast.AST, node: ast.AST, parents: dict) -> bool:
    """True when `candidate` lies strictly below `node`."""
    return node in _ancestors(candidate, parents)
