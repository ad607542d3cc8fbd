"""Slots: everything in a command that a tool parameter might want, taken out of its text.

:func:`extract_slots` reads, in this order: quoted names, emails and order ids, name filters
("with price in the name"), reviewer feedback, versions, dates and limits, group-by, status,
kind, event and source words, then names after cue words ("named", "from the X template", "in
the ... folder"). Each span found is masked in the :class:`~agent.text.CommandText`, so later
stages do not read it twice (a folder called "Orders" is not a request for orders).
:func:`answer_text` and :func:`feedback_answer` read a bare answer to a clarifying question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from agent.dates import DateRange, find_dates
from agent.text import MASK, QUOTED_RE, CommandText, alternation, quoted_span, word_list

__all__ = [
    "SOURCE_RE",
    "Mention",
    "Slots",
    "answer_text",
    "extract_slots",
    "feedback_answer",
]


# --------------------------------------------------------------------------- ids, numbers, keywords

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_UUID_RE = re.compile(
    r"(?<![\w-])[0-9a-f]{8}(?:-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]*)(?![\w-])"
)
_ORDER_REF_RE = re.compile(
    r"\b(?:order|#)\s*(?:id\s*|number\s*|no\.?\s*)?(?::\s*)?#?\s*(?P<id>[0-9a-f][0-9a-f-]{0,35})\b"
)
_ORDINALS = word_list("first second third fourth fifth sixth seventh eighth ninth tenth")
_VERSION_RE = re.compile(
    r"\b(?:(?:version|ver\.?|rev(?:ision)?|v)\s*#?\s*(?P<n>\d{1,3})"
    r"|(?:the\s+)?(?P<o>" + "|".join(_ORDINALS) + r"|\d{1,3}(?:st|nd|rd|th))\s+"
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
_LIMIT_RES: tuple[re.Pattern[str], ...] = (
    re.compile(
        rf"\b(?:top|first|latest|newest|last|only|just|max(?:imum)?|up\s+to)\s+(?P<n>{_NUM})\b"
    ),
    re.compile(rf"\blimit(?:\s+it|\s+them|\s+results)?(?:\s+to)?\s+(?P<n>{_NUM})\b"),
    re.compile(rf"\b(?P<n>{_NUM})\s+(?:most\s+)?(?:recent|latest|newest)\b"),
    re.compile(rf"\b(?:show|list|give|find|get)\s+(?:me\s+)?(?P<n>{_NUM})\s+{_LISTED}\b"),
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
    ("completed", r"completed|complete|finished|fulfilled|approved|done"),
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


# --------------------------------------------------------------------------- names

# Words that end a name: function words, cue words and the domain's own vocabulary. Names that
# contain them must be quoted ("called 'Orders for March'").
_HARD_STOP = alternation(
    """in into inside under within from to for on at by with without and or then as using
    based_on named called titled entitled containing contains contain matching match like
    since before after between until till through modified created updated changed that which
    where whose template templates folder please because saying group grouped grouping per
    each split sorted broken"""
)
_SOFT_STOP = alternation(
    """the a an my our your their this these those all any some every each me us i you it its
    them of off about is are was were be been do does did can could would should will shall
    list show find get give display see search look fetch tell what which who how whats
    use want need let help
    make create new copy duplicate clone start add build set generate open browse check view
    retry rerun restart approve reject accept send notify email summarise summarize count
    sheet sheets spreadsheet spreadsheets workbook workbooks folders file files document
    documents docs image images picture pictures photos order orders summary report totals
    total breakdown customer customers client clients product products status day days
    recent latest newest oldest last first top most only just excel xlsx google ones one
    there here now also too failed pending completed processing cancelled received
    awaiting done stuck"""
)
_ALL_STOP = f"(?:{_HARD_STOP}|{_SOFT_STOP})"
_NAME_WORD = r"[^\s,;:!?()\[\]{}\"“”\ue000.]+(?:\.[^\s,;:!?()\[\]{}\"“”\ue000.]+)*"


def _name(first_stops: str, rest_stops: str, words: int = 8) -> str:
    """A name of up to ``words`` words: the first may not be one of ``first_stops``, the others
    not one of ``rest_stops``."""
    first = rf"(?<![\w'’-])(?!{first_stops}(?![\w'-])){_NAME_WORD}"
    rest = rf"(?!{rest_stops}(?![\w'-])){_NAME_WORD}"
    return rf"{first}(?:\s+{rest}){{0,{words - 1}}}"


# After an unambiguous cue ("named", "called"): any words up to the next structural word.
_NAME_HARD = _name(_HARD_STOP, _HARD_STOP)
# After a loose cue ("from", "in", "for"): must not start with a function or domain word.
_NAME_FIRST = _name(_ALL_STOP, _HARD_STOP)
# Right before a noun ("invoice sheets"): no function or domain words at all.
_NAME_ALL = _name(_ALL_STOP, _ALL_STOP, 5)
_DET = r"(?:(?:the|a|an|my|our|this|that)\s+)?"


@dataclass(frozen=True)
class Mention:
    """A name the user gave, with the cue that introduced it ("named", "from", "in", ...)."""

    cue: str
    value: str
    quoted: bool = False


# Cue phrases for unquoted names, most specific first. The group "n" is the name.
_NAME_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (cue, re.compile(pattern))
    for cue, pattern in (
        # The drive's own folders, whose names are also words of the domain.
        ("folder", r"\b(?:in|inside|within)\s+(?:the\s+)?(?P<n>templates|summaries)\b"),
        # "list files in orders": at the end of a listing of files, the Orders folder. Elsewhere
        # "in orders" stays the subject ("failed in orders").
        (
            "folder",
            r"(?:\b(?:files?|documents?|docs|images?|pictures?|photos?|pdfs?|sub-?folders?|"
            r"folders|sheets?|spreadsheets?|workbooks?|everything|anything)"
            r"(?:\s+(?:are|is|do\s+we\s+have))?|\bwhat'?s|\bwhat\s+is|\bwhat\s+do\s+we\s+have)"
            r"\s+(?:in|inside|within)\s+(?:the\s+)?(?P<n>orders)\W*$",
        ),
        (
            "template",
            rf"\b(?:from|using|with|off|of|use|copy|duplicate|clone)\s+{_DET}template\s+"
            rf"(?:named\s+|called\s+)?(?P<n>{_NAME_HARD})",
        ),
        ("template", rf"(?<![\w-])(?P<n>{_NAME_FIRST})\s+template\b"),
        # "the template called X", but not "the price list template called Q1": that names
        # the new sheet (the template's own name was masked just before).
        ("template", rf"(?<!{MASK}\s)\btemplate\s+(?:named|called)\s+(?P<n>{_NAME_HARD})"),
        (
            "folder",
            rf"\b(?:in|into|inside|under|within|to|from|of)\s+{_DET}(?:folder|directory)\s+"
            rf"(?:named\s+|called\s+)?(?P<n>{_NAME_HARD})",
        ),
        (
            "folder",
            rf"\b(?:in|into|inside|under|within|to|from|of)\s+{_DET}(?P<n>{_NAME_HARD})"
            rf"\s+(?:folder|directory)\b",
        ),
        ("folder", rf"\b(?:folder|directory)\s+(?:named\s+|called\s+)?(?P<n>{_NAME_FIRST})"),
        ("folder", rf"(?P<n>{_NAME_FIRST})\s+(?:folder|directory)\b"),
        (
            "name",
            rf"\b(?:named|called|titled|entitled|call\s+it|name\s+it|"
            rf"with\s+(?:the\s+)?(?:name|title))\s+"
            rf"(?P<n>{_NAME_HARD})",
        ),
        (
            "name",
            rf"\b(?:create|make|add|start|new)\s+{_DET}(?:new\s+)?(?:sheet|spreadsheet|"
            rf"workbook)\s+(?P<n>{_NAME_FIRST})",
        ),
        ("contains", rf"\bwith\s+(?P<n>{_NAME_ALL})(?P<x>\s+in\s+(?:the|their|its)\s+names?)\b"),
        (
            "contains",
            rf"\b(?:containing|contains|contain|matching|"
            rf"that\s+match|whose\s+names?\s+(?:contains?|includes?|has)|"
            rf"with\s+names?\s+like|like|about)\s+(?:the\s+)?(?:words?\s+|text\s+)?"
            rf"(?P<n>{_NAME_FIRST})",
        ),
        ("customer", rf"\b(?:customer|client|buyer)\s+(?:named\s+|called\s+)?(?P<n>{_NAME_FIRST})"),
        ("as", rf"\bas\s+(?P<n>{_NAME_FIRST})"),
        ("in", rf"\b(?:in|into|inside|within|under)\s+{_DET}(?P<n>{_NAME_FIRST})"),
        ("from", rf"\bfrom\s+{_DET}(?P<n>{_NAME_FIRST})"),
        ("for", rf"\b(?:for|by|of)\s+(?P<n>{_NAME_FIRST})"),
        ("modifier", rf"(?P<n>{_NAME_ALL})\s+(?:excel\s+)?(?:sheets?|spreadsheets?|workbooks?)\b"),
    )
)
# A capitalised name is a folder's name even when it is also a domain word ("in Orders", "the
# Orders folder"). These run on the original case.
_CAPITALISED = r"[A-Z][^\s,;:!?()\ue000]*(?:\s+[A-Z0-9][^\s,;:!?()\ue000]*)*"
_CAPITALISED_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("folder", re.compile(rf"(?P<n>{_CAPITALISED})\s+(?i:folder|directory)\b")),
    ("template", re.compile(rf"(?P<n>{_CAPITALISED})\s+(?i:template)\b")),
    ("in", re.compile(rf"\b(?i:in|into|inside|within|under)\s+(?:the\s+)?(?P<n>{_CAPITALISED})")),
    ("for", re.compile(rf"\b(?i:of)\s+(?:the\s+)?(?P<n>{_CAPITALISED})")),
)
# Words right before or after a quoted name that say what it is.
_QUOTE_CUES_BEFORE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("template", re.compile(r"\btemplate\s*(?:named|called)?\s*$")),
    ("folder", re.compile(r"\b(?:folder|directory)\s*(?:named|called)?\s*$")),
    ("name", re.compile(r"\b(?:named|called|titled|entitled|name|title)\s*$")),
    ("contains", re.compile(r"\b(?:containing|contains?|matching|match|like|about|with)\s*$")),
    ("customer", re.compile(r"\b(?:customer|client|buyer)\s*(?:named|called)?\s*$")),
    ("feedback", re.compile(r"(?:\bbecause|\bsaying|\bfeedback|\bcomments?|\bnote|:|-)\s*$")),
    ("as", re.compile(r"\bas\s*$")),
    ("from", re.compile(r"\b(?:from|using|based\s+on|off)\s*(?:the\s+)?$")),
    ("in", re.compile(r"\b(?:in|into|inside|under|within)\s*(?:the\s+)?$")),
    ("to", re.compile(r"\bto\s*$")),
    ("for", re.compile(r"\b(?:for|by|of)\s*$")),
)
_QUOTE_CUES_AFTER: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("template", re.compile(r"^\s*template\b")),
    ("folder", re.compile(r"^\s*(?:folder|directory)\b")),
)
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


# "the Invoice template called 'X'": the template is named already, so X names the new sheet.
_NAMED_TEMPLATE_THEN_NAME_RE = re.compile(
    r"(?P<w>[^\s\ue000]+)\s+template\s+(?:named|called|titled)\s*$"
)
_NOT_A_TEMPLATE_NAME = frozenset(("the", "a", "an", "from", "using", "with", "use", "this", "that"))


def _quote_cue(text: CommandText, start: int, end: int) -> str:
    before = text.lower[max(0, start - 30) : start]
    after = text.lower[end : end + 20]
    named_template = _NAMED_TEMPLATE_THEN_NAME_RE.search(before)
    if named_template and named_template["w"] not in _NOT_A_TEMPLATE_NAME:
        return "name"
    for cue, pattern in _QUOTE_CUES_AFTER:
        if pattern.search(after):
            return cue
    for cue, pattern in _QUOTE_CUES_BEFORE:
        if pattern.search(before):
            return cue
    return "plain"


# '"price" in the name': the quoted words are a name filter, and "in the name" is no folder.
_IN_THE_NAME_RE = re.compile(r"^\s*in\s+(?:the|their|its)\s+(?:file\s*)?names?\b")


def _extract_quoted(text: CommandText, slots: Slots) -> None:
    for match in list(text.finditer(QUOTED_RE)):
        start, end = quoted_span(match)
        value = text.original[start:end].strip()
        cue = _quote_cue(text, match.start(), match.end())
        in_the_name = _IN_THE_NAME_RE.match(text.lower[match.end() :])
        if in_the_name:
            cue = "contains"
            text.mask(match.end(), match.end() + in_the_name.end())
        if cue == "feedback" and slots.feedback is None:
            slots.feedback = value
        elif value:
            slots.mentions.append(Mention(cue, value, quoted=True))
        text.mask(*match.span())


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
        if raw in _ORDINALS:
            slots.version = _ORDINALS.index(raw) + 1
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


def _extract_names(text: CommandText, slots: Slots) -> None:
    for cue, pattern in _CAPITALISED_CUES:
        for match in list(pattern.finditer(text.masked_original)):
            start, end = match.span("n")
            words = text.original[start:end].split()
            # "Show Orders folder": the sentence's first word is capitalised too.
            while len(words) > 1 and re.fullmatch(_ALL_STOP, words[0].lower()):
                start += len(words.pop(0)) + 1
            slots.mentions.append(Mention(cue, text.take(start, end)))
            text.mask(start, end)
    for cue, pattern in _NAME_CUES:
        for match in list(text.finditer(pattern)):
            start, end = match.span("n")
            value = text.take(start, end)
            if not value or value.lower() in ("it", "them"):
                continue
            slots.mentions.append(Mention(cue, value))
            text.mask(start, end)
            if "x" in pattern.groupindex and match["x"]:
                text.mask(*match.span("x"))  # cue words that would read as something else


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


# "sheets with report in the name", "which sheets contain price in their name": the words are a
# name filter, whatever else they could mean.
_WITH_IN_THE_NAME_RE = re.compile(
    r"\b(?:with|having|has|have|contains?|containing|includes?|including)\s+"
    r"(?P<n>[^\s\ue000,;:!?]+(?:\s+[^\s\ue000,;:!?]+){0,2}?)"
    r"\s+in\s+(?:the|their|its)\s+(?:file\s*)?names?\b"
)
# What is left of "in the name" once the filter was taken: never a folder called "name".
_IN_THE_NAME_ANYWHERE_RE = re.compile(r"\bin\s+(?:the|their|its)\s+(?:file\s*)?names?\b")


def _extract_name_filter(text: CommandText, slots: Slots) -> None:
    match = text.find(_WITH_IN_THE_NAME_RE)
    if match:
        slots.mentions.append(Mention("contains", text.take(*match.span("n"))))
        text.mask(*match.span())
    for leftover in list(text.finditer(_IN_THE_NAME_ANYWHERE_RE)):
        text.mask(*leftover.span())


def extract_slots(text: CommandText, today: date, *, with_feedback: bool) -> Slots:
    """Every slot in ``text``, masking each span taken; relative dates resolve against
    ``today``. ``with_feedback`` reads free-text reviewer feedback too (a rejection)."""
    slots = Slots()
    _extract_quoted(text, slots)
    _extract_ids(text, slots)
    _extract_name_filter(text, slots)
    if with_feedback:
        # Feedback is free text ("because the logo is in the wrong folder"): take it before
        # the name and date cues find things in it.
        _extract_feedback(text, slots)
    _extract_numbers(text, slots, today)
    _extract_keywords(text, slots)
    _extract_names(text, slots)
    return slots


# --------------------------------------------------------------------------- answers


def answer_text(text: CommandText) -> str:
    """A bare answer to a clarifying question ("the Price List one"), as a value."""
    value = text.masked_original.replace(MASK, " ")
    value = re.sub(
        r"^\W*(?:(?:the|a|an|use|it's|it is|call it|name it|because)\s+)*", "", value, flags=re.I
    )
    value = re.sub(r"\s+(?:one|template)\W*$", "", value, flags=re.I)
    # "Invoice, called Invoice 77": the title was taken; its cue word stays behind.
    value = re.sub(r"[\s,;:]*\b(?:called|named|titled|as)\W*$", "", value, flags=re.I)
    return " ".join(value.split()).strip(" .!?,;:\"'“”")


def feedback_answer(text: CommandText) -> str:
    """A bare answer to "what should change?": all of it is the feedback, as typed."""
    value = re.sub(r"^\W*(?:because\s+)?", "", text.original.strip(), flags=re.I)
    return " ".join(value.split()).rstrip(".!")
