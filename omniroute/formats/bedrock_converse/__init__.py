"""Amazon Bedrock Converse API ⇄ the canonical model (NAME = "bedrock"); a provider-side format.

Wire: POST {endpoint}/model/{modelId}/converse, or /converse-stream for a stream, whose answer is
AWS event-stream binary framing (application/vnd.amazon.eventstream), not SSE. No client speaks
it: the format is listed in registry.PROVIDER_ONLY, not FORMATS (no client route, node API type
or translator pair), and the provider side finds it in registry.PROVIDER_FORMATS. Like Gemini,
the model and the stream choice are in the URL: parse_request returns Request(model="",
stream=False) and build_request returns the body only.

Mapping (field names as in the Bedrock Runtime API reference, Converse / ConverseStream):
- `system` [{text} | {cachePoint}] ⇄ Request.system (a cachePoint after a block ⇄ its
  cache_control); mid-conversation system messages are folded into it.
- messages[].content blocks, keyed by shape: text, image {format, source.bytes (base64)},
  document {format, name, source.bytes}, toolUse {toolUseId, name, input}, toolResult
  {toolUseId, content [{text} | {json} | {image}], status "error"}, reasoningContent
  {reasoningText {text, signature}} | {redactedContent} ⇄ the canonical parts; cachePoint ⇄ the
  cache_control of the block before it. Consecutive messages of one role are merged (Converse
  wants user and assistant turns to alternate), tool results first; blank text is left out.
- inferenceConfig maxTokens, temperature, topP, stopSequences ⇄ the Request fields.
- toolConfig.tools[].toolSpec {name, description, inputSchema.json} ⇄ Tool; toolChoice
  {auto: {}} ⇄ auto, {any: {}} ⇄ required, {tool: {name}} ⇄ tool (Converse has no "none": such a
  choice is dropped, logged).
- Reasoning goes to Anthropic models (ids holding "anthropic.") as
  additionalModelRequestFields.thinking {type: enabled, budget_tokens} (maxTokens raised above
  the budget, temperature/topP left out) and top_k as additionalModelRequestFields.top_k; other
  models get neither (logged).
- Answers: output.message.content ⇄ parts, stopReason ⇄ canonical (guardrail_intervened and
  content_filtered → refusal, model_context_window_exceeded → max_tokens), usage inputTokens
  (without the cached parts) + cacheReadInputTokens + cacheWriteInputTokens ⇄ canonical
  input_tokens, outputTokens ⇄ output_tokens.
- Errors: `{"message": …}` (the kind is in the x-amzn-ErrorType header); a stream's errors are
  `exception` frames (:exception-type throttlingException, validationException, …).

Reasoning signatures are Bedrock's own (origin "bedrock", formats/signatures.py): they go back
only to Bedrock, and a client of another format carries them wrapped.

Request.extra keys: `bedrock.<field>` for top-level fields with no canonical home
(additionalModelRequestFields, guardrailConfig, performanceConfig, requestMetadata, …), sent
back as they were (a thinking config is merged into additionalModelRequestFields).

Modules: vocabulary (usage, stop reasons, errors), blocks (content blocks ⇄ parts), request
(parse_request, build_request), response, eventstream (frames: botocore's parser to read,
a small writer), stream_decoder, stream_encoder and wire (the WireFormat).
"""

NAME = "bedrock"
