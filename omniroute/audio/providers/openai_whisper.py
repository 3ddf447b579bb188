"""OpenAI-compatible transcription: the multipart form forwarded to {base}/audio/transcriptions.

Whisper models are asked for `verbose_json` (language, duration and timed segments); other
models (gpt-4o-transcribe…) only know `json`, which carries the text alone.
"""

from __future__ import annotations

from ..transcript import Segment, Transcript
from .common import ProviderCall, invalid_answer, read_json, seconds


def transcribe(call: ProviderCall) -> Transcript:
    request = call.request
    verbose = "whisper" in call.attempt.model.lower()
    fields: list = [
        ("file", (request.filename, request.audio, request.audio_format.mime)),
        ("model", call.attempt.model),
        ("response_format", "verbose_json" if verbose else "json"),
    ]
    if request.language:
        fields.append(("language", request.language))
    if request.prompt:
        fields.append(("prompt", request.prompt))
    from urllib3 import encode_multipart_formdata  # loaded by the first transcription

    body, content_type = encode_multipart_formdata(fields)
    response = call.client.post(
        call.url("/audio/transcriptions"),
        body,
        call.headers(**{"Content-Type": content_type, "Accept": "application/json"}),
        provider=call.provider,
    )
    payload = read_json(call, response, _error_message)
    text = payload.get("text")
    if not isinstance(text, str):
        raise invalid_answer(call)
    segments = tuple(
        Segment(float(s["start"]), float(s["end"]), str(s["text"]).strip())
        for s in payload.get("segments") or []
        if isinstance(s, dict) and {"start", "end", "text"} <= s.keys()
    )
    return Transcript(
        text=text,
        language=payload.get("language") or request.language,
        duration=seconds(payload.get("duration")),
        segments=segments,
    )


def _error_message(payload: dict) -> str | None:
    error = payload.get("error")
    if isinstance(error, dict):
        return error.get("message")
    return error if isinstance(error, str) else payload.get("message")
