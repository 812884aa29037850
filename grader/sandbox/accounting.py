"""What a submission costs, read by the grader from /proc: CPU time, and time spent waiting.

CPU time (`cpu_seconds`) is the rule for every limit: a busy machine slows a submission down but
does not change its CPU time. Waiting is bounded too, per submission (`Limits.total_idle`): time in
which the submission's process sleeps or blocks (time.sleep, a lock, a read that never ends) costs
the class a grading slot without using any CPU. `IdleMeter` tells it apart from time spent
runnable but waiting for a CPU on a busy machine, with /proc/<pid>/schedstat (nanoseconds on the
CPU, nanoseconds waiting in a run queue): over a wait of the grader's, idle time is the wall time
minus what the submission's process and the grader's own thread spent running or runnable. While a
reference callback runs in the grader, the student's process is blocked on the reply: that is the
grader's time (counted as its running), never idle.
"""

from __future__ import annotations

import functools
import os
import threading
import time

_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def children(pid: int) -> list[int]:
    """Pids of the children of `pid` (its main thread's)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except (OSError, ValueError):
        return []


class ProcFiles:
    """/proc/<pid>/stat and /proc/<pid>/schedstat of one process, opened once and re-read with
    pread (a few microseconds; opening them again on every sample cost more than the sample).
    The files stay tied to that process: once it is gone they read nothing, whatever process
    gets its pid next."""

    def __init__(self, pid: int):
        self.pid = pid
        self._fds: dict[str, int | None] = {}

    def _read(self, name: str) -> bytes | None:
        if name not in self._fds:
            try:
                self._fds[name] = os.open(f"/proc/{self.pid}/{name}", os.O_RDONLY | os.O_CLOEXEC)
            except OSError:
                self._fds[name] = None
        fd = self._fds[name]
        if fd is None:
            return None
        try:
            return os.pread(fd, 1024, 0) or None
        except OSError:
            return None

    def cpu_seconds(self) -> float | None:
        """User + system CPU seconds of the live process (its threads included)."""
        return _stat_cpu(self._read("stat"))

    def sched(self) -> tuple[int, int] | None:
        """(ns on a CPU, ns runnable but waiting for one) of its main thread."""
        return _sched_pair(self._read("schedstat"))

    def children(self) -> list[int]:
        """Pids of its children (its main thread's)."""
        data = self._read(f"task/{self.pid}/children")
        try:
            return [int(p) for p in data.split()] if data else []
        except ValueError:
            return []

    def close(self) -> None:
        for fd in self._fds.values():
            if fd is not None:
                os.close(fd)
        self._fds = {name: None for name in self._fds}


def _stat_cpu(data: bytes | None) -> float | None:
    if not data:
        return None
    try:
        fields = data[data.rindex(b")") + 2:].split()
        return (int(fields[11]) + int(fields[12])) / _CLK_TCK
    except (ValueError, IndexError):
        return None


def _sched_pair(data: bytes | None) -> tuple[int, int] | None:
    try:
        run, wait, _ = data.split()
        return int(run), int(wait)
    except (AttributeError, ValueError):
        return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a live process (its threads included), from /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return _stat_cpu(f.read())
    except OSError:
        return None


def sched(pid: int) -> tuple[int, int] | None:
    """(ns on a CPU, ns runnable but waiting for one) of the main thread of `pid`."""
    try:
        with open(f"/proc/{pid}/schedstat", "rb") as f:
            return _sched_pair(f.read())
    except OSError:
        return None


_own = threading.local()


def own_sched() -> tuple[int, int]:
    """The same for the calling thread (the grader's); its file is opened once per thread."""
    fd = getattr(_own, "fd", -1)
    if fd == -1:
        try:
            fd = os.open("/proc/thread-self/schedstat", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            fd = None
        _own.fd = fd
    if fd is not None:
        try:
            pair = _sched_pair(os.pread(fd, 256, 0))
        except OSError:
            pair = None
        if pair is not None:
            return pair
    return time.thread_time_ns(), 0


@functools.cache
def schedstat_available() -> bool:
    """Whether the kernel keeps these numbers (CONFIG_SCHED_INFO; without it every file reads
    "0 0 0", and only the wall-clock backstop bounds waiting)."""
    own = sched(os.getpid())
    return own is not None and own[0] > 0


class IdleMeter:
    """Idle seconds of a submission over one wait of the grader (a load or a call).

    `procs`: the submission's processes that may be busy during the wait (the check's process,
    and while loading its host, which compiles the cells and forks). A process that ends counts
    as it was when last seen.
    """

    def __init__(self, procs: list[ProcFiles]):
        self.t0 = time.monotonic_ns()
        self.own0 = own_sched()
        self.first: dict[int, tuple[int, int]] = {}
        self.last: dict[int, tuple[int, int]] = {}
        self.procs: dict[int, ProcFiles] = {}
        for proc in procs:
            self.watch(proc)

    def watch(self, proc: ProcFiles, born: bool = False) -> None:
        """Also count `proc`: from now on, or with `born` from its start (a process forked during
        this wait: its counters started at zero)."""
        if proc.pid in self.first:
            return
        now = proc.sched()
        if now is not None:
            self.procs[proc.pid] = proc
            self.first[proc.pid] = (0, 0) if born else now
            self.last[proc.pid] = now

    def idle(self) -> float:
        """Seconds of the wait so far in which neither the submission's processes nor the
        grader's thread ran or were runnable."""
        wall = time.monotonic_ns() - self.t0
        own = own_sched()
        busy = own[0] - self.own0[0] + own[1] - self.own0[1]
        for pid, first in self.first.items():
            now = self.procs[pid].sched()
            if now is None:
                now = self.last[pid]
            else:
                self.last[pid] = now
            busy += now[0] - first[0] + now[1] - first[1]
        return max(0.0, (wall - busy) / 1e9)
