"""The appeal tables' columns, and the expressions figures are grouped and filtered by.

`metrics_appeals` has one row per appeal (`infrastructure.metrics.appeal_row.AppealRow` in
memory); `metrics_appeal_versions` keeps every version of the columns figures read
(`HISTORY_COLUMNS`), each valid over [valid_from, valid_to).
"""

from __future__ import annotations

#: The columns of `metrics_appeals`, in the order of `AppealRow`'s fields.
APPEAL_COLUMNS = (
    "case_id",
    "case_number",
    "channel",
    "tier",
    "category",
    "raised_department",
    "department",
    "raised_at",
    "raised_clock",
    "response_due",
    "reply_due",
    "awaiting_due",
    "first_response_at",
    "responded_in_time",
    "response_hours",
    "response_work_hours",
    "replied_at",
    "reply_hours",
    "reply_work_hours",
    "late_replies",
    "resolved",
    "rating",
    "rated_at",
    "reopened",
    "transfers",
    "changed_at",
)

#: The columns of an appeal's row that figures read, kept for every version of the row.
HISTORY_COLUMNS = {
    "case_id": "uuid",
    "case_number": "text",
    "raised_at": "timestamptz",
    "raised_department": "text",
    "department": "text",
    "channel": "text",
    "tier": "text",
    "category": "text",
    "first_response_at": "timestamptz",
    "responded_in_time": "boolean",
    "replied_at": "timestamptz",
    "resolved": "boolean",
    "rating": "text",
    "late_replies": "integer",
    "reopened": "integer",
    "transfers": "integer",
    "awaiting_due": "timestamptz",
    "response_hours": "double precision",
    "response_work_hours": "double precision",
    "reply_hours": "double precision",
    "reply_work_hours": "double precision",
}

#: The columns of `metrics_appeal_versions`.
VERSION_COLUMNS = (*HISTORY_COLUMNS, "valid_from", "valid_to")

#: The columns grouping and filtering use, as expressions on `metrics_appeals`.
KEYS = {
    "department": "COALESCE(department, raised_department)",
    "channel": "channel",
    "tier": "COALESCE(tier, '')",
    "category": "category",
}

#: What a query may filter appeals by (the `AppealQuery` fields of the same names).
FILTERS = ("department", "channel", "tier", "category")

#: The local month an appeal was raised in (the roll-ups' month; an index's first column).
MONTH_RAISED = "(date_trunc('month', raised_at AT TIME ZONE 'Asia/Shanghai'))::date"

#: Until when a version is valid (a current one: for ever), as the index has it.
VALID_UNTIL = "COALESCE(valid_to, 'infinity'::timestamptz)"
