"""One module per transcription API, chosen by the provider's wire format."""

from __future__ import annotations

from . import assemblyai, deepgram, openai_whisper
from .common import ProviderCall

TRANSCRIBERS = {
    "deepgram": deepgram.transcribe,
    "assemblyai": assemblyai.transcribe,
    "openai": openai_whisper.transcribe,
}

__all__ = ["TRANSCRIBERS", "ProviderCall"]
