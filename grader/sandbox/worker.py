"""The sandboxed worker: runs a submission's code cells, then answers calls from the grader.

Started by `grader.sandbox.session` as

    python -I -S -B worker.py FD_IN FD_OUT MAX_FRAME [SITE_DIR ...]

inside bubblewrap (or, in the fallback mode, as a plain child process). It imports only the
standard library, NumPy and the files bound next to it (`contract.py`, `wire.py`, `seccomp.py`),
loaded by path so that no package of the kit is needed, or importable, inside the sandbox.

Until the first student cell runs, this process is trusted: it reads its settings, imports
NumPy, lowers its resource limits, closes every other file descriptor and installs the seccomp
filter. From then on everything in it, including this module's code and the wire encoder, may
have been tampered with by student code; the grader validates everything it receives.

Frames from the grader arrive on FD_IN; answers go to FD_OUT. Student output (fd 1 and 2) goes
to a separate pipe that the grader reads and caps.
"""

from __future__ import annotations

import builtins
import importlib.util
import os
import sys
import threading
import types
import warnings

EXIT_MEMORY = 86        # the worker ran out of memory outside student code
EXIT_PROTOCOL = 87      # the grader's messages did not follow the protocol
EXIT_INTERNAL = 88      # a bug in the worker itself

_HERE = os.path.dirname(os.path.abspath(__file__))
_MISSING = object()
_CALLBACK_EXCEPTIONS = {
    cls.__name__: cls for cls in (
        ArithmeticError, AssertionError, AttributeError, FloatingPointError, IndexError,
        KeyError, LookupError, MemoryError, NotImplementedError, OverflowError, RuntimeError,
        TypeError, ValueError, ZeroDivisionError,
    )
}


def _path_of(filename: str) -> str:
    """A file bound next to this one (the sandbox), else its place in the kit's source tree (the
    fallback mode runs this file where it is installed: grader/sandbox/ beside autograde_tests/)."""
    here = os.path.join(_HERE, filename)
    if os.path.exists(here) or filename != "contract.py":
        return here
    return os.path.join(os.path.dirname(os.path.dirname(_HERE)), "autograde_tests", filename)


def _load(name: str, filename: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, _path_of(filename))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _first_line(text: str, limit: int = 300) -> str:
    text = text.strip().splitlines()[0] if text.strip() else ""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _exc_text(exc: BaseException) -> tuple[str, str, str]:
    """(type name, message, where) of a student exception, as plain strings."""
    contract = sys.modules["_nnkit_contract"]
    try:
        t = type(exc)
        if isinstance(exc, MemoryError):  # NumPy raises a subclass of it
            name = "MemoryError"
        else:
            name = t.__name__ if t.__module__ == "builtins" else contract.type_name(exc)
    except Exception:
        name = "?"
    try:
        if isinstance(exc, SyntaxError):
            message = f"{exc.msg} (line {exc.lineno})"
        else:
            message = str(exc)
    except BaseException:
        message = "<the exception's message could not be read>"
    where = ""
    try:
        tb = exc.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            if code.co_filename.startswith("<cell "):
                where = f"{code.co_filename[1:-1]}, line {tb.tb_lineno}, in {code.co_name}"
            tb = tb.tb_next
    except Exception:
        pass
    return name, message[:2000], where


