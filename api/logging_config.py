"""Where each Huiyin process sends its log, every handler through one redacting filter.

- `huiyin serve`: uvicorn's own configuration (access lines on stdout, its errors on
  stderr), with `RedactingFilter` on both handlers, and a root handler on stderr through the
  same filter for everything else: the service's `huiyin.*` loggers, psycopg's pool, the
  eventsourcing library, threads' background work (`uvicorn_log_config`).
- Every other command, the background worker (`huiyin work`, serve's child) among them: a
  root handler on stderr through the filter while the command runs (`command_logging`).

The filter sits on the handlers, not on loggers, because a logger's filters do not see the
records its children pass up. Levels stay as they were: uvicorn's at info, the rest at
warning. What is redacted, and why, is in `infrastructure.log_redaction`.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from uvicorn.logging import DefaultFormatter

from infrastructure.log_redaction import PathRedaction, redact_target, redact_text

#: The format of every line not from uvicorn itself: `WARNING:  huiyin.worker: …`.
APP_FORMAT = "%(levelprefix)s %(name)s: %(message)s"

_TRACEBACKS = logging.Formatter()


class RedactingFilter(logging.Filter):
    """Rewrites each record before any handler formats it: the request target of an access
    line, and the message, arguments, traceback and stack of every other. Passes them all."""

    def __init__(self, paths: PathRedaction | None = None) -> None:
        super().__init__()
        self._paths = paths or PathRedaction(())

    def filter(self, record: logging.LogRecord) -> bool:
        """Redacts `record` in place (the next handler sees it redacted too)."""
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            # uvicorn's formatter unpacks (client, method, target, http version, status).
            client, method, target, version, status = args
            record.args = (client, method, redact_target(str(target), self._paths), version, status)
        else:
            record.msg = redact_text(_message(record))
            record.args = ()
        if record.exc_info:
            # Formatted here, once: a formatter finding exc_text uses it as it is.
            record.exc_text = redact_text(_TRACEBACKS.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except (TypeError, ValueError):
        # logging would print the raw message and arguments in its own complaint.
        return f"{record.msg!s} (unformattable arguments: {record.args!r})"


def uvicorn_log_config(route_templates: Iterable[str]) -> dict[str, Any]:
    """uvicorn's logging configuration with the redacting filter on every handler and a root
    handler for the rest; `route_templates` tell access lines which path segments are what."""
    import uvicorn.config

    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    paths = PathRedaction(route_templates)
    config["filters"] = {"redact": {"()": RedactingFilter, "paths": paths}}
    config["formatters"]["app"] = {"()": "uvicorn.logging.DefaultFormatter", "fmt": APP_FORMAT}
    config["handlers"]["app"] = {
        "formatter": "app",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    for handler in config["handlers"].values():
        handler["filters"] = ["redact"]
    config["root"] = {"handlers": ["app"], "level": "WARNING"}
    return config


@contextlib.contextmanager
def command_logging() -> Iterator[None]:
    """Logging for a command (and the background worker) while it runs: warnings and errors
    on stderr, redacted. The handler is taken off again after, so that a caller running
    `main()` in its own process (a test) keeps its logging as it was."""
    formatter = DefaultFormatter(APP_FORMAT, use_colors=False)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
