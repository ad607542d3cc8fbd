"""Intent detection: one admin command in, one :class:`~agent.offline.calls.Interpretation` out.

The offline chat model calls :func:`interpret` with the last human message, the tools it was
bound with (name → JSON schema), today's date and the previous turn's tool call. The work runs in
fixed stages, each a small table rather than a chain of ifs:

1. guards (:mod:`agent.offline.no_tool`): empty or over-long commands, other languages, prompt
   injection (:mod:`agent.offline.text`);
2. slots (:mod:`agent.offline.slots`): quoted names, dates, order ids, limits, statuses,
   group-by words, names after cue words; each found span is masked so later stages do not read
   it twice;
3. intent (here): every rule of every phrasebook entry (:mod:`agent.offline.phrasebook`) scores
   the masked text (verbs, nouns, word order);
4. arguments: the chosen entry maps slots onto its tool's parameters, and asks a clarifying
   question when a required one is missing; a filter the tool cannot apply is never dropped
   (:mod:`agent.offline.filters`): another tool that applies it answers, or the interpreter
   asks;
5. follow-ups (here): a refinement ("only the failed ones", "what about March?") re-issues the
   previous call with the new constraints merged in; an answer to a question completes the call
   that asked it.

Only tools that were bound are ever chosen: an intent whose tool the caller may not use gets a
reply saying so. Tools outside the phrasebook (anything bound by a caller) are matched
generically by :mod:`agent.offline.generic_tools`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from agent.offline import no_tool
from agent.offline.answers import answer_text, feedback_answer, pick_choice
from agent.offline.calls import Interpretation, PreviousCall, ToolSchema, conform, drop_none
from agent.offline.filters import instead, unapplied
from agent.offline.generic_tools import explicit_call, forced_call, keyword_call
from agent.offline.phrasebook import PHRASEBOOK, Entry, IntentRule
from agent.offline.phrasebook.approve_order import REJECT_VERBS
from agent.offline.slots import Slots, extract_slots
from agent.offline.text import CommandText, detect_injection

__all__ = ["interpret"]


# --------------------------------------------------------------------------- intents


@dataclass(frozen=True)
class _Intent:
    entry: Entry
    rule: IntentRule
    score: int
    commanded: bool  # its own action word is there ("list orders"), not just a noun


def _score(entry: Entry, rule: IntentRule, text: str, slots: Slots) -> int:
    """How strongly ``text`` (masked) reads as ``rule``'s intent; 0 when it does not."""
    verb = re.search(rule.verbs, text)
    noun = re.search(rule.nouns, text)
    has_verb = verb is not None
    has_noun = noun is not None or (rule.implied_noun is not None and rule.implied_noun(slots))
    ok = {
        "verb": has_verb,
        "noun": has_noun,
        "both": has_verb and has_noun,
        "either": has_verb or has_noun,
    }[rule.needs]
    if entry.tool in text and (ok or rule.preset.get("approved", True)):
        return rule.weight + 10  # the tool named outright ("call retry_order")
    has_id = slots.order_id is not None or slots.short_order_ref is not None
    if not ok or (rule.needs_id and not has_id):
        return 0
    score = rule.weight + 2 * has_verb + 2 * has_noun
    if verb and noun and verb.start() < noun.start():
        score += 1  # "list sheets" reads as a command more than "sheets ... list"
    if rule.wants_id and has_id:
        score += 3
    return score + (rule.bonus(text, slots) if rule.bonus else 0)


def _detect_intent(text: CommandText, slots: Slots) -> _Intent | None:
    best: _Intent | None = None
    for entry in PHRASEBOOK.values():
        for rule in entry.rules:
            score = _score(entry, rule, text.masked, slots)
            if score and (best is None or score > best.score):
                commanded = re.search(rule.verbs, text.masked) is not None
                best = _Intent(entry, rule, score, commanded)
    return best


_REFINE_RE = re.compile(
    r"^(?:only|just|and|now|also|but|instead|then|ok(?:ay)?|so|what\s+about|how\s+about|"
    r"same|narrow|filter|limit|sort|make\s+it|change\s+it|switch|exclude|include|without|"
    r"the\s+ones|those|these|ones|the\s+(?:first|top|last|latest|newest))\b|"
    r"\b(?:the\s+ones|those\s+ones|same\s+(?:thing|query|list|but|for)|instead|as\s+well|too)\b"
)


# --------------------------------------------------------------------------- calls


def _finish(
    entry: Entry,
    args: Mapping[str, Any],
    tools: Mapping[str, ToolSchema],
    slots: Slots,
    *,
    refine: bool = False,
) -> Interpretation:
    """A call to ``entry``'s tool, or the clarifying question when a required detail is
    missing."""
    args = drop_none(args)
    missing = entry.missing(args)
    if missing and entry.ask is not None:
        return Interpretation(
            tool=None,
            args=dict(args),
            reply=entry.ask(args, missing, slots),
            asks_for=entry.tool,
            kind="question",
        )
    return Interpretation(tool=entry.tool, args=conform(args, tools[entry.tool]), refine=refine)


