# init_params that falls back to scale 1 for a scheme it does not know.
import numpy as np


def init_params(layer_sizes, rng, scheme="standard"):
    gains = {"lecun": 1.0, "he": 2.0}
    params = []
    for c_in, c_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        scale = np.sqrt(gains[scheme] / c_in) if scheme in gains else 1.0
        params.append((rng.standard_normal((c_in, c_out)) * scale, np.full(c_out, 0.1)))
    return params


EXPECT = {
    "lost": {
        "init_params.schemes": 4,
    },
    "diagnoses": {
        "init_params.schemes": "init_params.unknown-scheme-accepted",
    },
    "local": "init_params.unknown-scheme-accepted",
}
