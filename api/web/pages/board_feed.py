"""The board's entries: the public disclosure feed exactly as `GET /public/disclosures`
gives it to anyone without a token (the route is called, so the board shows what the API
shows and nothing more), and the names the pages print beside it."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from api.bootstrap import Services
from api.routes.disclosures import public_feed
from api.schemas.disclosures import PublicEntryRead, PublicPageRead
from domain.disclosure import SubjectType
from domain.errors import InvalidInput

#: Entries on a page of the board.
PAGE_SIZE = 20
#: Characters of an entry's text shown in a list (the entry's page shows it whole).
EXCERPT = 200

#: What each kind of disclosure is called on the board (Chinese; the catalogue translates).
SUBJECT_NAMES: dict[str, str] = {
    SubjectType.APPEAL_ANSWER: "诉求答复",
    SubjectType.MEETING_MINUTES: "会议纪要",
    SubjectType.ACTION_ITEMS: "协作事项",
    SubjectType.PROPOSAL_ASSIGNMENT: "职代会提案交办",
    SubjectType.GOLDEN_IDEA_AWARDS: "金点子奖励",
    SubjectType.MONTHLY_REPORT: "月度报告",
    SubjectType.PENALTIES_AND_CARDS: "考核与红黄牌",
    SubjectType.FUND_STATEMENT: "经费收支",
    SubjectType.AWARD_PROCEDURE: "评优评先",
}


class Section(StrEnum):
    """A tab of the board: the latest entries, one kind of entry, or the ranking."""

    LATEST = "latest"
    APPEAL_ANSWER = SubjectType.APPEAL_ANSWER.value
    RANKING = "ranking"
    PENALTIES_AND_CARDS = SubjectType.PENALTIES_AND_CARDS.value
    ACTION_ITEMS = SubjectType.ACTION_ITEMS.value
    PROPOSAL_ASSIGNMENT = SubjectType.PROPOSAL_ASSIGNMENT.value
    GOLDEN_IDEA_AWARDS = SubjectType.GOLDEN_IDEA_AWARDS.value
    FUND_STATEMENT = SubjectType.FUND_STATEMENT.value
    MEETING_MINUTES = SubjectType.MEETING_MINUTES.value
    MONTHLY_REPORT = SubjectType.MONTHLY_REPORT.value
    AWARD_PROCEDURE = SubjectType.AWARD_PROCEDURE.value

    @property
    def label(self) -> str:
        """The tab's name (Chinese)."""
        if self is Section.LATEST:
            return "最新公示"
        if self is Section.RANKING:
            return "三率排名"
        return SUBJECT_NAMES[self.value]

    @property
    def subject_type(self) -> SubjectType | None:
        """The kind of entry the tab lists (None: every kind, or none)."""
        return SubjectType(self.value) if self.value in SUBJECT_NAMES else None


def feed_page(
    services: Services,
    *,
    department: str | None = None,
    subject_type: SubjectType | None = None,
    cursor: str | None = None,
    after: int | None = None,
    limit: int = PAGE_SIZE,
) -> PublicPageRead:
    """A page of the public feed, newest publication first (the JSON route's answer)."""
    return public_feed(
        services,
        department=department,
        subject_type=subject_type,
        cursor=cursor,
        limit=limit,
        after=after,
    )


def department_names(services: Services, codes: Iterable[str]) -> dict[str, str]:
    """Each department code's name now (a code the directory no longer knows, as it is)."""
    directory = services.casework.directory.current()
    names: dict[str, str] = {}
    for code in codes:
        if code in names:
            continue
        try:
            names[code] = directory.department(code).name
        except InvalidInput:
            names[code] = code
    return names


def names_in(services: Services, entries: Iterable[PublicEntryRead]) -> dict[str, str]:
    """The names of the departments the entries concern."""
    return department_names(services, (code for e in entries for code in e.departments))
