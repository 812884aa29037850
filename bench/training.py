"""Time per epoch of the course's reference MLP training, against the same network in PyTorch (CPU).

    python bench/training.py [--repeats 3] [--epochs N] [--out bench/results/training.json] [--install-torch]

For each of the six toy2d datasets:

1. The features are standardized with the training-split statistics (the reference `standardize`,
   through `autograde_tests.calibration.normalized`, the same preparation the grader uses).
2. NumPy: the reference `train` (executed live from the nbgrader source notebook, never copied)
   runs with the hyperparameters of solutions/nn_from_scratch/hyperparameters.json, read through
   `autograde_tests.calibration.train_args`. With --epochs N every dataset trains N epochs instead
   of its configured count (fewer epochs: a quicker run, but lower accuracies).
3. PyTorch, when `import torch` works: the same layer sizes (Linear, ReLU between), starting from
   the very weights the reference `init_params` draws for the same seed (W ~ N(0, 1), b = 0.1), the
   same batch size and learning rate, plain `torch.optim.SGD`, mean `CrossEntropyLoss`, a fresh
   `torch.randperm` per epoch from a seeded `torch.Generator`, float64 like the reference.
4. Each side is warmed up with one epoch, then timed over the whole run R times (--repeats); the
   median wall time divided by the epoch count is reported as ms/epoch, with the test accuracy of
   the trained network (the reference `predict`/`accuracy` for NumPy, argmax of the logits for
   PyTorch). ratio = torch_ms / numpy_ms, so a ratio above 1 means the NumPy reference is faster.

Both sides run single-threaded: OMP/OpenBLAS/MKL threads are pinned to 1 below, before NumPy is
imported (BLAS reads these variables once, at load time), and torch.set_num_threads(1).

PyTorch is optional. --install-torch runs `pip install torch==2.13.0` into this interpreter when
torch is missing (on this machine that version is a CPU build from local disk; an unpinned `torch`
would pull a multi-gigabyte CUDA build). Without torch the torch columns are null and the JSON
says why. Results go to bench/results/training.json; a table is printed at the end.
"""

from __future__ import annotations

import os

# Must happen before anything imports NumPy: OpenBLAS sizes its thread pool when it is loaded.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from types import ModuleType, SimpleNamespace  # noqa: E402
from typing import Any  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import toy2d  # noqa: E402

from autograde_tests import calibration, reference  # noqa: E402
from grader.paths import course  # noqa: E402

THREADS = 1
#: The one version whose CPU build lies on this machine's disk (see the module docstring).
TORCH_PIN = "torch==2.13.0"
DEFAULT_OUT = HERE / "results" / "training.json"
#: Seed of every training run, so repeats do identical work and accuracies are reproducible.
SEED = 0


# ----------------------------------------------------------------------------------- torch setup

def load_torch(install: bool) -> tuple[ModuleType | None, str]:
    """Import torch (installing the pinned CPU build first if asked); return (module or None, note)."""
    try:
        import torch
    except ImportError as exc:
        if not install:
            return None, f"torch not importable ({exc}); pass --install-torch to install {TORCH_PIN}"
        cmd = [sys.executable, "-m", "pip", "install", "-q", TORCH_PIN]
        print(f"installing {TORCH_PIN} ...", flush=True)
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            return None, f"pip install {TORCH_PIN} failed (exit {proc.returncode}): {tail[0]}"
        importlib.invalidate_caches()  # the new site-packages entries are not cached yet
        try:
            import torch
        except ImportError as exc2:
            return None, f"installed {TORCH_PIN} but the import still fails: {exc2}"
    torch.set_num_threads(THREADS)
    try:
        torch.set_num_interop_threads(THREADS)
    except RuntimeError:
        pass  # only settable before torch's first parallel work; harmless here
    return torch, f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), float64"


# ------------------------------------------------------------------------------------- timing

