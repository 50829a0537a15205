"""The meetings demo: a year of talks, joint meetings and a congress, on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.bootstrap import Services
from application.clock import ManualClock
from demo.directory import fill_directory
from demo.meetings import MeetingsSummary, populate_meetings
from domain.meeting_terms import ActionItemStatus, MeetingKind
from domain.terms import Tier

END = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def summary(services: Services, session_clock: ManualClock) -> MeetingsSummary:
    """One year of meetings, shared by the module's tests, in the demo's organisation (filled
    here too, so that the module runs alone)."""
    session_clock.set(END - timedelta(days=400))
    fill_directory(services.casework)
    session_clock.follow_real_time()
    return populate_meetings(services.meetings, session_clock, months=12, seed=11, end=END)


def test_every_tier_had_a_talk(services: Services, summary: MeetingsSummary) -> None:
    assert set(summary.talks_by_tier) == set(Tier)
    meetings = [services.meetings.get_meeting(i) for i in summary.meeting_ids]
    held_tiers = {
        m.tier for m in meetings if m.kind is MeetingKind.TIER_TALK and m.held_at is not None
    }
    assert held_tiers == set(Tier)
    assert all(len(m.participants) <= 10 for m in meetings if m.kind.is_talk)
    assert summary.appeals_raised >= 1
    assert summary.coverage_overrides >= 1


def test_four_joint_meetings_with_items(services: Services, summary: MeetingsSummary) -> None:
    meetings = [services.meetings.get_meeting(i) for i in summary.meeting_ids]
    joint = [m for m in meetings if m.kind is MeetingKind.JOINT_MEETING]
    assert summary.joint_meetings == len(joint) == 4
    assert all(m.decisions and m.quarter is not None for m in joint)
    items = [services.meetings.get_action_item(i) for i in summary.item_ids]
    joint_ids = {m.id for m in joint}
    assert {i.meeting_id for i in items} == joint_ids
    assert any(i.status is ActionItemStatus.ACCEPTED for i in items)
    assert any(i.rejections and i.status is ActionItemStatus.ACCEPTED for i in items)
    assert any(i.overdue for i in items)
    assert summary.items_accepted >= 2
    assert summary.items_rejected >= 1
    assert summary.items_overdue >= 1


def test_congress_has_proposals(services: Services, summary: MeetingsSummary) -> None:
    meetings = [services.meetings.get_meeting(i) for i in summary.meeting_ids]
    congress = [m for m in meetings if m.kind is MeetingKind.CONGRESS]
    assert len(congress) == summary.congresses == 1
    proposals = [services.meetings.get_proposal(i) for i in summary.proposal_ids]
    assert proposals
    assert all(p.meeting_id == congress[0].id for p in proposals)
    assert any(p.assignment_late for p in proposals)
    assert any(p.completed_at is not None for p in proposals)
    assert summary.completions >= 1


def test_late_publication_and_absent_department(
    services: Services, summary: MeetingsSummary
) -> None:
    meetings = [services.meetings.get_meeting(i) for i in summary.meeting_ids]
    assert any(m.published_late for m in meetings)
    assert any(m.absent_departments for m in meetings)
    assert summary.late_publications >= 1
    assert summary.absent_departments >= 1
    assert len(summary.lines()) == 5
