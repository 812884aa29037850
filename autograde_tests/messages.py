"""Messages of the hidden tests that name no cause: declared once with an id and an English
template, rendered in any language of the catalog (nnkit_contract/i18n.py, docs/translating.md).

    NOT_TUPLE = message("forward.not-tuple", "forward must return a tuple (logits, cache), got {kind}")
    raise Fail(NOT_TUPLE(kind=type(value).__name__))

`message(id, english)` registers the message in the same registry the catalogs are made from as
the diagnoses (grader/release/catalogs.py). Its key is scoped like a diagnosis's: a spec module's
message is `<assignment>:<function>.<what>` (two assignments may use one id with different
texts), a shared helper's is `<module>.<what>` (`compare.not-array`, `probes.train-not-tuple`).

Calling a message gives a `Text`: the id and the placeholder values, the values made plain
(str, int, float, bool, None, or another Text) when the text is made, so that the English is
the same bytes it was before and the values can be stored in a result (JSON) and rendered again,
in another language, later. A value is never a template: a student's answer that shows as
"{x}" or "%s" stays those characters in every language.
"""

from __future__ import annotations

import re
import string
import sys
from dataclasses import dataclass
from typing import Any

from nnkit_contract import i18n

#: Message ids: `<scope>.<what>`, lower case, words joined by "-" (what may hold dots).
_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_][a-z0-9_-]*)+$")
#: Scope -> declared messages by full key; the scopes are the assignments and "shared".
_DECLARED: dict[str, dict[str, Message]] = {}
SHARED_SCOPE = "shared"
#: Values kept as they are; anything else is rendered to text when a Text is made.
_PLAIN = (str, int, float, bool, type(None))


def _fields(template: str) -> dict[str, list[tuple[str | None, str]]]:
    """placeholder -> its (conversion, format spec) uses in `template`."""
    out: dict[str, list[tuple[str | None, str]]] = {}
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is not None:
            if not name.isidentifier():
                raise ValueError(f"placeholder {{{name}}} of {template!r} is not a plain name")
            out.setdefault(name, []).append((conversion, spec or ""))
    return out


def _plain(value: Any, uses: list[tuple[str | None, str]]) -> Any:
    """`value` as a value that renders to the same text in the uses of its placeholder and can
    be stored as JSON: plain values and Texts as they are, NumPy numbers as Python numbers when a
    format spec needs the number, everything else (shapes, dtypes, arrays) as its text."""
    if isinstance(value, Text) or type(value) in _PLAIN:
        return value
    if all(conv is None and not spec for conv, spec in uses):
        return format(value, "")
    import numpy as np

    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    try:   # a number of another kind; a placeholder with a spec takes numbers only
        return float(value)
    except (TypeError, ValueError):
        return format(value, "")


class Text:
    """A message with its values: `str(text)` is the English, `text.render(lang)` any language.

    `message_id`: the catalog key; `english`: the declared English template (a diagnosis's or a
    message's own, so English never depends on the catalog); `values`: placeholder -> plain value
    or Text (nested texts render in the same language)."""

    __slots__ = ("message_id", "english", "values")

    def __init__(self, message_id: str, english: str, values: dict[str, Any]):
        fields = _fields(english)
        missing = sorted(set(fields) - set(values))
        if missing:
            raise KeyError(f"message {message_id}: no value for {', '.join(missing)}")
        self.message_id = message_id
        self.english = english
        self.values = {k: _plain(v, fields.get(k, [(None, "")])) for k, v in values.items()}

    def render(self, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
        values = {k: v.render(lang) if isinstance(v, Text) else v for k, v in self.values.items()}
        return i18n.template(self.message_id, lang, self.english).format(**values)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Text({self.message_id!r}, {self.values!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Text) and self.message_id == other.message_id
                and self.values == other.values)

    __hash__ = None   # mutable values

    def to_json(self) -> dict:
        """{"id": ..., "values": {...}}, a nested text as such a dict itself."""
        return {"id": self.message_id,
                "values": {k: v.to_json() if isinstance(v, Text) else v
                           for k, v in self.values.items()}}

    @classmethod
    def from_json(cls, data: dict) -> Text:
        """The Text a result stored (`to_json`); its English from the catalog (KeyError for an id
        the catalog does not know)."""
        values = {k: cls.from_json(v) if isinstance(v, dict) else v
                  for k, v in data.get("values", {}).items()}
        return cls(data["id"], i18n.template(data["id"], i18n.DEFAULT_LANGUAGE), values)


def render(value: Any, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """A Text in `lang`, anything else as its text."""
    return value.render(lang) if isinstance(value, Text) else str(value)


@dataclass(frozen=True)
class Message:
    """A declared message: `key` (the catalog id), `english` (its template). Call it with the
    placeholder values to get its Text."""

    key: str
    english: str

    def __call__(self, **values: Any) -> Text:
        return Text(self.key, self.english, values)

    @property
    def placeholders(self) -> set[str]:
        return i18n.placeholders(self.english)


def _scope_of_caller(depth: int = 2) -> str:
    module = sys._getframe(depth).f_globals["__name__"]
    parts = module.split(".")
    if len(parts) >= 3 and parts[0] == "autograde_tests" and parts[2] == "specs":
        return parts[1]
    if parts[0] == "autograde_tests" and len(parts) == 2:
        return SHARED_SCOPE
    raise ValueError(f"messages are declared in spec modules or autograde_tests' helpers, not in "
                     f"{module}")


def message(id: str, english: str) -> Message:
    """Declare a message (in a spec module: for its assignment, key `<assignment>:<id>`; in a
    shared helper: key `<module>.<what>`, the id itself)."""
    if not _ID.match(id):
        raise ValueError(f"message id {id!r} is not <scope>.<what> (lower case, '-' between words)")
    scope = _scope_of_caller()
    _fields(english)   # plain placeholder names only
    if scope == SHARED_SCOPE:
        module = sys._getframe(1).f_globals["__name__"].split(".")[-1]
        if id.split(".", 1)[0] != module:
            raise ValueError(f"a message of autograde_tests.{module} has an id {module}.<what>, "
                             f"not {id!r}")
        key = id
    else:
        key = f"{scope}:{id}"
    table = _DECLARED.setdefault(scope, {})
    if key in table and table[key].english != english:
        raise ValueError(f"message {key} declared twice")
    table[key] = Message(key, english)
    return table[key]


def declared(assignment: str) -> dict[str, Message]:
    """The messages the hidden tests of `assignment` may show: its own and the shared ones."""
    from autograde_tests import engine

    engine.all_checks(assignment)   # imports the spec modules, which declare their messages
    return {**_DECLARED.get(SHARED_SCOPE, {}), **_DECLARED.get(assignment, {})}
