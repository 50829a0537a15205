"""What every request body is made of: `Body`, text fields with their size limits, and
moments with a time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from annotated_types import MaxLen
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from domain.values import NUL_REFUSED
from infrastructure.replay import holds_nul

#: The moments the service takes: years a calendar and every time zone can hold.
EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(9999, 12, 30, tzinfo=UTC)


def _not_a_number(value: Any) -> Any:
    """Refuses a number for a moment (pydantic would read it as seconds since 1970)."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("give a date and time such as 2026-12-01T18:00:00+08:00, not a number")
    return value


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("needs a time zone, e.g. 2026-12-01T18:00:00+08:00")
    try:
        inside = EARLIEST <= moment.astimezone(UTC) <= LATEST
    except OverflowError:  # 0001-01-01 at +14:00 is before the first moment Python holds
        inside = False
    if not inside:
        raise ValueError("must be between 1900-01-01 and 9999-12-30 (UTC)")
    return moment


_NUMBER = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*")

#: A moment with its time zone, in the range every view and calendar can hold.
AwareDatetime = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(_aware)]


def text_field(limit: int, example: str, *, required: bool = True) -> Any:
    """A text field with its size limit and an example."""
    return Field(
        ... if required else "",
        min_length=1 if required else 0,
        max_length=limit,
        examples=[example],
    )


class Body(BaseModel):
    """Request bodies refuse fields they do not know, trim white space, and refuse text
    holding the NUL character in any field (its error names the field)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _limit_before_trimming(cls, value: Any, info: ValidationInfo) -> Any:
        """A text's size limit holds for what was sent, as the schema says, not only for what
        is left once white space is trimmed."""
        if isinstance(value, str) and info.field_name is not None:
            limits = cls.model_fields[info.field_name].metadata
            limit = next((m.max_length for m in limits if isinstance(m, MaxLen)), None)
            if limit is not None and len(value) > limit:
                raise ValueError(f"at most {limit} characters, white space included")
        return value

    @field_validator("*")  # after: a nested body has checked its own fields
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if holds_nul(value):
            raise ValueError(NUL_REFUSED)
        return value
