"""POST /v1/audio/transcriptions through a real gateway to a fake Deepgram, AssemblyAI and
OpenAI whisper upstream (tests/fakes/audio_upstream.py), over real HTTP."""

from __future__ import annotations

import pytest
import requests

from omniroute.audio.providers import assemblyai
from tests.fakes.audio_upstream import DURATION, TEXT, AudioUpstream
from tests.gateway_harness import start_gateway

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 64
SAMPLES = {
    "mp3-id3": b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64,
    "mp3-frame": b"\xff\xfb\x90\x64" + b"\x00" * 64,
    "wav": WAV,
    "m4a": b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00" + b"\x00" * 64,
    "flac": b"fLaC\x00\x00\x00\x22" + b"\x00" * 64,
    "ogg": b"OggS\x00\x02" + b"\x00" * 64,
    "webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + b"\x00" * 64,
}
MIMES = {
    "mp3-id3": "audio/mpeg",
    "mp3-frame": "audio/mpeg",
    "wav": "audio/wav",
    "m4a": "audio/mp4",
    "flac": "audio/flac",
    "ogg": "audio/ogg",
    "webm": "audio/webm",
}


@pytest.fixture(scope="module")
def audio_server():
    server = AudioUpstream().start()
    yield server
    server.stop()


@pytest.fixture
def audio(audio_server):
    audio_server.requests.clear()
    audio_server.deepgram_status = 200
    audio_server.assemblyai_statuses = ["completed"]
    return audio_server


@pytest.fixture(autouse=True)
def fast_polling(monkeypatch):
    monkeypatch.setattr(assemblyai, "POLL_INTERVAL", 0.01)
    monkeypatch.setattr(assemblyai, "POLL_TIMEOUT", 5.0)


@pytest.fixture
def stt(gateway, audio):
    gateway.add_connection(audio.deepgram_url, provider="deepgram", apiKey="dg-key")
    gateway.add_connection(audio.assemblyai_url, provider="assemblyai", apiKey="aai-key")
    gateway.add_connection(audio.openai_url, provider="openai", apiKey="sk-openai")
    return gateway


def transcribe(gateway, model="deepgram/nova-3", data=WAV, filename="clip.wav", **fields):
    form = {"model": model, **fields} if model is not None else dict(fields)
    files = {"file": (filename, data, "application/octet-stream")} if data is not None else None
    return requests.post(
        gateway.v1 + "/audio/transcriptions", data=form, files=files or {"x": ("", b"")}
    )


def usage_rows(gateway):
    from omniroute.store.usage_queries import recent_usage

    gateway.flush_usage()
    with gateway.services.database.connection_context():
        return list(reversed(recent_usage(100)))


# -- providers ---------------------------------------------------------------------------------
def test_deepgram_happy_path(stt, audio):
    reply = transcribe(stt, "deepgram/nova-3")
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"text": TEXT, "language": "en", "duration": DURATION}
    sent = audio.find("POST", "/listen")[-1]
    assert sent.headers["Authorization"] == "Token dg-key"
    assert sent.headers["Content-Type"] == "audio/wav"
    assert sent.query["model"] == ["nova-3"] and sent.query["smart_format"] == ["true"]
    assert sent.body == WAV


def test_deepgram_language_is_passed(stt, audio):
    reply = transcribe(stt, "deepgram/nova-3", language="de")
    assert reply.status_code == 200, reply.text
    assert reply.json()["language"] == "de"
    assert audio.find("POST", "/listen")[-1].query["language"] == ["de"]


def test_deepgram_401_is_passed_on_and_recorded(stt, audio):
    audio.deepgram_status = 401
    reply = transcribe(stt, "deepgram/nova-3")
    assert reply.status_code == 401
    assert "Invalid credentials" in reply.json()["error"]["message"]
    assert "deepgram" in reply.json()["error"]["message"]
    row = usage_rows(stt)[-1]
    assert (row.endpoint, row.provider, row.status) == ("audio.transcriptions", "deepgram", 401)


def test_assemblyai_polls_until_completed(stt, audio):
    audio.assemblyai_statuses = ["queued", "processing", "processing", "completed"]
    reply = transcribe(stt, "assemblyai/best", data=SAMPLES["mp3-id3"], filename="a.mp3")
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"text": TEXT, "language": "en_us", "duration": 3}
    upload = audio.find("POST", "/upload")[-1]
    assert upload.headers["Authorization"] == "aai-key"
    assert upload.body == SAMPLES["mp3-id3"]
    job = audio.find("POST", "/transcript")[-1].json()
    assert job["audio_url"].endswith("/cdn/upload/abc")
    assert job["speech_model"] == "best"
    polls = audio.find("GET", "/transcript/")
    assert len(polls) >= 2
    assert all(p.headers["Authorization"] == "aai-key" for p in polls)


