"""ElevenLabs text-to-speech behind OpenAI's /audio/speech.

POST {base}/text-to-speech/{voice_id}?output_format=<codec_rate[_bitrate]> with the key in
`xi-api-key` and {"text", "model_id", "voice_settings"?} answers the audio bytes. The client's
`voice` is the ElevenLabs voice id (OpenAI's voice names are not ElevenLabs voices); `speed`
becomes voice_settings.speed. Pure, no I/O.
"""

from __future__ import annotations

from urllib.parse import quote

from ..errors import InvalidRequestError

# OpenAI's response_format → ElevenLabs' output_format (OpenAI's pcm is 24 kHz 16-bit).
OUTPUT_FORMATS = {"mp3": "mp3_44100_128", "pcm": "pcm_24000", "opus": "opus_48000_128"}


def speech_path(voice: str, response_format: str) -> str:
    output = OUTPUT_FORMATS.get(response_format)
    if output is None:
        offered = ", ".join(OUTPUT_FORMATS)
        raise InvalidRequestError(
            f"this provider makes {offered} audio, not '{response_format}'",
            param="response_format",
        )
    return f"/text-to-speech/{quote(voice, safe='')}?output_format={output}"


def speech_body(model: str, text: str, speed: float | None) -> dict:
    body: dict = {"text": text, "model_id": model}
    if speed is not None:
        body["voice_settings"] = {"speed": speed}
    return body
