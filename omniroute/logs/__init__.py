"""The server's log: where lines go, how they look, and the lines OmniRoute writes itself.

- `configure.configure_logging(settings)` runs once when `python app.py` starts: every line at
  LOG_LEVEL or above goes to stderr as text or JSON (LOG_FORMAT), written by a background thread
  so a slow stderr never holds up a request. `create_app()` configures nothing: an app built as
  a library (tests, embedders) logs wherever its host's logging sends it.
- `formatters`: the text line and the JSON object; structured fields ride in `extra=`.
- `access.AccessLog`: the WSGI middleware the server wraps around the app, one line per request
  on `omniroute.access` (method, path, status, client address, latency; for the client API also
  the model, provider, attempts, key id and request id), written when the answer ends — for a
  stream, when its last chunk has gone.
- `drops.request_drops`: the DropNotes a request being served carries, so every field a
  provider's format cannot take is logged once per request (formats/dropped.py), with the
  request id of its access line.

No line carries a secret or a body: no header value, no query string, no API key (only its id).
"""
