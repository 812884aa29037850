"""How the reference of `training_networks` trains, for the training checks and their calibration
(autograde_tests/calibration.py): one case per entry of hyperparameters.json (a dataset trained
with one optimizer and one set-up)."""

from __future__ import annotations

import numpy as np

from autograde_tests.calibration import normalized

#: Calibrated cases: every entry of the assignment's hyperparameters.json, by name.
CASES = ("spirals-adam", "spirals-momentum", "moons-adam", "circles-momentum", "xor-adam", "grid-adam")


def train_args(ref, case: str, X_train: np.ndarray, y_train: np.ndarray, seed: int) -> tuple:
    """Arguments of train(X, y, layer_sizes, optimizer, epochs, batch_size, seed, init,
    activation, keep_prob, lam) for one case."""
    hp = ref.hyperparameters[case]
    sizes = [X_train.shape[1], *hp["hidden"], int(y_train.max()) + 1]
    return (X_train, y_train, sizes, dict(hp["optimizer"]), hp["epochs"], hp["batch_size"], seed,
            hp["init"], hp["activation"], hp["keep_prob"], hp["lam"])


def dataset(ref, case: str) -> str:
    return ref.hyperparameters[case]["dataset"]


def reference_accuracy(ref, case: str, draw: int, seed: int) -> float:
    """Test accuracy of the reference trained with seed `seed` on the fresh draw `draw` of the
    case's dataset (predictions of the network in test mode)."""
    X_train, y_train, X_test, y_test = normalized(dataset(ref, case), draw)
    args = train_args(ref, case, X_train, y_train, seed)
    params, _ = ref.train(*args)
    return ref.accuracy(ref.predict(params, X_test, args[8]), y_test)
