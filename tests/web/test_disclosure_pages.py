"""From a published answer to the public board, by the pages: union staff propose the
answer for disclosure from its case page, a committee member approves it in the review
queue, and it is published from there; only then is it public."""

from __future__ import annotations

import re
from collections.abc import Callable

from api.bootstrap import Services
from domain.actors import Role
from tests.web.appeal_steps import answered_and_published, new_employee, raise_named
from tests.web.conftest import Browser

DEPARTMENT = "Logistics"


def test_a_published_answer_is_proposed_approved_and_published_through_the_pages(
    services: Services, signed_in: Callable[..., Browser]
) -> None:
    appeal_id = raise_named(services.casework, new_employee(), title="班车发车时间太早")
    answered_and_published(services.casework, appeal_id, DEPARTMENT)

    clerk = signed_in("union-clerk-1", Role.UNION_STAFF)
    case_page = clerk.get(f"/web/appeals/{appeal_id}")
    assert "提交公示审核" in case_page.text
    proposed = clerk.post(
        "/web/workbench/reviews/propose",
        {
            "subject_type": "appeal_answer",
            "subject": str(appeal_id),
            "title": "班车发车时间答复",
            "back": f"/web/appeals/{appeal_id}",
        },
    )
    assert proposed.status_code == 303
    assert proposed.headers["location"].startswith(f"/web/appeals/{appeal_id}?after=")

    committee = signed_in("committee-wu", Role.COMMITTEE)
    position = proposed.headers["location"].rsplit("after=", 1)[1]
    queue = committee.get(f"/web/workbench/reviews?after={position}")
    assert "班车发车时间答复" in queue.text
    disclosure_id = re.search(r"/web/workbench/reviews/([0-9a-f-]{36})/approve", queue.text)
    assert disclosure_id is not None
    approved = committee.post(
        f"/web/workbench/reviews/{disclosure_id.group(1)}/approve", {"version": "1"}
    )
    assert approved.status_code == 303

    awaiting = committee.get(approved.headers["location"])
    assert "审核通过、待发布" in awaiting.text
    assert f"/web/workbench/reviews/{disclosure_id.group(1)}/publish" in awaiting.text
    published = committee.post(
        f"/web/workbench/reviews/{disclosure_id.group(1)}/publish", {"version": "2"}
    )
    assert published.status_code == 303
    after = committee.get(published.headers["location"]).text
    assert f"/web/workbench/reviews/{disclosure_id.group(1)}/publish" not in after


def test_the_propose_form_is_not_shown_to_a_role_that_may_not_propose(
    services: Services, signed_in: Callable[..., Browser]
) -> None:
    appeal_id = raise_named(services.casework, new_employee())
    answered_and_published(services.casework, appeal_id, DEPARTMENT)
    auditor = signed_in("auditor-he", Role.AUDITOR)
    assert "提交公示审核" not in auditor.get(f"/web/appeals/{appeal_id}").text
    refused = auditor.post(
        "/web/workbench/reviews/propose",
        {"subject_type": "appeal_answer", "subject": str(appeal_id), "title": "x"},
    )
    assert refused.status_code == 403


def test_a_proposal_whose_title_names_the_appellant_is_refused_saying_why(
    services: Services, signed_in: Callable[..., Browser]
) -> None:
    appeal_id = raise_named(services.casework, new_employee())
    answered_and_published(services.casework, appeal_id, DEPARTMENT)
    clerk = signed_in("union-clerk-1", Role.UNION_STAFF)
    refused = clerk.post(
        "/web/workbench/reviews/propose",
        {"subject_type": "appeal_answer", "subject": str(appeal_id), "title": "王建国的诉求"},
    )
    assert refused.status_code == 422
    assert "personal data" in refused.text
