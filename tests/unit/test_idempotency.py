"""Idempotency keys: which requests are the same, which ids they get, what is refused."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import pytest

from application.idempotency import Idempotency, canonical, check_key
from application.receipts import RECEIPT_ALPHABET, receipt_code_from
from domain.actors import Actor, Role
from domain.errors import InvalidInput, KeyReused
from domain.terms import Channel

CLERK = Actor("clerk-1", Role.UNION_STAFF)
KEY = "0b7d2c1e-5a4f-4e8b-9d3c-6f1a2b3c4d5e"
CIPHER_KEY = bytes(range(32))


class Ledger:
    """The first digest each scope is claimed with, as the support store keeps it."""

    def __init__(self) -> None:
        self.digests: dict[UUID, str] = {}

    def claim_key(self, scope: UUID, digest: str) -> bool:
        return self.digests.setdefault(scope, digest) == digest


def keys(cipher_key: bytes = CIPHER_KEY) -> Idempotency:
    return Idempotency(cipher_key, Ledger())


def test_the_same_key_for_the_same_request_claims_the_same_id() -> None:
    idempotency = keys()

    first = idempotency.claim(KEY, CLERK, "raise_appeal", {"title": "宿舍漏水"})
    first.confirm()
    again = idempotency.claim(KEY, CLERK, "raise_appeal", {"title": "宿舍漏水"})
    again.confirm()

    assert again == first
    assert first.id.version == 4
    assert first.derived("receipt code") == again.derived("receipt code")


def test_a_key_sent_again_with_another_request_is_refused() -> None:
    idempotency = keys()
    idempotency.claim(KEY, CLERK, "raise_appeal", {"title": "宿舍漏水"}).confirm()
    other = idempotency.claim(KEY, CLERK, "raise_appeal", {"title": "食堂太贵"})

    with pytest.raises(KeyReused, match="already used for a different request"):
        other.confirm()


def test_a_key_is_not_recorded_until_its_request_confirms_it() -> None:
    idempotency = keys()
    idempotency.claim(KEY, CLERK, "raise_appeal", {"title": "宿舍漏水"})  # refused, say

    idempotency.claim(KEY, CLERK, "raise_appeal", {"title": "宿舍漏水（改正）"}).confirm()


@pytest.mark.parametrize(
    ("actor", "operation", "key"),
    [
        (Actor("clerk-2", Role.UNION_STAFF), "raise_appeal", KEY),
        (Actor("clerk-1", Role.ADMIN), "raise_appeal", KEY),
        (CLERK, "schedule_meeting", KEY),
        (CLERK, "raise_appeal", KEY.upper()),
    ],
)
def test_another_actor_role_operation_or_key_is_another_request(
    actor: Actor, operation: str, key: str
) -> None:
    idempotency = keys()
    first = idempotency.claim(KEY, CLERK, "raise_appeal", {"title": "宿舍漏水"})
    first.confirm()

    other = idempotency.claim(key, actor, operation, {"title": "食堂太贵"})
    other.confirm()

    assert other.id != first.id


def test_ids_depend_on_the_secret_so_they_tell_nothing_without_it() -> None:
    one = keys(bytes(32)).claim(KEY, CLERK, "raise_appeal", {})
    other = keys(bytes([1] * 32)).claim(KEY, CLERK, "raise_appeal", {})

    assert one.id != other.id


@pytest.mark.parametrize(
    "key",
    [
        "short-key",
        "x" * 256,
        "has space in it!!",
        "中文的幂等键一二三四五六七八九十",
        "tab\tinside-the-key-x",
    ],
)
def test_keys_must_be_long_visible_ascii(key: str) -> None:
    with pytest.raises(InvalidInput, match="16 to 255 visible ASCII"):
        check_key(key)


@dataclass(frozen=True)
class Draft:
    channel: Channel
    tags: frozenset[str]


def test_the_canonical_request_does_not_depend_on_order() -> None:
    one = canonical({"b": 1, "draft": Draft(Channel.TALK_SESSION, frozenset({"x", "y", "z"}))})
    other = canonical({"draft": Draft(Channel.TALK_SESSION, frozenset({"z", "y", "x"})), "b": 1})

    assert one == other
    assert '"channel":"talk_session"' in one


def test_a_receipt_code_is_made_of_its_alphabet_in_four_groups() -> None:
    code = receipt_code_from(bytes(range(200, 216)))

    groups = code.split("-")
    assert [len(group) for group in groups] == [4, 4, 4, 4]
    assert set("".join(groups)) <= set(RECEIPT_ALPHABET)
    with pytest.raises(ValueError, match="16 random bytes"):
        receipt_code_from(b"too short")
