"""Reviews: golden ideas, the skill competition and the collaboration review, load → call → save.

`Reviews` wraps the one `Casework` application, as `Meetings` does: the same event store,
clock and cipher. Its use cases are one module per aggregate: golden-idea reviews
(`application.idea_reviews`), skill competitions (`application.competitions`) and
collaboration reviews (`application.collaboration_reviews`), on the store and reads they
share (`application.review_cases`). Every command returns an `ItemResult` (id, new version,
global position); every command on an existing review takes `expected_version` and refuses
a stale one. A quarter has one golden-idea review and a department one collaboration review
per half-year: their ids are derived from the period, so a second opening is refused.
"""

from __future__ import annotations

from application.aggregates import ItemResult
from application.collaboration_reviews import CollaborationReviews
from application.competitions import Competitions
from application.idea_reviews import IdeaReviews

__all__ = ["ItemResult", "Reviews"]


class Reviews(IdeaReviews, Competitions, CollaborationReviews):
    """Quarterly golden-idea reviews, skill competitions, half-yearly collaboration reviews."""
