# Batch-norm backward that treats the batch mean and variance as constants: dx = gamma * dout /
# sqrt(var + eps), without the terms through mu and var (reads the notebook forward's cache
# (x_hat, gamma, std)).
def batchnorm_backward(dout, cache):
    x_hat, gamma, std = cache
    return dout * gamma / std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


EXPECT = {
    "lost": {
        "batchnorm_backward.values": 7,
    },
    "diagnoses": {
        "batchnorm_backward.values": "batchnorm_backward.no-mean-terms",
    },
    "local": None,
}
