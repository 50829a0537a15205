"""Who leads the talks of each tier (牵头人); the lead supervises appeals raised there.

The organisation directory (`domain.organisation`) appoints them; this is the value the
meeting and appeal rules read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain import limits
from domain.errors import InvalidInput
from domain.terms import Tier
from domain.values import clean_text


@dataclass(frozen=True)
class TierLead:
    """The lead of a tier's talks: a position, and the actor id of whoever holds it."""

    position: str
    actor_id: str

    def __post_init__(self) -> None:
        clean_text("lead.position", self.position, limits.TITLE)
        clean_text("lead.actor_id", self.actor_id, limits.ACTOR_ID)


@dataclass(frozen=True)
class TierLeads:
    """The leads appointed so far, by tier."""

    leads: Mapping[Tier, TierLead]

    def override(self, changes: Mapping[Tier, TierLead]) -> TierLeads:
        """These leads with some tiers' leads replaced."""
        return TierLeads({**self.leads, **changes})

    def lead_for(self, tier: Tier) -> TierLead:
        """The lead of `tier`'s talks; InvalidInput if the directory names none yet."""
        lead = self.leads.get(tier)
        if lead is None:
            raise InvalidInput(
                "tier",
                f"the {tier.value} tier has no lead in the directory yet; appoint one "
                f"(POST /directory/tier-leads/{tier.value}, or `huiyin org lead`)",
            )
        return lead
