# init_params with biases that start at 0 instead of 0.1.
import numpy as np


def init_params(layer_sizes, rng):
    return [(rng.standard_normal((a, b)), np.zeros(b)) for a, b in zip(layer_sizes[:-1], layer_sizes[1:])]


EXPECT = {
    "lost": {
        "init_params.shapes": 2,
    },
    "diagnoses": {
        "init_params.shapes": "init_params.zero-bias",
    },
    "local": "init_params.zero-bias",
}
