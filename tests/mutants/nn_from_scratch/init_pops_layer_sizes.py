# init_params that walks the caller's list with pop(0), leaving it shorter.
import numpy as np


def init_params(layer_sizes, rng):
    params = []
    c_in = layer_sizes.pop(0)
    for c_out in layer_sizes:
        params.append((rng.standard_normal((c_in, c_out)), np.full(c_out, 0.1)))
        c_in = c_out
    return params


EXPECT = {
    "lost": {
        "init_params.shapes": 2,
        "init_params.rng": 2,
    },
    "diagnoses": {
        "init_params.shapes": "common.input-changed",
        "init_params.rng": "common.input-changed",
    },
    "local": "common.input-changed",
}
