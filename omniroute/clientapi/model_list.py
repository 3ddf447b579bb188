"""The usable models, as each client asks for them: OpenAI's `GET /v1/models` and
`GET /v1/models/{id}`, Gemini's `GET /v1beta/models` and `GET /v1beta/models/{model}`.

One source for all four (`model_entries`): the connected catalog providers' models plus the
user's custom models, minus hidden ones, provider nodes' custom models, then the combos, read
from the database (this is not the chat hot path). Gemini's shape adds what the capability table
knows of a model (its token limits, whether it thinks) and names the methods the gateway serves
for it. An id may contain "/" (`openai/gpt-4o`); an unknown one is a 404 in the caller's shape.
When /v1 requires API keys, so do the lists, unless Settings → Security opens them
(`open_to_all`).
"""

from __future__ import annotations

from ..errors import InvalidRequestError, ModelNotFoundError
from ..providers.capabilities import traits_for
from ..proxy.provider_scope import usable_model_entries
from ..proxy.reply import Reply
from ..store.gateway_options import load_security_options
from .request import ClientRequest

# What a client of Gemini's API may call for a model of each kind (chat models and combos;
# the other kinds are served on the OpenAI paths only).
GEMINI_CHAT_METHODS = ("generateContent", "streamGenerateContent", "countTokens")
GEMINI_PAGE_SIZE = 50  # Google's default page, and its largest
GEMINI_MAX_PAGE_SIZE = 1000


def model_entries(request: ClientRequest) -> list[dict]:
    """Every usable model as an OpenAI /v1/models entry, the combos last."""
    services = request.services
    table = services.routes.snapshot()
    with services.database.connection_context():
        data = usable_model_entries(table)
    data += [
        {
            "id": name,
            "object": "model",
            "created": 0,
            "owned_by": "combo",
            "capabilities": {"type": "combo", "strategy": combo.strategy},
            "models": [target.model for target in combo.targets],
        }
        for name, combo in sorted(table.combos.items())
    ]
    return data


def _entry(request: ClientRequest, model_id: str) -> dict | None:
    return next((entry for entry in model_entries(request) if entry["id"] == model_id), None)


def open_to_all(request: ClientRequest) -> bool:
    """Whether the model lists answer without an API key although keys are required
    (Settings → Security: "API key for the model list" off)."""
    services = request.services
    if not services.client_auth.required:
        return False
    with services.database.connection_context():
        return not load_security_options().models_require_key


def list_models(request: ClientRequest) -> Reply:
    """GET /v1/models: OpenAI's list."""
    return Reply.json(200, {"object": "list", "data": model_entries(request)})


def get_model(request: ClientRequest, model_id: str) -> Reply:
    """GET /v1/models/{id}: one OpenAI model object."""
    entry = _entry(request, model_id)
    if entry is None:
        raise ModelNotFoundError(f"The model '{model_id}' does not exist", param="model")
    return Reply.json(200, entry)


def gemini_model(entry: dict) -> dict:
    """An OpenAI model entry as Gemini's Model object."""
    model_id = entry["id"]
    kind = entry.get("capabilities", {}).get("type")
    chat = kind in ("chat", "combo")
    model: dict = {
        "name": f"models/{model_id}",
        "baseModelId": model_id,
        "displayName": model_id,
        "supportedGenerationMethods": list(GEMINI_CHAT_METHODS) if chat else [],
    }
    if kind == "combo":
        return model
    traits = traits_for(model_id)
    input_limit = entry.get("context_length") or traits.context_tokens
    if input_limit:
        model["inputTokenLimit"] = input_limit
    if traits.max_output_tokens:
        model["outputTokenLimit"] = traits.max_output_tokens
    if traits.known:
        model["thinking"] = traits.reasoning
    return model


def list_gemini_models(request: ClientRequest) -> Reply:
    """GET /v1beta/models: Gemini's list, a page at a time (`pageSize`, `pageToken`)."""
    size = _page_size(request.args.get("pageSize", ""))
    start = _page_start(request.args.get("pageToken", ""))
    entries = model_entries(request)
    page: dict = {"models": [gemini_model(entry) for entry in entries[start : start + size]]}
    if start + size < len(entries):
        page["nextPageToken"] = str(start + size)
    return Reply.json(200, page)


def get_gemini_model(request: ClientRequest, model: str) -> Reply:
    """GET /v1beta/models/{model}: one Gemini Model object."""
    entry = _entry(request, model)
    if entry is None:
        raise ModelNotFoundError(f"models/{model} is not found; GET /v1beta/models lists them")
    return Reply.json(200, gemini_model(entry))


def _page_size(value: str) -> int:
    """`pageSize`: unset or 0 is Google's default page, more than its largest is its largest."""
    if not value:
        return GEMINI_PAGE_SIZE
    size = _count(value)
    if size is None:
        raise InvalidRequestError("'pageSize' must be a non-negative integer", param="pageSize")
    return min(size, GEMINI_MAX_PAGE_SIZE) or GEMINI_PAGE_SIZE


def _page_start(token: str) -> int:
    """`pageToken`: the nextPageToken of an earlier page (where that page ended)."""
    if not token:
        return 0
    start = _count(token)
    if start is None:
        raise InvalidRequestError(
            "'pageToken' is not a page token this server gave out", param="pageToken"
        )
    return start


def _count(text: str) -> int | None:
    """A non-negative decimal integer of at most 9 digits, or None."""
    if len(text) > 9 or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
