# Cross-entropy as -log(softmax(logits)[y]): a probability that underflows to 0 gives log(0).
import numpy as np


def softmax_cross_entropy(logits, y):
    P = softmax(logits)
    return float(-np.mean(np.log(P[np.arange(len(y)), y])))


EXPECT = {
    "lost": {
        "softmax_cross_entropy.stable": 3,
    },
    "diagnoses": {
        "softmax_cross_entropy.stable": "softmax_cross_entropy.log-of-probability",
    },
    "local": "softmax_cross_entropy.log-of-probability",
}