def test_assemblyai_language_code(stt, audio):
    reply = transcribe(stt, "assemblyai/best", language="fr")
    assert reply.status_code == 200, reply.text
    assert audio.find("POST", "/transcript")[-1].json()["language_code"] == "fr"


def test_assemblyai_error_status_is_502(stt, audio):
    audio.assemblyai_statuses = ["processing", "error"]
    reply = transcribe(stt, "assemblyai/best")
    assert reply.status_code == 502
    message = reply.json()["error"]["message"]
    assert "assemblyai" in message and "does not appear to contain audio" in message
    row = usage_rows(stt)[-1]
    assert (row.provider, row.status) == ("assemblyai", 502)


def test_assemblyai_never_finishing_times_out(stt, audio, monkeypatch):
    monkeypatch.setattr(assemblyai, "POLL_TIMEOUT", 0.1)
    audio.assemblyai_statuses = ["processing"]
    reply = transcribe(stt, "assemblyai/best")
    assert reply.status_code == 504
    assert "assemblyai" in reply.json()["error"]["message"]


def test_openai_whisper_forwards_the_multipart(stt, audio):
    reply = transcribe(stt, "openai/whisper-1", data=SAMPLES["ogg"], filename="v.ogg", prompt="hi")
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"text": TEXT, "language": "english", "duration": DURATION}
    sent = audio.find("POST", "/audio/transcriptions")[-1]
    assert sent.headers["Authorization"] == "Bearer sk-openai"
    assert sent.form["model"] == "whisper-1"
    assert sent.form["prompt"] == "hi"
    assert sent.form["file"] == ("v.ogg", SAMPLES["ogg"], "audio/ogg")


# -- response formats --------------------------------------------------------------------------
def test_text_format(stt):
    reply = transcribe(stt, response_format="text")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("text/plain")
    assert reply.text == TEXT


def test_verbose_json_has_segments_from_word_timings(stt):
    body = transcribe(stt, response_format="verbose_json").json()
    assert body["text"] == TEXT and body["duration"] == DURATION and body["language"] == "en"
    assert [(s["start"], s["end"], s["text"]) for s in body["segments"]] == [
        (0.0, 0.9, "Hello there."),
        (1.2, 2.4, "This is a test."),
    ]


def test_srt_from_word_timings(stt):
    reply = transcribe(stt, response_format="srt")
    assert reply.status_code == 200
    assert reply.text == (
        "1\n00:00:00,000 --> 00:00:00,900\nHello there.\n\n"
        "2\n00:00:01,200 --> 00:00:02,400\nThis is a test.\n"
    )


def test_vtt_from_assemblyai_millisecond_words(stt):
    reply = transcribe(stt, "assemblyai/best", response_format="vtt")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("text/vtt")
    assert reply.text == (
        "WEBVTT\n\n00:00:00.000 --> 00:00:00.900\nHello there.\n\n"
        "00:00:01.200 --> 00:00:02.400\nThis is a test.\n"
    )


def test_vtt_from_openai_segments(stt):
    reply = transcribe(stt, "openai/whisper-1", response_format="vtt")
    assert reply.text.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:00.900\nHello there.\n")


def test_srt_without_timings_is_one_cue_over_the_duration(stt, audio):
    # gpt-4o-transcribe answers plain json: text only, no timings and no duration
    reply = transcribe(stt, "openai/gpt-4o-transcribe", response_format="srt")
    assert reply.status_code == 200
    assert reply.text == f"1\n00:00:00,000 --> 00:00:00,000\n{TEXT}\n"
    assert audio.find("POST", "/audio/transcriptions")[-1].form["response_format"] == "json"


def test_unknown_response_format_is_400(stt):
    reply = transcribe(stt, response_format="xml")
    assert reply.status_code == 400
    assert reply.json()["error"]["param"] == "response_format"


