"""Grading a class on a dask cluster: `grader autograde ... --dask ADDRESS`.

The client (the instructor's `grader autograde`) sends each submission to a running `distributed`
scheduler; a dask worker grades it with the very function a `--jobs` pool process runs
(`grader.grading.autograde.grade`), in a sandbox template of its own, and returns the result; the client
writes it exactly as the `--jobs` path does (`autograde.record`), so grades.csv, the JSON results,
the feedback and `--resume` are the same. Dask schedules, retries and replaces workers; nothing
here is a scheduler of its own.

What travels: workers need only the kit (the grader and its hidden tests, the same version as
the client: checked on every task by a fingerprint of the kit's own files) and bubblewrap. The
assignment's files (release files and reference notebook) are sent once per run (scattered to
every worker) and written to a private folder of the worker; each submission travels as its
notebook's bytes. Nothing assumes a file system shared with the client.

Grading on a worker runs in one long-lived thread of the worker process (`_grading_thread`): the
sandbox's template dies with the thread that started it (bubblewrap's --die-with-parent), and a
template serves one submission at a time. Start workers with `--nthreads 1` and add processes
(`--nworkers`) for parallelism. A worker that dies mid-submission (killed, out of memory,
machine lost) takes its sandbox with it; the scheduler gives the submission to another worker
(`distributed.scheduler.allowed-failures` deaths per task, default 3); only beyond that is the
submission recorded as a grading error, never silently lost.
"""

from __future__ import annotations

import hashlib
import os
import socket
import tempfile
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from grader import sandbox
from grader.errors import UsageError
from grader.grading import autograde
from grader.grading.grade import Assignment
from grader.grading.limits import cap_grading_process
from grader.grading.submission import MAX_NOTEBOOK_BYTES

#: Seconds the client waits for the scheduler to answer, and then for a first worker.
CONNECT_TIMEOUT = 20
WORKER_TIMEOUT = 60
#: Submissions in flight per worker thread (as IN_FLIGHT_PER_JOB for --jobs): enough to keep
#: every worker busy, few enough that the client holds no class-sized set of futures.
IN_FLIGHT_PER_WORKER = 2
#: Retries dask gives a task whose function raised (a worker's death is not a raise: the
#: scheduler reschedules that task on its own).
TASK_RETRIES = 1


class KitMismatch(RuntimeError):
    """A worker runs another version of the kit than the client."""


@cache
def kit_fingerprint() -> str:
    """A digest of the kit's own code and hidden tests (grader/ and autograde_tests/) and of the
    NumPy version: a worker grades only when its fingerprint is the client's, so that every
    worker gives the grades the client's machine would."""
    import numpy

    import autograde_tests
    import grader

    digest = hashlib.sha256(numpy.__version__.encode())
    for package in (grader, autograde_tests):
        root = Path(package.__file__).parent
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root.parent).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _folder_files(folder: Path) -> tuple[tuple[str, bytes], ...]:
    """Every file under `folder` (relative name, bytes), without caches and hidden files."""
    return tuple((p.relative_to(folder).as_posix(), p.read_bytes()) for p in sorted(folder.rglob("*"))
                 if p.is_file() and "__pycache__" not in p.parts
                 and not p.relative_to(folder).as_posix().startswith("."))


@dataclass(frozen=True)
class PortableAssignment:
    """An Assignment without paths: what a worker needs to rebuild it on its own disk (the
    release's files next to the notebook, and the reference notebook's whole folder, whose name
    and hyperparameters.json the reference reads)."""

    assignment: Assignment            # its paths are the client's; replaced on the worker
    files: tuple[tuple[str, bytes], ...]
    reference: tuple[tuple[str, bytes], ...]
    digest: str

    @classmethod
    def of(cls, assignment: Assignment) -> PortableAssignment:
        files = tuple((name, Path(path).read_bytes())
                      for name, path in sorted(assignment.workdir_files.items()))
        reference = _folder_files(assignment.reference.parent)
        digest = hashlib.sha256(repr((assignment.name, assignment.notebook_name,
                                      assignment.reference.parent.name, assignment.reference.name,
                                      assignment.answer_stubs)).encode())
        for kind, entries in (("files", files), ("reference", reference)):
            for name, data in entries:
                digest.update(f"{kind}/{name}".encode() + b"\0" + hashlib.sha256(data).digest())
        return cls(assignment, files, reference, digest.hexdigest())

    def materialize(self, root: Path) -> Assignment:
        """The assignment with its files written under `root` (once per worker and digest)."""
        folder = root / self.digest[:16]
        if not folder.is_dir():
            staging = Path(tempfile.mkdtemp(dir=root))
            for kind, entries in (("files", self.files), ("reference", self.reference)):
                base = staging / kind
                if kind == "reference":
                    base = base / self.assignment.reference.parent.name
                for name, data in entries:
                    (base / name).parent.mkdir(parents=True, exist_ok=True)
                    (base / name).write_bytes(data)
            staging.rename(folder)
        files = {name: folder / "files" / name for name, _ in self.files}
        reference = folder / "reference" / self.assignment.reference.parent.name / \
            self.assignment.reference.name
        return replace(self.assignment, workdir_files=files, reference=reference)


