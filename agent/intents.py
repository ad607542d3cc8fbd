"""Intent detection and argument extraction: one admin command in, one :class:`Interpretation` out.

The offline chat model calls :func:`interpret` with the last human message, the tools it was
bound with (name → JSON schema), today's date and the previous turn's tool call. The work runs in
fixed stages, each a small table rather than a chain of ifs:

1. guards: empty or over-long commands, other languages, prompt injection;
2. slots: quoted names, dates, order ids, limits, statuses, group-by words, names after cue
   words ("named", "from template", "in the ... folder"). Each found span is masked so later
   stages do not read it twice (a folder called "Orders" is not a request for orders);
3. intent: every rule in :data:`INTENT_RULES` scores the masked text (verbs, nouns, word order);
4. arguments: a builder per tool maps slots onto that tool's parameters, and asks a clarifying
   question when a required one is missing;
5. follow-ups: a refinement ("only the failed ones", "what about March?") re-issues the previous
   call with the new constraints merged in.

Only tools that were bound are ever chosen: an intent whose tool the caller may not use gets a
reply saying so. Tools outside the registry (anything bound by a caller) are matched generically
by name and filled from quoted text, numbers and ``name=value`` pairs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from agent.dates import DateRange, find_dates
from agent.replies import CAPABILITIES, capability_list

__all__ = [
    "DOMAIN_TOOLS",
    "INTENT_RULES",
    "MAX_COMMAND_CHARS",
    "Interpretation",
    "PreviousCall",
    "ToolSchema",
    "detect_injection",
    "interpret",
    "is_other_language",
]

# Commands are one or two sentences; anything longer is a paste, not a command.
# The API refuses longer commands with a 422 before any model sees them; this guards direct use.
MAX_COMMAND_CHARS = 4000

DOMAIN_TOOLS = frozenset(CAPABILITIES)


# --------------------------------------------------------------------------- public types


@dataclass(frozen=True)
class ToolSchema:
    """A bound tool as the model sees it: name, description and JSON-schema parameters."""

    name: str
    description: str = ""
    properties: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    required: frozenset[str] = frozenset()

    @classmethod
    def from_openai(cls, tool: Mapping[str, Any]) -> ToolSchema:
        """From ``convert_to_openai_tool`` output (``{"type": "function", "function": ...}``)."""
        function = tool.get("function", tool)
        parameters = function.get("parameters") or {}
        return cls(
            name=str(function["name"]),
            description=str(function.get("description") or ""),
            properties=dict(parameters.get("properties") or {}),
            required=frozenset(parameters.get("required") or ()),
        )


@dataclass(frozen=True)
class PreviousCall:
    """What the previous human turn led to, for follow-ups.

    Either the tool call it made, or (``pending=True``) the call it could not make yet because
    the interpreter asked a clarifying question; ``args`` are then the details it already had.
    """

    tool: str
    args: Mapping[str, Any]
    pending: bool = False


@dataclass(frozen=True)
class Interpretation:
    """What to do with a command: call ``tool`` with ``args``, or answer with ``reply``.

    Attributes:
        tool: the tool to call, or None when the answer is ``reply``.
        args: the call's arguments; with a clarifying question, the details already known.
        reply: the text to answer with instead of calling a tool.
        refine: the call re-issues the previous turn's tool with new constraints.
        asks_for: with a clarifying question, the tool it is about, so the answer can complete
            the call on the next turn.
        informative: a reply that answers (a greeting, help), not a refusal or a question.
    """

    tool: str | None
    args: dict[str, Any] = field(default_factory=dict)
    reply: str | None = None
    refine: bool = False
    asks_for: str | None = None
    informative: bool = False


# --------------------------------------------------------------------------- text


# Replaces consumed text. A private-use character: not a word character and, unlike the ASCII
# separators, not whitespace either, so no pattern reads across it.
_MASK = "\ue000"


class _Text:
    """The command in three aligned forms: original case, lowercase, and lowercase with the
    spans already consumed by a slot masked out. Indexes are shared, so a match on the masked
    form gives the user's own spelling from the original."""

    def __init__(self, command: str) -> None:
        self.original = " ".join(unicodedata.normalize("NFC", command).split())
        # Lowercase one character at a time so indexes stay aligned ('İ'.lower() is 2 chars).
        self.lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in self.original)
        self.masked = self.lower

    @property
    def masked_original(self) -> str:
        """The original text with the masked spans masked: case-sensitive matching."""
        return "".join(
            _MASK if m == _MASK else o for o, m in zip(self.original, self.masked, strict=True)
        )

    def mask(self, start: int, end: int) -> None:
        self.masked = self.masked[:start] + _MASK * (end - start) + self.masked[end:]

    def take(self, start: int, end: int) -> str:
        return self.original[start:end].strip(" '\"“”‘’")

    def find(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        return pattern.search(self.masked)

    def finditer(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        return pattern.finditer(self.masked)


def _word_list(words: str) -> tuple[str, ...]:
    """The whitespace-separated words of a word list written as one string."""
    return tuple(words.split())


def _wordset(words: str) -> frozenset[str]:
    return frozenset(_word_list(words))


def _alternation(words: str) -> str:
    """A regex alternation of space-separated phrases (underscores stand for spaces)."""
    phrases = sorted((w.replace("_", r"\s+") for w in words.split()), key=len, reverse=True)
    return "(?:" + "|".join(phrases) + ")"


# --------------------------------------------------------------------------- guards

_ENGLISH = _wordset(
    """the a an and of in on to for from with me my all show list find what which whats
    sheets sheet files file orders order folder template please is are was were that this
    last since before after by new make create give get any how many can you i it summary
    report week month today yesterday group only just now about approve retry reject notify
    tell hello hi hey thanks thank help do does where who when why your our us we at
    between named called into as"""
)
_FOREIGN = _wordset(
    """le la les des du une et est pour dans avec sur mois dernier derniers derniere dernière
    semaine montre montrez moi affiche afficher liste lister toutes tous fichiers feuilles
    commandes dossier créer crée nouvelle depuis avant après cette ce qui quels quelles
    bonjour merci salut s'il vous plaît
    el los las del una unos por para muestra muéstrame mostrar listar todas todos archivos
    hojas pedidos carpeta crear nueva desde antes después este esta semana mes pasado pasada
    hola gracias por favor qué cuáles
    der das den dem des und ist für zeige zeig mir dateien tabellen bestellungen ordner
    erstelle erstellen neue seit nach diese dieser letzte letzten woche monat nicht alle
    hallo danke bitte welche
    il gli della delle degli mostra mostrami elenca tutti tutte fogli ordini cartella crea
    nuovo nuova dal questa questo settimana mese scorso scorsa ciao grazie
    os um uma mostre planilhas pasta criar olá obrigado
    het een toon lijst bestanden bladen bestellingen maak nieuwe sinds deze vorige maand
    """
)
# Greetings in other languages decide on their own; other foreign words need company.
_FOREIGN_ALONE = _wordset("bonjour salut merci hola gracias hallo danke ciao grazie olá")


def is_other_language(text: str) -> bool:
    """True when ``text`` is clearly not English: mostly non-Latin letters, or foreign
    function words with no English ones. Quoted names are ignored (they may be in any
    language)."""
    unquoted = _QUOTED_RE.sub(" ", text)
    letters = [c for c in unquoted if c.isalpha()]
    if len(letters) >= 3:
        non_latin = sum(1 for c in letters if not _is_latin(c))
        if non_latin / len(letters) > 0.3:
            return True
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", unquoted.lower())
    english = sum(1 for w in words if w in _ENGLISH)
    foreign = sum(1 for w in words if w in _FOREIGN and w not in _ENGLISH)
    if english == 0 and any(w in _FOREIGN_ALONE for w in words):
        return True
    if english == 0 and foreign >= 2:
        return True
    return foreign >= 3 and foreign > 2 * english


def _is_latin(char: str) -> bool:
    return char.isascii() or "LATIN" in unicodedata.name(char, "")


# Phrases that try to change the assistant's rules. What they ask is never done; the rest of
# the command still is, when it is a command of its own.
_INJECTION_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"\b(?:ignore|disregard|forget|override|bypass|skip)\s+(?:all\s+|any\s+|the\s+)?"
        r"(?:(?:your|previous|prior|above|earlier|former|system|safety|these|those|my)\s+)*"
        r"(?:instructions?|rules?|guidelines?|restrictions?|prompts?|policies|policy|"
        r"constraints?|permissions?|roles?|guardrails?)\b",
        r"\byou\s+are\s+now\b[^.,;!?]*?(?=\s+and\s+|[.,;!?]|$)",
        r"\b(?:from\s+now\s+on|henceforth)\b[^.,;!?]*?(?=\s+and\s+|[.,;!?]|$)",
        r"\b(?:pretend|act)\s+(?:to\s+be|you(?:'re|\s+are)|as)\b[^.,;!?]*?(?=\s+and\s+|[.,;!?]|$)",
        r"\b(?:reveal|show|print|repeat|tell\s+me|what\s+is|what's)\s+(?:me\s+)?(?:your|the)\s+"
        r"(?:system\s+)?(?:prompt|instructions)\b",
        r"\bsystem\s+prompt\b",
        r"\b(?:developer|admin|god|debug|jailbreak|dan)\s+mode\b",
        r"\bjailbreak\w*\b",
        r"\bnew\s+instructions?\s*:?",
        r"^\s*system\s*:",
        r"</?\s*(?:system|instructions?|im_start|im_end)\s*>|<\|[a-z_]+\|>",
        r"\bwithout\s+(?:checking\s+)?(?:my\s+|the\s+)?(?:permissions?|role|authori[sz]ation)\b",
        r"\b(?:as|i\s+am|i'm)\s+(?:an?\s+)?(?:admin|administrator|root|superuser|developer)\b"
        r"(?:\s*,)?",
    )
)


