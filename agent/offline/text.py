"""The command as text: normalised, lowercased and masked as slots are taken, and the checks
that read the whole command before any slot is (another language, prompt injection).

Every other interpreter module reads a command through :class:`CommandText`; this module knows
nothing of tools or slots.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

__all__ = [
    "MASK",
    "QUOTED_RE",
    "CommandText",
    "alternation",
    "detect_injection",
    "is_other_language",
    "quoted_span",
    "word_list",
    "wordset",
]


# Replaces consumed text. A private-use character: not a word character and, unlike the ASCII
# separators, not whitespace either, so no pattern reads across it.
MASK = "\ue000"


class CommandText:
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
            MASK if m == MASK else o for o, m in zip(self.original, self.masked, strict=True)
        )

    def mask(self, start: int, end: int) -> None:
        """Mark a span as consumed: no later pattern on the masked form reads it."""
        self.masked = self.masked[:start] + MASK * (end - start) + self.masked[end:]

    def take(self, start: int, end: int) -> str:
        """The user's own spelling of a span, without surrounding quotes."""
        return self.original[start:end].strip(" '\"“”‘’")

    def find(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """The first match of ``pattern`` in what is not consumed yet."""
        return pattern.search(self.masked)

    def finditer(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        """Every match of ``pattern`` in what is not consumed yet."""
        return pattern.finditer(self.masked)


def word_list(words: str) -> tuple[str, ...]:
    """The whitespace-separated words of a word list written as one string."""
    return tuple(words.split())


def wordset(words: str) -> frozenset[str]:
    """The words of a word list written as one string, as a set."""
    return frozenset(word_list(words))


def alternation(words: str) -> str:
    """A regex alternation of space-separated phrases (underscores stand for spaces)."""
    phrases = sorted((w.replace("_", r"\s+") for w in words.split()), key=len, reverse=True)
    return "(?:" + "|".join(phrases) + ")"


# A name in double, curly or single quotes; one of the groups d, c, s, q holds its text.
QUOTED_RE = re.compile(
    r"\"(?P<d>[^\"]+)\"|“(?P<c>[^”]+)”|‘(?P<s>[^’]+)’|(?<![\w'])'(?P<q>[^']+?)'(?![\w])"
)


def quoted_span(match: re.Match[str]) -> tuple[int, int]:
    """The span of the text inside the quotes of a :data:`QUOTED_RE` match."""
    group = next(g for g in ("d", "c", "s", "q") if match[g] is not None)
    return match.span(group)


# --------------------------------------------------------------------------- guards: other
# languages, prompt injection


_ENGLISH = wordset(
    """the a an and of in on to for from with me my all show list find what which whats
    sheets sheet files file orders order folder template please is are was were that this
    last since before after by new make create give get any how many can you i it summary
    report week month today yesterday group only just now about approve retry reject notify
    tell hello hi hey thanks thank help do does where who when why your our us we at
    between named called into as"""
)
_FOREIGN = wordset(
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
_FOREIGN_ALONE = wordset("bonjour salut merci hola gracias hallo danke ciao grazie olá")


def is_other_language(text: str) -> bool:
    """True when ``text`` is clearly not English: mostly non-Latin letters, or foreign
    function words with no English ones. Quoted names are ignored (they may be in any
    language)."""
    unquoted = QUOTED_RE.sub(" ", text)
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
