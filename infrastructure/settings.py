"""One validated Settings object, read from HUIYIN_* environment variables."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.reminders import parse_leads
from infrastructure.calendar_file import load_adjustments


class Environment(StrEnum):
    """Where the service runs; only development may invent its own cipher key."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Everything Huiyin can be configured with."""

    model_config = SettingsConfigDict(env_prefix="HUIYIN_", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    database_url: str | None = Field(
        default=None,
        description="postgresql:// URL of a server; unset: start an embedded PostgreSQL",
    )
    read_database_url: str | None = Field(
        default=None,
        description="postgresql:// URL of a streaming replica of the database: the views' "
        "queries (lists, metrics, feeds, audit trail, exports) and their `?after=` waits go "
        "there; unset: every read goes to the database (docs/operations.md, Read replicas)",
    )
    data_dir: Path = Field(default=Path("var"), description="embedded database and dev key")
    cipher_key: SecretStr | None = Field(
        default=None, description="base64 AES key (16, 24 or 32 bytes) for personal data"
    )
    pool_size: int = Field(default=4, ge=1, le=100)
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=64 * 1024,
        le=64 * 1024 * 1024,
        description="largest request body accepted (larger: 413, refused before it is read)",
    )
    database_wait_seconds: float = Field(
        default=0.5,
        ge=0.1,
        le=60,
        description="how long a request waits for a database connection; reads and writes "
        "of events try ten times, then the API answers 503 (the database is unavailable)",
    )
    db_functions: bool = Field(
        default=True, description="insert events through the library's database function"
    )
    aggregate_cache_size: int = Field(
        default=10_000, ge=0, le=1_000_000, description="aggregates kept in memory (0: none)"
    )
    token_days: int = Field(
        default=90, ge=1, le=400, description="how long a token lasts unless issued with --expires"
    )
    web_session_hours: int = Field(
        default=10, ge=1, le=24 * 30, description="how long a web sign-in lasts (a working day)"
    )
    web_identity_header: str | None = Field(
        default=None,
        description="a header naming the signed-in person, set by a reverse proxy that has "
        "authenticated them (the intranet's single sign-on); unset: sign in with a token",
    )
    auth_failures_per_minute: int = Field(
        default=20,
        ge=1,
        le=10_000_000,
        description="bad tokens one client address may send in a minute before it gets 429",
    )
    max_request_line_bytes: int = Field(
        default=8192, ge=1024, le=1_048_576, description="longest request line (414 past it)"
    )
    max_header_bytes: int = Field(
        default=32768,
        ge=4096,
        le=4_194_304,
        description="request line and headers together (431 past it)",
    )
    read_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=600,
        description="time for a request's headers to arrive, and the longest pause in its body",
    )
    keep_alive_seconds: int = Field(
        default=5, ge=1, le=600, description="an idle kept-alive connection is closed after it"
    )
    requests_per_minute_per_token: int = Field(
        default=600,
        ge=0,
        le=10_000_000,
        description="requests one token may send a minute, in bursts of as many (0: no limit)",
    )
    requests_per_minute_per_address: int = Field(
        default=1200,
        ge=0,
        le=10_000_000,
        description="requests one client address may send a minute, token or not (0: no limit)",
    )
    projections: bool = Field(
        default=True,
        description="run the view runners inside `huiyin serve` (off: run `huiyin project`)",
    )
    background_process: bool = Field(
        default=True,
        description="serve runs the view runners, chain follower, watcher and webhook sender "
        "in a child process (false: as threads in the server process)",
    )
    watcher: bool = Field(
        default=True, description="run the deadline watcher inside `huiyin serve`"
    )
    watch_interval_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="seconds between the watcher's sweeps"
    )
    read_wait_seconds: float = Field(
        default=5.0, gt=0, le=30, description="longest a read waits for `?after=` positions"
    )
    chain_follow: bool = Field(
        default=True,
        description="keep the tamper-evidence hash chain up with new events while serving",
    )
    reply_working_days: int = Field(default=5, ge=1, le=60)
    urgent_response_hours: int = Field(default=48, ge=1, le=720)
    grid_response_hours: int = Field(default=24, ge=1, le=720)
    performance_review_working_days: int = Field(default=5, ge=1, le=60)
    yellow_card_penalty_points: int = Field(default=3, ge=1, le=100)
    red_card_penalty_points: int = Field(default=6, ge=2, le=200)
    yellow_card_overdue: int = Field(default=2, ge=1, le=100)
    red_card_overdue: int = Field(default=4, ge=2, le=200)
    card_period_days: int = Field(default=30, ge=1, le=366)
    rectification_working_days: int = Field(default=10, ge=1, le=60)
    monthly_report_working_days: int = Field(
        default=5, ge=1, le=60, description="monthly report due this many working days after"
    )
    calendar_file: Path | None = Field(
        default=None,
        description="a TOML file of the published holiday schedule's days (days off, make-up "
        "working days) for years the holidays package does not hold yet",
    )
    union_office_department: str = Field(
        default="工会办公室",
        min_length=1,
        max_length=100,
        description="the union's own office (a directory code or name): a late monthly "
        "report costs it a point, and a first response missed while the union held an "
        "appeal untransferred two",
    )

    public_url: str | None = Field(
        default=None,
        description="the address people open Huiyin at (e.g. https://huiyin.example.cn): "
        "links in reminders, webhooks and e-mails point there; unset: messages carry no links",
    )
    reminder_leads: str = Field(
        default="2wd,4h",
        description="when to remind before a deadline, comma-separated: working days (`2wd`: "
        "09:00 on the 2nd-last working day up to the due day, on the working-day calendar) or "
        "hours (`4h` before); only the most urgent lead passed is sent; empty: no reminders",
    )
    notices: bool = Field(
        default=True,
        description="decide notices (reminders, overdue, publications, cards) and deliver them "
        "to the registered endpoints, in serve's background work",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="longest wait for a receiver's answer"
    )
    webhook_retry_seconds: float = Field(
        default=10.0,
        gt=0,
        le=3600,
        description="wait before the first retry of a failed delivery; each next one waits "
        "twice as long (with jitter), up to an hour",
    )
    webhook_give_up_hours: float = Field(
        default=24.0,
        gt=0,
        le=24 * 30,
        description="a delivery still failing this long after it was decided is given up "
        "(dead letter: listed for admin, who may replay it)",
    )
    webhook_senders: int = Field(
        default=4, ge=1, le=64, description="deliveries sent at once by the background worker"
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server for e-mail endpoints and appellants' notices"
    )
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_security: str = Field(
        default="none", pattern="^(none|starttls|tls)$", description="none, starttls or tls"
    )
    smtp_user: str | None = Field(default=None, description="SMTP login, if the server asks")
    smtp_password: SecretStr | None = Field(default=None)
    smtp_from: str = Field(
        default="huiyin@localhost", min_length=3, max_length=200, description="From: address"
    )

    @field_validator("calendar_file")
    @classmethod
    def _calendar_file_readable(cls, path: Path | None) -> Path | None:
        # Read now, so a mistake in it stops the process before anything counts a deadline.
        if path is not None:
            load_adjustments(path)
        return path

    @model_validator(mode="after")
    def _key_required_outside_development(self) -> Settings:
        if self.environment is Environment.PRODUCTION and self.cipher_key is None:
            raise ValueError(
                "HUIYIN_CIPHER_KEY must be set in production: personal data in events is "
                "encrypted with it (make one with `huiyin key new`)"
            )
        return self

    @field_validator("reminder_leads")
    @classmethod
    def _reminder_leads_parse(cls, text: str) -> str:
        # Parsed now, so a mistake names its part before the sweep ever runs.
        parse_leads(text)
        return text
