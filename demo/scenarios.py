"""The demo's stories: what happens to an appeal, step by step, and how often.

Each scenario lists the commands after the raise, with how many working days pass before
each one (0: later the same day). `demo.appeals` lays them out on the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.terms import Channel, Kind


class Step(StrEnum):
    """One command in an appeal's story."""

    RAISE = "raise"
    ANSWER_AND_CLOSE = "answer_and_close"
    ANSWER = "answer"
    TRANSFER = "transfer"
    MISROUTE = "misroute"  # transferred to a department that then hands it on
    RETRANSFER = "retransfer"
    ACK = "ack"
    REACK = "reack"
    EXTEND = "extend"
    REPLY = "reply"
    REPLY_AGAIN = "reply_again"
    PUBLISH = "publish"
    RATE_SATISFIED = "rate_satisfied"
    RATE_BASIC = "rate_basic"
    RATE_DISSATISFIED = "rate_dissatisfied"
    CLOSE_RESOLVED = "close_resolved"
    CLOSE_EXPLAINED = "close_explained"
    ADOPT = "adopt"
    DECLINE = "decline"
    CLOSE_IMPLEMENTED = "close_implemented"
    WITHDRAW = "withdraw"


class Placement(StrEnum):
    """Where in the window a scenario's story goes."""

    ANYWHERE = "anywhere"  # completes before the end
    RECENT = "recent"  # its last step falls in the last few working days
    STALE = "stale"  # its last step is old enough that the reply deadline has passed


@dataclass(frozen=True)
class Scenario:
    """A story: steps after the raise, each `lo`–`hi` working days after the one before."""

    name: str
    steps: tuple[tuple[Step, int, int], ...]
    placement: Placement = Placement.ANYWHERE
    face_to_face: bool = False
    suggestions: bool | None = False  # True: only suggestions; None: any kind


S = Step
_HANDLED = ((S.TRANSFER, 0, 1), (S.ACK, 0, 1), (S.REPLY, 1, 4), (S.PUBLISH, 0, 1))
_TAKEN_ON = ((S.TRANSFER, 0, 1), (S.ACK, 0, 1))
SCENARIOS = {
    s.name: s
    for s in (
        Scenario("on_spot_closed", ((S.ANSWER_AND_CLOSE, 0, 0),), face_to_face=True),
        Scenario(
            "on_spot_rated",
            ((S.ANSWER, 0, 0), (S.RATE_SATISFIED, 1, 2), (S.CLOSE_RESOLVED, 0, 1)),
            face_to_face=True,
        ),
        Scenario("satisfied", (*_HANDLED, (S.RATE_SATISFIED, 1, 3), (S.CLOSE_RESOLVED, 0, 1))),
        Scenario("basically", (*_HANDLED, (S.RATE_BASIC, 1, 3), (S.CLOSE_EXPLAINED, 0, 1))),
        Scenario(
            "reopened",
            (
                *_HANDLED,
                (S.RATE_DISSATISFIED, 1, 3),
                (S.REACK, 0, 1),
                (S.REPLY_AGAIN, 1, 4),
                (S.PUBLISH, 0, 1),
                (S.RATE_BASIC, 1, 3),
                (S.CLOSE_RESOLVED, 0, 1),
            ),
        ),
        Scenario(
            "retransferred",
            (
                (S.MISROUTE, 0, 1),
                (S.ACK, 0, 1),
                (S.RETRANSFER, 1, 2),
                (S.ACK, 0, 1),
                (S.REPLY, 1, 3),
                (S.PUBLISH, 0, 1),
                (S.RATE_SATISFIED, 1, 3),
                (S.CLOSE_RESOLVED, 0, 1),
            ),
        ),
        Scenario(
            "extended",
            (
                *_TAKEN_ON,
                (S.EXTEND, 2, 4),
                (S.REPLY, 3, 6),
                (S.PUBLISH, 0, 1),
                (S.RATE_SATISFIED, 1, 3),
                (S.CLOSE_RESOLVED, 0, 1),
            ),
        ),
        Scenario(
            "adopted", (*_TAKEN_ON, (S.ADOPT, 2, 5), (S.CLOSE_IMPLEMENTED, 5, 12)), suggestions=True
        ),
        Scenario("implementing", (*_TAKEN_ON, (S.ADOPT, 2, 5)), Placement.RECENT, suggestions=True),
        Scenario("declined", (*_TAKEN_ON, (S.DECLINE, 2, 5)), suggestions=True),
        Scenario("withdrawn", ((S.TRANSFER, 0, 1), (S.WITHDRAW, 1, 3)), suggestions=None),
        Scenario("overdue", (*_TAKEN_ON[:1], (S.ACK, 0, 2)), Placement.STALE, suggestions=None),
        Scenario("unanswered", _TAKEN_ON[:1], Placement.STALE, suggestions=None),
        Scenario("in_progress", _TAKEN_ON, Placement.RECENT, suggestions=None),
        Scenario("just_raised", (), Placement.RECENT, suggestions=None),
        Scenario("awaiting_rating", _HANDLED, Placement.RECENT),
    )
}

