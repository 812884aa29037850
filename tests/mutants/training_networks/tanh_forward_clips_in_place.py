# tanh that clips its input in place first (the caller's Z changes for |Z| > 20).
import numpy as np


def tanh_forward(Z):
    np.clip(Z, -20, 20, out=Z)
    return np.tanh(Z)


EXPECT = {
    "lost": {
        "tanh_forward.values": 3,
    },
    "diagnoses": {
        "tanh_forward.values": "common.input-changed",
    },
    "local": "common.input-changed",
}
