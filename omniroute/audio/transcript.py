"""The request and the answer of a transcription, whichever provider does it."""

from __future__ import annotations

from dataclasses import dataclass, field

from .formats import AudioFormat


@dataclass(frozen=True)
class TranscriptionRequest:
    audio: bytes
    filename: str
    audio_format: AudioFormat
    model: str
    language: str | None = None
    prompt: str | None = None
    response_format: str = "json"


@dataclass(frozen=True)
class Segment:
    start: float  # seconds
    end: float
    text: str


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str | None = None
    duration: float | None = None  # seconds
    segments: tuple[Segment, ...] = field(default_factory=tuple)  # cues, when timings are known


def segments_from_words(words: list[tuple[float, float, str]], max_words: int = 12) -> tuple:
    """Group timed words into cues: a cue ends at a sentence end or after `max_words` words."""
    cues: list[Segment] = []
    current: list[tuple[float, float, str]] = []
    for word in words:
        current.append(word)
        if len(current) >= max_words or word[2].rstrip().endswith((".", "?", "!")):
            cues.append(_cue(current))
            current = []
    if current:
        cues.append(_cue(current))
    return tuple(cues)


def _cue(words: list[tuple[float, float, str]]) -> Segment:
    return Segment(words[0][0], words[-1][1], " ".join(w[2].strip() for w in words))
