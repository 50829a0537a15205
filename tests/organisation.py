"""The organisation the tests run in: the departments they name, the tiers' leads, and the
roles of the people they act as. The session's directory is filled with it once."""

from __future__ import annotations

from application.demo_data import TIER_LEADS
from domain.actors import Role
from domain.directory_plan import DepartmentEntry, DirectoryPlan, LeadEntry, RoleEntry
from domain.tier_leads import TierLead, TierLeads

#: Departments the tests name; their codes are their names, so cases read as written.
DEPARTMENTS = (
    "Works",
    "Finance",
    "Logistics",
    "Safety",
    "HR",
    "Union",
    "Equipment",
    "Absent-Dept",
    "X",
    "d",
    "x",
    "other-1",
    "other-2",
    "机电科",
    "后勤服务中心",
    "后勤",
    "综采一队",
    "安监处",
    "综合办",
    "安全监察部",
    "人力资源部",
    "通风科",
    "财务部",
    "工会办公室",
    "运输队",
)

#: The leads the company names: the demo organisation's (工会副主席 leads the workers' tier…).
LEADS = TierLeads({tier: TierLead(person.title, person.id) for tier, person in TIER_LEADS.items()})

#: Supervisors the tests name on transfers.
SUPERVISORS = (
    "S-zhao",
    "S-other",
    "union-vice-chair",
    "hr-head",
    "s",
    "U-chair",
    "other-supervisor",
)

PLAN = DirectoryPlan(
    departments=tuple(DepartmentEntry(name, name) for name in DEPARTMENTS),
    leads=tuple(
        LeadEntry(tier, lead.position, lead.actor_id) for tier, lead in LEADS.leads.items()
    ),
    roles=tuple(RoleEntry(person, Role.SUPERVISOR) for person in SUPERVISORS),
)
