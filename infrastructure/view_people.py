"""What views know of people: their references, and how a read opens a sealed value.

Views keep a person's reference (the id of their data key) to find the cases about them,
and a sealed token to show a value (`projections.sealed`). A reader finds their own
reference through the key table; a token opens with the person's key, or reads as erased
once it was destroyed (`infrastructure.sealing.unseal`). Nothing here makes a key.
"""

from __future__ import annotations

from collections.abc import Mapping

from infrastructure.keyring import Keyring, keyring_named
from infrastructure.replay import NUL_STAND_IN
from infrastructure.sealed import Sealed, unseal
from infrastructure.sealing import KEYRING


class ViewPeople:
    """People as one store's views know them."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ViewPeople:
        """The people of the store whose key table the settings name."""
        name = env.get(KEYRING)
        if not name:
            raise ValueError(f"views that keep people need a key table ({KEYRING})")
        return cls(keyring_named(name))

    def ref(self, person: str) -> str | None:
        """A person's reference, if anything was ever sealed under their key (a reader's
        own, to find their cases); None for someone no case names."""
        key = self.keyring.key_of(person)
        return None if key is None else str(key.key_id)

    def opened(self, token: str) -> str:
        """The value a sealed token holds, or what erased data reads as (a NUL character,
        from an event stored before the domain refused it, as `NUL_STAND_IN`)."""
        return unseal(self.keyring, Sealed.from_token(token)).replace("\x00", NUL_STAND_IN)

    def sealed(self, token: str) -> Sealed:
        """The sealed value a token is."""
        return Sealed.from_token(token)
