"""A person's value sealed under their own data key: the token it travels as, sealing and
opening it, and how the event transcoder reads it (opened, or left sealed).

Each value `domain.personal_data` declares personal is stored inside the event as a token
(`Sealed`): AES-GCM under the person's data key (`infrastructure.keyring`), bound to that
key's id and to whom it may be shown, so a token relabelled to be shown more widely no
longer opens. Once the key is destroyed the value reads as erased.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from base64 import urlsafe_b64decode, urlsafe_b64encode
from uuid import UUID

from eventsourcing.persistence import Transcoding

from domain.personal_data import Shown, erased
from infrastructure.keyring import DataKey, Keyring

_NONCE = 12


class Sealed:
    """A person's value, sealed under their data key: kept as its token,
    `shown.key-id.bytes` (who may see it, whose key, nonce and ciphertext in URL-safe
    base64), and taken apart only when asked (a rebuild passes millions through)."""

    __slots__ = ("_token",)

    def __init__(self, token: str) -> None:
        self._token = token

    @classmethod
    def of(cls, shown: Shown, key_id: UUID, blob: bytes) -> Sealed:
        """The sealed value with these parts."""
        return cls(f"{shown.value}.{key_id.hex}.{urlsafe_b64encode(blob).decode()}")

    @classmethod
    def from_token(cls, token: str) -> Sealed:
        """The sealed value a token holds; ValueError for anything else."""
        if not _TOKEN.fullmatch(token):
            raise ValueError("not a sealed value's token")
        return cls(token)

    @property
    def shown(self) -> Shown:
        """To whom the value may be shown."""
        return Shown(self._token[0])

    @property
    def key_id(self) -> UUID:
        """The id of the key it is sealed under."""
        return UUID(hex=self._token[2:34])

    @property
    def blob(self) -> bytes:
        """Nonce, then ciphertext and tag."""
        return urlsafe_b64decode(self._token[35:])

    @property
    def ref(self) -> str:
        """The person's reference: their key's id (names nobody once the key is gone)."""
        h = self._token[2:34]
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def token(self) -> str:
        """The sealed value as text."""
        return self._token

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other._token == self._token

    def __hash__(self) -> int:
        return hash(self._token)

    def __repr__(self) -> str:
        return f"Sealed({self._token[:34]}…)"


#: What a token looks like.
_TOKEN = re.compile(r"[iw]\.[0-9a-f]{32}\.[A-Za-z0-9_-]+={0,2}")


def _aad(shown: Shown, key_id: UUID) -> bytes:
    return b"huiyin pd1 " + shown.value.encode() + key_id.bytes


def seal(key: DataKey, shown: Shown, value: str, place: bytes | None = None) -> Sealed:
    """`value` sealed under a person's key, for readers allowed `shown`. With `place` (where
    the value is stored, unchanging), the nonce is derived from it and the value, so the
    same value there seals to the same token each time; otherwise it is random."""
    data = value.encode()
    if place is None:
        nonce = secrets.token_bytes(_NONCE)
    else:
        nonce = hmac.new(key.nonce_key, place + b"\x00" + data, hashlib.sha256).digest()[:_NONCE]
    sealed = key.cipher.encrypt(nonce, data, _aad(shown, key.key_id))
    return Sealed.of(shown, key.key_id, nonce + sealed)


def unseal(keyring: Keyring, sealed: Sealed) -> str:
    """The value sealed, or what erased data reads as once its key was destroyed."""
    key = keyring.key(sealed.key_id)
    if key is None:
        return erased(sealed.key_id.hex)
    blob = sealed.blob
    plain = key.cipher.decrypt(blob[:_NONCE], blob[_NONCE:], _aad(sealed.shown, sealed.key_id))
    return plain.decode()


class SealedAsText(Transcoding):
    """Sealed values, stored as tokens and read back opened (the applications' view)."""

    type = Sealed
    name = "pd"

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def encode(self, obj: Sealed) -> str:
        return obj.token()

    def decode(self, data: str) -> str:
        return unseal(self.keyring, Sealed.from_token(data))


class SealedAsToken(SealedAsText):
    """Sealed values, read back still sealed (the views' view)."""

    def decode(self, data: str) -> Sealed:  # type: ignore[override]
        return Sealed.from_token(data)
