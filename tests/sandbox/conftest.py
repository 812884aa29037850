"""Fixtures for the sandbox tests: sessions that are always closed, and a leftover-process check."""

from __future__ import annotations

from pathlib import Path

import pytest
from sandbox_support import FAST, HAVE_BWRAP, descendants

from grader.sandbox import SubmissionSession


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "bwrap: needs the bubblewrap sandbox (Debian: apt-get install bubblewrap)")


def pytest_collection_modifyitems(config, items):
    if HAVE_BWRAP:
        return
    skip = pytest.mark.skip(reason="bubblewrap is not available here (apt-get install "
                                   "bubblewrap); CI installs it and runs these tests")
    for item in items:
        if item.get_closest_marker("bwrap") is not None:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def no_leftover_processes():
    """Every sandbox test must leave no process (live or zombie) behind once it is done."""
    yield
    left = descendants()
    assert not left, f"processes left behind: {left}"


@pytest.fixture
def course_root() -> Path:
    import grader

    return Path(grader.__file__).resolve().parent.parent


@pytest.fixture
def make_session():
    sessions: list[SubmissionSession] = []

    def make(cells, **kwargs) -> SubmissionSession:
        kwargs.setdefault("limits", FAST)
        session = SubmissionSession([cells] if isinstance(cells, str) else list(cells), **kwargs)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()


@pytest.fixture
def fallback_mode(monkeypatch):
    """Force the rlimits-only mode, with the once-per-process warning re-armed."""
    import grader.sandbox.template as template_module

    monkeypatch.setenv("NNKIT_SANDBOX", "rlimits-only")
    monkeypatch.setattr(template_module, "_warned", False)
