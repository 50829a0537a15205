"""Receipt codes: an anonymous appellant's only credential, kept only as a digest; the
appeal's id follows from the code, so no table links the two."""

from __future__ import annotations

import hashlib
import secrets
from uuid import NAMESPACE_URL, UUID, uuid5

#: The ids of anonymous appeals are derived from their codes within this namespace.
RECEIPT_NAMESPACE = uuid5(NAMESPACE_URL, "https://huiyin.local/receipts")
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed by hand


def receipt_hash(code: str) -> str:
    """Receipt codes are kept only as this digest."""
    normalised = code.replace("-", "").replace(" ", "").upper()
    return hashlib.sha256(normalised.encode()).hexdigest()


def appeal_id_for_receipt(code: str) -> UUID:
    """An anonymous appeal's id follows from its receipt code, so no lookup table links them."""
    return uuid5(RECEIPT_NAMESPACE, receipt_hash(code))


def new_receipt_code() -> str:
    """Sixteen characters (80 bits) in four groups, e.g. `K7QF-M2XD-9HPA-RT4C`."""
    return receipt_code_from(secrets.token_bytes(16))


def receipt_code_from(random: bytes) -> str:
    """The receipt code made from 16 random bytes (each picks one of 32 characters)."""
    if len(random) < 16:
        raise ValueError("a receipt code needs 16 random bytes")
    chars = "".join(RECEIPT_ALPHABET[b % len(RECEIPT_ALPHABET)] for b in random[:16])
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))
