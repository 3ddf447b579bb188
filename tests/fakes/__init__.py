"""A fake upstream LLM provider for tests: one real HTTP server speaking four wire formats.

- `server`: `FakeUpstream`, the asyncio HTTP/1.1 server in a thread, routing and recording.
- `script`: `Behavior` rules and the format-neutral `Reply`, with the default conventions.
- `recording`: `Recorded` requests, routes, and where each format carries its API key.
- `wire`: reading requests and sending bodies and SSE streams.
- `openai_chat`, `responses`, `anthropic`, `gemini`: one wire format each, written by hand from
  the providers' API references — never imported from the gateway, so they are an oracle.
- `validation`: the strict check each format runs first — what the real API refuses, per model
  family, refused with its status and error shape (`FakeUpstream.strict`, on by default).
- `probe`: the client side for tests — requests in each format, readers for answers and streams.
"""
