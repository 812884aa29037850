"""The sandbox of one assignment: `SandboxTemplate`, whose first process ran the release's setup
cells and forks one host per submission (see session.py for the whole lifecycle).
"""

from __future__ import annotations

import math
import os
import secrets
import shutil
import tempfile
import time
import warnings
import weakref
from dataclasses import asdict
from pathlib import Path, PurePosixPath

from grader.sandbox import isolation, wire
from grader.sandbox.calls import Limits, _labelled, _str_list
from grader.sandbox.errors import SandboxUnavailable
from grader.sandbox.processes import (
    END_WAIT,
    TICK,
    ChannelClosed,
    Host,
    Output,
    Sandbox,
    Timeout,
    rmtree,
)
from nnkit_contract.outcomes import CallFailed, CallTimedOut, Crashed

_warned = False


def _check_files(files: dict[str, Path] | None) -> dict[str, Path]:
    checked: dict[str, Path] = {}
    for rel, src in (files or {}).items():
        p = PurePosixPath(rel)
        if p.is_absolute() or not p.parts or any(part in ("..", ".", "") for part in p.parts):
            raise ValueError(f"workdir file name must be a plain relative path: {rel!r}")
        src = Path(src)
        if not src.exists():
            raise FileNotFoundError(src)
        checked[str(p)] = src.resolve()
    return checked


def _copy_files(files: dict[str, Path], work: Path) -> None:
    """The fallback mode's working folder: copies of the files, read-only."""
    work.mkdir(parents=True)
    for rel, src in files.items():
        dest = work / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dest)
        else:
            shutil.copyfile(src, dest)
            dest.chmod(0o444)


def _choose_mode(strict: bool | None) -> str:
    global _warned
    mode = isolation.isolation_mode()
    if mode == isolation.BUBBLEWRAP:
        return mode
    if os.name != "posix":
        raise SandboxUnavailable("the sandbox needs a POSIX system (Linux, ideally)")
    if os.environ.get(isolation.MODE_ENV) == isolation.RLIMITS_ONLY:
        reason = f"{isolation.MODE_ENV}={isolation.RLIMITS_ONLY} is set"
    else:
        reason = isolation.bwrap_status()[1]
    if strict:
        raise SandboxUnavailable(f"bubblewrap sandbox required but unavailable: {reason}")
    if strict is None and not _warned:
        _warned = True
        warnings.warn(
            f"Student code runs WITHOUT the bubblewrap sandbox ({reason}): only resource "
            "limits and a seccomp filter apply; the code can read the grader's files and "
            "memory. Install bubblewrap for real isolation.", RuntimeWarning, stacklevel=3)
    return mode


def _cleanup(holder: list, tmpdir: str | None) -> None:
    for sandbox in holder:
        sandbox.kill()
    holder.clear()
    if tmpdir:
        rmtree(Path(tmpdir))


# ------------------------------------------------------------------------------------ template

