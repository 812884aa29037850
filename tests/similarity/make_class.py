"""A generated class for the similarity tests and benchmark: students who copy one another with
the usual disguises, next to students who solved the notebook independently.

A student's notebook is the release with each solution cell holding that student's versions of
the functions the reference defines in it (helpers go with the next function that follows them),
or, for the "reordered" disguise, every function in one added cell at the end, in reverse order
(the solution cells keep their stubs).
"""

from __future__ import annotations

import ast
import copy
import random
import re
from pathlib import Path

import nbformat

from nnkit_contract.cells import Role, cell_role, grade_id

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ORIGINAL = HERE / "original_nn_from_scratch.py"
INDEPENDENT = ROOT / "tests" / "independent" / "nn_from_scratch.py"


def functions(source: str) -> dict[str, str]:
    """name -> source of every top-level function of `source`, in file order."""
    tree = ast.parse(source)
    lines = source.splitlines()
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = "\n".join(lines[node.lineno - 1:node.end_lineno])
    return found


def reference_cells(source_notebook: Path) -> dict[str, str]:
    """function name -> grade_id of the reference's solution cell that defines it."""
    nb = nbformat.read(source_notebook, as_version=4)
    owner = {}
    for cell in nb.cells:
        if cell_role(cell) is Role.SOLUTION:
            code = "\n".join(line for line in cell.source.splitlines() if "SOLUTION" not in line)
            for name in functions(code):
                owner[name] = grade_id(cell)
    return owner


def notebook(release: Path, owner: dict[str, str], funcs: dict[str, str],
             one_cell_reversed: bool = False, extra: str = "") -> nbformat.NotebookNode:
    """The release with `funcs` (name -> source) filled in (module docstring); `extra` code goes
    into a cell added at the end."""
    nb = copy.deepcopy(nbformat.read(release, as_version=4))
    cells: dict[str, list[str]] = {}
    pending: list[str] = []
    for name, src in funcs.items():
        pending.append(src)
        if name in owner:
            cells.setdefault(owner[name], []).extend(pending)
            pending = []
    if pending:
        cells.setdefault(next(iter(cells)), []).extend(pending)
    added = []
    if one_cell_reversed:
        added.append("\n\n\n".join(reversed(list(funcs.values()))))
    else:
        for cell in nb.cells:
            if cell_role(cell) is Role.SOLUTION and grade_id(cell) in cells:
                cell.source = "\n\n\n".join(cells[grade_id(cell)])
    if extra:
        added.append(extra)
    for i, code in enumerate(added):
        cell = nbformat.v4.new_code_cell(code)
        cell.id = f"added-{i}"
        nb.cells.append(cell)
    return nb


# ------------------------------------------------------------------ disguises (text in, text out)

def rename(source: str, mapping: dict[str, str]) -> str:
    """Every whole-word occurrence of a name in `mapping` replaced."""
    for old, new in mapping.items():
        source = re.sub(rf"\b{re.escape(old)}\b", new, source)
    return source


def recomment(source: str, rng: random.Random) -> str:
    """Comments dropped, others added, blank lines and spaces around `=` changed."""
    out = []
    for line in source.splitlines():
        code = line.split("#", 1)[0].rstrip() if "#" in line and '"' not in line else line
        if not code.strip():
            continue
        indent = code[:len(code) - len(code.lstrip())]
        if code.lstrip().startswith(("return", "for", "if")) and rng.random() < 0.5:
            out.append(f"{indent}# {rng.choice(['now the result', 'careful here', 'step', 'TODO check'])}")
        out.append(code.replace(" = ", "=", 1) if rng.random() < 0.5 else code)
        if rng.random() < 0.2:
            out.append("")
    return "\n".join(out)


DEAD_CODE = [
    "    _debug = False\n",
    "    if _debug:\n        print('shapes', locals().keys())\n",
    "    unused_counter = sum(i * i for i in range(3))\n",
]
DEAD_FUNCTION = '''def _plot_debug(values, title="debug"):
    import matplotlib.pyplot as plt
    plt.figure()
    plt.plot(values)
    plt.title(title)
    return None
'''


def add_dead_code(source: str, rng: random.Random) -> str:
    """Unused statements at the start of the function's body, and sometimes an unused function."""
    lines = source.splitlines()
    body = next(i for i, line in enumerate(lines) if line.rstrip().endswith(":")) + 1
    lines.insert(body, rng.choice(DEAD_CODE).rstrip("\n"))
    text = "\n".join(lines)
    return text + ("\n\n\n" + DEAD_FUNCTION if rng.random() < 0.3 else "")


_PRODUCT = re.compile(r"([\w.\[\]]+) @ ([\w.\[\]]+)")


def calls_for_products(source: str) -> str:
    """`a @ b` written as `np.dot(a, b)` (simple operands)."""
    return _PRODUCT.sub(r"np.dot(\1, \2)", source)


#: Local names of the original that a renaming copier changes (function names of the API stay:
#: the notebook calls them).
RENAMES = {"mu": "m", "sigma": "s", "centred": "Xc", "weights": "Ws", "biases": "bs",
           "activations": "h", "memory": "stash", "pre": "z", "stable": "shifted", "numer": "top",
           "denom": "bottom", "rows": "idx", "labels": "targets", "log_norm": "lse", "nll": "losses",
           "hits": "ok", "grad_input": "dX", "grad_weight": "dW", "grad_bias": "db", "gate": "mask",
           "probs": "p", "upstream": "grad", "collected": "grads_out", "estimate": "g",
           "iterator": "it", "keep": "old", "plus": "fp", "minus": "fm", "updated": "out",
           "history": "losses_per_epoch", "running": "total", "chunk": "batch", "count": "n",
           "_rows_and_labels": "_index_pairs", "_minibatches": "_batches"}

DISGUISES = ("verbatim", "renamed", "reordered", "comments", "dead_code", "dot", "all")


def disguised(funcs: dict[str, str], how: str, seed: int = 0) -> tuple[dict[str, str], bool]:
    """(functions, one_cell_reversed) of a copy of `funcs` with the disguise `how`."""
    rng = random.Random(f"{how}-{seed}")
    out = dict(funcs)
    if how in ("renamed", "all"):
        out = {rename(name, RENAMES): rename(src, RENAMES) for name, src in out.items()}
    if how in ("comments", "all"):
        out = {name: recomment(src, rng) for name, src in out.items()}
    if how in ("dead_code", "all"):
        out = {name: add_dead_code(src, rng) for name, src in out.items()}
    if how in ("dot", "all"):
        out = {name: calls_for_products(src) for name, src in out.items()}
    return out, how in ("reordered", "all")


def write(nb: nbformat.NotebookNode, root: Path, student: str, assignment: str, name: str) -> Path:
    path = root / student / assignment / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path
