"""Each person's data inside events, sealed under their own data key (crypto-shredding).

Before an event is encoded, every value `domain.personal_data` declares personal is replaced
by a `Sealed` token (`infrastructure.sealed`), under its person's key from the key table
(`infrastructure.keyring`). The whole event is then encrypted under the store key as
before (`StoreCipher`), so the tokens are never in clear either.

Reading back, the applications' mapper (`SealingMapper`) opens each token, or reads it as
erased when its key was destroyed. The views' mapper (`TokenMapper`) leaves tokens sealed:
a view keeps the token and the person's reference (the key id), never the value, and a read
opens it for those the policy lets see it (`api.personal_data`). Events written before the
key table existed hold their personal values in clear; the views' mapper seals those on the
way in, so no view ever holds one.
"""

from __future__ import annotations

import json
from base64 import b64encode
from collections.abc import Callable
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
)
from eventsourcing.utils import Environment, get_topic, resolve_topic

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
    fields_of,
    holds_text,
    rewrite,
    value_at,
    values_at,
)
from infrastructure.keyring import DataKey, Keyring, keyring_named
from infrastructure.sealed import Sealed, SealedAsText, SealedAsToken, seal

#: Cases whose person a process remembers (`Sealer`): more, and it starts again.
CASES_REMEMBERED = 100_000

#: The setting that names the key table an application's cipher and mapper use.
KEYRING = "HUIYIN_KEYRING"


class Sealer:
    """Applies the domain's declarations of personal data to an event's state.

    A later event of a case (a rating's comment) is sealed under the key of the person the
    case is about, found in the case's opening event as stored (`opening`: its topic and
    its JSON, decrypted as a whole but its values still sealed).
    """

    def __init__(self, keyring: Keyring, decrypt: Callable[[bytes], bytes]) -> None:
        self.keyring = keyring
        self.decrypt = decrypt
        #: Each case's person: the id of their key (None: a case about nobody). A case's
        #: person never changes; an erased one's key id stays, and is found destroyed.
        self._case_keys: dict[UUID, UUID | None] = {}

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
        places = [p for p in fields_of(event_class) if holds_text(state, p.path)]
        if acts_in_person(state) and isinstance(state["actor_id"], str):
            places.append(ACTOR)
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
        """The key of the person the event's case is about (made by the event that opens
        the case); None for a case about nobody."""
        if not any(p.whose == CASE for p in places):
            return None
        subject_path = case_subject(event_class)
        if subject_path is not None:
            person = value_at(state, subject_path)
            if not isinstance(person, str) or not person:
                return None
            key = self.keyring.keys_for([person])[person]
            self._case_keys[case_id] = key.key_id
            return key
        return self._key_of_case(case_id)

    def _key_of_case(self, case_id: UUID) -> DataKey | None:
        """The key of the person a stored case is about (PersonErased once destroyed)."""
        if case_id not in self._case_keys:
            if len(self._case_keys) >= CASES_REMEMBERED:
                self._case_keys.clear()
            self._case_keys[case_id] = self._person_of(case_id)
        key_id = self._case_keys[case_id]
        if key_id is None:
            return None
        key = self.keyring.key(key_id)
        if key is None:
            raise PersonErased(
                "the personal data of the person this case is about was erased: nothing"
                " personal can be recorded for them any more"
            )
        return key

    def _person_of(self, case_id: UUID) -> UUID | None:
        """The key id of the person a stored case is about, from its opening event."""
        opening = self.keyring.opening_event(case_id)
        subject_path = None if opening is None else case_subject(resolve_topic(opening[0]))
        if opening is None or subject_path is None:
            return None
        value = value_at(json.loads(self.decrypt(opening[1])), subject_path)
        if isinstance(value, dict) and value.get("_type_") == SealedAsText.name:
            return Sealed.from_token(value["_data_"]).key_id
        if isinstance(value, str) and value:  # stored in clear before the key table
            return self.keyring.keys_for([value])[value].key_id
        return None

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
        self.sealer = Sealer(self.keyring, cipher.decrypt)
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
