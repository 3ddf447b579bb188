"""Client API handler for audio: POST /v1/audio/transcriptions (OpenAI-compatible multipart
form). The work is in omniroute.audio; a too-large upload is a 413 in OpenAI's error shape, a
form with too many parts a 400."""

from __future__ import annotations

from werkzeug.wrappers import Request

from ..audio.request_form import parse_form, read_form
from ..audio.service import Transcriber
from ..proxy.reply import Reply
from .request import ClientRequest


def transcriptions(request: ClientRequest) -> Reply:
    form_request = Request(request.environ)
    form_request.max_content_length = request.limit
    transcriber = Transcriber(request.services.pipeline)
    return transcriber.handle(
        lambda: parse_form(*read_form(form_request, request.limit)),
        request.key_id,
        request.grant,
    )