@dataclass(frozen=True)
class Job:
    """One submission as it travels: the task's student and note, and its notebook's file name
    and bytes (None: no notebook). A notebook over the size limit travels as its size only: the
    grader refuses it by its size without reading it, on the worker as on the client."""

    student: str
    note: str
    name: str | None
    data: bytes | None
    size: int

    @classmethod
    def of(cls, task: autograde.Task) -> Job:
        if task.notebook is None:
            return cls(task.student, task.note, None, None, 0)
        path = Path(task.notebook)
        if task.note:          # refused by its form: graded without being read
            return cls(task.student, task.note, path.name, None, 0)
        size = path.stat().st_size
        data = path.read_bytes() if size <= MAX_NOTEBOOK_BYTES else None
        return cls(task.student, task.note, path.name, data, size)

    def write(self, folder: Path) -> Path | None:
        if self.name is None:
            return None
        path = folder / self.name
        with open(path, "wb") as fh:
            if self.data is not None:
                fh.write(self.data)
            else:
                fh.truncate(self.size)   # sparse: same size, nothing to read
        return path


# --- the worker side -----------------------------------------------------------------------

_lock = threading.Lock()


@cache
def _grading_thread() -> ThreadPoolExecutor:
    """The one thread of this worker process that grades (and so owns the sandbox template)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="nnkit-grading")


#: This worker process's private folder (a TemporaryDirectory, removed when the process exits).
_SCRATCH: list[tempfile.TemporaryDirectory] = []


def _scratch() -> Path:
    """This worker process's private folder for assignments and submissions."""
    if not _SCRATCH:
        _SCRATCH.append(tempfile.TemporaryDirectory(prefix="nnkit-worker-"))
    return Path(_SCRATCH[0].name)


def grade_on_worker(job: Job, portable: PortableAssignment, seed: int, limits: sandbox.Limits,
                    strict: bool | None, fingerprint: str) -> tuple[dict, dict]:
    """Run on a dask worker: grade one submission with `autograde.grade` and return
    (result, where: the worker's host and isolation mode). Raises KitMismatch when this worker's
    kit is not the client's."""
    if fingerprint != kit_fingerprint():
        raise KitMismatch(f"the dask worker on {socket.gethostname()} runs another version of the "
                          "kit than this client (its code, hidden tests or NumPy differ): install "
                          "the same kit on every worker")
    return _grading_thread().submit(_grade_here, job, portable, seed, limits, strict).result()


def _grade_here(job: Job, portable: PortableAssignment, seed: int, limits: sandbox.Limits,
                strict: bool | None) -> tuple[dict, dict]:
    with _lock:
        if not _SCRATCH:   # the first submission of this worker process
            cap_grading_process()   # the grading memory ceiling, as for a --jobs pool process
        assignment = portable.materialize(_scratch())
    settings = autograde.Settings(_scratch(), assignment, seed, limits, strict)
    folder = Path(tempfile.mkdtemp(dir=_scratch()))
    try:
        task = autograde.Task(job.student, job.write(folder), job.note)
        result = autograde.grade(task, settings)
    finally:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    return result, {"host": socket.gethostname(), "pid": os.getpid(),
                    "isolation": sandbox.isolation_mode()}


# --- the client side -----------------------------------------------------------------------

def connect(address: str, wait_for_workers: bool = True):
    """A dask Client of the scheduler at `address`, with at least one worker; UsageError (one
    line) when `distributed` is not installed, the address is wrong or nobody answers."""
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--dask needs the `distributed` package: pip install 'nnkit[cluster]'") from None
    _check_address(address)
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"no dask scheduler reachable at {address} ({_first_line(exc)})") from None
    except (ValueError, TypeError) as exc:
        raise UsageError(f"not a dask scheduler address: {address!r} ({_first_line(exc)})") from None
    if wait_for_workers:
        try:
            client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
        except TimeoutError:
            client.close()
            raise UsageError(f"the dask scheduler at {address} has no worker (waited "
                             f"{WORKER_TIMEOUT} s): start `dask worker {address} --nthreads 1`") from None
    return client


