"""The metrics view in PostgreSQL (`PostgresMetricsView`), in parts by concept.

What each figure counts is the domain's (`domain.appeal_figures`); this package keeps the
facts and counts them:

- `rules_sql`: the domain's rules written as SQL, for every statement below;
- `columns`, `schema`: the tables — one row per appeal, every version of it, action items,
  penalties, cards — and the base class of the view's parts;
- `rollup`: the roll-ups of counts and duration histograms a trigger keeps live;
- `histograms`: duration buckets and quantiles;
- `live`: each event's rows written as it is applied;
- `rebuild`, `appeal_row`: a rebuild's appeal rows in memory, written once by COPY;
- `periods`, `counts`, `as_of`: appeal figures of a period, live or as of a moment;
- `item_penalty_figures`: action-item and penalty figures;
- `provenance`: the cases behind each figure;
- `view`: the parts put together.
"""

from __future__ import annotations

from infrastructure.metrics.view import PostgresMetricsView

__all__ = ["PostgresMetricsView"]
