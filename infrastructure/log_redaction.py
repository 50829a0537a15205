"""What Huiyin's logs may not carry: the rules that take personal data and secrets out of a
request target (path and query string) and out of any text (messages, tracebacks).

Logs go to operators, log shippers and tickets, so under PIPL they carry no personal data
and no secrets. What can be recognised is replaced by `[redacted]`:

- Paths: a route's path parameter is shown only if SHOWN_PATH_PARAMETERS names it and its
  value has the harmless shape given there (a case's UUID, a month, a tier). Anything else —
  the anonymous appellant's receipt code in `/receipts/{code}`, a "case id" that is really
  someone's name — is hidden. A path no route declares keeps only its first segment, and
  that only if some route starts with it.
- Query strings: an allow-list, not a block-list. Values are shown only for the harmless
  filters and paging parameters in SHOWN_QUERY_PARAMETERS; every other value is hidden —
  `actor` (an employee number), a token or receipt code sent by mistake, a parameter some
  later route adds before anyone has thought about it. A careful reader of logs loses a
  filter value now and then; a careless block-list leaks a person. The names the API
  declares stay visible (the log still says *that* the audit trail was filtered by actor);
  names it does not declare are hidden too, since a client can put anything there.
- Any text: Huiyin's bearer tokens (`hy_…`), `Bearer …`, Authorization and Cookie header
  values, anything assigned to a password, secret, token or key, the password of a URL,
  receipt codes in the forms the service accepts, mainland mobile and resident identity
  numbers, the row values PostgreSQL quotes in its error details, and every secret value the
  process was configured with (`keep_out_of_logs`: the cipher key, the database password).

Names and employee numbers in free text have no shape to recognise; they stay out of the
logs because the service never logs request bodies, and logs route templates and ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple
from urllib.parse import unquote_plus

REDACTED = "[redacted]"

#: Query parameters whose values are shown: paging, positions, times, and filters over
#: closed sets or the organisation's own departments and case ids. Nothing here names,
#: numbers or authenticates a person.
SHOWN_QUERY_PARAMETERS = frozenset(
    {
        "after",
        "as_of",
        "case_id",
        "case_type",
        "category",
        "channel",
        "cursor",  # base64 of a time and a case id
        "department",
        "dry_run",
        "event_type",
        "figure",
        "format",
        "from",
        "group_by",
        "kind",
        "limit",
        "meeting_id",
        "min_transfers",
        "overdue",
        "include_removed",
        "part",
        "period",
        "population",
        "position",
        "since",
        "status",
        "subject_type",
        "tier",
        "to",
        "version",
    }
)

#: Query parameters the API declares whose values are hidden: `actor` is a person id (an
#: employee number), `link` a printed chain head no log reader needs.
HIDDEN_QUERY_PARAMETERS = frozenset({"actor", "link"})

_UUID = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"

#: Path parameters shown in logs, each only when its value has this shape.
SHOWN_PATH_PARAMETERS: Mapping[str, re.Pattern[str]] = {
    **{
        name: re.compile(_UUID)
        for name in (
            "appeal_id",
            "card_id",
            "case_id",
            "competition_id",
            "delivery_id",
            "disclosure_id",
            "endpoint_id",
            "erasure_id",
            "item_id",
            "meeting_id",
            "penalty_id",
            "proposal_id",
            "review_id",
        )
    },
    "month": re.compile(r"\d{4}-\d{2}"),
    "tier": re.compile(r"[a-z_]{1,40}"),
    # A department's code or name (percent-encoded): the organisation's, not a person's.
    "department": re.compile(r"[^/]{1,300}"),
}

#: Path parameters the API declares whose values are hidden. `code` is the anonymous
#: appellant's receipt code in `/receipts/{code}`; department codes in
#: `/directory/departments/{code}` share the name and are hidden with it (admin commands).
HIDDEN_PATH_PARAMETERS = frozenset({"code", "subject"})  # a receipt code; a person's id


def redact_query(query: str) -> str:
    """The query string with hidden values (and undeclared names) replaced."""
    fields = []
    for field in query.split("&"):
        raw_name, equals, value = field.partition("=")
        name = unquote_plus(raw_name)
        hidden_value = REDACTED if value else ""
        if not field or name in SHOWN_QUERY_PARAMETERS:
            fields.append(field)
        elif name in HIDDEN_QUERY_PARAMETERS or name == REDACTED:
            fields.append(f"{raw_name}{equals}{hidden_value}")
        else:
            fields.append(f"{REDACTED}{equals}{hidden_value}")
    return "&".join(fields)


class PathRedaction:
    """Redacts paths by the route templates an app declares (`/receipts/{code}` …)."""

    def __init__(self, templates: Iterable[str]) -> None:
        # By segment count and first segment: a path is compared with a handful of routes.
        self._routes: dict[tuple[int, str], list[_Route]] = {}
        self._collections: set[str] = set()
        for template in templates:
            route = _Route(template.split("/"))
            first = route.segments[1] if len(route.segments) > 1 else ""
            key = "{" if "{" in first else first
            self._routes.setdefault((len(route.segments), key), []).append(route)
            if key != "{":
                self._collections.add(first)

    def __call__(self, path: str) -> str:
        """`path` with every segment that is not known to be harmless replaced."""
        if not path.startswith("/"):
            return REDACTED
        segments = path.split("/")
        first = segments[1]
        for key in ((len(segments), first), (len(segments), "{")):
            for route in self._routes.get(key, ()):
                if route.matches(segments):
                    return route.shown(segments)
        kept = first if not first or first in self._collections else REDACTED
        return "/".join(["", kept, *(s and REDACTED for s in segments[2:])])


class _Route:
    """One path template: its fixed segments by position, and its parameters'."""

    def __init__(self, segments: list[str]) -> None:
        self.segments = segments
        self.fixed = [(i, s) for i, s in enumerate(segments) if "{" not in s]
        self.parameters = [
            (i, SHOWN_PATH_PARAMETERS.get(s.strip("{}").split(":")[0]))
            for i, s in enumerate(segments)
            if "{" in s
        ]

    def matches(self, segments: list[str]) -> bool:
        """Whether a path of as many segments fits this template."""
        return all(segments[i] == fixed for i, fixed in self.fixed)

    def shown(self, segments: list[str]) -> str:
        """The path with each parameter shown only if it has its harmless shape."""
        shown = list(segments)
        for i, shape in self.parameters:
            if shape is None or not shape.fullmatch(segments[i]):
                shown[i] = REDACTED
        return "/".join(shown)


