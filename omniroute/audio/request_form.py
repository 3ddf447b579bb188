"""The multipart form of POST /v1/audio/transcriptions → a validated TranscriptionRequest.
Every problem is a 400 naming the field."""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import InvalidRequestError
from .formats import SUPPORTED, sniff
from .render import RESPONSE_FORMATS
from .transcript import TranscriptionRequest


def parse_form(form: Mapping[str, str], files: Mapping) -> TranscriptionRequest:
    upload = files.get("file")
    if upload is None:
        raise InvalidRequestError(
            "'file' is required: send the audio as a multipart/form-data field named 'file'",
            param="file",
        )
    model = (form.get("model") or "").strip()
    if not model:
        raise InvalidRequestError("'model' is required, e.g. 'openai/whisper-1'", param="model")
    response_format = (form.get("response_format") or "json").strip()
    if response_format not in RESPONSE_FORMATS:
        raise InvalidRequestError(
            f"'response_format' must be one of {', '.join(RESPONSE_FORMATS)}",
            param="response_format",
        )
    audio = upload.read()
    filename = upload.filename or "audio"
    if not audio:
        raise InvalidRequestError(f"'file' is empty ({filename})", param="file")
    audio_format = sniff(audio)
    if audio_format is None:
        names = ", ".join(f.name for f in SUPPORTED)
        raise InvalidRequestError(
            f"'file' ({filename}) is not a supported audio file: its content is none of {names}",
            param="file",
            code="unsupported_file_type",
        )
    return TranscriptionRequest(
        audio=audio,
        filename=filename,
        audio_format=audio_format,
        model=model,
        language=(form.get("language") or "").strip() or None,
        prompt=form.get("prompt") or None,
        response_format=response_format,
    )
