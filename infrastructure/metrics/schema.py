"""The metrics view's tables (`MetricsTables`, the base of its parts): appeals, their
versions, action items, penalties, cards, and the roll-ups (`infrastructure.metrics.rollup`).
"""

from __future__ import annotations

from psycopg.sql import SQL, Composed, Identifier

from infrastructure.metrics.rollup import ROLLUP_STATEMENTS
from infrastructure.views import PostgresView

#: The per-case tables; the versions and roll-ups come with `ROLLUP_STATEMENTS`.
CASE_TABLE_STATEMENTS = (
    "CREATE TABLE IF NOT EXISTS {schema}.metrics_appeals ("
    " case_id uuid PRIMARY KEY, case_number text NOT NULL,"
    " channel text NOT NULL, tier text, category text NOT NULL,"
    " raised_department text NOT NULL, department text,"
    " raised_at timestamptz NOT NULL, raised_clock double precision NOT NULL,"
    " response_due timestamptz, reply_due timestamptz, awaiting_due timestamptz,"
    " first_response_at timestamptz, responded_in_time boolean,"
    " response_hours double precision, response_work_hours double precision,"
    " replied_at timestamptz, reply_hours double precision, reply_work_hours double precision,"
    " late_replies integer NOT NULL DEFAULT 0, resolved boolean NOT NULL DEFAULT false,"
    " rating text, rated_at timestamptz, reopened integer NOT NULL DEFAULT 0,"
    " transfers integer NOT NULL DEFAULT 0)",
    # Facts per event answered `as_of` before row versions did (rebuild to fill those).
    "DROP TABLE IF EXISTS {schema}.metrics_facts",
    "CREATE TABLE IF NOT EXISTS {schema}.metrics_action_items ("
    " item_id uuid PRIMARY KEY, department text NOT NULL, deadline timestamptz NOT NULL,"
    " created_at timestamptz NOT NULL, submitted boolean NOT NULL DEFAULT false,"
    " accepted_at timestamptz)",
    # Added later: when the work was submitted, for as_of (rebuild to fill older rows).
    "ALTER TABLE {schema}.metrics_action_items ADD COLUMN IF NOT EXISTS submitted_at timestamptz",
    "CREATE INDEX IF NOT EXISTS metrics_action_items_deadline"
    " ON {schema}.metrics_action_items (deadline)",
    "CREATE TABLE IF NOT EXISTS {schema}.metrics_penalties ("
    " penalty_id uuid PRIMARY KEY, department text NOT NULL, points integer NOT NULL,"
    " recorded_at timestamptz NOT NULL, reversed_at timestamptz)",
    "CREATE INDEX IF NOT EXISTS metrics_penalties_recorded"
    " ON {schema}.metrics_penalties (recorded_at)",
    "CREATE TABLE IF NOT EXISTS {schema}.metrics_cards ("
    " card_id uuid PRIMARY KEY, department text NOT NULL, colour text NOT NULL,"
    " issued_at timestamptz NOT NULL)",
    "CREATE INDEX IF NOT EXISTS metrics_cards_issued ON {schema}.metrics_cards (issued_at)",
)


class MetricsTables(PostgresView):
    """The metrics view's tables; each part of the view (live updates, rebuild, figures,
    provenance) extends this."""

    tables = (
        "metrics_appeals",
        "metrics_appeal_versions",
        "metrics_action_items",
        "metrics_penalties",
        "metrics_cards",
        "metrics_counts",
        "metrics_durations",
    )
    create_statements = (*CASE_TABLE_STATEMENTS, *ROLLUP_STATEMENTS)

    def _sql(self, text: str) -> Composed:
        """A statement of these tables, `{schema}` filled in."""
        return SQL(text).format(schema=Identifier(self.datastore.schema))
