"""Fixtures shared by several test modules."""

from __future__ import annotations

import contextlib
import io

import pytest

from grader.cli import main


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """(exit status, printed output, output folder) of `grader demo` on the committed class."""
    out = tmp_path_factory.mktemp("demo") / "demo-output"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = main(["demo", "--skip-release", "--out", str(out)])
    return status, printed.getvalue(), out
