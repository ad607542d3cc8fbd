"""The encryption keys every test process uses (a test and the subprocess it starts must read
each other's rows), and the second key that rotation tests switch to."""

from __future__ import annotations

from persistence import crypto
from persistence.crypto import KeyRingCipher

OLD_KEY = bytes(range(32))
NEW_KEY = bytes(range(32, 64))
TEST_CIPHER = KeyRingCipher({"test-1": OLD_KEY}, "test-1")


def use_test_keys() -> None:
    crypto.configure(TEST_CIPHER)
