"""Sending one message: an HTTP POST to a receiver, or an e-mail through the SMTP server.

HTTP goes through one `httpx.Client` (thread-safe, keeps connections alive) that never
follows a redirect: a receiver that moved must be re-registered, not followed blindly. A 2xx
is delivered, except from a WeCom or DingTalk robot, which answers 200 with `errcode` != 0
when it refused the message. What an attempt records as its error never holds a URL's query
(a robot's key is there) nor a receiver's answer body (it could echo anything).
"""

from __future__ import annotations

import json
import smtplib
import ssl
import time
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import httpx

from application.notice_delivery import Outgoing
from domain.notices import EndpointFormat
from domain.webhook_messages import dingtalk_url, email, json_body, robot_body, standard_headers
from domain.webhook_retry import Attempt, Outcome
from infrastructure.settings import Settings
from infrastructure.webhook_tables import unseal

USER_AGENT = "Huiyin-Webhooks/1"
_ROBOTS = (EndpointFormat.WECOM, EndpointFormat.DINGTALK)


class Transport:
    """Posts to receivers and mails through the configured SMTP server."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = httpx.Client(
            timeout=settings.webhook_timeout_seconds,
            follow_redirects=False,
            headers={"user-agent": USER_AGENT},
        )

    def close(self) -> None:
        """Closes the kept-alive connections."""
        self.client.close()

    def send(self, made: Outgoing, endpoint: Mapping[str, Any], store_key: bytes) -> Attempt:
        """Sends a delivery's message in its endpoint's format (`endpoint`: the endpoint's
        row, its target and secret sealed; none for the appellant's own e-mail)."""
        message = made.message
        endpoint_id = endpoint["endpoint_id"]
        if endpoint_id is None:
            subject, text = email(message)
            return self.mail(list(made.to), subject, text)
        form = EndpointFormat(endpoint["format"])
        target = unseal(store_key, endpoint_id, endpoint["target_sealed"])
        sealed = endpoint["secret_sealed"]
        secret = unseal(store_key, endpoint_id, sealed) if sealed is not None else None
        if form is EndpointFormat.EMAIL:
            subject, text = email(message)
            return self.mail([a.strip() for a in target.split(",") if a.strip()], subject, text)
        shown = endpoint["target_shown"]
        if form is EndpointFormat.STANDARD:
            body = json_body(message)
            stamp = int(time.time())  # the attempt's own time, as the specification asks
            headers = (
                standard_headers(secret, message.webhook_id, stamp, body)
                if secret  # the registry always gives a standard endpoint one
                else {"webhook-id": message.webhook_id, "webhook-timestamp": str(stamp)}
            )
            return self.post(target, shown, body, headers, form)
        url = target
        if form is EndpointFormat.DINGTALK:
            url = dingtalk_url(target, secret, int(time.time() * 1000))
        return self.post(url, shown, robot_body(message, form), {}, form)

    def post(
        self, url: str, shown: str, body: bytes, headers: dict[str, str], form: EndpointFormat
    ) -> Attempt:
        """POSTs `body` to `url`; `shown` (the URL without its query) is what errors name."""
        try:
            answer = self.client.post(
                url, content=body, headers={"content-type": "application/json", **headers}
            )
        except httpx.TimeoutException:
            return Attempt(Outcome.TIMEOUT, error=f"no answer within {self._timeout()}")
        except httpx.HTTPError as error:
            return Attempt(Outcome.UNREACHABLE, error=_clean(error, url, shown))
        status = answer.status_code
        if 200 <= status < 300:
            if form in _ROBOTS:
                return _robot_answer(answer)
            return Attempt(Outcome.DELIVERED, status)
        if status == 410 and form is EndpointFormat.STANDARD:
            return Attempt(Outcome.GONE, status, "410 Gone: the receiver wants no more")
        note = " (redirects are not followed)" if 300 <= status < 400 else ""
        return Attempt(Outcome.FAILED, status, f"HTTP {status} {answer.reason_phrase}{note}")

    def mail(self, to: list[str], subject: str, text: str) -> Attempt:
        """Sends one e-mail to `to` through the SMTP server in settings."""
        s = self.settings
        if not s.smtp_host:
            return Attempt(Outcome.FAILED, error="no SMTP server is configured")
        message = EmailMessage()
        message["From"] = s.smtp_from
        message["To"] = ", ".join(to)
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=s.smtp_from.rpartition("@")[2] or None)
        message.set_content(text)
        timeout = s.webhook_timeout_seconds
        try:
            smtp: smtplib.SMTP
            if s.smtp_security == "tls":
                context = ssl.create_default_context()
                smtp = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=timeout, context=context)
            else:
                smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=timeout)
            with smtp:
                if s.smtp_security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_user and s.smtp_password is not None:
                    smtp.login(s.smtp_user, s.smtp_password.get_secret_value())
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused:
            return Attempt(Outcome.FAILED, error="the SMTP server refused the recipients")
        except smtplib.SMTPResponseException as error:
            return Attempt(Outcome.FAILED, error.smtp_code, f"SMTP {error.smtp_code}")
        except TimeoutError:
            return Attempt(Outcome.TIMEOUT, error=f"no answer within {self._timeout()}")
        except (OSError, smtplib.SMTPException) as error:
            return Attempt(Outcome.UNREACHABLE, error=type(error).__name__)
        return Attempt(Outcome.DELIVERED, 250)

    def _timeout(self) -> str:
        return f"{self.settings.webhook_timeout_seconds:g} s"


def _robot_answer(answer: httpx.Response) -> Attempt:
    """A WeCom or DingTalk robot's 200: delivered only with errcode 0."""
    try:
        parsed = json.loads(answer.content)
        code = int(parsed.get("errcode", 0))
        text = str(parsed.get("errmsg", ""))[:200]
    except (ValueError, TypeError, AttributeError):
        return Attempt(Outcome.FAILED, answer.status_code, "the robot's answer is not JSON")
    if code != 0:
        return Attempt(Outcome.FAILED, answer.status_code, f"errcode {code}: {text}")
    return Attempt(Outcome.DELIVERED, answer.status_code)


def _clean(error: Exception, url: str, shown: str) -> str:
    """An error's text with the full URL (its query) replaced by the shown one."""
    text = f"{type(error).__name__}: {error}".replace(url, shown)
    return text[:300]
