"""The sandboxed worker: a pristine template forks one host per submission, a host forks one
fresh process per check.

Started by `grader.sandbox.session` as

    python -I -S -B worker.py FD_SOCK WORKDIR [SITE_DIR ...]

inside bubblewrap (or, in the fallback mode, as a plain child process). It imports only the
standard library, NumPy and the files bound next to it (the public contract package
`nnkit_contract/`, `serving.py` (serving calls), `wire.py`, `seccomp.py`, `storage.py`), loaded by
path so that no other package of the kit is needed, or importable, inside the sandbox.

Three kinds of process run this file, each made by a fork of the one before:

- The **template** (the sandbox's first process; trusted, never runs student code). It lowers its
  resource limits, makes itself non-dumpable, runs the release's setup cells (instructor code:
  imports, settings) and then waits on FD_SOCK, a socket that only it holds, for "host" requests.
  It never receives a byte of a submission: a request carries an id and, as file descriptors, the
  channels the grader made for that one submission (request, answer, control and output pipes,
  and the argument memory). For each request it forks a host, waits until the host is gone and
  reports how it ended.
- A **host** (one per submission; trusted, never runs student code). Under bubblewrap it is the
  first process of a pid namespace of its own, so that the grader ends every process of the
  submission by killing it. It receives that submission's cells on its own request pipe, compiles
  them (compiling runs no code), forks one child per check and reports each child's end on its own
  control pipe. When the submission is graded the grader kills it: nothing the submission sent
  ever reaches a process that serves another submission.
- A **child** serves one check. Before any student code runs (trusted code, fresh from the
  host) it closes the host's control pipe, gets storage of its own (`storage.fresh`: under
  bubblewrap a private mount namespace with a new tmpfs at /tmp and the assignment's files bound
  read-only; the kernel frees it when the process ends), drops every capability, lowers its limits
  and installs the seccomp filter; then it runs the student's cells and answers calls until the
  grader kills it. Nothing it does survives it.

Frames from the grader arrive on a host's request pipe; a child's answers go to the answer pipe;
the host's reports to the control pipe; student output (fd 1 and 2) to the output pipe, which the
grader reads and caps. The argument memory is a memfd: argument arrays that the grader placed there
are mapped, so that the grader reads in-place changes itself.
"""

from __future__ import annotations

import builtins
import importlib.util
import mmap
import os
import socket
import sys
import threading
import types

_HERE = os.path.dirname(os.path.abspath(__file__))
#: The public contract's package (nnkit_contract/ of the kit).
CONTRACT_PACKAGE = "nnkit_contract"
_PR_SET_DUMPABLE = 4
_PR_SET_CHILD_SUBREAPER = 36
_CLONE_NEWPID = 0x20000000



def _load(name: str, filename: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, os.path.join(_HERE, filename))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


#: The constants of the worker's protocol and the serving of calls (serving.py, bound next to this
#: file), loaded before the Worker class is defined.
serving = _load("_nnkit_serving", "serving.py")


def _load_contract() -> types.ModuleType:
    """The public contract package `nnkit_contract`, under its own name, and its `values` module:
    bound next to this file in the sandbox; in the fallback mode (which runs this file where it
    is installed, grader/sandbox/) the package installed beside grader/. Only that folder is
    searched: nothing else of the kit becomes importable."""
    folder = os.path.join(_HERE, CONTRACT_PACKAGE)
    if not os.path.isdir(folder):
        folder = os.path.join(os.path.dirname(os.path.dirname(_HERE)), CONTRACT_PACKAGE)
    spec = importlib.util.spec_from_file_location(CONTRACT_PACKAGE, os.path.join(folder, "__init__.py"),
                                                  submodule_search_locations=[folder])
    package = importlib.util.module_from_spec(spec)
    sys.modules[CONTRACT_PACKAGE] = package
    spec.loader.exec_module(package)
    # The graph builder's entry point is taken from here, before any student code runs.
    importlib.import_module(f"{CONTRACT_PACKAGE}.graphs")
    return importlib.import_module(f"{CONTRACT_PACKAGE}.values")


def _compile(label: str, source: str):
    """The code object of a cell, or the one-line error why it does not compile. Compiling runs
    no code, so the submission's host does it, once per submission."""
    try:
        return compile(source, f"<cell {label}>", "exec")
    except BaseException as exc:  # SyntaxError, ValueError (NUL bytes), RecursionError...
        name, message, _ = serving.exc_text(exc)
        return serving.first_line(f"cell {label}: {name}: {message}")


