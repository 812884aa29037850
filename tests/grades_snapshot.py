"""Every grade of the example classes and of the corpora, as recorded before a restructuring.

Issue 22 restructured the kit (the contract as a package of its own, one outcome model, modules
grouped into subpackages) on the promise that no grade changes. tests/grades_before.json holds
what the code before the restructuring gave: recorded at 095aae5, and again at 7b9f409 (main
just before the restructuring was merged, whose training tie had changed the messages of four
mutants on purpose), by running this module on a `git archive` of that commit:

    .venv/bin/python tests/grades_snapshot.py     # writes tests/grades_before.json
    .venv/bin/python tests/grades_snapshot.py computation_graphs   # adds one assignment's entries

per example-class student: the submission's status and score and, per check, its status, points,
diagnosis id and a hash of its message; per mutant and honest variant (first run seed, graded in
this process as tests/test_mutants.py and tests/test_variants.py grade them): the same per check.
The tests (test_examples.py, test_mutants.py, test_variants.py) grade again with the current code
and compare with the file: a changed status, point, diagnosis or message fails and names the check.

Record again only on purpose (a change that is meant to change grades or messages), and say so in
the commit.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent
FILE = TESTS / "grades_before.json"


def _digest(message: str) -> str:
    return hashlib.sha256(message.encode("utf-8")).hexdigest()[:16]


def check_rows(results) -> dict[str, list]:
    """check id -> [status, points, diagnosis id, message digest] of engine.TestResult-likes or of
    result-JSON test dicts."""
    rows = {}
    for r in results:
        r = r if isinstance(r, dict) else r.to_json()
        rows[r["id"]] = [r["status"], r["points"], r.get("diagnosis_id"), _digest(r.get("message") or "")]
    return rows


def student_row(result: dict) -> dict:
    """What a result file of `grader autograde` says of one student, without timings."""
    return {"status": result["status"], "score": result["score"], "checks": check_rows(result["tests"])}


def recorded() -> dict:
    return json.loads(FILE.read_text(encoding="utf-8"))


def differences(want: dict, got: dict, where: str) -> list[str]:
    """One line per entry that differs between two rows (nested dicts compared key by key)."""
    lines = []
    for key in sorted(set(want) | set(got)):
        a, b = want.get(key), got.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            lines += differences(a, b, f"{where}/{key}")
        elif a != b:
            lines.append(f"{where}/{key}: before {a!r}, now {b!r}")
    return lines


def record(only: str | None = None) -> dict:
    """Grade everything with the code of this checkout (slow: minutes); with `only`, that
    assignment's entries alone (an assignment new since the last recording)."""
    sys.path.insert(0, str(TESTS))
    import corpus
    import test_mutants
    import test_variants

    from grader.cli import main
    from grader.grading.results import load_results

    data: dict = {"examples": {}, "mutants": {}, "variants": {}}
    assignments = [a for a in corpus.ASSIGNMENTS if only in (None, a)]
    for a in assignments:
        first = test_mutants.RUN_SEEDS.get(a, test_mutants.DEFAULT_RUN_SEEDS)[0]
        for name in corpus.mutants(a):
            data["mutants"][f"{a}/{name}"] = check_rows(test_mutants.grade(a, name, first))
        for name in corpus.variants(a):
            data["variants"][f"{a}/{name}"] = check_rows(test_variants.grade(a, name, test_variants.RUN_SEEDS[0]))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo-output"
        if main(["demo", "--skip-release", "--out", str(out)]) != 0:
            raise SystemExit("grader demo failed")
        for a in assignments:
            data["examples"][a] = {r["student"]: student_row(r) for r in load_results(out / a)}
    return data


if __name__ == "__main__":
    # `grades_snapshot.py ASSIGNMENT` adds (or records again) that assignment's entries only and
    # keeps every other entry as recorded.
    chosen = sys.argv[1] if len(sys.argv) > 1 else None
    data = record(chosen)
    if chosen:
        kept = recorded()
        for kind, rows in data.items():
            kept[kind] = {k: v for k, v in kept[kind].items()
                          if k != chosen and not k.startswith(f"{chosen}/")} | rows
        data = kept
    FILE.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {FILE}")
