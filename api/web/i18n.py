"""The pages' languages: Chinese is written in the templates; English comes from the
catalogues in `api/web/locale/*.toml` (one per area of pages), each mapping a Chinese text to
its English. `_("…")` in a template or a page module looks a text up; a missing English text
shows the Chinese (and `tests/unit/test_web_catalogue.py` fails on it).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from enum import StrEnum
from functools import cache
from pathlib import Path

from starlette.requests import Request

LOCALE = Path(__file__).parent / "locale"
#: A function from a Chinese text to the reader's language.
Translate = Callable[[str], str]
#: The cookie keeping the reader's choice of language.
LANGUAGE_COOKIE = "huiyin_lang"


class Language(StrEnum):
    """The languages the pages speak."""

    ZH = "zh-CN"  # the default: written in the templates
    EN = "en"


@cache
def english() -> Mapping[str, str]:
    """Every catalogue's Chinese → English, merged (a text repeated across catalogues must
    agree; the catalogue test checks)."""
    merged: dict[str, str] = {}
    for catalogue in sorted(LOCALE.glob("*.toml")):
        merged.update(tomllib.loads(catalogue.read_text(encoding="utf-8")))
    return merged


def language_of(request: Request) -> Language:
    """The reader's language: their cookie's choice, else Chinese."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return Language.EN if chosen == Language.EN.value else Language.ZH


def translator(language: Language) -> Translate:
    """`_` for a template or page in `language`."""
    if language is Language.ZH:
        return _chinese
    table = english()
    return lambda text: table.get(text, text)


def _chinese(text: str) -> str:
    return text
