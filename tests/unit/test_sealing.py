"""Sealing one value under a person's data key, and the master key that wraps those keys
(no I/O: keys made in memory)."""

from __future__ import annotations

import secrets
from uuid import uuid4

import pytest
from cryptography.exceptions import InvalidTag

from domain.personal_data import Shown
from infrastructure.keyring import DataKey
from infrastructure.keys import (
    CipherKeyError,
    KeyDoesNotOpen,
    check_strength,
    fingerprint,
    unwrap,
    wrap,
)
from infrastructure.sealed import Sealed, seal


def _key() -> DataKey:
    return DataKey.of(uuid4(), secrets.token_bytes(32))


def _open(key: DataKey, sealed: Sealed) -> str:
    aad = b"huiyin pd1 " + sealed.shown.value.encode() + sealed.key_id.bytes
    return key.cipher.decrypt(sealed.blob[:12], sealed.blob[12:], aad).decode()


def test_a_sealed_value_opens_with_its_key_and_travels_as_a_token() -> None:
    key = _key()

    sealed = seal(key, Shown.IDENTITY, "王建国")
    back = Sealed.from_token(sealed.token())

    assert back == sealed
    assert sealed.ref == str(key.key_id)
    assert "王建国" not in sealed.token()
    assert _open(key, back) == "王建国"


def test_a_token_relabelled_to_be_shown_more_widely_no_longer_opens() -> None:
    key = _key()
    sealed = seal(key, Shown.IDENTITY, "13800001234")
    relabelled = Sealed.of(Shown.WORDS, sealed.key_id, sealed.blob)

    with pytest.raises(InvalidTag):
        _open(key, relabelled)


def test_sealing_in_place_gives_the_same_token_each_time_and_a_fresh_one_otherwise() -> None:
    key = _key()

    assert seal(key, Shown.WORDS, "夜班", b"e1/2/title") == seal(
        key, Shown.WORDS, "夜班", b"e1/2/title"
    )
    assert seal(key, Shown.WORDS, "夜班", b"e1/2/title") != seal(
        key, Shown.WORDS, "夜班", b"e1/3/title"
    )
    assert seal(key, Shown.WORDS, "夜班") != seal(key, Shown.WORDS, "夜班")


@pytest.mark.parametrize("token", ["", "i.nothex.AAAA", "x.0123.AAAA", "i.a.b.c"])
def test_anything_but_a_token_is_refused(token: str) -> None:
    with pytest.raises(ValueError, match="not a sealed value"):
        Sealed.from_token(token)


def test_a_data_key_is_wrapped_by_one_master_key_and_bound_to_its_id() -> None:
    master, other = secrets.token_bytes(32), secrets.token_bytes(32)
    key_id, key = uuid4(), secrets.token_bytes(32)
    wrapped = wrap(master, key_id, key)

    assert unwrap(master, key_id, wrapped) == key
    with pytest.raises(KeyDoesNotOpen):
        unwrap(other, key_id, wrapped)
    with pytest.raises(KeyDoesNotOpen):
        unwrap(master, uuid4(), wrapped)  # moved to another key's row
    assert fingerprint(master) == fingerprint(master) != fingerprint(other)


@pytest.mark.parametrize(
    ("key", "complaint"),
    [
        (bytes(32), "distinct byte values"),
        (b"huiyin!!" * 4, "distinct byte values"),
        (bytes(range(32)), "counting sequence"),
        (bytes(range(0, 256, 8)), "counting sequence"),
        (secrets.token_bytes(16), "production needs 32"),
    ],
)
def test_a_key_no_random_generator_made_is_refused(key: bytes, complaint: str) -> None:
    with pytest.raises(CipherKeyError, match=complaint):
        check_strength(key)


def test_a_random_key_passes() -> None:
    check_strength(secrets.token_bytes(32))
