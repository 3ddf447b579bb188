"""Client API for audio transcription (filled in next)."""

from __future__ import annotations

from .client_api import client_blueprint

bp = client_blueprint("audio_api")
