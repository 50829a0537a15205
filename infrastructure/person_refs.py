"""Person references: what views keep instead of an employee number.

A view that must find a person's cases (an employee's own appeals, the talks they were at)
keeps a keyed digest of their id, never the id itself: HMAC-SHA256 under a key derived from
the cipher key, so the digest cannot be recomputed from a guessed employee number without
that key. Reads compute the reader's own reference and compare.
"""

from __future__ import annotations

import hashlib
import hmac
from base64 import b64decode
from collections.abc import Iterable, Mapping

#: What the reference key is derived for (a new label gives unrelated references).
LABEL = b"huiyin person reference v1"


class PersonRefs:
    """References of person ids under one key."""

    def __init__(self, cipher_key: bytes) -> None:
        self._key = hmac.new(cipher_key, LABEL, hashlib.sha256).digest()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PersonRefs:
        """The references of the store whose cipher key the settings name."""
        key = env.get("CIPHER_KEY")
        if not key:
            raise ValueError("person references need the cipher key (CIPHER_KEY)")
        return cls(b64decode(key))

    def ref(self, person: str) -> str:
        """The reference of one person id (32 hex digits)."""
        digest = hmac.new(self._key, person.strip().encode(), hashlib.sha256).hexdigest()
        return digest[:32]

    def refs(self, people: Iterable[str]) -> list[str]:
        """The references of several ids, in order, without repeats."""
        return list(dict.fromkeys(self.ref(p) for p in people if p.strip()))
