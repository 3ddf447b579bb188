"""ProviderSpec: the declaration of one provider. A provider is data, not code."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..formats.registry import FORMATS, PROVIDER_ONLY, Registry


def wire_formats(formats: Registry = FORMATS) -> tuple[str, ...]:
    """The chat wire formats: what the translation pipeline speaks and a provider node may use
    (every registered format)."""
    return tuple(formats)


WIRE_FORMATS = wire_formats()
# Speech-to-text, text-to-speech and image APIs that only their media endpoints talk to (never a
# chat route or a node; see proxy/speech.py and proxy/images.py).
MEDIA_WIRE_FORMATS = (
    "deepgram", "assemblyai", "elevenlabs", "cartesia", "stability", "bfl", "fal",
)  # fmt: skip
PROVIDER_WIRE_FORMATS = WIRE_FORMATS + tuple(PROVIDER_ONLY) + MEDIA_WIRE_FORMATS
# bearer: `Authorization: Bearer <key>`; token: `Authorization: Token <key>` (Deepgram);
# authorization: the raw key in `Authorization` (AssemblyAI); api-key: `api-key: <key>` (Azure);
# xi-api-key (ElevenLabs); x-key (Black Forest Labs); key: `Authorization: Key <key>` (fal).
AUTH_STYLES = (
    "bearer", "x-api-key", "x-goog-api-key", "token", "authorization", "api-key", "xi-api-key",
    "x-key", "key",
)  # fmt: skip
TIERS = ("subscription", "api-key", "cheap", "free", "local")
# The catalog's sections: what a provider is for (the dashboard groups and filters by it).
GROUPS = (
    "subscription",
    "llm",
    "aggregator",
    "enterprise-cloud",
    "image",
    "video",
    "embedding-rerank",
    "audio",
    "search",
    "local",
)
# The group of a row that names none: its tier's own, else an API-key LLM provider.
TIER_GROUPS = {"subscription": "subscription", "local": "local"}
MODEL_KINDS = ("chat", "embedding", "image", "audio", "rerank")
# How a provider generates images: OpenAI's /images/generations, or Fireworks' FLUX workflow
# (`/workflows/<model>/text_to_image`, see providers/fireworks.py).
IMAGE_APIS = ("openai", "fireworks-workflow")


@dataclass(frozen=True)
class ModelSpec:
    id: str
    name: str = ""
    context_length: int | None = None
    input_price: float | None = None  # USD per 1M input tokens
    output_price: float | None = None  # USD per 1M output tokens
    kind: str = "chat"  # one of MODEL_KINDS


@dataclass(frozen=True)
class ProviderSpec:
    id: str
    name: str
    prefix: str
    base_url: str
    wire_format: str = "openai"
    auth: str = "bearer"
    tier: str = "api-key"
    models: tuple[ModelSpec, ...] = field(default_factory=tuple)
    stream_usage_option: bool = True  # accepts stream_options.include_usage
    docs_url: str = ""
    # Model ids of its own may contain "/" and name other vendors (`openai/gpt-4o` on
    # OpenRouter, `meta-llama/…` on Groq): aggregators and hosts of open models.
    slash_ids: bool = False
    # Its real API needs a sign-in flow (OAuth/device login and a private wire format) that
    # the gateway does not have yet: requests to it are refused with a 501, never sent.
    needs_sign_in: bool = False
    # The service (or its free tier) is gone, and why: its accounts are never routed to and a
    # request naming it is answered 410 with this note, so nothing is sent to a dead service.
    discontinued: str = ""
    image_api: str = "openai"  # one of IMAGE_APIS
    # One of GROUPS; empty: the tier's group (TIER_GROUPS), else "llm".
    group: str = ""
    # It has a free tier (or free credits) a new account can use without paying.
    free_tier: bool = False
    # The GET path (after the base URL) that lists its models; None: it has no such listing.
    models_path: str | None = "/models"

    def __post_init__(self) -> None:
        if not self.group:
            object.__setattr__(self, "group", TIER_GROUPS.get(self.tier, "llm"))

    @property
    def default_model(self) -> str | None:
        return self.models[0].id if self.models else None
