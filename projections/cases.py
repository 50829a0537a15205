"""Renamed `projections.case_index` (after its view). This old name stays only for
`infrastructure/projection_runner.py`, which another branch is splitting: delete it once
that code imports `projections.case_index`."""

from __future__ import annotations

from projections.case_index import CaseIndex as CaseIndex
