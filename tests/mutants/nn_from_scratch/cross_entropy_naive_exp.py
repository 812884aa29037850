# Cross-entropy with exp of the raw logits: overflows (inf/inf = NaN) for large logits.
import numpy as np


def softmax_cross_entropy(logits, y):
    exp = np.exp(logits)
    probs = exp / exp.sum(axis=1, keepdims=True)
    correct = probs[np.arange(logits.shape[0]), y]
    return float(np.mean(-np.log(correct)))


EXPECT = {
    "lost": {
        "softmax_cross_entropy.stable": 3,
    },
    "diagnoses": {
        "softmax_cross_entropy.stable": "softmax_cross_entropy.naive-exp",
    },
    "local": "softmax_cross_entropy.naive-exp",
}
