# init_params that computes the scale before drawing and builds the biases with np.full_like.
import numpy as np


def init_params(layer_sizes, rng, scheme="standard"):
    if scheme not in ("standard", "lecun", "he"):
        raise ValueError("scheme must be 'standard', 'lecun' or 'he', got " + repr(scheme))
    params = []
    for k in range(len(layer_sizes) - 1):
        fan_in, fan_out = layer_sizes[k], layer_sizes[k + 1]
        std = {"standard": 1.0, "lecun": (1 / fan_in) ** 0.5, "he": (2 / fan_in) ** 0.5}[scheme]
        W = std * rng.standard_normal(size=(fan_in, fan_out))
        params.append((W, np.full_like(W[0], 0.1)))
    return params


EXPECT = {"notes": {}}
