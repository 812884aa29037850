"""How the reference of `nn_from_scratch` trains, for the training checks and their calibration
(autograde_tests/calibration.py): one case per dataset, with the recorded hyperparameters."""

from __future__ import annotations

import numpy as np

from autograde_tests.calibration import normalized

#: Calibrated cases: every dataset.
CASES = ("moons", "circles", "spirals", "xor", "blobs", "grid")


def train_args(ref, name: str, X_train: np.ndarray, y_train: np.ndarray, seed: int) -> tuple:
    """Arguments of train(X, y, layer_sizes, lr, epochs, batch_size, seed) for one dataset."""
    hp = ref.hyperparameters[name]
    sizes = [X_train.shape[1], *hp["hidden"], int(y_train.max()) + 1]
    return (X_train, y_train, sizes, hp["lr"], hp["epochs"], hp["batch_size"], seed)


def reference_accuracy(ref, case: str, draw: int, seed: int) -> float:
    """Test accuracy of the reference trained with initialization seed `seed` on the fresh draw
    `draw` of dataset `case`."""
    X_train, y_train, X_test, y_test = normalized(case, draw)
    params, _ = ref.train(*train_args(ref, case, X_train, y_train, seed))
    return ref.accuracy(ref.predict(params, X_test), y_test)
