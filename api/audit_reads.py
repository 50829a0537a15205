"""The audit trail's reads as the JSON routes (`api.routes.audit_trail`) and the auditor's
pages (`api.web.pages.audit`) both make them: the filters, the reader's scope, one case's
trail, and the rows as the reader may see them (`api.personal_data`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from fastapi.responses import StreamingResponse

from api.bootstrap import Services
from api.deps import department_code, read_view
from api.errors import ApiProblem
from api.exports import ExportFormat, export_response
from api.personal_data import person_actor, shown_rows
from api.schemas.audit_trail import EXPORT_FIELDS, export_cells
from domain.actors import Actor
from domain.errors import NotFound
from domain.policy import Permission, may_see_every_identity
from projections.audit_trail import AuditQuery, AuditRow, AuditTrailView
from projections.scope import ReadScope

VIEW = "audit_trail"


@dataclass(frozen=True)
class CaseTrail:
    """Every event of one case the reader's scope reaches, in order, as they may see it."""

    case_id: UUID
    rows: list[AuditRow]
    position: int  # the view's: every event up to it is included

    @property
    def case_type(self) -> str:
        """The case's type as the trail names it (appeal, meeting, action_item, …)."""
        return self.rows[0].case_type

    @property
    def case_ref(self) -> str | None:
        """The case's reference (an appeal's case number), if it has one."""
        return self.rows[0].case_ref


def audit_query(
    services: Services,
    actor: Actor,
    *,
    case_id: UUID | None = None,
    by: str | None = None,
    department: str | None = None,
    event_type: str | None = None,
    case_type: str | None = None,
    occurred_from: datetime | None = None,
    occurred_before: datetime | None = None,
) -> AuditQuery:
    """The query of the audit trail these filters ask for, in `actor`'s scope."""
    if (
        occurred_from is not None
        and occurred_before is not None
        and occurred_from >= occurred_before
    ):
        raise ApiProblem(400, "invalid-range", "Empty time range", "from: must be before `to`")
    return AuditQuery(
        case_id=case_id,
        actor_id=by,
        # An employee acting in person is in the view as their reference: found by their
        # id only for those who may see anyone's identity.
        actor_ref=(
            person_actor(by, services.keyring) if by and may_see_every_identity(actor) else None
        ),
        department=department_code(services, department),
        event_type=event_type,
        case_type=case_type,
        occurred_from=occurred_from,
        occurred_before=occurred_before,
        scope=ReadScope.of(actor, Permission.AUDIT_READ),
    )


def trail_view(services: Services, after: int | None) -> tuple[AuditTrailView, int]:
    """The audit trail once it has applied `after`, and its position."""
    return read_view(services, VIEW, AuditTrailView, after)  # type: ignore[type-abstract]


def shown(rows: Iterable[AuditRow], services: Services, actor: Actor) -> Iterator[AuditRow]:
    """The rows as this actor may see them (`api.personal_data`)."""
    return shown_rows(rows, actor, services.keyring, services.casework.repository.get)


def read_case_trail(
    services: Services,
    actor: Actor,
    case_id: UUID,
    after: int | None = None,
    *,
    opened: bool = True,
) -> CaseTrail:
    """One case's trail in `actor`'s audit scope; NotFound if the scope reaches none of it.
    Its values are opened as the actor may see them, unless the reader shows none of them
    (`opened=False`: the rows as the view holds them, personal data sealed)."""
    view, position = trail_view(services, after)
    rows = view.case_trail(case_id, ReadScope.of(actor, Permission.AUDIT_READ))
    if not rows:
        raise NotFound(f"no case {case_id} in the audit trail (up to position {position})")
    return CaseTrail(case_id, list(shown(rows, services, actor)) if opened else rows, position)


def export_trail(
    services: Services, actor: Actor, filters: AuditQuery, after: int | None, form: ExportFormat
) -> StreamingResponse:
    """The matching events, as the actor may see them, as a CSV or .xlsx download."""
    view, position = trail_view(services, after)
    rows = (export_cells(row) for row in shown(view.export_rows(filters), services, actor))
    return export_response(form, EXPORT_FIELDS, rows, f"audit-trail-{position}", "audit trail")
