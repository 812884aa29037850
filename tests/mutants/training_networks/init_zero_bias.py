# init_params with biases that start at 0 instead of 0.1.
import numpy as np


def init_params(layer_sizes, rng, scheme="standard"):
    gains = {"standard": None, "lecun": 1.0, "he": 2.0}
    if scheme not in gains:
        raise ValueError(f"unknown scheme {scheme!r}")
    params = []
    for c_in, c_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        scale = 1.0 if gains[scheme] is None else np.sqrt(gains[scheme] / c_in)
        params.append((rng.standard_normal((c_in, c_out)) * scale, np.zeros(c_out)))
    return params


EXPECT = {
    "lost": {
        "init_params.shapes": 2,
    },
    "diagnoses": {
        "init_params.shapes": "init_params.zero-bias",
    },
    "local": "init_params.zero-bias",
}
