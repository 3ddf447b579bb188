"""A transcript in the caller's response_format: json, verbose_json, text, srt or vtt."""

from __future__ import annotations

import json

from .transcript import Segment, Transcript

RESPONSE_FORMATS = ("json", "text", "verbose_json", "srt", "vtt")
CONTENT_TYPES = {
    "json": "application/json",
    "verbose_json": "application/json",
    "text": "text/plain; charset=utf-8",
    "srt": "application/x-subrip; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
}


def render(transcript: Transcript, response_format: str) -> tuple[bytes, str]:
    """(body, content type)."""
    content_type = CONTENT_TYPES[response_format]
    if response_format == "text":
        return transcript.text.encode(), content_type
    if response_format == "srt":
        return to_srt(transcript).encode(), content_type
    if response_format == "vtt":
        return to_vtt(transcript).encode(), content_type
    body: dict[str, object] = {
        "text": transcript.text,
        "language": transcript.language,
        "duration": transcript.duration,
    }
    if response_format == "verbose_json":
        body["task"] = "transcribe"
        if transcript.segments:
            body["segments"] = [
                {"id": index, "start": cue.start, "end": cue.end, "text": cue.text}
                for index, cue in enumerate(transcript.segments)
            ]
    return json.dumps(body).encode(), content_type


def cues(transcript: Transcript) -> tuple[Segment, ...]:
    """The timed cues; without timings, one cue spanning the whole audio."""
    if transcript.segments:
        return transcript.segments
    if not transcript.text.strip():
        return ()
    return (Segment(0.0, transcript.duration or 0.0, transcript.text.strip()),)


def to_srt(transcript: Transcript) -> str:
    blocks = [
        f"{index}\n{_timestamp(cue.start, ',')} --> {_timestamp(cue.end, ',')}\n{cue.text}\n"
        for index, cue in enumerate(cues(transcript), start=1)
    ]
    return "\n".join(blocks)


def to_vtt(transcript: Transcript) -> str:
    blocks = [
        f"{_timestamp(cue.start, '.')} --> {_timestamp(cue.end, '.')}\n{cue.text}\n"
        for cue in cues(transcript)
    ]
    return "WEBVTT\n\n" + "\n".join(blocks)


def _timestamp(seconds: float, separator: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"
