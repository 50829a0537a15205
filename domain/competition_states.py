"""The skill competition's state machine: each command, the states that allow it, and where
it leads. `Competition` refuses a command its state does not allow by looking it up in
`COMPETITION_STATES`, and sets the state each event leads to from it.
"""

from __future__ import annotations

from enum import StrEnum

from domain.review_terms import CompetitionStatus
from domain.transitions import StateTable, Transition


class CompetitionCommand(StrEnum):
    """What can be done to a competition once opened."""

    REGISTER = "register"
    SCORE = "score"
    CORRECT_SCORE = "correct_score"
    FINALISE = "finalise"


COMPETITION_STATES: StateTable[CompetitionCommand, CompetitionStatus] = StateTable(
    subject="competition",
    initial=CompetitionStatus.OPEN,
    commands={
        CompetitionCommand.REGISTER: Transition(
            "register a contestant for",
            allowed={CompetitionStatus.OPEN},
            events=("ContestantRegistered",),
        ),
        CompetitionCommand.SCORE: Transition(
            "score a contestant in",
            allowed={CompetitionStatus.OPEN},
            events=("ScoresSubmitted",),
            condition="by a judge, each part once",
        ),
        CompetitionCommand.CORRECT_SCORE: Transition(
            "correct a score in",
            allowed={CompetitionStatus.OPEN},
            events=("ScoreCorrected",),
            condition="the judge's own",
        ),
        CompetitionCommand.FINALISE: Transition(
            "finalise",
            allowed={CompetitionStatus.OPEN},
            events=("Finalised",),
            condition="every score given",
        ),
    },
    events={"Finalised": CompetitionStatus.FINALISED},
)
