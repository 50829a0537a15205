"""The actors the demo's accountability, review and disclosure stories give commands as."""

from __future__ import annotations

from demo.organisation import TIER_LEADS, UNION_CHAIR, UNION_STAFF
from domain.actors import Actor, Role
from domain.terms import Tier

COMMITTEE = Actor("committee.union", Role.COMMITTEE)  # 工会委员会
CHAIR = Actor(UNION_CHAIR.id, Role.UNION_STAFF)
UNION_CLERK = Actor(UNION_STAFF[0].id, Role.UNION_STAFF)
HR_HEAD = Actor(TIER_LEADS[Tier.FUNCTIONAL_OFFICES].id, Role.HR)
