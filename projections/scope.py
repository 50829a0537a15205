"""Which rows of a view a reader may see: the reach of their role for the read's permission
(`domain.policy`), with what each reach compares against. Each view turns it into the WHERE
clause of its query, so an out-of-scope row is never read."""

from __future__ import annotations

from dataclasses import dataclass

from domain.access import Reach
from domain.actors import Actor
from domain.policy import Permission, check_role


@dataclass(frozen=True)
class ReadScope:
    """A reader's reach over a view's rows."""

    reaches: frozenset[Reach]
    person: str
    departments: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()

    @classmethod
    def of(cls, actor: Actor, permission: Permission) -> ReadScope:
        """The scope of `actor` reading with `permission`; Forbidden if their role has none."""
        return cls(
            check_role(actor, permission),
            actor.id,
            tuple(sorted(actor.departments)),
            tuple(sorted(t.value for t in actor.tiers)),
        )

    @property
    def everything(self) -> bool:
        """Whether every row is in scope."""
        return Reach.ANY in self.reaches


class UnsupportedReach(LookupError):
    """A view was asked to filter by a reach it keeps nothing for (a policy mistake)."""
