# Scaled initialization by the fan-out c_out instead of the fan-in c_in.
import numpy as np


def init_params(layer_sizes, rng, scheme="standard"):
    factor = {"standard": None, "lecun": 1.0, "he": 2.0}
    if scheme not in factor:
        raise ValueError(f"unknown scheme {scheme!r}")
    params = []
    for c_in, c_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        W = rng.standard_normal((c_in, c_out))
        if factor[scheme] is not None:
            W = W * np.sqrt(factor[scheme] / c_out)
        params.append((W, np.full(c_out, 0.1)))
    return params


EXPECT = {
    "lost": {
        "init_params.schemes": 4,
    },
    "diagnoses": {
        "init_params.schemes": "init_params.fan-out",
    },
    "local": "init_params.fan-out",
}
