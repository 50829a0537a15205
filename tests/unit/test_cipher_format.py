"""Events encrypted before the switch to the `cryptography` package still decrypt."""

from __future__ import annotations

import base64

from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

KEY = "q7B0mC5l7vQ0y2b7rV7l3o0H9zJ3m8y1n4c6x2k5p0s="

#: "王建国 E10234", encrypted under KEY by eventsourcing.cipher.AESCipher (pycryptodome),
#: the cipher Huiyin used before: nonce ‖ tag ‖ ciphertext.
PYCRYPTODOME_CIPHERTEXT = "jsYz+gqJM7qtBkSuvzR7zbYrdoKjAYOyA7yB6X3lSIez3l2mBtxN15ra0Fk="


def test_a_stored_event_from_the_earlier_cipher_decrypts_with_the_current_one() -> None:
    cipher = AESCipher(Environment("huiyin", {"CIPHER_KEY": KEY}))

    plaintext = cipher.decrypt(base64.b64decode(PYCRYPTODOME_CIPHERTEXT))

    assert plaintext.decode() == "王建国 E10234"


def test_the_current_cipher_writes_the_same_layout_nonce_tag_ciphertext() -> None:
    cipher = AESCipher(Environment("huiyin", {"CIPHER_KEY": KEY}))

    stored = cipher.encrypt(b"x" * 10)

    assert len(stored) == 12 + 16 + 10
    assert cipher.decrypt(stored) == b"x" * 10
