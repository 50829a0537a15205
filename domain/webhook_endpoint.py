"""A webhook or e-mail endpoint's rules: what may be registered, and its secret.

An endpoint is the service's configuration, not a case: a row the admin keeps (see
`infrastructure/webhook_endpoints.py`). These rules decide what such a row may hold — a
name, a target the format can use, the kinds it subscribes to, filters, the audience whose
reach decides what personal data it may be sent — and make the Standard Webhooks secret.
Every refusal is an `InvalidInput` naming the field, in words the admin can act on.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from domain import limits
from domain.access import Reach
from domain.actors import Role
from domain.errors import InvalidInput
from domain.notices import EndpointFormat, NoticeKind
from domain.policy import IDENTITY_PERMISSIONS, POLICY
from domain.terms import Tier

NAME_LIMIT = 100
URL_LIMIT = limits.URL
ADDRESS_LIMIT = 254
ADDRESSES = 20
SECRET_PREFIX = "whsec_"  # noqa: S105  # Standard Webhooks' marker, not a secret
SECRET_BYTES = 24  # what a generated secret holds; Standard Webhooks asks 24 to 64
DINGTALK_PREFIX = "SEC"  # a DingTalk robot's signing secret starts so
T = TypeVar("T")
_ADDRESS = re.compile(r"[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"'.]+")

#: The roles an endpoint may speak for: staff offices. An employee or a liaison reaches
#: only their own cases, the admin reads none, and `system` is never a receiver.
AUDIENCES = frozenset(
    {Role.UNION_STAFF, Role.DEPARTMENT, Role.SUPERVISOR, Role.HR, Role.COMMITTEE, Role.AUDITOR}
)
#: Reaches an endpoint never has: it is not a person, so no case is its own or its panel's.
_PERSONAL_REACHES = frozenset({Reach.OWN, Reach.RAISED, Reach.PANEL})


@dataclass(frozen=True)
class EndpointSpec:
    """What an endpoint is registered with (its secret apart)."""

    name: str
    format: EndpointFormat
    target: str  # a URL, or comma-separated e-mail addresses
    kinds: tuple[NoticeKind, ...]
    departments: tuple[str, ...] = ()
    tiers: tuple[Tier, ...] = ()
    audience: Role = Role.UNION_STAFF
    personal_data: bool = False

    def checked(self) -> EndpointSpec:
        """The spec with its values tidied (trimmed, deduplicated, in order), or
        InvalidInput naming the first field that breaks a rule."""
        spec = replace(
            self,
            name=check_name(self.name),
            target=check_target(self.format, self.target),
            kinds=_unique(self.kinds),
            departments=_unique(check_department(d) for d in self.departments),
            tiers=_unique(self.tiers),
        )
        if not spec.kinds:
            raise InvalidInput("kinds", "name at least one kind of notice to receive")
        check_audience(spec.audience, spec.departments, spec.tiers)
        if spec.personal_data and not may_receive_personal_data(spec.audience):
            raise InvalidInput(
                "personal_data",
                f"the {spec.audience.value} role may see nobody's identity on any case, so "
                "an endpoint speaking for it cannot be sent personal data",
            )
        return spec

    def changed(self, **changes: Any) -> EndpointSpec:
        """The spec with `changes` (None: unchanged), checked as a whole."""
        if changes.get("format") not in (None, self.format):
            raise InvalidInput("format", "cannot change: remove the endpoint, register anew")
        given = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **given).checked()

    def shown_target(self) -> str:
        """The target as lists show it: a URL without its query (a robot's key is there),
        e-mail addresses as they are."""
        return shown_target(self.format, self.target)


def check_name(name: str) -> str:
    """A name of 1 to 100 characters, trimmed."""
    value = name.strip()
    if not value or len(value) > NAME_LIMIT:
        raise InvalidInput("name", f"give a name of 1 to {NAME_LIMIT} characters")
    return value


def check_department(code: str) -> str:
    """A department filter: a non-empty code."""
    value = code.strip()
    if not value or len(value) > limits.DEPARTMENT:
        raise InvalidInput("departments", f"a department is 1 to {limits.DEPARTMENT} characters")
    return value


def check_target(format: EndpointFormat, target: str) -> str:
    """A URL for the webhook formats, e-mail addresses for e-mail."""
    if format is EndpointFormat.EMAIL:
        return ", ".join(check_addresses(target))
    return check_url(target)


def check_url(url: str) -> str:
    """An http(s) URL with a host, without credentials or white space, of at most 2,000."""
    value = url.strip()
    if len(value) > URL_LIMIT:
        raise InvalidInput("target", f"a URL of at most {URL_LIMIT} characters")
    if not value or any(c.isspace() or ord(c) < 32 for c in value):
        raise InvalidInput("target", "give the receiver's URL, without spaces")
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018  # raises on a port that is not a number
        if host:
            host.encode("idna")  # raises on a host no DNS could hold (empty labels…)
    except ValueError:
        raise InvalidInput("target", "not a URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidInput("target", "the URL must start with https:// (or http://)")
    if not host:
        raise InvalidInput("target", "the URL names no host")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(
            "target", "the URL must not hold a user or password; Huiyin signs what it sends"
        )
    return value


def check_addresses(text: str) -> list[str]:
    """Comma-separated e-mail addresses (1 to 20), each checked."""
    addresses = list(dict.fromkeys(a.strip() for a in text.split(",") if a.strip()))
    if not addresses:
        raise InvalidInput("target", "give one or more e-mail addresses, comma-separated")
    if len(addresses) > ADDRESSES:
        raise InvalidInput("target", f"at most {ADDRESSES} addresses")
    for address in addresses:
        if len(address) > ADDRESS_LIMIT or not _ADDRESS.fullmatch(address):
            raise InvalidInput("target", f"{address[:60]!r} is not an e-mail address")
    return addresses


def shown_target(format: EndpointFormat, target: str) -> str:
    """What of a target may be shown: a URL without its query and fragment."""
    if format is EndpointFormat.EMAIL:
        return target
    parts = urlsplit(target)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def check_audience(audience: Role, departments: Iterable[str], tiers: Iterable[Tier]) -> None:
    """A staff role; a department's needs its departments, a supervisor's its tiers."""
    if audience not in AUDIENCES:
        roles = ", ".join(sorted(r.value for r in AUDIENCES))
        raise InvalidInput("audience", f"an endpoint speaks for a staff office: one of {roles}")
    if audience is Role.DEPARTMENT and not tuple(departments):
        raise InvalidInput("departments", "a department's endpoint names its departments")
    if audience is Role.SUPERVISOR and not tuple(tiers):
        raise InvalidInput("tiers", "a supervisor's endpoint names the tiers they supervise")


def may_receive_personal_data(audience: Role) -> bool:
    """Whether an endpoint speaking for `audience` could be shown who some case names."""
    return any(
        POLICY[permission].grants.get(audience, frozenset()) - _PERSONAL_REACHES
        for permission in IDENTITY_PERMISSIONS
    )


def check_secret(format: EndpointFormat, secret: str | None) -> str | None:
    """The secret to keep: a standard endpoint's (a new one if none is given), a DingTalk
    robot's (optional); WeCom and e-mail take none."""
    value = secret.strip() if secret is not None else None
    if format is EndpointFormat.STANDARD:
        return new_secret() if not value else _standard_secret(value)
    if format is EndpointFormat.DINGTALK:
        if value and (not value.startswith(DINGTALK_PREFIX) or len(value) > 200):
            raise InvalidInput(
                "secret", "a DingTalk robot's secret starts with SEC (加签 in its settings)"
            )
        return value or None
    if value:
        where = "its key is in the URL" if format is EndpointFormat.WECOM else "none is used"
        raise InvalidInput("secret", f"a {format.value} endpoint takes no secret: {where}")
    return None


def new_secret() -> str:
    """A fresh Standard Webhooks secret: `whsec_` and 24 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _standard_secret(value: str) -> str:
    if not value.startswith(SECRET_PREFIX):
        raise InvalidInput("secret", "a Standard Webhooks secret starts with whsec_")
    try:
        key = base64.b64decode(value.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("secret", "after whsec_ comes base64") from None
    if not 24 <= len(key) <= 64:
        raise InvalidInput("secret", "the secret must hold 24 to 64 bytes")
    return value


def _unique(values: Iterable[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(values))
