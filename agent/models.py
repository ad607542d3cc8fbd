"""The chat-model factory: the offline interpreter, or any model init_chat_model knows."""

from __future__ import annotations

from langchain.chat_models import init_chat_model
from langchain_core.language_models import BaseChatModel

from agent.offline import OfflineChatModel
from settings import Settings

OFFLINE = "offline"


def make_chat_model(settings: Settings) -> BaseChatModel:
    """``ATELIER_LLM=offline`` (default): the deterministic command interpreter. Anything else is
    an init_chat_model spec such as ``openai:gpt-4.1-mini``; OpenAI-compatible servers (Ollama,
    vLLM, llama.cpp) are reached through ``OPENAI_BASE_URL``."""
    if settings.llm == OFFLINE:
        return OfflineChatModel()
    return init_chat_model(settings.llm, temperature=0)
