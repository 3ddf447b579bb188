"""Google Gemini `generateContent` ⇄ the canonical model (NAME = "gemini").

Wire: POST /v1beta/models/{model}:generateContent, or :streamGenerateContent?alt=sse for a
stream. The format's WireFormat is in wire.py; the work is split over request_parse and
request_build, response (answers, usage, errors), stream_decoder and stream_encoder, schema (the
schema sanitizer), parts (content parts and tool-call ids), vocabulary (field access, usage,
finish reasons, the error shape) and embeddings (batchEmbedContents, for /v1/embeddings).
The model and the choice to stream are in the URL, not the body, so:
- parse_request(body) returns Request(model="", stream=False): the caller fills both from the
  URL (dataclasses.replace(request, model=…, stream=…));
- build_request(request) returns the body only: the caller puts request.model in the URL and
  picks the method (with ?alt=sse) from request.stream.
Field names are read in camelCase or snake_case (SDKs send either) and written in camelCase.

Thought signatures. Gemini puts an opaque `thoughtSignature` on the part it belongs to (a
thought, a text part, a functionCall) and wants it back on that same part (on a functionCall it
is mandatory). Canonical ThinkingPart carries it:
- a thought part {"thought": true, "text": t, "thoughtSignature": s?} ⇄ ThinkingPart(t, s);
- a signature on any other part ⇄ ThinkingPart(text="", signature=s) placed immediately BEFORE
  the canonical part made from that part. Building, a ThinkingPart without text gives its
  signature to the next part that has none; with no such part left in the message it is sent
  as {"text": "", "thoughtSignature": s}, the shape Gemini uses for a trailing signature.
- Signatures go back only to Gemini (formats/signatures.py): build_request drops another
  provider's; an answer for a client of another format carries Gemini's wrapped, and a Gemini
  client's answer carries another provider's wrapped in thoughtSignature (a Responses
  reasoning item and Anthropic redacted thinking too), which parse_request unwraps.
- For a model that validates signatures (traits.thinking "level": Gemini 3), the first
  functionCall of each model turn of the turn in progress that has no signature left gets
  Gemini's documented stand-in, "skip_thought_signature_validator" (parts.SKIP_SIGNATURE).

Tool calls. Gemini may send functionCall/functionResponse without `id`. Parsing gives every
call an id ("call_gemini_<n>" in a request, stable for a given body; "call_gemini_<random>_<n>"
in an answer, unique across turns) and a result without id the id of the oldest unanswered call
of the same name. Building, a result is named by ToolResultPart.name, else by the ToolUsePart
with its id earlier in the conversation. Ids go to Gemini only when the client itself sent ids
(extra "gemini.functionIds": several Gemini endpoints reject `id`); synthesized ids are never
sent, nor shown to Gemini clients. functionResponse.response must be an object: parsing,
{"output": s} (the key Gemini documents; also "content" or "result") gives text s, {"error": e}
an is_error result, any other object its JSON text; building, text that is a JSON object goes as
that object, other text as {"output": text}, an
error as {"error": …}; images in a result follow it as inlineData parts.

Mapping. systemInstruction ⇄ Request.system (mid-conversation system messages are folded into
it); role "model" ⇄ assistant, "user"/"function" → user; inlineData/fileData ⇄ ImagePart for
image/* types, else DocumentPart; generationConfig maxOutputTokens, temperature, topP, topK,
stopSequences ⇄ the Request fields; responseMimeType "application/json" ⇄ json_object, plus
responseSchema/responseJsonSchema ⇄ json_schema; thinkingConfig thinkingBudget N>0 ⇄
budget_tokens, 0 ⇄ enabled=False (or effort "none"), -1 ⇄ enabled with no budget,
thinkingLevel → effort, includeThoughts ⇄ summary "auto". Built for another format's request,
thinkingConfig is always thinkingBudget (Gemini 2.5 rejects thinkingLevel): the budget, else the
effort's (canonical.EFFORT_BUDGETS) capped at 24,576, with includeThoughts when the client asked
to see reasoning; a Gemini client's own thinkingConfig goes back unchanged. toolConfig mode
AUTO ⇄ auto, NONE ⇄ none, ANY ⇄ required, ANY with one allowed name ⇄ tool. Tool parameters are sent
sanitized (schema.sanitize_schema) as `parameters`, left out when empty.

Request.extra keys (all "gemini."-prefixed; other formats ignore them):
- gemini.thinkingConfig       the client's thinkingConfig (camelCase keys), sent back as it was
                              while the Reasoning parsed from it is unchanged
- gemini.generationConfig     generationConfig fields with no canonical home (candidateCount,
                              seed, presencePenalty, responseModalities, a non-JSON
                              responseMimeType…), merged back
- gemini.tools                tools other than function declarations (googleSearch…)
- gemini.toolConfig           the whole toolConfig when ToolChoice cannot say it (VALIDATED,
                              several allowedFunctionNames, retrievalConfig); sent as it is
- gemini.functionIds          True when the client sent function call/response ids
- gemini.parametersJsonSchema names of tools declared with parametersJsonSchema (sent back so,
                              unsanitized)
- gemini.responseJsonSchema   True when the schema came as responseJsonSchema (sent back so)
- gemini.<field>              every other top-level field (safetySettings, cachedContent,
                              labels…), sent back as it is

Lossy: part kinds other than text/inlineData/fileData/functionCall/functionResponse/thought
(executableCode, codeExecutionResult, videoMetadata…) are dropped; only the first candidate of
an answer is read; finish reasons collapse to the canonical vocabulary (RECITATION, OTHER… →
refusal → SAFETY); {"thought": true, "text": "", signature} comes back without "thought";
{"includeThoughts": true, "thinkingBudget": -1} comes back without the (default) -1; upper-case
schema types come back lower-case; a result {"output": "<JSON object text>"} comes back as
that object; toolUsePromptTokenCount is folded into input tokens.
"""

NAME = "gemini"
