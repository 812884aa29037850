"""Arguments whose state after a call the grader decides itself (the checks that a function
leaves its inputs unchanged).

The grader places every argument array in a memory region shared with the submission's host
(`ArgMemory`, a memfd made for that one submission), sends the worker only where they lie, and
reads them back after the call. What it cannot read itself (which object a list holds now, a
number inside a dict) only the worker can report, and the worker runs in the student's process.
So `arguments_after` believes nothing of the report that it can check:

- an argument array is always what the grader reads back from the shared memory, never a value
  the worker sends; a report that names the array where it lay (its offset) is checked against
  the layout the grader made;
- containers and plain values are the grader's own copies of the arguments (which the sandbox
  never maps), as long as the report agrees with them; wherever it reports something else (an
  element replaced, a list grown, a number changed, a list turned into a tuple), the grader's
  answer is `CHANGED` there: a marker equal to nothing, never a value from the report. A report
  can make a check fail; it can never make a changed argument look unchanged by choosing values
  close to the old ones;
- a report the grader can prove forged (another argument count, a name of shared memory it never
  placed, arrays of the call's own tuple said to be somewhere else) is a BadAnswer: it costs the
  check.

What stays the worker's word: that a list still holds the same objects and a number inside a
dict is unchanged. Student code can forge that (it runs in the worker's process), but only to
hide a change of a container's structure or of a plain number in it, never of an array.
"""

from __future__ import annotations

import mmap
import os
import tempfile
from typing import Any

import numpy as np

from grader.sandbox import wire
from nnkit_contract.outcomes import BadAnswer
from nnkit_contract.values import ARRAY_DTYPES, Unrepresentable, normalize

_PAGE = mmap.ALLOCATIONGRANULARITY

#: What `arguments_after` puts where the worker reports a change the grader cannot read itself.
CHANGED = Unrepresentable("changed in place (as reported by the worker)")


def _placeable(value: Any) -> bool:
    return type(value) is np.ndarray and value.dtype.fields is None and \
        (value.dtype.kind, value.dtype.itemsize) in ARRAY_DTYPES


