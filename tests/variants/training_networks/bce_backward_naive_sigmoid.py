# BCE gradient with the textbook sigmoid 1 / (1 + exp(-z)): exp overflows for z ~ -1e3, and
# 1 / inf is the right 0 (a note, no failure).
import numpy as np


def bce_with_logits_backward(z, y):
    return (1.0 / (1.0 + np.exp(-z)) - y) / len(z)


EXPECT = {"notes": {"bce_with_logits_backward.stable": "overflow encountered in exp"}}
