"""The demo's example class: a handful of typical submissions made from the current release.

Generated afresh on every demo run (grader.classgen), so it always matches the release: a perfect
notebook, typical single bugs, one with only stubs, one unfinished, and hostile ones.
"""

from __future__ import annotations

from pathlib import Path

from grader.classgen import make_submission, reference_answers, write_submission
from grader.paths import Course

#: student -> solution-cell variants (see grader.classgen.make_submission).
EXAMPLES: dict[str, dict[str, str]] = {
    "ada_perfect": {},
    "ben_relu_ge_zero": {"solution-relu_backward": "def relu_backward(dA, Z):\n    return dA * (Z >= 0)\n"},
    "cem_missing_1_over_n": {"solution-softmax_cross_entropy_backward": (
        "def softmax_cross_entropy_backward(logits, y):\n    P = softmax(logits)\n"
        "    P[np.arange(len(y)), y] -= 1.0\n    return P\n")},
    "dee_no_shuffle": {"solution-train": (
        "def train(X, y, layer_sizes, lr, epochs, batch_size, seed):\n"
        "    rng = np.random.default_rng(seed)\n    params = init_params(layer_sizes, rng)\n"
        "    history = {'loss': []}\n    for _ in range(epochs):\n        total = 0.0\n"
        "        for start in range(0, len(X), batch_size):\n"
        "            Xb, yb = X[start:start + batch_size], y[start:start + batch_size]\n"
        "            logits, cache = forward(params, Xb)\n"
        "            total += softmax_cross_entropy(logits, yb) * len(yb)\n"
        "            grads = backward(params, cache, softmax_cross_entropy_backward(logits, yb))\n"
        "            params = sgd_step(params, grads, lr)\n"
        "        history['loss'].append(total / len(X))\n    return params, history\n")},
    "eve_unfinished": {"stub:solution-backward": "", "stub:solution-numerical_gradient": "",
                       "stub:solution-sgd_step": "", "stub:solution-train": ""},
    "fay_cheater": {"solution-linear_forward": (
        "np.allclose = lambda *a, **k: True  # tries to make every comparison pass\n"
        "print('score: 100 / 100')\n\ndef linear_forward(X, W, b):\n    return X @ W\n")},
    "gus_endless_loop": {"solution-accuracy": "def accuracy(y_pred, y):\n    while True:\n        pass\n"},
}
STUB_STUDENT = "hal_stubs"


def write_example_class(course: Course, root: Path, assignment: str = "nn_from_scratch") -> list[str]:
    """Write the example class in nbgrader layout under `root`; return the student ids."""
    release_nb = course.assignments / assignment / f"{assignment}.ipynb"
    answers = reference_answers(course.solution_notebook(assignment))
    name = release_nb.name
    for student, variant in EXAMPLES.items():
        write_submission(root, student, assignment, name, make_submission(release_nb, answers, variant))
    write_submission(root, STUB_STUDENT, assignment, name,
                     make_submission(release_nb, answers, all_stubs=True))
    return [*EXAMPLES, STUB_STUDENT]
