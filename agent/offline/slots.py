"""Slots: everything in a command that a tool parameter might want, taken out of its text.

:func:`extract_slots` reads, in this order: quoted names, emails and order ids, name filters
("with price in the name"), reviewer feedback, versions, dates and limits, group-by, status,
kind, event and source words, then names after cue words ("named", "from the X template", "in
the ... folder", read by :mod:`agent.offline.names`). Each span found is masked in the
:class:`~agent.offline.text.CommandText`, so later stages do not read it twice (a folder called
"Orders" is not a request for orders).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from agent.offline.dates import DateRange, find_dates
from agent.offline.names import Mention, take_name_filter, take_names, take_quoted
from agent.offline.text import MASK, CommandText, word_list

__all__ = [
    "EVENTS",
    "GROUPS",
    "KINDS",
    "ORDINALS",
    "SOURCES",
    "SOURCE_RE",
    "STATUSES",
    "Mention",
    "Slots",
    "extract_slots",
]


# --------------------------------------------------------------------------- ids, numbers, keywords

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_UUID_RE = re.compile(
    r"(?<![\w-])[0-9a-f]{8}(?:-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]*)(?![\w-])"
)
_ORDER_REF_RE = re.compile(
    r"\b(?:order|#)\s*(?:id\s*|number\s*|no\.?\s*)?(?::\s*)?#?\s*(?P<id>[0-9a-f][0-9a-f-]{0,35})\b"
)
ORDINALS = word_list("first second third fourth fifth sixth seventh eighth ninth tenth")
_VERSION_RE = re.compile(
    r"\b(?:(?:version|ver\.?|rev(?:ision)?|v)\s*#?\s*(?P<n>\d{1,3})"
    r"|(?:the\s+)?(?P<o>" + "|".join(ORDINALS) + r"|\d{1,3}(?:st|nd|rd|th))\s+"
    r"(?:design\s+)?(?:version|draft|revision|design))\b"
)
_SMALL_NUMBERS = {
    word: number
    for number, word in enumerate(
        word_list("zero one two three four five six seven eight nine ten eleven twelve")
    )
}
_NUM = r"(?:\d{1,3}|" + "|".join(_SMALL_NUMBERS) + r")"
_LISTED = r"(?:sheets?|spreadsheets?|workbooks?|orders?|files?|results?|items?|ones?|entries)"
_RECENT = (
    r"(?:recent(?:ly)?(?:\s+(?:modified|changed|updated|edited|created|added|made|placed))?|"
    r"latest|newest)"
)
_LIMIT_RES: tuple[re.Pattern[str], ...] = (
    re.compile(
        rf"\b(?:top|first|latest|newest|last|only|just|max(?:imum)?|up\s+to)\s+(?P<n>{_NUM})\b"
    ),
    re.compile(rf"\blimit(?:\s+it|\s+them|\s+results)?(?:\s+to)?\s+(?P<n>{_NUM})\b"),
    # "the 2 most recently modified", "three newest", "5 of the latest"
    re.compile(rf"\b(?P<n>{_NUM})\s+(?:of\s+the\s+)?(?:most\s+)?{_RECENT}\b"),
    re.compile(rf"\b(?:show|list|give|find|get)\s+(?:me\s+)?(?P<n>{_NUM})\s+{_LISTED}\b"),
    # "which 2 sheets", "the 3 failed orders": a count right before what is listed.
    re.compile(rf"(?<![\w.,/-])(?P<n>{_NUM})\s+(?:[a-z]+\s+)?{_LISTED}\b"),
)
# "the latest sheet", "the most recently modified order", "the newest one": one item. Only
# the singular: "the latest sheets" asks for no count.
_ONE_RE = re.compile(
    r"\b(?:(?:the\s+)?(?:very\s+)?(?:latest|newest|last|most\s+"
    + _RECENT
    + r"|last\s+(?:modified|changed|updated|edited|created|added|made|placed)))\s+"
    r"(?:(?:excel\s+|google\s+)?(?:sheet|spreadsheet|workbook|file|document|image|order|one))"
    r"(?![\w-])|\b(?:which|what)\s+(?:sheet|spreadsheet|workbook|file|document|image|order)\s+"
    r"(?:was\s+|got\s+|has\s+been\s+)?(?:modified|changed|updated|edited|created|added|placed)"
    r"\s+(?:last|most\s+recently)\b"
)
_GROUP_WORDS: dict[str, str] = {
    "product": "product products item items design designs",
    "status": "status statuses state states",
    "customer": "customer customers client clients buyer buyers",
    "day": "day days date dates",
}
_GROUP_RE = re.compile(
    r"\b(?:group(?:ed)?\s+by|grouping\s+by|broken\s+down\s+by|break(?:\s*down)?\s+by|"
    r"split\s+by|sorted\s+by|by|per|for\s+each|each)\s+(?P<g>"
    + "|".join(w for words in _GROUP_WORDS.values() for w in words.split())
    + r")\b|\b(?P<daily>daily|day\s+by\s+day)\b"
)
# An explicit grouping summaries cannot do ("grouped by colour"): refused, not ignored.
_OTHER_GROUP_RE = re.compile(
    r"\b(?:group(?:ed)?\s+by|grouping\s+by|broken\s+down\s+by|break(?:\s*down)?\s+by|"
    r"split\s+by)\s+(?:the\s+)?(?P<g>[a-z]+)"
)
_STATUS_WORDS: tuple[tuple[str, str], ...] = (  # status, regex; the first that matches wins
    (
        "awaiting_approval",
        r"awaiting(?:\s+(?:approval|review|sign[\s-]?off))?|"
        r"waiting\s+(?:for\s+)?(?:approval|review|sign[\s-]?off)|pending(?:\s+(?:approval|review))?|"
        r"needs?\s+(?:approval|review)|for\s+(?:approval|review)|in\s+review|under\s+review|"
        r"to\s+(?:approve|review)|unapproved",
    ),
    ("failed", r"failed|failing|errored|erroring|broken|crashed|stuck"),
    ("processing", r"processing|in\s+progress|in\s+production|running|underway|being\s+made"),
    (
        "completed",
        # "a complete summary" is a whole one, not one of completed orders.
        r"completed|complete(?!\s+(?:summary|summaries|report|breakdown|list|listing|overview|"
        r"set|history|view|sheet|picture|rundown))|finished|fulfilled|approved|done",
    ),
    ("cancelled", r"cancell?ed"),
    ("received", r"received|queued|new(?=\s+orders?\b)"),
)
_STATUS_RES = tuple((status, re.compile(rf"\b(?:{words})\b")) for status, words in _STATUS_WORDS)
_KIND_RES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rf"\b(?:{words})\b"))
    for kind, words in (
        ("image", r"images?|pictures?|photos?|pngs?|jpe?gs?"),
        ("document", r"documents?|docs?|pdfs?|text\s+files?"),
        ("folder", r"folders|sub-?folders?|directories"),
        ("sheet", r"sheets|spreadsheets|workbooks|xlsx|excel\s+files"),
    )
)
_EVENT_RE = re.compile(
    r"\b(?P<ready>design\s+(?:is\s+)?ready|ready\s+for\s+review|(?:new\s+)?proof|"
    r"(?:new\s+)?design)\b|\b(?P<done>completed?|finished|done|shipped|delivered|"
    r"ready\s+for\s+pickup)\b"
)
# Summary sources. "orders" alone is just the subject ("a summary of orders"), and orders are
# the default source anyway: only the database named outright, or "both", adds it.
SOURCE_RE = re.compile(
    r"\b(?:(?P<both>orders\s+and\s+(?:the\s+)?(?:order\s+)?workbooks|workbooks\s+and\s+"
    r"(?:the\s+)?orders|both(?:\s+sources)?)|(?P<workbooks>(?:order\s+)?workbooks|excel\s+files|"
    r"spreadsheets)|(?P<orders>database|orders?\s+table))\b"
)
# The values these slots take, which the phrasebook checks against the tools' enums.
STATUSES = frozenset(status for status, _ in _STATUS_WORDS)
GROUPS = frozenset(_GROUP_WORDS)
KINDS = frozenset(kind for kind, _ in _KIND_RES)
EVENTS = frozenset(("design_ready", "order_completed"))
SOURCES = frozenset(("orders", "workbooks"))


_FEEDBACK_RE = re.compile(
    r"(?:\bbecause\b|\bsaying\b|\bwith\s+(?:the\s+)?(?:feedback|comments?|notes?|message|reason)"
    r"\b\s*:?|\b(?:feedback|reason|comments?|changes?)\s*:|:|\s[-–—]\s)\s*(?P<f>.+)$"
)


# --------------------------------------------------------------------------- extraction


@dataclass
class Slots:
    """Everything extracted from a command that a tool parameter might want."""

    mentions: list[Mention] = field(default_factory=list)
    dates: DateRange | None = None
    dates_inverted: bool = False
    clear_dates: bool = False
    order_id: str | None = None
    order_id_end: int | None = None
    short_order_ref: str | None = None
    email: str | None = None
    limit: int | None = None
    group_by: str | None = None
    status: str | None = None
    kind: str | None = None
    event: str | None = None
    version: int | None = None
    sources: list[str] = field(default_factory=list)
    feedback: str | None = None
    unknown_group: str | None = None

    def named(self, *cues: str) -> str | None:
        """The first mention with one of ``cues``, in cue order."""
        for cue in cues:
            for mention in self.mentions:
                if mention.cue == cue:
                    return mention.value
        return None

    def unassigned(self) -> list[str]:
        """Quoted names with no cue word: their role depends on the tool."""
        return [m.value for m in self.mentions if m.quoted and m.cue == "plain"]


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _SMALL_NUMBERS.get(word)


def _extract_ids(text: CommandText, slots: Slots) -> None:
    for match in list(text.finditer(_EMAIL_RE)):
        slots.email = slots.email or text.original[match.start() : match.end()]
        text.mask(*match.span())
    for match in list(text.finditer(_UUID_RE)):
        token = match[0]
        if any(c.isdigit() for c in token) and len(token) >= 8:
            if slots.order_id is None:
                slots.order_id, slots.order_id_end = token, match.end()
            text.mask(*match.span())
    for match in list(text.finditer(_ORDER_REF_RE)):
        token = match["id"].strip("-")
        if not any(c.isdigit() for c in token):
            continue
        if len(token) >= 8:
            if slots.order_id is None:
                slots.order_id, slots.order_id_end = token, match.end("id")
        else:
            slots.short_order_ref = token
        text.mask(*match.span("id"))


def _extract_numbers(text: CommandText, slots: Slots, today: date) -> None:
    # Versions first: "the 2nd version" must not read as "the 2nd" of this month.
    for match in list(text.finditer(_VERSION_RE)):
        raw = match["n"] or match["o"]
        if raw in ORDINALS:
            slots.version = ORDINALS.index(raw) + 1
        else:
            slots.version = int(re.sub(r"\D", "", raw))
        text.mask(*match.span())
    finding = find_dates(text.masked, today)
    slots.dates, slots.clear_dates = finding.range, finding.clear
    slots.dates_inverted = finding.inverted
    for start, end in finding.spans:
        text.mask(start, end)
    for pattern in _LIMIT_RES:
        for match in list(text.finditer(pattern)):
            number = _number(match["n"])
            if number:
                slots.limit = slots.limit or number
                text.mask(*match.span("n"))
    one = text.find(_ONE_RE)
    if one and slots.limit is None:
        slots.limit = 1


def _extract_keywords(text: CommandText, slots: Slots) -> None:
    """Group-by, status, kind, event and source words (masked: none of them is a name)."""
    match = text.find(_GROUP_RE)
    if match:
        word = match["g"] or "day"
        slots.group_by = next(k for k, words in _GROUP_WORDS.items() if word in words.split())
        # Only the group word: "breakdown" in "breakdown by day" still says "summary".
        text.mask(*match.span("g" if match["g"] else "daily"))
    else:
        other = text.find(_OTHER_GROUP_RE)
        if other:
            slots.unknown_group = other["g"]
            text.mask(*other.span())
    event = text.find(_EVENT_RE)
    if event:
        slots.event = "design_ready" if event["ready"] else "order_completed"
    for status, pattern in _STATUS_RES:
        found = text.find(pattern)
        if found and slots.status is None:
            slots.status = status
            text.mask(*found.span())
    slots.kind = next((kind for kind, pattern in _KIND_RES if text.find(pattern)), None)
    for match in list(text.finditer(SOURCE_RE)):
        wanted = ("orders", "workbooks") if match["both"] else (str(match.lastgroup),)
        slots.sources.extend(source for source in wanted if source not in slots.sources)
        if match["both"] or match["orders"]:
            # "from both the database and …" names sources, not a folder to read from.
            text.mask(*match.span())
    slots.sources.sort(key=("orders", "workbooks").index)


def _is_kind(word: str) -> bool:
    """Whether ``word`` names a kind of file ("pdfs", "images")."""
    return any(pattern.fullmatch(word) for _, pattern in _KIND_RES)


def _extract_feedback(text: CommandText, slots: Slots) -> None:
    """Reviewer feedback: the rest of the command after 'because', 'feedback:', ':' or a dash."""
    if slots.feedback is not None:
        return
    match = text.find(_FEEDBACK_RE)
    if match:
        start, end = match.span("f")
    elif slots.order_id_end is not None:
        # "don't approve 3f1c2a9e, the colours are wrong": what follows the id is the feedback.
        start, end = slots.order_id_end, len(text.masked)
    else:
        return
    value = text.take(start, end).rstrip(".")
    value = re.sub(r"^[\s,;:\-–—]*(?:(?:and|but|with|please|so)\b[\s,]*)*", "", value)
    if len(value.split()) >= 2 and MASK not in text.masked[start:end]:
        slots.feedback = value
        text.mask(start, end)


def extract_slots(text: CommandText, today: date, *, with_feedback: bool) -> Slots:
    """Every slot in ``text``, masking each span taken; relative dates resolve against
    ``today``. ``with_feedback`` reads free-text reviewer feedback too (a rejection)."""
    slots = Slots()
    slots.mentions, slots.feedback = take_quoted(text)
    _extract_ids(text, slots)
    name_filter = take_name_filter(text)
    if name_filter:
        slots.mentions.append(name_filter)
    if with_feedback:
        # Feedback is free text ("because the logo is in the wrong folder"): take it before
        # the name and date cues find things in it.
        _extract_feedback(text, slots)
    _extract_numbers(text, slots, today)
    _extract_keywords(text, slots)
    slots.mentions += take_names(text, _is_kind)
    return slots
