"""Erasures through the application, on real PostgreSQL: an interrupted one is finished,
every kind of case forgets the person, and nothing personal can be added for them after."""

from __future__ import annotations

import uuid
from decimal import Decimal
from uuid import UUID

import pytest

from api.bootstrap import Services
from application.casework import AppealDraft, Casework
from application.erasures import Erasures
from application.reviews import Reviews
from domain.actors import Actor, Role
from domain.appeal import Appellant
from domain.erasure import ErasureStatus, LegalBasis
from domain.errors import PersonErased
from domain.personal_data import is_erased
from domain.review_terms import CompetitionPart
from domain.terms import Channel, Kind
from tests.conftest import scoped

CLERK = Actor("U-erasure", Role.UNION_STAFF)
JUDGE = Actor("J-erasure", Role.COMMITTEE)


class Interrupted(RuntimeError):
    """The process stopped right after the confirmation was saved."""


class StopsBeforeDestroying:
    """The key table, but the first erasure stops before its keys are destroyed."""

    def __init__(self, keys: object) -> None:
        self.keys = keys
        self.stopped = False

    def __getattr__(self, name: str) -> object:
        return getattr(self.keys, name)

    def destroy_marked(self, erasure_id: UUID) -> int:
        if not self.stopped:
            self.stopped = True
            raise Interrupted
        return int(self.keys.destroy_marked(erasure_id))  # type: ignore[attr-defined]


def person() -> str:
    return f"E{uuid.uuid4().hex[:8]}"


def named_appeal(casework: Casework, who: str) -> UUID:
    draft = AppealDraft(
        Channel.GRID_LIAISON,
        Kind.COMPLAINT,
        "canteen",
        f"{who} 的夜班补贴",
        "夜班补贴少发",
        department="后勤服务中心",
        appellant=Appellant("赵敏", who, "13900001111"),
    )
    return casework.raise_appeal(draft, CLERK).id


def committee(casework: Casework) -> tuple[Actor, Actor]:
    return (
        scoped(casework, "committee-app-1", Role.COMMITTEE),
        scoped(casework, "committee-app-2", Role.COMMITTEE),
    )


def test_an_erasure_stopped_after_its_confirmation_is_finished_when_the_service_starts(
    services: Services, casework: Casework
) -> None:
    who = person()
    appeal_id = named_appeal(casework, who)
    asker, checker = committee(casework)
    flaky = StopsBeforeDestroying(services.erasures.keys)
    erasures = Erasures(casework, flaky, services.store)  # type: ignore[arg-type]
    requested = erasures.request(
        who, reason="本人申请", legal_basis=LegalBasis.RETENTION_ENDED, actor=asker
    )

    with pytest.raises(Interrupted):
        erasures.confirm(requested.id, actor=checker)

    assert erasures.read(requested.id, checker).status is ErasureStatus.CONFIRMED
    assert services.erasures.keys.pending_erasures() == [requested.id]
    # On the next start, the pending erasure is found by its marks and finished.
    finished = services.erasures.finish_pending()

    assert finished == [requested.id]
    done = services.erasures.read(requested.id, checker)
    assert (done.status, done.keys_destroyed) == (ErasureStatus.COMPLETED, 1)
    assert is_erased(done.subject)
    appellant = casework.get_appeal(appeal_id).appellant
    assert appellant is not None
    assert appellant.erased
    assert services.erasures.keys.pending_erasures() == []


def test_confirming_again_finishes_an_interrupted_erasure_once(
    services: Services, casework: Casework
) -> None:
    who = person()
    named_appeal(casework, who)
    asker, checker = committee(casework)
    flaky = Erasures(casework, StopsBeforeDestroying(services.erasures.keys), services.store)  # type: ignore[arg-type]
    requested = flaky.request(
        who, reason="本人申请", legal_basis=LegalBasis.CONSENT_WITHDRAWN, actor=asker
    )
    with pytest.raises(Interrupted):
        flaky.confirm(requested.id, actor=checker)

    again = services.erasures.confirm(requested.id, actor=checker)
    once_more = services.erasures.confirm(requested.id, actor=checker)

    assert again.status is once_more.status is ErasureStatus.COMPLETED
    assert services.erasures.read(requested.id, checker).version == 3  # one Completed


def test_nothing_personal_can_be_recorded_for_an_erased_appellant(
    services: Services, casework: Casework
) -> None:
    who = person()
    appeal_id = named_appeal(casework, who)
    asker, checker = committee(casework)
    requested = services.erasures.request(
        who, reason="本人申请", legal_basis=LegalBasis.PURPOSE_FULFILLED, actor=asker
    )
    services.erasures.confirm(requested.id, actor=checker)

    with pytest.raises(PersonErased):
        casework.contact(appeal_id, note="电话联系", actor=CLERK)
    # The union's own work goes on: it is transferred and answered as before.
    casework.transfer(appeal_id, department="后勤服务中心", supervisor="s", actor=CLERK)
    # Raising again later starts afresh, under a new key.
    fresh = named_appeal(casework, who)
    again = casework.get_appeal(fresh).appellant
    assert again is not None
    assert again.employee_no == who


def test_a_contestant_erased_after_the_ranking_keeps_their_place_and_scores(
    services: Services, casework: Casework
) -> None:
    reviews = Reviews(casework)
    judge = scoped(casework, JUDGE.id, Role.COMMITTEE)
    first, second = person(), person()
    competition_id = reviews.open_competition(name="工匠杯", judges=[judge.id], actor=CLERK).id
    for who in (first, second):
        reviews.register_contestant(
            competition_id, contestant=who, department="机电科", actor=CLERK
        )
    for who, mark in ((first, "90"), (second, "80")):
        reviews.submit_scores(
            competition_id,
            contestant=who,
            scores=dict.fromkeys(CompetitionPart, Decimal(mark)),
            actor=judge,
        )
    reviews.finalise_competition(competition_id, actor=CLERK)
    before = reviews.get_competition(competition_id)
    asker, checker = committee(casework)

    requested = services.erasures.request(
        first, reason="本人申请", legal_basis=LegalBasis.PURPOSE_FULFILLED, actor=asker
    )
    services.erasures.confirm(requested.id, actor=checker)
    after = reviews.get_competition(competition_id)

    assert [(s.rank, s.total) for s in after.ranking] == [(s.rank, s.total) for s in before.ranking]
    assert is_erased(after.ranking[0].contestant)
    assert after.ranking[1].contestant == second
    assert after.standings() == after.ranking  # recomputed from the events: the same