def median_seconds(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median wall time of `run()` over `repeats` calls, and the last call's result."""
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def bench_numpy(ref: SimpleNamespace, data: tuple, args: tuple, repeats: int) -> tuple[float, float]:
    """(ms per epoch, test accuracy) of the reference `train`."""
    X_train, y_train, sizes, lr, epochs, batch_size, seed = args
    X_test, y_test = data[2], data[3]
    with np.errstate(all="ignore"):  # as in the calibration: a diverging run should not spam warnings
        ref.train(X_train, y_train, sizes, lr, 1, batch_size, seed)  # warm-up
        seconds, (params, _) = median_seconds(lambda: ref.train(*args), repeats)
        acc = ref.accuracy(ref.predict(params, X_test), y_test)
    return 1000.0 * seconds / epochs, float(acc)


def torch_model(torch: ModuleType, ref: SimpleNamespace, sizes: list[int], seed: int) -> Any:
    """Linear/ReLU stack holding the reference's initial weights for `seed` (W ~ N(0, 1), b = 0.1).

    Sharing the starting point makes the two accuracies comparable; only the batch order differs.
    """
    layers: list[Any] = []
    start = ref.init_params(sizes, np.random.default_rng(seed))
    for i, (W, b) in enumerate(start):
        linear = torch.nn.Linear(W.shape[0], W.shape[1], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.T))  # torch stores (out, in)
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        if i < len(start) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def torch_train(torch: ModuleType, ref: SimpleNamespace, args: tuple) -> Any:
    """Mini-batch SGD with the reference's loop shape: shuffle per epoch, last batch may be smaller."""
    X_train, y_train, sizes, lr, epochs, batch_size, seed = args
    model = torch_model(torch, ref, sizes, seed)
    X, y = torch.from_numpy(X_train), torch.from_numpy(y_train)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.0)
    loss_fn = torch.nn.CrossEntropyLoss()  # mean over the batch, like softmax_cross_entropy
    gen = torch.Generator().manual_seed(seed)
    n = len(X)
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        total = 0.0
        for s in range(0, n, batch_size):
            batch = order[s:s + batch_size]
            loss = loss_fn(model(X[batch]), y[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)  # the reference keeps a loss history too
    return model


def bench_torch(torch: ModuleType, ref: SimpleNamespace, data: tuple, args: tuple,
                repeats: int) -> tuple[float, float]:
    """(ms per epoch, test accuracy) of the PyTorch twin."""
    epochs = args[4]
    torch_train(torch, ref, (*args[:4], 1, *args[5:]))  # warm-up: first calls allocate and dispatch
    seconds, model = median_seconds(lambda: torch_train(torch, ref, args), repeats)
    with torch.no_grad():
        pred = model(torch.from_numpy(data[2])).argmax(dim=1).numpy()
    return 1000.0 * seconds / epochs, float(np.mean(pred == data[3]))


# ------------------------------------------------------------------------------------ reporting

def blas_threads() -> int | None:
    """Threads NumPy's BLAS will use, if threadpoolctl can tell (it checks the pinning worked)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    counts = [lib["num_threads"] for lib in threadpool_info() if lib.get("user_api") == "blas"]
    return max(counts) if counts else None


def machine(torch: ModuleType | None) -> dict:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "numpy": np.__version__, "torch": torch.__version__ if torch else None}


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(rows: dict[str, dict]) -> None:
    head = (f"{'dataset':8s} {'epochs':>6s} {'numpy ms/ep':>11s} {'acc':>5s} "
            f"{'torch ms/ep':>11s} {'acc':>5s} {'torch/np':>8s}")
    print(head)
    print("-" * len(head))
    for name, r in rows.items():
        print(f"{name:8s} {r['epochs']:6d} {r['numpy_ms_per_epoch']:11.3f} {r['numpy_test_accuracy']:5.3f} "
              f"{fmt(r['torch_ms_per_epoch'], '11.3f'):>11s} {fmt(r['torch_test_accuracy'], '5.3f'):>5s} "
              f"{fmt(r['ratio_torch_over_numpy'], '8.2f'):>8s}")


# ----------------------------------------------------------------------------------------- main

def bench_dataset(name: str, ref: SimpleNamespace, torch: ModuleType | None, epochs: int | None,
                  repeats: int) -> dict:
    data = calibration.normalized(name)
    args = list(calibration.train_args(ref, name, data[0], data[1], SEED))
    if epochs is not None:
        args[4] = epochs  # same position the grader's loss check overrides
    args_t = tuple(args)
    np_ms, np_acc = bench_numpy(ref, data, args_t, repeats)
    t_ms = t_acc = ratio = None
    if torch is not None:
        t_ms, t_acc = bench_torch(torch, ref, data, args_t, repeats)
        ratio = t_ms / np_ms
    return {"epochs": args_t[4], "batch_size": args_t[5], "hidden": list(args_t[2][1:-1]),
            "numpy_ms_per_epoch": round(np_ms, 4), "numpy_test_accuracy": round(np_acc, 4),
            "torch_ms_per_epoch": None if t_ms is None else round(t_ms, 4),
            "torch_test_accuracy": None if t_acc is None else round(t_acc, 4),
            "ratio_torch_over_numpy": None if ratio is None else round(ratio, 3)}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Reference NumPy MLP training vs PyTorch CPU, ms per epoch.")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per dataset and side (median)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs for every dataset (default: each dataset's configured epochs)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON output path")
    parser.add_argument("--install-torch", action="store_true", help=f"pip install {TORCH_PIN} if missing")
    args = parser.parse_args(argv)
    if args.repeats < 1 or (args.epochs is not None and args.epochs < 1):
        parser.error("--repeats and --epochs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    torch, note = load_torch(args.install_torch)
    threads = blas_threads()
    if threads not in (None, THREADS):
        print(f"warning: NumPy's BLAS reports {threads} threads, not {THREADS}", file=sys.stderr)
    ref = reference.load(course().solution_notebook("nn_from_scratch"))
    rows = {}
    for name in toy2d.DATASETS:
        rows[name] = bench_dataset(name, ref, torch, args.epochs, args.repeats)
        print(f"{name}: done ({time.perf_counter() - t0:.1f} s)", flush=True)
    result = {"machine": machine(torch), "threads": THREADS, "repeats": args.repeats, "seed": SEED,
              "datasets": rows, "torch": {"available": torch is not None, "note": note}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print()
    print_table(rows)
    print(f"\ntorch: {note}")
    print(f"total {time.perf_counter() - t0:.1f} s; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
