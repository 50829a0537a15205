"""The outbox's SQL for senders: claiming due deliveries under a lease, recording an
attempt's outcome while the lease holds, and when the next one is due.

Used by `infrastructure.webhook_sender`; kept apart so that the sender reads as its steps.
"""

#: A delivery whose endpoint is paused or removed waits (is not due) until it is resumed.
SENDABLE = """(endpoint_id IS NULL OR endpoint_id IN (
    SELECT id FROM huiyin_webhook_endpoints WHERE active AND removed_at IS NULL))"""

CLAIM = f"""
WITH claimed AS (
    UPDATE huiyin_webhook_deliveries d
       SET attempts = d.attempts + 1,
           leased_until = clock_timestamp() + make_interval(secs => %(lease)s)
      FROM (SELECT id, leased_until AS old_lease FROM huiyin_webhook_deliveries
             WHERE status = 'pending' AND next_attempt_at <= clock_timestamp()
               AND (leased_until IS NULL OR leased_until < clock_timestamp())
               AND {SENDABLE}
             ORDER BY next_attempt_at
             LIMIT %(limit)s
             FOR UPDATE SKIP LOCKED) due
     WHERE d.id = due.id
    RETURNING d.id, d.notice_id, d.endpoint_id, d.recipient, d.attempts, d.since,
              d.leased_until, due.old_lease, clock_timestamp() AS claimed_at)
SELECT c.*, n.kind, n.occurred_at, n.case_id, n.case_type, n.department, n.tier, n.payload,
       e.format, e.target_sealed, e.target_shown, e.secret_sealed, e.audience,
       e.departments, e.tiers, e.personal_data
  FROM claimed c JOIN huiyin_notices n ON n.id = c.notice_id
  LEFT JOIN huiyin_webhook_endpoints e ON e.id = c.endpoint_id
"""  # noqa: S608 - SENDABLE is a constant, not input
#: The delivery's new state: status, attempts to take back (a drop is no attempt), next
#: attempt, delivered at, dead at, last error — only while this sender's lease holds.
RECORD_STATE = """
UPDATE huiyin_webhook_deliveries
   SET status = %s, attempts = attempts + %s, next_attempt_at = COALESCE(%s, next_attempt_at),
       delivered_at = %s, dead_at = %s, last_error = %s, leased_until = NULL
 WHERE id = %s AND leased_until = %s AND status = 'pending'
"""
#: Seconds until a delivery may next be claimed (NULL: none pending that may be sent).
NEXT_DUE = f"""
SELECT EXTRACT(EPOCH FROM min(GREATEST(next_attempt_at, COALESCE(leased_until, next_attempt_at)))
       - clock_timestamp())
  FROM huiyin_webhook_deliveries WHERE status = 'pending' AND {SENDABLE}
"""  # noqa: S608 - SENDABLE is a constant, not input
#: An attempt whose sender stopped before it knew the answer (found when its lease ran out).
INTERRUPTED = """
INSERT INTO huiyin_webhook_attempts (delivery_id, number, started_at, duration_ms, outcome, error)
VALUES (%s, %s, %s, 0, 'interrupted',
        'the sender stopped before the answer came (the receiver may have it: a retry carries '
        'the same webhook-id)')
ON CONFLICT DO NOTHING
"""
