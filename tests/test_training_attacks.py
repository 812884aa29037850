"""The end-to-end training checks reward only a network that the submission's own functions train.

Two attacks on `train.accuracy` and `train.loss-decreases` (7 points in nn_from_scratch, 11 in
training_networks), each graded by `grader autograde` in a class between honest students, next
to its honest twin, for both assignments:

- `cache_search`: every function honest except `train`, which carries networks the reference
  trained beforehand on every shipped dataset (as a student could at home, from data/*.npz and
  hyperparameters.json) and returns the one that fits the X, y it is given best, searched over
  the eight symmetries of the square and 72 rotations, mirrored or not, and every relabelling of
  the classes (all absorbed into the first and last layer), its logits scaled to the loss that
  fits best. Its twin leaves `train` as the stub.
- `detect_helpers`: every function but `train` left as the stub; `train` runs the honest loop
  when the grader's reference helpers stand in for its own (the exact loop checks) or when it
  trains for at most one epoch, and answers with the cached search otherwise. Its twin has the
  same stubs and the honest `train`.

Before the grader tied these checks to the student's own functions (autograde_tests/probes.py,
`expect_own_step`), both attacks earned the end-to-end checks in full: 7 and 11 points above
their twins. Now neither scores above its twin, and the failure says why.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from autograde_tests import calibration, engine, reference
from grader.grading import results
from grader.paths import course
from grader.release.classgen import make_submission, reference_answers, write_submission

pytestmark = pytest.mark.slow

COURSE = course()
GRADER = [sys.executable, "-m", "grader.cli"]
#: Run seeds under which the accuracy checks draw the hardest cases (spirals).
SEEDS = {"nn_from_scratch": 4, "training_networks": 0}
END_TO_END = ("train.accuracy", "train.loss-decreases")

#: The student side of the search: given cached networks _NETS (name -> [(W, b), ...]), return
#: the one that fits X, y best over turns, mirrors and relabellings, in the shape layer_sizes.
SEARCH = '''
import itertools as _it


def _logits(params, X):
    Z = X
    for i, (W, b) in enumerate(params):
        Z = Z @ W + b
        if i < len(params) - 1:
            Z = np.maximum(Z, 0.0)
    return Z


def _turns():
    out = []
    for angle in np.linspace(0.0, 2 * np.pi, 72, endpoint=False):
        R = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        out += [R, R @ np.diag([1.0, -1.0])]
    return out


def _relabel(pred, y, k):
    conf = np.zeros((k, k))
    np.add.at(conf, (pred, y), 1)
    if k <= 4:
        return np.array(max(_it.permutations(range(k)),
                            key=lambda p: sum(conf[i, p[i]] for i in range(k))))
    p = np.full(k, -1)
    for i, j in sorted(np.ndindex(k, k), key=lambda ij: -conf[ij]):
        if p[i] < 0 and j not in p:
            p[i] = j
    return p


def _ce(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    return float(-(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(axis=1))).mean())


def _cached(X, y, layer_sizes):
    best = None
    for net in _NETS.values():
        sizes = [net[0][0].shape[0]] + [W.shape[1] for W, _ in net]
        if sizes != list(layer_sizes):
            continue
        for M in _turns():
            pred = _logits(net, X @ M).argmax(axis=1)
            p = _relabel(pred, y, sizes[-1])
            fit = np.mean(p[pred] == y)
            if best is None or fit > best[0]:
                best = (fit, net, M, p)
    _, net, M, p = best
    W_last, b_last = np.empty_like(net[-1][0]), np.empty_like(net[-1][1])
    W_last[:, p], b_last[p] = net[-1][0], net[-1][1]
    params = [(M @ net[0][0], net[0][1])] + list(net[1:-1]) + [(W_last, b_last)]
    scale = min(np.geomspace(0.01, 3.0, 40), key=lambda t: _ce(_logits(params, X) * t, y))
    params[-1] = (W_last * scale, b_last * scale)
    return params
'''


def _cache_literal(assignment: str) -> str:
    """_NETS: the reference trained (seed 0) on every shipped dataset, as the notebook's code."""
    from toy2d import DATASETS

    ref = reference.load(COURSE.solution_notebook(assignment))
    training = __import__(f"autograde_tests.{assignment}.training", fromlist=["x"])
    nets = {}
    for case in training.CASES:
        name = case if case in DATASETS else training.dataset(ref, case)
        X, y, _, _ = calibration.normalized(name)          # the shipped files, standardized
        with np.errstate(all="ignore"):
            params, _ = ref.train(*training.train_args(ref, case, X, y, 0))
        nets[case] = [(W.tolist(), b.tolist()) for W, b in params]
    return f"_NETS = {{k: [(np.array(W), np.array(b)) for W, b in net] for k, net in {nets!r}.items()}}\n"


def _train_head(assignment: str) -> str:
    return ("def train(X, y, layer_sizes, lr, epochs, batch_size, seed):\n"
            if assignment == "nn_from_scratch" else
            "def train(X, y, layer_sizes, optimizer, epochs, batch_size, seed, init='he',\n"
            "          activation='relu', keep_prob=1.0, lam=0.0):\n")


def _honest_train(assignment: str) -> str:
    source = reference_answers(COURSE.solution_notebook(assignment))["solution-train"]
    return source.replace("def train(", "def _honest_train(", 1)


