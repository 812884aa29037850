# init_params that also knows the "xavier" scheme (sqrt(2 / (c_in + c_out))), with a table of
# scale functions.
import numpy as np

_SCALES = {
    "standard": lambda c_in, c_out: 1.0,
    "lecun": lambda c_in, c_out: np.sqrt(1.0 / c_in),
    "he": lambda c_in, c_out: np.sqrt(2.0 / c_in),
    "xavier": lambda c_in, c_out: np.sqrt(2.0 / (c_in + c_out)),
}


def init_params(layer_sizes, rng, scheme="standard"):
    try:
        scale = _SCALES[scheme]
    except KeyError:
        raise ValueError(f"no initialization scheme called {scheme!r}") from None
    return [(rng.standard_normal((m, n)) * scale(m, n), 0.1 * np.ones(n))
            for m, n in zip(layer_sizes, layer_sizes[1:])]


EXPECT = {"notes": {}}