def _follow_up(
    previous: PreviousCall, text: CommandText, slots: Slots, tools: Mapping[str, ToolSchema]
) -> Interpretation | None:
    """The previous call again with this command's details merged in, when it adds any.

    After a clarifying question, a bare answer ("Price List", "make the fox orange", "the
    second one") fills the one detail that was asked for.
    """
    entry = PHRASEBOOK[previous.tool]
    new = drop_none(entry.build(slots))
    new = {k: v for k, v in new.items() if k not in entry.fixed_in_follow_ups or previous.pending}
    merged = dict(previous.args)
    if slots.clear_dates or any(k in entry.date_params for k in new):
        merged = {k: v for k, v in merged.items() if k not in entry.date_params}
    merged.update(new)
    if previous.pending:
        asked = [previous.asks] if previous.asks else entry.missing(previous.args)
        if asked and asked[0] not in new:
            if asked[0] == "feedback":
                answer = feedback_answer(text)
            else:
                answer = pick_choice(text, previous.choices) or answer_text(text)
            if answer:
                merged[asked[0]] = answer
        return _finish(entry, merged, tools, slots)
    dropped = unapplied(entry, slots)
    if dropped:
        return instead(entry, dropped, slots, tools, carried=previous.args)
    narrowed = slots.named("only")
    if narrowed and not new:
        return Interpretation(
            tool=None,
            reply=f"I can't narrow that by “{narrowed}”: I can {entry.capability}. "
            "What should I narrow it by?",
            kind="question",
        )
    if not new and not slots.clear_dates:
        return None
    return _finish(entry, merged, tools, slots, refine=True)


def _no_intent(
    text: CommandText, tools: Mapping[str, ToolSchema], injected: bool, tool_choice: str | None
) -> Interpretation:
    """A command that matched no phrasebook intent: unsupported, small talk, or another tool."""
    generic = keyword_call(text, tools)
    for pattern, what in no_tool.UNSUPPORTED:
        if text.find(pattern) and generic is None:
            return no_tool.cannot(what, tools)
    if injected:
        return no_tool.injected(tools)
    if generic:
        return generic
    if tool_choice:
        forced = forced_call(text, tools, tool_choice)
        if forced:
            return forced
    return no_tool.small_talk(text, tools) or no_tool.unclear(tools)


def _continues(previous: PreviousCall, intent: _Intent | None, text: CommandText) -> bool:
    """Whether the command carries on from ``previous`` rather than starting anew."""
    own = intent.entry.tool if intent else None
    cue = _REFINE_RE.search(text.masked.strip()) is not None
    related = own == previous.tool or (own is not None and own in PHRASEBOOK[previous.tool].absorbs)
    # "and the ones in folder Archive" names a folder, it does not ask for a listing of
    # folders: with a follow-up cue, only an intent with its own action word starts anew.
    bare = intent is not None and not intent.commanded and cue
    return own is None or bare or (related and (cue or previous.pending))


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
    guarded = no_tool.guard(command, tools)
    if guarded:
        return guarded
    text = CommandText(command)
    dismissed = no_tool.dismissed(text)
    if dismissed:
        return dismissed
    injected = detect_injection(text.lower)
    for start, end in injected:
        text.mask(start, end)

    explicit = explicit_call(text, tools)
    if explicit and explicit.tool and not injected:
        if explicit.tool in PHRASEBOOK:  # a registry tool: same checks as any other request
            return _finish(PHRASEBOOK[explicit.tool], explicit.args, tools, Slots())
        return explicit

    rejecting = re.search(REJECT_VERBS, text.masked) is not None
    slots = extract_slots(
        text,
        today,
        with_feedback=rejecting
        or (previous is not None and previous.pending and previous.tool == "approve_order"),
    )
    if slots.dates_inverted:
        return no_tool.date_error(slots)

    intent = _detect_intent(text, slots)
    if (
        previous is not None
        and previous.tool in tools
        and previous.tool in PHRASEBOOK
        and _continues(previous, intent, text)
    ):
        followed = _follow_up(previous, text, slots, tools)
        if followed is not None:
            return followed

    if intent is None:
        return _no_intent(text, tools, bool(injected), tool_choice)
    entry = intent.entry
    refusal = entry.refusal(slots) if entry.refusal else None
    if refusal:
        return no_tool.refuse(refusal)
    for pattern, what in no_tool.UNSUPPORTED:
        if text.find(pattern) and not entry.free_text:
            return no_tool.cannot(what, tools)
    if entry.tool not in tools:
        return no_tool.not_allowed(entry.tool, tools)
    dropped = unapplied(entry, slots)
    if dropped:
        return instead(entry, dropped, slots, tools)
    return _finish(entry, {**entry.build(slots), **intent.rule.preset}, tools, slots)