def cache_search(assignment: str) -> str:
    """`train` = the cached networks, searched; nothing else changed."""
    return (_cache_literal(assignment) + SEARCH + "\n\n" + _train_head(assignment)
            + "    return _cached(X, y, layer_sizes), {'loss': [0.5 / (e + 1) for e in range(epochs)]}\n")


def detect_helpers(assignment: str) -> str:
    """`train` honest when the helpers are the grader's or the run is short; cached otherwise."""
    args = ("X, y, layer_sizes, lr, epochs, batch_size, seed" if assignment == "nn_from_scratch" else
            "X, y, layer_sizes, optimizer, epochs, batch_size, seed, init, activation, keep_prob, lam")
    return (_cache_literal(assignment) + SEARCH + "\n\n" + _honest_train(assignment) + "\n\n"
            + _train_head(assignment)
            + "    substituted = not forward.__code__.co_filename.startswith('<cell')\n"
            + "    if substituted or epochs <= 1:\n"
            + f"        return _honest_train({args})\n"
            + "    return _cached(X, y, layer_sizes), {'loss': [0.5 / (e + 1) for e in range(epochs)]}\n")


#: An honest mistake the tie must not punish twice: init_params draws from NumPy's global
#: generator (never seeded) instead of the one it is given, so every call of train starts
#: elsewhere. It loses the init_params checks that follow the generator, nothing of training.
GLOBAL_RNG_INIT = '''
_init_params_given = init_params


def init_params(layer_sizes, rng, *scheme):
    return _init_params_given(layer_sizes, np.random.default_rng(np.random.randint(2**31)), *scheme)
'''

#: student -> (variant maker, all stubs?, honest twin). "first" and "last" are honest.
CLASS = {
    "aa_honest_first": (None, False, None),
    "global_rng_init": (lambda assignment: GLOBAL_RNG_INIT, False, None),
    "cache_search": (cache_search, False, "cache_search_twin"),
    "cache_search_twin": ("stub-train", False, None),
    "detect_helpers": (detect_helpers, True, "detect_helpers_twin"),
    "detect_helpers_twin": ("honest-train", True, None),
    "zz_honest_last": (None, False, None),
}


@pytest.fixture(scope="module", params=sorted(SEEDS))
def graded(request, tmp_path_factory):
    assignment = request.param
    root = tmp_path_factory.mktemp(f"training-attacks-{assignment}")
    subs, out = root / "submitted", root / "out"
    notebook = f"{assignment}.ipynb"
    release_nb = COURSE.assignments / assignment / notebook
    answers = reference_answers(COURSE.solution_notebook(assignment))
    for student, (maker, stubs, _) in CLASS.items():
        if maker == "stub-train":
            variant = {"stub:solution-train": ""}
        elif maker == "honest-train":
            variant = {"cell:append": answers["solution-train"]}
        else:
            variant = {"cell:append": maker(assignment)} if maker else {}
        write_submission(subs, student, assignment, notebook,
                         make_submission(release_nb, answers, variant, all_stubs=stubs))
    proc = subprocess.run([*GRADER, "autograde", str(subs), "--assignment", assignment,
                           "--out", str(out), "--seed", str(SEEDS[assignment]), "--no-progress"],
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return assignment, {r["student"]: r for r in results.load_results(out)}


def _lost(result: dict) -> dict[str, str]:
    return {t["id"]: t["message"] for t in result["tests"] if t["status"] != "passed"}


def test_honest_students_around_the_attacks_get_full_marks(graded):
    assignment, found = graded
    for student in ("aa_honest_first", "zz_honest_last"):
        assert found[student]["score"] == engine.total_points(assignment), _lost(found[student])


@pytest.mark.parametrize("attack", ["cache_search", "detect_helpers"])
def test_an_attack_scores_no_more_than_its_honest_twin(graded, attack):
    assignment, found = graded
    twin = CLASS[attack][2]
    assert found[attack]["status"] == "graded"
    assert found[attack]["score"] <= found[twin]["score"], (_lost(found[attack]), _lost(found[twin]))
    lost = _lost(found[attack])
    assert set(END_TO_END) <= set(lost), lost


def test_the_cached_network_is_refused_for_what_it_is(graded):
    """The searched cache fits the graded draws (the accuracy threshold alone would let it
    pass); it loses because it is not one step of the submission's own functions."""
    assignment, found = graded
    lost = _lost(found["cache_search"])
    for check in END_TO_END:
        assert "the first step of your train is not the step of your own functions" in lost[check], lost[check]


def test_the_twins_lose_only_what_they_left_out(graded):
    assignment, found = graded
    train = {c.id for c in engine.all_checks(assignment) if c.function == "train"}
    assert set(_lost(found["cache_search_twin"])) == train
    stubs_with_train = _lost(found["detect_helpers_twin"])
    assert set(END_TO_END) <= set(stubs_with_train)
    assert not {"train.one-step", "train.loop"} & set(stubs_with_train)


def test_an_init_that_ignores_its_generator_keeps_the_training_points(graded):
    """Its runs start from a different place on every call; the tie runs them again in fresh
    processes (which start from the same global state) before the step counts as not its own."""
    assignment, found = graded
    lost = _lost(found["global_rng_init"])
    assert lost and all(check.startswith("init_params.") for check in lost), lost
