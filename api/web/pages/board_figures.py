"""The figures the public board shows: the departments' rates (诉求三率) and their penalty
points and cards, for a period whose figures were made public, as they stood at a moment
they were published (`domain.published_figures` says which periods and moments).

The figures are read as `GET /metrics/appeals?group_by=department&period=&as_of=` and
`GET /metrics/penalties?period=&as_of=` read them: the same view, the same query, the same
rows (`AppealRowRead`, `PenaltyRowRead`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from api.bootstrap import Services
from api.deps import read_view
from api.schemas.metrics import AppealRowRead, PenaltyRowRead, RateRead
from domain.appeal_figures import RateName
from domain.published_figures import (
    MAKES_FIGURES_PUBLIC,
    STILL_PUBLIC,
    ReportPublication,
    published_moments,
    published_months,
    published_periods,
)
from projections.disclosure_feed import DisclosureFeedView, FeedQuery
from projections.metrics import AppealQuery, Dimension, MetricsView, parse_period

FEED_VIEW = "disclosure_feed"
METRICS_VIEW = "metrics"
#: The three rates the board ranks departments by (响应率、办结率、满意率), in this order.
RANKED_RATES = (RateName.RESPONSE_RATE, RateName.RESOLUTION_RATE, RateName.SATISFACTION_RATE)


@dataclass(frozen=True)
class Ranked:
    """A department's row, with its place by the rate ranked on (None: no figure)."""

    place: int | None
    row: AppealRowRead

    def rate(self, name: RateName) -> RateRead:
        """One of the row's rates."""
        return self.row.rates[name.value]


@dataclass(frozen=True)
class PublishedFigures:
    """A period's public figures as of one publication moment (empty when none is public)."""

    periods: list[str]
    period: str | None
    moments: list[datetime]
    as_of: datetime | None
    ranked: list[Ranked]
    penalties: list[PenaltyRowRead]
    #: A moment was asked for at which the period's figures were not published.
    moment_unknown: bool = False

    @property
    def shown(self) -> bool:
        """Whether a period's figures are shown."""
        return self.as_of is not None


def report_publications(
    services: Services, view: DisclosureFeedView | None = None
) -> list[ReportPublication]:
    """Every published monthly report's disclosure, from the disclosure feed (`view`, the
    one a read waited on, if given)."""
    if view is None:
        view = services.views.reading(FEED_VIEW, DisclosureFeedView)  # type: ignore[type-abstract]
    found: list[ReportPublication] = []
    after = None
    while True:
        page = view.list_entries(
            FeedQuery(
                statuses=(STILL_PUBLIC,),
                subject_type=MAKES_FIGURES_PUBLIC.value,
                after=after,
                limit=200,
            )
        )
        found += [
            ReportPublication(entry.subject, entry.published_at)
            for entry in page.entries
            if entry.published_at is not None
        ]
        if page.next_after is None:
            return found
        after = page.next_after


def _metrics(services: Services, after: int | None) -> MetricsView:
    return read_view(services, METRICS_VIEW, MetricsView, after)[0]  # type: ignore[type-abstract]


def rows_as_of(
    services: Services, period: str, moment: datetime, after: int | None = None
) -> tuple[list[AppealRowRead], list[PenaltyRowRead]]:
    """The department rows of `period`'s appeal and penalty tables as of `moment`."""
    window = parse_period(period)
    view = _metrics(services, after)
    query = AppealQuery(window.start, window.end, services.casework.now(), moment)
    appeals = [AppealRowRead.of(g) for g in view.appeal_groups(query, Dimension.DEPARTMENT)]
    penalties = [
        PenaltyRowRead.of(g) for g in view.penalty_groups(window.start, window.end, moment)
    ]
    return appeals, penalties


def ranked(rows: list[AppealRowRead], by: RateName) -> list[Ranked]:
    """The departments' rows, highest `by` first; equal rates share a place, rows without
    the rate (nothing in its denominator) come last without one. The row of appeals with
    no department yet (anonymous, not transferred) is no department's and is left out."""

    def value(row: AppealRowRead) -> Decimal | None:
        return row.rates[by.value].value

    departments = [row for row in rows if row.key]
    order = sorted(departments, key=lambda r: (value(r) is None, -(value(r) or 0), r.key))
    places: list[Ranked] = []
    for index, row in enumerate(order):
        mine = value(row)
        if mine is None:
            places.append(Ranked(None, row))
        elif places and value(places[-1].row) == mine:
            places.append(Ranked(places[-1].place, row))
        else:
            places.append(Ranked(index + 1, row))
    return places


def published_figures(
    services: Services,
    period: str | None,
    as_of: str | None,
    by: RateName,
    after: int | None = None,
) -> PublishedFigures:
    """The figures of `period` (default: the latest public one) as of `as_of` (one of its
    publication moments, as ISO 8601; default, or when it is none of them, the latest);
    nothing for a period not made public."""
    feed, _ = read_view(services, FEED_VIEW, DisclosureFeedView, after)  # type: ignore[type-abstract]
    publications = report_publications(services, feed)
    now = services.casework.now()
    periods = published_periods(publications, now)
    chosen = period or (periods[0] if periods else None)
    moments = published_moments(chosen, publications, now) if chosen else []
    if chosen is None or not moments:
        return PublishedFigures(periods, chosen, [], None, [], [])
    asked = _moment(as_of) if as_of else None
    moment = asked if asked in moments else moments[0]
    appeals, penalties = rows_as_of(services, chosen, moment, after)
    return PublishedFigures(
        periods,
        chosen,
        moments,
        moment,
        ranked(appeals, by),
        penalties,
        moment_unknown=as_of is not None and moment != asked,
    )


def _moment(text: str) -> datetime | None:
    """A moment written in ISO 8601 with its offset, or None."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


@dataclass(frozen=True)
class DepartmentMonth:
    """A department's figures of one public month, as of its latest publication."""

    month: str
    as_of: datetime
    appeals: AppealRowRead | None
    penalties: PenaltyRowRead | None


def department_months(
    services: Services, code: str, months: int = 6, after: int | None = None
) -> list[DepartmentMonth]:
    """The department's figures in the latest `months` public months, newest first."""
    feed, _ = read_view(services, FEED_VIEW, DisclosureFeedView, after)  # type: ignore[type-abstract]
    publications = report_publications(services, feed)
    now = services.casework.now()
    shown: list[DepartmentMonth] = []
    for period in published_months(publications, now)[:months]:
        moment = published_moments(period, publications, now)[0]
        appeals, penalties = rows_as_of(services, period, moment, after)
        shown.append(
            DepartmentMonth(
                period,
                moment,
                next((row for row in appeals if row.key == code), None),
                next((row for row in penalties if row.department == code), None),
            )
        )
    return shown
