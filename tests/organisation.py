"""The organisation the tests run in: the departments they name, the tiers' leads, and the
roles of the people they act as. The session's directory is filled with it once."""

from __future__ import annotations

from domain.actors import Role
from domain.directory_plan import DepartmentEntry, DirectoryPlan, LeadEntry, RoleEntry
from domain.terms import Tier
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

#: The leads the company names (工会副主席 leads the workers' tier, …).
LEADS = TierLeads(
    {
        Tier.WORKERS: TierLead("union vice-chair", "lead-union-vice-chair"),  # 工会副主席
        Tier.PARTY_MEMBERS: TierLead("party deputy secretary", "lead-party-deputy-secretary"),
        Tier.SAFETY_MONITORS: TierLead("union labour-protection head", "lead-labour-protection"),
        Tier.TEAM_LEADERS: TierLead("union chair", "lead-union-chair"),
        Tier.SAFETY_INSPECTORS: TierLead("safety director", "lead-safety-director"),
        Tier.DEPUTY_HEADS: TierLead("chief engineer", "lead-chief-engineer"),
        Tier.DISTRICT_HEADS: TierLead("party secretary", "lead-party-secretary"),
        Tier.FUNCTIONAL_OFFICES: TierLead("HR head", "lead-hr-head"),  # 人力资源部部长
    }
)

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
