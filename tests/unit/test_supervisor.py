"""Who supervises an appeal (督办员): a talk's tier lead, unless another is named with a
reason; any other appeal names its supervisor (DOMAIN §1). No I/O."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.terms import Channel
from tests.unit.builders import UNION_STAFF, at, raise_named, reply_deadline

LEAD = "lead-union-vice-chair"


def test_a_talks_appeal_is_supervised_by_its_tiers_lead_when_none_is_named() -> None:
    appeal = raise_named()

    assert appeal.choose_supervisor(None, "", LEAD) == (LEAD, "")
    assert appeal.choose_supervisor(LEAD, "", LEAD) == (LEAD, "")


def test_another_supervisor_of_a_talks_appeal_needs_a_reason_which_is_recorded() -> None:
    appeal = raise_named()
    with pytest.raises(InvalidInput) as refused:
        appeal.choose_supervisor("S-zhao", " ", LEAD)
    assert refused.value.field == "supervisor_reason"
    assert LEAD in refused.value.reason

    appeal.transfer(
        department="Finance",
        supervisor="S-zhao",
        supervisor_reason="the lead is away until March",
        tier_lead=LEAD,
        reply_deadline=reply_deadline(7),
        actor=UNION_STAFF,
        at=at(1),
    )
    assert appeal.supervisor == "S-zhao"
    assert appeal.transfers[-1].supervisor_reason == "the lead is away until March"


def test_an_appeal_from_another_channel_names_its_supervisor() -> None:
    appeal = raise_named(channel=Channel.GRID_LIAISON)

    with pytest.raises(InvalidInput) as refused:
        appeal.choose_supervisor(None, "", None)
    assert refused.value.field == "supervisor"
    assert appeal.choose_supervisor("S-zhao", "", None) == ("S-zhao", "")


def test_a_retransfer_keeps_the_supervisor_unless_another_is_named() -> None:
    appeal = raise_named()
    appeal.transfer(
        department="Finance",
        supervisor=None,
        tier_lead=LEAD,
        reply_deadline=reply_deadline(7),
        actor=UNION_STAFF,
        at=at(1),
    )
    appeal.retransfer(
        department="Works",
        reason="pay is set by Works",
        reply_deadline=reply_deadline(8),
        supervisor=None,
        tier_lead=LEAD,
        actor=UNION_STAFF,
        at=at(2),
    )
    assert (appeal.supervisor, appeal.responsible_department) == (LEAD, "Works")