def _check_address(address: str) -> None:
    """One clear line, at once, for an address dask cannot use or a TCP port nobody listens on
    (dask's own client would keep trying for CONNECT_TIMEOUT seconds)."""
    from distributed.comm.addressing import get_address_host_port, parse_address
    from distributed.comm.registry import get_backend

    try:
        scheme, _ = parse_address(address)
        get_backend(scheme)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"not a dask scheduler address: {address!r} ({_first_line(exc)})") from None
    if scheme != "tcp":
        return
    try:
        host, port = get_address_host_port(address)
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except (ValueError, TypeError) as exc:
        raise UsageError(f"not a dask scheduler address: {address!r} ({_first_line(exc)})") from None
    except OSError as exc:
        raise UsageError(f"no dask scheduler reachable at {address} ({exc.strerror or exc})") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def run(tasks: list[autograde.Task], settings: autograde.Settings, client, resume: bool,
        progress: bool = True, seen: dict | None = None) -> Iterator[dict]:
    """As autograde.run, on the cluster behind `client`: yield each result as it is written.
    `seen` (optional) collects, per worker pid and host, the isolation mode it graded with."""
    from distributed import as_completed

    todo: list[autograde.Task] = []
    yield from autograde.resumed(tasks, settings, resume, todo)
    if not todo:
        return
    fingerprint = kit_fingerprint()
    [portable] = client.scatter([PortableAssignment.of(settings.assignment)], broadcast=True)
    queue = list(reversed(todo))
    bar = autograde.progress_bar(len(todo), progress)

    def submit(task: autograde.Task):
        try:
            job = Job.of(task)
        except OSError as exc:
            return None, autograde.grader_failure(task, settings, f"the notebook could not be "
                                                  f"read: {exc.strerror or exc}")
        return client.submit(grade_on_worker, job, portable, settings.seed, settings.limits,
                             settings.strict, fingerprint, key=f"nnkit-{uuid.uuid4().hex}",
                             pure=False, retries=TASK_RETRIES), None

    pending: dict = {}
    done = as_completed([], loop=client.loop, with_results=True, raise_errors=False)

    def top_up() -> Iterator[dict]:
        width = IN_FLIGHT_PER_WORKER * max(1, sum(client.nthreads().values()))
        while queue and len(pending) < width:
            task = queue.pop()
            future, failed = submit(task)
            if failed is not None:
                yield failed
                continue
            pending[future.key] = task
            done.add(future)

    try:
        for result in top_up():
            bar and bar.update()
            yield result
        for future, outcome in done:
            task = pending.pop(future.key)
            result = _collect(task, settings, future, outcome, seen)
            future.release()
            if bar:
                bar.update()
            yield result
            for result in top_up():
                bar and bar.update()
                yield result
    finally:
        for key in list(pending):
            pending.pop(key)
        if bar:
            bar.close()


def _collect(task: autograde.Task, settings: autograde.Settings, future, outcome,
             seen: dict | None) -> dict:
    """Record what a worker returned (or why it could not grade) as the --jobs path does."""
    from distributed import KilledWorker

    if future.status == "finished":
        result, where = outcome
        if seen is not None:
            seen[(where["host"], where["pid"])] = where["isolation"]
        return autograde.record(result, settings)
    error = outcome[1] if isinstance(outcome, tuple) and len(outcome) == 3 else outcome
    if isinstance(error, KitMismatch):
        raise UsageError(str(error))
    if isinstance(error, KilledWorker):
        return autograde.grader_failure(task, settings, "every dask worker that took it died")
    return autograde.grader_failure(task, settings, f"{type(error).__name__}: {error}")


def isolation_notes(seen: dict) -> list[str]:
    """What the run's end says about the workers that graded (seen: (host, pid) -> mode)."""
    hosts = sorted({host for host, _ in seen})
    processes = f"{len(seen)} dask worker process{'es' * (len(seen) != 1)}"
    notes = [f"graded by {processes} on {', '.join(hosts)}"] if seen else []
    weak = sorted({host for (host, _), mode in seen.items() if mode != "bubblewrap"})
    if weak:
        notes.append(f"dask workers on {', '.join(weak)} graded without bubblewrap (rlimits-only: "
                     "no filesystem or network isolation): install bubblewrap there")
    return notes
