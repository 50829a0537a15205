"""What a log line may show of a request and of any text: no token, receipt code, personal
query value, password or key (`infrastructure.log_redaction`)."""

from __future__ import annotations

import secrets

import pytest

from infrastructure.log_redaction import (
    REDACTED,
    PathRedaction,
    keep_out_of_logs,
    redact_query,
    redact_target,
    redact_text,
)

CASE = "3f1c9a52-8d7e-4b1a-9c3e-2f6d5b7a8e90"
CODE = "K7QF-M2XD-9HPA-RT4C"
TOKEN = "hy_" + "Zx9" * 14 + "-_Q"

ROUTES = PathRedaction(
    [
        "/docs",
        "/appeals",
        "/appeals/{appeal_id}",
        "/appeals/{appeal_id}/transfer",
        "/receipts/{code}",
        "/receipts/{code}/rate",
        "/monthly-reports/{month}/file",
        "/meetings/coverage/{tier}",
        "/meetings/{meeting_id}/history",
        "/public/departments/{department}/disclosures.atom",
        "/directory/departments/{code}/rename",
    ]
)


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        (f"/receipts/{CODE}", "/receipts/[redacted]"),
        ("/receipts/k7qfm2xd9hpart4c/rate", "/receipts/[redacted]/rate"),
        (f"/appeals/{CASE}/transfer", f"/appeals/{CASE}/transfer"),
        ("/monthly-reports/2026-10/file", "/monthly-reports/2026-10/file"),
        ("/meetings/coverage/workers", "/meetings/coverage/workers"),
        (
            "/public/departments/%E5%AE%89/disclosures.atom",
            "/public/departments/%E5%AE%89/disclosures.atom",
        ),
        ("/directory/departments/logistics/rename", "/directory/departments/[redacted]/rename"),
        ("/docs", "/docs"),
        ("/", "/"),
    ],
)
def test_a_path_shows_its_route_and_only_the_harmless_parameters(path: str, shown: str) -> None:
    assert ROUTES(path) == shown


def test_an_id_that_is_not_an_id_is_hidden_for_it_may_be_a_name_or_number() -> None:
    assert ROUTES("/appeals/%E7%8E%8B%E5%BB%BA%E5%9B%BD") == "/appeals/[redacted]"
    assert ROUTES("/appeals/E10234/transfer") == "/appeals/[redacted]/transfer"
    assert ROUTES("/monthly-reports/E10234/file") == "/monthly-reports/[redacted]/file"


def test_a_path_no_route_declares_keeps_only_a_known_first_segment() -> None:
    assert ROUTES("/appeals/E10234/unknown") == "/appeals/[redacted]/[redacted]"
    assert ROUTES("/people/E10234") == "/[redacted]/[redacted]"
    assert ROUTES("*") == REDACTED


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("actor=E10234&limit=10", "actor=[redacted]&limit=10"),
        (
            "status=raised&department=%E5%AE%89&after=7",
            "status=raised&department=%E5%AE%89&after=7",
        ),
        (f"token={TOKEN}&limit=5", "[redacted]=[redacted]&limit=5"),
        ("E10234=1&code=" + CODE, "[redacted]=[redacted]&[redacted]=[redacted]"),
        ("act%6Fr=E10234", "act%6Fr=[redacted]"),  # a name percent-encoded is still the name
        ("actor=&limit=", "actor=&limit="),  # nothing to hide
        ("E10234", REDACTED),
        ("", ""),
    ],
)
def test_a_query_shows_values_only_of_allowed_parameters(query: str, shown: str) -> None:
    assert redact_query(query) == shown


def test_an_access_line_target_is_redacted_in_path_and_query_at_once() -> None:
    assert (
        redact_target(f"/receipts/{CODE}?actor=E10234&limit=5", ROUTES)
        == "/receipts/[redacted]?actor=[redacted]&limit=5"
    )


