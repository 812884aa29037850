"""Accuracy thresholds for the training check, calibrated from the reference solution.

The training checks train on fresh draws of each dataset (toy2d.generate.draw, with a seed from
the run seed), never on the shipped files that students hold. So the calibration does the same:
for every dataset the reference `train` runs with the recorded hyperparameters on SEEDS fresh
draws (draw seed DRAW_BASE + i, initialization seed i); the threshold is the worst test accuracy
seen minus MARGIN, rounded down to 0.01. Run `python -m autograde_tests.calibration --write` after
changing a dataset, a generator or the hyperparameters; a test re-runs the calibration and
compares with the stored thresholds.
"""

from __future__ import annotations

import argparse
import json
import math
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from autograde_tests import reference

#: Seeds the reference is trained with (0 .. SEEDS-1).
SEEDS = 20
#: Safety margin below the reference's worst accuracy.
MARGIN = 0.05
#: Draw seeds of the calibration: DRAW_BASE .. DRAW_BASE + SEEDS - 1 (grading draws others).
DRAW_BASE = 10_000
THRESHOLDS_FILE = Path(__file__).with_name("thresholds.json")


def normalized(ref, name: str, draw: int | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A dataset standardized by the reference `ref` with training statistics: the shipped one,
    or the fresh draw with seed `draw`."""
    from toy2d import load_dataset
    from toy2d.generate import draw as fresh

    X_train, y_train, X_test, y_test = load_dataset(name) if draw is None else fresh(name, draw)
    X_train, mean, std = ref.standardize(X_train)
    X_test, _, _ = ref.standardize(X_test, mean, std)
    return X_train, y_train, X_test, y_test


def train_args(ref, name: str, X_train: np.ndarray, y_train: np.ndarray, seed: int) -> tuple:
    """Arguments of train(X, y, layer_sizes, lr, epochs, batch_size, seed) for one dataset."""
    hp = ref.hyperparameters[name]
    sizes = [X_train.shape[1], *hp["hidden"], int(y_train.max()) + 1]
    return (X_train, y_train, sizes, hp["lr"], hp["epochs"], hp["batch_size"], seed)


def reference_accuracy(name: str, seed: int, notebook: Path | None = None) -> float:
    """Test accuracy of the reference trained with initialization seed `seed` on the fresh draw
    DRAW_BASE + seed of dataset `name`."""
    ref = reference.load(notebook or reference.checkout_notebook())
    X_train, y_train, X_test, y_test = normalized(ref, name, DRAW_BASE + seed)
    with np.errstate(all="ignore"):
        params, _ = ref.train(*train_args(ref, name, X_train, y_train, seed))
    return ref.accuracy(ref.predict(params, X_test), y_test)


def _dataset_row(name: str) -> dict:
    accs = [reference_accuracy(name, seed) for seed in range(SEEDS)]
    worst = min(accs)
    return {"min": round(worst, 4), "mean": round(float(np.mean(accs)), 4),
            "threshold": math.floor((worst - MARGIN) * 100) / 100}


def calibrate(jobs: int = 2) -> dict:
    """Per dataset: worst and mean reference accuracy over SEEDS seeds, and the threshold."""
    from toy2d import DATASETS

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        rows = dict(zip(DATASETS, pool.map(_dataset_row, DATASETS)))
    return {"seeds": SEEDS, "margin": MARGIN, "draw_base": DRAW_BASE, "datasets": rows}


def stored() -> dict:
    return json.loads(THRESHOLDS_FILE.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Calibrate the training accuracy thresholds.")
    parser.add_argument("--write", action="store_true", help=f"write {THRESHOLDS_FILE.name}")
    args = parser.parse_args(argv)
    result = calibrate()
    for name, row in result["datasets"].items():
        print(f"{name:8s} worst {row['min']:.3f} mean {row['mean']:.3f} -> threshold {row['threshold']:.2f}")
    if args.write:
        THRESHOLDS_FILE.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {THRESHOLDS_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