def redact_target(target: str, paths: PathRedaction) -> str:
    """A request target (`path?query`) as an access log may show it."""
    path, question, query = target.partition("?")
    return redact_text(paths(path) + question + redact_query(query))


_ALNUM = "0-9A-Za-z"
_RECEIPT = "A-HJ-NP-Z2-9"  # the receipt codes' alphabet (application.casework)


class _Rule(NamedTuple):
    """A pattern and its replacement, tried only on text holding one of its triggers (in
    lower case; none: always), since most log lines hold nothing to redact."""

    pattern: re.Pattern[str]
    replacement: str | Callable[[re.Match[str]], str]
    triggers: tuple[str, ...] = ()

    def applies_to(self, lowered: str) -> bool:
        """Whether the text (in lower case) holds a trigger (a loop: any() costs more)."""
        for trigger in self.triggers:
            if trigger in lowered:
                return True
        return not self.triggers


#: The rules applied in order to every text a log record carries.
_TEXT_RULES = [
    # PostgreSQL quotes row values in its error details.
    _Rule(
        re.compile(r"(Key \([^)\n]*\)=)\([^\n]*?\)(?= (?:already exists|is not present|is still))"),
        rf"\1({REDACTED})",
        ("key (",),
    ),
    _Rule(re.compile(r"(Failing row contains )\([^\n]*\)"), rf"\1({REDACTED})", ("failing row",)),
    _Rule(
        re.compile(r"(invalid input (?:syntax|value) for [^:\n]*: )\"[^\"\n]*\""),
        rf'\1"{REDACTED}"',
        ("invalid input",),
    ),
    # The password of any URL: postgresql://user:password@host/db.
    _Rule(
        re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@'\"]*:)[^\s@/'\"]+@"),
        rf"\1{REDACTED}@",
        ("://",),
    ),
    # Anything assigned to a password, secret, token or key (conninfo, settings, reprs).
    _Rule(
        re.compile(
            r"(?i)(\b\w*(?:password|passwd|secret|token|api[_-]?key|cipher[_-]?key)"
            r"[\"']?\s*[:=]\s*[\"']?)(?!\[redacted\])[^\s\"'&,;)}\]]+"
        ),
        rf"\1{REDACTED}",
        ("passw", "secret", "token", "key"),
    ),
    # Header values that authenticate, however they are printed.
    _Rule(
        re.compile(
            r"(?i)\b((?:proxy-)?authorization|(?:set-)?cookie|x-api-key)"
            r"([\"']?\s*[:=,]\s*(?:(?-i:b)?[\"'])?)[^\"'\r\n]+"
        ),
        rf"\1\2{REDACTED}",
        ("authorization", "cookie", "x-api-key"),
    ),
    _Rule(re.compile(r"(?i)\b(bearer)\s+[^\s\"',;]+"), rf"\1 {REDACTED}", ("bearer",)),
    # Huiyin's own tokens (infrastructure.store).
    _Rule(re.compile(r"\bhy_[A-Za-z0-9_-]{8,}"), f"hy_{REDACTED}", ("hy_",)),
    _Rule(re.compile(r"(/receipts/)(?!\{code\})[^/\s?#\"'<>]+"), rf"\1{REDACTED}", ("/receipts/",)),
    # Receipt codes dashed, in either case (as typed).
    _Rule(
        re.compile(
            rf"(?i)(?<![{_ALNUM}])[{_RECEIPT}]{{4}}(?:-[{_RECEIPT}]{{4}}){{3}}(?![{_ALNUM}])"
        ),
        REDACTED,
        ("-",),
    ),
    _Rule(
        re.compile(r"\?([^\s\"'<>#?]*=[^\s\"'<>#]*)"), lambda m: "?" + redact_query(m[1]), ("?",)
    ),
    # In one pass: receipt codes run together or spaced in capitals, mainland mobile numbers
    # (+86 138 0000 1234), resident identity numbers (18 digits).
    _Rule(
        re.compile(
            rf"(?<![{_ALNUM}+])(?:"
            rf"[{_RECEIPT}]{{4}}(?: ?[{_RECEIPT}]{{4}}){{3}}"
            rf"|(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{{4}}[- ]?\d{{4}}"
            rf"|[1-9]\d{{5}}(?:19|20)\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{{3}}[\dXx]"
            rf")(?![{_ALNUM}])"
        ),
        REDACTED,
    ),
]

#: Secret values this process was configured with, longest first.
_secrets: list[str] = []

#: Shorter values are not searched for: they would hide ordinary words.
SHORTEST_SECRET = 6


def keep_out_of_logs(*values: str) -> None:
    """Adds configured secret values (the cipher key, a database password) to those every
    log text is searched for, wherever they appear."""
    found = {value for value in values if len(value) >= SHORTEST_SECRET}
    _secrets[:] = sorted(found.union(_secrets), key=len, reverse=True)


def redact_text(text: str) -> str:
    """`text` without the secrets and personal values described above."""
    for secret in _secrets:  # first: another rule could rewrite part of a secret
        text = text.replace(secret, REDACTED)
    lowered = text.lower()  # replacing never adds a trigger, so one look serves every rule
    for rule in _TEXT_RULES:
        if rule.applies_to(lowered):
            text = rule.pattern.sub(rule.replacement, text)
    return text
