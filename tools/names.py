"""Matching the names people type (misspelt, partial, any case) against names that exist.

Two modes. Loose (listings): an exact name, else the one name that contains it, else the
closest spelling; the result says which one was used. Strict (actions that change something:
creating a sheet): a misspelling inside a word may still resolve ("pricng" finds Pricing), but
never a match that drops or replaces a whole word, nor one of two names about as close. Then
:class:`NameChoice` names the candidates, so the caller can ask which one was meant.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable

from tools.errors import InvalidInput, NotFound

__all__ = ["SIMILARITY_CUTOFF", "NameChoice", "resolve_name"]

SIMILARITY_CUTOFF = 0.6
# Two spellings of one word: "pricng"/"pricing" (0.92), "lsit"/"list" (0.75). Words with digits
# never differ ("2026" is not "2027"), and short ones are compared whole.
_SAME_WORD = 0.75
_SHORTEST_FUZZY_WORD = 4
# Candidates whose scores are this close are "about as close": neither is chosen.
_TIE_MARGIN = 0.05
_MAX_CANDIDATES = 5


class NameChoice(InvalidInput):
    """``wanted`` names no single {what} for sure: it only nearly matches some, or matches
    several about as well. ``candidates`` are the ones to choose from, closest first."""

    def __init__(self, what: str, wanted: str, candidates: list[str], *, tie: bool) -> None:
        self.what = what
        self.wanted = wanted
        self.candidates = candidates
        listed = ", ".join(repr(c) for c in candidates)
        if tie:
            message = f"{wanted!r} matches several {what}s about equally well: {listed}; which one?"
        else:
            message = f"no {what} matches {wanted!r} exactly; did you mean {listed}?"
        super().__init__(message)


def _key(name: str) -> str:
    stem = name.rsplit(".", 1)[0] if name.lower().endswith(".xlsx") else name
    return " ".join(stem.lower().replace("_", " ").replace("-", " ").split())


def _without(key: str, optional: Collection[str]) -> str:
    """``key`` without the words that only say what kind of thing it is ("template")."""
    kept = [w for w in key.split() if w not in optional]
    return " ".join(kept) if kept else key


def _word_likeness(typed: str, real: str) -> float | None:
    """How alike two words are when one may be a misspelling of the other; None when not."""
    if typed == real:
        return 1.0
    if len(typed) < _SHORTEST_FUZZY_WORD or len(real) < _SHORTEST_FUZZY_WORD:
        return None
    if any(c.isdigit() for c in typed + real):
        return None
    ratio = difflib.SequenceMatcher(None, typed, real).ratio()
    return ratio if ratio >= _SAME_WORD else None


def _word_for_word(typed: str, real: str) -> float | None:
    """How alike two names are when every word of each has its counterpart in the other, in
    order, misspelt at most; None when a word is missing, extra or another word."""
    if typed.replace(" ", "") == real.replace(" ", ""):
        return 1.0  # "pricelist" for "price list"
    typed_words, real_words = typed.split(), real.split()
    if len(typed_words) != len(real_words):
        return None
    total = 0.0
    for t, r in zip(typed_words, real_words, strict=True):
        likeness = _word_likeness(t, r)
        if likeness is None:
            return None
        total += likeness
    return total / len(typed_words)


def _near_misses(key: str, by_key: dict[str, list[str]], optional: Collection[str]) -> list[str]:
    """Names that share a word with ``key`` or are spelt much like it, closest first."""
    words = set(_without(key, optional).split())
    scored: list[tuple[float, str]] = []
    for other, names in by_key.items():
        shares = any(
            _word_likeness(w, o) is not None
            for w in words
            for o in _without(other, optional).split()
        )
        ratio = difflib.SequenceMatcher(None, key, other).ratio()
        if shares or ratio >= SIMILARITY_CUTOFF:
            scored.extend((ratio, name) for name in names)
    return [name for _, name in sorted(scored, key=lambda s: (-s[0], s[1]))][:_MAX_CANDIDATES]


def _strict(
    wanted: str, key: str, by_key: dict[str, list[str]], what: str, optional: Collection[str]
) -> str:
    """The one name ``key`` spells word for word, or :class:`NameChoice`, or NotFound."""
    bare = _without(key, optional)
    scored = sorted(
        (
            (score, name)
            for other, names in by_key.items()
            if (score := _word_for_word(bare, _without(other, optional))) is not None
            for name in names
        ),
        key=lambda s: (-s[0], s[1]),
    )
    if len(scored) == 1 or (scored and scored[0][0] - scored[1][0] > _TIE_MARGIN):
        return scored[0][1]
    if scored:
        close = [name for score, name in scored if scored[0][0] - score <= _TIE_MARGIN]
        raise NameChoice(what, wanted, close[:_MAX_CANDIDATES], tie=True)
    near = _near_misses(key, by_key, optional)
    if near:
        raise NameChoice(what, wanted, near, tie=False)
    raise NotFound(f"no {what} matches {wanted!r}; known: {_known(by_key)}")


def _known(by_key: dict[str, list[str]]) -> str:
    return ", ".join(sorted(n for names in by_key.values() for n in names)[:10]) or "none"


def resolve_name(
    wanted: str,
    candidates: Iterable[str],
    what: str,
    *,
    strict: bool = False,
    optional_words: Collection[str] = (),
) -> str:
    """The candidate ``wanted`` means. First an exact match (ignoring case, ``.xlsx`` and the
    ``optional_words`` that only name the kind of thing, such as "template"); then, loose, the
    one candidate that contains it, then the closest spelling; or, ``strict``, the one
    candidate it spells word for word. NotFound names the options; in strict mode,
    :class:`NameChoice` names the near misses or the candidates about as close."""
    by_key: dict[str, list[str]] = {}
    for option in candidates:
        by_key.setdefault(_key(option), []).append(option)
    key = _key(wanted)
    if key in by_key and len(by_key[key]) == 1:
        return by_key[key][0]
    optional = frozenset(w.lower() for w in optional_words)
    bare = [
        names
        for other, names in by_key.items()
        if _without(other, optional) == _without(key, optional)
    ]
    if len(bare) == 1 and len(bare[0]) == 1:
        return bare[0][0]
    if strict:
        return _strict(wanted, key, by_key, what, optional)
    containing = [name for other, names in by_key.items() if key and key in other for name in names]
    if len(containing) == 1:
        return containing[0]
    close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=SIMILARITY_CUTOFF)
    if close and len(by_key[close[0]]) == 1:
        return by_key[close[0]][0]
    raise NotFound(f"no {what} matches {wanted!r}; known: {_known(by_key)}")
