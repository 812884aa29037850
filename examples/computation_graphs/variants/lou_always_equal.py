# Hostile: looks for the hidden tests on disk, and returns from adagrad_step arrays whose
# comparisons always say "equal" (their values are all zeros).
# %% solution-adagrad_step
import glob


class AlwaysEqual(np.ndarray):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


for _pattern in ("autograde_tests/*/*.py", "../autograde_tests/*/*.py", "/*/*/autograde_tests/*/*.py",
                 "/*/*/*/autograde_tests/*/*/*.py"):
    for _path in glob.glob(_pattern):
        print("found a hidden test:", _path, open(_path).read()[:200])


def adagrad_step(params, grads, state, lr, eps=1e-8):
    same = lambda a: np.zeros(np.shape(a)).view(AlwaysEqual)  # noqa: E731
    return ([(same(W), same(b)) for W, b in params],
            {"G": [(same(W), same(b)) for W, b in params]})
