"""The Japanese catalog of the metric definitions covers every field and keeps codes intact."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from analytics.definitions import all_definitions
from pages import translations
from pages.shared.formatting import escape_markdown
from pages.shared.locale import ENGLISH, JAPANESE, set_language
from pages.shared.widgets import definition_text
from pages.translations.definitions import JA

FIELDS = ("label", "numerator", "denominator", "anchor", "excludes")
# Hiragana, katakana or kanji: the text is written in Japanese, not left in English.
JAPANESE_TEXT = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# Column names and codes (closed_at, won_amount, follow_up), numbers and arithmetic signs are
# read by people who compare them with the data, so they stay as written.
CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b|\d+(?:\.\d+)?%?|[÷×−±Σ+=]|\(created\)")
# A field made of nothing but symbols, digits or one code has no words to translate.
PURE_CODE = re.compile(r"[\W\d_]*|[a-z]+(?:_[a-z]+)+")


def _field_texts() -> dict[str, str]:
    """Return every distinct field text of every definition, with where it is first used."""
    texts: dict[str, str] = {}
    for key, definition in all_definitions().items():
        for field in FIELDS:
            text = getattr(definition, field)
            if text:
                texts.setdefault(text, f"{key}.{field}")
    return texts


TEXTS = _field_texts()


@pytest.fixture
def japanese() -> Iterator[None]:
    set_language(JAPANESE)
    yield
    set_language(ENGLISH)


def test_every_definition_field_has_a_japanese_entry():
    missing = [where for text, where in TEXTS.items() if not JA.get(text, "").strip()]
    assert missing == []


def test_entries_are_japanese_not_english_copies():
    untranslated = [
        where
        for text, where in TEXTS.items()
        if not PURE_CODE.fullmatch(text)
        and (JA[text] == text or not JAPANESE_TEXT.search(JA[text]))
    ]
    assert untranslated == []


def test_placeholders_are_kept():
    changed = [
        where
        for text, where in TEXTS.items()
        if sorted(PLACEHOLDER.findall(JA[text])) != sorted(PLACEHOLDER.findall(text))
    ]
    assert changed == []


def test_codes_numbers_and_signs_are_kept():
    lost = {
        where: sorted(set(CODE.findall(text)) - set(CODE.findall(JA[text])))
        for text, where in TEXTS.items()
    }
    assert {where: codes for where, codes in lost.items() if codes} == {}


def test_catalog_holds_no_stale_entries():
    assert sorted(set(JA) - set(TEXTS)) == []


def test_no_other_catalog_overrides_these_entries():
    overridden = sorted(text for text in JA if translations.JA[text] != JA[text])
    assert overridden == []


def test_the_card_shows_every_field_in_japanese(japanese):
    for definition in all_definitions().values():
        card = definition_text(definition)
        for field in FIELDS:
            text = getattr(definition, field)
            if text:
                assert escape_markdown(JA[text]) in card, (definition.key, field)