class ArgMemory:
    """A memory region shared with one submission's host, for argument arrays whose state after
    the call the grader reads itself.

    The grader lays the arrays out page by page, sends the worker only where they are, and reads
    them back after the call. It empties the region between checks, and a new submission gets a
    new region.
    """

    #: Bytes at the start of the region where a loading process writes which cell it runs.
    PROGRESS = _PAGE

    def __init__(self) -> None:
        self.fd = os.memfd_create("nnkit-args", 0) if hasattr(os, "memfd_create") else \
            _tempfile_fd()
        self.size = 0
        self.wipe()

    def place(self, args: tuple) -> tuple[tuple, list[tuple[wire.SharedArray, np.ndarray]]]:
        """(args with every ndarray replaced by its SharedArray marker, [(marker, original)])."""
        layout: list[tuple[wire.SharedArray, np.ndarray]] = []
        offset = self.PROGRESS

        def walk(value: Any) -> Any:
            nonlocal offset
            if _placeable(value):
                # (ascontiguousarray alone makes a 0-d array 1-d: the student would get shape (1,))
                arr = np.ascontiguousarray(value).reshape(value.shape)
                marker = wire.SharedArray(offset, arr.dtype.str, tuple(int(d) for d in arr.shape))
                layout.append((marker, arr))
                offset += -(-max(arr.nbytes, 1) // _PAGE) * _PAGE
                return marker
            if type(value) is list:
                return [walk(v) for v in value]
            if type(value) is tuple:
                return tuple(walk(v) for v in value)
            if type(value) is dict:
                return {k: walk(v) for k, v in value.items()}
            return value

        placed = walk(args)
        if offset > self.size:
            os.ftruncate(self.fd, offset)
            self.size = offset
        for marker, arr in layout:
            if arr.nbytes:
                os.pwrite(self.fd, arr.tobytes(), marker.offset)
        return placed, layout

    def read(self, marker: wire.SharedArray, arr: np.ndarray) -> np.ndarray | None:
        """The array placed at `marker` as it is now in the region (None if the region shrank)."""
        data = os.pread(self.fd, arr.nbytes, marker.offset) if arr.nbytes else b""
        if len(data) != arr.nbytes:
            return None
        return np.frombuffer(data, dtype=arr.dtype).reshape(arr.shape).copy()

    def wipe(self) -> None:
        """Empty the region (its pages are freed; nothing of the last check is left); only the
        zeroed progress page remains."""
        os.ftruncate(self.fd, 0)
        os.ftruncate(self.fd, self.PROGRESS)
        self.size = self.PROGRESS

    def cell(self) -> int:
        """The cell a loading process said it runs (1-based; 0: none yet). Untrusted: it only
        names a cell in a message."""
        data = os.pread(self.fd, 4, 0)
        return int.from_bytes(data, "little") if len(data) == 4 else 0

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass


def _tempfile_fd() -> int:
    fd, path = tempfile.mkstemp(prefix="nnkit-args-")
    os.unlink(path)
    return fd


def _same_plain(reported: Any, own: Any) -> bool:
    """A plain value reported exactly as the grader's own copy (same type, same value). A NumPy
    scalar travels as the Python number the contract's normalizer makes of it, so it is compared
    as that number."""
    if isinstance(own, np.generic):
        own = normalize(own)
    if type(reported) is not type(own):
        return False
    if type(own) is np.ndarray:   # an array the grader could not place (never sent by the checks)
        return reported.dtype == own.dtype and reported.shape == own.shape and \
            bool(np.array_equal(reported, own, equal_nan=own.dtype.kind == "f"))
    if type(own) is float and own != own:
        return reported != reported
    return reported == own


def arguments_after(reported: Any, args: tuple, sent: tuple, memory: ArgMemory,
                    layout: list[tuple[wire.SharedArray, np.ndarray]],
                    markers: dict[str, Any]) -> tuple:
    """The arguments after a call, decided by the grader (see the module's docstring).

    reported: the worker's report, decoded with shared-array names kept as `SharedArray`;
    args: the grader's own arguments; sent: `args` as sent (arrays replaced by their markers);
    layout: what `ArgMemory.place` returned; markers: argument index -> what stands there instead
    of an RngSeed or Callback (the worker's random generator or proxy; never compared).
    Raises BadAnswer for a report the grader can prove forged.
    """
    placed = {m.offset: (m, arr) for m, arr in layout}
    if type(reported) is not tuple or len(reported) != len(args):
        raise BadAnswer("the arguments after the call were misreported")

    def changed(fixed: bool) -> Any:
        # `fixed`: the value is held by the call's own argument tuple (or by tuples in it), so it
        # is the same object after the call whatever the function did: a report of another
        # object there is forged.
        if fixed:
            raise BadAnswer("the arguments after the call were misreported")
        return CHANGED

    def walk(rep: Any, own: Any, out: Any, fixed: bool) -> Any:
        if type(rep) is wire.SharedArray and rep.offset not in placed:
            raise BadAnswer("the arguments after the call name memory the grader never placed")
        if type(out) is wire.SharedArray:          # an array the grader placed here
            if type(rep) is wire.SharedArray and rep.offset == out.offset:
                if rep != out:                     # its dtype or shape changed in place
                    return CHANGED
                value = memory.read(*placed[out.offset])
                if value is None:
                    raise BadAnswer("the arguments after the call could not be read back")
                return value
            return changed(fixed)                  # replaced (or forged)
        if type(rep) is wire.SharedArray:          # a placed array, somewhere new
            return changed(fixed)
        if type(own) is tuple:
            if type(rep) is not tuple or len(rep) != len(own):
                return changed(fixed)
            return tuple(walk(r, o, s, fixed) for r, o, s in zip(rep, own, out))
        if type(own) is list:
            if type(rep) is not list:
                return changed(fixed)
            if len(rep) != len(own):
                return CHANGED                     # the same list, grown or shrunk
            return [walk(r, o, s, False) for r, o, s in zip(rep, own, out)]
        if type(own) is dict:
            if type(rep) is not dict:
                return changed(fixed)
            if rep.keys() != own.keys():
                return CHANGED
            return {k: walk(rep[k], own[k], out[k], False) for k in own}
        return own if _same_plain(rep, own) else changed(fixed)

    return tuple(markers[str(i)] if str(i) in markers else walk(rep, own, out, True)
                 for i, (rep, own, out) in enumerate(zip(reported, args, sent)))
