# init_params that takes the output size off the caller's list with pop().
import numpy as np


def init_params(layer_sizes, rng, scheme="standard"):
    gains = {"standard": None, "lecun": 1.0, "he": 2.0}
    if scheme not in gains:
        raise ValueError(f"unknown scheme {scheme!r}")
    n_out = layer_sizes.pop()
    sizes = layer_sizes + [n_out]
    params = []
    for c_in, c_out in zip(sizes[:-1], sizes[1:]):
        scale = 1.0 if gains[scheme] is None else np.sqrt(gains[scheme] / c_in)
        params.append((rng.standard_normal((c_in, c_out)) * scale, np.full(c_out, 0.1)))
    return params


EXPECT = {
    "lost": {
        "init_params.shapes": 2,
        "init_params.schemes": 4,
    },
    "diagnoses": {
        "init_params.shapes": "common.input-changed",
        "init_params.schemes": "common.input-changed",
    },
    "local": "common.input-changed",
}
