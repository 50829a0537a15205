"""A posted form read as the JSON body the API takes (`api.schemas`), so a page checks what
it is sent by the same schema, with the same limits, as the route beside it; what is wrong
comes back as a message for each field, in the reader's language, for the form to show
beside the field it concerns."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from api.deps import NEVER
from api.web.i18n import Translate
from api.web.rendering import SHOWN_IN
from domain.errors import InvalidInput

B = TypeVar("B", bound=BaseModel)

#: Where a message about the form as a whole (not one field) goes.
FORM = "form"

#: `api.schemas.bodies.Body`'s own message for a text over its limit.
_OVER_LIMIT = re.compile(r"at most (\d+) characters")
#: What an `<input type="datetime-local">` sends: a moment without its zone.
_LOCAL_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")


def form_values(form: Mapping[str, Any], schema: type[BaseModel]) -> dict[str, Any]:
    """The fields of `schema` that `form` holds, as text; an optional field left empty is
    left out (the schema's default applies), a required one is kept empty (and refused)."""
    values: dict[str, Any] = {}
    for name, field in schema.model_fields.items():
        value = form.get(name)
        if not isinstance(value, str):
            continue
        if value.strip() or field.is_required():
            values[name] = value
    return values


def version_sent(form: Mapping[str, Any]) -> int:
    """The version of the case the page showed, as its form sends it back (If-Match): a
    value that is not a version never matches, so the command is refused as stale (412)."""
    sent = form.get("version")
    return int(sent) if isinstance(sent, str) and sent.isdigit() and len(sent) < 10 else NEVER


def local_moment(value: str) -> str:
    """A moment typed in a date-and-time input, read as China time (the pages' zone)."""
    if _LOCAL_MOMENT.fullmatch(value.strip()):
        return datetime.fromisoformat(value.strip()).replace(tzinfo=SHOWN_IN).isoformat()
    return value


def checked(schema: type[B], values: Mapping[str, Any], _: Translate) -> B | dict[str, str]:
    """`values` as `schema`, or the message for each field it refuses (the last name of
    the field's place: `appellant.name` is `name`)."""
    try:
        return schema.model_validate(dict(values))
    except ValidationError as refused:
        errors: dict[str, str] = {}
        for error in refused.errors():
            names = [part for part in error["loc"] if isinstance(part, str)]
            errors.setdefault(names[-1] if names else FORM, _message(error, _))
        return errors


def refusal(invalid: InvalidInput, _: Translate) -> dict[str, str]:
    """A use case's refusal of a value, for the form to show beside its field."""
    return {invalid.field or FORM: _("不符合规则：{reason}").format(reason=invalid.reason)}


def _message(error: Mapping[str, Any], _: Translate) -> str:
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind in {"missing", "string_too_short"}:
        return _("必填")
    if kind == "string_too_long":
        return _("最多 {n} 个字").format(n=context.get("max_length", "?"))
    if kind in {"enum", "literal_error"}:
        return _("请从列表中选择")
    if kind.startswith(("datetime", "date")):
        return _("请填写正确的日期和时间")
    over = _OVER_LIMIT.search(str(error.get("msg", "")))
    if over:
        return _("最多 {n} 个字").format(n=over.group(1))
    return str(error.get("msg", _("填写的内容有误")))
