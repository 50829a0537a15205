"""A page of a case list (appeals, meetings, action items, proposals), read from the case
index: the filters every list shares, cursor paging newest first, the reader's scope, and
`?after=<position>` to wait (bounded) until the index includes a command's event. Each
list's route lives with its case's other routes (`GET /action-items` in
`api.routes.action_items`…).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from api.deps import ServicesDep, department_code, read_view
from api.errors import ApiProblem
from api.schemas.bodies import AwareDatetime
from api.schemas.lists import CasePageRead, decode_cursor
from domain.actors import Actor
from domain.policy import Permission
from projections.case_index import CaseIndexView, CaseQuery, CaseType
from projections.scope import ReadScope

VIEW = "case_index"

Department = Annotated[
    str | None, Query(max_length=200, description="cases involving this department")
]
OpenedFrom = Annotated[
    AwareDatetime | None,
    Query(alias="from", description="opened (raised, scheduled, created) at or after this time"),
]
OpenedBefore = Annotated[
    AwareDatetime | None, Query(alias="to", description="opened before this time")
]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page")]
Limit = Annotated[int, Query(ge=1, le=200, description="rows per page")]
Overdue = Annotated[
    bool | None, Query(description="only cases past (true) or not past (false) their deadline")
]


#: What listing each case type needs; the reader's reach with it filters the rows.
READ = {
    CaseType.APPEAL: Permission.APPEAL_READ,
    CaseType.MEETING: Permission.MEETING_READ,
    CaseType.ACTION_ITEM: Permission.ACTION_ITEM_READ,
    CaseType.PROPOSAL: Permission.PROPOSAL_READ,
}


def case_page(
    services: ServicesDep,
    actor: Actor,
    case_type: CaseType,
    *,
    cursor: str | None,
    limit: int,
    after: int | None,
    department: str | None = None,
    reach: Permission | None = None,
    **filters: Any,
) -> CasePageRead:
    """One page of the case type's rows matching the filters that `actor` may read, as of
    the view's position; `reach` narrows the rows to those the actor reaches with that
    permission (`appeal.respond`: the cases with their departments now)."""
    query = CaseQuery(
        case_type=case_type,
        now=services.casework.now(),
        after=decode_cursor(cursor),
        limit=limit,
        department=department_code(services, department),
        scope=ReadScope.of(actor, reach or READ[case_type]),
        **filters,
    )
    if (
        query.opened_from is not None
        and query.opened_before is not None
        and query.opened_from >= query.opened_before
    ):
        raise ApiProblem(400, "invalid-range", "Empty date range", "from: must be before `to`")
    view, position = read_view(services, VIEW, CaseIndexView, after)  # type: ignore[type-abstract]
    return CasePageRead.of(view.list_cases(query), position)
