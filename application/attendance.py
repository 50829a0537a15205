"""Who attended the talks of a tier, read from the stored events (until a projection exists).

Cost: each call pages through the whole event table filtered on the `Meeting.Held` topic
(the topic column has no index, so PostgreSQL scans every stored event) and decrypts every
`Held` event ever recorded: one event per meeting, a few hundred a year. Fine for now; a
projection keyed by tier and time replaces it when the event table grows large.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.utils import get_topic

from domain.meeting import Meeting
from domain.meeting_terms import MeetingKind
from domain.terms import Tier

#: How many notifications one query reads at a time.
PAGE_SIZE = 500


def held_events(app: Application[UUID]) -> Iterator[Meeting.Held]:
    """Every `Held` event of every meeting, oldest first."""
    topic = get_topic(Meeting.Held)
    start: int | None = None
    while True:
        page = app.recorder.select_notifications(
            start, PAGE_SIZE, topics=[topic], inclusive_of_start=False
        )
        for notification in page:
            event = app.mapper.to_domain_event(notification)
            if isinstance(event, Meeting.Held):
                yield event
        if len(page) < PAGE_SIZE:
            return
        start = page[-1].id


def tier_talk_attendees(
    app: Application[UUID], tier: Tier, since: datetime | None = None
) -> frozenset[str]:
    """The distinct people who attended a tier talk of `tier` at or after `since`."""
    people: set[str] = set()
    for held in held_events(app):
        if held.kind != MeetingKind.TIER_TALK.value or held.tier != tier.value:
            continue
        if since is not None and held.timestamp < since:
            continue
        people.update(attendee["person_id"] for attendee in held.attendees)
    return frozenset(people)
