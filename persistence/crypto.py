"""Encryption at rest: AES-256-GCM with named keys, for personal-data columns and checkpoints.

Every ciphertext names the key that made it, so keys rotate: new writes use the current key,
older ones still decrypt while their key is configured. Columns use :class:`EncryptedText`,
which encrypts on the way in and decrypts on the way out, so the code above it only ever sees
plaintext. The process's cipher is set once at start-up with :func:`configure`; using an
encrypted column before that is an error, never plaintext.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Dialect, LargeBinary, Text
from sqlalchemy.types import TypeDecorator

from persistence.keyfiles import kept_secret
from settings import Settings

KID = re.compile(r"[A-Za-z0-9_-]{1,32}")
PREFIX = "enc1"  # the format's version: enc1:<kid>:<base64 nonce|tag|ciphertext>
NONCE_BYTES = 12
TAG_BYTES = 16
DEFAULT_KID = "default"


class KeyRingCipher:
    """AES-256-GCM with keys by id; also a LangGraph ``CipherProtocol`` for checkpoints."""

    def __init__(self, keys: Mapping[str, bytes], current: str) -> None:
        if current not in keys:
            raise ValueError(f"the current encryption key {current!r} is not among the keys")
        for kid, key in keys.items():
            if not KID.fullmatch(kid):
                raise ValueError(f"encryption key id {kid!r}: use letters, digits, - and _")
            if len(key) != 32:
                raise ValueError(f"encryption key {kid!r} must be 32 bytes (base64 of 32 bytes)")
        self.current = current
        # One AESGCM per key: building a cipher is most of the cost of a short message.
        self._aes = {kid: AESGCM(key) for kid, key in keys.items()}

    # --- bytes, as LangGraph's EncryptedSerializer wants them ---------------------------------

    def encrypt(self, plaintext: bytes) -> tuple[str, bytes]:
        """(cipher name naming the key, nonce + tag + ciphertext)."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aes[self.current].encrypt(nonce, plaintext, None)  # ciphertext + tag
        return f"aesgcm-{self.current}", nonce + sealed[-TAG_BYTES:] + sealed[:-TAG_BYTES]

    def decrypt(self, ciphername: str, ciphertext: bytes) -> bytes:
        kid = ciphername.removeprefix("aesgcm-")
        if kid not in self._aes:
            raise KeyError(f"data was encrypted with key {kid!r}, which is not configured")
        nonce = ciphertext[:NONCE_BYTES]
        tag = ciphertext[NONCE_BYTES : NONCE_BYTES + TAG_BYTES]
        body = ciphertext[NONCE_BYTES + TAG_BYTES :]
        try:
            return self._aes[kid].decrypt(nonce, body + tag, None)
        except InvalidTag:
            raise ValueError(
                f"an encrypted value failed its integrity check (key {kid!r}): it was altered, "
                "or that key id now names a different key"
            ) from None

    # --- text, for columns ---------------------------------------------------------------------

    def encrypt_text(self, text: str) -> str:
        name, data = self.encrypt(text.encode())
        return f"{PREFIX}:{name.removeprefix('aesgcm-')}:{base64.b64encode(data).decode()}"

    def decrypt_text(self, token: str) -> str:
        prefix, kid, data = token.split(":", 2)
        if prefix != PREFIX:
            raise ValueError("not an encrypted value")
        return self.decrypt(f"aesgcm-{kid}", base64.b64decode(data)).decode()

    # --- bytes, for binary columns (no base64: files are large) -------------------------------

    def encrypt_bytes(self, data: bytes) -> bytes:
        name, sealed = self.encrypt(data)
        return f"{PREFIX}:{name.removeprefix('aesgcm-')}:".encode() + sealed

    def decrypt_bytes(self, token: bytes) -> bytes:
        prefix, kid, sealed = token.split(b":", 2)
        if prefix.decode() != PREFIX:
            raise ValueError("not an encrypted value")
        return self.decrypt(f"aesgcm-{kid.decode()}", sealed)


_cipher: KeyRingCipher | None = None


def configure(cipher: KeyRingCipher) -> None:
    """Set the process's cipher (at start-up, before the database is used)."""
    global _cipher
    _cipher = cipher


def current_cipher() -> KeyRingCipher:
    if _cipher is None:
        raise RuntimeError("encryption keys are not configured: call persistence.crypto.configure")
    return _cipher


def cipher_from_settings(settings: Settings) -> KeyRingCipher:
    """ATELIER_ENCRYPTION_KEYS with ATELIER_ENCRYPTION_KID; else one key generated once and
    kept under the data directory (production refuses that)."""
    if settings.encryption_keys:
        keys = {
            kid: base64.b64decode(key.get_secret_value())
            for kid, key in settings.encryption_keys.items()
        }
        return KeyRingCipher(keys, settings.encryption_kid or DEFAULT_KID)
    kept = kept_secret(settings.data_dir / "encryption_key", new_key)
    return KeyRingCipher({DEFAULT_KID: base64.b64decode(kept)}, DEFAULT_KID)


def new_key() -> str:
    """A fresh key for ATELIER_ENCRYPTION_KEYS: base64 of 32 random bytes."""
    return base64.b64encode(os.urandom(32)).decode()


class EncryptedText(TypeDecorator[str]):
    """A text column stored encrypted (personal data: names, e-mails, phones, briefs)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else current_cipher().encrypt_text(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else current_cipher().decrypt_text(value)


class EncryptedBytes(TypeDecorator[bytes]):
    """A binary column stored encrypted (files a customer sent, and what was made from them)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        return None if value is None else current_cipher().encrypt_bytes(value)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        return None if value is None else current_cipher().decrypt_bytes(bytes(value))
