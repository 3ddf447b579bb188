"""OpenAI Responses API (`POST /v1/responses`) ⇄ the canonical model.

The format's WireFormat is in wire.py; the work is split by concept:

- request_parse: parse_request, and the envelope check a passed-through body gets instead;
- fields: the top-level fields this format maps, checked access to field values;
- input: `instructions` and `input` items → system parts and messages;
- tools: tools and tool_choice, and the flattening of `namespace` tools;
- request_build: build_request;
- response: answers, usage, the error shape;
- output: output items ⇄ parts, usage, stop reasons, the response object;
- stream_decoder / stream_encoder: the SSE stream, both ways;
- passthrough: watching a passed-through stream, and ending it with `response.failed`.

What the canonical model cannot hold is kept in `Request.extra` and read back by build_request:

- `responses.<key>`: every top-level field not mapped (store, include, prompt_cache_key,
  client_metadata, previous_response_id, metadata, truncation, service_tier…), sent back as is;
- `responses.text.<key>`: `text` options besides the format (verbosity), and
  `responses.text.format.description`;
- `responses.tools.original` / `responses.tools.digest`: the client's tool list, reused verbatim
  while the canonical tools are unchanged; `responses.tools.namespaced` ({flat name: [namespace,
  name]}) and `responses.tools.namespaces` ({namespace: description});
- `responses.tool_choice.raw`: a tool_choice with no canonical form (allowed_tools, hosted…);
- `responses.input.system_layout`: where the system parts came from ([source, part count, item
  id], source "instructions" or a message role); `responses.input.item_ids`: the input items' ids
  ("call:<call_id>" → "fc_…", "output:<call_id>" → its id, "msg:<digest>:<n>" → "msg_…").

Every module of the format logs to one logger, "omniroute.formats.responses".
"""

NAME = "responses"
