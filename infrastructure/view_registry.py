"""Every view: the projection that computes it, the PostgreSQL view that keeps it, and the
connections views are opened with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment

from infrastructure.audit_trail_view import PostgresAuditTrailView
from infrastructure.case_index_view import PostgresCaseIndexView
from infrastructure.deadline_board_view import PostgresDeadlineBoardView
from infrastructure.disclosure_feed_view import PostgresDisclosureFeedView
from infrastructure.metrics import PostgresMetricsView
from infrastructure.penalty_ledger_view import PostgresPenaltyLedgerView
from infrastructure.sealing import KEYRING, VIEWS_MAPPER
from infrastructure.view_people import ViewPeople
from infrastructure.views import PostgresView
from projections.audit_trail import AuditTrail
from projections.case_index import CaseIndex
from projections.deadline_board import DeadlineBoard
from projections.disclosure_feed import DisclosureFeed
from projections.metrics import Metrics
from projections.penalty_ledger import PenaltyLedger
from projections.view import APPLICATION_NAME, ViewProjection


class EventLog(Application[UUID]):
    """The Huiyin event sequence as the runners read it (same name, same table)."""

    name = APPLICATION_NAME


@dataclass(frozen=True)
class ViewSpec:
    """A view: the projection that computes it and the PostgreSQL view that keeps it."""

    projection: type[ViewProjection]
    view: type[PostgresView]

    @property
    def name(self) -> str:
        """The view's name, also its tables' prefix."""
        return self.projection.name


#: Every view, by name. Runners start for all of them inside `huiyin serve`.
VIEWS: dict[str, ViewSpec] = {
    spec.name: spec
    for spec in (
        ViewSpec(CaseIndex, PostgresCaseIndexView),
        ViewSpec(AuditTrail, PostgresAuditTrailView),
        ViewSpec(DeadlineBoard, PostgresDeadlineBoardView),
        ViewSpec(DisclosureFeed, PostgresDisclosureFeedView),
        ViewSpec(PenaltyLedger, PostgresPenaltyLedgerView),
        ViewSpec(Metrics, PostgresMetricsView),
    )
}


class UnknownView(LookupError):
    """No view has that name."""


def spec_named(name: str) -> ViewSpec:
    """The view of that name, or UnknownView listing the known ones."""
    try:
        return VIEWS[name]
    except KeyError:
        known = ", ".join(sorted(VIEWS))
        raise UnknownView(f"no view named {name!r}; known views: {known}") from None


def runner_env(env: Mapping[str, str]) -> dict[str, str]:
    """The settings of a view's connections: one kept open, a few more on demand.

    Only the views create tables: the events table and its functions exist already (the
    Casework application made them), and runners starting together in several threads
    must not all `CREATE OR REPLACE` the same functions at once. Views read personal values
    still sealed (`infrastructure.sealing.TokenMapper`): they keep tokens, never values.
    """
    return {
        **env,
        **VIEWS_MAPPER,
        "POSTGRES_POOL_SIZE": "1",
        "POSTGRES_MAX_OVERFLOW": "1",
        "CREATE_TABLE": "false",
        **{f"{name.upper()}_CREATE_TABLE": "true" for name in VIEWS},
    }


class ViewStore:
    """One connection pool that every view of a process shares (they are small tables)."""

    def __init__(self, env: Mapping[str, str], *, pool_size: int = 1, overflow: int = 1) -> None:
        settings = {
            **env,
            "POSTGRES_POOL_SIZE": str(pool_size),
            "POSTGRES_MAX_OVERFLOW": str(overflow),
        }
        self._factory = InfrastructureFactory[PostgresView].construct(
            env=Environment("views", settings)
        )
        self._people = ViewPeople.from_env(env) if env.get(KEYRING) else None

    def view(self, spec: ViewSpec, *, create: bool = True) -> PostgresView:
        """The view's recorder on the shared pool (its tables are created if missing, unless
        not to `create` them: a read replica's come from the primary)."""
        view = spec.view(datastore=self.datastore, tracking_table_name=f"{spec.name}_tracking")
        view.view_people = self._people
        if create:
            view.create_table()
        return view

    @property
    def datastore(self) -> Any:
        """The shared pool's datastore."""
        return self._factory.datastore  # type: ignore[attr-defined]

    def close(self) -> None:
        """Closes the pool."""
        self._factory.close()


def construct_view(spec: ViewSpec, env: Mapping[str, str]) -> PostgresView:
    """The view's recorder with a pool of its own (its tables are created if missing)."""
    factory = InfrastructureFactory[PostgresView].construct(env=Environment(spec.name, env))
    return factory.tracking_recorder(spec.view)
