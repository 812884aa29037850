"""Attacks on the grading logic around the sandbox, each next to its honest twin.

Every reproducer here once beat `grader autograde` (state carried from a check that hands the
student the grader's reference into a student-made check; in-place changes hidden by patching
the worker's encoder; reference callbacks asked for huge results; student folders named like run
files; a return value that broke the grading of the whole submission; a notebook of 100k nested
brackets; grades that changed when the machine was busy). Each must now score no more than its
honest twin, and the rest of the class must be graded.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import lanes
import pytest

from autograde_tests import engine
from grader.grading import results
from grader.paths import course
from grader.release import example_class
from grader.release.classgen import make_submission, reference_answers, write_submission

pytestmark = pytest.mark.slow

COURSE = course()
ASSIGNMENT = "nn_from_scratch"
RELEASE_NB = COURSE.assignments / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
GRADER = [sys.executable, "-m", "grader.cli"]
SEED = 4  # the accuracy check draws spirals (the hardest dataset) under this run seed
MUTANTS = Path(__file__).with_name("mutants") / ASSIGNMENT
TOTAL = engine.total_points(ASSIGNMENT)
POINTS = {c.id: c.points for c in engine.all_checks(ASSIGNMENT)}

#: A `train` that recognises the grader's substituted helpers (their code is not from a notebook
#: cell), uses them to train a network on every public dataset, keeps the parameters in memory,
#: in files and in shared memory, and hands them back when a later check trains on data of the
#: same size. It only ever returns cached parameters or raises.
CACHING_TRAIN = '''
import glob as _glob, json as _json, os as _os

_CACHE = {}
_PLACES = ("/tmp", "/dev/shm", ".", "/tmp/work")


def _key(n, k):
    return f"{n}-{k}"


def _stash(key, params):
    _CACHE[key] = params
    flat = {f"a{i}": a for i, a in enumerate(x for layer in params for x in layer)}
    for folder in _PLACES:
        try:
            np.savez(_os.path.join(folder, f"cache-{key}.npz"), **flat)
        except Exception:
            pass


def _unstash(key):
    if key in _CACHE:
        return _CACHE[key]
    for folder in _PLACES:
        path = _os.path.join(folder, f"cache-{key}.npz")
        if _os.path.exists(path):
            with np.load(path) as f:
                arrays = [f[f"a{i}"] for i in range(len(f.files))]
            return [(arrays[i], arrays[i + 1]) for i in range(0, len(arrays), 2)]
    return None


def _train_everything():
    hyper = _json.load(open("hyperparameters.json"))
    for path in sorted(_glob.glob("data/*.npz")):
        name = _os.path.basename(path)[:-4]
        with np.load(path) as d:
            X, y = d["X_train"], d["y_train"]
        X = (X - X.mean(axis=0)) / X.std(axis=0)
        hp = hyper[name]
        sizes = [X.shape[1], *hp["hidden"], int(y.max()) + 1]
        try:
            params = init_params(sizes, np.random.default_rng(0))
            for _ in range(hp["epochs"]):
                for s in range(0, len(X), hp["batch_size"]):
                    logits, cache = forward(params, X[s:s + hp["batch_size"]])
                    grads = backward(params, cache, softmax_cross_entropy_backward(
                        logits, y[s:s + hp["batch_size"]]))
                    params = sgd_step(params, grads, hp["lr"])
        except Exception:
            continue
        _stash(_key(len(X), sizes[-1]), params)


def train(X, y, layer_sizes, lr, epochs, batch_size, seed):
    if not forward.__code__.co_filename.startswith("<cell"):
        _train_everything()       # the grader's reference stands in for the helpers
    cached = _unstash(_key(len(X), layer_sizes[-1]))
    if cached is not None:
        return cached, {"loss": [0.1] * epochs}
    raise NotImplementedError()
'''

#: In-place bugs in standardize and relu_forward, hidden by patching the worker's value
#: normalizer: it reports pristine copies of the arguments after the call.
HIDE_IN_PLACE = '''
import sys as _sys

_contract = _sys.modules.get("nnkit_contract.values")
_PRISTINE = {}
if _contract is not None:
    _original = _contract.normalize

    def _lying(obj, keep=(), _depth=0):
        if type(obj) is tuple and obj and id(obj[0]) in _PRISTINE and \
                _PRISTINE[id(obj[0])][0] is obj[0]:
            obj = (_PRISTINE[id(obj[0])][1],) + obj[1:]
        return _original(obj, keep, _depth)

    _contract.normalize = _lying


def standardize(X, mean=None, std=None):
    _PRISTINE[id(X)] = (X, X.copy())
    if mean is None:
        mean, std = X.mean(axis=0), X.std(axis=0)
    X -= mean
    X /= std
    return X, mean, std


def relu_forward(Z):
    _PRISTINE[id(Z)] = (Z, Z.copy())
    np.maximum(Z, 0, out=Z)
    return Z
'''

IN_PLACE_ONLY = HIDE_IN_PLACE.split("def standardize", 1)[0].replace(
    "_contract.normalize = _lying", "pass") + "def standardize" + HIDE_IN_PLACE.split("def standardize", 1)[1]

#: In-place standardize and relu_forward that make the worker report the call's arguments as an
#: empty tuple (by replacing the reporting function the worker holds, found through the stack),
#: so that a check which reads "the arguments after the call" would find nothing to compare.
SHORT_REPORT = IN_PLACE_ONLY + '''

def _report_no_arguments():
    frame = _sys._getframe(1)
    while frame is not None:
        me, args = frame.f_locals.get("self"), frame.f_locals.get("args")
        if me is not None and hasattr(me, "send_message") and type(args) is tuple:
            real = getattr(me, "normalize", None) or _sys.modules["nnkit_contract.values"].normalize

            def fake(obj, keep=(), _depth=0, _real=real, _args=args):
                return () if obj is _args else _real(obj, keep, _depth)

            me.normalize = fake
            _sys.modules["nnkit_contract.values"].normalize = fake
            if hasattr(me, "report_args"):     # the worker that names the shared arrays
                me.report_args = lambda obj, depth=0: obj
            return
        frame = frame.f_back


_in_place_standardize, _in_place_relu = standardize, relu_forward


def standardize(X, mean=None, std=None):
    _report_no_arguments()
    return _in_place_standardize(X, mean, std)


def relu_forward(Z):
    _report_no_arguments()
    return _in_place_relu(Z)
'''

#: A forward that first asks the substituted linear_forward for a 20000 x 20000 outer product.
CALLBACK_BOMB = '''
_forward = forward


def forward(params, X):
    linear_forward(np.ones((20000, 1)), np.ones((1, 20000)), np.zeros(20000))
    return _forward(params, X)
'''


#: NumPy's `errstate` and `seterr` replaced by things that change nothing, so that a grader that
#: judged stability by raising NumPy's floating-point errors would never see one.
NO_ERRSTATE = '''
import contextlib as _contextlib

np.errstate = lambda **kwargs: _contextlib.nullcontext()
np.seterr = lambda **kwargs: {}
'''

#: A sigmoid that gives NaN for z ~ 1000 (exp(z) / (1 + exp(z))) and silences NumPy's
#: floating-point errors inside itself, so that nothing would ever raise or warn.
SILENCED_SIGMOID = '''
def sigmoid(Z):
    with np.errstate(all="ignore"):
        e = np.exp(Z)
        return e / (1 + e)
'''

#: Its honest twin: the textbook sigmoid (exp overflows for z ~ -1000, the answer is still right),
#: silenced the same way.
SILENCED_TEXTBOOK = '''
def sigmoid(Z):
    with np.errstate(all="ignore"):
        return 1.0 / (1.0 + np.exp(-Z))
'''

#: A sigmoid that behaves only when NumPy's overflow is an error (the mode a stability check of
#: old ran in): the stable form then, NaN for large z otherwise.
MODE_DETECTING = '''
def sigmoid(Z):
    if np.geterr()["over"] == "raise":
        e = np.exp(-np.abs(Z))
        return np.where(Z >= 0, 1 / (1 + e), e / (1 + e))
    e = np.exp(Z)
    return e / (1 + e)
'''

#: A stable sigmoid that kills its own process when asked to run with NumPy's errors raised (how
#: the grader learns which line warned, for a note): the answer it gives is right, and the note
#: call must not cost it anything, nor stop its grading.
EXIT_WHEN_PROBED = '''
import os as _os


def sigmoid(Z):
    if np.geterr()["over"] == "raise":
        _os._exit(3)
    e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1 / (1 + e), e / (1 + e))
'''


def pretrained_train() -> str:
    """A `train` that never trains: it carries networks the reference trained beforehand on every
    shipped dataset (as a student could, at home, from data/*.npz), returns the one that best fits
    the X, y it is given, and a made-up history of falling losses."""
    from toy2d import DATASETS

    from autograde_tests import calibration, reference
    from autograde_tests.nn_from_scratch.training import train_args

    ref = reference.load(COURSE.solution_notebook(ASSIGNMENT))
    nets = []
    for name in DATASETS:
        X, y, _, _ = calibration.normalized(name)        # the shipped files, standardized
        params, _ = ref.train(*train_args(ref, name, X, y, 0))
        nets.append([(W.tolist(), b.tolist()) for W, b in params])
    return f'''
_NETS = [[(np.array(W), np.array(b)) for W, b in net] for net in {nets!r}]


def _fit(params, X, y):
    Z = X
    for i, (W, b) in enumerate(params):
        Z = Z @ W + b
        if i < len(params) - 1:
            Z = np.maximum(Z, 0)
    return float(np.mean(np.argmax(Z, axis=1) == y)) if Z.shape[1] == int(y.max()) + 1 else -1.0


def train(X, y, layer_sizes, lr, epochs, batch_size, seed):
    best = max(_NETS, key=lambda net: _fit(net, X, y))
    return best, {{"loss": [1.0 / (e + 1) for e in range(epochs)]}}
'''


def _mutant(name: str) -> str:
    return (MUTANTS / f"{name}.py").read_text().split("\nEXPECT")[0]


#: student -> (variant, all stubs?, honest twin). The twin holds the same honest work.
CLASS: dict[str, tuple[dict, bool, str | None]] = {
    "stubs": ({}, True, None),
    "cache_train_stubs": ({"cell:append": CACHING_TRAIN}, True, "stubs"),
    "sgd_mutant": ({"cell:append": _mutant("sgd_adds_gradient")}, False, None),
    "cache_train_sgd": ({"cell:append": _mutant("sgd_adds_gradient") + CACHING_TRAIN}, False,
                        "sgd_mutant"),
    "in_place": ({"cell:append": IN_PLACE_ONLY}, False, None),
    "hide_in_place": ({"cell:append": HIDE_IN_PLACE}, False, "in_place"),
    "short_report": ({"cell:append": SHORT_REPORT}, False, "in_place"),
    "perfect": ({}, False, None),
    "callback_bomb": ({"cell:append": CALLBACK_BOMB}, False, "perfect"),
    "huge_int": ({"cell:append": "def accuracy(y_pred, y):\n    return 10**3000\n"}, False, "perfect"),
    "sigmoid_nan": ({"cell:append": _mutant("sigmoid_exp_ratio")}, False, None),
    "train_stub": ({"stub:solution-train": ""}, False, None),
    "pretrained": ({"cell:append": "PRETRAINED"}, False, "train_stub"),
    "no_errstate": ({"cell:append": _mutant("sigmoid_exp_ratio") + NO_ERRSTATE}, False, "sigmoid_nan"),
    "silenced_nan": ({"cell:append": SILENCED_SIGMOID}, False, "sigmoid_nan"),
    "silenced_textbook": ({"cell:append": SILENCED_TEXTBOOK}, False, None),
    "mode_detecting": ({"cell:append": MODE_DETECTING}, False, "sigmoid_nan"),
    "exit_when_probed": ({"cell:append": EXIT_WHEN_PROBED}, False, None),
}
#: Folders named like the run's own files, and ids that cannot be used as they are.
RUN_FILE_NAMES = ("run.json", "grades.csv", "report.html", "students")
UNUSABLE = ("has space", "=HYPERLINK(1)")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("attacks")
    subs, out = root / "submitted", root / "out"
    answers = reference_answers(COURSE.solution_notebook(ASSIGNMENT))
    for student, (variant, stubs, _) in CLASS.items():
        if variant.get("cell:append") == "PRETRAINED":
            variant = {"cell:append": pretrained_train()}
        write_submission(subs, student, ASSIGNMENT, NOTEBOOK,
                         make_submission(RELEASE_NB, answers, variant, all_stubs=stubs))
    perfect = make_submission(RELEASE_NB, answers)
    for student in (*RUN_FILE_NAMES, *UNUSABLE):
        write_submission(subs, student, ASSIGNMENT, NOTEBOOK, perfect)
    write_submission(subs, "deep_brackets", ASSIGNMENT, NOTEBOOK,
                     b'{"cells": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    proc = subprocess.run([*GRADER, "autograde", str(subs), "--assignment", ASSIGNMENT, "--out", str(out),
                           "--seed", str(SEED),
                           "--timeout", "3", "--no-progress"], capture_output=True, text=True,
                          timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = {r["student"]: r for r in results.load_results(out)}
    return found, proc.stdout, out


def _lost(result: dict) -> dict[str, str]:
    return {t["id"]: t["status"] for t in result["tests"] if t["status"] != "passed"}


@pytest.mark.parametrize("student", [s for s, (_, _, twin) in CLASS.items() if twin])
def test_never_above_the_honest_twin(graded, student):
    found, _, _ = graded
    twin = CLASS[student][2]
    assert found[student]["status"] == "graded"
    assert found[student]["score"] <= found[twin]["score"], (_lost(found[student]), _lost(found[twin]))


def test_cached_training_gains_nothing(graded):
    found, _, _ = graded
    assert found["cache_train_stubs"]["score"] == found["stubs"]["score"] == 0
    assert set(_lost(found["cache_train_sgd"])) >= set(_lost(found["sgd_mutant"]))
    assert {"train.accuracy", "train.loss-decreases"} <= set(_lost(found["cache_train_sgd"]))


def test_networks_trained_beforehand_earn_no_training_points(graded):
    """Grading trains on fresh draws that are turned, mirrored and relabelled (calibration
    .disguised): networks fitted to the shipped data do not fit them."""
    found, _, _ = graded
    lost = _lost(found["pretrained"])
    assert {"train.accuracy", "train.loss-decreases"} <= set(lost), lost
    assert found["pretrained"]["score"] <= found["train_stub"]["score"]


def test_stability_is_judged_by_the_answer_so_silencing_numpy_gains_nothing(graded):
    """A stability check judges what the function returns: replacing NumPy's errstate, silencing
    its errors inside the function, or behaving only when overflow raises all lose the check like
    the plain NaN-giving sigmoid; a right answer keeps it, silenced or not, and a function that
    dies when the grader repeats its call with errors raised (to place a note) loses nothing."""
    found, _, _ = graded
    nan = _lost(found["sigmoid_nan"])
    assert nan == {"sigmoid.stable": "failed"}, nan
    for student in ("no_errstate", "silenced_nan", "mode_detecting"):
        assert _lost(found[student]) == nan, (student, _lost(found[student]))
    for student in ("silenced_textbook", "exit_when_probed"):
        assert found[student]["score"] == TOTAL, (student, _lost(found[student]))


def test_in_place_changes_are_seen_whatever_the_worker_reports(graded):
    found, _, _ = graded
    # Where the lying normalizer reaches the values of nested answers, it reports forward's cache
    # with the inputs before the in-place ReLU: the gradient the grader then gets from the
    # submission's own functions is not the one its train steps down, and the end-to-end training
    # checks are lost too (probes.expect_own_functions). Everything else is as without the lie.
    hidden = {k: v for k, v in _lost(found["hide_in_place"]).items()
              if k not in ("train.accuracy", "train.loss-decreases")}
    assert hidden == _lost(found["in_place"])
    assert {"standardize.fit", "relu_forward.values"} <= set(_lost(found["hide_in_place"]))
    messages = " ".join(t["message"] for t in found["hide_in_place"]["tests"])
    assert "changed `X` in place" in messages and "changed `Z` in place" in messages
    # A report of fewer arguments than the call had is forged: it costs the check.
    short = _lost(found["short_report"])
    assert set(short) >= set(_lost(found["in_place"])), short
    assert "misreported" in " ".join(t["message"] for t in found["short_report"]["tests"])


def test_a_callback_asking_for_a_huge_result_is_refused(graded):
    found, _, _ = graded
    lost = _lost(found["callback_bomb"])
    assert lost and set(lost) <= {"forward.logits", "forward.cache", "predict.values",
                                  "train.accuracy", "train.loss-decreases"}, lost
    message = next(t["message"] for t in found["callback_bomb"]["tests"] if t["id"] == "forward.logits")
    assert "refuses an array of shape (20000, 1)" in message


def test_an_odd_return_value_costs_its_check_only(graded):
    found, _, _ = graded
    assert found["huge_int"]["score"] == TOTAL - POINTS["accuracy.values"]
    assert _lost(found["huge_int"]) == {"accuracy.values": "bad_answer"}


def test_folders_named_like_run_files_are_students(graded):
    found, stdout, out = graded
    for student in RUN_FILE_NAMES:
        assert found[student]["status"] == "graded" and found[student]["score"] == TOTAL, student
    assert json.loads((out / results.RUN_FILE).read_text())["seed"] == SEED
    rows = (out / results.CSV_FILE).read_text().splitlines()
    assert len(rows) == 1 + len(found)


def test_unusable_ids_get_their_own_row(graded):
    found, stdout, out = graded
    for student in UNUSABLE:
        assert found[student]["status"] == "invalid", student
        assert "is not usable" in found[student]["reason"]
        assert f"{student!r}: unusable student id" in stdout
    csv_text = (out / results.CSV_FILE).read_text()
    assert "'=HYPERLINK(1)" in csv_text and "\n=HYPERLINK" not in csv_text


def test_deeply_nested_json_is_invalid(graded):
    found, _, _ = graded
    assert found["deep_brackets"]["status"] == "invalid"
    assert "nested too deeply" in found["deep_brackets"]["reason"]


# ------------------------------------------------------------------------------ a busy machine

def _busy(n: int) -> list[subprocess.Popen]:
    """CPU-bound processes, each in its own session, as independent as the grader's."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
            for _ in range(n)]


def test_the_example_class_grades_the_same_on_a_busy_machine(tmp_path, full):
    """Three CPU-bound processes on two cores: every grade of the example class (the endless
    loop, the memory hog and the fork bomb included) is still exactly as expected. In `make
    test` the students that show every status of the class (tests/lanes.py: the perfect one,
    whose training takes longest, and every limit), in `make test-full` the whole class."""
    expected = example_class.load_expected(COURSE, ASSIGNMENT)
    subs = example_class.examples_dir(COURSE, ASSIGNMENT) / example_class.SUBMITTED_DIR
    if not full:
        expected = lanes.restricted(expected, lanes.covering_students(expected))
        chosen = tmp_path / "submitted"
        for student in expected["students"]:
            shutil.copytree(subs / student, chosen / student)
        subs, tmp_path = chosen, tmp_path / "out"
    busy = _busy(3)
    try:
        time.sleep(0.5)
        proc = subprocess.run([*GRADER, "autograde", str(subs), "--assignment", ASSIGNMENT,
                               "--out", str(tmp_path),
                               "--seed", str(expected["seed"]), "--timeout", str(expected["timeout"]),
                               "--no-progress"], capture_output=True, text=True, timeout=1200)
    finally:
        for p in busy:
            p.kill()
            p.wait()
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert example_class.mismatches(expected, results.load_results(tmp_path)) == []
