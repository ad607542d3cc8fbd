"""Text as the database can always store it."""

from __future__ import annotations

import re

MAX_ERROR_CHARS = 2000
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def storable_error(error: str) -> str:
    """``error`` as the orders table can always store it: no NUL (PostgreSQL refuses it in text,
    so the save that records a failure would itself fail and strand the order), no other
    control character, no unpaired surrogate (not UTF-8), and not longer than MAX_ERROR_CHARS.

    The callers already pass texts of their own making (graphs/order/nodes.py); this is the
    last line, for whatever caller forgets."""
    return _UNSTORABLE.sub("\ufffd", error)[:MAX_ERROR_CHARS]
