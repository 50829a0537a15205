"""Each person's data inside events, sealed under their own data key (crypto-shredding).

Before an event is encoded, every value `domain.personal_data` declares personal is replaced
by a `Sealed` token: the value encrypted (AES-GCM) under its person's key from the key table
(`infrastructure.keyring`), bound to that key's id and to whom it may be shown. The whole
event is then encrypted under the store key as before, so the tokens are never in clear.

Reading back, the applications' mapper (`SealingMapper`) opens each token, or reads it as
erased when its key was destroyed. The views' mapper (`TokenMapper`) leaves tokens sealed:
a view keeps the token and the person's reference (the key id), never the value, and a read
opens it for those the policy lets see it (`api.personal_data`). Events written before the
key table existed hold their personal values in clear; the views' mapper seals those on the
way in, so no view ever holds one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from base64 import b64encode, urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import Application, Cache, LRUCache
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import (
    Cipher,
    Compressor,
    Mapper,
    StoredEvent,
    Transcoder,
    Transcoding,
)
from eventsourcing.utils import Environment, get_topic

from domain.errors import PersonErased
from domain.personal_data import (
    ACTOR,
    CASE,
    SELF,
    CaseOf,
    Personal,
    Shown,
    acts_in_person,
    case_subject,
    erased,
    fields_of,
    rewrite,
    value_at,
    values_at,
)
from infrastructure.keyring import DataKey, Keyring, keyring_named

_NONCE = 12

#: The setting that names the key table an application's cipher and mapper use.
KEYRING = "HUIYIN_KEYRING"


@dataclass(frozen=True)
class Sealed:
    """A person's value, sealed under their data key: who may see it, whose key, the bytes."""

    shown: Shown
    key_id: UUID
    blob: bytes

    @property
    def ref(self) -> str:
        """The person's reference: their key's id (names nobody once the key is gone)."""
        return str(self.key_id)

    def token(self) -> str:
        """The sealed value as text: `shown.key-id.bytes` (URL-safe base64)."""
        return f"{self.shown.value}.{self.key_id.hex}.{urlsafe_b64encode(self.blob).decode()}"

    @classmethod
    def from_token(cls, token: str) -> Sealed:
        """The sealed value a token holds; ValueError for anything else."""
        shown, key_id, blob = token.split(".")
        return cls(Shown(shown), UUID(hex=key_id), urlsafe_b64decode(blob))


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
    return Sealed(
        shown, key.key_id, nonce + key.cipher.encrypt(nonce, data, _aad(shown, key.key_id))
    )


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


class Sealer:
    """Applies the domain's declarations of personal data to an event's state."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def seal_state(
        self,
        event_class: type[Any],
        state: dict[str, Any],
        case_id: UUID,
        *,
        stored_at: tuple[UUID, int] | None = None,
    ) -> None:
        """Replaces, in place, each personal value still in clear with its sealed token.
        `stored_at` (the event's id and version) seals values of an event stored already
        the same way each time it is read (`seal`)."""
        places = list(fields_of(event_class))
        if acts_in_person(state):
            places.append(ACTOR)
        places = [p for p in places if any(isinstance(v, str) for v in values_at(state, p.path))]
        if not places:
            return
        people = [v for p in places if p.whose == SELF for v in values_at(state, p.path)]
        keys = self.keyring.keys_for(v for v in people if isinstance(v, str))
        case_key = self._case_key(event_class, state, case_id, places)
        for place in places:
            key_of = self._key_of(place, keys, case_key, state)
            if key_of is not None:
                where = None if stored_at is None else f"{stored_at[0]}/{stored_at[1]}/{place.path}"
                rewrite(state, place.path, _Sealing(key_of, place.shown, where))

    def _case_key(
        self, event_class: type[Any], state: dict[str, Any], case_id: UUID, places: list[Personal]
    ) -> DataKey | None:
        """The key of the person the event's case is about (made and linked by the event
        that opens the case); None for a case about nobody."""
        if not any(p.whose == CASE for p in places):
            return None
        subject_path = case_subject(event_class)
        if subject_path is not None:
            person = value_at(state, subject_path)
            if not isinstance(person, str) or not person:
                return None
            key = self.keyring.keys_for([person])[person]
            self.keyring.link_case(case_id, key)
            return key
        return self._key_of_case(case_id)

    def _key_of_case(self, case_id: UUID) -> DataKey | None:
        key_id = self.keyring.case_key_id(case_id)
        if key_id is None:
            return None
        key = self.keyring.key(key_id)
        if key is None:
            raise PersonErased(
                "the personal data of the person this case is about was erased: nothing"
                " personal can be recorded for them any more"
            )
        return key

    def _key_of(
        self,
        place: Personal,
        keys: dict[str, DataKey],
        case_key: DataKey | None,
        state: dict[str, Any],
    ) -> DataKey | dict[str, DataKey] | None:
        """How to find each value's key at `place`: a mapping for people's own ids, one key
        for a case's person, or None to leave the values in clear (a case about nobody)."""
        if place.whose == SELF:
            return keys
        if place.whose == CASE:
            return case_key
        assert isinstance(place.whose, CaseOf)  # noqa: S101  # the three kinds of whose
        case_id = value_at(state, place.whose.field)
        return self._key_of_case(case_id) if isinstance(case_id, UUID) else None