class SandboxTemplate:
    """The pristine template of a grading process and an assignment: a sandbox whose first
    process ran the release's setup cells (imports, settings) and never receives a byte of a
    submission. Sessions use it one after the other (never two at once); each gets a host of its
    own, forked from the template and killed when the session closes.

    Sharing the template saves each submission the start of the sandbox and the release's
    imports (about 0.4 s); a fresh host costs a fork.
    """

    def __init__(self, setup_cells: list | tuple = (), *, limits: Limits = Limits(),
                 workdir_files: dict[str, Path] | None = None, strict: bool | None = None):
        self.setup = _labelled(setup_cells, prefix="setup ")
        self.limits = limits
        self.files = _check_files(workdir_files)
        self.mode = _choose_mode(strict)
        self.strict = strict
        self.tmpdir: str | None = None
        if self.mode == isolation.RLIMITS_ONLY:
            self.tmpdir = tempfile.mkdtemp(prefix="nnkit-sandbox-")
        self.sandbox: Sandbox | None = None
        self.setup_errors: list[str] = []
        self.starts = 0        # sandboxes started (the template's setup ran)
        self.hosts = 0         # hosts forked (one per submission, more after a host died)
        self.in_use = False
        self._ending: set[str] = set()   # hosts killed, not yet reported gone
        self._holder: list[Sandbox] = []
        self._finalizer = weakref.finalize(self, _cleanup, self._holder, self.tmpdir)

    @property
    def alive(self) -> bool:
        return self.sandbox is not None and self.sandbox.alive

    def ensure(self, out: Output) -> CallFailed | None:
        """A running sandbox whose template ran the setup cells; the failure, or None."""
        if self.alive:
            return None
        self.kill()
        self._prepare_tmp()
        sandbox = Sandbox(self.mode, self.limits.wire_limits()[0], self.limits.tmp_bytes,
                          self.files, self.tmpdir)
        self._holder.append(sandbox)
        self.sandbox = sandbox
        self.starts += 1
        lim = self.limits
        request, answer = lim.wire_limits()
        font_cache = isolation.matplotlib_font_cache()
        setup_id = secrets.token_hex(8)
        message = {"op": "setup", "id": setup_id, "setup": self.setup,
                   "limits": {"as": lim.memory_bytes, "cpu": int(math.ceil(lim.total_cpu)) + 1,
                              "fsize": lim.file_bytes, "nofile": 256, "nproc": lim.max_processes,
                              "seccomp": True},
                   "wire": {"request": asdict(request), "answer": asdict(answer)},
                   "storage": "namespaces" if self.mode == isolation.BUBBLEWRAP else "folder",
                   "tmp_bytes": lim.tmp_bytes, "tmp_inodes": lim.tmp_inodes,
                   "files": sorted(self.files),
                   "mpl": font_cache.name if font_cache is not None else None}
        deadline = time.monotonic() + lim.wall(lim.load_cpu)
        try:
            sandbox.request(message)
            while True:
                report = sandbox.report(max(0.0, min(TICK, deadline - time.monotonic())))
                sandbox.drain_output(out)
                if report is not None:
                    break
                if time.monotonic() >= deadline:
                    raise Timeout("wall")
            if report.get("kind") != "setup_done" or report.get("id") != setup_id:
                raise wire.WireError("the sandbox did not report its setup")
            self.setup_errors = _str_list(report.get("cell_errors"), 1000, 400)
        except Timeout:
            self.kill(out)
            return CallTimedOut("setting up the sandbox timed out (the release's setup cells)")
        except (ChannelClosed, wire.WireError) as e:
            self.kill(out)
            return Crashed(f"the sandbox did not start: {e or 'it exited'}")
        return None

    def _prepare_tmp(self) -> None:
        """The fallback mode's private folder: work/ with copies of the files (the setup cells
        read them), the font list."""
        if self.tmpdir is None:
            return
        for old in Path(self.tmpdir).iterdir():
            rmtree(old)
        _copy_files(self.files, Path(self.tmpdir, "work"))
        font_cache = isolation.matplotlib_font_cache()
        if font_cache is not None:  # see matplotlib_font_cache: saves each sandbox a rebuild
            mpl = Path(self.tmpdir, isolation.MPL_DIR)
            mpl.mkdir()
            shutil.copyfile(font_cache, mpl / font_cache.name)

    def new_host(self, out: Output) -> tuple[Host | None, CallFailed | None]:
        """A fresh host for one submission (the sandbox started first when needed)."""
        error = self.ensure(out)
        if error is not None:
            return None, error
        self._await_ended()
        error = self.ensure(out)    # the wait may have found the sandbox broken
        if error is not None:
            return None, error
        sandbox = self.sandbox
        assert sandbox is not None
        folder = tempfile.mkdtemp(prefix="host-", dir=self.tmpdir) if self.tmpdir else None
        try:
            host = Host(sandbox, self.limits.wire_limits(), folder)
        except (ChannelClosed, OSError, wire.WireError) as e:
            if folder:
                rmtree(Path(folder))
            self.kill(out)
            return None, Crashed(f"the sandbox did not start a process for the submission: {e}")
        self.hosts += 1
        try:
            report = host.read_control(END_WAIT)
            if report is None or report.get("kind") != "host_ready":
                raise wire.WireError("the submission's process did not start")
            host.attach()
            if host.pid is None:
                raise wire.WireError("the submission's process cannot be found")
            host.cpu()
        except (ChannelClosed, wire.WireError) as e:
            self.end_host(host, out)
            return None, Crashed(f"the sandbox did not start a process for the submission: {e}")
        return host, None

    def end_host(self, host: Host, sink: Output | None = None) -> None:
        """Kill a host (under bubblewrap with its whole pid namespace: every process of its
        submission). The template's report that it is gone is awaited before the next host
        starts (`_await_ended`), so the kernel's clean-up overlaps the grader's own work
        between two submissions."""
        host.kill(sink)
        if self.sandbox is not None and host.sandbox is self.sandbox and self.sandbox.alive:
            self._ending.add(host.id)

    def _await_ended(self) -> None:
        """Wait until the template reported every killed host gone, or replace the sandbox:
        nothing of a submission is left when the next one starts."""
        sandbox = self.sandbox
        if not self._ending or sandbox is None or not sandbox.alive:
            self._ending.clear()
            return
        end = time.monotonic() + END_WAIT
        try:
            while self._ending:
                report = sandbox.report(max(0.0, end - time.monotonic()))
                if report is None:
                    raise ChannelClosed
                if report.get("kind") == "host_exited":
                    self._ending.discard(report.get("id"))
        except (ChannelClosed, wire.WireError):
            self.kill()

    def kill(self, sink: Output | None = None) -> None:
        """Kill the sandbox and everything in it (the next ensure() starts a new one)."""
        self._ending.clear()
        if self.sandbox is not None:
            self.sandbox.kill(sink)
            if self.sandbox in self._holder:
                self._holder.remove(self.sandbox)
            self.sandbox = None

    def close(self) -> None:
        self.sandbox = None
        self._finalizer()


# ------------------------------------------------------------------------------------ sessions
