"""Golden-idea reviews, competitions and collaboration reviews over HTTP, as the union runs them."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.casework import Casework
from domain.actors import Role
from tests.api.conftest import Headers, named_appeal
from tests.conftest import open_department

PROBLEM = "application/problem+json"

#: Quarters no other test of the session opens a review for (one review per quarter).
_QUARTERS = (f"{year}-Q{n}" for year in itertools.count(2070) for n in (1, 2, 3, 4))


def _post(client: TestClient, path: str, headers: Headers, body: Any = None) -> dict[str, Any]:
    done = client.post(path, json=body, headers=headers)
    assert done.status_code in (200, 201), done.text
    result: dict[str, Any] = done.json()
    return result


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    return body


def _adopted_suggestion(client: TestClient, staff: Headers, kind: str = "suggestion") -> str:
    raised = _post(client, "/appeals", staff, named_appeal(kind=kind, title="井口增设照明"))
    if kind == "suggestion":
        adopt = {"department": "机电科", "plan": "年底前增设两处照明"}
        _post(client, f"/appeals/{raised['id']}/adopt", staff, adopt)
    appeal_id: str = raised["id"]
    return appeal_id


@pytest.fixture
def reviewers(auth: Callable[..., Headers]) -> list[Headers]:
    """Two committee members who review golden ideas."""
    return [auth("R-li", Role.COMMITTEE), auth("R-wang", Role.COMMITTEE)]


def _idea_review(client: TestClient, staff: Headers, **overrides: Any) -> str:
    body = {"quarter": next(_QUARTERS), "reviewers": ["R-li", "R-wang"], **overrides}
    created = client.post("/idea-reviews", json=body, headers=staff)
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == f"/idea-reviews/{created.json()['id']}"
    review_id: str = created.json()["id"]
    return review_id


# -- golden ideas ------------------------------------------------------------------------------


def test_a_golden_idea_review_from_opening_to_publication(
    client: TestClient, staff: Headers, reviewers: list[Headers]
) -> None:
    review_id = _idea_review(client, staff)
    idea = _adopted_suggestion(client, staff)
    _post(client, f"/idea-reviews/{review_id}/ideas", staff, {"appeal_id": idea})
    for headers, (effect, benefit) in zip(reviewers, [(80, 90), ("75.5", 80)], strict=True):
        body = {"appeal_id": idea, "effect": effect, "benefit": benefit}
        _post(client, f"/idea-reviews/{review_id}/scores", headers, body)
    correction = {"appeal_id": idea, "effect": 85, "benefit": 90, "reason": "漏算了节约金额"}
    _post(client, f"/idea-reviews/{review_id}/scores/correct", reviewers[0], correction)
    _post(client, f"/idea-reviews/{review_id}/decide", staff)
    published = client.post(f"/idea-reviews/{review_id}/publish", headers=staff)
    assert published.status_code == 200
    assert published.json()["version"] == 7
    assert published.headers["ETag"] == '"7"'

    review = client.get(f"/idea-reviews/{review_id}", headers=staff)
    assert review.headers["ETag"] == '"7"'
    state = review.json()
    assert state["status"] == "published"
    [read] = state["ideas"]
    # R-li (85 + 90) / 2 = 87.5, R-wang (75.5 + 80) / 2 = 77.75 → 82.63 (half-up) → 400 yuan
    assert read["combined_score"] == "82.63"
    assert read["award"] == 400
    assert [s["reviewer"] for s in read["scores"]] == ["R-li", "R-wang"]
    assert state["total_awarded"] == 400
    assert state["published_at"] is not None
    history = client.get(f"/idea-reviews/{review_id}/history", headers=staff).json()
    assert [e["type"] for e in history["events"]] == [
        "Opened",
        "IdeaAdded",
        "IdeaScored",
        "IdeaScored",
        "ScoreCorrected",
        "Decided",
        "Published",
    ]
    assert history["events"][2]["actor"] == {"id": "R-li", "role": "committee"}
    assert (
        client.get(f"/idea-reviews/{review_id}?version=2", headers=staff).json()["ideas"][0][
            "scores"
        ]
        == []
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scale": [{"min_score": 0, "award": 600}]}, "scale.0.award"),
        ({"scale": [{"min_score": 0, "award": 100}, {"min_score": 50, "award": 100}]}, "scale"),
        ({"quarter": "2026-Q5"}, "quarter"),
        ({"reviewers": []}, "reviewers"),
    ],
)
def test_a_bad_scale_quarter_or_panel_is_422_naming_the_field(
    client: TestClient, staff: Headers, body: dict[str, Any], field: str
) -> None:
    request = {"quarter": next(_QUARTERS), "reviewers": ["R-li"], **body}
    problem = _problem(client.post("/idea-reviews", json=request, headers=staff), 422)
    assert problem["errors"][0]["field"] == field


def test_an_idea_must_be_an_adopted_suggestion_and_a_score_within_0_to_100(
    client: TestClient, staff: Headers, reviewers: list[Headers]
) -> None:
    review_id = _idea_review(client, staff)
    complaint = _adopted_suggestion(client, staff, kind="complaint")
    refused = client.post(
        f"/idea-reviews/{review_id}/ideas", json={"appeal_id": complaint}, headers=staff
    )
    assert _problem(refused, 422)["errors"][0]["field"] == "appeal_id"

    idea = _adopted_suggestion(client, staff)
    _post(client, f"/idea-reviews/{review_id}/ideas", staff, {"appeal_id": idea})
    too_high = {"appeal_id": idea, "effect": 101, "benefit": 50}
    refused = client.post(f"/idea-reviews/{review_id}/scores", json=too_high, headers=reviewers[0])
    assert _problem(refused, 422)["errors"][0]["field"] == "effect"


def test_deciding_with_a_missing_score_or_scoring_twice_is_409(
    client: TestClient, staff: Headers, reviewers: list[Headers]
) -> None:
    review_id = _idea_review(client, staff)
    idea = _adopted_suggestion(client, staff)
    _post(client, f"/idea-reviews/{review_id}/ideas", staff, {"appeal_id": idea})
    body = {"appeal_id": idea, "effect": 80, "benefit": 80}
    _post(client, f"/idea-reviews/{review_id}/scores", reviewers[0], body)

    twice = client.post(f"/idea-reviews/{review_id}/scores", json=body, headers=reviewers[0])
    assert _problem(twice, 409)["state"] == "open"
    undecided = _problem(client.post(f"/idea-reviews/{review_id}/decide", headers=staff), 409)
    assert "by R-wang" in undecided["detail"]
    unpublished = client.post(f"/idea-reviews/{review_id}/publish", headers=staff)
    assert _problem(unpublished, 409)["action"] == "publish"


def test_someone_not_on_the_panel_cannot_score_403(
    client: TestClient, staff: Headers, auth: Callable[..., Headers]
) -> None:
    review_id = _idea_review(client, staff)
    idea = _adopted_suggestion(client, staff)
    _post(client, f"/idea-reviews/{review_id}/ideas", staff, {"appeal_id": idea})

    body = {"appeal_id": idea, "effect": 80, "benefit": 80}
    outsider = auth("HR-nosy", Role.HR)
    _problem(client.post(f"/idea-reviews/{review_id}/scores", json=body, headers=outsider), 403)


def test_a_stale_if_match_is_412_and_an_unknown_review_404(
    client: TestClient, staff: Headers
) -> None:
    review_id = _idea_review(client, staff)
    idea = _adopted_suggestion(client, staff)
    _post(client, f"/idea-reviews/{review_id}/ideas", staff, {"appeal_id": idea})

    stale = client.post(f"/idea-reviews/{review_id}/decide", headers={**staff, "If-Match": '"1"'})
    assert _problem(stale, 412)["status"] == 412
    unknown = uuid.uuid4()
    _problem(client.get(f"/idea-reviews/{unknown}", headers=staff), 404)
    _problem(client.post(f"/idea-reviews/{unknown}/decide", headers=staff), 404)
    _problem(client.get(f"/competitions/{review_id}", headers=staff), 404)
    _problem(client.get(f"/collaboration-reviews/{unknown}/history", headers=staff), 404)


# -- skill competition -------------------------------------------------------------------------


def test_a_competition_ranks_by_the_weighted_total_and_records_titles(
    client: TestClient, staff: Headers, auth: Callable[..., Headers]
) -> None:
    judges = [auth("J-zhou", Role.COMMITTEE), auth("J-sun", Role.HR)]
    created = client.post(
        "/competitions", json={"name": "2026年工匠杯", "judges": ["J-zhou", "J-sun"]}, headers=staff
    )
    assert created.status_code == 201, created.text
    competition = f"/competitions/{created.json()['id']}"
    for person in ("E1", "E2"):
        _post(
            client,
            f"{competition}/contestants",
            staff,
            {"contestant": person, "department": "机电科"},
        )
    for headers in judges:
        scores = {"contestant": "E1", "theory": 80, "practice": 90, "innovation": 70}
        _post(client, f"{competition}/scores", headers, scores)
        _post(client, f"{competition}/scores", headers, {"contestant": "E2", "theory": 95})
        _post(
            client,
            f"{competition}/scores",
            headers,
            {"contestant": "E2", "practice": 85, "innovation": 90},
        )

    missing = client.post(
        f"{competition}/scores", json={"contestant": "E2", "practice": 101}, headers=judges[0]
    )
    assert _problem(missing, 422)["errors"][0]["field"] == "practice"
    twice = client.post(
        f"{competition}/scores", json={"contestant": "E2", "theory": 90}, headers=judges[0]
    )
    _problem(twice, 409)
    _post(client, f"{competition}/finalise", staff)

    state = client.get(competition, headers=staff)
    assert state.headers["ETag"] == f'"{state.json()["version"]}"'
    ranking = state.json()["ranking"]
    # E2: 0.3 × 95 + 0.5 × 85 + 0.2 × 90 = 89; E1: 24 + 45 + 14 = 83
    assert [(r["rank"], r["contestant"], r["total"]) for r in ranking] == [
        (1, "E2", "89.00"),
        (2, "E1", "83.00"),
    ]
    assert all(r["title"] and r["industry_contest"] for r in ranking)
    assert state.json()["weights"] == {"theory": "0.30", "practice": "0.50", "innovation": "0.20"}
    late = client.post(
        f"{competition}/contestants", json={"contestant": "E3", "department": "x"}, headers=staff
    )
    _problem(late, 409)


def test_weights_that_do_not_add_up_to_one_are_422(client: TestClient, staff: Headers) -> None:
    body = {
        "name": "工匠杯",
        "judges": ["J-zhou"],
        "weights": {"theory": "0.4", "practice": "0.5", "innovation": "0.2"},
    }
    problem = _problem(client.post("/competitions", json=body, headers=staff), 422)
    assert problem["errors"][0]["field"] == "weights"


# -- collaboration review ----------------------------------------------------------------------


def test_a_collaboration_review_closes_with_its_weighted_score(
    client: TestClient, casework: Casework, staff: Headers, auth: Callable[..., Headers]
) -> None:
    department = open_department(casework, "机电科")
    body = {
        "half_year": "2026-H1",
        "department": department,
        "management": ["M-gao"],
        "employees": ["E-liu", "E-ma"],
    }
    created = client.post("/collaboration-reviews", json=body, headers=staff)
    assert created.status_code == 201, created.text
    review = f"/collaboration-reviews/{created.json()['id']}"
    again = client.post("/collaboration-reviews", json=body, headers=staff)
    _problem(again, 409)

    kpis = {"satisfaction_improvement": 80, "joint_completion": 90, "timely_response": 100}
    _post(client, f"{review}/kpis", staff, kpis)
    _problem(client.post(f"{review}/close", headers=staff), 409)
    _post(client, f"{review}/ratings", auth("M-gao", Role.HR), {"score": 90})
    _post(client, f"{review}/ratings", auth("E-liu", Role.EMPLOYEE), {"score": 80})
    _post(client, f"{review}/ratings", auth("E-ma", Role.EMPLOYEE), {"score": "70.5"})
    _post(client, f"{review}/close", staff)

    state = client.get(review, headers=staff).json()
    # 0.15 × 270 + 0.275 × 90 + 0.275 × 75.25 = 40.5 + 24.75 + 20.69375 = 85.94375 → 85.94
    assert state["score"] == "85.94"
    assert state["status"] == "closed"
    assert {c["name"]: c["weight"] for c in state["components"]}["employees"] == "0.275"
    assert state["missing_ratings"] == []
    # A representative on the panel (the only ones who may rate) is refused once it closed.
    rater = auth("E-ma", Role.EMPLOYEE)
    after_close = client.post(f"{review}/ratings", json={"score": 50}, headers=rater)
    assert _problem(after_close, 409)["state"] == "closed"


def test_a_bad_half_year_or_rating_is_422_naming_the_field(
    client: TestClient, staff: Headers
) -> None:
    body = {"half_year": "2026-H3", "department": "机电科", "management": ["M"], "employees": ["E"]}
    problem = _problem(client.post("/collaboration-reviews", json=body, headers=staff), 422)
    assert problem["errors"][0]["field"] == "half_year"
    body = {"half_year": "2026-H2", "department": "x", "management": ["M"], "employees": ["E"]}
    problem = _problem(
        client.post("/collaboration-reviews", json={**body, "department": ""}, headers=staff), 422
    )
    assert problem["errors"][0]["field"] == "department"
