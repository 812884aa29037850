"""The students' check.py: grader/release/student_check.py made self-contained, for one assignment.

check.py must run with nothing but Python and NumPy, so the modules of the public contract it
uses (nnkit_contract/: the cell roles it reads the notebook with, the outcome vocabulary) are
written into it, each in place of its import line marked `# check.py: inline`. The contract holds
nothing private. It also
carries the assignment's released check cells and which graded function calls which (read from
the reference solution's code), in place of the line marked `# check.py: released checks`: so a
student's edited or deleted check cell still runs as released, and a failing check can name the
function to fix first. Check cells are public; nothing of the solution is written but the names
of the functions that call each other. `grader check` runs grader/release/student_check.py itself, with
the same contract imported and the same data passed in.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat

import nnkit_contract
from grader.grading.numpy_version import course_minor
from grader.grading.submission import ReleaseCells
from grader.release.student_check import closure
from nnkit_contract import i18n
from nnkit_contract.cells import RUN_WHEN_GRADED, Role, cell_role, functions_of, grade_id
from nnkit_contract.i18n import DEFAULT_LANGUAGE

SOURCE = Path(__file__).resolve().with_name("student_check.py")
INLINE_MARK = "# check.py: inline"
RELEASED_MARK = "# check.py: released checks"
LANGUAGE_MARK = "# check.py: language"
CATALOG_MARK = "# check.py: catalog"


def catalog_subset(ids: set[str] | list[str], lang: str) -> dict[str, dict[str, str]] | None:
    """The translations into `lang` of the messages `ids` (id -> {lang: template}), from the
    compiled catalog: what a check.py or toy2d.py of the `lang` release carries. None for the
    default language (its English is in the code) ; an id without a translation is left out (its
    English is used)."""
    if lang == DEFAULT_LANGUAGE:
        return None
    compiled = i18n.catalog()
    return {mid: {lang: compiled[mid][lang]} for mid in sorted(ids)
            if lang in compiled.get(mid, {})}


def _contract_body(module: str) -> str:
    """The code of contract module `module` ("cells", ...) without its module docstring and
    `from __future__` line."""
    text = Path(nnkit_contract.module_path(module)).read_text(encoding="utf-8")
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


def _inlined_module(line: str) -> str:
    """The contract module a line marked `# check.py: inline` imports from."""
    tree = ast.parse(line.strip())
    node = tree.body[0] if len(tree.body) == 1 else None
    if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("nnkit_contract."):
        raise RuntimeError(f"{SOURCE}: a line marked {INLINE_MARK!r} must import from one "
                           f"nnkit_contract module: {line.strip()!r}")
    return node.module.removeprefix("nnkit_contract.")


def _free_names(node: ast.AST) -> set[str]:
    """The names `node` reads that it does not define itself (arguments and local variables are
    left out: a parameter called `train` is not the function train)."""
    local: set[str] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.arg):
            local.add(n.arg)
        elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            local.add(n.id)
    return {n.id for n in ast.walk(node)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - local


#: The methods Python calls for an operator on an object of a class (and the reflected ones).
OPERATOR_METHODS = {ast.Add: ("__add__", "__radd__"), ast.Sub: ("__sub__", "__rsub__"),
                    ast.Mult: ("__mul__", "__rmul__"), ast.Div: ("__truediv__", "__rtruediv__"),
                    ast.MatMult: ("__matmul__", "__rmatmul__"), ast.USub: ("__neg__",)}
#: The method of a graph class that runs the local backward functions its other methods recorded.
GRAPH_BACKWARD = "backward"


def _deferred_parts(node: ast.AST) -> list[ast.AST]:
    """The lambdas and inner functions of a method: code it records to run later."""
    return [n for n in ast.walk(node) if n is not node
            and isinstance(n, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef)]


def _class_methods(node: ast.ClassDef) -> dict[str, tuple[set[str], set[str]]]:
    """Per method of a class: the names it uses when called, and the names its lambdas and inner
    functions use (the local backward a graph node records runs only when the graph's backward
    runs: building a graph does not call it)."""
    methods = {}
    for method in node.body:
        if not isinstance(method, ast.FunctionDef):
            continue
        parts = _deferred_parts(method)
        later = set().union(*(_free_names(p) for p in parts)) if parts else set()
        hidden = {id(n) for p in parts for n in ast.walk(p)}
        now = {n.id for n in ast.walk(method) if isinstance(n, ast.Name)
               and isinstance(n.ctx, ast.Load) and id(n) not in hidden} & _free_names(method)
        methods[method.name] = (now, later)
    return methods


def _methods_called(node: ast.AST, methods: dict[str, tuple[set[str], set[str]]]) -> set[str]:
    """The methods of the given classes that `node` may call: by name (`x.relu()`) or through an
    operator (`a @ b`)."""
    called = {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
    for n in ast.walk(node):
        if isinstance(n, ast.BinOp | ast.UnaryOp):
            called.update(OPERATOR_METHODS.get(type(n.op), ()))
    return called & set(methods)


def released_checks(source_notebook: Path) -> dict:
    """What check.py carries of an assignment: its check cells, in notebook order, for every
    graded function the graded functions its reference code calls, and the graded functions
    each check cell reaches beyond its own.

    Returns {"assignment": name, "checks": [[grade_id, source], ...], "calls": {f: [g, ...]},
    "check_uses": {f: [g, ...]}, "kinds": message id, "roles": {grade_id: role},
    "setup": [[grade_id, source], ...], "numpy": "X.Y"}: "kinds" is the message that lists the
    grader's further tests in check.py's summary, with training accuracy only where the grader
    checks a `train` (a string: the data is written into check.py as a Python literal); with
    the roles and setup cells of the release, check.py runs what the grader runs
    (submission.code_to_run); "numpy" is the NumPy minor version the course grades with
    (grader/grading/numpy_version.py), which check.py compares with the student's.
    """
    from grader.release.cell_messages import strip_message_tags

    nb = nbformat.read(source_notebook, as_version=4)
    for cell in nb.cells:   # the source's `# message: <id>` tags are in no release
        if cell.cell_type == "code":
            cell.source = strip_message_tags(cell.source)
    checks = [[grade_id(c), c.source] for c in nb.cells if cell_role(c) is Role.CHECK]
    # Every top-level function, class and name of the given and graded code, with the names it
    # uses: given code in between (forward -> ACTIVATIONS -> tanh_forward, optimizer_step ->
    # adam_step) is followed, so a check learns every graded function it depends on. Code that
    # names a given class (computation_graphs' Tensor) uses the methods it calls by name or
    # operator; their recorded local backward functions count once the graph's backward runs.
    nodes: list[tuple[list[str], ast.AST]] = []
    graded: set[str] = set()
    classes: set[str] = set()
    methods: dict[str, tuple[set[str], set[str]]] = {}
    for cell in nb.cells:
        role = cell_role(cell)
        if role not in RUN_WHEN_GRADED or cell.cell_type != "code":
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.FunctionDef):
                names = [node.name]
                if role is Role.SOLUTION:
                    graded.add(node.name)
            elif isinstance(node, ast.ClassDef):
                names = [node.name]
                classes.add(node.name)
                methods.update(_class_methods(node))
                continue
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
            else:
                continue
            nodes.append((names, node))
    uses: dict[str, set[str]] = {f".{m}": now for m, (now, _) in methods.items()}
    for c in classes:
        uses.setdefault(c, set())

    def used_by(node: ast.AST) -> set[str]:
        used = _free_names(node)
        return used | {f".{m}" for m in _methods_called(node, methods)} if used & classes \
            else used

    for names, node in nodes:
        for name in names:
            uses.setdefault(name, set()).update(used_by(node) - {name})
    backward_now = methods.get(GRAPH_BACKWARD, (set(), set()))[0]

    def reached(start: set[str]) -> set[str]:
        found = closure(uses, sorted(start)) | start
        if f".{GRAPH_BACKWARD}" in found or found & backward_now:
            later = set().union(*(methods[m[1:]][1] for m in found if m.startswith(".")))
            found |= closure(uses, sorted(later)) | later
        return found

    # "calls" is what the reference code reaches by name alone (tests/test_variants.py picks the
    # hidden checks a variant can reach by it); the checks' blame adds the class's methods.
    plain: dict[str, set[str]] = {}
    for names, node in nodes:
        for name in names:
            plain.setdefault(name, set()).update(_free_names(node) - {name})
    calls = {name: sorted(closure(plain, [name]) & graded) for name in sorted(graded)}
    check_uses: dict[str, list[str]] = {}
    for gid, source in checks:
        own = functions_of(gid)
        beyond = reached(used_by(ast.parse(source))) & graded - set(own)
        for function in own:
            check_uses[function] = sorted(set(check_uses.get(function, [])) | beyond)
    check_uses = dict(sorted(check_uses.items()))   # the same bytes on every run
    release = ReleaseCells.of(nb)
    return {"assignment": Path(source_notebook).stem, "checks": checks, "calls": calls,
            "check_uses": check_uses,
            "kinds": "check.kinds-trained" if _trains(Path(source_notebook).stem, graded)
            else "check.kinds-untrained",
            "roles": {gid: role.value for gid, role in release.roles.items()},
            "setup": [list(pair) for pair in release.setup_sources],
            "numpy": course_minor()}


def _trains(assignment: str, graded: set[str]) -> bool:
    """Whether the grader checks the assignment's `train` (its training accuracy): from the
    check registry, as the README's settings sentence (student_readme.py); for a notebook without
    hidden tests, whether it has a graded `train`."""
    from autograde_tests import engine

    try:
        return "train" in engine.points_by_function(assignment)
    except engine.UnknownAssignment:
        return "train" in graded


def check_script(source_notebook: Path, lang: str = DEFAULT_LANGUAGE) -> bytes:
    """The bytes of check.py as released with the assignment of `source_notebook`, speaking
    `lang` (its own messages from the catalog, docs/translating.md; English: no catalog)."""
    from grader.release import student_check

    out = []
    marked = {INLINE_MARK: 0, RELEASED_MARK: 0}
    lines = iter(SOURCE.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if line.rstrip().endswith(INLINE_MARK):
            marked[INLINE_MARK] += 1
            statement = line.split("#", 1)[0]
            while statement.count("(") > statement.count(")"):   # a parenthesized import
                statement += next(lines).split("#", 1)[0]
            module = _inlined_module(statement)
            out += [f"# ---- the kit's public contract, {module} (included so that this file needs "
                    "nothing but NumPy) ----", _contract_body(module), f"# ---- end of {module} ----"]
        elif line.rstrip().endswith(RELEASED_MARK):
            marked[RELEASED_MARK] += 1
            data = json.dumps(released_checks(source_notebook), indent=1, ensure_ascii=False)
            out.append(f"RELEASED: dict | None = {data}")
        elif line.rstrip().endswith(LANGUAGE_MARK) and lang != DEFAULT_LANGUAGE:
            out.append(f"LANGUAGE: str = {lang!r}")
        elif line.rstrip().endswith(CATALOG_MARK) and lang != DEFAULT_LANGUAGE:
            subset = catalog_subset(student_check.MESSAGES, lang)
            out.append(f"CATALOG: dict | None = {json.dumps(subset, indent=1, ensure_ascii=False)}")
        else:
            out.append(line)
    if marked[INLINE_MARK] < 1 or marked[RELEASED_MARK] != 1:
        raise RuntimeError(f"{SOURCE} must have a line ending in {INLINE_MARK!r} per contract "
                           f"module it uses and exactly one ending in {RELEASED_MARK!r}")
    return ("\n".join(out) + "\n").encode("utf-8")


#: The lines of the dataset helper (datasets/__init__.py, released as toy2d.py) that a release in
#: another language rewrites: its language and its catalog subset.
TOY2D_LANGUAGE_MARK = "# toy2d: language"
TOY2D_CATALOG_MARK = "# toy2d: catalog"


def toy2d_script(source: bytes, lang: str = DEFAULT_LANGUAGE) -> bytes:
    """The dataset helper `source` (the bytes of datasets/__init__.py) as released in `lang`:
    the same bytes for the default language; else its LANGUAGE and CATALOG lines name `lang` and
    carry the translations of its messages (toy2d.MESSAGES) into it."""
    if lang == DEFAULT_LANGUAGE:
        return source
    import toy2d

    out, marked = [], 0
    for line in source.decode("utf-8").splitlines():
        if line.rstrip().endswith(TOY2D_LANGUAGE_MARK):
            out.append(f"LANGUAGE: str = {lang!r}")
            marked += 1
        elif line.rstrip().endswith(TOY2D_CATALOG_MARK):
            subset = catalog_subset(toy2d.MESSAGES, lang)
            out.append(f"CATALOG: dict | None = {json.dumps(subset, indent=1, ensure_ascii=False)}")
            marked += 1
        else:
            out.append(line)
    if marked != 2:
        raise RuntimeError(f"the dataset helper must have one line ending in {TOY2D_LANGUAGE_MARK!r} "
                           f"and one ending in {TOY2D_CATALOG_MARK!r}")
    return ("\n".join(out) + "\n").encode("utf-8")
