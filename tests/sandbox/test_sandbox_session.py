"""The honest path: load cells, call functions, round-trip values, substitute callbacks."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from sandbox_support import FAST

from grader.sandbox import (
    Limits,
    SubmissionSession,
    isolation_mode,
)
from nnkit_contract.outcomes import BadAnswer, CallTimedOut, Crashed, Missing, NotImplementedYet, StudentRaised
from nnkit_contract.values import Unrepresentable

NOTEBOOK = [
    "import numpy as np\nprint('loading')\n",
    "def relu(x):\n    return np.maximum(x, 0)\n",
    "def echo(*args):\n    return args\n",
    "def stub(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n",
    "def bad(x):\n    return x[10]\n",
    "def scale_(x, k):\n    x *= k\n    return None\n",
    "def broken(:\n    pass\n",
    "y = undefined_name + 1\n",
    "def after_errors():\n    return 'cells after failing ones still ran'\n",
    "NOT_A_FUNCTION = 3\n",
]


def test_isolation_mode_is_reported():
    assert isolation_mode() in ("bubblewrap", "rlimits-only")


def test_load_report(make_session):
    s = make_session(NOTEBOOK)
    report = s.start()
    assert report.ok
    assert {"relu", "echo", "stub", "bad", "scale_", "after_errors"} <= set(report.defined)
    assert "NOT_A_FUNCTION" not in report.defined and "np" not in report.defined
    assert report.cell_errors[0].startswith("cell 7: SyntaxError")
    assert report.cell_errors[1] == "cell 8: NameError: name 'undefined_name' is not defined"
    assert len(report.cell_errors) == 2
    assert report.output == "loading\n"
    assert report.duration > 0
    assert s.start() is report  # start() is idempotent


def test_calls_and_value_round_trips(make_session):
    s = make_session(NOTEBOOK)
    r = s.call("relu", (np.array([-1.0, 0.5, np.nan]),))  # call() starts the session itself
    assert type(r.value) is np.ndarray and r.type_name == "ndarray"
    assert r.value[0] == 0 and r.value[1] == 0.5 and math.isnan(r.value[2])
    assert r.duration > 0 and r.output == "" and r.args_after is None
    args = (None, True, 3, 2.5, math.inf, "text", [1, 2], (3, (4,)), {"k": [np.arange(3)]},
            np.zeros((2, 0)), np.arange(6, dtype=np.int32).reshape(2, 3))
    r = s.call("echo", args)
    assert r.type_name == "tuple"
    got = r.value
    assert got[:8] == args[:8] and type(got[7]) is tuple and type(got[7][1]) is tuple
    assert np.array_equal(got[8]["k"][0], np.arange(3))
    assert got[9].shape == (2, 0) and got[10].dtype == np.int32
    assert s.call("after_errors", ()).value == "cells after failing ones still ran"


def test_numpy_scalars_are_reported_by_type_name(make_session):
    s = make_session("import numpy as np\ndef f():\n    return np.float64(2.0)\n")
    r = s.call("f", ())
    assert r.value == 2.0 and type(r.value) is float and r.type_name == "numpy.float64"


def test_not_defined(make_session):
    s = make_session(NOTEBOOK)
    with pytest.raises(Missing, match="missing is not defined"):
        s.call("missing", ())
    with pytest.raises(Missing, match="not a function"):
        s.call("NOT_A_FUNCTION", ())
    assert s.call("relu", (1.0,)).value == 1.0  # the worker is still the same one
    assert s.restarts == 0


def test_student_exceptions(make_session):
    s = make_session(NOTEBOOK)
    with pytest.raises(NotImplementedYet) as e:
        s.call("stub", (1,))
    assert e.value.kind == "not_implemented" and "stub" in str(e.value)
    with pytest.raises(StudentRaised) as e:
        s.call("bad", ([1, 2],))
    assert e.value.exc_type == "IndexError" and e.value.kind == "error"
    assert "cell 5, line 2, in bad" in str(e.value)
    assert "list index out of range" in str(e.value)
    assert s.restarts == 0


def test_return_args_shows_in_place_mutation(make_session):
    s = make_session(NOTEBOOK)
    x = np.ones(3)
    r = s.call("scale_", (x, 2.0), return_args=True)
    assert r.value is None
    assert np.array_equal(r.args_after[0], [2.0, 2.0, 2.0]) and r.args_after[1] == 2.0
    assert np.array_equal(x, np.ones(3))  # the grader's copy is untouched


def test_a_0d_array_argument_keeps_its_shape(make_session):
    """A 0-d array (the upstream gradient of a sum, a scalar input of a broadcast) reaches the
    student as shape (), not (1,) (np.ascontiguousarray makes every array at least 1-d), and is
    read back as it is; changed in place, it is seen changed."""
    s = make_session("import numpy as np\n"
                     "def shape_of(d):\n    return np.shape(d), float(d)\n"
                     "def bump_(d):\n    d += 1.0\n    return None\n")
    d = np.array(2.5)
    r = s.call("shape_of", (d,), return_args=True)
    assert r.value == ((), 2.5)
    after = r.args_after[0]
    assert isinstance(after, np.ndarray) and after.shape == () and after == 2.5
    r = s.call("bump_", (d,), return_args=True)
    assert r.args_after[0].shape == () and r.args_after[0] == 3.5
    assert d == 2.5  # the grader's copy is untouched


def test_a_numpy_scalar_argument_is_read_back_as_sent(make_session):
    """An np.float64 argument travels as a Python float (the contract's normalizer); the worker's
    report of it after the call is that float, which is the grader's own value, not a forgery."""
    s = make_session("def twice(x):\n    return 2 * x\n")
    r = s.call("twice", (np.float64(1.25),), return_args=True)
    assert r.value == 2.5 and r.args_after[0] == 1.25


def test_output_is_captured_per_call(make_session):
    s = make_session("def f(n):\n    print('step', n)\n    import sys\n"
                     "    print('warn', file=sys.stderr)\n    return n\n")
    assert s.start().output == ""
    r = s.call("f", (1,))
    assert r.output == "step 1\nwarn\n"
    assert s.call("f", (2,)).output == "step 2\nwarn\n"


SUBSTITUTED = """
import numpy as np
def linear_forward(x, W):
    raise NotImplementedError
def relu(z):
    return np.maximum(z, 0)
def layer(x, W):
    return relu(linear_forward(x, W))
def train(x, W, steps):
    for _ in range(steps):
        x = layer(x, W)
    return x
def kw(x):
    return linear_forward(x, W=np.eye(2))
"""


def test_substitute_runs_reference_in_the_grader(make_session):
    s = make_session(SUBSTITUTED)
    x, W = np.array([[1.0, -2.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(NotImplementedYet):
        s.call("layer", (x, W))
    seen = []

    def reference(x, W):
        seen.append(x.shape)
        return x @ W

    r = s.call("layer", (x, W), substitute={"linear_forward": reference})
    assert np.array_equal(r.value, [[1.0, 0.0]]) and seen == [(1, 2)]
    # Names are restored after the call.
    with pytest.raises(NotImplementedYet):
        s.call("layer", (x, W))
    r = s.call("train", (x, W, 500), substitute={"linear_forward": reference})
    assert len(seen) == 501 and np.array_equal(r.value, [[1.0, 0.0]])
    assert s.call("kw", (x,), substitute={"linear_forward": reference}).value.shape == (1, 2)


def test_substitute_errors_reach_student_code_as_exceptions(make_session):
    s = make_session(SUBSTITUTED + "def guarded(x):\n    try:\n        return linear_forward(x, x)\n"
                     "    except ValueError as e:\n        return 'caught: ' + str(e)\n")

    def reference(x, W):
        return np.dot(x, W)

    r = s.call("guarded", (np.ones((1, 3)),), substitute={"linear_forward": reference})
    assert r.value.startswith("caught: linear_forward (the grader's, standing in for yours) got "
                              "arguments it cannot use: shapes")
    with pytest.raises(StudentRaised, match="ValueError"):
        s.call("layer", (np.ones((1, 3)), np.ones((2, 2))),
               substitute={"linear_forward": reference})


def test_callbacks_for_names_not_substituted_are_refused(make_session):
    s = make_session(SUBSTITUTED + """
def grab():
    global saved
    saved = linear_forward
    return 1
def use_saved(x):
    return saved(x, x)
def rename_proxy(x):
    proxy = linear_forward
    cells = dict(zip(proxy.__code__.co_freevars, proxy.__closure__))
    cells["name"].cell_contents = "relu"
    return proxy(x, x)
""")
    called = []

    def reference(*args):
        called.append(args)
        return 0.0

    assert s.call("grab", (), substitute={"linear_forward": reference}).value == 1
    # A proxy kept from an earlier call carries that call's id: refused.
    with pytest.raises(BadAnswer, match="stale or forged"):
        s.call("use_saved", (np.eye(2),))
    # A proxy renamed to ask for a name this call does not substitute: refused.
    with pytest.raises(BadAnswer, match="'relu', which this call does not substitute"):
        s.call("rename_proxy", (np.eye(2),), substitute={"linear_forward": reference})
    assert called == []
    assert s.call("layer", (np.eye(2), np.eye(2)),
                  substitute={"linear_forward": lambda x, W: x @ W}).value.shape == (2, 2)


def test_restart_after_crash_reruns_the_cells(make_session):
    s = make_session("import os\nstate = []\nprint('cells ran')\n"
                     "def push():\n    state.append(1)\n    return len(state)\n"
                     "def die():\n    os._exit(3)\n")
    assert s.start().ok
    assert [s.call("push", ()).value for _ in range(3)] == [1, 2, 3]
    with pytest.raises(Crashed) as e:
        s.call("die", ())
    assert e.value.status == 3 and "status 3" in str(e.value)
    assert s.call("push", ()).value == 1  # a fresh worker, cells re-run
    assert s.restarts == 1


def test_timeout_then_recovery(make_session):
    """Sleeping uses no CPU: the wall-clock backstop (wall_factor x the limit + wall_grace)
    ends it, and says so."""
    s = make_session("import time\ndef slow(t):\n    time.sleep(t)\n    return t\n",
                     limits=Limits(wall_factor=2.0, wall_grace=0.5))
    t0 = time.monotonic()
    with pytest.raises(CallTimedOut, match="did not return within 1.5 s while hardly using the CPU"):
        s.call("slow", (600,), timeout=0.5)
    assert time.monotonic() - t0 < 300   # ended by the backstop, long before the sleep would end
    assert s.call("slow", (0,)).value == 0
    assert s.restarts == 1


def test_total_budget_bounds_everything(make_session):
    s = make_session("def burn():\n    while True:\n        pass\n"
                     "def quick():\n    return 1\n",
                     limits=Limits(call_cpu=1.0, total_cpu=1.8))
    s.start()
    with pytest.raises(CallTimedOut, match="more than 1 s of CPU time"):
        s.call("burn", ())
    with pytest.raises(CallTimedOut, match="used up its time"):
        s.call("burn", ())
    forks = s.forks
    with pytest.raises(CallTimedOut, match="used up its time"):
        s.call("quick", ())
    assert s.forks == forks   # refused before any process ran it
    assert s.cpu_left == 0


def test_workdir_files_are_importable(make_session, tmp_path):
    (tmp_path / "helper.py").write_text("def twice(x):\n    return 2 * x\n")
    (tmp_path / "moons.npz").write_bytes(b"")
    np.savez(tmp_path / "moons.npz", X=np.arange(4.0))
    s = make_session("import helper\nimport numpy as np\n"
                     "def f():\n    return helper.twice(np.load('data/moons.npz')['X'])\n",
                     workdir_files={"helper.py": tmp_path / "helper.py",
                                    "data/moons.npz": tmp_path / "moons.npz"})
    assert s.start().cell_errors == []
    assert np.array_equal(s.call("f", ()).value, [0.0, 2.0, 4.0, 6.0])


def test_workdir_file_names_are_checked(tmp_path):
    with pytest.raises(ValueError):
        SubmissionSession([], workdir_files={"../x.py": tmp_path})
    with pytest.raises(ValueError):
        SubmissionSession([], workdir_files={"/abs.py": tmp_path})


def test_large_answers_are_refused(make_session):
    s = make_session("import numpy as np\ndef big():\n    return np.ones(2 << 20)\n"
                     "def ok():\n    return 1\n",
                     limits=Limits(answer_bytes=8 << 20, call_cpu=5))
    with pytest.raises(BadAnswer, match="too large"):
        s.call("big", ())
    assert s.call("ok", ()).value == 1


def test_context_manager_and_close():
    with SubmissionSession(["def f():\n    return 5\n"], limits=FAST) as s:
        assert s.call("f", ()).value == 5
    with pytest.raises(RuntimeError):
        s.call("f", ())
    s.close()  # idempotent


@pytest.mark.bwrap
def test_strict_mode_uses_bubblewrap_and_seccomp(make_session):
    s = make_session("def f():\n    return open('/proc/self/status').read()\n", strict=True)
    assert s.mode == "bubblewrap"
    status = s.call("f", ()).value
    assert "Seccomp:\t2" in status and s.seccomp_active
    assert "CapEff:\t0000000000000000" in status


def test_unrepresentable_result_is_a_sentinel(make_session):
    s = make_session("class Thing:\n    pass\ndef f():\n    return Thing()\n")
    r = s.call("f", ())
    assert isinstance(r.value, Unrepresentable) and r.type_name == "__main__.Thing"


def test_matplotlib_works_headless(make_session):
    s = make_session("import matplotlib.pyplot as plt\nimport matplotlib\n"
                     "def backend():\n    plt.plot([1, 2])\n    plt.savefig('plot.png')\n"
                     "    return matplotlib.get_backend()\n", limits=Limits(call_cpu=20))
    report = s.start()
    assert report.cell_errors == []
    assert s.call("backend", ()).value.lower() == "agg"


def test_fp_errors_raise_and_warnings_are_quiet(make_session):
    s = make_session("import numpy as np\ndef f(x):\n    return np.exp(x)\n")
    with pytest.raises(StudentRaised) as e:
        s.call("f", (np.array([1000.0]),), fp_errors="raise")
    assert e.value.exc_type == "FloatingPointError"
    assert s.call("f", (np.array([-1000.0]),), fp_errors="raise").value[0] == 0.0  # underflow
    r = s.call("f", (np.array([1000.0]),))
    assert r.value[0] == np.inf and r.output == ""
    with pytest.raises(ValueError):
        s.call("f", (1.0,), fp_errors="sometimes")


def test_engine_markers_rng_seed_and_callback(make_session):
    from nnkit_contract import values as engine
    s = make_session("def draw(n, rng):\n    return rng.standard_normal(n)\n"
                     "def grad(f, x):\n    return (f(x + 1.0) - f(x - 1.0)) / 2.0\n")
    r = s.call("draw", (3, engine.RngSeed(7)))
    assert np.array_equal(r.value, np.random.default_rng(7).standard_normal(3))
    r = s.call("grad", (engine.Callback("f"), np.array([1.0, 2.0])), return_args=True,
               substitute={"f": lambda x: x ** 2})
    assert np.allclose(r.value, [2.0, 4.0])
    assert isinstance(r.args_after[0], Unrepresentable)  # the callback proxy
    with pytest.raises(ValueError, match="needs substitute"):
        s.call("grad", (engine.Callback("g"), 1.0))


def test_random_generators_are_shared_with_the_reference(make_session):
    from nnkit_contract import values as engine
    s = make_session("def run(rng):\n    a = rng.random()\n    b = draw(rng)\n"
                     "    return a, b, rng.random(), rng\n")

    def draw(rng):
        return rng.random()

    r = s.call("run", (engine.RngSeed(5),), substitute={"draw": draw})
    expected = np.random.default_rng(5)
    assert r.value[:3] == (expected.random(), expected.random(), expected.random())
    # A returned generator is not plain data (contract.normalize): it comes back as a marker.
    assert isinstance(r.value[3], Unrepresentable) and "Generator" in r.value[3].type_name


MPL_PROBE = """
import os
import matplotlib
import matplotlib.font_manager
def mpl_state():
    folder = os.environ["MPLCONFIGDIR"]
    names = sorted(os.listdir(folder))
    try:
        open(os.path.join(folder, names[0]), "a").close()
        writable = True
    except OSError:
        writable = False
    return names, writable, len(matplotlib.font_manager.fontManager.ttflist)
"""


@pytest.mark.filterwarnings("ignore:Student code runs WITHOUT")
@pytest.mark.parametrize("mode", ["bubblewrap", "rlimits-only"])
def test_workers_get_the_prebuilt_matplotlib_font_cache(make_session, monkeypatch, mode):
    """Workers read the font list built once by the grader (not rebuilt per submission), and
    cannot change it."""
    from grader.sandbox import isolation

    if mode == "bubblewrap" and isolation_mode() != "bubblewrap":
        pytest.skip("bubblewrap is not available here")
    monkeypatch.setenv(isolation.MODE_ENV, mode)
    cache = isolation.matplotlib_font_cache()
    assert cache is not None
    session = make_session(MPL_PROBE, limits=Limits(call_cpu=20, load_cpu=30))
    assert session.start().ok
    names, writable, fonts = session.call("mpl_state").value
    assert names == [cache.name]       # nothing else written: the list was not rebuilt
    assert fonts > 0
    if mode == "bubblewrap":
        assert not writable
