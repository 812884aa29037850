"""The message catalogs (docs/translating.md): every translation has its English's placeholders,
the compiled catalog is what the declarations and the .po files give, and translating changes no
English text."""

from __future__ import annotations

import json
import re
import string

import pytest

from autograde_tests import diagnosis, engine
from autograde_tests.compare import Fail
from autograde_tests.messages import declared as declared_texts
from grader.course import course_file
from grader.errors import UsageError
from grader.release import catalogs
from nnkit_contract import i18n
from nnkit_contract.i18n import placeholders, translate

#: Assignments whose every diagnosis and every other message of their hidden tests must already be
#: in German (the others are on their way: docs/translating.md lists what is left).
TRANSLATED = {"de": ["nn_from_scratch", "training_networks", "computation_graphs"]}


@pytest.fixture(autouse=True)
def _compiled_catalog():
    i18n.use_catalog(None)
    yield
    i18n.use_catalog(None)


def test_every_translation_has_the_placeholders_of_its_english():
    problems = []
    for path in catalogs.po_files().values():
        for mid, entry in catalogs.read_po(path).items():
            if entry.text and placeholders(entry.text) != placeholders(entry.english):
                problems.append(f"{path.name} {mid}: {sorted(placeholders(entry.text))} vs "
                                f"{sorted(placeholders(entry.english))}")
    assert not problems, "\n".join(problems)


def _fields(template: str) -> list[tuple[str, str, str]]:
    """Every replacement field of `template` as (name, conversion, format spec), in order of name."""
    return sorted((name, conversion or "", spec or "")
                  for _, name, spec, conversion in string.Formatter().parse(template) if name)


def _code_spans(template: str) -> list[str]:
    return sorted(re.findall(r"`[^`]*`", template))


def test_every_translation_keeps_each_placeholder_and_code_span_exactly():
    """Not only the names: a `{scheme!r}` stays `{scheme!r}` and a `{x:.3g}` keeps its format, so
    a value reads the same in every language; and a `code` span (an argument's name) is code, never
    translated."""
    problems = []
    for path in catalogs.po_files().values():
        for mid, entry in catalogs.read_po(path).items():
            if entry.text and _fields(entry.text) != _fields(entry.english):
                problems.append(f"{path.name} {mid}: {_fields(entry.text)} vs {_fields(entry.english)}")
            if entry.text and _code_spans(entry.text) != _code_spans(entry.english):
                problems.append(f"{path.name} {mid}: {_code_spans(entry.text)} vs "
                                f"{_code_spans(entry.english)}")
    assert not problems, "\n".join(problems)


@pytest.mark.gate
def test_compiled_catalog_and_template_are_up_to_date():
    assert catalogs.COMPILED.read_bytes() == catalogs.compiled_bytes(), "run `grader release`"
    assert catalogs.TEMPLATE.read_bytes() == catalogs.template_bytes(), "run `grader release`"


def test_the_catalog_english_is_each_diagnosis_declared_template():
    compiled = json.loads(catalogs.COMPILED.read_text(encoding="utf-8"))
    for assignment in engine.assignments():
        for d in diagnosis.declared(assignment).values():
            assert compiled[d.message_id]["en"] == d.message, d.message_id
            assert compiled[d.label_id]["en"] == d.label, d.label_id


@pytest.mark.parametrize("lang,assignment", [(lang, a) for lang, names in TRANSLATED.items()
                                             for a in names])
def test_every_message_of_a_translated_assignment_is_translated(lang, assignment):
    """Every diagnosis of the assignment and every other message its hidden tests declare
    (`<assignment>:<id>`, autograde_tests.messages): not fuzzy, not empty, and made from the current
    English (a changed English text leaves its translation out until a TA has re-read it)."""
    compiled = catalogs.compiled()
    ids = [d.message_id for d in diagnosis.declared(assignment).values()]
    ids += [d.label_id for d in diagnosis.declared(assignment).values()]   # "Cause (confirmed): ..."
    ids += [key for key in declared_texts(assignment) if key.startswith(f"{assignment}:")]
    assert len(ids) > len(diagnosis.declared(assignment))   # the specs' own messages are counted
    missing = [mid for mid in ids if lang not in compiled[mid]]
    assert not missing, f"no current {lang} text (see {lang}.po) for: {', '.join(missing)}"


