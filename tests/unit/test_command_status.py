"""A command's status comes from what any chat model's messages say: the actions' results, a
question at the end of the reply, the standard refusal field. Nothing model-specific."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from agent.offline import OfflineChatModel
from server.commands import Action, ActionStatus, CommandStatus, reply_status
from tests.unit.test_offline_model import Recorder


def action(status: ActionStatus) -> Action:
    return Action(tool="list_sheets", args={}, status=status, result={})


@pytest.mark.parametrize(
    ("reply", "actions", "expected"),
    [
        (AIMessage("Found 2 spreadsheets."), [action("ok")], "ok"),
        (AIMessage("Hello! I can list sheets."), [], "ok"),
        (AIMessage("Which template should I use?"), [], "needs_input"),
        (AIMessage("Which order (the first 8 characters are enough)?"), [], "needs_input"),
        (AIMessage("Did you mean “Order Template”?”"), [action("error")], "needs_input"),
        (AIMessage("I couldn't find that order: not found."), [action("error")], "error"),
        (AIMessage("You may not do that. Shall I list them?"), [action("denied")], "error"),
        (AIMessage("I can't help with that.", additional_kwargs={"refusal": "no"}), [], "error"),
        # What langchain-openai leaves on an ordinary answer.
        (AIMessage("There are 4 templates.", additional_kwargs={"refusal": None}), [], "ok"),
        (AIMessage("Is it? No. It is done."), [], "ok"),  # a question inside is no question
    ],
)
def test_reply_status(reply: AIMessage, actions: list[Action], expected: CommandStatus) -> None:
    assert reply_status(reply, actions) == expected


def offline_reply(command: str) -> AIMessage:
    model = OfflineChatModel().bind_tools(Recorder().tools())
    return model.invoke([SystemMessage("Today is 2026-11-24."), HumanMessage(command)])


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("hello", "ok"),
        ("thanks", "ok"),
        ("what can you do?", "ok"),
        ("delete all the files", "error"),
        ("montre-moi les feuilles", "error"),
        ("summary by product from 2026-11-20 to 2026-11-10", "error"),
        ("retry order", "needs_input"),
        ("create a sheet from a template", "needs_input"),
        ("reject order 3f1c2a9e", "needs_input"),
        ("build a summary of completed orders by product", "needs_input"),
    ],
)
def test_the_offline_model_says_what_its_replies_are_in_standard_fields(
    command: str, expected: CommandStatus
) -> None:
    assert reply_status(offline_reply(command), []) == expected
