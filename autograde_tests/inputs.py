"""Random inputs for the checks. Shapes deliberately include N = 1 and non-square layers."""

from __future__ import annotations

import numpy as np

#: (N, c_in, c_out) cases for single-layer checks: non-square both ways, square, and a single
#: example last (so shape-based diagnoses see a batch first).
LAYER_CASES: tuple[tuple[int, int, int], ...] = ((6, 2, 4), (4, 5, 3), (3, 3, 3), (1, 3, 5))

#: Layer-size lists for whole-network checks: one layer, two layers, three layers.
NETWORKS: tuple[tuple[int, ...], ...] = ((4, 3), (3, 5, 4), (2, 4, 6, 3))

#: Integer label dtypes a student function must accept.
LABEL_DTYPES = (np.int64, np.int32, np.uint8)


def normal(rng: np.random.Generator, *shape: int, scale: float = 1.0) -> np.ndarray:
    return rng.standard_normal(shape) * scale


def with_exact_zeros(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Normal entries where about a third are exactly 0.0 (ReLU kink cases)."""
    Z = rng.standard_normal(shape)
    Z[rng.random(shape) < 1 / 3] = 0.0
    return Z


def without_zeros(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Normal entries kept at least 0.05 away from 0 (safe for finite differences of ReLU)."""
    Z = rng.standard_normal(shape)
    return np.where(np.abs(Z) < 0.05, np.sign(Z + 1e-12) * 0.05, Z)


def labels(rng: np.random.Generator, n: int, k: int, dtype=np.int64) -> np.ndarray:
    return rng.integers(0, k, size=n).astype(dtype)


def params_for(ref, sizes, rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """Reference-initialized parameters, with random biases so that bias bugs show."""
    params = ref.init_params(list(sizes), rng)
    return [(W, rng.standard_normal(b.shape) * 0.5) for W, b in params]
