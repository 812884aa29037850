# The loss is summed over the batch instead of averaged.
import numpy as np


def softmax_cross_entropy(logits, y):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return float(-np.sum(log_probs[np.arange(len(y)), y]))


EXPECT = {
    "lost": {
        "softmax_cross_entropy.values": 4,
        "softmax_cross_entropy.stable": 3,
    },
    "diagnoses": {
        "softmax_cross_entropy.values": "softmax_cross_entropy.summed",
        "softmax_cross_entropy.stable": "softmax_cross_entropy.summed",
    },
    "local": "softmax_cross_entropy.summed",
}
