"""The access policy as a specification: who may do what, to which cases (no I/O)."""

from __future__ import annotations

import pytest

from domain.access import Parties, Reach
from domain.actors import Actor, Role
from domain.policy import (
    POLICY,
    Forbidden,
    Permission,
    authorise,
    may,
    may_see_every_identity,
    may_see_identity,
    may_see_identity_somewhere,
    reach_of,
)
from domain.terms import Tier

APPELLANT = Actor("E1001", Role.EMPLOYEE)
OTHER_EMPLOYEE = Actor("E2002", Role.EMPLOYEE)
CLERK = Actor("U-li", Role.UNION_STAFF)
LOGISTICS = Actor("D-liang", Role.DEPARTMENT, departments=frozenset({"logistics"}))
FINANCE = Actor("D-xu", Role.DEPARTMENT, departments=frozenset({"finance"}))
WORKERS_LEAD = Actor("S-wang", Role.SUPERVISOR, tiers=frozenset({Tier.WORKERS}))
OTHER_SUPERVISOR = Actor("S-zhao", Role.SUPERVISOR, tiers=frozenset({Tier.PARTY_MEMBERS}))
COMMITTEE = Actor("C-wu", Role.COMMITTEE)
AUDITOR = Actor("A-he", Role.AUDITOR)
ADMIN = Actor("it-admin", Role.ADMIN)
HR = Actor("HR-chen", Role.HR)
LIAISON = Actor("grid-7", Role.LIAISON)
SYSTEM = Actor("huiyin-watcher", Role.SYSTEM)

#: A named appeal raised at a workers' talk by a liaison, with logistics now.
APPEAL = Parties(
    people=frozenset({"E1001"}),
    raised_by="grid-7",
    departments=frozenset({"finance", "logistics"}),
    holding=frozenset({"logistics"}),
    tiers=frozenset({Tier.WORKERS}),
    leads=frozenset({"S-wang"}),
)


def holders(permission: Permission) -> set[Role]:
    """The roles that hold a permission on some cases."""
    return set(POLICY[permission].grants)


def test_every_permission_has_one_rule_saying_what_it_allows() -> None:
    assert set(POLICY) == set(Permission)
    assert all(rule.allows and rule.grants for rule in POLICY.values())


def test_only_the_committee_reviews_and_withdraws_disclosures() -> None:
    assert holders(Permission.DISCLOSURE_REVIEW) == {Role.COMMITTEE}
    assert holders(Permission.DISCLOSURE_WITHDRAW) == {Role.COMMITTEE}
    assert Role.EMPLOYEE not in holders(Permission.DISCLOSURE_PROPOSE)


def test_only_the_committee_reverses_a_penalty_or_rejects_its_contest() -> None:
    assert holders(Permission.PENALTY_DECIDE) == {Role.COMMITTEE}


def test_only_the_committee_or_the_system_issues_and_escalates_cards() -> None:
    assert holders(Permission.CARD_ISSUE) == {Role.COMMITTEE, Role.SYSTEM}


def test_a_department_never_accepts_its_own_action_items() -> None:
    assert Role.DEPARTMENT not in holders(Permission.ACTION_ITEM_ACCEPT)


def test_only_the_union_drafts_and_files_the_monthly_report() -> None:
    assert holders(Permission.MONTHLY_REPORT_EDIT) == {Role.UNION_STAFF, Role.COMMITTEE}
    assert Role.EMPLOYEE not in holders(Permission.MONTHLY_REPORT_DRAFT)


def test_the_system_role_holds_only_what_the_service_does_by_itself() -> None:
    theirs = {p for p, rule in POLICY.items() if Role.SYSTEM in rule.grants}
    assert theirs == {
        Permission.DEADLINE_RECORD_MISSED,
        Permission.ACTION_ITEM_MARK_OVERDUE,
        Permission.PENALTY_RECORD_AUTOMATIC,
        Permission.CARD_ISSUE,
        Permission.MONTHLY_REPORT_DRAFT,
    }


def test_the_admin_keeps_the_directory_and_reads_no_case() -> None:
    case_reads = [
        p for p in Permission if p.value.endswith(".read") and p.value != "directory.read"
    ]
    not_cases = (Permission.PROJECTIONS_READ, Permission.WEBHOOK_READ)  # the service's own
    assert all(not reach_of(ADMIN, p) for p in case_reads if p not in not_cases)
    assert reach_of(ADMIN, Permission.DIRECTORY_ROLES) == {Reach.ANY}


def test_only_the_appellant_or_union_staff_rate_or_withdraw_a_named_appeal() -> None:
    for permission in (Permission.APPEAL_RATE, Permission.APPEAL_WITHDRAW):
        authorise(APPELLANT, permission, APPEAL)
        authorise(CLERK, permission, APPEAL)
        for stranger in (OTHER_EMPLOYEE, LOGISTICS, WORKERS_LEAD, COMMITTEE):
            with pytest.raises(Forbidden):
                authorise(stranger, permission, APPEAL)


