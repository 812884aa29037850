# init_params that draws every W as (c_out, c_in).
import numpy as np


def init_params(layer_sizes, rng, scheme="standard"):
    gains = {"standard": None, "lecun": 1.0, "he": 2.0}
    if scheme not in gains:
        raise ValueError(f"unknown scheme {scheme!r}")
    params = []
    for c_in, c_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        scale = 1.0 if gains[scheme] is None else np.sqrt(gains[scheme] / c_in)
        params.append((rng.standard_normal((c_out, c_in)) * scale, np.full(c_out, 0.1)))
    return params


EXPECT = {
    "lost": {
        "init_params.shapes": 2,
        "init_params.schemes": 4,
        "train.accuracy": 8,
        "train.loss-decreases": 3,
    },
    "diagnoses": {
        "init_params.shapes": "init_params.w-transposed",
    },
    "local": "init_params.w-transposed",
}
