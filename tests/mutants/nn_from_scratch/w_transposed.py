# W stored as (c_out, c_in), and linear_forward transposes it back: consistent, but not the API.
import numpy as np


def init_params(layer_sizes, rng):
    params = []
    for i in range(len(layer_sizes) - 1):
        W = rng.standard_normal((layer_sizes[i + 1], layer_sizes[i]))
        b = np.full(layer_sizes[i + 1], 0.1)
        params.append((W, b))
    return params


def linear_forward(X, W, b):
    return X @ W.T + b


EXPECT = {
    "lost": {
        "init_params.shapes": 2,
        "init_params.rng": 2,
        "linear_forward.values": 5,
        "train.accuracy": 5,
        "train.loss-decreases": 2,
    },
    "diagnoses": {
        "init_params.shapes": "init_params.w-transposed",
        "init_params.rng": "init_params.w-transposed",
        "linear_forward.values": "linear_forward.w-transposed",
    },
    "local": {
        "init_params": "init_params.w-transposed",
        "linear_forward": "linear_forward.w-transposed",
    },
}
