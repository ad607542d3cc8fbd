"""Intent detection: one admin command in, one :class:`~agent.calls.Interpretation` out.

The offline chat model calls :func:`interpret` with the last human message, the tools it was
bound with (name → JSON schema), today's date and the previous turn's tool call. The work runs in
fixed stages, each a small table rather than a chain of ifs, each in a module of its own:

1. guards (:mod:`agent.text`): empty or over-long commands, other languages, prompt injection;
2. slots (:mod:`agent.slots`): quoted names, dates, order ids, limits, statuses, group-by words,
   names after cue words; each found span is masked so later stages do not read it twice;
3. intent (here): every rule in :data:`INTENT_RULES` scores the masked text (verbs, nouns, word
   order);
4. arguments (:mod:`agent.arguments`): a builder per tool maps slots onto that tool's
   parameters, and asks a clarifying question when a required one is missing;
5. follow-ups (here): a refinement ("only the failed ones", "what about March?") re-issues the
   previous call with the new constraints merged in.

Only tools that were bound are ever chosen: an intent whose tool the caller may not use gets a
reply saying so. Tools outside the registry (anything bound by a caller) are matched generically
by :mod:`agent.generic_tools`. Imports flow one way: text → slots → arguments → intents, with
:mod:`agent.calls` (the interpreter's types) and :mod:`agent.generic_tools` beside them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from agent.arguments import (
    BUILDERS,
    DATE_PARAMS,
    FIXED_IN_FOLLOW_UPS,
    clarifying_question,
    drop_none,
    missing_details,
)
from agent.calls import Interpretation, PreviousCall, ToolSchema, conform
from agent.dates import DateRange
from agent.generic_tools import DOMAIN_TOOLS, explicit_call, forced_call, keyword_call
from agent.replies import CAPABILITIES, capability_list
from agent.slots import Slots, answer_text, extract_slots, feedback_answer
from agent.text import CommandText, detect_injection, is_other_language

__all__ = [
    "DOMAIN_TOOLS",
    "INTENT_RULES",
    "MAX_COMMAND_CHARS",
    "IntentRule",
    "Interpretation",
    "PreviousCall",
    "ToolSchema",
    "interpret",
]

# Commands are one or two sentences; anything longer is a paste, not a command.
# The API refuses longer commands with a 422 before any model sees them; this guards direct use.
MAX_COMMAND_CHARS = 4000


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


def _implied_noun(rule: IntentRule, slots: Slots) -> bool:
    """Slots that stand for a rule's noun once their words are masked: a template name given
    after "from" is the template, a quoted name after "create" is the sheet."""
    if rule.tool == "create_sheet_from_template":
        return slots.named("template") is not None or any(
            m.quoted and m.cue in ("from", "plain") for m in slots.mentions
        )
    return False


def _score(rule: IntentRule, text: str, slots: Slots) -> int:
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


def _detect_intent(text: CommandText, slots: Slots) -> _Intent | None:
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


def _small_talk(text: CommandText, tools: Mapping[str, ToolSchema]) -> Interpretation | None:
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


def _date_error(slots: Slots) -> Interpretation:
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
    slots: Slots,
    *,
    refine: bool = False,
) -> Interpretation:
    """A call to ``tool``, or the clarifying question when a required detail is missing."""
    args = drop_none(args)
    missing = missing_details(tool, args)
    if missing:
        return Interpretation(
            tool=None,
            args=dict(args),
            reply=clarifying_question(tool, args, missing, slots.short_order_ref),
            asks_for=tool,
        )
    return Interpretation(tool=tool, args=conform(args, tools[tool]), refine=refine)


def _follow_up(
    previous: PreviousCall, text: CommandText, slots: Slots, tools: Mapping[str, ToolSchema]
) -> Interpretation | None:
    """The previous call again with this command's details merged in, when it adds any.

    After a clarifying question, a bare answer ("Price List", "make the fox orange") fills the
    one detail that was asked for.
    """
    new = drop_none(BUILDERS[previous.tool](slots))
    new = {k: v for k, v in new.items() if k not in FIXED_IN_FOLLOW_UPS or previous.pending}
    merged = dict(previous.args)
    if slots.clear_dates or any(k in DATE_PARAMS for k in new):
        merged = {k: v for k, v in merged.items() if k not in DATE_PARAMS}
    merged.update(new)
    if previous.pending:
        asked = missing_details(previous.tool, previous.args)
        answer = feedback_answer(text) if asked and asked[0] == "feedback" else answer_text(text)
        if asked and asked[0] not in new and answer:
            merged[asked[0]] = answer
        return _finish(previous.tool, merged, tools, slots)
    if not new and not slots.clear_dates:
        return None
    return _finish(previous.tool, merged, tools, slots, refine=True)


# list_files absorbs "only the sheets" after "what's in Pricing": a kind, not a new listing.
_REFINES_ACROSS = frozenset({("list_files", "list_sheets")})


def _no_intent(
    text: CommandText, tools: Mapping[str, ToolSchema], injected: bool, tool_choice: str | None
) -> Interpretation:
    """A command that matched no registry intent: unsupported, small talk, or another tool."""
    generic = keyword_call(text, tools)
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
        forced = forced_call(text, tools, tool_choice)
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
    text = CommandText(command)
    if _DISMISS_RE.search(text.lower):
        return _reply("OK, I won't do anything.")
    injected = detect_injection(text.lower)
    for start, end in injected:
        text.mask(start, end)

    explicit = explicit_call(text, tools)
    if explicit and explicit.tool and not injected:
        if explicit.tool in BUILDERS:  # a registry tool: same checks as any other request
            return _finish(explicit.tool, explicit.args, tools, Slots())
        return explicit

    reject_words = re.search(INTENT_RULES[0].verbs, text.masked)
    slots = extract_slots(
        text,
        today,
        with_feedback=reject_words is not None
        or (previous is not None and previous.pending and previous.tool == "approve_order"),
    )
    if slots.dates_inverted:
        return _date_error(slots)

    intent = _detect_intent(text, slots)
    if previous is not None and previous.tool in tools and previous.tool in BUILDERS:
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
    return _finish(tool, {**BUILDERS[tool](slots), **intent.rule.preset}, tools, slots)
