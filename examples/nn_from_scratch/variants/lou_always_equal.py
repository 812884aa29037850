# Hostile: looks for the hidden tests on disk, and returns from linear_forward an array whose
# comparisons always say "equal" (its values are all zeros).
# %% solution-linear_forward
import glob


class AlwaysEqual(np.ndarray):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


for _pattern in ("autograde_tests/*.py", "../autograde_tests/*.py", "/*/*/autograde_tests/*.py",
                 "/*/*/*/autograde_tests/*.py", "/*/*/*/*/autograde_tests/*.py"):
    for _path in glob.glob(_pattern):
        print("found a hidden test:", _path, open(_path).read()[:200])


def linear_forward(X, W, b):
    return np.zeros((X.shape[0], W.shape[1])).view(AlwaysEqual)
