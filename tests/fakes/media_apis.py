"""A strict fake of the rerank and speech APIs with their own shapes (real HTTP, 127.0.0.1).

One server plays, under path prefixes, what each API reference says it accepts and answers:
- Cohere  POST /v2/rerank (Bearer; {model, query, documents, top_n, max_tokens_per_doc}) →
  {id, results, meta.billed_units.search_units};
- Jina    POST /jina/v1/rerank (Bearer; {model, query, documents, top_n, return_documents}) →
  {model, usage.total_tokens, results};
- Voyage  POST /voyage/v1/rerank (Bearer; {query, documents, model, top_k, return_documents,
  truncation}) → {object, data, model, usage.total_tokens};
- OpenAI  POST /openai/v1/audio/speech (Bearer; {model, input, voice, response_format, speed,
  instructions}) → audio bytes;
- ElevenLabs POST /elevenlabs/v1/text-to-speech/{voice_id}?output_format=… (`xi-api-key`;
  {text, model_id, voice_settings}) → audio bytes;
- Cartesia POST /cartesia/tts/bytes (Bearer and `Cartesia-Version`; {model_id, transcript,
  voice: {mode, id}, output_format: {container, …}}) → audio bytes.
Key checks (the connection test): GET /elevenlabs/v1/models, GET /cartesia/voices.
A missing key, a missing required field or a field the API does not know is refused with the
API's own error shape, so a wrong translation fails a test. Relevance is the share of the
query's words a document holds. Every request is recorded; `fail()` scripts error answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.media_upstream import MediaRecorded, MediaUpstream

COHERE_FIELDS = {"model", "query", "documents", "top_n", "max_tokens_per_doc"}
JINA_FIELDS = {"model", "query", "documents", "top_n", "return_documents"}
VOYAGE_FIELDS = {"query", "documents", "model", "top_k", "return_documents", "truncation"}
OPENAI_SPEECH_FIELDS = {"model", "input", "voice", "response_format", "speed", "instructions"}
ELEVENLABS_FIELDS = {"text", "model_id", "voice_settings", "language_code", "seed"}
ELEVENLABS_OUTPUTS = {"mp3_44100_128", "pcm_24000", "opus_48000_128"}
CARTESIA_FIELDS = {"model_id", "transcript", "voice", "output_format", "language"}
CARTESIA_CONTAINERS = {"mp3": {"sample_rate", "bit_rate"}, "wav": {"encoding", "sample_rate"}}
CARTESIA_CONTAINERS["raw"] = CARTESIA_CONTAINERS["wav"]


@dataclass
class MediaApis(MediaUpstream):
    """`fail(status, api_key=…, model=…)` as in MediaUpstream; the model of a speech call is
    its model or model_id."""

    audio_prefix: bytes = b"ID3"


def relevance(query: str, document: str) -> float:
    words = set(query.lower().split())
    return round(len(words & set(document.lower().split())) / len(words), 4)


def ranked(query: str, documents: list[str], top: int | None) -> list[dict]:
    scored = [{"index": i, "relevance_score": relevance(query, d)} for i, d in enumerate(documents)]
    scored.sort(key=lambda item: (-item["relevance_score"], item["index"]))
    return scored[:top] if top else scored


class MediaApisHandler(BaseHTTPRequestHandler):
    fake: MediaApis
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw)
        except ValueError:
            return self._json(400, {"message": "body is not JSON"})
        path = urlsplit(self.path).path
        key = self.headers.get("xi-api-key") or self.headers.get("Authorization", "")
        key = key.removeprefix("Bearer ") or None
        self.fake.record(MediaRecorded(self.path, key, dict(self.headers), body))
        model = body.get("model") or body.get("model_id") if isinstance(body, dict) else None
        fault = self.fake.take_fault(key, model)
        if fault is not None:
            return self._json(fault.status, {"error": {"message": fault.message}})
        routes = {
            "/v2/rerank": self._cohere,
            "/jina/v1/rerank": self._jina,
            "/voyage/v1/rerank": self._voyage,
            "/openai/v1/audio/speech": self._openai_speech,
            "/cartesia/tts/bytes": self._cartesia,
        }
        if path.startswith("/elevenlabs/v1/text-to-speech/"):
            return self._elevenlabs(body, path.rpartition("/")[2])
        handler = routes.get(path)
        if handler is None:
            return self._json(404, {"message": f"no route for {path}"})
        handler(body)

    def do_GET(self) -> None:  # noqa: N802 - the key checks of the connection test
        path = urlsplit(self.path).path
        self.fake.record(MediaRecorded(self.path, None, dict(self.headers), None))
        if path == "/elevenlabs/v1/models":
            if not self.headers.get("xi-api-key"):
                return self._json(401, {"detail": {"status": "invalid_api_key"}})
            return self._json(200, [{"model_id": "eleven_multilingual_v2"}])
        if path == "/cartesia/voices":
            if not self.headers.get("Authorization", "").startswith("Bearer "):
                return self._json(401, {"error": "missing API key"})
            if not self.headers.get("Cartesia-Version"):
                return self._json(400, {"error": "Cartesia-Version header is required"})
            return self._json(200, {"data": [], "has_more": False})
        self._json(404, {"message": f"no route for {path}"})

    # -- rerank -----------------------------------------------------------------------------

    def _rerank_input(self, body: dict, allowed: set[str], error) -> bool:
        if not self.headers.get("Authorization", "").startswith("Bearer "):
            error(401, "missing or invalid API key")
            return False
        unknown = sorted(set(body) - allowed)
        if unknown:
            error(400, f"unknown field(s): {', '.join(unknown)}")
            return False
        for name in ("model", "query", "documents"):
            if name not in body:
                error(400, f"{name} is required")
                return False
        if not all(isinstance(doc, str) for doc in body["documents"]):
            error(400, "documents must be strings")
            return False
        return True

    def _cohere(self, body: dict) -> None:
        def error(status, message):
            self._json(status, {"id": "err", "message": message})

        if self._rerank_input(body, COHERE_FIELDS, error):
            results = ranked(body["query"], body["documents"], body.get("top_n"))
            meta = {"api_version": {"version": "2"}, "billed_units": {"search_units": 1}}
            self._json(200, {"id": "rr-1", "results": results, "meta": meta})

    def _jina(self, body: dict) -> None:
        def error(status, message):
            self._json(status, {"detail": message})

        if self._rerank_input(body, JINA_FIELDS, error):
            results = ranked(body["query"], body["documents"], body.get("top_n"))
            if body.get("return_documents"):
                for item in results:
                    item["document"] = {"text": body["documents"][item["index"]]}
            usage = {"total_tokens": 7 * len(body["documents"])}
            self._json(200, {"model": body["model"], "usage": usage, "results": results})

    def _voyage(self, body: dict) -> None:
        def error(status, message):
            self._json(status, {"detail": message})

        if self._rerank_input(body, VOYAGE_FIELDS, error):
            data = ranked(body["query"], body["documents"], body.get("top_k"))
            if body.get("return_documents"):
                for item in data:
                    item["document"] = body["documents"][item["index"]]
            usage = {"total_tokens": 11 * len(body["documents"])}
            answer = {"object": "list", "data": data, "model": body["model"], "usage": usage}
            self._json(200, answer)

    # -- speech -----------------------------------------------------------------------------

    def _openai_speech(self, body: dict) -> None:
        def error(status, message):
            self._json(status, {"error": {"message": message, "type": "invalid_request_error"}})

        if not self.headers.get("Authorization", "").startswith("Bearer "):
            return error(401, "missing API key")
        unknown = sorted(set(body) - OPENAI_SPEECH_FIELDS)
        if unknown:
            return error(400, f"Unrecognized request argument supplied: {unknown[0]}")
        for name in ("model", "input", "voice"):
            if not body.get(name):
                return error(400, f"'{name}' is a required property")
        self._audio(body["input"], "audio/mpeg")

    def _elevenlabs(self, body: dict, voice_id: str) -> None:
        def error(status, message, status_code="invalid_request"):
            self._json(status, {"detail": {"status": status_code, "message": message}})

        if not self.headers.get("xi-api-key"):
            return error(401, "Invalid API key", "invalid_api_key")
        output = parse_qs(urlsplit(self.path).query).get("output_format", ["mp3_44100_128"])[0]
        if output not in ELEVENLABS_OUTPUTS:
            return error(422, f"unknown output_format {output}")
        unknown = sorted(set(body) - ELEVENLABS_FIELDS)
        if unknown or not isinstance(body.get("text"), str):
            return error(422, f"text is required; unknown field(s): {unknown}")
        self._audio(f"{voice_id}:{body['text']}", "audio/mpeg")

    def _cartesia(self, body: dict) -> None:
        def error(status, message):
            self._json(status, {"error": message})

        if not self.headers.get("Authorization", "").startswith("Bearer "):
            return error(401, "missing API key")
        if not self.headers.get("Cartesia-Version"):
            return error(400, "Cartesia-Version header is required")
        unknown = sorted(set(body) - CARTESIA_FIELDS)
        if unknown or not {"model_id", "transcript", "voice", "output_format"} <= set(body):
            return error(400, f"invalid body; unknown field(s): {unknown}")
        voice, output = body["voice"], body["output_format"]
        if voice.get("mode") != "id" or not voice.get("id"):
            return error(400, "voice must be {mode: id, id}")
        needed = CARTESIA_CONTAINERS.get(output.get("container"))
        if needed is None or not needed <= set(output):
            return error(400, f"invalid output_format {output}")
        self._audio(f"{voice['id']}:{body['transcript']}", "audio/mpeg")

    # -- answers ----------------------------------------------------------------------------

    def _audio(self, text: str, content_type: str) -> None:
        self._send(200, self.fake.audio_prefix + text.encode(), content_type)

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


MediaApis.handler_class = MediaApisHandler
