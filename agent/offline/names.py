"""Names in a command: the words that end a name, the cue phrases that introduce one ("named",
"from the ... template", "in the ... folder"), quoted or not, capitalised or not, and the
name filters ("with price in the name").

Each function takes what it finds out of the :class:`~agent.offline.text.CommandText` (masking
it), so the other slots never read a name's words as something else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from agent.offline.text import MASK, QUOTED_RE, CommandText, alternation, quoted_span

__all__ = ["Mention", "singular", "take_name_filter", "take_names", "take_quoted"]


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
# Between "from the" and "template" every word is the template's name, domain words included
# ("the order tracker template", "the cost of goods template"), up to the words that end a name.
_NAME_BEFORE_TEMPLATE = _name(
    rf"(?:{_HARD_STOP}|the|a|an|my|our|this|that|your|their)",
    alternation(
        """in into inside under within from to as using named called titled entitled template
        templates folder then please"""
    ),
    6,
)


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
        (
            "template",
            rf"\b(?:from|using|with|off|of|use|copy|duplicate|clone|based\s+on)\s+{_DET}"
            rf"(?P<n>{_NAME_BEFORE_TEMPLATE})\s+template\b",
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
        # "make Q4 orders from the order template": the new sheet, named right after the verb.
        (
            "name",
            rf"^(?:please\s+)?(?:create|make|start)\s+(?P<n>{_NAME_FIRST})"
            rf"\s+(?:from|using|off|based\s+on)\b",
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
        # "only the invoices", "just invoices please": a follow-up narrowing a listing by name.
        (
            "only",
            rf"^(?:(?:and|but|now|ok(?:ay)?|so)\W+)?(?:only|just)\s+(?:show\s+(?:me\s+)?|list\s+|"
            rf"keep\s+)?(?:the\s+|those\s+|my\s+)?(?P<n>{_NAME_ALL})(?:\s+ones?)?"
            rf"(?:\s+please)?\W*$",
        ),
    )
)
# A capitalised name is a folder's name even when it is also a domain word ("in Orders", "the
# Orders folder"). These run on the original case.
_CAPITALISED = r"[A-Z][^\s,;:!?()\ue000]*(?:\s+[A-Z0-9][^\s,;:!?()\ue000]*)*"
# After "named" or "called", capitalised words are the name's, even words that would end a
# name ("named Order Template", "called Terms and Conditions"); lowercase ones up to the next
# such word ("called Q1 prices from ..."). Cue words stay cues, capitalised or not.
_CAPITALISED_WORD = r"(?!(?:From|Using|Into|In|As|With|To)\b)[A-Z0-9][^\s,;:!?()\ue000]*"
_CONNECTOR = r"(?:of|and|&|for|the|on|at|de|du|des|la|le|y)"
# Before "folder" or "template", small words between capitalised ones are part of the name
# ("the Cost of Goods template", "the Terms and Conditions folder").
_CAPITALISED_BRIDGED = (
    rf"(?!(?:From|Using|Into|In|As|With|To)\b)[A-Z][^\s,;:!?()\ue000]*"
    rf"(?:\s+(?:{_CONNECTOR}\s+)?{_CAPITALISED_WORD})*?"
)
_CAPITALISED_RUN = (
    rf"{_CAPITALISED_WORD}(?:\s+(?:{_CONNECTOR}\s+)?{_CAPITALISED_WORD})*"
    rf"(?:\s+(?!(?i:{_HARD_STOP})(?![\w'-])){_NAME_WORD})*"
)
_CAPITALISED_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "the template called Invoice", "the folder named Old": the template or folder (below).
    (
        "name",
        re.compile(
            r"(?<!(?i:template)\s)(?<!(?i:folder)\s)\b(?i:named|called|titled|entitled)\s+"
            rf"(?P<n>{_CAPITALISED_RUN})"
        ),
    ),
    ("as", re.compile(rf"\b(?i:as|save\s+it\s+as)\s+(?P<n>{_CAPITALISED_RUN})")),
    # "from the Order Template": a capitalised "Template" after the name is part of it (the
    # drive matches a template's name with or without the word).
    (
        "template",
        re.compile(
            r"\b(?i:from|using|use|off|of|with|copy|duplicate|clone|based\s+on)\s+"
            rf"(?:(?i:the|a|an|our|my)\s+)?(?P<n>{_CAPITALISED_BRIDGED}\s+Template)(?![\w'-])"
        ),
    ),
    ("folder", re.compile(rf"(?P<n>{_CAPITALISED_BRIDGED})\s+(?i:folder|directory)\b")),
    ("template", re.compile(rf"(?P<n>{_CAPITALISED_BRIDGED})\s+(?i:template)\b")),
    ("in", re.compile(rf"\b(?i:in|into|inside|within|under)\s+(?:the\s+)?(?P<n>{_CAPITALISED})")),
    # "narrow it down to Marketing": a folder, named as such.
    (
        "in",
        re.compile(
            r"\b(?i:narrow|restrict|limit)\s+(?:(?i:it|them|this|that|the\s+list)\s+)?"
            rf"(?:(?i:down)\s+)?(?i:to)\s+(?:(?i:the)\s+)?(?P<n>{_CAPITALISED})"
        ),
    ),
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


def take_quoted(text: CommandText) -> tuple[list[Mention], str | None]:
    """The quoted names, each with the cue around it, and quoted reviewer feedback if any."""
    mentions: list[Mention] = []
    feedback: str | None = None
    for match in list(text.finditer(QUOTED_RE)):
        start, end = quoted_span(match)
        value = text.original[start:end].strip()
        cue = _quote_cue(text, match.start(), match.end())
        in_the_name = _IN_THE_NAME_RE.match(text.lower[match.end() :])
        if in_the_name:
            cue = "contains"
            text.mask(match.end(), match.end() + in_the_name.end())
        if cue == "feedback" and feedback is None:
            feedback = value
        elif value:
            mentions.append(Mention(cue, value, quoted=True))
        text.mask(*match.span())
    return mentions, feedback


# Text before a sentence's first word: nothing, or the end of another sentence.
_SENTENCE_START_RE = re.compile(r"(?:.*[.!?;:]\s*)?|\s*", re.S)


def singular(words: str) -> str:
    """The last word of ``words`` in the singular ("invoices" → "invoice", "boxes" → "box"),
    so that a name filter finds "Invoice 1042.xlsx"."""
    head, _, last = words.rpartition(" ")
    lowered = last.lower()
    if lowered.endswith("ies") and len(last) > 4:
        last = last[:-3] + ("Y" if last[-3:].isupper() else "y")
    elif re.search(r"(?:ch|sh|x|ss|z)es$", lowered):
        last = last[:-2]
    elif lowered.endswith("s") and not lowered.endswith(("ss", "us", "is")) and len(last) > 3:
        last = last[:-1]
    return f"{head} {last}" if head else last


def take_names(text: CommandText, is_kind: Callable[[str], bool]) -> list[Mention]:
    """The unquoted names after cue words, capitalised ones first. ``is_kind`` tells a kind of
    file ("pdfs") from a name in "just the pdfs"."""
    mentions: list[Mention] = []
    for cue, pattern in _CAPITALISED_CUES:
        for match in list(pattern.finditer(text.masked_original)):
            start, end = match.span("n")
            words = text.original[start:end].split()
            # "Show Orders folder": the sentence's first word is capitalised too. Elsewhere a
            # capitalised word is the name's own ("the New Customer template").
            while (
                len(words) > 1
                and _SENTENCE_START_RE.fullmatch(text.original[:start])
                and re.fullmatch(_ALL_STOP, words[0].lower())
            ):
                start += len(words.pop(0)) + 1
            mentions.append(Mention(cue, text.take(start, end)))
            text.mask(start, end)
    for cue, pattern in _NAME_CUES:
        for match in list(text.finditer(pattern)):
            start, end = match.span("n")
            value = text.take(start, end)
            if not value or value.lower() in ("it", "them"):
                continue
            if cue == "only":
                if is_kind(value.lower()):
                    continue  # "just the pdfs" is a kind, read already
                value = singular(value)  # "only the invoices": names holding "invoice"
            mentions.append(Mention(cue, value))
            text.mask(start, end)
            if "x" in pattern.groupindex and match["x"]:
                text.mask(*match.span("x"))  # cue words that would read as something else
    return mentions


# "sheets with report in the name", "which sheets contain price in their name": the words are a
# name filter, whatever else they could mean.
_WITH_IN_THE_NAME_RE = re.compile(
    r"\b(?:with|having|has|have|contains?|containing|includes?|including)\s+"
    r"(?P<n>[^\s\ue000,;:!?]+(?:\s+[^\s\ue000,;:!?]+){0,2}?)"
    r"\s+in\s+(?:the|their|its)\s+(?:file\s*)?names?\b"
)
# What is left of "in the name" once the filter was taken: never a folder called "name".
_IN_THE_NAME_ANYWHERE_RE = re.compile(r"\bin\s+(?:the|their|its)\s+(?:file\s*)?names?\b")


def take_name_filter(text: CommandText) -> Mention | None:
    """A name filter ("with price in the name") as a "contains" mention."""
    match = text.find(_WITH_IN_THE_NAME_RE)
    found = None
    if match:
        found = Mention("contains", text.take(*match.span("n")))
        text.mask(*match.span())
    for leftover in list(text.finditer(_IN_THE_NAME_ANYWHERE_RE)):
        text.mask(*leftover.span())
    return found
