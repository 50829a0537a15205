"""Every aggregate's state table is whole: it names only the aggregate's own events, every
state can be reached, and each command refuses with its own words (no I/O)."""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.domain import Aggregate

from domain.action_item import ActionItem
from domain.action_item_states import ACTION_ITEM_STATES
from domain.appeal import Appeal
from domain.appeal_states import APPEAL_STATES
from domain.card import Card
from domain.card_states import CARD_STATES
from domain.collaboration_review import CollaborationReview
from domain.collaboration_review_states import COLLABORATION_REVIEW_STATES
from domain.competition import Competition
from domain.competition_states import COMPETITION_STATES
from domain.disclosure import Disclosure
from domain.disclosure_states import DISCLOSURE_STATES
from domain.erasure import Erasure
from domain.erasure_states import ERASURE_STATES
from domain.errors import ActionNotAllowed
from domain.golden_idea import IdeaReview
from domain.golden_idea_states import IDEA_REVIEW_STATES
from domain.meeting import Meeting
from domain.meeting_states import MEETING_STATES
from domain.monthly_report import MonthlyReport
from domain.monthly_report_states import MONTHLY_REPORT_STATES
from domain.penalty import Penalty
from domain.penalty_states import PENALTY_STATES
from domain.proposal import Proposal
from domain.proposal_states import PROPOSAL_STATES
from domain.transitions import StateTable

TABLES: list[tuple[type[Aggregate], StateTable[Any, Any]]] = [
    (Appeal, APPEAL_STATES),
    (Meeting, MEETING_STATES),
    (ActionItem, ACTION_ITEM_STATES),
    (Proposal, PROPOSAL_STATES),
    (Disclosure, DISCLOSURE_STATES),
    (Penalty, PENALTY_STATES),
    (Erasure, ERASURE_STATES),
    (Card, CARD_STATES),
    (IdeaReview, IDEA_REVIEW_STATES),
    (Competition, COMPETITION_STATES),
    (CollaborationReview, COLLABORATION_REVIEW_STATES),
    (MonthlyReport, MONTHLY_REPORT_STATES),
]
IDS = [aggregate.__name__ for aggregate, _ in TABLES]


@pytest.mark.parametrize(("aggregate", "table"), TABLES, ids=IDS)
def test_a_state_table_names_only_events_of_its_aggregate(
    aggregate: type[Aggregate], table: StateTable[Any, Any]
) -> None:
    named = {
        *(name for row in table.commands.values() for name in row.events),
        *table.events,
        *table.varies,
    }
    base = aggregate.__dict__["Event"]

    unknown = {
        name
        for name in named
        if not isinstance(getattr(aggregate, name, None), type)
        or not issubclass(getattr(aggregate, name), base)
    }
    assert unknown == set()


@pytest.mark.parametrize(("aggregate", "table"), TABLES, ids=IDS)
def test_every_state_is_where_the_aggregate_starts_or_where_a_command_leads(
    aggregate: type[Aggregate], table: StateTable[Any, Any]
) -> None:
    reached = {table.initial}.union(*map(table.leads_to, table.commands))

    assert reached == table.states


@pytest.mark.parametrize(("aggregate", "table"), TABLES, ids=IDS)
def test_each_command_is_refused_in_its_own_words_naming_the_state(
    aggregate: type[Aggregate], table: StateTable[Any, Any]
) -> None:
    actions = [row.action for row in table.commands.values()]
    assert len(set(actions)) == len(actions)
    for command, row in table.commands.items():
        refused = table.states - row.allowed
        for state in refused:
            with pytest.raises(ActionNotAllowed) as error:
                table.require(command, state)
            assert (error.value.action, error.value.state) == (row.action, state.value)
            assert error.value.subject == table.subject
