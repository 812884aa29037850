"""The processes of a sandbox seen from the grader, and the channels to them.

`Sandbox` is the sandbox process (bubblewrap, or the fallback's plain process) whose first process
is the template, with the socket only the template holds. `Host` is one submission's host and the
channels the grader made for that submission alone (request, answer, control and output pipes,
and its argument memory). Both read with deadlines and bounded reads, and never block the grader.
"""

from __future__ import annotations

import fcntl
import math
import os
import secrets
import select
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.sandbox import accounting, isolation, wire
from grader.sandbox.arguments import ArgMemory
from grader.sandbox.serving import HOST_FDS, TEMPLATE_MESSAGE_BYTES

_F_SETPIPE_SZ = 1031
_PIPE_SIZE = 1 << 20
_READ_CHUNK = 1 << 20
TICK = 0.05            # seconds between CPU samples while waiting for the student's process
END_WAIT = 5.0         # seconds to wait for the sandbox to report a killed process gone


class Output:
    """Student output of one phase, capped; the rest is counted and dropped."""

    def __init__(self, cap: int):
        self.cap = cap
        self.data = bytearray()
        self.dropped = 0

    def add(self, chunk: bytes) -> None:
        room = self.cap - len(self.data)
        if room > 0:
            self.data += chunk[:room]
        self.dropped += max(0, len(chunk) - max(room, 0))

    def text(self) -> str:
        out = self.data.decode("utf-8", errors="replace")
        if self.dropped:
            out += f"\n[... {self.dropped} more bytes of output dropped]"
        return out


class Timeout(Exception):
    """A limit was reached: "cpu", "idle" (waiting) or "wall" (the backstop)."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


class ChannelClosed(Exception):
    """The sandbox or the submission's host is gone."""


class ChildExited(Exception):
    def __init__(self, status: int | None, sig: int | None):
        super().__init__(f"status {status}, signal {sig}")
        self.status = status
        self.signal = sig


# ------------------------------------------------------------------------------------ processes

def kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def killpg(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        kill(pgid)


def pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None
    except OSError:
        return None


def signal_kill(pid: int | None, pidfd: int | None) -> None:
    """SIGKILL through the pidfd when there is one (never another process with the same pid)."""
    if pidfd is not None:
        try:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        except (ProcessLookupError, OSError):
            pass
    elif pid is not None:
        kill(pid)


def close_fd(fd: int | None) -> None:
    if fd is not None:
        try:
            os.close(fd)
        except OSError:
            pass



# ------------------------------------------------------------------------------------ the sandbox

class Sandbox:
    """The sandbox process, whose first process is the template, and the socket to it."""

    def __init__(self, mode: str, request_limits: wire.WireLimits, tmp_bytes: int,
                 files: dict[str, Path], tmpdir: str | None):
        self.mode = mode
        self.limits = request_limits
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        for sock in (self.sock, theirs):
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, TEMPLATE_MESSAGE_BYTES)
            except OSError:
                pass
        self.out_r, out_w = os.pipe()
        fd = theirs.fileno()
        try:
            if mode == isolation.BUBBLEWRAP:
                cmd = isolation.bwrap_command(sock_fd=fd, tmp_bytes=tmp_bytes,
                                              workdir_files=files)
                env = isolation.worker_env(home=isolation.BOX_WORKDIR, tmp=isolation.BOX_TMP)
                cwd = None
            else:
                cmd = isolation.fallback_command(sock_fd=fd, workdir=f"{tmpdir}/work")
                env = isolation.worker_env(home=f"{tmpdir}/work", tmp=tmpdir)
                cwd = f"{tmpdir}/work"
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w, env=env, cwd=cwd,
                pass_fds=(fd,), start_new_session=True, close_fds=True)
        except BaseException:
            self.sock.close()
            close_fd(self.out_r)
            raise
        finally:
            theirs.close()
            os.close(out_w)
        os.set_blocking(self.out_r, False)
        self.out_open = True
        self.closed = False
        self._template: int | None = None if mode == isolation.BUBBLEWRAP else self.proc.pid

    @property
    def alive(self) -> bool:
        return not self.closed and self.proc.poll() is None

    def template(self) -> int | None:
        """Host pid of the template (the sandbox's pid 1 under bubblewrap)."""
        if self._template is None:
            found = accounting.children(self.proc.pid)
            if len(found) == 1:
                self._template = found[0]
        return self._template

    def request(self, message: dict, fds: list[int] = ()) -> None:
        """Send the template a message (and file descriptors with it)."""
        data = wire.pack(message, limits=self.limits)
        if len(data) > TEMPLATE_MESSAGE_BYTES:
            raise wire.TooLarge("the release's setup cells are too large for the sandbox")
        self.sock.settimeout(END_WAIT)
        try:
            socket.send_fds(self.sock, [data], list(fds))
        except (BrokenPipeError, ConnectionError, TimeoutError):
            raise ChannelClosed from None

    def report(self, timeout: float) -> dict | None:
        """The template's next report (within `timeout` seconds), or None."""
        self.sock.settimeout(max(timeout, 0.0))
        try:
            data = self.sock.recv(TEMPLATE_MESSAGE_BYTES)
        except (TimeoutError, BlockingIOError):
            return None
        except OSError:
            raise ChannelClosed from None
        if not data:
            raise ChannelClosed
        return wire.parse_frame(data, self.limits).message

    def drain_output(self, sink: Output | None, max_reads: int = 16) -> None:
        """The template's own output (its setup cells')."""
        if self.out_open:
            self.out_open = read_output(self.out_r, sink, max_reads)

    def kill(self, sink: Output | None = None) -> None:
        """Kill the sandbox and everything in it, reap, close the channels. Idempotent."""
        if self.closed:
            return
        self.closed = True
        proc = self.proc
        try:
            if proc.returncode is None and self.mode == isolation.BUBBLEWRAP:
                # Kill the sandbox's pid 1: the kernel then kills everything in its pid
                # namespace, and bwrap reaps it and exits, so nothing is left as a zombie.
                for pid in accounting.children(proc.pid):
                    kill(pid)
                try:
                    proc.wait(2.0)
                except subprocess.TimeoutExpired:
                    pass
            if proc.returncode is None:
                # The fallback: the template's descendants first (they are not in the process
                # group's reach once the template is gone), then the group.
                stack, found = [proc.pid], []
                while stack:
                    for pid in accounting.children(stack.pop()):
                        found.append(pid)
                        stack.append(pid)
                for pid in reversed(found):
                    kill(pid)
                killpg(proc.pid)
                proc.wait()
            self.drain_output(sink, max_reads=64)
        finally:
            self.sock.close()
            close_fd(self.out_r)


