"""The multipart form of POST /v1/audio/transcriptions → a validated TranscriptionRequest.
Every problem is a 400 naming the field. A form werkzeug refuses to parse although the body is
within the size limit (more parts than `max_form_parts`, or a text field past
`max_form_memory_size`) is a 400 saying so, not a 413 about the body's size."""

from __future__ import annotations

from collections.abc import Mapping

from werkzeug.exceptions import RequestEntityTooLarge

from ..errors import InvalidRequestError
from ..proxy.client_input import check_model_id
from .formats import SUPPORTED, sniff
from .render import RESPONSE_FORMATS
from .transcript import TranscriptionRequest


def read_form(request, body_limit: int) -> tuple[Mapping[str, str], Mapping]:
    """The Flask request's form fields and files (see the module docstring)."""
    try:
        return request.form, request.files
    except RequestEntityTooLarge:
        if (request.content_length or 0) > body_limit:
            raise
        raise InvalidRequestError(
            f"the form has too many parts (at most {request.max_form_parts}) or a text field "
            f"larger than {request.max_form_memory_size} bytes",
            code="form_too_complex",
        ) from None


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
    check_model_id(model)
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
