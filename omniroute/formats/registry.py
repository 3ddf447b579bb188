"""The wire formats by name, so the pipeline never names a format itself."""

from __future__ import annotations

from types import ModuleType

from . import anthropic_messages, gemini, openai_chat, openai_responses

FORMATS: dict[str, ModuleType] = {
    module.NAME: module for module in (openai_chat, anthropic_messages, openai_responses, gemini)
}
