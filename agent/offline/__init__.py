"""The offline chat model: a deterministic command interpreter with tool calling.

Modules, each with one job; each imports only the ones listed before it:

- :mod:`~agent.offline.dates`: date phrases as date ranges;
- :mod:`~agent.offline.text`: the command as text (normalised, masked), language and injection
  checks;
- :mod:`~agent.offline.calls`: what goes in and out of the interpreter;
- :mod:`~agent.offline.names`: names in a command, after their cue words;
- :mod:`~agent.offline.slots`: everything in a command a parameter might want;
- :mod:`~agent.offline.answers`: bare answers to the interpreter's questions;
- :mod:`~agent.offline.wording`: small pieces of reply text;
- :mod:`~agent.offline.phrasebook`: one entry per registry tool: its intents, arguments,
  questions and replies;
- :mod:`~agent.offline.schema_check`: the phrasebook against the bound tools' schemas;
- :mod:`~agent.offline.generic_tools`: tools outside the phrasebook;
- :mod:`~agent.offline.no_tool`: replies to commands no tool answers;
- :mod:`~agent.offline.filters`: filters a tool cannot apply, answered by one that can;
- :mod:`~agent.offline.intents`: a command in, a call or a reply out;
- :mod:`~agent.offline.replies`: the final reply from tool results;
- :mod:`~agent.offline.model`: the LangChain chat model around it all.
"""

from __future__ import annotations

from agent.offline.model import MODEL_NAME, OfflineChatModel, today_from_messages

__all__ = ["MODEL_NAME", "OfflineChatModel", "today_from_messages"]
