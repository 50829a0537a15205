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

#: The tiers' leads: positions and actor ids as the demo organisation has them (工会副主席
#: leads the workers' tier…), written out here so that the tests do not depend on the demo.
LEADS = TierLeads(
    {
        Tier.WORKERS: TierLead("工会副主席", "lead-union-vice-chair"),
        Tier.PARTY_MEMBERS: TierLead("党委副书记", "lead-party-deputy-secretary"),
        Tier.SAFETY_MONITORS: TierLead("工会劳动保护部部长", "lead-labour-protection"),
        Tier.TEAM_LEADERS: TierLead("工会主席", "lead-union-chair"),
        Tier.SAFETY_INSPECTORS: TierLead("安监处处长", "lead-safety-director"),
        Tier.DEPUTY_HEADS: TierLead("总工程师", "lead-chief-engineer"),
        Tier.DISTRICT_HEADS: TierLead("党委书记", "lead-party-secretary"),
        Tier.FUNCTIONAL_OFFICES: TierLead("人力资源部部长", "lead-hr-head"),
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
