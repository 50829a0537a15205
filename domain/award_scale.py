"""The golden-idea award scale (奖励标准): score bands, each worth 100 to 500 yuan."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Any

from domain.errors import InvalidInput
from domain.review_terms import clean_score

#: Every award of the scale lies within these bounds, in yuan.
AWARD_FLOOR = 100
AWARD_CEILING = 500


@dataclass(frozen=True)
class AwardBand:
    """A combined score of at least `min_score` earns `award` yuan."""

    min_score: Decimal
    award: int

    def to_record(self) -> dict[str, Any]:
        """The band as stored inside an event."""
        return {"min_score": self.min_score, "award": self.award}


@dataclass(frozen=True)
class AwardScale:
    """The published award scale: score bands, each worth 100–500 yuan, rising with the score."""

    bands: tuple[AwardBand, ...]

    @classmethod
    def of(cls, bands: Iterable[tuple[Decimal | int | str, int]]) -> AwardScale:
        """A scale from (minimum score, award) pairs; refuses awards outside 100–500 yuan."""
        checked = [
            AwardBand(clean_score("scale.min_score", low), _award(award)) for low, award in bands
        ]
        if not checked:
            raise InvalidInput("scale", "give at least one score band")
        checked.sort(key=lambda band: band.min_score)
        for lower, upper in pairwise(checked):
            if lower.min_score == upper.min_score:
                raise InvalidInput("scale", f"two bands start at score {lower.min_score}")
            if upper.award <= lower.award:
                raise InvalidInput(
                    "scale",
                    f"a score of {upper.min_score} must earn more than a score of "
                    f"{lower.min_score} ({upper.award} ≤ {lower.award} yuan)",
                )
        return cls(tuple(checked))

    @classmethod
    def default(cls) -> AwardScale:
        """Every adopted idea earns 100 yuan; 60, 70, 80 and 90 points earn 200 to 500."""
        return cls.of([(0, 100), (60, 200), (70, 300), (80, 400), (90, 500)])

    @classmethod
    def from_record(cls, record: Sequence[Mapping[str, Any]]) -> AwardScale:
        """The scale stored inside an event."""
        return cls(tuple(AwardBand(Decimal(b["min_score"]), int(b["award"])) for b in record))

    def to_record(self) -> list[dict[str, Any]]:
        """The scale as stored inside an event."""
        return [band.to_record() for band in self.bands]

    def award_for(self, score: Decimal) -> int | None:
        """The award a combined score earns; None below the lowest band."""
        earned = [band.award for band in self.bands if score >= band.min_score]
        return earned[-1] if earned else None


def _award(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("scale.award", f"{value!r} is not a whole number of yuan")
    if not AWARD_FLOOR <= value <= AWARD_CEILING:
        raise InvalidInput(
            "scale.award", f"{value} yuan is outside {AWARD_FLOOR}–{AWARD_CEILING} yuan"
        )
    return value
