"""What every corpus file gets, locally and when graded: the table behind the report of issue 21.

    python tests/corpus_table.py OUT.json [--seed-nn 4] [--seed-tn 0]

grades every file of tests/mutants/<a>/ and tests/variants/<a>/ (in-process, the reference with
the file's code over it, one run seed per assignment) and runs check.py's checks on a notebook
holding it, and writes per file: the points lost and the checks lost with the diagnosis each
shows, and the local verdict (status and hint) of every function the file redefines.

It uses only what both this kit and its versions before issue 21 provide (the engine, the
in-process student, check.py's runner), so that the same corpus can be measured against an older
checkout: run it there with PYTHONPATH pointing at that checkout and its tests/ folder, and the
corpus folder of this one as --corpus.

    python tests/corpus_table.py --merge BEFORE.json AFTER.json > table.md
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _functions(source: str) -> list[str]:
    return [n.name for n in ast.parse(source).body
            if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]


def measure(corpus: Path, seeds: dict[str, int]) -> dict:
    import corpus as sol
    import nbformat
    from inprocess import InProcessStudent

    from autograde_tests import engine
    from grader.paths import course
    from grader.release import student_check
    from grader.release.check_script import released_checks
    from grader.release.classgen import make_submission, reference_answers

    the_course = course()
    out = {}
    for assignment in sol.ASSIGNMENTS:
        ref = sol.ref(assignment)
        name = the_course.solution_notebook(assignment).name
        released = released_checks(the_course.solution_notebook(assignment))
        for kind in ("mutants", "variants"):
            for path in sorted((corpus / kind / assignment).glob("*.py")):
                source = path.read_text(encoding="utf-8")
                code = source.split("\nEXPECT = {", 1)[0] + "\n"
                sources = [*sol.reference_sources(assignment), code]

                def fresh(sources=sources, assignment=assignment, label=f"corpus_{path.stem}"):
                    return sol.namespace(sources, assignment, label)

                student = InProcessStudent(fresh(), fresh=fresh)
                results = engine.run_checks(student, seeds[assignment], ref)
                lost = {r.id: {"points": r.max_points, "status": r.status,
                               "diagnosis": getattr(r, "diagnosis_id", None) or r.diagnosis,
                               "message": r.message.splitlines()[0][:160] if r.message else ""}
                        for r in results if r.status != "passed"}
                with tempfile.TemporaryDirectory() as tmp:
                    folder = Path(tmp) / assignment
                    shutil.copytree(the_course.assignments / assignment, folder,
                                    ignore=shutil.ignore_patterns("__pycache__"))
                    notebook = make_submission(the_course.assignments / assignment / name,
                                               reference_answers(the_course.solution_notebook(assignment)),
                                               {"cell:append": code})
                    nbformat.write(notebook, folder / name)
                    report = student_check.run_checks(folder / name, released=released)
                local = {}
                for function in _functions(source):
                    for r in report.results:
                        if function in r.exercise.split(", "):
                            local[function] = {"status": r.status, "hint": r.detail or r.hint}
                out[f"{assignment}/{kind}/{path.stem}"] = {
                    "lost": lost, "points_lost": sum(v["points"] for v in lost.values()),
                    "local": local}
                print(f"{assignment} {path.stem}: -{out[f'{assignment}/{kind}/{path.stem}']['points_lost']:g}",
                      file=sys.stderr)
    return out


def merge(before: dict, after: dict) -> str:
    """A markdown table: per corpus file, before and after, the local verdict, the points lost
    and the diagnoses shown."""
    sys.path.insert(0, str(HERE.parent))
    import corpus as sol

    def local(entry: dict, assignment: str, new: bool) -> str:
        parts = []
        for function, verdict in entry["local"].items():
            if verdict["status"] == "passed":
                parts.append(f"{function}: passed")
                continue
            hint = " ".join(verdict["hint"].split())
            named = sol.local_diagnosis(assignment, hint) if new else None
            shown = f"`{named}`" if named else f"\"{hint[:70]}{'…' if len(hint) > 70 else ''}\""
            parts.append(f"{function}: {verdict['status']} {shown}")
        return "; ".join(parts) or "–"

    def graded(entry: dict) -> str:
        shown = sorted({v["diagnosis"] for v in entry["lost"].values() if v["diagnosis"]})
        return "; ".join(f"`{d}`" if "." in d else d for d in shown) or "–"

    lines = ["| file | local before | lost before | diagnosis before | local after | lost after | "
             "diagnosis after |", "|---|---|---|---|---|---|---|"]
    for key in sorted(after, key=lambda k: (k.split("/")[1], k)):
        assignment, kind, name = key.split("/")
        b, a = before.get(key), after[key]
        tag = f"{'honest ' if kind == 'variants' else ''}`{name}` ({assignment[:2]})"
        row = [tag]
        row += ([local(b, assignment, False), f"{b['points_lost']:g}", graded(b)] if b
                else ["–", "–", "–"])
        row += [local(a, assignment, True), f"{a['points_lost']:g}", graded(a)]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", help="where to write the measurements (JSON)")
    parser.add_argument("--corpus", type=Path, default=HERE, help="the folder holding mutants/ "
                        "and variants/ (default: this checkout's tests/)")
    parser.add_argument("--seed-nn", type=int, default=4)
    parser.add_argument("--seed-tn", type=int, default=0)
    parser.add_argument("--merge", nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args(argv)
    if args.merge:
        before, after = (json.loads(Path(p).read_text()) for p in args.merge)
        print(merge(before, after), end="")
        return 0
    data = measure(args.corpus, {"nn_from_scratch": args.seed_nn, "training_networks": args.seed_tn})
    Path(args.out).write_text(json.dumps(data, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
