"""The AES key that encrypts events: from settings, or a development key kept beside the data."""

from __future__ import annotations

import os
from base64 import b64decode
from pathlib import Path

from eventsourcing.cryptography import AESCipher

from infrastructure.settings import Environment, Settings

DEV_KEY_FILE = "cipher.key"


class CipherKeyError(ValueError):
    """The configured cipher key cannot be used."""


def new_key() -> str:
    """A fresh 256-bit AES key, base64-encoded."""
    return AESCipher.create_key(32)


def check_key(key: str) -> str:
    """The key, if it decodes to 16, 24 or 32 bytes; a clear error otherwise."""
    try:
        size = len(b64decode(key.encode(), validate=True))
    except ValueError as error:
        raise CipherKeyError("HUIYIN_CIPHER_KEY is not valid base64") from error
    if size not in (16, 24, 32):
        raise CipherKeyError(f"HUIYIN_CIPHER_KEY decodes to {size} bytes; AES needs 16, 24 or 32")
    return key


def resolve_cipher_key(settings: Settings) -> str:
    """The configured key; in development without one, a key generated once and kept."""
    if settings.cipher_key is not None:
        return check_key(settings.cipher_key.get_secret_value())
    if settings.environment is Environment.PRODUCTION:
        raise CipherKeyError("HUIYIN_CIPHER_KEY must be set in production")
    path = Path(settings.data_dir) / DEV_KEY_FILE
    if path.exists():
        return check_key(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(key + "\n")
    return key
