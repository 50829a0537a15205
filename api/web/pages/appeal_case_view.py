"""What the case page shows: the appeal as `GET /appeals/{id}` reads it for this reader
(who raised it only if the policy lets them see it), its history as `GET /appeals/{id}/history`
shows it, and the forms the reader may use on it now (`appeal_actions.offered`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from api.bootstrap import Services
from api.personal_data import sees_identity, shown_event
from api.schemas.appeal_reads import AppealRead
from api.web.appeal_terms import (
    EVENT_FIELDS,
    EVENT_LABELS,
    OUTCOME_LABELS,
    RATING_LABELS,
    SHOWN_PLACEHOLDERS,
    TERMS,
    VALUE_LABELS,
    deadline_basis,
)
from api.web.i18n import Translate
from api.web.pages.appeal_actions import offered
from api.web.rendering import ROLE_NAMES, shown_time
from domain.actors import Actor
from domain.appeal import Appeal
from domain.appeal_states import AppealCommand
from domain.organisation import Organisation
from domain.terms import Outcome


@dataclass(frozen=True)
class Entry:
    """One event of the history as the page shows it."""

    version: int
    what: str
    at: datetime
    who: str
    role: str
    fields: list[tuple[str, str]]


def case_context(
    services: Services,
    actor: Actor,
    appeal_id: UUID,
    _: Translate,
    *,
    failed: AppealCommand | None = None,
    errors: Mapping[str, str] | None = None,
    typed: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Everything the case page needs; Forbidden or NotFound (the 403 and 404 pages) if the
    reader may not read the appeal or there is none."""
    casework = services.casework
    appeal = casework.read_appeal(appeal_id, actor)
    org = casework.directory.current()
    now = casework.now()
    return {
        "appeal": AppealRead.for_reader(appeal, sees_identity(actor, appeal)),
        "overdue": any(deadline.due < now for deadline in appeal.pending_deadlines()),
        "history": history(services, appeal, actor, org, _),
        "actions": offered(appeal, actor),
        "departments": [("", _("请选择部门"))]
        + [(d.name, d.name) for d in sorted(org.departments.values(), key=_name) if d.open],
        "department_names": {code: d.name for code, d in org.departments.items()},
        "leads": sorted({lead.actor_id for lead in org.tier_leads().leads.values()}),
        # A suggestion is declined with its own form, which asks for the explanation.
        "outcomes": [(o, _(label)) for o, label in OUTCOME_LABELS.items() if o != Outcome.DECLINED],
        "ratings": [("", _("请选择")), *((r, _(label)) for r, label in RATING_LABELS.items())],
        "terms": TERMS,
        "basis": lambda deadline: deadline_basis(deadline, _),
        "failed": failed.value if failed else None,
        "errors": dict(errors or {}),
        "typed": dict(typed or {}),
    }


def history(
    services: Services, appeal: Appeal, actor: Actor, org: Organisation, _: Translate
) -> list[Entry]:
    """Every event of the appeal, with who did it and what it says, as the JSON history
    shows them to this reader."""
    identity = sees_identity(actor, appeal)
    entries = []
    for event in services.casework.history(appeal.id):
        data, by = shown_event(event, identity=identity, appeal=True)
        name = type(event).__name__
        entries.append(
            Entry(
                version=event.originator_version,
                what=_(EVENT_LABELS.get(name, name)),
                at=event.timestamp,
                who=_(SHOWN_PLACEHOLDERS[by]) if by in SHOWN_PLACEHOLDERS else by,
                role=_(ROLE_NAMES.get(event.actor_role, event.actor_role)),
                fields=[
                    (_(label), shown)
                    for field, label in EVENT_FIELDS.items()
                    if (shown := _value(field, data.get(field), org, _))
                ],
            )
        )
    return entries


def _value(field: str, value: Any, org: Organisation, _: Translate) -> str:
    """A field of an event as the page says it ("" for nothing to show)."""
    if value is None or value == "":
        return ""
    if isinstance(value, Mapping):
        if "due" in value:  # a deadline
            return shown_time(datetime.fromisoformat(str(value["due"])))
        parts = (_value(field, part, org, _) for part in value.values() if part)
        return " · ".join(dict.fromkeys(parts))  # each once: "hidden", not thrice
    text = str(value)
    if text in SHOWN_PLACEHOLDERS:
        return _(SHOWN_PLACEHOLDERS[text])
    if field in VALUE_LABELS:
        return _(VALUE_LABELS[field].get(text, text))
    if field == "department" and text in org.departments:
        return org.departments[text].name
    return text


def _name(department: Any) -> str:
    return str(department.name)
