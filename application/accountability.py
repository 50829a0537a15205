"""Accountability (考核问责): penalties and red and yellow cards, each use case load → call → save.

`Accountability` wraps the one `Casework` application: the same event store, clock, calendar
and cipher. Its use cases are one module per aggregate: penalties (`application.penalties`)
and cards (`application.cards`), on the store, rules and reads they share
(`application.accountability_cases`). Automatic penalties and cards have deterministic ids,
so recording the same occurrence twice (two watchers, a restart) finds the first record
instead of doubling it.
"""

from __future__ import annotations

from application.accountability_cases import AUTOMATIC, DEFAULT_UNION_OFFICE
from application.cards import CardEvaluation, Cards
from application.penalties import BuckCheck, Penalties
from domain.card import CardPolicy

__all__ = [
    "AUTOMATIC",
    "DEFAULT_UNION_OFFICE",
    "Accountability",
    "BuckCheck",
    "CardEvaluation",
    "CardPolicy",
]


class Accountability(Penalties, Cards):
    """Penalties against departments' heads, and the cards that warn lagging departments."""
