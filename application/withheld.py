"""Whom a subject's public text withholds, gathered from the store (the domain does no I/O).

The appellants of named appeals: a review's ideas, or those raised at a meeting. An appeal
records its meeting; the meeting does not record its appeals, so `MeetingAppeals` finds them
from the appeals' `Raised` events. Each call reads only the `Raised` events stored since the
previous one (notification ids become visible in order: `infrastructure/recorder.py` takes
the table lock before inserting). So the first call after a start reads and decrypts every
stored `Raised` event, 0.4 s for the demo's 2,000 appeals and growing with the appeals stored,
and later calls only the new ones (10 ms). A view keyed by meeting would replace it once that
first call grows too slow, as one would `application/attendance.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from threading import Lock
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.utils import get_topic

from domain.appeal import Appeal
from domain.publication import NO_ONE, Withheld

#: How many notifications one query reads at a time.
PAGE_SIZE = 500


def appellants(app: Application[UUID], appeal_ids: Iterable[UUID]) -> Withheld:
    """The identities of the appellants of those of `appeal_ids` that are named."""
    withheld = NO_ONE
    for appeal_id in appeal_ids:
        appeal: object = app.repository.get(appeal_id)
        if isinstance(appeal, Appeal) and appeal.appellant is not None:
            withheld += appeal.appellant.withheld("an appellant")
    return withheld


class MeetingAppeals:
    """The appeals raised at each meeting, kept up to date from the event store."""

    def __init__(self, app: Application[UUID]) -> None:
        self.app = app
        self._read_to: int | None = None
        self._by_meeting: dict[UUID, list[UUID]] = {}
        self._lock = Lock()

    def raised_at(self, meeting_id: UUID) -> list[UUID]:
        """The ids of the appeals raised at the meeting, as stored now."""
        with self._lock:
            self._catch_up()
            return list(self._by_meeting.get(meeting_id, ()))

    def appellants(self, meeting_id: UUID) -> Withheld:
        """The identities of the appellants of named appeals raised at the meeting."""
        return appellants(self.app, self.raised_at(meeting_id))

    def _catch_up(self) -> None:
        topic = get_topic(Appeal.Raised)
        while True:
            page = self.app.recorder.select_notifications(
                self._read_to, PAGE_SIZE, topics=[topic], inclusive_of_start=False
            )
            for notification in page:
                event = self.app.mapper.to_domain_event(notification)
                if isinstance(event, Appeal.Raised) and event.meeting_id is not None:
                    self._by_meeting.setdefault(event.meeting_id, []).append(event.originator_id)
            if page:
                self._read_to = page[-1].id
            if len(page) < PAGE_SIZE:
                return
