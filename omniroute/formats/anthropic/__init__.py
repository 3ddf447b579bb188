"""Anthropic Messages API (`POST /v1/messages`) ↔ the canonical model.

Requests (parse_request: wire → canonical, build_request: canonical → wire):
- `system` (a string, or text blocks with cache_control) ↔ Request.system.
- Message content (a string or blocks): text, image (base64 or url source), document (base64,
  url, or a plain-text source ↔ DocumentPart(media_type="text/plain", base64 data)), tool_use,
  tool_result (string or text/image block content, is_error), thinking (+ signature) and
  redacted_thinking map to canonical parts; cache_control rides along where canonical has it.
- A message with role "system" in the middle of the conversation (Claude Code sends them) stays
  in place as Message(role="system"). build_request FOLDS such messages — their text blocks, in
  order, with their cache_control — into the end of the top-level `system`: the Messages API
  only accepts role "system" there under a beta header this module cannot see. Their position
  and any per-message fields (e.g. a per-turn `output_config`) are lost on that hop.
- build_request always sends `max_tokens` (Anthropic requires it): request.max_tokens, else
  the model's output limit from its traits (Request.traits, set from the capability table),
  else DEFAULT_MAX_TOKENS (4096). A thinking budget is kept ≥ 1024 and < max_tokens: the
  client's max_tokens caps the budget (it only grows past 1,024 when it must); without one or a
  known limit, max_tokens is the budget + 4096, at most 32,000. It drops what Anthropic
  rejects: empty or whitespace-only text blocks, thinking blocks without a signature (e.g.
  reasoning from another provider), and — with thinking on — temperature other than 1, top_k
  and top_p < 0.95; temperature is clamped to [0, 1]. Consecutive messages of one role are
  merged (tool results from OpenAI arrive as separate user messages), tool_result blocks
  first, and a lone plain text block is sent as string content.
- thinking {enabled, budget_tokens} / {adaptive} / {disabled} ↔ Reasoning (budget; adaptive =
  enabled without budget; disabled = enabled False or effort "none"); output_config.effort ↔
  Reasoning.effort (Anthropic "max" ↔ "xhigh", canonical "minimal" → "low"). For another
  format's request (Sonnet 4.5 / Opus 4.5 reject adaptive, older models output_config.effort)
  an effort is sent as {enabled, budget_tokens: canonical.budget_for_effort(effort)} ("medium"'s
  budget when neither effort nor budget is given) and no output_config.effort; adaptive and
  effort go out only when the client itself sent them; output_config.format json_schema ↔
  ResponseFormat; metadata.user_id ↔ Request.user; tool_choice {auto|any|tool|none} ↔
  ToolChoice, disable_parallel_tool_use ↔ ToolChoice.disable_parallel and parallel_tool_calls.

Request.extra keys this module writes, read back only by its own build_request (a same-format
hop restores them; other formats ignore them, so they are dropped across formats):
  anthropic.<field>         any top-level body field with no canonical home, verbatim
                            (context_management, container, service_tier, mcp_servers, …)
  anthropic.metadata        the client's `metadata` object
  anthropic.output_config   the client's `output_config` (effort/format are re-derived)
  anthropic.thinking        the client's `thinking` object, None when it sent none (then no
                            thinking is built even though an effort makes a Reasoning, unless
                            the AI policy imposed it: Reasoning.imposed)
  anthropic.server_tools    [[position, tool]]: non-custom tools (web_search_20250305, bash_…)
  anthropic.tool_fields     {tool name: custom-tool fields with no canonical home}
  anthropic.raw_blocks      [[message index, part position, block]]: blocks with no canonical
                            part (server_tool_use, web_search_tool_result, file sources, …)
  anthropic.block_fields    [[message index, part index, part type, fields]]: leftover fields
                            of mapped blocks (citations, document title/context/cache_control,
                            tool_result content holding non-text blocks, …)
  anthropic.message_fields  [[message index, fields]]: leftover fields of messages
  anthropic.message_count   how many messages those positions refer to; positional keys are
                            applied only while the request still has that many messages

Responses: content blocks, stop reasons (1:1 with canonical) and usage (Anthropic input_tokens
excludes cache reads and writes, canonical includes them) convert both ways; server-tool blocks
and citations in a provider's answer are dropped. error_body picks the Anthropic error type from
the status.

Thinking signatures go back only to Anthropic (formats/signatures.py): build_request drops a
thinking or redacted_thinking block another provider issued (a thinking block Anthropic did not
sign is refused), and leaves `thinking` out when the tool loop in progress then lacks the
thinking block Anthropic requires first (anthropic/thinking_turn.py); an answer for a client of
another format carries Anthropic's signatures wrapped, and parse_request unwraps them.

Modules: request_parse (parse_request and the envelope check), request_build (build_request),
response (answers, usage, errors), blocks (content blocks ⇄ parts), vocabulary (usage, stop
reasons, error types and the other shared vocabulary), validation (checked body fields),
thinking_turn (thinking on only when the turn in progress allows it), stream_decoder
(StreamDecoder), stream_encoder (StreamEncoder) and wire (the format's WireFormat).
"""

NAME = "anthropic"
