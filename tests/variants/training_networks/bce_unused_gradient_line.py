# BCE that also computes a gradient it never returns, with a naive sigmoid that overflows for
# large negative logits: the returned loss is exact, the overflow a note.
import numpy as np


def bce_with_logits(z, y):
    grad = (1 / (1 + np.exp(-z)) - y) / len(z)   # left over, unused
    loss = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return float(loss.mean())


EXPECT = {"notes": {"bce_with_logits.stable": "overflow encountered in exp"}}
