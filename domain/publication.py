"""What public text must not carry (公示不含个人信息): the one rule, for every publishing command.

Every command that makes text public calls `check_public` with the identities its subject
withholds: an appeal's published reply, a meeting's minutes and decisions, a congress
proposal's assignment result and completion report, a golden-idea review's idea titles, a
disclosure's title and body. It refuses, naming the field and the kind of data found, never
the value:

- **A withheld identity**: an appellant's name, employee number or contact, the person id of
  someone the subject names. Text and value are compared after NFKC (full-width digits,
  letters and spaces become ASCII), case-folding and dropping invisible format characters
  (zero-width spaces); spaces next to a Chinese character do not count (王 建 国). A value
  with digits also matches as its digit and letter groups with the separators between them
  removed (spaces, hyphens and dashes, dots, parentheses, slashes, middle dots), so
  `136-5555-4444`, `１３６ ５５５５ ４４４４` and `+86 136 5555 4444` all read as 13655554444.
- **Anyone's phone or resident ID number**, withheld or not, read from the same groups:
  a mobile number (11 digits, 1[3-9]…, optionally after 86 / 0086) written whole, digit by
  digit, or as its three-digit network prefix (号段) and groups of three digits or more
  (`136 5555 4444`, `136-55554444`); a landline whose area code (010, 02x, 0xxx) stands
  apart from its 7–8-digit number (`0512-6888 1234`, `(010)88881234`); an 18-character
  resident ID number (身份证号, GB 11643) whose birth date is a real date and whose check
  character is right.

Not refused, so that ordinary text passes: case numbers (`HY-2026-000123`), dates, amounts,
article numbers, percentages (commas, units and Chinese characters end a number, and dates
and amounts do not group as a mobile number does); a landline number without its area code
(seven or eight digits, like any amount) or glued to it (`051268881234` reads like an invoice
code); 18-digit numbers whose date or check character is wrong (one random number in eleven
passes the check alone); 15-digit first-generation ID numbers (no check character, about one
random 15-digit number in thirty-five reads as one, and those cards lapsed on 2013-01-01).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from domain.errors import InvalidInput

MOBILE = "a mobile phone number"
LANDLINE = "a landline phone number"
RESIDENT_ID = "a resident ID number (身份证号)"

_SEPARATORS = " -./\\()·・•"
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−﹣", "-"))
_SPACES = re.compile(r"\s+")
_NEXT_TO_WIDE = re.compile(r" (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) ")
#: Digit groups, letter groups, separator runs (three characters at most), any other character.
_TOKENS = re.compile(
    rf"(?P<digits>[0-9]+)|(?P<letters>[a-z]+)|(?P<gap>[{re.escape(_SEPARATORS)}]{{1,3}})|.",
    re.DOTALL,
)
_MOBILE = re.compile(r"(?:0086|86)?(1[3-9]\d{9})")
_AREA = re.compile(r"0(?:10|2\d)|0[3-9]\d{2}")
#: After a three-digit area code (010, 02x) the number has 8 digits, after a four-digit one 7–8.
_SUBSCRIBER = {3: re.compile(r"[2-9]\d{7}"), 4: re.compile(r"[2-9]\d{6,7}")}
_RESIDENT_ID = re.compile(r"[1-8]\d{5}((?:19|20)\d{2})(\d{2})(\d{2})\d{3}[\dx]")
#: GB 11643-1999 (ISO 7064 MOD 11-2): weights of the 17 digits, check character by remainder.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10x98765432"


@dataclass(frozen=True)
class Identity:
    """One value that identifies someone a public text must not name: whose, what, the value."""

    whose: str  # "the appellant", "a participant"
    kind: str  # "name", "employee number", "contact", "person id"
    value: str


@dataclass(frozen=True)
class Withheld:
    """The identities a public text must not carry; `Withheld()` withholds nobody."""

    identities: tuple[Identity, ...] = ()

    @classmethod
    def appellant(
        cls, name: str, employee_no: str, contact: str = "", *, whose: str = "the appellant"
    ) -> Withheld:
        """An appellant's name, employee number and contact."""
        values = (("name", name), ("employee number", employee_no), ("contact", contact))
        return cls(tuple(Identity(whose, kind, v) for kind, v in values if v.strip()))

    @classmethod
    def people(cls, whose: str, person_ids: Iterable[str]) -> Withheld:
        """People a subject names by person id (participants, attendees, a proposer)."""
        return cls(tuple(Identity(whose, "person id", p) for p in person_ids if p.strip()))

    def __add__(self, other: Withheld) -> Withheld:
        return Withheld(self.identities + other.identities)


#: Withholds nobody: only anyone's phone and ID numbers are refused.
NO_ONE = Withheld()


def check_public(field: str, text: str, withheld: Withheld = NO_ONE) -> str:
    """`text` itself if it may go public; else `InvalidInput(field, …)` naming the kind of
    personal data found (never the value)."""
    found = personal_data_in(text, withheld)
    if found is None:
        return text
    if found in (MOBILE, LANDLINE, RESIDENT_ID):
        raise InvalidInput(field, f"contains {found}; no one's phone or ID number is published")
    raise InvalidInput(field, f"contains {found}; public text carries no personal data")


