"""Checks on values every aggregate shares: text, moments, links and identifiers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from domain import limits
from domain.errors import InvalidInput

#: Why text holding U+0000 is refused (the API says the same of any field or parameter).
NUL_REFUSED = "must not contain the NUL character (U+0000)"


def clean_text(field: str, value: str | None, limit: int, *, required: bool = True) -> str:
    """Trimmed text within its size limit; refuses empty text where text is required, and
    the NUL character: nobody types it, and the views' text columns cannot hold it."""
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(field, "must not be empty")
    if "\x00" in text:
        raise InvalidInput(field, NUL_REFUSED)
    if len(text) > limit:
        raise InvalidInput(field, f"is {len(text)} characters long; the limit is {limit}")
    return text


def check_aware(field: str, moment: datetime) -> datetime:
    """The moment itself, if it carries a time zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(field, f"{moment.isoformat()} has no time zone")
    return moment


def check_ahead(field: str, moment: datetime, at: datetime) -> datetime:
    """The moment itself, if it carries a time zone and lies after `at`."""
    check_aware(field, moment)
    if moment <= at:
        raise InvalidInput(field, f"{moment.isoformat()} is in the past")
    return moment


def clean_url(field: str, value: str) -> str:
    """A trimmed absolute http(s) link; anything else is refused."""
    url = clean_text(field, value, limits.URL)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        raise InvalidInput(field, f"{url!r} is not an http(s) link")
    return url


def clean_ids(field: str, values: Iterable[str], limit: int = limits.PERSON_ID) -> list[str]:
    """Trimmed, non-empty identifiers without repeats, in the order given."""
    cleaned = [clean_text(field, value, limit) for value in values]
    repeated = sorted({value for value in cleaned if cleaned.count(value) > 1})
    if repeated:
        raise InvalidInput(field, f"named more than once: {', '.join(repeated)}")
    return cleaned
