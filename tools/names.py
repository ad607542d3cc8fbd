"""Matching the names people type (misspelt, partial, any case) against names that exist."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from tools.errors import NotFound

SIMILARITY_CUTOFF = 0.6


def _key(name: str) -> str:
    stem = name.rsplit(".", 1)[0] if name.lower().endswith(".xlsx") else name
    return " ".join(stem.lower().replace("_", " ").replace("-", " ").split())


def resolve_name(wanted: str, candidates: Iterable[str], what: str) -> str:
    """The candidate ``wanted`` means: an exact match (ignoring case and ``.xlsx``), then the
    one candidate that contains it, then the closest spelling. NotFound names the options."""
    options = list(candidates)
    by_key: dict[str, list[str]] = {}
    for option in options:
        by_key.setdefault(_key(option), []).append(option)
    key = _key(wanted)
    if key in by_key and len(by_key[key]) == 1:
        return by_key[key][0]
    containing = [o for o in options if key and key in _key(o)]
    if len(containing) == 1:
        return containing[0]
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=SIMILARITY_CUTOFF)
    if close and len(by_key[close[0]]) == 1:
        return by_key[close[0]][0]
    known = ", ".join(sorted(options)[:10]) or "none"
    raise NotFound(f"no {what} matches {wanted!r}; known: {known}")
