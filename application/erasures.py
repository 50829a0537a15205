"""Erasures (个人信息删除): forgetting a person by destroying their data keys.

Request → confirm (another committee member) → the keys go. Confirming marks the person's
keys for the erasure before the confirmation is saved, and destroys them after: if the
process stops in between, the confirmed erasure is finished when the service starts again
(`finish_pending`) or when the confirmation is sent again, from the marks, without needing
the person's id (which by then may read as erased). The person's API tokens are deleted
with their keys: the token table names them in clear.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID, uuid4

from application.aggregates import AggregateAccess, ItemResult
from application.casework import Casework
from domain.access import NOBODY
from domain.actors import Actor, Role
from domain.erasure import Erasure, ErasureStatus, LegalBasis
from domain.errors import ActionNotAllowed
from domain.organisation import person_id
from domain.personal_data import is_erased
from domain.policy import Permission, authorise

#: Who finishes an erasure interrupted after it was confirmed.
SYSTEM = Actor("erasure-recovery", Role.SYSTEM)


class PersonKeys(Protocol):
    """The key table, as far as erasing a person goes."""

    def mark(self, person: str, erasure_id: UUID) -> int:
        """Marks a person's live keys for the erasure."""

    def destroy_marked(self, erasure_id: UUID) -> int:
        """Destroys the erasure's keys; how many it has destroyed."""

    def settle(self, erasure_id: UUID) -> None:
        """Nothing of the erasure is pending any more."""

    def pending_erasures(self) -> list[UUID]:
        """Erasures marked and not settled."""


class PersonTokens(Protocol):
    """Where API tokens are kept, as far as erasing a person goes."""

    def delete_tokens_of(self, person: str) -> int:
        """Deletes every token of the person (live or ended); how many."""


@dataclass(frozen=True)
class ErasureResult:
    """A command's outcome, and where the erasure stands."""

    result: ItemResult
    status: ErasureStatus


class Erasures:
    """Requesting, confirming and withdrawing erasures."""

    def __init__(self, app: Casework, keys: PersonKeys, tokens: PersonTokens) -> None:
        self.app = app
        self.keys = keys
        self.tokens = tokens
        self._access = AggregateAccess(app, {Erasure: "erasure"})

    def request(
        self, subject: str, *, reason: str, legal_basis: LegalBasis, actor: Actor
    ) -> ItemResult:
        """Asks for a person's data to be erased. Someone who holds a role in the directory
        is refused: their work in that office stays on record; revoke the role first."""
        authorise(actor, Permission.ERASURE_REQUEST, NOBODY)
        person = person_id("subject", subject)
        offices = self.app.directory.current().offices_of(person)
        if offices:
            raise ActionNotAllowed(
                "erase the data of",
                f"holding {', '.join(offices)} in the directory",
                "revoke their roles first; what they did in office stays on record",
                subject="person",
            )
        erasure = Erasure.request(
            id=uuid4(),
            subject=person,
            reason=reason,
            legal_basis=legal_basis,
            actor=actor,
            at=self.app.now(),
        )
        return self._access.save(erasure)

    def confirm(
        self, erasure_id: UUID, *, actor: Actor, expected_version: int | None = None
    ) -> ErasureResult:
        """A second member confirms: the person's keys are destroyed and their tokens
        deleted. Sent again, it finishes an erasure confirmed but interrupted, and answers
        with a completed one as it is."""
        erasure = self._access.load(
            Erasure,
            erasure_id,
            expected_version,
            actor=actor,
            permission=Permission.ERASURE_CONFIRM,
        )
        if erasure.status in (ErasureStatus.REQUESTED, ErasureStatus.CANCELLED):
            erasure.confirm(actor=actor, at=self.app.now())  # refuses a cancelled one
            self.keys.mark(erasure.subject, erasure.id)  # before the confirmation is saved
            self._access.save(erasure)
        return self._finish(erasure, actor)

    def cancel(
        self,
        erasure_id: UUID,
        *,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> ItemResult:
        """Withdraws a request not yet confirmed."""
        erasure = self._access.load(
            Erasure,
            erasure_id,
            expected_version,
            actor=actor,
            permission=Permission.ERASURE_REQUEST,
        )
        erasure.cancel(reason=reason, actor=actor, at=self.app.now())
        result = self._access.save(erasure)
        self.keys.settle(erasure.id)
        return result

    def finish_pending(self) -> list[UUID]:
        """Finishes every erasure confirmed but not completed (the service stopped in
        between); the ids of those finished."""
        finished = []
        for erasure_id in self.keys.pending_erasures():
            erasure = self._access.get(Erasure, erasure_id)
            if erasure.status is ErasureStatus.CONFIRMED:
                self._finish(erasure, SYSTEM)
                finished.append(erasure_id)
            elif erasure.status in (ErasureStatus.COMPLETED, ErasureStatus.CANCELLED):
                self.keys.settle(erasure_id)
        return finished

    def read(self, erasure_id: UUID, actor: Actor) -> Erasure:
        """An erasure, if `actor` may read it."""
        return self._access.read(
            Erasure, erasure_id, actor=actor, permission=Permission.ERASURE_READ
        )

    def history(self, erasure_id: UUID) -> Sequence[Any]:
        """Every event of an erasure, in order."""
        return self._access.history(erasure_id, (Erasure.Requested,))

    def _finish(self, erasure: Erasure, actor: Actor) -> ErasureResult:
        if erasure.status is not ErasureStatus.CONFIRMED:  # completed already: as it is
            return ErasureResult(self._access.save(erasure), erasure.status)
        tokens = 0 if is_erased(erasure.subject) else self.tokens.delete_tokens_of(erasure.subject)
        destroyed = self.keys.destroy_marked(erasure.id)
        erasure.complete(
            keys_destroyed=destroyed, tokens_deleted=tokens, actor=actor, at=self.app.now()
        )
        result = self._access.save(erasure)
        self.keys.settle(erasure.id)
        return ErasureResult(result, erasure.status)
