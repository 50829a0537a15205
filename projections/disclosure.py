"""Renamed `projections.disclosure_feed` (after its view). This old name stays only for
`infrastructure/projection_runner.py`, which another branch is splitting: delete it once
that code imports `projections.disclosure_feed`."""

from __future__ import annotations

from projections.disclosure_feed import DisclosureFeed as DisclosureFeed
