"""Which audio container an upload is, decided by its first bytes (magic numbers), not its name."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AudioFormat:
    name: str  # mp3, wav, m4a, flac, ogg, webm
    mime: str


MP3 = AudioFormat("mp3", "audio/mpeg")
WAV = AudioFormat("wav", "audio/wav")
M4A = AudioFormat("m4a", "audio/mp4")
FLAC = AudioFormat("flac", "audio/flac")
OGG = AudioFormat("ogg", "audio/ogg")
WEBM = AudioFormat("webm", "audio/webm")
SUPPORTED = (MP3, WAV, M4A, FLAC, OGG, WEBM)


def sniff(data: bytes) -> AudioFormat | None:
    """The audio format `data` starts with, or None when it is none of the supported ones."""
    head = data[:12]
    if head.startswith(b"ID3") or _mpeg_frame_sync(head):
        return MP3
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[4:8] == b"ftyp":
        return M4A
    if head[:4] == b"fLaC":
        return FLAC
    if head[:4] == b"OggS":
        return OGG
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return WEBM
    return None


def _mpeg_frame_sync(head: bytes) -> bool:
    """An MPEG audio frame header: 11 sync bits set (0xFFE…) and a layer that is not reserved."""
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 != 0