@dataclass(frozen=True)
class _Sealing:
    """Seals each value in clear under its key: the one key given, or each person's own."""

    key_of: DataKey | dict[str, DataKey]
    shown: Shown
    place: str | None = None

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value  # sealed already
        key = self.key_of[value] if isinstance(self.key_of, dict) else self.key_of
        return seal(key, self.shown, value, None if self.place is None else self.place.encode())


class StoreCipher(AESCipher):
    """The library's AES-GCM cipher under the store key of the key table the settings name
    (`KEYRING`): events as a whole are encrypted as before."""

    def __init__(self, environment: Environment) -> None:
        self.keyring = keyring_named(environment.get(KEYRING) or "")
        super().__init__(
            Environment(environment.name, {AESCipher.CIPHER_KEY: _b64(self.keyring.store_key)})
        )


class SealingMapper(Mapper[UUID]):
    """The applications' mapper: seals personal values on the way in, opens them on the
    way out (erased values read as such)."""

    opened: type[SealedAsText] = SealedAsText

    def __init__(
        self,
        transcoder: Transcoder,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
    ) -> None:
        super().__init__(transcoder, compressor, cipher)
        if not isinstance(cipher, StoreCipher):
            raise TypeError("sealing personal data needs the store's cipher (StoreCipher)")
        self.keyring = cipher.keyring
        self.sealer = Sealer(self.keyring)
        register = getattr(transcoder, "register", None)
        if register is None:
            raise TypeError("sealing personal data needs the JSON transcoder")
        register(self.opened(self.keyring))

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        """The event encoded with its personal values sealed (the event itself unchanged)."""
        state = dict(vars(domain_event))
        self.sealer.seal_state(type(domain_event), state, state["originator_id"])
        copy = object.__new__(type(domain_event))
        object.__setattr__(copy, "__dict__", state)
        return super().to_stored_event(copy)

    def after_decode(self, event_class: type[Any], state: dict[str, Any], case_id: Any) -> None:
        """What reading does to a decoded state besides the transcoder: nothing here."""


class TokenMapper(SealingMapper):
    """The views' mapper: personal values stay sealed; ones stored in clear by releases
    before the key table are sealed as they are read, so no view ever holds them."""

    opened = SealedAsToken

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        event = super().to_domain_event(stored_event)
        self.after_decode(type(event), event.__dict__, event.originator_id)
        return event

    def after_decode(self, event_class: type[Any], state: dict[str, Any], case_id: Any) -> None:
        stored_at = (case_id, state["originator_version"])
        self.sealer.seal_state(event_class, state, case_id, stored_at=stored_at)


def sealed_events_env(keyring: Keyring) -> dict[str, str]:
    """The eventsourcing settings of applications on a store with this key table: events
    encrypted under the store key (`StoreCipher`), personal values sealed by
    `SealingMapper`. `CIPHER_KEY` carries the store key for what derives keys from it."""
    return {
        KEYRING: keyring.name,
        "CIPHER_TOPIC": get_topic(StoreCipher),
        "CIPHER_KEY": _b64(keyring.store_key),
        "MAPPER_TOPIC": get_topic(SealingMapper),
    }


def _b64(key: bytes) -> str:
    return b64encode(key).decode()


#: The views' setting: their mapper leaves personal values sealed.
VIEWS_MAPPER = {"MAPPER_TOPIC": get_topic(TokenMapper)}


def forget_cached_aggregates(app: Application[Any]) -> None:
    """Drops the aggregates `app` keeps in memory (they may hold what was just erased)."""
    cache = app.repository.cache
    if isinstance(cache, LRUCache):
        app.repository.cache = LRUCache(maxsize=cache.maxsize)
    elif cache is not None:
        app.repository.cache = Cache()
