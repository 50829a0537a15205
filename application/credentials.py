"""Bearer tokens: issued only for a role the directory gives someone, for a limited time,
and checked on every request against the token's state and the directory as they are now.

A token names a person and one role; its scope (departments, tiers) is not in the token but
read from the directory each time, so a role revoked there, like a token revoked here,
stops working from the next request, in every process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from application.directory import Directory
from domain.actors import Actor, Role
from domain.errors import InvalidInput, Unauthenticated
from domain.organisation import ORGANISATION_ID, person_id


@dataclass(frozen=True)
class TokenRecord:
    """A token as kept: never the token itself; `id` is the start of its hash."""

    id: str
    actor_id: str
    role: Role
    label: str
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    #: The directory's version when the token was looked up (for `Directory.current`).
    directory_version: int | None = None
    #: The key table's generation then (erasures and rotations make cached keys stale).
    keys_generation: int | None = None


@dataclass(frozen=True)
class IssuedToken:
    """A token as printed once at issue; only its hash is stored."""

    token: str
    record: TokenRecord


class TokenLedger(Protocol):
    """Where tokens are kept (only as hashes)."""

    def issue_token(
        self, actor_id: str, role: Role, expires_at: datetime, label: str = ""
    ) -> IssuedToken:
        """Stores a new token and returns it, shown this once."""

    def lookup_token(self, token: str, *, version_of: UUID | None = None) -> TokenRecord | None:
        """The token's record, or None if it was never issued."""

    def list_tokens(
        self, *, include_ended: bool = False, now: datetime | None = None
    ) -> list[TokenRecord]:
        """Live tokens at `now` (or all), newest first."""

    def revoke_token(self, token_or_id: str) -> TokenRecord | None:
        """Ends a live token given itself or its id; None if none matched."""


#: The longest a token may be issued for.
MAX_LIFETIME = timedelta(days=400)


class Credentials:
    """Issuing, listing, revoking and checking tokens."""

    def __init__(
        self,
        ledger: TokenLedger,
        directory: Directory,
        now: Callable[[], datetime],
        lifetime: timedelta = timedelta(days=90),
        keys_seen: Callable[[int], None] | None = None,
    ) -> None:
        self.ledger = ledger
        self.directory = directory
        self.now = now
        self.lifetime = lifetime
        #: Told the key table's generation on every request (drops keys another process
        #: destroyed, and what was opened with them).
        self.keys_seen = keys_seen

    def issue(
        self,
        person: str,
        role: Role,
        *,
        expires_at: datetime | None = None,
        label: str = "",
    ) -> IssuedToken:
        """A new token for `person` in `role`, which the directory must give them."""
        if role is Role.SYSTEM:
            raise InvalidInput("role", "the system role is the service's own; it is not issued")
        person = person_id("actor", person)
        if self.directory.actor(person, role) is None:
            raise InvalidInput(
                "role",
                f"{person} holds no {role.value} role in the directory: grant it first "
                f"(`huiyin org grant {person} {role.value} …`)",
            )
        now = self.now()
        until = expires_at or now + self.lifetime
        if until.tzinfo is None:
            raise InvalidInput("expires", "give the expiry with its time zone")
        if until <= now:
            raise InvalidInput("expires", f"{until.isoformat()} has passed already")
        if until > now + MAX_LIFETIME:
            raise InvalidInput("expires", f"a token lasts at most {MAX_LIFETIME.days} days")
        return self.ledger.issue_token(person, role, until, label.strip())

    def authenticate(self, token: str) -> Actor:
        """The actor a token stands for now, with the scope the directory gives their role;
        Unauthenticated saying why not."""
        record = self.ledger.lookup_token(token, version_of=ORGANISATION_ID)
        if record is None:
            raise Unauthenticated("the token is unknown (or was revoked)")
        if self.keys_seen is not None and record.keys_generation is not None:
            self.keys_seen(record.keys_generation)
        if record.revoked_at is not None:
            raise Unauthenticated(f"the token was revoked at {record.revoked_at.isoformat()}")
        if record.expires_at <= self.now():
            raise Unauthenticated(f"the token expired at {record.expires_at.isoformat()}")
        actor = self.directory.actor(
            record.actor_id, record.role, version=record.directory_version or 0
        )
        if actor is None:
            raise Unauthenticated(
                f"{record.actor_id} no longer holds the {record.role.value} role in the directory"
            )
        return actor

    def list(self, *, include_ended: bool = False) -> list[TokenRecord]:
        """Tokens without their secrets."""
        return self.ledger.list_tokens(include_ended=include_ended, now=self.now())

    def revoke(self, token_or_id: str) -> TokenRecord | None:
        """Ends a token (given itself, or its id from the list)."""
        return self.ledger.revoke_token(token_or_id)
