"""Which students a test grades in each lane: `make test` (every capability) and `make test-full`
(`pytest --full`: the same on every input).

Where a test grades a whole example class through a slow path (real nbgrader, an installed
wheel, a machine made busy on purpose), the default lane grades a subset that still shows every
outcome the class shows: for each submission status and each status of a lost check
(nnkit_contract.outcomes), the first student in name order who shows it, plus the students a
test names. The other students are plain bugs of the same kinds; tests/test_examples.py grades
the whole class from the checkout in every lane (the demo), and the full lane grades it on the
slow paths too.
"""

from __future__ import annotations

from collections.abc import Iterable


def covering_students(expected: dict, named: Iterable[str] = ()) -> list[str]:
    """The students of an expected.json ({"students": {id: {"status", "lost"}}}) that show every
    submission status and every lost-check status of the class, and `named` (sorted ids)."""
    chosen = set(named)
    unknown = chosen - set(expected["students"])
    assert not unknown, f"not students of the class: {sorted(unknown)}"

    def shows(want: dict) -> set[tuple[str, str]]:
        return {("status", want["status"])} | {("lost", s) for s in want["lost"].values()} \
            | (set() if want["lost"] else {("lost", "nothing")})

    seen = {x for student in chosen for x in shows(expected["students"][student])}
    for student, want in sorted(expected["students"].items()):
        if shows(want) - seen:
            chosen.add(student)
            seen |= shows(want)
    return sorted(chosen)


def restricted(expected: dict, students: Iterable[str]) -> dict:
    """An expected.json reduced to `students` (for example_class.mismatches on a subset)."""
    keep = set(students)
    return {**expected, "students": {s: w for s, w in expected["students"].items() if s in keep}}
