"""Domain errors: what the rules refuse, in words a user can act on."""

from __future__ import annotations

from uuid import UUID


class DomainError(Exception):
    """A rule of the domain refused a command; nothing was recorded."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """A value given to a command breaks a rule about that value."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class ActionNotAllowed(DomainError):
    """The action is not allowed in the current state of the appeal (or meeting, item...)."""

    def __init__(
        self, action: str, state: str, detail: str = "", *, subject: str = "appeal"
    ) -> None:
        text = f"cannot {action} {_article(subject)} {subject} that is {state}"
        super().__init__(f"{text}: {detail}" if detail else text)
        self.action = action
        self.state = state
        self.subject = subject


class PersonErased(DomainError):
    """The person a case is about asked to be forgotten (their data key was destroyed):
    nothing personal can be recorded for them any more."""


class NotPermitted(DomainError):
    """The actor may not perform this action on this case."""


class Unauthenticated(DomainError):
    """The credentials do not name anyone allowed in now (unknown, revoked, expired, or a
    role the directory no longer gives)."""


class NotFound(DomainError):
    """No case with this identity exists (or existed at the time asked for)."""


class StaleVersion(DomainError):
    """The client acted on a version of the case that is no longer current."""

    def __init__(self, expected: int, actual: int, *, subject: str = "appeal") -> None:
        super().__init__(
            f"the {subject} is at version {actual}, not the version {expected} the request expected"
            if expected >= 0
            else f'a weak ETag never matches: send the {subject}\'s ETag as it is, now "{actual}"'
        )
        self.expected = expected
        self.actual = actual
        self.subject = subject


class ConcurrentWrite(DomainError):
    """Another command changed the case at the same moment; retry on the new version."""

    def __init__(self, message: str, case_id: UUID | None = None) -> None:
        super().__init__(message)
        self.case_id = case_id


class KeyReused(DomainError):
    """An idempotency key sent again with a different request than the one it was first
    used for: the client mixed up its keys, and answering either request would be wrong."""


class RepeatParticipants(InvalidInput):
    """Inviting people a talk of the same tier already reached, without an override reason."""

    def __init__(self, people: list[str], message: str) -> None:
        super().__init__("participants", message)
        self.people = people


def _article(noun: str) -> str:
    return "an" if noun[:1] in "aeiou" else "a"
