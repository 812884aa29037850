"""The students' check.py: grader/student_check.py made self-contained.

check.py must run with nothing but Python and NumPy, so the kit's shared contract
(autograde_tests/contract.py: the cell roles it reads the notebook with) is written into it in
place of the import marked `# check.py: inline`. The contract holds nothing private. `grader
check` runs grader/student_check.py itself, with the same contract imported: both read a notebook
with the same rules.
"""

from __future__ import annotations

import ast
from pathlib import Path

from autograde_tests import contract

SOURCE = Path(__file__).resolve().with_name("student_check.py")
CONTRACT_SOURCE = Path(contract.__file__).resolve()
INLINE_MARK = "# check.py: inline"


def _contract_body() -> str:
    """The contract's code without its module docstring and `from __future__` line."""
    text = CONTRACT_SOURCE.read_text(encoding="utf-8")
    tree = ast.parse(text)
    skip: set[int] = set()
    for node in tree.body:
        is_doc = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
            and isinstance(node.value.value, str) and node is tree.body[0]
        is_future = isinstance(node, ast.ImportFrom) and node.module == "__future__"
        if is_doc or is_future:
            skip.update(range(node.lineno, node.end_lineno + 1))
    lines = [line for number, line in enumerate(text.splitlines(), 1) if number not in skip]
    return "\n".join(lines).strip("\n")


def check_script() -> bytes:
    """The bytes of check.py as released."""
    out = []
    marked = 0
    for line in SOURCE.read_text(encoding="utf-8").splitlines():
        if line.rstrip().endswith(INLINE_MARK):
            marked += 1
            out += ["# ---- the kit's notebook contract (cell roles), included so that this file "
                    "needs nothing but NumPy ----", _contract_body(), "# ---- end of the contract ----"]
        else:
            out.append(line)
    if marked != 1:
        raise RuntimeError(f"{SOURCE} must have exactly one line ending in {INLINE_MARK!r}")
    return ("\n".join(out) + "\n").encode("utf-8")
