"""Each view's WHERE clause for a reader's scope (`projections.scope.ReadScope`): the reach
the policy gives their role, written in the view's own columns. A view offers the reaches
it keeps something for; asking another is a mistake in the policy, refused at once."""

from __future__ import annotations

from typing import Any

from domain.access import Reach
from infrastructure.view_people import ViewPeople
from projections.scope import ReadScope, UnsupportedReach

#: The case index: whom each case concerns, as `Appeal.parties` (and the others') say.
CASE_INDEX: dict[Reach, str] = {
    Reach.OWN: "people && %(scope_people)s::text[]",
    Reach.RAISED: "raised_by = %(scope_person)s",
    Reach.DEPARTMENT: "handled && %(scope_departments)s::text[]",
    # With the department now: the last it was sent to (an appeal's department before its
    # first transfer is only the one named when raising, which holds nothing).
    Reach.HOLDING: (
        "(department = ANY(%(scope_departments)s::text[]) AND department = ANY(handled))"
    ),
    Reach.SUPERVISED: (
        "(tier = ANY(%(scope_tiers)s::text[]) OR leads && ARRAY[%(scope_person)s]::text[])"
    ),
}

#: The audit trail: the department each event leaves its case with (a raised appeal is with
#: none until transferred, as `Appeal.parties` says).
AUDIT_TRAIL: dict[Reach, str] = {Reach.DEPARTMENT: "held_by = ANY(%(scope_departments)s)"}

#: The metrics' lists of cases behind a figure: each case's department.
METRICS: dict[Reach, str] = {Reach.DEPARTMENT: "department = ANY(%(scope_departments)s)"}


def scope_clause(
    scope: ReadScope, columns: dict[Reach, str], people: ViewPeople | None = None
) -> tuple[str, dict[str, Any]]:
    """The WHERE condition (OR of the reaches) and its parameters; `FALSE` for no reach."""
    unsupported = sorted(r.value for r in scope.reaches - set(columns) - {Reach.ANY})
    if unsupported:
        raise UnsupportedReach(f"this view cannot filter by {', '.join(unsupported)}")
    if scope.everything:
        return "TRUE", {}
    params: dict[str, Any] = {
        "scope_person": scope.person,
        "scope_departments": list(scope.departments),
        "scope_tiers": list(scope.tiers),
    }
    if Reach.OWN in scope.reaches:
        if people is None:
            raise UnsupportedReach("this view keeps no person references")
        own = people.ref(scope.person)
        params["scope_people"] = [own] if own else []
    conditions = [columns[reach] for reach in sorted(scope.reaches)]
    return "(" + " OR ".join(conditions) + ")" if conditions else "FALSE", params


def case_index_scope(scope: ReadScope, people: ViewPeople) -> tuple[str, dict[str, Any]]:
    """The case index's condition for `scope`."""
    return scope_clause(scope, CASE_INDEX, people)
