"""AssemblyAI: upload, start a transcript job, poll it until it finishes. Auth: the raw key in
`Authorization`.

1. POST {base}/upload (the audio bytes, application/octet-stream) → {upload_url}
2. POST {base}/transcript {audio_url, speech_model, language_code | language_detection}
   → {id, status: "queued"}
3. GET {base}/transcript/{id} until status is "completed" (text, audio_duration in seconds,
   language_code, words with start/end in milliseconds) or "error" (error: the reason).
Errors of the API itself come as {"error": "…"}.
"""

from __future__ import annotations

import json
import time

from ...errors import UpstreamError, UpstreamTimeoutError
from ..transcript import Transcript, segments_from_words
from .common import ProviderCall, invalid_answer, read_json, seconds

POLL_INTERVAL = 0.5  # seconds between status polls
POLL_TIMEOUT = 120.0  # seconds before a job that never finishes is given up (504)
JOB_FAILED = "transcription_failed"  # the audio itself failed: another account would fail too


def transcribe(call: ProviderCall) -> Transcript:
    upload = call.client.post(
        call.url("/upload"),
        call.request.audio,
        call.headers(**{"Content-Type": "application/octet-stream"}),
        provider=call.provider,
    )
    audio_url = read_json(call, upload, _error_message).get("upload_url")
    if not isinstance(audio_url, str):
        raise invalid_answer(call)
    job: dict[str, object] = {"audio_url": audio_url, "speech_model": call.attempt.model}
    if call.request.language:
        job["language_code"] = call.request.language
    else:
        job["language_detection"] = True
    started = call.client.post(
        call.url("/transcript"),
        json.dumps(job).encode(),
        call.headers(**{"Content-Type": "application/json"}),
        provider=call.provider,
    )
    transcript = read_json(call, started, _error_message)
    job_id = transcript.get("id")
    if not isinstance(job_id, str):
        raise invalid_answer(call)
    deadline = time.monotonic() + call.poll_timeout
    while transcript.get("status") not in ("completed", "error"):
        if time.monotonic() >= deadline:
            raise UpstreamTimeoutError(
                f"provider '{call.provider}' did not finish transcript {job_id} in "
                f"{call.poll_timeout:g} s",
                provider=call.provider,
            )
        call.sleep(call.poll_interval)
        polled = call.client.get(
            call.url(f"/transcript/{job_id}"), call.headers(), provider=call.provider
        )
        transcript = read_json(call, polled, _error_message)
    if transcript["status"] == "error":
        raise UpstreamError(
            f"provider '{call.provider}' could not transcribe the audio: "
            f"{transcript.get('error') or 'no reason given'}",
            provider=call.provider,
            code=JOB_FAILED,
        )
    return _transcript(call, transcript)


def _transcript(call: ProviderCall, payload: dict) -> Transcript:
    text = payload.get("text")
    if not isinstance(text, str):
        text = ""
    words = [
        (w["start"] / 1000.0, w["end"] / 1000.0, w["text"])
        for w in payload.get("words") or []
        if isinstance(w, dict) and {"start", "end", "text"} <= w.keys()
    ]
    return Transcript(
        text=text,
        language=payload.get("language_code") or call.request.language,
        duration=seconds(payload.get("audio_duration")),
        segments=segments_from_words(words),
    )


def _error_message(payload: dict) -> str | None:
    return payload.get("error") or payload.get("message")