#: How often each scenario happens, for appeals other than suggestions and for suggestions.
WEIGHTS = {
    False: {
        "on_spot_closed": 14,
        "on_spot_rated": 5,
        "satisfied": 30,
        "basically": 10,
        "reopened": 6,
        "retransferred": 6,
        "extended": 6,
        "withdrawn": 4,
        "overdue": 4,
        "unanswered": 2,
        "in_progress": 8,
        "just_raised": 3,
        "awaiting_rating": 5,
    },
    True: {
        "adopted": 30,
        "implementing": 15,
        "declined": 25,
        "withdrawn": 4,
        "overdue": 5,
        "unanswered": 2,
        "in_progress": 12,
        "just_raised": 5,
    },
}

#: The first appeals cover every channel, kind and scenario; the rest are drawn at random.
COVERAGE = (
    (Channel.TALK_SESSION, Kind.QUESTION, "on_spot_closed"),
    (Channel.RECEPTION_DAY, Kind.HARDSHIP, "on_spot_rated"),
    (Channel.GRID_LIAISON, Kind.COMPLAINT, "satisfied"),
    (Channel.DEPARTMENT_LIAISON, Kind.QUESTION, "basically"),
    (Channel.URGENT, Kind.HARDSHIP, "satisfied"),
    (Channel.ANONYMOUS_BOX, Kind.COMPLAINT, "reopened"),
    (Channel.CONGRESS_PROPOSAL, Kind.SUGGESTION, "adopted"),
    (Channel.CONGRESS_PROPOSAL, Kind.SUGGESTION, "declined"),
    (Channel.PERFORMANCE_APPEAL, Kind.COMPLAINT, "extended"),
    (Channel.LEGAL_CLINIC, Kind.QUESTION, "retransferred"),
    (Channel.TALK_SESSION, Kind.COMPLAINT, "reopened"),
    (Channel.GRID_LIAISON, Kind.QUESTION, "withdrawn"),
    (Channel.ANONYMOUS_BOX, Kind.QUESTION, "withdrawn"),
    (Channel.DEPARTMENT_LIAISON, Kind.COMPLAINT, "overdue"),
    (Channel.GRID_LIAISON, Kind.COMPLAINT, "unanswered"),
    (Channel.TALK_SESSION, Kind.SUGGESTION, "implementing"),
    (Channel.TALK_SESSION, Kind.HARDSHIP, "in_progress"),
    (Channel.RECEPTION_DAY, Kind.COMPLAINT, "just_raised"),
    (Channel.URGENT, Kind.COMPLAINT, "awaiting_rating"),
    (Channel.LEGAL_CLINIC, Kind.QUESTION, "on_spot_closed"),
    (Channel.ANONYMOUS_BOX, Kind.SUGGESTION, "declined"),
    # eight talk sessions in all, one per tier
    (Channel.TALK_SESSION, Kind.COMPLAINT, "satisfied"),
    (Channel.TALK_SESSION, Kind.SUGGESTION, "adopted"),
    (Channel.TALK_SESSION, Kind.QUESTION, "basically"),
    (Channel.TALK_SESSION, Kind.COMPLAINT, "on_spot_rated"),
)
