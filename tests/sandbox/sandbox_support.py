"""Shared helpers of the sandbox tests (a plain module, so tests can import it by name)."""

from __future__ import annotations

import os
import subprocess
import sys
from multiprocessing import resource_tracker
from pathlib import Path

from grader.sandbox import Limits, isolation_mode

HAVE_BWRAP = isolation_mode() == "bubblewrap"

#: Short timeouts keep the attack suite fast; memory is capped lower than the default so that
#: memory bombs fail quickly.
FAST = Limits(call_cpu=2.0, load_cpu=20.0, total_cpu=60.0, wall_factor=3.0, wall_grace=2.0,
              memory_bytes=768 << 20)


def descendants(root: int | None = None) -> list[tuple[int, str, str]]:
    """(pid, state, command) of every live or zombie process below `root` (default: us).

    Not counted: multiprocessing's resource tracker of this interpreter, which lives as long as
    the interpreter once anything used multiprocessing (e.g. an earlier `grader autograde` test
    in the same pytest worker); no sandbox code starts it.
    """
    root = os.getpid() if root is None else root
    tracker = getattr(resource_tracker._resource_tracker, "_pid", None)
    parent: dict[int, int] = {}
    info: dict[int, tuple[str, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        rest = stat[stat.rindex(")") + 2:].split()
        pid = int(entry.name)
        parent[pid] = int(rest[1])
        info[pid] = (rest[0], cmd.strip())
    found = []
    for pid in parent:
        p = pid
        while p in parent and p > 1:
            p = parent[p]
            if p == root and pid != tracker:
                found.append((pid, *info[pid]))
                break
    return found


#: A function that burns `seconds` of CPU time.
BURNER = r"""
import time
def burn(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return seconds
"""


def busy(n: int) -> list[subprocess.Popen]:
    """CPU-bound processes, each in its own session (the sandbox has its own too, and the
    scheduler shares the CPU between sessions): a busy machine. Kill and wait for them."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
            for _ in range(n)]
