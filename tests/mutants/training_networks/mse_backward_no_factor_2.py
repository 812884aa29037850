# MSE gradient without the factor 2.
def mse_backward(y_pred, y):
    return (y_pred - y) / y_pred.size


EXPECT = {
    "lost": {
        "mse_backward.values": 4,
    },
    "diagnoses": {
        "mse_backward.values": "mse_backward.no-factor-2",
    },
    "local": "mse_backward.no-factor-2",
}
