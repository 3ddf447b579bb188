"""Client API for audio: POST /v1/audio/transcriptions (OpenAI-compatible multipart form).
The work is in omniroute.audio; a too-large upload is a 413 in OpenAI's error shape, a form
with too many parts a 400."""

from __future__ import annotations

from flask import current_app, g, request

from ..audio.request_form import parse_form, read_form
from ..audio.service import Transcriber
from .client_api import client_blueprint, services, to_response

bp = client_blueprint("audio_api")


@bp.post("/v1/audio/transcriptions")
@bp.post("/audio/transcriptions")
@bp.post("/v1/v1/audio/transcriptions")
def transcriptions():
    transcriber = Transcriber(services().pipeline)
    reply = transcriber.handle(
        lambda: parse_form(*read_form(request, current_app.config["MAX_CONTENT_LENGTH"])),
        g.api_key_id,
        g.api_key,
    )
    return to_response(reply)