def _lower(res: int, soft: int, hard: int | None = None) -> None:
    import resource

    hard = soft if hard is None else hard
    cur_soft, cur_hard = resource.getrlimit(res)
    if cur_hard != resource.RLIM_INFINITY:
        hard = min(hard, cur_hard)
        soft = min(soft, hard)
    try:
        resource.setrlimit(res, (soft, hard))
    except (ValueError, OSError):
        pass


def _die_internal() -> None:
    """A bug in the worker itself: its traceback on stderr (the grader keeps it), then exit."""
    try:
        import traceback
        traceback.print_exc()
        sys.stderr.flush()
    except BaseException:
        pass
    os._exit(serving.EXIT_INTERNAL)


def _status_report(kind: str, ident: str, status: int) -> dict:
    report = {"kind": kind, "id": ident}
    if os.WIFSIGNALED(status):
        report["signal"] = os.WTERMSIG(status)
    else:
        report["status"] = os.WEXITSTATUS(status)
    return report


class Worker(serving.CallServer):
    def __init__(self, fd_sock: int):
        self.wire = sys.modules["_nnkit_wire"]
        self.contract = sys.modules["nnkit_contract.values"]
        self.np = sys.modules["numpy"]   # imported by the contract
        # Taken before any student code runs: a submission that replaces `np.errstate` (or
        # `np.random.default_rng`) must not switch off the overflow mode of a stability check or
        # choose the generator the grader hands its functions.
        self.errstate = self.np.errstate
        self.fp_errstate = self.contract.fp_errstate
        self.default_rng = self.np.random.default_rng
        # The same for what reports values. The grader trusts none of it anyway: it reads the
        # argument arrays from the shared memory itself (see grader.sandbox.arguments).
        self.normalize = self.contract.normalize
        self.type_name = self.contract.type_name
        # Functions of the contract a check may call by a reserved name (they receive the
        # student's namespace): the graph builder of computation_graphs.
        graphs = sys.modules[f"{CONTRACT_PACKAGE}.graphs"]
        self.entries = {graphs.ENTRY: graphs.run_graph}
        self.sock = socket.socket(fileno=fd_sock)
        self.fd_in = self.fd_out = self.fd_ctl = self.fd_args = -1
        self.limits = self.answer_limits = self.wire.WireLimits()
        self.lock = threading.RLock()
        self.ns: dict = {"__name__": "__main__", "__builtins__": builtins}
        self.stdout, self.stderr = sys.stdout, sys.stderr
        self.cells: list = []          # (label, code object or compile error text) per cell
        self.plan: dict = {}           # the setup message: limits and storage
        self.shared: list = []         # (array, SharedArray marker) of the current call

    # -------------------------------------------------------------------------------- I/O

    def send(self, data: bytes, fd: int | None = None) -> None:
        view = memoryview(data)
        fd = self.fd_out if fd is None else fd
        while view:
            n = os.write(fd, view)
            view = view[n:]

    def send_message(self, message: dict, encoder=None, fd: int | None = None) -> None:
        encoder = encoder or self.wire.Encoder(limits=self.answer_limits)
        with self.lock:
            self.send(encoder.frame(message), fd)

    def receive(self):
        frame = self.wire.read_frame_fd(self.fd_in, self.limits)
        if frame is None:  # the grader closed the channel
            os._exit(0)
        return frame

    def flush_output(self) -> None:
        for stream in {id(s): s for s in (sys.stdout, sys.stderr, self.stdout, self.stderr)}.values():
            try:
                stream.flush()
            except BaseException:
                pass

    def _drain_requests(self) -> None:
        """Discard whatever a dead child left unread on the request pipe (nothing is sent while a
        child is alive but the requests for it). Only the host does this: they are its own
        submission's."""
        os.set_blocking(self.fd_in, False)
        try:
            while os.read(self.fd_in, 1 << 16):
                pass
        except BlockingIOError:
            pass
        finally:
            os.set_blocking(self.fd_in, True)

    # -------------------------------------------------------------------------------- template

    def template_message(self, fds: list[int] | None = None):
        """The next request on the template's socket (a frame, and the descriptors sent with
        it); exits when the grader closed the socket."""
        data, received, _, _ = socket.recv_fds(self.sock, serving.TEMPLATE_MESSAGE_BYTES, len(serving.HOST_FDS))
        if not data:
            os._exit(0)
        if fds is not None:
            fds.extend(received)
        else:
            for fd in received:
                os.close(fd)
        try:
            return self.wire.parse_frame(data, self.limits)
        except self.wire.WireError:
            os._exit(serving.EXIT_PROTOCOL)

    def setup(self) -> None:
        """Limits for the whole sandbox, then the trusted setup cells; report on the socket."""
        import ctypes
        import resource

        frame = self.template_message()
        msg = frame.message
        if msg.get("op") != "setup":
            os._exit(serving.EXIT_PROTOCOL)
        self.plan = msg
        limits = msg["limits"]
        self.limits = self.wire.WireLimits(**msg["wire"]["request"])
        self.answer_limits = self.wire.WireLimits(**msg["wire"]["answer"])
        _lower(resource.RLIMIT_CORE, 0)
        _lower(resource.RLIMIT_FSIZE, limits["fsize"])
        _lower(resource.RLIMIT_NOFILE, limits["nofile"])
        if hasattr(resource, "RLIMIT_AS"):
            _lower(resource.RLIMIT_AS, limits["as"])
        keep = sorted({0, 1, 2, self.sock.fileno()})
        low = 3
        for fd in keep[3:]:
            os.closerange(low, fd)
            low = fd + 1
        os.closerange(low, 1 << 16)
        libc = ctypes.CDLL(None, use_errno=True)
        try:  # no process of the sandbox may read or write this memory (/proc/1/mem)
            libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
            # Orphans (a child whose host was killed first) come to us to be reaped.
            libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        except (OSError, AttributeError):
            pass
        _load("_nnkit_storage", "storage.py")   # loaded here, once: each child only uses it
        if limits.get("seccomp"):
            _load("_nnkit_seccomp", "seccomp.py")
        errors = []
        for label, source in msg["setup"]:
            error = self.run_cell(label, source)
            if error:
                errors.append(error)
        self.flush_output()
        # Everything the template holds now stays as it is: the collector never walks (and so
        # never copies) these objects in a child, which makes a fresh process cheaper.
        import gc

        gc.collect()
        gc.freeze()
        self.sock.sendall(self.wire.pack({"kind": "setup_done", "id": msg["id"],
                                          "cell_errors": errors}, limits=self.limits))

    def template(self) -> None:
        """Serve "host" requests, one submission at a time, until the grader closes the socket."""
        while True:
            fds: list[int] = []
            frame = self.template_message(fds)
            msg = frame.message
            if msg.get("op") != "host" or len(fds) != len(serving.HOST_FDS):
                os._exit(serving.EXIT_PROTOCOL)
            host_id = msg["id"]
            self.flush_output()
            pid = os.fork()
            if pid == 0:
                self.start_host(fds)   # never returns
            for fd in fds:
                os.close(fd)
            status = self._wait(pid)
            self.sock.sendall(self.wire.pack(_status_report("host_exited", host_id, status),
                                             limits=self.limits))

    @staticmethod
    def _wait(pid: int) -> int:
        """Wait for `pid`, reaping any orphan that comes to us on the way; its wait status."""
        while True:
            done, status = os.waitpid(-1, 0)
            if done == pid:
                return status

    # -------------------------------------------------------------------------------- host

    def start_host(self, fds: list[int]) -> None:
        """A new host for one submission (in the template's fork): its own channels, and under
        bubblewrap its own pid namespace. Never returns."""
        try:
            self.sock.close()   # the template's socket stays the template's
            named = dict(zip(serving.HOST_FDS, fds))
            os.dup2(named["out"], 1)
            os.dup2(named["out"], 2)
            os.close(named["out"])
            self.fd_in, self.fd_out = named["req"], named["ans"]
            self.fd_ctl, self.fd_args = named["ctl"], named["args"]
            if self.plan["storage"] == "namespaces":
                # A pid namespace whose first process is the host: killing the host ends every
                # process of the submission. unshare() puts only our children in it, so the host
                # is our child; we wait for it and end as it ended.
                import ctypes

                libc = ctypes.CDLL(None, use_errno=True)
                if libc.unshare(_CLONE_NEWPID) != 0:
                    os._exit(serving.EXIT_INTERNAL)
                pid = os.fork()
                if pid != 0:
                    for fd in (self.fd_in, self.fd_out, self.fd_ctl, self.fd_args):
                        os.close(fd)
                    _, status = os.waitpid(pid, 0)
                    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
                # And a mount namespace of its own: the host never mounts anything, but if the
                # compiler ever let a submission's bytes take it over, what it could mount would
                # stay with this submission.
                sys.modules["_nnkit_storage"].private_mounts()
            self.send_message({"kind": "host_ready"}, fd=self.fd_ctl)
            self.host()
        except MemoryError:
            os._exit(serving.EXIT_MEMORY)
        except BaseException:
            _die_internal()
        os._exit(0)

    def host(self) -> None:
        while True:
            frame = self.receive()
            msg = frame.message
            op = msg.get("op")
            if op == "cells":   # this submission's cells, compiled once, here
                self.cells = [(label, _compile(label, source)) for label, source in msg["cells"]]
            elif op == "fork":
                fork_id = msg["id"]
                self.flush_output()
                pid = os.fork()
                if pid == 0:
                    self.child(fork_id, msg.get("dir"))   # never returns
                _, status = os.waitpid(pid, 0)
                self._drain_requests()
                self.send_message(_status_report("exited", fork_id, status), fd=self.fd_ctl)
            elif op == "exit":
                self.flush_output()
                os._exit(0)
            else:
                os._exit(serving.EXIT_PROTOCOL)

    # -------------------------------------------------------------------------------- child

    def child(self, fork_id: str, folder: str | None) -> None:
        """One check's process: trusted set-up, then the student's cells, then calls. Exits."""
        try:
            import resource

            os.close(self.fd_ctl)   # the host's reports stay the host's
            storage = sys.modules["_nnkit_storage"]
            plan = self.plan
            if plan["storage"] == "namespaces":
                storage.fresh_namespace(plan["tmp_bytes"], plan["tmp_inodes"], plan["files"],
                                        plan.get("mpl"))
            else:
                storage.fresh_folder(folder)
            storage.drop_capabilities()
            # The check's working directory (new storage) comes first on the import path. Only
            # its own finder is forgotten: dropping the others would write to thousands of
            # objects shared with the host (a copy of their pages: 10 ms per check, measured).
            sys.path[0] = os.getcwd()
            sys.path_importer_cache.pop(sys.path[0], None)
            limits = plan["limits"]
            _lower(resource.RLIMIT_CPU, limits["cpu"], limits["cpu"] + 1)
            filtered = False
            if limits.get("seccomp"):
                try:
                    filtered = sys.modules["_nnkit_seccomp"].install()
                except OSError as e:
                    print(f"sandbox: seccomp filter not installed: {e}", file=sys.stderr)
            if not filtered and os.getuid() != 0 and hasattr(resource, "RLIMIT_NPROC"):
                _lower(resource.RLIMIT_NPROC, limits["nproc"])
            # Sent before any student code runs, so the grader can rely on it.
            self.send_message({"kind": "ready", "id": fork_id, "seccomp": filtered})
            self.load(fork_id)
            self.serve()
        except MemoryError:
            os._exit(serving.EXIT_MEMORY)
        except SystemExit as e:  # raised from worker code paths only by student tampering
            os._exit(e.code if isinstance(e.code, int) else 1)
        except BaseException:
            _die_internal()
        os._exit(0)

    def load(self, fork_id: str) -> None:
        errors: list[str] = []
        progress = self.progress_page()
        for index, (label, code) in enumerate(self.cells, 1):
            if progress is not None:   # which cell runs: read by the grader if this one fails
                progress[:4] = index.to_bytes(4, "little")
            else:
                self.send_message({"kind": "cell", "id": fork_id, "index": index})
            error = code if isinstance(code, str) else self.run_code(label, code)
            self.flush_output()
            if error:
                errors.append(error)
        defined = []
        for name, value in list(self.ns.items()):
            try:
                if (type(name) is str and not name.startswith("_") and callable(value)
                        and not isinstance(value, types.ModuleType)):
                    defined.append(name[:200])
            except BaseException:
                pass
        self.send_message({"kind": "loaded", "id": fork_id, "defined": sorted(defined)[:2000],
                           "cell_errors": errors})

    def run_cell(self, label: str, source: str) -> str | None:
        code = _compile(label, source)
        return code if isinstance(code, str) else self.run_code(label, code)

    def run_code(self, label: str, code) -> str | None:
        try:
            exec(code, self.ns)
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything
            name, message, _ = serving.exc_text(exc)
            return serving.first_line(f"cell {label}: {name}: {message}")
        return None

    def progress_page(self):
        """The first page of the argument memory, where the grader reads which cell runs; None
        when it cannot be mapped (then progress goes out as frames)."""
        try:
            return mmap.mmap(self.fd_args, mmap.ALLOCATIONGRANULARITY, mmap.MAP_SHARED,
                             mmap.PROT_READ | mmap.PROT_WRITE)
        except (OSError, ValueError):
            return None

def main(argv: list[str]) -> None:
    fd_sock, workdir = int(argv[1]), argv[2]
    sys.path[:0] = [workdir]
    sys.path.extend(argv[3:])
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8", errors="backslashreplace", line_buffering=True)
        except (AttributeError, ValueError):
            pass
    _load_contract()
    _load("_nnkit_wire", "wire.py")
    worker = Worker(fd_sock)
    worker.setup()
    worker.template()


if __name__ == "__main__":
    try:
        main(sys.argv)
    except MemoryError:
        os._exit(serving.EXIT_MEMORY)
    except BaseException:
        _die_internal()
