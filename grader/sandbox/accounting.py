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
import time

_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def children(pid: int) -> list[int]:
    """Pids of the children of `pid` (its main thread's)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except (OSError, ValueError):
        return []


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a live process (its threads included), from /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
        fields = data[data.rindex(b")") + 2:].split()
        return (int(fields[11]) + int(fields[12])) / _CLK_TCK
    except (OSError, ValueError, IndexError):
        return None


def _schedstat(path: str) -> tuple[int, int] | None:
    try:
        with open(path, "rb") as f:
            run, wait, _ = f.read().split()
        return int(run), int(wait)
    except (OSError, ValueError):
        return None


def sched(pid: int) -> tuple[int, int] | None:
    """(ns on a CPU, ns runnable but waiting for one) of the main thread of `pid`."""
    return _schedstat(f"/proc/{pid}/schedstat")


def own_sched() -> tuple[int, int]:
    """The same for the calling thread (the grader's)."""
    return _schedstat("/proc/thread-self/schedstat") or (time.thread_time_ns(), 0)


@functools.cache
def schedstat_available() -> bool:
    """Whether the kernel keeps these numbers (CONFIG_SCHED_INFO; without it every file reads
    "0 0 0", and only the wall-clock backstop bounds waiting)."""
    own = sched(os.getpid())
    return own is not None and own[0] > 0


class IdleMeter:
    """Idle seconds of a submission over one wait of the grader (a load or a call).

    `pids`: the submission's processes that may be busy during the wait (the check's process,
    and while loading its host, which compiles the cells and forks). A process that ends counts
    as it was when last seen.
    """

    def __init__(self, pids: list[int]):
        self.t0 = time.monotonic_ns()
        self.own0 = own_sched()
        self.first: dict[int, tuple[int, int]] = {}
        self.last: dict[int, tuple[int, int]] = {}
        for pid in pids:
            self.watch(pid)

    def watch(self, pid: int, born: bool = False) -> None:
        """Also count `pid`: from now on, or with `born` from its start (a process forked during
        this wait: its counters started at zero)."""
        if pid in self.first:
            return
        now = sched(pid)
        if now is not None:
            self.first[pid] = (0, 0) if born else now
            self.last[pid] = now

    def idle(self) -> float:
        """Seconds of the wait so far in which neither the submission's processes nor the
        grader's thread ran or were runnable."""
        wall = time.monotonic_ns() - self.t0
        own = own_sched()
        busy = own[0] - self.own0[0] + own[1] - self.own0[1]
        for pid, first in self.first.items():
            now = sched(pid)
            if now is None:
                now = self.last[pid]
            else:
                self.last[pid] = now
            busy += now[0] - first[0] + now[1] - first[1]
        return max(0.0, (wall - busy) / 1e9)
