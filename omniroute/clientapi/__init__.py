"""The client API that coding tools call, in each tool's own wire format: one router
(`routes.py`, a werkzeug Map), one WSGI entry (`wsgi.py`) and one error boundary that answers in
the caller's format (`errors.py`). No Flask request context on these routes.

- OpenAI Chat Completions: POST /v1/chat/completions
- Anthropic Messages:      POST /v1/messages (also ?beta=true), POST /v1/messages/count_tokens
- OpenAI Responses:        POST /v1/responses
- Gemini:                  POST /v1beta/models/{model}:generateContent, :streamGenerateContent
                           and :countTokens (also under /v1/models/…, as Google serves them)
- Embeddings, images, audio: POST /v1/embeddings, /v1/images/generations,
  /v1/audio/transcriptions, and /v1/providers/{provider}/… scoped to one provider
- Models: GET /v1/models and /v1/models/{id} (OpenAI's shape), GET /v1beta/models and
  /v1beta/models/{model} (Gemini's)
- GET /health, and GET /metrics (Prometheus text format; see omniroute/metrics/)
The unprefixed paths (`/chat/completions`, `/responses`, `/models`, `/messages`, …) and a doubled
`/v1/v1/` that misconfigured clients send are accepted too.
"""
