"""An erasure's rules: two committee members, a reason and a legal basis (no I/O)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.actors import Actor, Role
from domain.erasure import Erasure, ErasureStatus, LegalBasis
from domain.errors import ActionNotAllowed, InvalidInput, NotPermitted
from tests.unit.builders import at

ASKER = Actor("committee-wu", Role.COMMITTEE)
CHECKER = Actor("committee-li", Role.COMMITTEE)


def requested(subject: str = "E10234") -> Erasure:
    return Erasure.request(
        id=uuid4(),
        subject=subject,
        reason="本人申请：已调离本单位",
        legal_basis=LegalBasis.PURPOSE_FULFILLED,
        actor=ASKER,
        at=at(0),
    )


def test_a_request_names_the_person_reason_basis_and_who_asked() -> None:
    erasure = requested()

    assert erasure.status is ErasureStatus.REQUESTED
    assert (erasure.subject, erasure.requested_by) == ("E10234", "committee-wu")
    assert erasure.legal_basis is LegalBasis.PURPOSE_FULFILLED
    assert erasure.parties.people == frozenset({"E10234"})


def test_another_member_confirms_then_it_is_completed_with_what_was_destroyed() -> None:
    erasure = requested()

    erasure.confirm(actor=CHECKER, at=at(1))
    erasure.complete(keys_destroyed=2, tokens_deleted=1, actor=CHECKER, at=at(1))

    assert erasure.status is ErasureStatus.COMPLETED
    assert erasure.confirmed_by == "committee-li"
    assert (erasure.keys_destroyed, erasure.tokens_deleted) == (2, 1)
    assert [type(e).__name__ for e in erasure.collect_events()] == [
        "Requested",
        "Confirmed",
        "Completed",
    ]


def test_the_member_who_asked_may_not_confirm_alone() -> None:
    erasure = requested()

    with pytest.raises(NotPermitted, match="another committee member"):
        erasure.confirm(actor=ASKER, at=at(1))


def test_only_a_confirmed_erasure_completes_and_only_a_pending_one_is_withdrawn() -> None:
    erasure = requested()
    with pytest.raises(ActionNotAllowed, match="cannot complete an erasure that is requested"):
        erasure.complete(keys_destroyed=0, tokens_deleted=0, actor=CHECKER, at=at(1))

    erasure.cancel(reason="本人撤回申请", actor=ASKER, at=at(1))

    assert erasure.status is ErasureStatus.CANCELLED
    with pytest.raises(ActionNotAllowed, match="cannot confirm an erasure that is cancelled"):
        erasure.confirm(actor=CHECKER, at=at(2))


@pytest.mark.parametrize("subject", ["", "王 建国", "=HYPERLINK(x)"])
def test_the_person_is_named_by_a_person_id(subject: str) -> None:
    with pytest.raises(InvalidInput, match="subject"):
        requested(subject)


def test_the_reason_is_required() -> None:
    with pytest.raises(InvalidInput, match="reason"):
        Erasure.request(
            id=uuid4(),
            subject="E10234",
            reason=" ",
            legal_basis=LegalBasis.CONSENT_WITHDRAWN,
            actor=ASKER,
            at=at(0),
        )
