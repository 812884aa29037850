"""The rlimits-only fallback (no bubblewrap): weaker, but calls, limits and cleanup still work."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
from sandbox_support import descendants

from grader.sandbox import (
    Limits,
    SandboxUnavailable,
    SubmissionSession,
    isolation_mode,
)
from nnkit_contract.outcomes import CallTimedOut, Crashed

CODE = """
import os, time
def lin(x, W):
    return linear_forward(x, W) * 2
def slow():
    time.sleep(100)
def die():
    os._exit(9)
def forks():
    try:
        os.fork()
        return "forked"
    except OSError as e:
        return type(e).__name__
def cwd_files():
    return sorted(os.listdir("."))
"""


def test_mode_is_forced_and_warned_once(fallback_mode):
    assert isolation_mode() == "rlimits-only"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = SubmissionSession([CODE])
        second = SubmissionSession([CODE])
    first.close()
    second.close()
    assert first.mode == second.mode == "rlimits-only"
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(messages) == 1 and "WITHOUT the bubblewrap sandbox" in messages[0]


def test_strict_refuses_and_non_strict_is_silent(fallback_mode):
    with pytest.raises(SandboxUnavailable, match="required"):
        SubmissionSession([CODE], strict=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        SubmissionSession([CODE], strict=False).close()
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]


def test_fallback_session_works_and_cleans_up(fallback_mode, tmp_path):
    (tmp_path / "helper.py").write_text("X = 1\n")
    s = SubmissionSession([CODE], strict=False,
                          limits=Limits(call_cpu=1.0, wall_factor=1.0, wall_grace=0.5),
                          workdir_files={"helper.py": tmp_path / "helper.py"})
    try:
        report = s.start()
        assert report.ok and s.mode == "rlimits-only"
        tmpdir = s._template.tmpdir
        assert tmpdir and os.path.isdir(tmpdir)
        r = s.call("lin", (np.ones((1, 2)), np.eye(2)),
                   substitute={"linear_forward": lambda x, W: x @ W})
        assert np.array_equal(r.value, [[2.0, 2.0]])
        assert s.call("cwd_files", ()).value == ["helper.py"]
        if s.seccomp_active:
            assert s.call("forks", ()).value == "PermissionError"
        with pytest.raises(CallTimedOut):
            s.call("slow", ())
        with pytest.raises(Crashed, match="status 9"):
            s.call("die", ())
        assert s.call("cwd_files", ()).value == ["helper.py"]
        assert s.restarts == 2
    finally:
        s.close()
    assert not os.path.exists(tmpdir)
    assert descendants() == []


LEAVE_IN_CWD = """
import os
def leave():
    with open("tqdm.py", "w") as f:
        f.write("def tqdm(*a, **k):\\n    raise RuntimeError('planted')\\n")
    os.chmod(".", 0o555)
    return os.getcwd()
def look():
    return sorted(os.listdir(".")), oct(os.stat(".").st_mode & 0o777), os.getcwd()
"""


def test_every_check_gets_a_new_folder(fallback_mode, tmp_path):
    """Without bubblewrap there is no file-system isolation at all, but a check's working folder
    (with the files) is still new, and the one before is removed, whatever its mode."""
    (tmp_path / "helper.py").write_text("X = 1\n")
    s = SubmissionSession([LEAVE_IN_CWD], strict=False, limits=Limits(call_cpu=2.0),
                          workdir_files={"helper.py": tmp_path / "helper.py"})
    try:
        files, mode, first = s.call("look", ()).value
        assert files == ["helper.py"]
        assert s.call("leave", ()).value == first
        s.new_check()
        files_after, mode_after, second = s.call("look", ()).value
        assert (files_after, mode_after) == (files, mode) and second != first
        assert not os.path.exists(first)
    finally:
        s.close()
