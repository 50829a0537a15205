"""Renamed `infrastructure.case_index_view` (after its view). This old name stays only for
`infrastructure/projection_runner.py`, which another branch is splitting: delete it once
that code imports `infrastructure.case_index_view`."""

from __future__ import annotations

from infrastructure.case_index_view import PostgresCaseIndexView as PostgresCaseIndexView