def personal_data_in(text: str, withheld: Withheld = NO_ONE) -> str | None:
    """What personal data `text` carries, first found (e.g. "the appellant's contact",
    "a mobile phone number"), or None."""
    folded = fold(text)
    squeezed = _NEXT_TO_WIDE.sub("", folded)
    chains = _chains(folded)
    values = [(identity, fold(identity.value).strip()) for identity in withheld.identities]
    joined = _joined_groups(chains, max((len(value) for _, value in values), default=0))
    for identity, value in values:
        # One character identifies no one, and would refuse every text that holds it.
        if len(value) > 1 and _carries(value, squeezed, joined):
            return f"{identity.whose}'s {identity.kind}"
    for groups, x_follows in _digit_runs(chains):
        if found := _number_in(groups, x_follows):
            return found
    return None


def fold(text: str) -> str:
    """NFKC, case-folded, without format characters (zero-width space, soft hyphen), every
    dash read as a hyphen and every run of white space as one space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _SPACES.sub(" ", text.translate(_DASHES))


# -- withheld identities -------------------------------------------------------------------


def _carries(value: str, squeezed: str, joined: frozenset[str]) -> bool:
    """Whether the text (squeezed, and as joined groups) carries the folded `value`."""
    if _contains(squeezed, _NEXT_TO_WIDE.sub("", value)):
        return True
    for key in _keys(value):
        mobile = _MOBILE.fullmatch(key)
        if key in joined or (mobile and {f"86{key}", f"0086{key}"} & joined):
            return True
    return False


def _contains(text: str, value: str) -> bool:
    """Whether `value` occurs in `text` other than as part of a longer number or word."""
    start = text.find(value)
    while start >= 0:
        end = start + len(value)
        before, after = text[start - 1 : start], text[end : end + 1]
        if not _continues(before, value[0]) and not _continues(after, value[-1]):
            return True
        start = text.find(value, start + 1)
    return False


def _continues(neighbour: str, edge: str) -> bool:
    if edge.isascii() and edge.isdigit():
        return neighbour.isascii() and neighbour.isdigit()
    if edge.isascii() and edge.isalpha():
        return neighbour.isascii() and neighbour.isalnum()
    return False


def _keys(folded: str) -> Iterator[str]:
    """What each digit-bearing run of a value reads as with its separators removed; a mobile
    number without its country code."""
    for chain in _chains(folded):
        key = "".join(chain)
        if any(ch.isdigit() for ch in key):
            mobile = _MOBILE.fullmatch(key)
            yield mobile.group(1) if mobile else key


def _joined_groups(chains: list[list[str]], longest: int) -> frozenset[str]:
    """Every run of consecutive groups of the text, joined, up to a length a value can match
    (a mobile number's country code is up to four characters more)."""
    limit = longest + 4
    joined: set[str] = set()
    for chain in chains:
        for start in range(len(chain)):
            text = ""
            for group in chain[start:]:
                text += group
                if len(text) > limit:
                    break
                joined.add(text)
    return frozenset(joined)


def _chains(folded: str) -> list[list[str]]:
    """The text's runs of ASCII digit and letter groups joined by separators (or by nothing,
    a letter group next to a digit group); any other character, or two separator runs in a
    row, ends a run."""
    chains: list[list[str]] = []
    chain: list[str] = []
    after_gap = False
    for match in _TOKENS.finditer(folded):
        if match.lastgroup in ("digits", "letters"):
            chain.append(match.group())
            after_gap = False
        elif match.lastgroup == "gap" and chain and not after_gap:
            after_gap = True
        else:
            if chain:
                chains.append(chain)
            chain, after_gap = [], False
    if chain:
        chains.append(chain)
    return chains


# -- anyone's phone and ID numbers ---------------------------------------------------------


def _digit_runs(chains: list[list[str]]) -> Iterator[tuple[list[str], bool]]:
    """The consecutive digit groups of each run, and whether the letter x follows them."""
    for chain in chains:
        groups: list[str] = []
        for group in chain:
            if group.isdigit():
                groups.append(group)
                continue
            if groups:
                yield groups, group == "x"
            groups = []
        if groups:
            yield groups, False


def _number_in(groups: list[str], x_follows: bool) -> str | None:
    """The kind of phone or ID number some consecutive `groups` make, if any."""
    for start in range(len(groups)):
        digits = ""
        for end in range(start, len(groups)):
            digits += groups[end]
            if len(digits) > 18:
                break
            part = groups[start : end + 1]
            if _is_mobile(part, digits):
                return MOBILE
            if _is_landline(part):
                return LANDLINE
            x_last = x_follows and end == len(groups) - 1
            if _is_resident_id(digits) or (x_last and _is_resident_id(digits + "x")):
                return RESIDENT_ID
    return None


def _is_mobile(groups: list[str], digits: str) -> bool:
    """Eleven digits of a mobile number, written whole, digit by digit, or as its network
    prefix (号段, three digits) and groups of three or more."""
    if _MOBILE.fullmatch(digits) is None:
        return False
    sizes = [len(group) for group in groups]
    grouped = sizes[0] == 3 and min(sizes[1:], default=0) >= 3
    return len(groups) == 1 or set(sizes) == {1} or grouped


def _is_landline(groups: list[str]) -> bool:
    area, number = groups[0], groups[1:]
    if not number or not _AREA.fullmatch(area) or min(len(g) for g in number) < 3:
        return False
    return _SUBSCRIBER[len(area)].fullmatch("".join(number)) is not None


def _is_resident_id(text: str) -> bool:
    match = _RESIDENT_ID.fullmatch(text)
    if match is None:
        return False
    try:
        date(*(int(part) for part in match.groups()))
    except ValueError:
        return False
    total = sum(int(digit) * weight for digit, weight in zip(text[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == text[-1]
