# Scaled initialization by 1/m and 2/m instead of their square roots.
import numpy as np


def init_params(layer_sizes, rng, scheme="standard"):
    factor = {"standard": None, "lecun": 1.0, "he": 2.0}
    if scheme not in factor:
        raise ValueError(f"unknown scheme {scheme!r}")
    params = []
    for c_in, c_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        W = rng.standard_normal((c_in, c_out))
        if factor[scheme] is not None:
            W = W * (factor[scheme] / c_in)
        params.append((W, np.full(c_out, 0.1)))
    return params


EXPECT = {
    "lost": {
        "init_params.schemes": 4,
    },
    "diagnoses": {
        "init_params.schemes": "init_params.no-sqrt",
    },
    "local": "init_params.no-sqrt",
}
