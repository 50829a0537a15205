"""Who leads the talks of each tier (牵头人); the lead supervises appeals raised there."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain import limits
from domain.appeal import clean_text
from domain.terms import Tier


@dataclass(frozen=True)
class TierLead:
    """The lead of a tier's talks: a position, and the actor id of whoever holds it."""

    position: str
    actor_id: str

    def __post_init__(self) -> None:
        clean_text("lead.position", self.position, limits.TITLE)
        clean_text("lead.actor_id", self.actor_id, limits.ACTOR_ID)


#: The leads the company names by default; settings may name other people.
DEFAULT_LEADS: Mapping[Tier, TierLead] = {
    Tier.WORKERS: TierLead("union vice-chair", "lead-union-vice-chair"),  # 工会副主席
    Tier.PARTY_MEMBERS: TierLead("party deputy secretary", "lead-party-deputy-secretary"),
    Tier.SAFETY_MONITORS: TierLead("union labour-protection head", "lead-labour-protection"),
    Tier.TEAM_LEADERS: TierLead("union chair", "lead-union-chair"),
    Tier.SAFETY_INSPECTORS: TierLead("safety director", "lead-safety-director"),
    Tier.DEPUTY_HEADS: TierLead("chief engineer", "lead-chief-engineer"),
    Tier.DISTRICT_HEADS: TierLead("party secretary", "lead-party-secretary"),
    Tier.FUNCTIONAL_OFFICES: TierLead("HR head", "lead-hr-head"),  # 人力资源部部长
}


@dataclass(frozen=True)
class TierLeads:
    """A lead for every one of the eight tiers."""

    leads: Mapping[Tier, TierLead]

    def __post_init__(self) -> None:
        missing = [tier.value for tier in Tier if tier not in self.leads]
        if missing:
            raise ValueError(f"no talk lead configured for: {', '.join(missing)}")

    @classmethod
    def default(cls) -> TierLeads:
        """The company's default leads."""
        return cls(dict(DEFAULT_LEADS))

    def override(self, changes: Mapping[Tier, TierLead]) -> TierLeads:
        """These leads with some tiers' leads replaced (e.g. from settings)."""
        return TierLeads({**self.leads, **changes})

    def lead_for(self, tier: Tier) -> TierLead:
        """The lead of `tier`'s talks."""
        return self.leads[tier]
