"""Values crossing between student code and the grader: call markers, the value normalizer and
NumPy's floating-point error state of a call.

- Markers (`RngSeed`, `Callback`): arguments that are not plain data; the side that runs student
  code builds them.
- `normalize(value)`: what a student function returned, as plain data (the only conversion any
  path applies; the grader compares nothing else).
- `fp_errstate(fp_errors)`: the np.errstate of a call checked for numerical stability.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

# ---------------------------------------------------------------------------------- markers


@dataclass(frozen=True)
class RngSeed:
    """Reaches the student function as `np.random.default_rng(seed)`."""

    seed: int


@dataclass(frozen=True)
class Callback:
    """Reaches the student function as a callable; each call runs `substitute[name]` in the
    grader (trusted reference code), never in the student's process."""

    name: str


@dataclass(frozen=True)
class Unrepresentable:
    """Stands for a returned value that is not plain data (a custom class, a set, a complex or
    object array, ...). `type_name` says what it was."""

    type_name: str

    def __repr__(self) -> str:
        return f"<unrepresentable {self.type_name}>"


# ---------------------------------------------------------------------------------- values

#: Containers nested deeper than this are not plain data.
MAX_DEPTH = 16
#: Longest type name reported.
MAX_TYPE_NAME = 200
#: Array dtypes that are plain data: (kind, item size).
ARRAY_DTYPES = frozenset({("b", 1), ("i", 1), ("i", 2), ("i", 4), ("i", 8), ("u", 1), ("u", 2),
                          ("u", 4), ("u", 8), ("f", 2), ("f", 4), ("f", 8)})
#: Integers longer than this many bits are not plain data (they overflow every float).
MAX_INT_BITS = 10_000


def type_name(obj: Any) -> str:
    """A short, human name for the type of `obj` ("ndarray", "numpy.float64", "tuple",
    "Liar(ndarray subclass)", "__main__.Point"); never raises."""
    try:
        t = type(obj)
        if t is np.ndarray:
            return "ndarray"
        if isinstance(obj, np.ndarray):
            return f"{t.__name__}(ndarray subclass)"[:MAX_TYPE_NAME]
        if isinstance(obj, np.generic):
            return f"numpy.{t.__name__}"[:MAX_TYPE_NAME]
        module, name = t.__module__, t.__qualname__
        if not isinstance(module, str) or not isinstance(name, str):
            return "?"
        return (name if module == "builtins" else f"{module}.{name}")[:MAX_TYPE_NAME]
    except Exception:  # a hostile metaclass can make any attribute access raise
        return "?"


def normalize(obj: Any, keep: tuple[type, ...] = (), _depth: int = 0) -> Any:
    """`obj` as plain data, the one conversion every grading path applies to a returned value.

    Plain data is: None, bool, int, float, str, an exact `np.ndarray` of a dtype in ARRAY_DTYPES
    (a fresh copy, writable, native byte order), and list / tuple / dict (str keys) of plain data.

    - NumPy scalars become Python numbers; ndarray subclasses become plain arrays of their data;
      float arrays wider than 64 bits become float64;
    - subclasses of tuple, list, dict, int, float and str (namedtuple, IntEnum, OrderedDict, ...)
      become the built-in type, read through the built-in's own methods (so overridden
      `__iter__` or `__eq__` are never called);
    - anything else, an integer longer than MAX_INT_BITS, or nesting deeper than MAX_DEPTH
      becomes `Unrepresentable(type name)`;
    - objects whose exact type is in `keep` are left as they are (the sandbox keeps random
      generators in the arguments of a callback: they travel as their state).
    """
    if obj is None or obj is True or obj is False:
        return obj
    t = type(obj)
    if t in keep:
        return obj
    if t is float or t is str:
        return obj
    if t is int:
        return obj if obj.bit_length() <= MAX_INT_BITS else Unrepresentable("int (too large)")
    if isinstance(obj, np.ndarray):
        return _array(obj)
    if isinstance(obj, np.generic):
        if isinstance(obj, np.bool_):
            return bool(obj)
        if isinstance(obj, np.integer):
            return int(obj)
        if isinstance(obj, np.floating):
            return float(obj)
        return Unrepresentable(f"{type_name(obj)} (dtype {obj.dtype})")
    if isinstance(obj, (list, tuple, dict)) and _depth >= MAX_DEPTH:
        return Unrepresentable(f"{type_name(obj)} (nested too deeply)")
    if isinstance(obj, tuple):
        return tuple(normalize(x, keep, _depth + 1) for x in tuple.__iter__(obj))
    if isinstance(obj, list):
        return [normalize(x, keep, _depth + 1) for x in list.__iter__(obj)]
    if isinstance(obj, dict):
        out = {}
        for key, value in dict.items(obj):
            if type(key) is not str:
                return Unrepresentable(f"{type_name(obj)} (keys must be str)")
            out[key] = normalize(value, keep, _depth + 1)
        return out
    if isinstance(obj, int):
        return normalize(int.__index__(obj))
    if isinstance(obj, float):
        return float.__float__(obj)
    if isinstance(obj, str):
        return str.__str__(obj)
    return Unrepresentable(type_name(obj))


def _array(obj: np.ndarray) -> Any:
    arr = np.ndarray.view(obj, np.ndarray)
    dt = arr.dtype
    if dt.fields is not None or dt.subdtype is not None:
        return Unrepresentable(f"{type_name(obj)} (dtype {dt})")
    if dt.kind == "f" and dt.itemsize > 8:
        return arr.astype(np.float64)
    if (dt.kind, dt.itemsize) not in ARRAY_DTYPES:
        return Unrepresentable(f"{type_name(obj)} (dtype {dt})")
    return np.array(arr, dtype=dt.newbyteorder("="), copy=True, order="C")


def fp_errstate(fp_errors: str | None) -> dict:
    """np.errstate arguments for `fp_errors` ("raise", "warn", "ignore" or None: NumPy's
    default); underflow to 0 is never an error."""
    if not fp_errors:
        return {}
    return {"over": fp_errors, "invalid": fp_errors, "divide": fp_errors, "under": "ignore"}
