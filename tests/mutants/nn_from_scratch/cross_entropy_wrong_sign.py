# Cross-entropy as the mean log-probability of the label, without the minus.
import numpy as np


def softmax_cross_entropy(logits, y):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(np.mean(log_p[np.arange(len(y)), y]))


EXPECT = {
    "lost": {
        "softmax_cross_entropy.values": 4,
        "softmax_cross_entropy.stable": 3,
    },
    "diagnoses": {
        "softmax_cross_entropy.values": "softmax_cross_entropy.wrong-sign",
        "softmax_cross_entropy.stable": "softmax_cross_entropy.wrong-sign",
    },
    "local": "softmax_cross_entropy.wrong-sign",
}
