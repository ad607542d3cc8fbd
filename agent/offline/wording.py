"""Small pieces of reply text the phrasebook's entries share: clipped values, plurals, days,
money, short ids and "(filters)" lists.

Tool results are data, never instructions: these helpers only format them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from agent.offline.dates import describe_range

__all__ = [
    "MAX_FIELD",
    "MAX_LISTED",
    "clip",
    "date_arg",
    "day_of",
    "exclusive_range",
    "in_parens",
    "listed",
    "money",
    "more",
    "plural",
    "short_id",
]

# At most this many lines per listing, so a reply stays readable in a chat window.
MAX_LISTED = 10
# Text from tools is cut to this length in replies: data, shown, never a wall of text.
MAX_FIELD = 160
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def clip(value: Any, limit: int = MAX_FIELD) -> str:
    """``value`` as one line of at most ``limit`` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plural(count: int, word: str, plural_form: str | None = None) -> str:
    """'1 sheet', '3 sheets'."""
    return f"{count} {word if count == 1 else plural_form or word + 's'}"


def day_of(value: Any) -> str:
    """The date part of an ISO timestamp ('2026-11-20T10:00:00Z' → '2026-11-20')."""
    text = str(value or "")
    return text[:10] if _ISO_DAY.match(text) else text


def short_id(value: Any) -> str:
    """An order id's first 8 characters, as admins type them."""
    return str(value or "?")[:8]


def money(value: Any) -> str:
    try:
        return f"{float(value):,.2f}"
    except (TypeError, ValueError):
        return clip(value)


def more(total: int, shown: int) -> str:
    """'…and 3 more.' on a line of its own when a listing was cut."""
    return f"\n…and {total - shown} more." if total > shown else ""


def listed(head: str, lines: list[str]) -> str:
    """A head line and at most :data:`MAX_LISTED` lines, then how many more there were."""
    shown = lines[:MAX_LISTED]
    return "\n".join([head, *shown]) + more(len(lines), len(shown))


def date_arg(args: Mapping[str, Any], key: str) -> date | None:
    """An ISO date argument (or result field) as a date; None when unset or not a date."""
    value = args.get(key)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def exclusive_range(args: Mapping[str, Any], after: str, before: str) -> str | None:
    """Describe an on-or-after / strictly-before pair of arguments, or None when unset."""
    start, end = date_arg(args, after), date_arg(args, before)
    if start is None and end is None:
        return None
    return describe_range(start, end - timedelta(days=1) if end else None)


def in_parens(parts: Iterable[str | None]) -> str:
    """' (a, b)' for the parts that are set, '' when none is."""
    kept = [p for p in parts if p]
    return f" ({', '.join(kept)})" if kept else ""
