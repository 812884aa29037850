"""One call of a student function in the current check's process: the request, the reference
callbacks the student's code asks for, the answer and the failures (see session.py).

Functions of the session rather than methods: `SubmissionSession.call` checks the arguments and
starts the processes, then hands the exchange itself to `call` here.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from grader.sandbox import accounting, wire
from grader.sandbox.arguments import arguments_after
from grader.sandbox.calls import (
    IDLE_GRACE,
    CallResult,
    _CallBound,
    _death,
    _idle_what,
    _marker_values,
    _name_shared,
    worker_error,
)
from grader.sandbox.processes import (
    ChannelClosed,
    ChildExited,
    Output,
    Timeout,
)
from nnkit_contract.outcomes import BadAnswer, CallFailed, CallTimedOut, Crashed, OutOfMemory
from nnkit_contract.values import normalize

if TYPE_CHECKING:
    from grader.sandbox.session import SubmissionSession


def call(session: SubmissionSession, fn: str, args: tuple, markers: dict[str, dict], substitute: dict[str, Callable],
          return_args: bool, timeout: float | None, fp_errors: str | None,
          out: Output) -> CallResult:
    host, child = session._host, session._child
    assert host is not None and child is not None
    child.calls += 1
    lim = session._limits
    t0 = time.monotonic()
    asked = lim.call_cpu if timeout is None else float(timeout)
    cpu_limit = min(asked, session.cpu_left)
    by_budget = cpu_limit < asked
    idle_limit = max(session.idle_left, IDLE_GRACE)
    deadline = t0 + min(lim.wall(cpu_limit), session.wall_left)
    session._sample(child)
    cpu_start = child.cpu_seen
    grader_start = time.thread_time()
    meter = accounting.IdleMeter([child.proc] if child.proc is not None else [])

    def charged() -> float:
        # The student's process, and everything the grader does for this call: encoding,
        # decoding its frames, running reference callbacks.
        return child.cpu_seen - cpu_start + time.thread_time() - grader_start

    def watch() -> None:
        session._sample(child)
        if charged() > cpu_limit:
            raise Timeout("cpu")
        if session._idle_metered and meter.idle() > idle_limit:
            raise Timeout("idle")

    call_id = secrets.token_hex(8)
    layout: list = []
    sent_args = args
    if return_args:
        sent_args, layout = host.args.place(args)
    enc = wire.Encoder(limits=host.request_limits)
    message = {"op": "call", "id": call_id, "fn": fn,
               "args": enc.value(normalize(sent_args, (wire.SharedArray,))),
               "markers": markers, "subst": sorted(substitute),
               "ret_args": bool(return_args), "fp_errors": fp_errors}
    request = enc.frame(message)
    host.drain_output(None)   # output of leftover threads between calls is not kept
    bound = _CallBound.of(args)
    callbacks = [0]
    try:
        try:
            host.send(request, deadline, out)
            while True:
                frame = host.receive(deadline, out, child.fork_id, watch)
                msg = frame.message
                if msg.get("id") != call_id:
                    raise BadAnswer("a stale or forged frame arrived instead of the answer")
                kind = msg.get("kind")
                if kind == "callback":
                    callback(session, frame, call_id, substitute, deadline, out, bound,
                                   callbacks, cpu_limit, charged)
                    continue
                if kind == "result":
                    dec = wire.Decoder(frame, host.answer_limits)
                    value = dec.value(msg.get("value"))
                    dec.shared = _name_shared    # the arguments name the shared arrays
                    tname = msg.get("type_name")
                    if type(tname) is not str:
                        raise BadAnswer("answer without a type name")
                    args_after = None
                    if return_args:
                        reported = dec.value(msg.get("args_after"))
                        args_after = arguments_after(reported, args, sent_args, host.args,
                                                     layout, _marker_values(markers))
                    host.drain_output(out)
                    session._sample(child)
                    result = CallResult(value, tname[:200], args_after, out.text(),
                                        time.monotonic() - t0, charged())
                    session._reap_if_exited(child, out)
                    return result
                if kind == "error":
                    raise worker_error(fn, msg, session._limits)
                raise BadAnswer(f"unexpected message {str(kind)[:40]!r} from the worker")
        except Timeout as t:
            if t.kind == "cpu" and by_budget:
                what = f"the submission used up its time ({lim.total_cpu:g} s of CPU in all)"
            elif t.kind == "cpu":
                what = (f"{fn} used more than {cpu_limit:g} s of CPU time: make it faster "
                        "(vectorize with NumPy instead of looping over examples in Python) "
                        "or look for an endless loop")
            elif t.kind == "idle":
                what = f"{fn} {_idle_what(lim, idle_limit)}"
            else:
                what = (f"{fn} did not return within {lim.wall(cpu_limit):g} s while hardly "
                        "using the CPU: is it waiting or sleeping?")
            raise CallTimedOut(what) from None
        except ChildExited as e:
            session._fail_child(out, exited=True)
            raise _death(e.status, e.signal, f"during {fn}") from None
        except ChannelClosed:
            session._drop_host(out)
            raise Crashed(f"the sandbox stopped during {fn}") from None
        except wire.WireError as e:
            raise BadAnswer(f"malformed answer from the worker: {e}") from None
    except CallFailed as e:
        if isinstance(e, (CallTimedOut, OutOfMemory, Crashed, BadAnswer)):
            if session._child is child:
                session._fail_child(out)
        elif session._host is host:
            host.drain_output(out)
        e.output = out.text()
        raise
    except BaseException:
        # A bug or an interrupt on our side: the child is mid-call, so it cannot be reused.
        if session._child is child:
            session._fail_child(out)
        raise
    finally:
        session._idle_used += meter.idle()
        session._cpu_used += time.thread_time() - grader_start

def callback(session: SubmissionSession, frame: wire.Frame, call_id: str, substitute: dict[str, Callable],
              deadline: float, out: Output, bound: _CallBound, count: list[int],
              cpu_limit: float, charged: Callable[[], float]) -> None:
    """Run a substituted reference function for the student's code (in the grader: its time
    is part of the call's, see charged())."""
    host = session._host
    assert host is not None
    msg = frame.message
    name = msg.get("name")
    if type(name) is not str or name not in substitute:
        raise BadAnswer(f"the worker asked the grader to run {str(name)[:60]!r}, which this "
                        "call does not substitute")
    cb = msg.get("cb")
    if type(cb) is not int:
        raise BadAnswer("callback without a sequence number")
    dec = wire.Decoder(frame, host.answer_limits)
    args = dec.value(msg.get("args"))
    kwargs = dec.value(msg.get("kwargs", {"d": []}))
    if type(args) is not tuple or type(kwargs) is not dict:
        raise BadAnswer("malformed callback arguments")
    enc = wire.Encoder(limits=host.request_limits)
    refused = bound.refuse((args, kwargs))  # positional and keyword arguments
    count[0] += 1   # counted here: the worker's sequence numbers are its own word
    if count[0] > session._limits.callbacks:
        refused = (f"the grader's reference refuses more than {session._limits.callbacks} calls "
                   "from one call of yours")
    if refused is None and charged() > cpu_limit:
        raise Timeout("cpu")
    if refused is not None:
        reply = {"op": "reply", "id": call_id, "cb": cb, "ok": False,
                 "exc_type": "ValueError", "message": refused}
    else:
        try:
            result = substitute[name](*args, **kwargs)
        except Exception as e:  # the reference rejected the student's arguments
            reply = {"op": "reply", "id": call_id, "cb": cb, "ok": False,
                     "exc_type": type(e).__name__,
                     "message": f"{name} (the grader's, standing in for yours) got arguments "
                                f"it cannot use: {str(e)[:400]}"}
        else:
            reply = {"op": "reply", "id": call_id, "cb": cb, "ok": True,
                     "value": enc.value(normalize(result))}
    # Random generators passed to the reference are shared with the student, as in one
    # process: send back how far the reference advanced them.
    reply["rng_args"] = {str(i): enc.value(a.bit_generator.state)
                         for i, a in enumerate(args) if type(a) is np.random.Generator}
    reply["rng_kwargs"] = {k: enc.value(a.bit_generator.state)
                           for k, a in kwargs.items() if type(a) is np.random.Generator}
    host.send(enc.frame(reply), deadline, out)