def detect_injection(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` (lowercase) that try to change the assistant's rules or role."""
    spans: list[tuple[int, int]] = []
    for pattern in _INJECTION_PATTERNS:
        spans.extend(m.span() for m in pattern.finditer(text))
    return sorted(spans)


# --------------------------------------------------------------------------- slots

_QUOTED_RE = re.compile(
    r"\"(?P<d>[^\"]+)\"|“(?P<c>[^”]+)”|‘(?P<s>[^’]+)’|(?<![\w'])'(?P<q>[^']+?)'(?![\w])"
)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_UUID_RE = re.compile(
    r"(?<![\w-])[0-9a-f]{8}(?:-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]*)(?![\w-])"
)
_ORDER_REF_RE = re.compile(
    r"\b(?:order|#)\s*(?:id\s*|number\s*|no\.?\s*)?(?::\s*)?#?\s*(?P<id>[0-9a-f][0-9a-f-]{0,35})\b"
)
_ORDINALS = _word_list("first second third fourth fifth sixth seventh eighth ninth tenth")
_VERSION_RE = re.compile(
    r"\b(?:(?:version|ver\.?|rev(?:ision)?|v)\s*#?\s*(?P<n>\d{1,3})"
    r"|(?:the\s+)?(?P<o>" + "|".join(_ORDINALS) + r"|\d{1,3}(?:st|nd|rd|th))\s+"
    r"(?:design\s+)?(?:version|draft|revision|design))\b"
)
_SMALL_NUMBERS = {
    word: number
    for number, word in enumerate(
        _word_list("zero one two three four five six seven eight nine ten eleven twelve")
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
_SOURCE_RE = re.compile(
    r"\b(?:(?P<both>orders\s+and\s+(?:the\s+)?(?:order\s+)?workbooks|workbooks\s+and\s+"
    r"(?:the\s+)?orders|both(?:\s+sources)?)|(?P<workbooks>(?:order\s+)?workbooks|excel\s+files|"
    r"spreadsheets)|(?P<orders>database|orders?\s+table))\b"
)
_ROOT_NAMES = frozenset(
    ("root", "drive", "my drive", "the drive", "top level", "home", "/", "shared drive", "the root")
)

# Words that end a name: function words, cue words and the domain's own vocabulary. Names that
# contain them must be quoted ("called 'Orders for March'").
_HARD_STOP = _alternation(
    """in into inside under within from to for on at by with without and or then as using
    based_on named called titled entitled containing contains contain matching match like
    since before after between until till through modified created updated changed that which
    where whose template templates folder please because saying group grouped grouping per
    each split sorted broken"""
)
_SOFT_STOP = _alternation(
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
class _Mention:
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
        (
            "template",
            rf"\b(?:from|using|with|off|of|use|copy|duplicate|clone)\s+{_DET}template\s+"
            rf"(?:named\s+|called\s+)?(?P<n>{_NAME_HARD})",
        ),
        ("template", rf"(?<![\w-])(?P<n>{_NAME_FIRST})\s+template\b"),
        # "the template called X", but not "the price list template called Q1": that names
        # the new sheet (the template's own name was masked just before).
        ("template", rf"(?<!{_MASK}\s)\btemplate\s+(?:named|called)\s+(?P<n>{_NAME_HARD})"),
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
            rf"\b(?:containing|contains|that\s+contain|which\s+contain|matching|"
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


@dataclass
class _Slots:
    """Everything extracted from a command that a tool parameter might want."""

    mentions: list[_Mention] = field(default_factory=list)
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


def _quote_cue(text: _Text, start: int, end: int) -> str:
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


def _extract_quoted(text: _Text, slots: _Slots) -> None:
    for match in list(text.finditer(_QUOTED_RE)):
        group = next(g for g in ("d", "c", "s", "q") if match[g] is not None)
        start, end = match.span(group)
        value = text.original[start:end].strip()
        cue = _quote_cue(text, match.start(), match.end())
        in_the_name = _IN_THE_NAME_RE.match(text.lower[match.end() :])
        if in_the_name:
            cue = "contains"
            text.mask(match.end(), match.end() + in_the_name.end())
        if cue == "feedback" and slots.feedback is None:
            slots.feedback = value
        elif value:
            slots.mentions.append(_Mention(cue, value, quoted=True))
        text.mask(*match.span())


def _extract_ids(text: _Text, slots: _Slots) -> None:
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


def _extract_numbers(text: _Text, slots: _Slots, today: date) -> None:
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


def _extract_keywords(text: _Text, slots: _Slots) -> None:
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
    for match in list(text.finditer(_SOURCE_RE)):
        wanted = ("orders", "workbooks") if match["both"] else (str(match.lastgroup),)
        slots.sources.extend(source for source in wanted if source not in slots.sources)
        if match["both"] or match["orders"]:
            # "from both the database and …" names sources, not a folder to read from.
            text.mask(*match.span())
    slots.sources.sort(key=("orders", "workbooks").index)


def _extract_names(text: _Text, slots: _Slots) -> None:
    for cue, pattern in _CAPITALISED_CUES:
        for match in list(pattern.finditer(text.masked_original)):
            start, end = match.span("n")
            words = text.original[start:end].split()
            # "Show Orders folder": the sentence's first word is capitalised too.
            while len(words) > 1 and re.fullmatch(_ALL_STOP, words[0].lower()):
                start += len(words.pop(0)) + 1
            slots.mentions.append(_Mention(cue, text.take(start, end)))
            text.mask(start, end)
    for cue, pattern in _NAME_CUES:
        for match in list(text.finditer(pattern)):
            start, end = match.span("n")
            value = text.take(start, end)
            if not value or value.lower() in ("it", "them"):
                continue
            slots.mentions.append(_Mention(cue, value))
            text.mask(start, end)
            if "x" in pattern.groupindex and match["x"]:
                text.mask(*match.span("x"))  # cue words that would read as something else


def _extract_feedback(text: _Text, slots: _Slots) -> None:
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
    if len(value.split()) >= 2 and _MASK not in text.masked[start:end]:
        slots.feedback = value
        text.mask(start, end)


# "sheets with report in the name": the words are a name filter, whatever else they could mean.
_WITH_IN_THE_NAME_RE = re.compile(
    r"\b(?:with|having|has|have)\s+(?P<n>[^\s\ue000,;:!?]+(?:\s+[^\s\ue000,;:!?]+){0,2}?)"
    r"\s+in\s+(?:the|their|its)\s+(?:file\s*)?names?\b"
)


def _extract_name_filter(text: _Text, slots: _Slots) -> None:
    match = text.find(_WITH_IN_THE_NAME_RE)
    if match:
        slots.mentions.append(_Mention("contains", text.take(*match.span("n"))))
        text.mask(*match.span())


def _extract_slots(text: _Text, today: date, *, with_feedback: bool) -> _Slots:
    slots = _Slots()
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


# --------------------------------------------------------------------------- intents


@dataclass(frozen=True)
class IntentRule:
    """How one intent shows in a command.

    Attributes:
        tool: the tool the intent calls.
        verbs: regex of the action words; nouns: regex of the things acted on.
        needs: which of them must be present: "verb", "noun", "both" or "either".
        weight: added to the score when the rule applies; higher wins ties of evidence.
        preset: fixed arguments (approve vs reject share a tool).
        wants_id: scores higher when an order id is present.
    """

    tool: str
    verbs: str
    nouns: str
    needs: Literal["verb", "noun", "both", "either"]
    weight: int
    preset: Mapping[str, Any] = field(default_factory=dict)
    wants_id: bool = False


_ORDER_ACTION_NOUNS = r"\b(?:orders?|designs?|proofs?|it|this|that)\b"
INTENT_RULES: tuple[IntentRule, ...] = (
    IntentRule(
        "approve_order",
        r"\b(?:reject|decline|disapprove|turn\s+down|send\s+(?:\S+\s+){0,3}?back|sent\s+back|"
        r"request(?:ing)?\s+changes|ask(?:ing)?\s+for\s+changes|needs?\s+changes|"
        r"changes\s+requested|(?:don'?t|do\s+not|not)\s+approve|revise|redo|rework)\b",
        _ORDER_ACTION_NOUNS,
        "verb",
        7,
        preset={"approved": False},
        wants_id=True,
    ),
    IntentRule(
        "approve_order",
        r"\b(?:approve|accept|sign\s+off(?:\s+on)?|sign-off|green[\s-]?light|lgtm|"
        r"looks\s+good|ok(?:ay)?\s+the\s+design)\b",
        _ORDER_ACTION_NOUNS,
        "verb",
        6,
        preset={"approved": True},
        wants_id=True,
    ),
    IntentRule(
        "retry_order",
        r"\b(?:retry|re-?try|re-?run|restart|resume|reprocess|try\s+(?:it\s+|that\s+)?again|"
        r"run\s+(?:\S+\s+){0,3}?again|try\s+(?:\S+\s+){1,3}?again|kick\s+(?:\S+\s+){0,3}?off\s+(?:\S+\s+){0,3}?again)\b",
        r"\b(?:orders?|it|this|that|step|pipeline)\b",
        "verb",
        6,
        wants_id=True,
    ),
    IntentRule(
        "notify",
        r"\b(?:notify|inform|alert|ping)\b|\b(?:e-?mail|mail|message|tell|text|let)\s+"
        r"(?:the\s+)?(?:customer|client|buyer|them|him|her)\b|"
        r"\bsend\s+(?:(?:a|an|the)\s+)?(?:notification|notice|e-?mail|message)\b",
        r"\b(?:customer|client|buyer|notification)\b",
        "verb",
        6,
        wants_id=True,
    ),
    IntentRule(
        "build_summary_sheet",
        r"\b(?:summari[sz]e|total\s+up|tally|aggregate|break\s+down|roll\s+up|build|compile|"
        r"make|create|generate|give|show|run|prepare)\b",
        # The strong verbs count as the noun: "summarize orders by status" needs no "summary".
        r"\b(?:summary|summaries|report|totals?|breakdown|break-down|tally|aggregates?|"
        r"roll-?up|overview|stats|statistics|revenue|sales|summari[sz]e|total\s+up|aggregate|"
        r"break\s+down|roll\s+up)\b",
        "noun",
        5,
    ),
    IntentRule(
        "create_sheet_from_template",
        r"\b(?:make|create|copy|duplicate|clone|start|set\s+up|setup|spin\s+up|add|"
        r"generate|use)\b|\bnew\s+(?:sheet|spreadsheet|workbook)\b(?!s)",
        r"\b(?:templates?|sheet|spreadsheet|workbook)\b",
        "both",
        5,
    ),
    IntentRule(
        "get_order",
        r"\b(?:show|get|check|look\s+up|lookup|find|open|details?|status|what'?s|where'?s|"
        r"how'?s|what\s+is|where\s+is|tell\s+me\s+about)\b",
        r"\border\b",
        "either",
        3,
        wants_id=True,
    ),
    IntentRule(
        "list_orders",
        r"\b(?:list|show|find|get|give|which|what|any|how\s+many|display|see|search)\b",
        r"\b(?:orders|order\s+list|purchases|jobs)\b",
        "noun",
        3,
    ),
    IntentRule(
        "list_sheets",
        r"\b(?:list|show|find|get|give|which|what|any|how\s+many|display|see|search|look\s+for)\b",
        r"\b(?:sheets?|spreadsheets?|workbooks?|xlsx|excel\s+files?)\b",
        "noun",
        3,
    ),
    IntentRule(
        "list_files",
        r"\b(?:what'?s\s+in|what\s+is\s+in|what'?s\s+inside|what\s+is\s+inside|"
        r"what\s+do\s+we\s+have\s+in|"
        r"look\s+inside|contents?\s+of|browse|open)\b",
        r"\b(?:files?|contents?|documents?|docs|images?|pictures?|photos?|pdfs?|folders?|"
        r"sub-?folders?|directories|directory|everything|anything)\b",
        "either",
        2,
    ),
)


@dataclass(frozen=True)
class _Intent:
    rule: IntentRule
    score: int
    commanded: bool  # its own action word is there ("list orders"), not just a noun


def _implied_noun(rule: IntentRule, slots: _Slots) -> bool:
    """Slots that stand for a rule's noun once their words are masked: a template name given
    after "from" is the template, a quoted name after "create" is the sheet."""
    if rule.tool == "create_sheet_from_template":
        return slots.named("template") is not None or any(
            m.quoted and m.cue in ("from", "plain") for m in slots.mentions
        )
    return False


def _score(rule: IntentRule, text: str, slots: _Slots) -> int:
    """How strongly ``text`` (masked) reads as ``rule``'s intent; 0 when it does not."""
    verb = re.search(rule.verbs, text)
    noun = re.search(rule.nouns, text)
    has_verb = verb is not None
    has_noun = noun is not None or _implied_noun(rule, slots)
    ok = {
        "verb": has_verb,
        "noun": has_noun,
        "both": has_verb and has_noun,
        "either": has_verb or has_noun,
    }[rule.needs]
    if rule.tool in text and (ok or rule.preset.get("approved", True)):
        return rule.weight + 10  # the tool named outright ("call retry_order")
    has_id = slots.order_id is not None or slots.short_order_ref is not None
    if not ok or (rule.tool == "get_order" and not has_id):
        return 0
    score = rule.weight + 2 * has_verb + 2 * has_noun
    if verb and noun and verb.start() < noun.start():
        score += 1  # "list sheets" reads as a command more than "sheets ... list"
    bonuses = (
        (rule.wants_id and has_id, 3),
        (rule.tool == "build_summary_sheet" and slots.group_by is not None, 2),
        (rule.tool == "list_orders" and slots.status is not None, 1),
        (rule.tool == "list_files" and slots.named("folder", "in") is not None, 1),
        (rule.tool == "create_sheet_from_template" and "template" in text, 2),
    )
    return score + sum(points for applies, points in bonuses if applies)


def _detect_intent(text: _Text, slots: _Slots) -> _Intent | None:
    best: _Intent | None = None
    for rule in INTENT_RULES:
        score = _score(rule, text.masked, slots)
        if score and (best is None or score > best.score):
            best = _Intent(rule, score, re.search(rule.verbs, text.masked) is not None)
    return best


# Requests no tool can do, with what to say. Checked whatever intent matched: "delete all
# files" must not become a listing of files. Names are masked by then, so a sheet called
# "Move plan" is still just a name.
_UNSUPPORTED: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), what)
    for p, what in (
        (r"\b(?:delete|remove|erase|wipe|destroy|purge|trash|drop)\b", "delete anything"),
        (r"\b(?:rename|move)\b", "rename or move files"),
        (r"\b(?:share|unshare|permissions?)\b", "change sharing or permissions"),
        (r"\b(?:cancel)\b", "cancel orders"),
        (r"\b(?:refund|charge|invoice\s+the|pay|payment)\b", "handle payments or refunds"),
        (r"\b(?:upload|download)\b", "upload or download files"),
        (
            r"\b(?:edit|update|change|modify|overwrite|write\s+to)\s+(?:the\s+)?(?:cells?|sheet|"
            r"spreadsheet|file|order)\b",
            "edit sheets, files or orders",
        ),
        (
            r"\b(?:passwords?|credentials?|secrets?|api[\s_-]?keys?|tokens?|private\s+keys?|"
            r"connection\s+strings?)\b",
            "share passwords, keys or other secrets",
        ),
        (
            r"\b(?:weather|news|stock\s+price|joke|poem|story|recipe|translate)\b",
            "answer general questions",
        ),
    )
)
_GREETING_RE = re.compile(
    r"^(?:hi|hello|hey|hiya|good\s+(?:morning|afternoon|evening)|greetings|yo)\b[\s!.,]*"
    r"(?:there)?[\s!.,]*$|^how\s+are\s+you\b"
)
_THANKS_RE = re.compile(r"^(?:thanks|thank\s+you|cheers|great|perfect|ok(?:ay)?|cool)\b[\s!.]*$")
_DISMISS_RE = re.compile(
    r"^(?:no|nope|never\s*mind|nevermind|forget\s+(?:it|that)|cancel(?:\s+that)?|stop|nothing|"
    r"don'?t)\b[\s.!]*$"
)
_HELP_RE = re.compile(r"^(?:help|\?|what\s+can\s+you\s+do|what\s+do\s+you\s+do|commands)\b")
_REFINE_RE = re.compile(
    r"^(?:only|just|and|now|also|but|instead|then|ok(?:ay)?|so|what\s+about|how\s+about|"
    r"same|narrow|filter|limit|sort|make\s+it|change\s+it|switch|exclude|include|without|"
    r"the\s+ones|those|these|ones)\b|\b(?:the\s+ones|those\s+ones|same\s+(?:thing|query|list|"
    r"but|for)|instead|as\s+well|too)\b"
)


# --------------------------------------------------------------------------- arguments


def _folder(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().strip("/") or "/"
    return None if value.lower() in _ROOT_NAMES else value


def _exclusive_dates(slots: _Slots, after: str, before: str) -> dict[str, Any]:
    """An inclusive range as an on-or-after / strictly-before pair of parameters."""
    if slots.dates is None:
        return {}
    args: dict[str, Any] = {}
    if slots.dates.start:
        args[after] = slots.dates.start.isoformat()
    if slots.dates.end:
        args[before] = (slots.dates.end + timedelta(days=1)).isoformat()
    return args


def _inclusive_dates(slots: _Slots, start: str, end: str) -> dict[str, Any]:
    if slots.dates is None:
        return {}
    args: dict[str, Any] = {}
    if slots.dates.start:
        args[start] = slots.dates.start.isoformat()
    if slots.dates.end:
        args[end] = slots.dates.end.isoformat()
    return args


def _drop_none(args: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in args.items() if v is not None}


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def _quoted(slots: _Slots, cue: str) -> str | None:
    return next((m.value for m in slots.mentions if m.quoted and m.cue == cue), None)


# Builders map slots onto one tool's parameters. They return only what the command said (no
# defaults), so a follow-up can merge their output over the previous call's arguments.
def _args_list_sheets(slots: _Slots) -> dict[str, Any]:
    return {
        "name_contains": slots.named("contains", "name")
        or _first(slots.unassigned())
        or slots.named("modifier"),
        "folder": _folder(slots.named("folder", "in", "from")),
        "limit": slots.limit,
        **_exclusive_dates(slots, "modified_after", "modified_before"),
    }


def _args_list_files(slots: _Slots) -> dict[str, Any]:
    folder = slots.named("folder", "in", "for", "from") or _first(slots.unassigned())
    return {
        "folder": _folder(folder),
        "kind": slots.kind,
        "name_contains": slots.named("contains", "name"),
    }


def _args_create(slots: _Slots) -> dict[str, Any]:
    plain = slots.unassigned()
    # "copy 'Price List' to 'Price List 2028'": a quoted name after "to" is the new sheet.
    title = slots.named("name", "as") or _quoted(slots, "to") or (plain.pop(0) if plain else None)
    template = slots.named("template", "from") or _first(plain)
    return {"template": template, "title": title, "folder": _folder(slots.named("folder", "in"))}


def _args_summary(slots: _Slots) -> dict[str, Any]:
    folder = slots.named("folder", "in")
    from_name = slots.named("from")
    if from_name and not _SOURCE_RE.fullmatch(from_name.lower()):
        folder = folder or from_name
    return {
        "group_by": slots.group_by,
        "sources": slots.sources or None,
        "folder": _folder(folder),
        "title": slots.named("name"),
        **_inclusive_dates(slots, "start", "end"),
    }


def _args_list_orders(slots: _Slots) -> dict[str, Any]:
    customer = (
        slots.named("customer")
        or slots.email
        or slots.named("for", "from")
        or _first(slots.unassigned())
    )
    return {
        "status": slots.status,
        "customer": customer,
        "limit": slots.limit,
        **_exclusive_dates(slots, "created_after", "created_before"),
    }


def _args_order(slots: _Slots) -> dict[str, Any]:
    return {"order_id": slots.order_id}


def _args_review(slots: _Slots) -> dict[str, Any]:
    return {"order_id": slots.order_id, "feedback": slots.feedback or _first(slots.unassigned())}


def _args_notify(slots: _Slots) -> dict[str, Any]:
    return {"order_id": slots.order_id, "event": slots.event, "version": slots.version}


_BUILDERS: dict[str, Callable[[_Slots], dict[str, Any]]] = {
    "list_sheets": _args_list_sheets,
    "list_files": _args_list_files,
    "create_sheet_from_template": _args_create,
    "build_summary_sheet": _args_summary,
    "get_order": _args_order,
    "list_orders": _args_list_orders,
    "retry_order": _args_order,
    "approve_order": _args_review,
    "notify": _args_notify,
}
_DATE_PARAMS = frozenset(
    ("modified_after", "modified_before", "created_after", "created_before", "start", "end")
)
# A follow-up may point the same action at another order ("and 9b8c7d6e too"), but never turns
# an approval into a rejection or back.
_FIXED_IN_FOLLOW_UPS = frozenset(("approved",))
_ORDER_ACTIONS = {
    "get_order": "look up",
    "retry_order": "retry",
    "notify": "send a notification about",
}


def _missing(tool: str, args: Mapping[str, Any]) -> list[str]:
    """The details ``tool`` cannot run without that ``args`` lacks, most important first."""
    needed: list[str] = []
    if tool == "create_sheet_from_template":
        needed = ["template", "title"]
    elif tool in ("get_order", "retry_order"):
        needed = ["order_id"]
    elif tool == "approve_order":
        needed = ["order_id"] if args.get("approved", True) else ["order_id", "feedback"]
    elif tool == "notify":
        needed = ["order_id", "event", "version"]
    return [key for key in needed if not args.get(key)]


def _question(tool: str, args: Mapping[str, Any], missing: list[str], short_ref: str | None) -> str:
    """The clarifying question for the first missing detail."""
    if "order_id" in missing:
        action = _ORDER_ACTIONS.get(tool) or (
            "approve" if args.get("approved", True) else "send back"
        )
        prefix = f"“{short_ref}” is too short to be an order id. " if short_ref else ""
        return (
            f"{prefix}Which order should I {action}? Give its id (the first 8 characters are "
            "enough)."
        )
    if tool == "create_sheet_from_template":
        if len(missing) == 2:
            return "Which template should I use, and what should the new sheet be called?"
        if "template" in missing:
            return f"Which template should I use for “{args['title']}”?"
        return f"What should the new sheet made from the “{args['template']}” template be called?"
    if "feedback" in missing:
        return (
            f"What should change in the design of order {args['order_id']}? Tell me the feedback "
            "for the designer, e.g. “reject it because the logo is too small”."
        )
    if "event" in missing:
        return "Which notification: that the design is ready, or that the order is completed?"
    return "Which design version is the notification about (e.g. version 2)?"


def _types(schema: Mapping[str, Any]) -> set[str]:
    """The JSON types a property accepts (looking through anyOf/oneOf)."""
    found: set[str] = set()
    kinds = schema.get("type")
    if isinstance(kinds, str):
        found.add(kinds)
    elif isinstance(kinds, list):
        found.update(str(k) for k in kinds)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key) or ():
            found |= _types(option)
    return found


def _enum(schema: Mapping[str, Any]) -> list[Any] | None:
    if "enum" in schema:
        return list(schema["enum"])
    for key in ("anyOf", "oneOf"):
        for option in schema.get(key) or ():
            values = _enum(option)
            if values is not None:
                return values
    return None


def _conform(args: Mapping[str, Any], schema: ToolSchema) -> dict[str, Any]:
    """Keep only the arguments the bound schema has, with values its enums allow."""
    if not schema.properties:
        return dict(args)
    kept: dict[str, Any] = {}
    for key, value in args.items():
        prop = schema.properties.get(key)
        if prop is None:
            continue
        allowed = _enum(prop)
        if isinstance(value, list):
            items = prop.get("items") or {}
            item_enum = _enum(items) if isinstance(items, Mapping) else None
            value = [v for v in value if item_enum is None or v in item_enum]
            if not value:
                continue
        elif allowed is not None and value not in allowed:
            continue
        kept[key] = value
    return kept


# --------------------------------------------------------------------------- tools outside the
# registry: matched by name, filled generically


_GENERIC_NAME_WORDS = _wordset(
    "get set list make create do run my the tool tools function fn call use query fetch"
)


def _name_tokens(name: str) -> set[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return {t.lower() for t in re.split(r"[\W_]+", spaced) if t} - _GENERIC_NAME_WORDS


def _coerce(value: str, schema: Mapping[str, Any]) -> Any:
    kinds = _types(schema)
    text = value.strip().strip("'\"“”")
    if "integer" in kinds and re.fullmatch(r"-?\d+", text):
        return int(text)
    if "number" in kinds and re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        return float(text)
    if "boolean" in kinds and text.lower() in ("true", "false", "yes", "no"):
        return text.lower() in ("true", "yes")
    return text


def _explicit_call(text: _Text, tools: Mapping[str, ToolSchema]) -> Interpretation | None:
    """'magic_function(3)' or 'add(a=1, b=2)': the user wrote the call themselves."""
    for name, schema in tools.items():
        match = re.search(rf"(?<![\w.]){re.escape(name.lower())}\s*\((?P<a>[^()]*)\)", text.lower)
        if not match:
            continue
        raw = text.original[match.start("a") : match.end("a")].strip()
        parts = [p.strip() for p in raw.split(",") if p.strip()] if raw else []
        names = list(schema.properties)
        args: dict[str, Any] = {}
        for index, part in enumerate(parts):
            key, sep, value = part.partition("=")
            if sep and key.strip() in schema.properties:
                args[key.strip()] = _coerce(value, schema.properties[key.strip()])
            elif index < len(names):
                args[names[index]] = _coerce(part, schema.properties[names[index]])
        return Interpretation(tool=name, args=args)
    return None


def _generic_args(text: _Text, schema: ToolSchema, keyword_end: int | None) -> dict[str, Any]:
    """Arguments for a tool the interpreter has no rules for, from what the text offers:
    ``name=value`` pairs, quoted strings (for string parameters, in order), numbers (for
    numeric ones, in order), and, for a single remaining required string, the rest of the
    sentence after the word that matched the tool."""
    args: dict[str, Any] = {}
    for key, prop in schema.properties.items():
        spoken = re.escape(key.lower()).replace("_", "[ _]")
        match = re.search(
            rf"\b{spoken}\s*(?:=|:|\bis\b)\s*(?P<v>\"[^\"]*\"|'[^']*'|[^\s,;]+)", text.lower
        )
        if match:
            value = text.original[match.start("v") : match.end("v")]
            args[key] = _coerce(value, prop)
    quoted = [
        text.original[m.start(g) : m.end(g)]
        for m in _QUOTED_RE.finditer(text.lower)
        for g in ("d", "c", "s", "q")
        if m[g] is not None
    ]
    numbers = re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])", _QUOTED_RE.sub(" ", text.lower))
    for key, prop in schema.properties.items():
        if key in args:
            continue
        kinds = _types(prop)
        if kinds & {"integer", "number"} and numbers:
            args[key] = _coerce(numbers.pop(0), prop)
        elif "string" in kinds and quoted:
            args[key] = quoted.pop(0)
    missing = [
        k for k in schema.required if k not in args and "string" in _types(schema.properties[k])
    ]
    if len(missing) == 1 and keyword_end is not None:
        rest = _QUOTED_RE.sub(" ", text.original[keyword_end:])
        rest = re.sub(
            r"^\W*(?:(?:in|for|of|about|at|on|to|named|called|with)\s+)*", "", rest, flags=re.I
        )
        rest = " ".join(rest.split()).rstrip("?.! ")
        if rest:
            args[missing[0]] = rest
    return args


def _keyword_call(text: _Text, tools: Mapping[str, ToolSchema]) -> Interpretation | None:
    """A tool outside the registry whose distinctive name words appear in the command."""
    best: tuple[int, int, str] | None = None
    for name in tools:
        if name in DOMAIN_TOOLS:
            continue
        for token in _name_tokens(name):
            match = re.search(rf"\b{re.escape(token)}\b", text.lower)
            if match and (best is None or len(token) > best[0]):
                best = (len(token), match.end(), name)
    if best is None:
        return None
    _, end, name = best
    return Interpretation(tool=name, args=_generic_args(text, tools[name], end))


def _forced_call(
    text: _Text, tools: Mapping[str, ToolSchema], tool_choice: str
) -> Interpretation | None:
    """A call when the caller forces one (tool_choice "any" or a tool's name)."""
    if tool_choice in tools:
        name = tool_choice
    elif tool_choice in ("any", "required") and tools:
        name = next(iter(tools))
    else:
        return None
    return Interpretation(tool=name, args=_generic_args(text, tools[name], None))


# --------------------------------------------------------------------------- interpret


def _capabilities(tools: Mapping[str, ToolSchema]) -> str:
    return capability_list({name: schema.description for name, schema in tools.items()})


def _reply(text: str) -> Interpretation:
    return Interpretation(tool=None, reply=text)


def _guard(command: str, tools: Mapping[str, ToolSchema]) -> Interpretation | None:
    """Replies for commands that are empty, too long or not in English."""
    if not command.strip():
        return _reply(
            "Please type a command, for example “list sheets modified last week”. "
            + _capabilities(tools)
        )
    if len(command) > MAX_COMMAND_CHARS:
        return _reply(
            f"That command is {len(command):,} characters long; I accept up to "
            f"{MAX_COMMAND_CHARS:,}. Please send a shorter command; nothing was done."
        )
    if is_other_language(command):
        return _reply(
            "I only understand commands in English. Please rephrase it in English, for example "
            "“list sheets modified last week”."
        )
    return None


def _small_talk(text: _Text, tools: Mapping[str, ToolSchema]) -> Interpretation | None:
    plain = text.masked.strip(" .!?")
    if _GREETING_RE.search(plain):
        reply = "Hello! I run the shop's drive and orders. " + _capabilities(tools)
    elif _THANKS_RE.search(plain):
        reply = "You're welcome. Anything else?"
    elif _HELP_RE.search(plain):
        reply = _capabilities(tools)
    else:
        return None
    return Interpretation(tool=None, reply=reply, informative=True)


def _cannot(what: str, tools: Mapping[str, ToolSchema]) -> Interpretation:
    return _reply(
        f"I can't {what}: no tool here does that, so nothing was done. " + _capabilities(tools)
    )


def _not_allowed(tool: str, tools: Mapping[str, ToolSchema]) -> Interpretation:
    what = CAPABILITIES.get(tool, f"use {tool}")
    return _reply(
        f"I can't {what} for you: your role doesn't allow it, so nothing was done. "
        + _capabilities(tools)
    )


def _date_error(slots: _Slots) -> Interpretation:
    dates = slots.dates or DateRange()
    start = dates.start.isoformat() if dates.start else "?"
    end = dates.end.isoformat() if dates.end else "?"
    return _reply(
        f"The end date ({end}) is before the start date ({start}), so nothing can match. "
        "Which dates did you mean? Nothing was done."
    )


def _finish(
    tool: str,
    args: Mapping[str, Any],
    tools: Mapping[str, ToolSchema],
    slots: _Slots,
    *,
    refine: bool = False,
) -> Interpretation:
    """A call to ``tool``, or the clarifying question when a required detail is missing."""
    args = _drop_none(args)
    missing = _missing(tool, args)
    if missing:
        return Interpretation(
            tool=None,
            args=dict(args),
            reply=_question(tool, args, missing, slots.short_order_ref),
            asks_for=tool,
        )
    return Interpretation(tool=tool, args=_conform(args, tools[tool]), refine=refine)


def _answer_text(text: _Text) -> str:
    """A bare answer to a clarifying question ("the Price List one"), as a value."""
    value = text.masked_original.replace(_MASK, " ")
    value = re.sub(
        r"^\W*(?:(?:the|a|an|use|it's|it is|call it|name it|because)\s+)*", "", value, flags=re.I
    )
    value = re.sub(r"\s+(?:one|template)\W*$", "", value, flags=re.I)
    # "Invoice, called Invoice 77": the title was taken; its cue word stays behind.
    value = re.sub(r"[\s,;:]*\b(?:called|named|titled|as)\W*$", "", value, flags=re.I)
    return " ".join(value.split()).strip(" .!?,;:\"'“”")


def _feedback_answer(text: _Text) -> str:
    """A bare answer to "what should change?": all of it is the feedback, as typed."""
    value = re.sub(r"^\W*(?:because\s+)?", "", text.original.strip(), flags=re.I)
    return " ".join(value.split()).rstrip(".!")


def _follow_up(
    previous: PreviousCall, text: _Text, slots: _Slots, tools: Mapping[str, ToolSchema]
) -> Interpretation | None:
    """The previous call again with this command's details merged in, when it adds any.

    After a clarifying question, a bare answer ("Price List", "make the fox orange") fills the
    one detail that was asked for.
    """
    new = _drop_none(_BUILDERS[previous.tool](slots))
    new = {k: v for k, v in new.items() if k not in _FIXED_IN_FOLLOW_UPS or previous.pending}
    merged = dict(previous.args)
    if slots.clear_dates or any(k in _DATE_PARAMS for k in new):
        merged = {k: v for k, v in merged.items() if k not in _DATE_PARAMS}
    merged.update(new)
    if previous.pending:
        asked = _missing(previous.tool, previous.args)
        answer = _feedback_answer(text) if asked and asked[0] == "feedback" else _answer_text(text)
        if asked and asked[0] not in new and answer:
            merged[asked[0]] = answer
        return _finish(previous.tool, merged, tools, slots)
    if not new and not slots.clear_dates:
        return None
    return _finish(previous.tool, merged, tools, slots, refine=True)


# list_files absorbs "only the sheets" after "what's in Pricing": a kind, not a new listing.
_REFINES_ACROSS = frozenset({("list_files", "list_sheets")})


def _no_intent(
    text: _Text, tools: Mapping[str, ToolSchema], injected: bool, tool_choice: str | None
) -> Interpretation:
    """A command that matched no registry intent: unsupported, small talk, or another tool."""
    generic = _keyword_call(text, tools)
    for pattern, what in _UNSUPPORTED:
        if text.find(pattern) and generic is None:
            return _cannot(what, tools)
    if injected:
        return _reply(
            "I won't do that: I can't change my instructions or act beyond what your role "
            "allows, so nothing was done. " + _capabilities(tools)
        )
    if generic:
        return generic
    if tool_choice:
        forced = _forced_call(text, tools, tool_choice)
        if forced:
            return forced
    small = _small_talk(text, tools)
    if small:
        return small
    return _reply("I'm not sure what you want me to do. " + _capabilities(tools))


def interpret(
    command: str,
    tools: Mapping[str, ToolSchema],
    today: date,
    previous: PreviousCall | None = None,
    tool_choice: str | None = None,
) -> Interpretation:
    """Decide what to do with one admin command.

    Args:
        command: the last human message, as typed.
        tools: the tools bound to the model, by name; only these are ever chosen.
        today: the date relative dates are resolved against.
        previous: what the previous human turn led to, for follow-ups and answers to
            clarifying questions.
        tool_choice: "any"/"required" or a tool name when the caller forces a call.

    Returns:
        An :class:`Interpretation`: a tool call, or a reply (clarifying question, refusal,
        capability list) and no call.
    """
    guarded = _guard(command, tools)
    if guarded:
        return guarded
    text = _Text(command)
    if _DISMISS_RE.search(text.lower):
        return _reply("OK, I won't do anything.")
    injected = detect_injection(text.lower)
    for start, end in injected:
        text.mask(start, end)

    explicit = _explicit_call(text, tools)
    if explicit and explicit.tool and not injected:
        if explicit.tool in _BUILDERS:  # a registry tool: same checks as any other request
            return _finish(explicit.tool, explicit.args, tools, _Slots())
        return explicit

    reject_words = re.search(INTENT_RULES[0].verbs, text.masked)
    slots = _extract_slots(
        text,
        today,
        with_feedback=reject_words is not None
        or (previous is not None and previous.pending and previous.tool == "approve_order"),
    )
    if slots.dates_inverted:
        return _date_error(slots)

    intent = _detect_intent(text, slots)
    if previous is not None and previous.tool in tools and previous.tool in _BUILDERS:
        own = intent.rule.tool if intent else None
        cue = _REFINE_RE.search(text.masked.strip()) is not None
        related = own == previous.tool or (previous.tool, own) in _REFINES_ACROSS
        # "and the ones in folder Archive" names a folder, it does not ask for a listing of
        # folders: with a follow-up cue, only an intent with its own action word starts anew.
        bare = intent is not None and not intent.commanded and cue
        if own is None or bare or (related and (cue or previous.pending)):
            followed = _follow_up(previous, text, slots, tools)
            if followed is not None:
                return followed

    if intent is None:
        return _no_intent(text, tools, bool(injected), tool_choice)
    tool = intent.rule.tool
    if tool == "build_summary_sheet" and slots.unknown_group:
        return _reply(
            f"I can't group a summary by {slots.unknown_group}: summaries group orders by "
            "product, status, customer or day. Nothing was done."
        )
    for pattern, what in _UNSUPPORTED:
        if text.find(pattern) and tool not in ("approve_order", "notify"):
            return _cannot(what, tools)
    if tool not in tools:
        return _not_allowed(tool, tools)
    return _finish(tool, {**_BUILDERS[tool](slots), **intent.rule.preset}, tools, slots)