@pytest.mark.parametrize("lang,assignment", [(lang, a) for lang, names in TRANSLATED.items()
                                             for a in names])
def test_one_english_label_has_one_translation(lang, assignment):
    """Reports count the causes by their label ("training does not learn" is the label of three
    diagnoses): diagnoses of one label keep one label in every language."""
    compiled, by_label = catalogs.compiled(), {}
    declared = diagnosis.declared(assignment).values()
    for d in declared:
        by_label.setdefault(d.label, set()).add(compiled[d.label_id].get(lang))
    assert len(by_label) > len(declared) / 2   # labels are mostly distinct: the test sees them
    assert not {label: found for label, found in by_label.items() if len(found) > 1}


def test_a_fuzzy_stale_or_empty_translation_is_left_out():
    messages = {"a.x": "{n} apples", "a.y": "{n} pears", "a.z": "plums", "a.w": "figs"}
    entries = {"a.x": catalogs.Entry("{n} apples", "{n} Äpfel", False),
               "a.y": catalogs.Entry("{n} pear", "{n} Birnen", False),      # English changed since
               "a.z": catalogs.Entry("plums", "Pflaumen", True),            # fuzzy
               "a.w": catalogs.Entry("figs", "", False)}                    # not yet translated
    assert catalogs.compiled(messages, {"de": entries}) == {
        "a.x": {"en": "{n} apples", "de": "{n} Äpfel"}, "a.y": {"en": "{n} pears"},
        "a.z": {"en": "plums"}, "a.w": {"en": "figs"}}


def test_translate_falls_back_to_english_and_refuses_an_unknown_id():
    i18n.use_catalog({"a.x": {"en": "{n} apples", "de": "{n} Äpfel"}, "a.y": {"en": "pears"}})
    assert translate("a.x", "de", n=3) == "3 Äpfel"
    assert translate("a.x", "en", n=3) == "3 apples"
    assert translate("a.y", "de") == "pears"
    with pytest.raises(KeyError):
        translate("a.nope", "de")
    with pytest.raises(KeyError):
        translate("a.x", "de")   # a placeholder without its value


def test_english_rendering_never_reads_the_catalog():
    """A diagnosis in English is its own template, whatever the catalog says (the English release
    and English feedback stay byte-identical); German comes from the catalog."""
    d = diagnosis.declared("nn_from_scratch")["train.drop-last"]
    i18n.use_catalog({d.message_id: {"en": "something else {n} {batch_size}", "de": "Deutsch {n} {batch_size}"}})
    assert d.render(n=5, batch_size=2) == d.message.format(n=5, batch_size=2)
    assert d.render("en", n=5, batch_size=2) == d.message.format(n=5, batch_size=2)
    assert d.render("de", n=5, batch_size=2) == "Deutsch 5 2"


def test_a_failure_keeps_its_values_to_be_told_in_another_language():
    d = diagnosis.declared("nn_from_scratch")["train.drop-last"]
    fail = Fail.of(d, n=5, batch_size=2)
    assert fail.message == d.render(n=5, batch_size=2)
    assert fail.cause.render("de", **fail.values) == (
        "train liefert genau dasselbe wie ein Lauf, der den letzten, kleineren Mini-Batch jeder Epoche "
        "auslässt (N = 5, batch_size = 2): auch auf ihm muss trainiert werden")


def test_course_languages_default_to_english_and_must_have_a_catalog():
    assert course_file.parse({}).languages == ("en",)
    assert course_file.parse({"languages": ["en", "de"]}).languages == ("en", "de")
    assert course_file.parse({"languages": ["de", "en"]}).languages == ("de", "en")
    for bad in (["fr"], [], "de", ["de", "de"], [1]):
        with pytest.raises(UsageError, match="languages"):
            course_file.parse({"languages": bad})
