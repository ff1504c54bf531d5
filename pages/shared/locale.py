"""The interface language: English or Japanese, and the translation of interface text.

No Streamlit here, so figure builders and formats use it too. The page frame sets the language
at the start of every script run (from the sidebar switch, bound to `?lang=`); a ContextVar
keeps it per script thread, so concurrent sessions in one server never see each other's choice.
Interface text is written in English in the code and wrapped in `_()`; the Japanese text comes
from the catalogs in pages/translations/ (a test checks every `_()` string has one). A text with
a count goes through `plural()` with its English singular and plural; Japanese has one form, so
the catalogs give both the same Japanese text.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar

from pages.translations import JA

ENGLISH = "en"
JAPANESE = "ja"
LANGUAGES = {ENGLISH: "English", JAPANESE: "日本語"}
# The babel locale of each language: number, date and currency formats follow it.
BABEL_LOCALES = {ENGLISH: "en_US", JAPANESE: "ja_JP"}

_language: ContextVar[str] = ContextVar("language", default=ENGLISH)


def set_language(code: str) -> None:
    """Make code ("en" or "ja"; anything else means English) the language of this script run."""
    _language.set(code if code in LANGUAGES else ENGLISH)


def language() -> str:
    """Return the code of the current interface language ("en" or "ja")."""
    return _language.get()


def babel_locale() -> str:
    """Return the babel locale formats follow ("en_US" or "ja_JP")."""
    return BABEL_LOCALES[language()]


def _(text: str) -> str:
    """Return text in the current language (English text is its own translation)."""
    if language() == JAPANESE:
        return JA.get(text, text)
    return text


def plural(n: float, one: str, other: str) -> str:
    """Return the current language's text of one when n is 1, else of other."""
    return _(one if n == 1 else other)


def every_language(text: str) -> set[str]:
    """Return text as written in each interface language."""
    return {text, JA.get(text, text)}


def label_in_language(value: str, labels: Iterable[str]) -> str:
    """Return the label (one of labels, in English) that value is in either language, as the
    current language writes it; value itself when it is none of them."""
    for label in labels:
        if value in every_language(label):
            return _(label)
    return value
