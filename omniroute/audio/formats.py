"""Which audio container an upload is, decided by its first bytes (magic numbers), not its name.

An ISO-BMFF file (`ftyp` box) is M4A only by its brands: an audio brand (M4A, M4B, M4P, F4A,
F4B) is; a generic MP4 brand (isom, iso2…, mp41, mp42, dash) is accepted too, since audio-only
MP4 files carry those (video in one is the provider's to refuse); images and QuickTime (heic,
heix, avif, mif1, qt…) are refused even when they also list a generic brand.
"""

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
        return M4A if _audio_mp4(data) else None
    if head[:4] == b"fLaC":
        return FLAC
    if head[:4] == b"OggS":
        return OGG
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return WEBM
    return None


AUDIO_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "})
GENERIC_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"dash"}
)
NOT_AUDIO_BRANDS = frozenset(
    {
        b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1",
        b"msf1", b"avif", b"avis", b"avci", b"qt  ", b"crx ", b"jpx ", b"jp2 ",
    }
)  # fmt: skip
MAX_FTYP = 256


def _brands(data: bytes) -> list[bytes]:
    """The `ftyp` box's major brand, then its compatible brands."""
    size = int.from_bytes(data[:4], "big")
    end = min(len(data), size if 16 <= size <= MAX_FTYP else 16)
    compatible = [data[i : i + 4] for i in range(16, end - 3, 4)]
    return [data[8:12], *compatible]


def _audio_mp4(data: bytes) -> bool:
    brands = _brands(data)
    if any(brand in NOT_AUDIO_BRANDS for brand in brands):
        return False
    return brands[0] in AUDIO_BRANDS or brands[0] in GENERIC_BRANDS


def _mpeg_frame_sync(head: bytes) -> bool:
    """An MPEG audio frame header: 11 sync bits set (0xFFE…) and a layer that is not reserved."""
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 != 0
