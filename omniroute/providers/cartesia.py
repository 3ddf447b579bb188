"""Cartesia text-to-speech behind OpenAI's /audio/speech.

POST {base}/tts/bytes with `Authorization: Bearer <key>`, a `Cartesia-Version` date and
{"model_id", "transcript", "voice": {"mode": "id", "id"}, "output_format": {"container", …}}
answers the audio bytes. The client's `voice` is the Cartesia voice id; `speed` (OpenAI's 0.25–4)
is not Cartesia's scale and is left out. Pure, no I/O.
"""

from __future__ import annotations

from ..errors import InvalidRequestError

API_VERSION = "2025-04-16"
PATH = "/tts/bytes"
# OpenAI's response_format → Cartesia's output_format (OpenAI's pcm is raw 24 kHz 16-bit LE).
OUTPUT_FORMATS = {
    "mp3": {"container": "mp3", "sample_rate": 44100, "bit_rate": 128000},
    "wav": {"container": "wav", "encoding": "pcm_s16le", "sample_rate": 44100},
    "pcm": {"container": "raw", "encoding": "pcm_s16le", "sample_rate": 24000},
}


def speech_headers() -> dict[str, str]:
    return {"Cartesia-Version": API_VERSION}


def speech_body(model: str, text: str, voice: str, response_format: str) -> dict:
    output = OUTPUT_FORMATS.get(response_format)
    if output is None:
        offered = ", ".join(OUTPUT_FORMATS)
        raise InvalidRequestError(
            f"this provider makes {offered} audio, not '{response_format}'",
            param="response_format",
        )
    return {
        "model_id": model,
        "transcript": text,
        "voice": {"mode": "id", "id": voice},
        "output_format": dict(output),
    }
