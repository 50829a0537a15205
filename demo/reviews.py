"""Reviews in the accountability demo: a quarter's golden-idea review (金点子) over the
suggestions the appeals demo adopted, and a 工匠杯 skill competition."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING
from uuid import UUID

from application.reviews import Reviews
from demo.actors import CHAIR, COMMITTEE, HR_HEAD, UNION_CLERK
from demo.organisation import TIER_LEADS, UNION_STAFF, handler_of
from domain.actors import Actor, Role
from domain.calendar import CHINA_TZ
from domain.errors import NotFound
from domain.golden_idea_records import AdoptedSuggestion
from domain.meeting_policy import Quarter
from domain.review_terms import CompetitionPart, quarter_ends_at
from domain.terms import Tier

if TYPE_CHECKING:
    from demo.accountability import AccountabilityRun


IDEA_REVIEWERS = (
    Actor(TIER_LEADS[Tier.WORKERS].id, Role.UNION_STAFF),
    Actor(UNION_STAFF[0].id, Role.UNION_STAFF),
    handler_of("生产技术科"),
)
JUDGES = (
    handler_of("生产技术科"),
    handler_of("机电科"),
    Actor(TIER_LEADS[Tier.SAFETY_MONITORS].id, Role.UNION_STAFF),
)
CONTEST_DEPARTMENTS = ("综采一队", "机电科", "通风科", "运输队", "生产技术科", "调度中心", "安监处")


def plan_idea_review(run: AccountabilityRun) -> None:
    """Reviews the latest quarter that ended in time to review and had ideas adopted."""
    ideas: dict[Quarter, list[AdoptedSuggestion]] = defaultdict(list)
    for case in run.demo.cases:
        if case.scenario in {"adopted", "implementing"}:
            idea = run.s.reviews.adopted_suggestion(case.id)
            ideas[Quarter.of(run.cal.local_date(idea.adopted_at))].append(idea)
    for quarter in sorted(ideas, key=lambda q: (q.year, q.number), reverse=True):
        ends = quarter_ends_at(quarter, CHINA_TZ).date()
        opened = run.office(run.working_day(ends + timedelta(days=7)), 9, 30)
        if run.later(opened, 8, 10) < run.end:
            plan_review(run, quarter, ideas[quarter], opened)
            return
    run.summary.skipped.append("golden ideas: no quarter with adopted suggestions ended")


def plan_review(
    run: AccountabilityRun, quarter: Quarter, ideas: list[AdoptedSuggestion], opened: datetime
) -> None:
    """Opens the review a week after the quarter; three reviewers score on separate days,
    the committee decides, the union publishes the awards."""
    reviews = run.s.reviews
    review_id = Reviews.idea_review_id(quarter)
    merit = {idea.appeal_id: run.rng.randint(55, 92) for idea in ideas}

    def open_review() -> None:
        try:
            reviews.get_idea_review(review_id)
        except NotFound:
            pass
        else:
            run.summary.skipped.append(f"golden ideas: {quarter} was reviewed already")
            return
        reviewers = [r.id for r in IDEA_REVIEWERS]
        reviews.open_idea_review(quarter=quarter, reviewers=reviewers, actor=CHAIR)
        for idea in ideas:
            run.tick()
            reviews.add_idea(review_id, appeal_id=idea.appeal_id, actor=UNION_CLERK)
        for k, reviewer in enumerate(IDEA_REVIEWERS, start=1):
            run.at(run.later(opened, 2 * k, 14), partial(score, reviewer))
        run.at(run.later(opened, 7, 15), decide)

    def score(reviewer: Actor) -> None:
        for idea in ideas:
            run.tick()
            base = merit[idea.appeal_id]
            reviews.score_idea(
                review_id,
                appeal_id=idea.appeal_id,
                effect=Decimal(min(100, base + run.rng.randint(-6, 6))),
                benefit=Decimal(min(100, base + run.rng.randint(-8, 8))),
                actor=reviewer,
            )

    def decide() -> None:
        reviews.decide_ideas(review_id, actor=COMMITTEE)
        run.at(run.later(opened, 8, 10), publish)

    def publish() -> None:
        reviews.publish_awards(review_id, actor=CHAIR)
        review = reviews.get_idea_review(review_id)
        run.summary.idea_review, run.summary.quarter = review_id, quarter
        run.summary.ideas, run.summary.awarded = len(review.ideas), review.total_awarded

    run.at(opened, open_review)


def plan_competition(run: AccountabilityRun, contestants: int) -> None:
    """A 工匠杯 over four working days, about five weeks before the end: registration,
    three judges' scores, the final ranking."""
    opened = run.office(run.working_day(run.cal.local_date(run.end) - timedelta(35)), 9)
    if opened <= run.demo.start:
        run.summary.skipped.append("工匠杯: the demo's span is too short")
        return
    reviews = run.s.reviews
    skill: dict[str, int] = {}
    state: dict[str, UUID] = {}

    def open_competition() -> None:
        year = run.cal.local_date(opened).year
        state["id"] = reviews.open_competition(
            name=f"{year}年“工匠杯”职工技能大赛", judges=[j.id for j in JUDGES], actor=HR_HEAD
        ).id
        for number in run.rng.sample(range(70000, 99999), contestants):
            run.tick()
            skill[f"E{number}"] = run.rng.randint(62, 92)
            reviews.register_contestant(
                state["id"],
                contestant=f"E{number}",
                department=run.rng.choice(CONTEST_DEPARTMENTS),
                actor=HR_HEAD,
            )
        for k, judge in enumerate(JUDGES):
            run.at(run.later(opened, 1 + k // 2, 9 + 4 * (k % 2)), partial(score, judge))
        run.at(run.later(opened, 3, 10), finalise)

    def score(judge: Actor) -> None:
        for person, level in skill.items():
            run.tick()
            reviews.submit_scores(
                state["id"],
                contestant=person,
                scores={part: judged_score(run, level) for part in CompetitionPart},
                actor=judge,
            )

    def finalise() -> None:
        reviews.finalise_competition(state["id"], actor=HR_HEAD)
        ranking = reviews.get_competition(state["id"]).ranking
        run.summary.competition, run.summary.contestants = state["id"], len(ranking)
        run.summary.titled = sum(s.title for s in ranking)
        run.summary.advancing = sum(s.industry_contest for s in ranking)

    run.at(opened, open_competition)


def judged_score(run: AccountabilityRun, level: int) -> Decimal:
    """A judge's score around the contestant's level, to half a point."""
    return Decimal(max(0, min(200, 2 * level + run.rng.randint(-12, 12)))) / 2
