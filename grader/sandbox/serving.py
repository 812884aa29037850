"""The worker's protocol constants and how a check's process serves calls.

Loaded by path next to worker.py (as `_nnkit_serving`, before the Worker class that inherits
`CallServer` is defined), and imported as `grader.sandbox.serving` by the grader for the same
constants: the exit codes a worker ends with, the template's message size, a host's file
descriptors. Like worker.py it imports only the standard library; NumPy, the wire format and the
contract reach it through the worker (`self.np`, `self.wire`, `self.contract`), taken before any
student code runs.
"""

from __future__ import annotations

import functools
import mmap
import os
import sys
import warnings

EXIT_MEMORY = 86        # the process ran out of memory outside student code
EXIT_PROTOCOL = 87      # the grader's messages did not follow the protocol
EXIT_INTERNAL = 88      # a bug in the worker itself
#: Largest message on the template's socket (the setup cells are the largest).
TEMPLATE_MESSAGE_BYTES = 1 << 20
#: File descriptors a host receives from the template, in this order.
HOST_FDS = ("req", "ans", "ctl", "out", "args")
_MISSING = object()
_CALLBACK_EXCEPTIONS = {
    cls.__name__: cls for cls in (
        ArithmeticError, AssertionError, AttributeError, FloatingPointError, IndexError,
        KeyError, LookupError, MemoryError, NotImplementedError, OverflowError, RuntimeError,
        TypeError, ValueError, ZeroDivisionError,
    )
}


def first_line(text: str, limit: int = 300) -> str:
    text = text.strip().splitlines()[0] if text.strip() else ""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def exc_text(exc: BaseException) -> tuple[str, str, str]:
    """(type name, message, where) of a student exception, as plain strings."""
    contract = sys.modules["nnkit_contract.values"]
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


class CallServer:
    """The calls of one check's process (a mixin of worker.Worker, whose state it uses: the
    namespace `ns`, the channels, the captured `np`, `wire`, `normalize`, `errstate`...)."""

    def shared_array(self, offset: int, dtype, shape: tuple[int, ...]):
        """An argument array backed by the shared argument memory (writable: what the student's
        function does to it, the grader sees)."""
        np = self.np
        count = 1
        for d in shape:
            count *= d
        nbytes = count * dtype.itemsize
        page = mmap.ALLOCATIONGRANULARITY
        if offset % page:
            raise self.wire.WireError("shared array not page aligned")
        marker = self.wire.SharedArray(offset, dtype.str, tuple(shape))
        if nbytes == 0:
            arr = np.zeros(shape, dtype)
        else:
            region = mmap.mmap(self.fd_args, nbytes, mmap.MAP_SHARED,
                               mmap.PROT_READ | mmap.PROT_WRITE, offset=offset)
            arr = np.frombuffer(region, dtype=dtype, count=count).reshape(shape)
        self.shared.append((arr, marker))
        return arr

    def report_args(self, obj, depth: int = 0):
        """The arguments after a call, with every array that is still one of the shared ones
        named by where it lies (its offset, as it is now: dtype and shape), and anything else as a
        value. The grader reads those arrays itself; the rest it compares with its own copy."""
        t = type(obj)
        if t is self.np.ndarray:
            for arr, marker in self.shared:
                if obj is arr:
                    return self.wire.SharedArray(marker.offset, obj.dtype.str,
                                                 tuple(int(d) for d in obj.shape))
            return obj
        if depth >= self.contract.MAX_DEPTH:
            return obj
        if t is list:
            return [self.report_args(x, depth + 1) for x in list.__iter__(obj)]
        if t is tuple:
            return tuple(self.report_args(x, depth + 1) for x in tuple.__iter__(obj))
        if t is dict:
            return {k: self.report_args(v, depth + 1) for k, v in dict.items(obj)}
        return obj

    def make_proxy(self, name: str, call_id: str, counter: list[int]):
        worker = self

        def proxy(*args, **kwargs):
            with worker.lock:
                counter[0] += 1
                cb = counter[0]
                enc = worker.wire.Encoder(limits=worker.answer_limits)
                keep = (worker.np.random.Generator,)   # they travel as their state
                message = {"kind": "callback", "id": call_id, "cb": cb, "name": name,
                           "args": enc.value(worker.normalize(args, keep)),
                           "kwargs": enc.value(worker.normalize(kwargs, keep))}
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
        entry = getattr(self, "entries", {}).get(name)
        # A reserved name reaches the contract's function (given the student's namespace), never
        # a function of the student's.
        fn = functools.partial(entry, self.ns) if entry is not None else self.ns.get(name, _MISSING)
        if fn is _MISSING or not callable(fn):
            what = "is not defined" if fn is _MISSING else \
                f"is a {self.type_name(fn)}, not a function"
            self.send_message({"kind": "error", "id": call_id, "error": "not_defined",
                               "message": f"{name} {what}"})
            return
        self.shared = []
        args = list(self.wire.Decoder(frame, self.limits, self.shared_array).value(msg["args"]))
        counter = [0]   # callback sequence numbers, shared by all proxies of this call
        for index, marker in msg.get("markers", {}).items():
            if "rng" in marker:
                args[int(index)] = self.default_rng(marker["rng"])
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
                    with self.errstate(**self.fp_errstate(fp)):
                        result = fn(*args)
                else:
                    result = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt too
            failure = exc_text(exc)
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
        enc = self.wire.Encoder(limits=self.answer_limits)
        normalize = self.normalize
        try:
            reply = {"kind": "result", "id": call_id, "type_name": self.type_name(result),
                     "value": enc.value(normalize(result))}
            if msg.get("ret_args"):
                # What the worker says the arguments are now. The grader believes none of it
                # that it can check itself (grader.sandbox.arguments).
                reply["args_after"] = enc.value(normalize(self.report_args(args),
                                                          (self.wire.SharedArray,)))
            self.send_message(reply, enc)
        except self.wire.TooLarge as e:
            self.send_message({"kind": "error", "id": call_id, "error": "too_large",
                               "message": str(e)})
        except Exception as e:  # the returned object broke the encoder (hostile __iter__ ...)
            self.send_message({"kind": "error", "id": call_id, "error": "encode",
                               "message": first_line(f"{type(e).__name__}: {e}")})

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
