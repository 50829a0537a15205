"""The master key (`HUIYIN_CIPHER_KEY`): from settings, or a development key kept beside the
data; refused when weak in production; and how it wraps the keys of the key table.

The master key encrypts no data itself: it wraps the store key and every person's data key
(`infrastructure.keyring`), so that rotating it rewrites no event.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import os
import secrets
from base64 import b64decode
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher

from infrastructure.settings import Environment, Settings

DEV_KEY_FILE = "cipher.key"

#: A production key's length: AES-256.
PRODUCTION_KEY_BYTES = 32

#: Fewer distinct byte values than this in a 32-byte key is not chance (a random key has
#: about 30; fewer than 16 happens with odds below 1 in 10^20): someone typed it.
MIN_DISTINCT_BYTES = 16

_NONCE = 12


class CipherKeyError(ValueError):
    """The configured cipher key cannot be used."""


class KeyDoesNotOpen(CipherKeyError):
    """The master key cannot unwrap this store's keys (or decrypt its events)."""


def new_key() -> str:
    """A fresh 256-bit AES key, base64-encoded."""
    return AESCipher.create_key(PRODUCTION_KEY_BYTES)


def decode_key(key: str) -> bytes:
    """The key's bytes, if it decodes to 16, 24 or 32 bytes; a clear error otherwise."""
    try:
        raw = b64decode(key.encode(), validate=True)
    except ValueError as error:
        raise CipherKeyError("HUIYIN_CIPHER_KEY is not valid base64") from error
    if len(raw) not in (16, 24, 32):
        raise CipherKeyError(
            f"HUIYIN_CIPHER_KEY decodes to {len(raw)} bytes; AES needs 16, 24 or 32"
        )
    return raw


def check_strength(raw: bytes) -> None:
    """Refuses a key no random generator made: too short for production, too few distinct
    byte values (all zeros, a repeated word), or a counting sequence."""
    if len(raw) < PRODUCTION_KEY_BYTES:
        raise CipherKeyError(
            f"HUIYIN_CIPHER_KEY is {len(raw)} bytes; production needs {PRODUCTION_KEY_BYTES}"
            " (make one with `huiyin key new`)"
        )
    if len(set(raw)) < MIN_DISTINCT_BYTES:
        raise CipherKeyError(
            f"HUIYIN_CIPHER_KEY has only {len(set(raw))} distinct byte values: it is not a"
            " random key (make one with `huiyin key new`)"
        )
    if len({(b - a) % 256 for a, b in itertools.pairwise(raw)}) == 1:
        raise CipherKeyError(
            "HUIYIN_CIPHER_KEY is a counting sequence, not a random key"
            " (make one with `huiyin key new`)"
        )


def resolve_cipher_key(settings: Settings) -> bytes:
    """The configured master key (checked for strength in production); in development
    without one, a key generated once and kept beside the data."""
    if settings.cipher_key is not None:
        raw = decode_key(settings.cipher_key.get_secret_value())
        if settings.environment is Environment.PRODUCTION:
            check_strength(raw)
        return raw
    if settings.environment is Environment.PRODUCTION:
        raise CipherKeyError("HUIYIN_CIPHER_KEY must be set in production")
    path = Path(settings.data_dir) / DEV_KEY_FILE
    if path.exists():
        return decode_key(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(key + "\n")
    return decode_key(key)


def fingerprint(master: bytes) -> str:
    """A name for a master key that does not reveal it (kept with the keys it wraps)."""
    return hmac.new(master, b"huiyin master key id", hashlib.sha256).hexdigest()[:16]


def wrap(master: bytes, key_id: UUID, key: bytes) -> bytes:
    """`key` encrypted under the master key, bound to its id (AES-GCM)."""
    nonce = secrets.token_bytes(_NONCE)
    return nonce + AESGCM(master).encrypt(nonce, key, b"huiyin key " + key_id.bytes)


def unwrap(master: bytes, key_id: UUID, wrapped: bytes) -> bytes:
    """The key `wrap` wrapped; KeyDoesNotOpen when this master key did not wrap it."""
    try:
        return AESGCM(master).decrypt(
            wrapped[:_NONCE], wrapped[_NONCE:], b"huiyin key " + key_id.bytes
        )
    except (InvalidTag, ValueError) as error:
        raise KeyDoesNotOpen(f"the master key does not unwrap key {key_id}") from error
