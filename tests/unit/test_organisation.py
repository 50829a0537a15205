"""The organisation directory: departments by stable code, the tiers' leads, and roles with
their scope (no I/O)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.actors import Actor, Role
from domain.directory_plan import DepartmentEntry, DirectoryPlan, LeadEntry, RoleEntry, apply_plan
from domain.errors import InvalidInput
from domain.organisation import ORGANISATION_ID, Organisation
from domain.terms import Tier
from tests.unit.builders import T0, at

ADMIN = Actor("it-admin", Role.ADMIN)


def directory() -> Organisation:
    """A directory with two departments and a workers' lead."""
    org = Organisation.establish(actor=ADMIN, at=T0)
    org.open(code="logistics", name="后勤服务中心", head="liang.hui", actor=ADMIN, at=at(1))
    org.open(code="finance", name="财务部", head=None, actor=ADMIN, at=at(1))
    org.appoint_lead(
        tier=Tier.WORKERS, position="工会副主席", person="wang.jh", actor=ADMIN, at=at(1)
    )
    return org


def test_a_department_is_found_by_its_code_or_its_name_and_nothing_else() -> None:
    org = directory()

    assert org.department("logistics").name == "后勤服务中心"
    assert org.department(" 后勤服务中心 ").code == "logistics"
    with pytest.raises(InvalidInput) as unknown:
        org.department("后勤服务中心👍", "department")
    assert unknown.value.field == "department"
    assert "no department" in unknown.value.reason


@pytest.mark.parametrize("code", ["", "has space", "emoji👍", "-lead", "x" * 41, "a/b"])
def test_a_code_is_letters_digits_and_a_few_marks(code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        directory().open(code=code, name="新部门", head=None, actor=ADMIN, at=at(2))
    assert refused.value.field == "code"


def test_codes_and_names_never_collide() -> None:
    org = directory()
    for code, name, field in [
        ("logistics", "别的", "code"),
        ("后勤服务中心", "别的", "code"),
        ("other", "财务部", "name"),
        ("other", "finance", "name"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            org.open(code=code, name=name, head=None, actor=ADMIN, at=at(2))
        assert refused.value.field == field


def test_a_renamed_department_keeps_its_code_and_says_what_its_old_name_became() -> None:
    org = directory()
    org.rename(reference="logistics", name="后勤保障中心", actor=ADMIN, at=at(2))

    assert org.department("后勤保障中心").code == "logistics"
    with pytest.raises(InvalidInput, match="was renamed: it is '后勤保障中心' now"):
        org.department("后勤服务中心")


def test_a_closed_department_takes_no_new_work_but_is_still_known() -> None:
    org = directory()
    org.close(reference="finance", reason="merged", actor=ADMIN, at=at(2))

    assert org.department("finance").open is False
    with pytest.raises(InvalidInput, match="closed"):
        org.open_department("finance")


def test_a_head_handles_their_department_and_a_lead_supervises_their_tier_without_grants() -> None:
    org = directory()

    head = org.actor("liang.hui", Role.DEPARTMENT)
    lead = org.actor("wang.jh", Role.SUPERVISOR)
    assert head is not None
    assert head.departments == {"logistics"}
    assert lead is not None
    assert lead.tiers == {Tier.WORKERS}
    assert org.actor("liang.hui", Role.UNION_STAFF) is None


def test_a_grant_gives_a_role_its_scope_and_a_revocation_ends_it() -> None:
    org = directory()
    org.grant(person="xu.jing", role=Role.DEPARTMENT, departments=["财务部"], actor=ADMIN, at=at(2))
    org.grant(person="zhang.min", role=Role.UNION_STAFF, actor=ADMIN, at=at(2))

    handler = org.actor("xu.jing", Role.DEPARTMENT)
    assert handler is not None
    assert handler.departments == {"finance"}
    assert org.actor("zhang.min", Role.UNION_STAFF) == Actor("zhang.min", Role.UNION_STAFF)
    org.revoke(person="zhang.min", role=Role.UNION_STAFF, actor=ADMIN, at=at(3))
    assert org.actor("zhang.min", Role.UNION_STAFF) is None
    with pytest.raises(InvalidInput, match="holds no union_staff role"):
        org.revoke(person="zhang.min", role=Role.UNION_STAFF, actor=ADMIN, at=at(3))


@pytest.mark.parametrize(
    ("role", "departments", "tiers", "field"),
    [
        (Role.DEPARTMENT, [], [], "departments"),
        (Role.DEPARTMENT, ["nowhere"], [], "departments"),
        (Role.UNION_STAFF, ["logistics"], [], "departments"),
        (Role.DEPARTMENT, ["logistics"], [Tier.WORKERS], "tiers"),
        (Role.EMPLOYEE, [], [], "role"),
        (Role.SYSTEM, [], [], "role"),
    ],
)
def test_a_grant_names_the_scope_its_role_has_and_no_other(
    role: Role, departments: list[str], tiers: list[Tier], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        directory().grant(
            person="p", role=role, departments=departments, tiers=tiers, actor=ADMIN, at=at(2)
        )
    assert refused.value.field == field


def test_every_employee_number_acts_as_an_employee_and_nobody_as_the_system() -> None:
    org = directory()

    assert org.actor("E10234", Role.EMPLOYEE) == Actor("E10234", Role.EMPLOYEE)
    assert org.actor("huiyin", Role.SYSTEM) is None


def test_an_import_adds_and_updates_and_a_second_import_changes_nothing() -> None:
    org = directory()
    plan = DirectoryPlan(
        departments=(
            DepartmentEntry("logistics", "后勤保障中心", "liang.hui"),
            DepartmentEntry("safety", "安监处", "sun.qiang"),
        ),
        leads=(LeadEntry(Tier.WORKERS, "工会副主席", "wang.jh"),),
        roles=(RoleEntry("xu.jing", Role.DEPARTMENT, ("finance",)),),
    )

    changes = apply_plan(org, plan, actor=ADMIN, at=at(2))
    assert changes == [
        "rename logistics 后勤服务中心 → 后勤保障中心",
        "open safety 安监处",
        "grant xu.jing department (finance)",
    ]
    assert apply_plan(org, plan, actor=ADMIN, at=at(3)) == []
    assert "finance" in org.departments  # left out of the file, left alone


def test_the_directory_replays_from_its_events() -> None:
    org = directory()
    org.grant(person="zhang.min", role=Role.UNION_STAFF, actor=ADMIN, at=at(2))
    events = org.collect_events()

    replayed: Organisation | None = None
    for event in events:
        replayed = event.mutate(replayed)
    assert replayed is not None
    assert replayed.id == ORGANISATION_ID
    assert replayed.departments == org.departments
    assert replayed.holders() == org.holders()
    assert replayed.modified_on - T0 < timedelta(days=1)
