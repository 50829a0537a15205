"""What the bodies of the three reviews share: a score out of 100, and a panel of people.

Each review's own bodies are in `api.schemas.idea_reviews`, `api.schemas.competitions` and
`api.schemas.collaboration_reviews`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from domain import limits

Score = Annotated[
    Decimal, Field(ge=0, le=100, decimal_places=2, examples=["85.5"], description="0 to 100")
]
People = Annotated[
    list[str],
    Field(min_length=1, max_length=limits.PEOPLE, examples=[["R-li", "R-wang", "R-zhao"]]),
]
