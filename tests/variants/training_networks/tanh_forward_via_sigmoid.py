# tanh through the given sigmoid: tanh(z) = 2 sigmoid(2z) - 1.
def tanh_forward(Z):
    return 2.0 * sigmoid(2.0 * Z) - 1.0


EXPECT = {"notes": {}}
