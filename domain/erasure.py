"""An erasure (个人信息删除): a person asked to be forgotten, under PIPL article 47.

A committee member requests it, naming the person, the reason and the legal basis; another
committee member confirms it (two people, so that no one erases alone); then the person's
data keys are destroyed and what was sealed under them reads as erased everywhere
(`domain.personal_data`). The request names the person only under their own key, so once
it is carried out the record of the erasure names nobody: it keeps who asked for it, who
confirmed it, why, on what basis and how many keys were destroyed. Events are never
deleted, counts and the hash chain never change.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import limits
from domain.access import Parties
from domain.actors import Actor
from domain.erasure_states import ERASURE_STATES, ErasureCommand

# Re-exported from the states' old home, where callers import them.
from domain.erasure_states import ErasureStatus as ErasureStatus
from domain.errors import NotPermitted
from domain.organisation import person_id
from domain.personal_data import CASE, identity, words
from domain.values import check_aware, clean_text


class LegalBasis(StrEnum):
    """Why personal information must be deleted (个人信息保护法 第四十七条第一款)."""

    PURPOSE_FULFILLED = "purpose_fulfilled"  # 处理目的已实现、无法实现或者不再必要
    RETENTION_ENDED = "retention_ended"  # 停止提供服务，或者保存期限已届满
    CONSENT_WITHDRAWN = "consent_withdrawn"  # 个人撤回同意
    UNLAWFUL_PROCESSING = "unlawful_processing"  # 违反法律、行政法规或者违反约定处理
    OTHER_LAW = "other_law"  # 法律、行政法规规定的其他情形


class Erasure(Aggregate):
    """One person's erasure, from request to the destroyed keys."""

    class Event(Aggregate.Event):
        """Every erasure event records who acted, in which role."""

        actor_id: str
        actor_role: str

        def apply(self, aggregate: Any) -> None:
            """Mutates the erasure; subclasses override `apply_to`. The state an event
            leads to is the state table's (`domain.erasure_states`)."""
            erasure = cast(Erasure, aggregate)
            status = ERASURE_STATES.status_after(self)
            if status is not None:
                erasure.status = status
            self.apply_to(erasure)

        def apply_to(self, erasure: Erasure) -> None:
            """Changes the erasure's state as this event says."""

    class Requested(Aggregate.Created):
        """A committee member asked that a person's data be erased."""

        #: The person and the reason (which may name them), sealed under the person's own
        #: key: erased with the rest. The legal basis stays.
        case_subject = "subject"
        personal = (identity("subject", CASE), words("reason"))

        actor_id: str
        actor_role: str
        subject: str
        reason: str
        legal_basis: str

        def apply(self, aggregate: Any) -> None:
            """Sets up the new erasure."""
            cast(Erasure, aggregate).start(self)

    class Confirmed(Event):
        """A second committee member confirmed it: the keys are destroyed next."""

        def apply_to(self, erasure: Erasure) -> None:
            erasure.confirmed_by = self.actor_id

    class Completed(Event):
        """The person's data keys were destroyed, and their tokens with them."""

        keys_destroyed: int
        tokens_deleted: int

        def apply_to(self, erasure: Erasure) -> None:
            erasure.completed_at = self.timestamp
            erasure.keys_destroyed = self.keys_destroyed
            erasure.tokens_deleted = self.tokens_deleted

    class Cancelled(Event):
        """Withdrawn before it was confirmed, with the reason."""

        reason: str

        def apply_to(self, erasure: Erasure) -> None:
            erasure.cancel_reason = self.reason

    # -- state -------------------------------------------------------------------------

    def start(self, requested: Erasure.Requested) -> None:
        """Initial state, from the request."""
        self.subject = requested.subject
        self.reason = requested.reason
        self.legal_basis = LegalBasis(requested.legal_basis)
        self.requested_by = requested.actor_id
        self.requested_at = requested.timestamp
        self.status = ERASURE_STATES.initial
        self.confirmed_by: str | None = None
        self.completed_at: datetime | None = None
        self.keys_destroyed = 0
        self.tokens_deleted = 0
        self.cancel_reason: str | None = None

    @property
    def parties(self) -> Parties:
        """An erasure concerns its person (who may follow their own request)."""
        return Parties(people=frozenset({self.subject}))

    # -- commands ----------------------------------------------------------------------

    @classmethod
    def request(
        cls,
        *,
        id: UUID,
        subject: str,
        reason: str,
        legal_basis: LegalBasis,
        actor: Actor,
        at: datetime,
    ) -> Erasure:
        """Asks for a person's data to be erased, with the reason and the legal basis."""
        check_aware("time", at)
        return cls._create(
            cls.Requested,
            id=id,
            timestamp=at,
            actor_id=actor.id,
            actor_role=actor.role.value,
            subject=person_id("subject", subject),
            reason=clean_text("reason", reason, limits.REASON),
            legal_basis=legal_basis.value,
        )

    def confirm(self, *, actor: Actor, at: datetime) -> None:
        """A second committee member confirms; the one who asked may not."""
        self._require(ErasureCommand.CONFIRM)
        if actor.id == self.requested_by:
            raise NotPermitted(
                f"{actor.id} requested this erasure: another committee member confirms it"
            )
        self._trigger(self.Confirmed, actor, at)

    def complete(
        self, *, keys_destroyed: int, tokens_deleted: int, actor: Actor, at: datetime
    ) -> None:
        """Records that the keys were destroyed (once confirmed)."""
        self._require(ErasureCommand.COMPLETE)
        self._trigger(
            self.Completed, actor, at, keys_destroyed=keys_destroyed, tokens_deleted=tokens_deleted
        )

    def cancel(self, *, reason: str, actor: Actor, at: datetime) -> None:
        """Withdraws a request not yet confirmed."""
        self._require(ErasureCommand.CANCEL)
        self._trigger(self.Cancelled, actor, at, reason=clean_text("reason", reason, limits.REASON))

    def _require(self, command: ErasureCommand) -> None:
        """Refuses `command` unless the erasure's state table allows it now."""
        ERASURE_STATES.require(command, self.status)

    def _trigger(
        self, event_class: type[Erasure.Event], actor: Actor, at: datetime, **data: Any
    ) -> None:
        check_aware("time", at)
        self.trigger_event(
            event_class, timestamp=at, actor_id=actor.id, actor_role=actor.role.value, **data
        )