class Worker:
    def __init__(self, fd_in: int, fd_out: int, max_frame: int):
        self.wire = sys.modules["_nnkit_wire"]
        self.contract = sys.modules["_nnkit_contract"]
        self.np = sys.modules["numpy"]   # imported by the contract
        self.fd_out = fd_out
        self.stream_in = os.fdopen(fd_in, "rb", buffering=1 << 16)
        self.limits = self.wire.WireLimits(max_frame=max_frame)
        self.lock = threading.RLock()
        self.ns: dict = {"__name__": "__main__", "__builtins__": builtins}
        self.stdout, self.stderr = sys.stdout, sys.stderr

    # -------------------------------------------------------------------------------- I/O

    def send(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            n = os.write(self.fd_out, view)
            view = view[n:]

    def send_message(self, message: dict, encoder=None) -> None:
        encoder = encoder or self.wire.Encoder(limits=self.limits)
        with self.lock:
            self.send(encoder.frame(message))

    def receive(self):
        frame = self.wire.read_frame_blocking(self.stream_in, self.limits)
        if frame is None:  # the grader closed the channel
            os._exit(0)
        return frame

    def flush_output(self) -> None:
        for stream in {id(s): s for s in (sys.stdout, sys.stderr, self.stdout, self.stderr)}.values():
            try:
                stream.flush()
            except BaseException:
                pass

    # -------------------------------------------------------------------------------- setup

    def apply_limits(self, limits: dict) -> bool:
        import resource

        def lower(res: int, soft: int, hard: int | None = None) -> None:
            hard = soft if hard is None else hard
            cur_soft, cur_hard = resource.getrlimit(res)
            if cur_hard != resource.RLIM_INFINITY:
                hard = min(hard, cur_hard)
                soft = min(soft, hard)
            try:
                resource.setrlimit(res, (soft, hard))
            except (ValueError, OSError):
                pass

        lower(resource.RLIMIT_CORE, 0)
        lower(resource.RLIMIT_CPU, limits["cpu"], limits["cpu"] + 1)
        lower(resource.RLIMIT_FSIZE, limits["fsize"])
        lower(resource.RLIMIT_NOFILE, limits["nofile"])
        if hasattr(resource, "RLIMIT_AS"):
            lower(resource.RLIMIT_AS, limits["as"])
        keep = sorted({0, 1, 2, self.fd_out, self.stream_in.fileno()})
        low = 3
        for fd in keep[3:]:
            os.closerange(low, fd)
            low = fd + 1
        os.closerange(low, 1 << 16)
        filtered = False
        if limits.get("seccomp"):
            try:
                filtered = _load("_nnkit_seccomp", "seccomp.py").install()
            except OSError as e:
                print(f"sandbox: seccomp filter not installed: {e}", file=sys.stderr)
        if not filtered and os.getuid() != 0 and hasattr(resource, "RLIMIT_NPROC"):
            lower(resource.RLIMIT_NPROC, limits["nproc"])
        return filtered

    def load(self, frame) -> None:
        msg = frame.message
        load_id = msg["id"]
        filtered = self.apply_limits(msg["limits"])
        # Sent before any student code runs, so the grader can rely on it.
        self.send_message({"kind": "ready", "id": load_id, "seccomp": filtered})
        errors: list[str] = []
        for index, source in enumerate(msg["cells"], 1):
            self.send_message({"kind": "cell", "id": load_id, "index": index})
            error = self.run_cell(index, source)
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
        self.send_message({"kind": "loaded", "id": load_id, "defined": sorted(defined)[:2000],
                           "cell_errors": errors})

    def run_cell(self, index: int, source: str) -> str | None:
        try:
            code = compile(source, f"<cell {index}>", "exec")
        except BaseException as exc:  # SyntaxError, ValueError (NUL bytes), RecursionError...
            name, message, _ = _exc_text(exc)
            return _first_line(f"cell {index}: {name}: {message}")
        try:
            exec(code, self.ns)
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything
            name, message, _ = _exc_text(exc)
            return _first_line(f"cell {index}: {name}: {message}")
        return None

    # -------------------------------------------------------------------------------- calls

    def make_proxy(self, name: str, call_id: str, counter: list[int]):
        worker = self

        def proxy(*args, **kwargs):
            with worker.lock:
                counter[0] += 1
                cb = counter[0]
                enc = worker.wire.Encoder(limits=worker.limits)
                keep = (worker.np.random.Generator,)   # they travel as their state
                message = {"kind": "callback", "id": call_id, "cb": cb, "name": name,
                           "args": enc.value(worker.contract.normalize(args, keep)),
                           "kwargs": enc.value(worker.contract.normalize(kwargs, keep))}
                worker.send(enc.frame(message))
                frame = worker.receive()
            reply = frame.message
            if reply.get("op") != "reply" or reply.get("id") != call_id or reply.get("cb") != cb:
                os._exit(EXIT_PROTOCOL)
            decoder = worker.wire.Decoder(frame, worker.limits)
            # Generators the reference drew from advance here too, as if in one process.
            for i, state in reply.get("rng_args", {}).items():
                args[int(i)].bit_generator.state = decoder.value(state)
            for k, state in reply.get("rng_kwargs", {}).items():
                kwargs[k].bit_generator.state = decoder.value(state)
            if reply.get("ok"):
                return decoder.value(reply["value"])
            exc_type = reply.get("exc_type", "RuntimeError")
            cls = _CALLBACK_EXCEPTIONS.get(exc_type)
            if cls is None:
                raise RuntimeError(f"{exc_type}: {reply.get('message', '')}")
            raise cls(reply.get("message", ""))

        proxy.__name__ = proxy.__qualname__ = name
        return proxy

    def call(self, frame) -> None:
        msg = frame.message
        call_id, name = msg["id"], msg["fn"]
        fn = self.ns.get(name, _MISSING)
        if fn is _MISSING or not callable(fn):
            what = "is not defined" if fn is _MISSING else \
                f"is a {self.contract.type_name(fn)}, not a function"
            self.send_message({"kind": "error", "id": call_id, "error": "not_defined",
                               "message": f"{name} {what}"})
            return
        args = list(self.wire.Decoder(frame, self.limits).value(msg["args"]))
        counter = [0]   # callback sequence numbers, shared by all proxies of this call
        for index, marker in msg.get("markers", {}).items():
            if "rng" in marker:
                args[int(index)] = self.np.random.default_rng(marker["rng"])
            else:
                args[int(index)] = self.make_proxy(marker["callback"], call_id, counter)
        args = tuple(args)
        saved = {}
        for sub in msg["subst"]:
            saved[sub] = self.ns.get(sub, _MISSING)
            self.ns[sub] = self.make_proxy(sub, call_id, counter)
        fp = msg.get("fp_errors")
        failure = None
        result = None
        exit_code = None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if fp:
                    with self.np.errstate(over=fp, invalid=fp, divide=fp, under="ignore"):
                        result = fn(*args)
                else:
                    result = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt too
            failure = _exc_text(exc)
            exit_code = exc.code if isinstance(exc, SystemExit) else None
        finally:
            for sub, old in saved.items():
                if old is _MISSING:
                    self.ns.pop(sub, None)
                else:
                    self.ns[sub] = old
        self.flush_output()
        if failure is not None:
            exc_type, message, where = failure
            if exc_type == "SystemExit":
                code = exit_code if isinstance(exit_code, int) else (
                    0 if exit_code is None else 1)
                self.send_message({"kind": "error", "id": call_id, "error": "exit",
                                   "code": int(code) if abs(code) < 1 << 31 else 1})
            else:
                self.send_message({"kind": "error", "id": call_id, "error": "exception",
                                   "exc_type": exc_type, "message": message, "where": where})
            return
        enc = self.wire.Encoder(limits=self.limits)
        normalize = self.contract.normalize
        try:
            reply = {"kind": "result", "id": call_id, "type_name": self.contract.type_name(result),
                     "value": enc.value(normalize(result))}
            if msg.get("ret_args"):
                reply["args_after"] = enc.value(normalize(args))
            self.send_message(reply, enc)
        except self.wire.TooLarge as e:
            self.send_message({"kind": "error", "id": call_id, "error": "too_large",
                               "message": str(e)})
        except Exception as e:  # the returned object broke the encoder (hostile __iter__ ...)
            self.send_message({"kind": "error", "id": call_id, "error": "encode",
                               "message": _first_line(f"{type(e).__name__}: {e}")})

    def serve(self) -> None:
        while True:
            frame = self.receive()
            op = frame.message.get("op")
            if op == "call":
                self.call(frame)
            elif op == "exit":
                self.flush_output()
                os._exit(0)
            else:
                os._exit(EXIT_PROTOCOL)


def main(argv: list[str]) -> None:
    fd_in, fd_out, max_frame = int(argv[1]), int(argv[2]), int(argv[3])
    sys.path[:0] = [os.getcwd()]
    sys.path.extend(argv[4:])
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8", errors="backslashreplace", line_buffering=True)
        except (AttributeError, ValueError):
            pass
    _load("_nnkit_contract", "contract.py")
    _load("_nnkit_wire", "wire.py")
    worker = Worker(fd_in, fd_out, max_frame)
    frame = worker.receive()
    if frame.message.get("op") != "load":
        os._exit(EXIT_PROTOCOL)
    worker.load(frame)
    worker.serve()


if __name__ == "__main__":
    try:
        main(sys.argv)
    except MemoryError:
        os._exit(EXIT_MEMORY)
    except SystemExit as e:  # raised from worker code paths only by student tampering
        os._exit(e.code if isinstance(e.code, int) else 1)
    except BaseException:
        try:
            import traceback
            traceback.print_exc()
            sys.stderr.flush()
        except BaseException:
            pass
        os._exit(EXIT_INTERNAL)
