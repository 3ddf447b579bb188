"""Deepgram pre-recorded audio: POST {base}/listen?model=…&smart_format=true with the audio bytes
as the body (Content-Type: the audio's type), `Authorization: Token <key>`.

Answer: metadata.duration (seconds) and results.channels[0].alternatives[0] with `transcript`
and `words` ({word, punctuated_word, start, end} in seconds); with detect_language=true,
results.channels[0].detected_language. Errors: {err_code, err_msg, request_id}.
"""

from __future__ import annotations

from urllib.parse import urlencode

from ..transcript import Transcript, segments_from_words
from .common import ProviderCall, invalid_answer, read_json, seconds


def transcribe(call: ProviderCall) -> Transcript:
    request = call.request
    query = {"model": call.attempt.model, "smart_format": "true"}
    if request.language:
        query["language"] = request.language
    else:
        query["detect_language"] = "true"
    response = call.client.post(
        call.url("/listen?" + urlencode(query)),
        request.audio,
        call.headers(**{"Content-Type": request.audio_format.mime, "Accept": "application/json"}),
        provider=call.provider,
    )
    payload = read_json(call, response, _error_message)
    try:
        channel = payload["results"]["channels"][0]
        best = channel["alternatives"][0]
        text = best["transcript"]
    except (KeyError, IndexError, TypeError):
        raise invalid_answer(call) from None
    words = [
        (float(w["start"]), float(w["end"]), w.get("punctuated_word") or w["word"])
        for w in best.get("words") or []
        if isinstance(w, dict) and {"start", "end", "word"} <= w.keys()
    ]
    return Transcript(
        text=text,
        language=channel.get("detected_language") or request.language,
        duration=seconds((payload.get("metadata") or {}).get("duration")),
        segments=segments_from_words(words),
    )


def _error_message(payload: dict) -> str | None:
    return payload.get("err_msg") or payload.get("message") or payload.get("error")
