"""The metrics view in PostgreSQL: its parts put together, and which way figures are read.

Appeal figures of whole months are summed from the roll-ups when live; as of a moment,
corrected by the appeals changed since; anything else is counted from each appeal's row
(or its version valid then). See `infrastructure.metrics` for the parts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.appeal_figures import Figure
from infrastructure.metrics.as_of import AsOfFigures
from infrastructure.metrics.columns import FILTERS
from infrastructure.metrics.histograms import quantiles_of
from infrastructure.metrics.item_penalty_figures import ItemAndPenaltyFigures
from infrastructure.metrics.live import MetricsUpdates
from infrastructure.metrics.periods import aligned_periods, rolled_up_period, whole_months
from infrastructure.metrics.provenance import Provenance
from projections.metrics import AppealGroup, AppealQuery, Dimension, MetricsView


class PostgresMetricsView(
    MetricsUpdates, AsOfFigures, Provenance, ItemAndPenaltyFigures, MetricsView
):
    """Appeal rows, appeal facts, action items, penalties and cards."""

    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[Cursor[DictRow]]:
        """A cursor whose queries all see the view at one moment (between two events)."""
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            # JIT compiling a plan costs 40-100 ms, more than any of these queries takes.
            # A plan for the values at hand: the best one depends on them (a moment a year
            # back finds 1,000 changed appeals, today none), and a generic plan, which
            # PostgreSQL adopts for a statement prepared and run often, fits none of them.
            # One round trip for the three.
            curs.execute(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY;"
                " SET LOCAL jit = off; SET LOCAL plan_cache_mode = force_custom_plan"
            )
            yield curs

    def appeal_groups(self, query: AppealQuery, group_by: Dimension) -> list[AppealGroup]:
        """Live figures of whole months are summed from the roll-ups. As of a moment, the
        months that had ended by then are the roll-ups corrected by the appeals changed
        since (`_as_of_months`); anything else is counted from each appeal's row, or its
        version valid then. Quantiles come from the rolled-up histograms unless a filter
        applies, else from histograms built from the rows."""
        months = whole_months(query)
        filtered = any(getattr(query, column) is not None for column in FILTERS)
        period = rolled_up_period(months) if months else None
        with self._snapshot() as curs:
            if query.as_of is not None and months is not None and not filtered:
                counts, histograms = self._as_of_months(curs, query, group_by, months)
            elif months is None or query.as_of is not None:
                counts, histograms = self._counted(curs, query, group_by)
            else:
                counts = self._rolled_up_counts(curs, query, group_by, months, period)
                if filtered:
                    histograms = self._histograms(curs, query, group_by)
                else:
                    periods = aligned_periods(months)
                    histograms = self._rolled_up_histograms(curs, periods, group_by)
        groups = [
            AppealGroup(key, figures, quantiles_of(histograms.get(key, {}).items()))
            for key, figures in counts.items()
        ]
        groups.sort(key=lambda group: (-group.counts[Figure.RAISED], group.key))
        return groups
