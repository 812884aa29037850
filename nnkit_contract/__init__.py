"""The kit's public contract: what check.py, the sandbox worker, the hidden tests, lint, release and
the nbgrader plugin all share, written once.

- `cells`: cell roles, grade-id parsing, what runs when a notebook is graded, magic neutralizing;
- `values`: call markers, the value normalizer, the floating-point error state of a call;
- `outcomes`: the outcome vocabulary of a check and of a submission, the failures of a call and
  their messages;
- `graphs`: computation graphs built with a submission's own Tensor class where it runs, returned
  as plain data (the graph checks of computation_graphs);
- `i18n`: every student-facing message by its id in the language asked for (`translate`), from
  the compiled catalog locale/messages.json (docs/translating.md);
- `check_texts`: the English of check.py's own messages, by id.

Standard library + NumPy only, and no module imports another: each is bundled on its own into the
students' check.py (grader/release/check_script.py) and bound into the sandbox (grader/sandbox/
isolation.py WORKER_FILES), where student code may read it. It holds no test, input, threshold
or reference code: it is public on purpose.
"""

import os

#: This package's folder: grader/sandbox/isolation.py binds its modules into the sandbox,
#: grader/release/check_script.py bundles them into check.py, grader/release/leaks.py counts
#: their lines as public.
FOLDER = os.path.dirname(os.path.abspath(__file__))
#: The contract's modules, each standing alone (none imports another).
MODULES = ("cells", "values", "outcomes", "graphs", "i18n", "check_texts")


def module_path(name: str) -> str:
    """The file of contract module `name` (one of MODULES)."""
    if name not in MODULES:
        raise ValueError(f"not a module of the contract: {name!r}")
    return os.path.join(FOLDER, f"{name}.py")
