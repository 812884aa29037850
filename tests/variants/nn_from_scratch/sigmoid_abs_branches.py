# sigmoid from exp(-|z|) and np.where: the exponent is never positive.
import numpy as np


def sigmoid(Z):
    e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


EXPECT = {"notes": {}}
