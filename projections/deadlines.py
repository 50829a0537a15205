"""Renamed `projections.deadline_board` (after its view). This old name stays only for
`infrastructure/projection_runner.py`, which another branch is splitting: delete it once
that code imports `projections.deadline_board`."""

from __future__ import annotations

from projections.deadline_board import DeadlineBoard as DeadlineBoard
