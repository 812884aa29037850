# Clipping that scales the gradient arrays it was given in place and returns them.
import numpy as np


def clip_by_global_norm(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for layer in grads for g in layer)))
    if norm > max_norm:
        for layer in grads:
            for g in layer:
                g *= max_norm / norm
    return grads, norm


EXPECT = {
    "lost": {
        "clip_by_global_norm.values": 4,
    },
    "diagnoses": {
        "clip_by_global_norm.values": "common.input-changed",
    },
    "local": "common.input-changed",
}
