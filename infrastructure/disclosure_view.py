"""Renamed `infrastructure.disclosure_feed_view` (after its view). This old name stays only for
`infrastructure/projection_runner.py`, which another branch is splitting: delete it once
that code imports `infrastructure.disclosure_feed_view`."""

from __future__ import annotations

from infrastructure.disclosure_feed_view import (
    PostgresDisclosureFeedView as PostgresDisclosureFeedView,
)
