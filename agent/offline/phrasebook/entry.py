"""The shape of a phrasebook entry: everything the interpreter knows of one tool.

An entry names the tool's parameters and the result keys its reply reads; the model checks both
against the bound tool's schemas when it is bound (:mod:`agent.offline.schema_check`), so a
renamed field fails at start-up instead of quietly degrading replies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from agent.offline.slots import Slots

__all__ = ["FILTERS", "Builder", "Entry", "Filter", "IntentRule", "Question", "ReplyWriter"]

# Slots -> the tool's arguments: only what the command said (no defaults), so a follow-up can
# merge them over the previous call's arguments.
Builder = Callable[[Slots], dict[str, Any]]
# (arguments known so far, the details still missing, the command's slots) -> the question.
Question = Callable[[Mapping[str, Any], list[str], Slots], str]
# (the call's arguments, the tool's result) -> the reply's paragraph.
ReplyWriter = Callable[[Mapping[str, Any], Any], str]

# Constraints a command can put on what it asks for. A tool that cannot apply one that the
# command gives must not drop it silently (see Entry.filters).
Filter = Literal["order", "status", "customer", "dates", "limit", "group", "kind"]
FILTERS: tuple[Filter, ...] = ("order", "status", "customer", "dates", "limit", "group", "kind")


@dataclass(frozen=True)
class IntentRule:
    """How one intent of a tool shows in a command.

    Attributes:
        verbs: regex of the action words; nouns: regex of the things acted on.
        needs: which of them must be present: "verb", "noun", "both" or "either".
        weight: added to the score when the rule applies; higher wins ties of evidence.
        preset: fixed arguments (approve and reject share a tool).
        wants_id: scores higher when an order id is present; needs_id: applies only then.
        implied_noun: slots that stand for the noun once their words are masked (a template's
            name stands for "template").
        bonus: extra points from the masked text and the slots (a group-by for a summary).
    """

    verbs: str
    nouns: str
    needs: Literal["verb", "noun", "both", "either"]
    weight: int
    preset: Mapping[str, Any] = field(default_factory=dict)
    wants_id: bool = False
    needs_id: bool = False
    implied_noun: Callable[[Slots], bool] | None = None
    bonus: Callable[[str, Slots], int] | None = None


def _nothing_required(args: Mapping[str, Any]) -> list[str]:
    return []


@dataclass(frozen=True)
class Entry:
    """One tool's phrasebook entry.

    Attributes:
        tool: the registry name.
        capability: what it lets an admin do, for "I can: ..." lists.
        action: what a call was trying to do, for "I couldn't ..." replies.
        rules: how its intents show in a command.
        build: its arguments from a command's slots.
        parameters: every parameter ``build``, the rules' presets and answers may set.
        values: for parameters with a fixed set of values, every value it may send (a status,
            a grouping), checked against the tool's enum.
        required: the details it cannot run without that the arguments lack, most important
            first (a function: rejecting needs feedback, approving does not).
        ask: the clarifying question for the first missing detail.
        reply: the reply's paragraph from its result.
        result_keys: every result key ``reply`` reads, dotted through objects and lists
            ("sheets.name" is the name of each sheet).
        shape_key: the key without which a result is some other shape (a newer schema, another
            tool of the same name): shown as it is rather than misread as "nothing found".
        date_params: the parameters a new date phrase replaces in a follow-up.
        fixed_in_follow_ups: parameters a follow-up never changes (approve never turns into
            reject).
        absorbs: tools whose intent, in a follow-up, refines this one ("only the sheets" after
            a folder's listing is a kind, not a new listing).
        free_text: its arguments carry free text (reviewer feedback, a message), so words such
            as "change" or "delete" in it are not requests of their own.
        filters: the command filters it applies; a command giving another one is answered by
            a tool in ``instead`` that applies them all, or asked about. None: not checked
            (an action on one named thing, whose other words only describe it).
        instead: the tools that can answer when a filter cannot be applied here.
        implied_filters: filters the command gives in words only this tool reads as such (a
            summary "for Jane Doe" is for a customer).
        refusal: a reply refusing what the slots ask of it, or None (a grouping it lacks).
    """

    tool: str
    capability: str
    action: str
    rules: tuple[IntentRule, ...]
    build: Builder
    parameters: frozenset[str]
    reply: ReplyWriter
    result_keys: frozenset[str]
    values: Mapping[str, frozenset[str]] = field(default_factory=dict)
    shape_key: str | None = None
    required: Callable[[Mapping[str, Any]], list[str]] = _nothing_required
    ask: Question | None = None
    date_params: frozenset[str] = frozenset()
    fixed_in_follow_ups: frozenset[str] = frozenset()
    absorbs: frozenset[str] = frozenset()
    free_text: bool = False
    filters: frozenset[Filter] | None = None
    instead: tuple[str, ...] = ()
    implied_filters: Callable[[Slots], frozenset[Filter]] | None = None
    refusal: Callable[[Slots], str | None] | None = None

    def missing(self, args: Mapping[str, Any]) -> list[str]:
        """The required details ``args`` lacks."""
        return [key for key in self.required(args) if not args.get(key)]