def test_a_department_responds_only_to_appeals_it_holds_now() -> None:
    authorise(LOGISTICS, Permission.APPEAL_RESPOND, APPEAL)
    with pytest.raises(Forbidden) as refused:
        authorise(FINANCE, Permission.APPEAL_RESPOND, APPEAL)
    assert refused.value.permission is Permission.APPEAL_RESPOND
    assert "holding" in refused.value.message


def test_a_department_reads_the_appeals_it_handled_and_no_others() -> None:
    assert may(FINANCE, Permission.APPEAL_READ, APPEAL)  # handed on since, read all the same
    elsewhere = Actor("D-sun", Role.DEPARTMENT, departments=frozenset({"safety"}))
    assert not may(elsewhere, Permission.APPEAL_READ, APPEAL)


def test_an_employee_reads_only_their_own_appeals() -> None:
    assert may(APPELLANT, Permission.APPEAL_READ, APPEAL)
    assert not may(OTHER_EMPLOYEE, Permission.APPEAL_READ, APPEAL)


def test_a_liaison_reads_the_appeals_they_raised_for_others() -> None:
    assert may(LIAISON, Permission.APPEAL_READ, APPEAL)
    assert not may(Actor("grid-8", Role.LIAISON), Permission.APPEAL_READ, APPEAL)


def test_a_supervisor_reaches_their_tiers_and_the_cases_naming_them() -> None:
    assert may(WORKERS_LEAD, Permission.APPEAL_READ, APPEAL)
    assert not may(OTHER_SUPERVISOR, Permission.APPEAL_READ, APPEAL)
    named = Parties(leads=frozenset({"S-zhao"}))
    assert may(OTHER_SUPERVISOR, Permission.APPEAL_EXTEND_DEADLINE, named)


def test_an_employee_raises_appeals_in_their_own_name_only() -> None:
    authorise(APPELLANT, Permission.APPEAL_RAISE, Parties(people=frozenset({"E1001"})))
    with pytest.raises(Forbidden):
        authorise(OTHER_EMPLOYEE, Permission.APPEAL_RAISE, Parties(people=frozenset({"E1001"})))
    authorise(LIAISON, Permission.APPEAL_RAISE, Parties(people=frozenset({"E1001"})))


def test_the_appellants_identity_goes_to_them_union_staff_and_the_cases_supervisor() -> None:
    assert {a.id for a in (APPELLANT, CLERK, WORKERS_LEAD) if may_see_identity(a, APPEAL)} == {
        "E1001",
        "U-li",
        "S-wang",
    }
    nobody_else = (OTHER_EMPLOYEE, LOGISTICS, FINANCE, OTHER_SUPERVISOR, COMMITTEE, AUDITOR)
    assert not any(may_see_identity(a, APPEAL) for a in (*nobody_else, ADMIN, HR, LIAISON))


def test_only_who_sees_who_every_case_names_may_find_a_persons_acts_by_their_id() -> None:
    # The committee sees who meetings name, but not appellants: a search by a person's id
    # across cases would tell it who raised which appeal.
    assert [
        a.id for a in (CLERK, COMMITTEE, WORKERS_LEAD, AUDITOR) if may_see_every_identity(a)
    ] == ["U-li"]


def test_who_sees_no_identity_anywhere_has_no_case_to_look_at() -> None:
    assert not any(may_see_identity_somewhere(a) for a in (AUDITOR, ADMIN, LIAISON))
    assert all(may_see_identity_somewhere(a) for a in (CLERK, COMMITTEE, WORKERS_LEAD, HR))


def test_auditors_read_every_case_and_the_audit_trail() -> None:
    for permission in (Permission.APPEAL_READ, Permission.MEETING_READ, Permission.AUDIT_READ):
        assert reach_of(AUDITOR, permission) == {Reach.ANY}


def test_a_panel_scores_only_the_reviews_it_sits_on() -> None:
    review = Parties(panel=frozenset({"R-li"}))
    assert may(Actor("R-li", Role.COMMITTEE), Permission.IDEA_REVIEW_SCORE, review)
    assert not may(Actor("R-wang", Role.COMMITTEE), Permission.IDEA_REVIEW_SCORE, review)


def test_a_role_without_the_permission_is_refused_naming_it() -> None:
    with pytest.raises(Forbidden) as refused:
        authorise(OTHER_EMPLOYEE, Permission.APPEAL_TRANSFER, APPEAL)
    assert refused.value.permission is Permission.APPEAL_TRANSFER
    assert "appeal.transfer is not granted to the employee role" in refused.value.message
