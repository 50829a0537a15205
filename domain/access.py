"""How far a role reaches (`Reach`) and whom a case concerns (`Parties`): the two halves
that `domain.policy` compares for every command and read."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.actors import Actor
from domain.terms import Tier


class Reach(StrEnum):
    """On which cases a role may use a permission."""

    ANY = "any"  # every case
    OWN = "own"  # cases about the actor: their appeal, proposal, talk, contest
    RAISED = "raised"  # cases the actor raised for someone else (a liaison)
    DEPARTMENT = "department"  # cases that are or were with one of the actor's departments
    HOLDING = "holding"  # cases now with one of the actor's departments
    SUPERVISED = "supervised"  # cases of the actor's tiers, or naming them supervisor or lead
    PANEL = "panel"  # reviews and contests the actor sits on the panel of


@dataclass(frozen=True)
class Parties:
    """Who a case concerns, as far as access goes."""

    people: frozenset[str] = field(default=frozenset())  # OWN
    raised_by: str | None = None  # RAISED
    departments: frozenset[str] = field(default=frozenset())  # DEPARTMENT
    holding: frozenset[str] = field(default=frozenset())  # HOLDING
    tiers: frozenset[Tier] = field(default=frozenset())  # SUPERVISED
    leads: frozenset[str] = field(default=frozenset())  # SUPERVISED
    panel: frozenset[str] = field(default=frozenset())  # PANEL


#: A case that concerns nobody in particular (a disclosure, a monthly report).
NOBODY = Parties()


def reaches(reach: Reach, actor: Actor, parties: Parties) -> bool:
    """Whether `reach`, held by `actor`, covers a case with these parties."""
    if reach is Reach.ANY:
        return True
    if reach is Reach.OWN:
        return actor.id in parties.people
    if reach is Reach.RAISED:
        return parties.raised_by == actor.id
    if reach is Reach.DEPARTMENT:
        return not actor.departments.isdisjoint(parties.departments)
    if reach is Reach.HOLDING:
        return not actor.departments.isdisjoint(parties.holding)
    if reach is Reach.SUPERVISED:
        return not actor.tiers.isdisjoint(parties.tiers) or actor.id in parties.leads
    return actor.id in parties.panel  # Reach.PANEL