# -- validation --------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_each_magic_number_is_accepted(stt, audio, kind):
    reply = transcribe(stt, data=SAMPLES[kind], filename="clip.bin")
    assert reply.status_code == 200, reply.text
    assert audio.find("POST", "/listen")[-1].headers["Content-Type"] == MIMES[kind]


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    """An ISO-BMFF `ftyp` box (size, "ftyp", major brand, minor version, compatible brands)."""
    body = major + b"\x00\x00\x02\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00" * 64


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_ftyp(b"M4A ", b"M4A ", b"mp42", b"isom"), "m4a"),
        (_ftyp(b"M4B ", b"M4B "), "m4a"),
        (_ftyp(b"isom", b"iso2", b"mp41"), "m4a"),  # generic MP4: audio-only files use it
        (_ftyp(b"mp42", b"isom"), "m4a"),
        (_ftyp(b"heic", b"mif1", b"heic"), None),  # HEIC photo
        (_ftyp(b"mif1", b"heic"), None),
        (_ftyp(b"heix", b"mif1"), None),
        (_ftyp(b"avif", b"mif1", b"miaf"), None),
        (_ftyp(b"qt  ", b"qt  "), None),  # QuickTime movie
        (_ftyp(b"mp42", b"isom", b"avif"), None),  # generic major brand, image compatible
        (_ftyp(b"3gp9"), None),  # unknown brand
    ],
)
def test_m4a_is_decided_by_the_ftyp_brands(data, expected):
    from omniroute.audio.formats import sniff

    found = sniff(data)
    assert (found.name if found else None) == expected


def test_heic_photo_upload_is_400(stt, audio):
    reply = transcribe(stt, data=_ftyp(b"heic", b"mif1", b"heic"), filename="clip.m4a")
    assert reply.status_code == 400
    assert reply.json()["error"]["param"] == "file"
    assert audio.requests == []


def test_mp3_name_with_text_content_is_400(stt, audio):
    reply = transcribe(stt, data=b"this is not audio at all", filename="song.mp3")
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["param"] == "file" and "song.mp3" in error["message"]
    assert audio.requests == []


def test_empty_file_is_400(stt):
    reply = transcribe(stt, data=b"")
    assert reply.status_code == 400
    assert reply.json()["error"]["param"] == "file"


def test_missing_file_is_400(stt):
    reply = transcribe(stt, data=None)
    assert reply.status_code == 400
    assert reply.json()["error"]["param"] == "file"


def test_missing_model_is_400(stt):
    reply = transcribe(stt, model=None)
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["param"] == "model" and error["type"] == "invalid_request_error"


def test_unknown_model_is_404(stt):
    reply = transcribe(stt, model="nosuch/whisper")
    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == "model_not_found"


def test_oversize_upload_is_413_json(tmp_path, audio):
    small = start_gateway(str(tmp_path / "small"), MAX_BODY_BYTES=4096)
    try:
        small.add_connection(audio.deepgram_url, provider="deepgram", apiKey="dg-key")
        # over MAX_BODY_BYTES but under waitress's own cap (MAX_BODY_BYTES * BODY_SLACK), so
        # Flask sees it: the 413 comes in OpenAI's JSON error shape
        reply = transcribe(small, data=WAV + b"\x00" * 5_000)
        assert reply.status_code == 413
        assert reply.json()["error"]["code"] == "request_too_large"
        assert audio.requests == []
    finally:
        small.stop()


def test_usage_row_is_recorded(stt):
    assert transcribe(stt, "openai/whisper-1").status_code == 200
    row = usage_rows(stt)[-1]
    assert row.endpoint == "audio.transcriptions"
    assert (row.provider, row.model, row.requested_model) == (
        "openai",
        "whisper-1",
        "openai/whisper-1",
    )
    assert row.status == 200 and row.latency_ms > 0


@pytest.mark.parametrize("path", ["/audio/transcriptions", "/v1/v1/audio/transcriptions"])
def test_unprefixed_and_doubled_paths(stt, audio, path):
    response = requests.post(
        stt.url + path,
        data={"model": "deepgram/nova-3"},
        files={"file": ("clip.wav", WAV, "application/octet-stream")},
    )
    assert response.status_code == 200, response.text
    assert response.json()["text"]


def test_test_connection_checks_speech_to_text_keys(stt, audio):
    with stt.admin() as admin:
        connections = admin.get(stt.url + "/api/providers").json()["data"]
        by_provider = {c["provider"]: c["id"] for c in connections}
        for provider in ("deepgram", "assemblyai"):
            result = admin.post(f"{stt.url}/api/providers/{by_provider[provider]}/test").json()
            assert result["ok"] is True, (provider, result)
        bad = admin.post(
            stt.url + "/api/providers",
            json={
                "provider": "deepgram",
                "name": "bad",
                "apiKey": "wrong-key-123",
                "baseUrl": audio.deepgram_url,
            },
        ).json()
        result = admin.post(f"{stt.url}/api/providers/{bad['id']}/test").json()
    assert result["ok"] is False and result["hintCode"] == "api_key"
    assert [r.path for r in audio.requests if r.method == "GET"][:1] == ["/deepgram/v1/projects"]


def test_chat_with_a_speech_to_text_model_is_a_clear_400(stt):
    response = requests.post(
        stt.v1 + "/chat/completions",
        json={"model": "deepgram/nova-3", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert response.status_code == 400
    assert "audio/transcriptions" in response.json()["error"]["message"]
