"""Idempotency keys: a creating command sent again with the same key creates nothing new.

A client that sent a command and got no answer (a timeout, a dropped connection, a `503`)
cannot tell whether it was recorded. Sent again with the same `Idempotency-Key`, a command
that creates something (an appeal, a meeting, a disclosure …) answers with what the first
one created instead of creating it twice.

How, without a table linking keys to cases:
- The new aggregate's id is derived from the key, the actor and the operation with a keyed
  hash (HMAC-SHA-256 under a secret derived from the event cipher's key). Two requests with
  the same key create the same id, and the event store refuses a second version 1 of it, also
  when both arrive at once. The id tells nothing of the actor or the key without the secret,
  which matters for anonymous appeals: their id must not lead back to an employee.
- What the command asked is kept as a keyed digest beside the event store (`KeyLedger`), so
  the same key sent with a different request is refused (`KeyReused`) rather than answered
  with something the client did not ask for. The digest is recorded once the command has
  passed the domain's rules and before its events are saved: a request refused for its
  values leaves the key free for the corrected one, and a first attempt that failed after
  recording it is simply made again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol
from uuid import UUID

from domain.actors import Actor
from domain.errors import InvalidInput, KeyReused

#: What a key may be: visible ASCII, long enough that it is not guessed (a UUID is 36).
KEY_PATTERN = re.compile(r"[\x21-\x7e]{16,255}")
KEY_RULE = "16 to 255 visible ASCII characters, unique per request (a random UUID will do)"

#: The header that carries the key.
HEADER = "Idempotency-Key"


class KeyLedger(Protocol):
    """Remembers, per derived key, the digest of the request that first used it."""

    def claim_key(self, scope: UUID, digest: str) -> bool:
        """True if `digest` is now the scope's (it was free or already held it); False if
        another request's digest holds it."""


def check_key(key: str) -> str:
    """The key, if it is one clients may send; InvalidInput otherwise."""
    if not KEY_PATTERN.fullmatch(key):
        raise InvalidInput(HEADER, f"must be {KEY_RULE}")
    return key


@dataclass(frozen=True)
class Claim:
    """An idempotency key as one request uses it: the id its aggregate gets, a seed for other
    values every attempt must share (an anonymous appeal's receipt code), and the request's
    digest, recorded by `confirm`."""

    id: UUID
    seed: bytes
    key: str
    digest: str
    ledger: KeyLedger = field(repr=False, compare=False)

    def derived(self, label: str, size: int = 32) -> bytes:
        """`size` bytes derived from the claim for `label`, the same on every attempt."""
        return hmac.new(self.seed, label.encode(), hashlib.sha256).digest()[:size]

    def confirm(self) -> None:
        """Records the key as this request's; KeyReused if it is another request's already.

        Called once the command has passed the domain's rules and before anything is saved:
        a request refused for its values leaves its key free for the corrected request.
        """
        if not self.ledger.claim_key(self.id, self.digest):
            raise KeyReused(
                f"{HEADER} {self.key!r} was already used for a different request; "
                "send a new key for a new request"
            )


class Idempotency:
    """Claims keys for creating commands (see the module's note)."""

    def __init__(self, cipher_key: bytes, ledger: KeyLedger) -> None:
        self._secret = hmac.new(cipher_key, b"huiyin idempotency keys", hashlib.sha256).digest()
        self._ledger = ledger

    def claim(self, key: str, actor: Actor, operation: str, request: Mapping[str, Any]) -> Claim:
        """The claim of `key` for this actor's `operation` with these arguments (recorded
        only when the command confirms it)."""
        check_key(key)
        scope = "\x1f".join((actor.id, actor.role.value, operation, key))
        seed = self._mac(b"scope\x1f" + scope.encode())
        digest = self._mac(b"request\x1f" + canonical(request).encode()).hex()
        return Claim(UUID(bytes=seed[:16], version=4), seed, key, digest, self._ledger)

    def _mac(self, message: bytes) -> bytes:
        return hmac.new(self._secret, message, hashlib.sha256).digest()


def canonical(request: Mapping[str, Any]) -> str:
    """A request's arguments as one JSON text: keys sorted, values in a fixed form."""
    return json.dumps(_plain(request), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    return value
