"""The disclosure demo after the appeals, meetings and accountability demos, on PostgreSQL:
every kind of subject reaches the public board through the committee's review, one answer
is withdrawn, returned proposals are revised, and no appellant's identity goes public."""

from __future__ import annotations

from datetime import datetime

import pytest

from api.bootstrap import Services
from application.clock import ManualClock
from demo.accountability import populate_accountability
from demo.appeals import DemoSummary, populate
from demo.disclosures import (
    WITHDRAWAL_REASON,
    DisclosuresSummary,
    populate_disclosures,
)
from demo.meetings import populate_meetings
from domain.calendar import CHINA_TZ
from domain.disclosure import Disclosure, DisclosureStatus, SubjectType
from domain.publication import personal_data_in

#: A Friday; the appeals span the four months before it. Not the accountability demo test's
#: end: its golden-idea review of the same quarter would leave this one nothing to review.
END = datetime(2026, 9, 18, 10, 0, tzinfo=CHINA_TZ)


@pytest.fixture(scope="module")
def appeals(services: Services, session_clock: ManualClock) -> DemoSummary:
    """The appeals demo at a reduced size."""
    return populate(services.casework, session_clock, appeals=80, months=4, seed=8, end=END)


@pytest.fixture(scope="module")
def summary(
    services: Services, session_clock: ManualClock, appeals: DemoSummary
) -> DisclosuresSummary:
    """Meetings, accountability, then the board, as `huiyin demo` runs them."""
    meetings = populate_meetings(services.meetings, session_clock, months=12, seed=8, end=END)
    accountability = populate_accountability(
        services, session_clock, demo=appeals, meetings=meetings, seed=8
    )
    return populate_disclosures(
        services,
        session_clock,
        demo=appeals,
        meetings=meetings,
        accountability=accountability,
        seed=8,
    )


def _disclosures(services: Services, summary: DisclosuresSummary) -> list[Disclosure]:
    return [services.disclosures.get(disclosure_id) for disclosure_id in summary.ids]


def test_every_kind_of_subject_the_demo_has_reaches_the_board(
    summary: DisclosuresSummary,
) -> None:
    assert summary.published[SubjectType.APPEAL_ANSWER] >= 2
    assert summary.published[SubjectType.MEETING_MINUTES] >= 1
    assert summary.published[SubjectType.FUND_STATEMENT] >= 3  # the months before the end
    assert summary.published[SubjectType.PENALTIES_AND_CARDS] >= 1
    assert summary.published[SubjectType.GOLDEN_IDEA_AWARDS] == 1
    assert summary.published[SubjectType.AWARD_PROCEDURE] == 1


def test_each_published_entry_was_approved_by_a_member_who_did_not_write_it(
    services: Services, summary: DisclosuresSummary
) -> None:
    public = [d for d in _disclosures(services, summary) if d.public]

    assert len(public) == sum(summary.published.values())
    for disclosure in public:
        assert disclosure.approved_by is not None
        assert disclosure.approved_by not in disclosure.authors
        assert disclosure.approved_at is not None
        assert disclosure.published_at is not None
        assert disclosure.approved_at <= disclosure.published_at < END
        assert disclosure.published_chain_head is not None


def test_returned_proposals_are_revised_and_one_answer_is_withdrawn_with_its_reason(
    services: Services, summary: DisclosuresSummary
) -> None:
    assert summary.returned >= 1
    revised = [
        d
        for d in _disclosures(services, summary)
        if any(type(e).__name__ == "Returned" for e in services.disclosures.history(d.id))
    ]
    assert len(revised) == summary.returned
    for disclosure in revised:
        names = [type(e).__name__ for e in services.disclosures.history(disclosure.id)]
        # Returned near the end, the revision may not have happened yet.
        assert names[:3] == ["Proposed", "Returned", "Revised"] or (
            names == ["Proposed", "Returned"] and disclosure.id in summary.waiting
        )

    [withdrawn_id] = summary.withdrawn
    withdrawn = services.disclosures.get(withdrawn_id)
    assert withdrawn.status is DisclosureStatus.WITHDRAWN
    assert withdrawn.subject_type is SubjectType.APPEAL_ANSWER
    assert withdrawn.withdrawal_reason == WITHDRAWAL_REASON


def test_no_named_appellant_appears_in_any_public_text(
    services: Services, appeals: DemoSummary, summary: DisclosuresSummary
) -> None:
    public_text = " ".join(
        f"{d.title} {d.body}" for d in _disclosures(services, summary) if d.public
    )
    named = [
        appellant
        for case in appeals.cases
        if (appellant := services.casework.get_appeal(case.id).appellant) is not None
    ]

    assert named
    for appellant in named:
        assert personal_data_in(public_text, appellant.withheld()) is None
