"""POST /v1/audio/speech: OpenAI's text-to-speech request → the audio bytes.

The body is {model, input, voice, response_format?, speed?, instructions?}; the model prefix
picks the provider and its accounts (fallback across accounts as for the other media calls):
- OpenAI-compatible providers: the body passed through to `{base}/audio/speech`, only the model
  id rewritten;
- ElevenLabs and Cartesia: their own requests (providers/elevenlabs.py, providers/cartesia.py).
The answer is the audio with the Content-Type of its format. The usage row counts the input's
characters as input (what these APIs bill); a row whose model has a price per 1M characters gets
its cost from it. Bad input is a 400 in OpenAI's error shape; a provider's refusal keeps its
status, as for the other media endpoints.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..errors import GatewayError, InvalidRequestError, UpstreamUnreachableError
from ..formats.canonical import Usage
from ..providers import cartesia, elevenlabs
from ..routing.plan import Attempt
from ..usage.trace import RequestTrace
from .media import CLIENT_FORMAT, media_check, parse_json_object, to_json
from .provider_scope import refuse_sign_in
from .reply import Reply
from .transport import network_error
from .upstream_call import UpstreamCall, build_call

ENDPOINT = "audio.speech"
MAX_INPUT_CHARS = 4096  # OpenAI's limit for one request
CONTENT_TYPES = {
    "mp3": "audio/mpeg",
    "opus": "audio/ogg",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}
SPEECH_FORMATS = ("openai", "elevenlabs", "cartesia")


class SpeechRequest:
    endpoint = ENDPOINT
    capability = "speech"

    def __init__(self, raw: bytes):
        self.body = parse_json_object(raw)
        self.model = self.body["model"].strip()
        text = self.body.get("input")
        if not isinstance(text, str) or not text.strip():
            raise InvalidRequestError("'input' is required and must be a string", param="input")
        if len(text) > MAX_INPUT_CHARS:
            raise InvalidRequestError(
                f"'input' may be at most {MAX_INPUT_CHARS} characters", param="input"
            )
        voice = self.body.get("voice")
        if not isinstance(voice, str) or not voice.strip():
            raise InvalidRequestError("'voice' is required and must be a string", param="voice")
        self.text, self.voice = text, voice.strip()
        self.response_format = self.body.get("response_format") or "mp3"
        if not isinstance(self.response_format, str) or self.response_format not in CONTENT_TYPES:
            raise InvalidRequestError(
                "'response_format' must be one of " + ", ".join(CONTENT_TYPES),
                param="response_format",
            )
        speed = self.body.get("speed")
        if speed is not None and (
            not isinstance(speed, int | float) or isinstance(speed, bool) or not 0.25 <= speed <= 4
        ):
            raise InvalidRequestError("'speed' must be a number from 0.25 to 4", param="speed")
        self.speed = speed

    def supports(self, wire_format: str) -> bool:
        return wire_format in SPEECH_FORMATS

    def upstream_request(self, attempt: Attempt) -> UpstreamCall:
        refuse_sign_in(attempt.spec)
        wire = attempt.spec.wire_format
        extra: dict[str, str] = {}
        if wire == "elevenlabs":
            path = elevenlabs.speech_path(self.voice, self.response_format)
            body: dict[str, Any] = elevenlabs.speech_body(attempt.model, self.text, self.speed)
        elif wire == "cartesia":
            path, extra = cartesia.PATH, cartesia.speech_headers()
            body = cartesia.speech_body(attempt.model, self.text, self.voice, self.response_format)
        else:
            path, body = "/audio/speech", {**self.body, "model": attempt.model}
        call = build_call(attempt, to_json(body), path=path)
        headers = {**call.headers, **extra, "Accept": "*/*"}
        # errors are read as OpenAI-shaped JSON, or their text
        return dataclasses.replace(call, headers=headers, wire_format=CLIENT_FORMAT)


def run_speech(pipeline, raw: bytes, api_key_id: int | None, grant=None) -> Reply:
    """Answer one speech call with the first account that answers."""
    trace = RequestTrace(endpoint=ENDPOINT, format_in=CLIENT_FORMAT, api_key_id=api_key_id)
    try:
        speech = SpeechRequest(raw)
        trace.requested_model = speech.model
        answer = pipeline.send(
            speech.model,
            trace,
            speech.upstream_request,
            check_plan=media_check(speech),
            grant=grant,
        )
        audio = _read_audio(answer)
    except GatewayError as error:
        return pipeline.error_reply(CLIENT_FORMAT, trace, error)
    trace.mark_first_token()
    trace.set_usage(Usage(input_tokens=len(speech.text)))
    pipeline.record(trace)
    headers = {"Content-Type": CONTENT_TYPES[speech.response_format]}
    return Reply(200, audio, headers, trace=trace)


def _read_audio(answer) -> bytes:
    provider = answer.attempt.spec.id
    try:
        audio = answer.response.read_all()
    except Exception as exc:
        raise network_error(exc, provider, "reading the answer") from exc
    finally:
        answer.response.close()
    if not audio:
        raise UpstreamUnreachableError(
            f"provider '{provider}' answered with no audio", provider=provider
        )
    return audio