class Host:
    """One submission's host process in the sandbox, and the channels the grader made for that
    submission alone: request, answer, control and output pipes, and the argument memory."""

    def __init__(self, sandbox: Sandbox, wire_limits: tuple[wire.WireLimits, wire.WireLimits],
                 folder: str | None):
        self.id = secrets.token_hex(8)
        self.sandbox = sandbox
        self.request_limits, self.answer_limits = wire_limits
        self.folder = folder            # the fallback mode's folder for its checks' storage
        self.args = ArgMemory()
        self.pid: int | None = None
        self.pidfd: int | None = None
        self.proc: accounting.ProcFiles | None = None
        self.cpu_seen = 0.0             # the host's own CPU seconds, when last charged
        self.cells: list | None = None  # the cells it holds (compiled)
        self.pending_exit: dict | None = None
        self.closed = False
        req_r, self.req_w = os.pipe()
        self.ans_r, ans_w = os.pipe()
        self.ctl_r, ctl_w = os.pipe()
        self.out_r, out_w = os.pipe()
        for fd in (self.req_w, self.ans_r):
            try:
                fcntl.fcntl(fd, _F_SETPIPE_SZ, _PIPE_SIZE)
            except OSError:
                pass
        theirs = dict(req=req_r, ans=ans_w, ctl=ctl_w, out=out_w, args=self.args.fd)
        try:
            sandbox.request({"op": "host", "id": self.id}, [theirs[name] for name in HOST_FDS])
        except BaseException:
            self.close()
            raise
        finally:
            for fd in (req_r, ans_w, ctl_w, out_w):
                os.close(fd)
        for fd in (self.req_w, self.ans_r, self.ctl_r, self.out_r):
            os.set_blocking(fd, False)
        self.reader = wire.FrameReader(self.answer_limits)
        self.ctl_reader = wire.FrameReader(self.request_limits)
        self.out_open = True

    # -------------------------------------------------------------------------------- pids

    def attach(self) -> None:
        """Find the host's pid (below the template; under bubblewrap below the process that
        made its pid namespace) and hold it by a pidfd."""
        parent = self.sandbox.template()
        depth = 2 if self.sandbox.mode == isolation.BUBBLEWRAP else 1
        for _ in range(depth):
            found = accounting.children(parent) if parent is not None else []
            parent = found[0] if len(found) == 1 else None
        if parent is not None:
            self.pid, self.pidfd = parent, pidfd(parent)
            self.proc = accounting.ProcFiles(parent)
            self.proc.cpu_seconds()     # opened now, while the pid is surely the host's
            self.proc.children()

    def child(self) -> int | None:
        """Pid of the host's one child (the current check's process), if there is exactly one."""
        if self.proc is None:
            return None
        found = self.proc.children()
        return found[0] if len(found) == 1 else None

    def cpu(self) -> float:
        """The host's CPU seconds since last asked (compiling the cells, forking)."""
        now = self.proc.cpu_seconds() if self.proc is not None else None
        if now is None or now <= self.cpu_seen:
            return 0.0
        spent, self.cpu_seen = now - self.cpu_seen, now
        return spent

    # -------------------------------------------------------------------------------- I/O

    def _read_output(self, sink: Output | None, max_reads: int = 16) -> None:
        if self.out_open:
            self.out_open = read_output(self.out_r, sink, max_reads)

    def drain_output(self, sink: Output | None) -> None:
        if not self.closed:
            self._read_output(sink)

    def send(self, data: bytes, deadline: float, sink: Output | None) -> None:
        view = memoryview(data)
        while view:
            try:
                n = os.write(self.req_w, view)
                view = view[n:]
                continue
            except BlockingIOError:
                pass
            except BrokenPipeError:
                raise ChannelClosed from None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Timeout("wall")
            poller = select.poll()
            poller.register(self.req_w, select.POLLOUT)
            if self.out_open:
                poller.register(self.out_r, select.POLLIN)
            for fd, _ in poller.poll(math.ceil(min(remaining, TICK) * 1000)):
                if fd == self.out_r:
                    self._read_output(sink)

    def receive(self, deadline: float, sink: Output | None, fork_id: str | None,
                watch: Callable[[], None] | None = None) -> wire.Frame:
        """The next frame from the current child. Raises Timeout (wall deadline, or a limit
        `watch` checks), ChildExited (the host reported the child gone, and every frame it
        wrote before has been returned), ChannelClosed (the host is gone), wire.WireError."""
        while True:
            frame = self.reader.next_frame()
            if frame is not None:
                return frame
            exited = self.pending_exit
            if exited is not None and exited.get("id") == fork_id:
                self.pending_exit = None
                raise ChildExited(int_or_none(exited.get("status")),
                                   int_or_none(exited.get("signal")))
            if watch is not None:
                watch()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Timeout("wall")
            poller = select.poll()
            poller.register(self.ans_r, select.POLLIN)
            poller.register(self.ctl_r, select.POLLIN)
            if self.out_open:
                poller.register(self.out_r, select.POLLIN)
            events = dict(poller.poll(math.ceil(min(remaining, TICK) * 1000)))
            # Output first, so that everything printed before an answer is attributed to it.
            if self.out_r in events:
                self._read_output(sink)
            if self.ans_r in events:
                try:
                    data = os.read(self.ans_r, _READ_CHUNK)
                except BlockingIOError:
                    data = None
                if data == b"":
                    raise ChannelClosed
                if data:
                    self.reader.feed(data)
                    continue
            if self.ctl_r in events:
                report = self.read_control(0.0)
                if report is not None and report.get("kind") == "exited":
                    # Frames the child wrote before it died are still in the answer pipe:
                    # they come first.
                    self._read_answers()
                    self.pending_exit = report

    def _read_answers(self) -> None:
        for _ in range(64):
            try:
                data = os.read(self.ans_r, _READ_CHUNK)
            except BlockingIOError:
                return
            if not data:
                return
            self.reader.feed(data)

    def read_control(self, timeout: float) -> dict | None:
        """The host's next report (within `timeout` seconds), or None."""
        end = time.monotonic() + timeout
        while True:
            frame = self.ctl_reader.next_frame()
            if frame is not None:
                return frame.message
            try:
                data = os.read(self.ctl_r, _READ_CHUNK)
            except BlockingIOError:
                data = None
            if data == b"":
                raise ChannelClosed
            if data:
                self.ctl_reader.feed(data)
                continue
            remaining = end - time.monotonic()
            if remaining <= 0:
                return None
            poller = select.poll()
            poller.register(self.ctl_r, select.POLLIN)
            poller.poll(math.ceil(min(remaining, TICK) * 1000))

    def discard_answers(self) -> None:
        """Drop everything on the answer pipe (only a dead child wrote there)."""
        self._read_answers()
        self.reader = wire.FrameReader(self.answer_limits)

    # -------------------------------------------------------------------------------- end

    def kill(self, sink: Output | None = None) -> None:
        """Kill the host: under bubblewrap the kernel then ends its whole pid namespace (every
        process of the submission). Idempotent; the channels are closed."""
        if self.closed:
            return
        if self.pid is None:
            self.attach()
        signal_kill(self.pid, self.pidfd)
        if sink is not None:
            self._read_output(sink, max_reads=64)
        self.close()

    def close(self) -> None:
        self.closed = True
        for fd in (self.req_w, self.ans_r, self.ctl_r, self.out_r, self.pidfd):
            close_fd(fd)
        self.pidfd = None
        if self.proc is not None:
            self.proc.close()
        self.args.close()
        if self.folder:
            rmtree(Path(self.folder))


def read_output(fd: int, sink: Output | None, max_reads: int) -> bool:
    """Read what is waiting on an output pipe into `sink` (None: drop it); False once the pipe
    is closed. Bounded and never blocking, so that a process that prints without pause cannot
    keep the grader here."""
    for _ in range(max_reads):
        try:
            chunk = os.read(fd, _READ_CHUNK)
        except BlockingIOError:
            return True
        if not chunk:
            return False
        if sink is not None:
            sink.add(chunk)
    return True


def int_or_none(value: Any) -> int | None:
    return value if type(value) is int else None


def rmtree(path: Path) -> None:
    """Remove a tree the student may have made read-only (matters when not running as root)."""

    def retry(func, p, _exc):
        try:
            os.chmod(os.path.dirname(p), 0o700)
            if os.path.isdir(p) and not os.path.islink(p):
                os.chmod(p, 0o700)
            func(p)
        except OSError:
            pass

    if path.is_dir() and not path.is_symlink():
        try:
            shutil.rmtree(path, onerror=retry)
        except RecursionError:   # thousands of levels deep: rm walks it without recursing
            subprocess.run(["rm", "-rf", "--one-file-system", "--", str(path)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    else:
        path.unlink(missing_ok=True)