def test_a_harmless_parameter_still_loses_a_secret_put_in_it() -> None:
    target = f"/appeals?status={TOKEN}&department=13800001234"
    assert redact_target(target, ROUTES) == "/appeals?status=hy_[redacted]&department=[redacted]"


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (f"Authorization: Bearer {TOKEN}", "Authorization: [redacted]"),
        (
            f"headers [(b'authorization', b'Bearer {TOKEN}')]",
            "headers [(b'authorization', b'[redacted]')]",
        ),
        (f'{{"Authorization": "Bearer {TOKEN}"}}', '{"Authorization": "[redacted]"}'),
        ("Cookie: session=abc; theme=dark", "Cookie: [redacted]"),
        (f"token {TOKEN} refused", "token hy_[redacted] refused"),
        ("Bearer abc.def", "Bearer [redacted]"),
        (f"no appeal has receipt {CODE}", "no appeal has receipt [redacted]"),
        ("typed k7qf-m2xd-9hpa-rt4c or K7QFM2XD9HPART4C", "typed [redacted] or [redacted]"),
        (f"GET /receipts/{CODE.lower()}/rate", "GET /receipts/[redacted]/rate"),
        ("GET /receipts/{code}: failed", "GET /receipts/{code}: failed"),  # a route, no code
        (
            "GET /audit/events?actor=E10234&limit=5 failed",
            "GET /audit/events?actor=[redacted]&limit=5 failed",
        ),
        (
            "postgresql://huiyin:S3cr%40t@db:5432/huiyin",
            "postgresql://huiyin:[redacted]@db:5432/huiyin",
        ),
        ("host=db password=S3cret dbname=huiyin", "host=db password=[redacted] dbname=huiyin"),
        ("{'POSTGRES_PASSWORD': 'S3cret'}", "{'POSTGRES_PASSWORD': '[redacted]'}"),
        ("HUIYIN_CIPHER_KEY=abcd1234==", "HUIYIN_CIPHER_KEY=[redacted]"),
        ("call 13800001234 or +86 139-1234-5678", "call [redacted] or [redacted]"),
        ("resident id 11010519491231002X", "resident id [redacted]"),
        (
            "DETAIL:  Key (actor_id)=(E10234) already exists.",
            "DETAIL:  Key (actor_id)=([redacted]) already exists.",
        ),
        ("Failing row contains (1, E10234, 王建国).", "Failing row contains ([redacted])."),
        (
            'invalid input syntax for type uuid: "E10234"',
            'invalid input syntax for type uuid: "[redacted]"',
        ),
    ],
)
def test_text_loses_tokens_codes_passwords_and_personal_numbers(text: str, redacted: str) -> None:
    assert redact_text(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        f"appeal {CASE} at position 12345678901, version 3",
        "views case_index, audit_trail failed; retrying",
        "the working-day calendar of 2027 is a projection",
        'File "/work/api/routes/receipts.py", line 27, in follow',
        "CASE WHEN overdue THEN 1 ELSE 0 END",
        "Is PostgreSQL running? Did you mean: limit?",
        '127.0.0.1:50632 - "GET /appeals?status=raised&limit=5 HTTP/1.1" 200',
    ],
)
def test_text_without_secrets_is_left_as_it_is(text: str) -> None:
    assert redact_text(text) == text


def test_a_configured_secret_is_kept_out_wherever_it_appears() -> None:
    key = secrets.token_urlsafe(32)
    keep_out_of_logs(key, "")  # an empty password has nothing to hide
    assert redact_text(f"cipher {key}; again:{key}.") == "cipher [redacted]; again:[redacted]."
    assert redact_text("an ordinary line") == "an ordinary line"


@pytest.mark.parametrize(
    "text",
    [
        f"Authorization: Bearer {TOKEN} on /receipts/{CODE}?actor=E10234&{TOKEN}=1",
        "HUIYIN_CIPHER_KEY=abcd password=x postgresql://u:p@h/db 13800001234",
    ],
)
def test_redacting_twice_changes_nothing_more(text: str) -> None:
    once = redact_text(text)
    assert REDACTED in once
    assert redact_text(once) == once
    assert redact_target(once, ROUTES) == redact_target(redact_target(once, ROUTES), ROUTES)
