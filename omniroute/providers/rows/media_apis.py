"""Speech and image APIs with their own request shapes, reached through the gateway's OpenAI
endpoints by small adapters: ElevenLabs and Cartesia behind /v1/audio/speech
(providers/elevenlabs.py, providers/cartesia.py), Stability AI, Black Forest Labs and fal
behind /v1/images/generations (providers/stability.py, providers/bfl.py, providers/fal.py). No
chat models; no model list in OpenAI's shape (models_path None).

Their prices are not per token. A usage row of speech counts the input's characters as input,
one of these image APIs counts each image as one output unit: a price here is USD per 1M of
those units (BFL's FLUX1.1 [pro] at $0.04 an image is 40,000 per 1M images). A model without a
published price on the provider's own pages has none: its rows cost $0 with the count kept.
"""

from __future__ import annotations

from ..spec import ModelSpec as M
from ..spec import ProviderSpec as P

AUDIO, IMG = "audio", "image"

# fmt: off
MEDIA_APIS: tuple[P, ...] = (
    P("elevenlabs", "ElevenLabs", "elevenlabs", "https://api.elevenlabs.io/v1",
      wire_format="elevenlabs", auth="xi-api-key", group="audio", stream_usage_option=False,
      models_path=None,
      docs_url="https://elevenlabs.io/docs/api-reference/text-to-speech/convert", models=(
        M("eleven_multilingual_v2", "Eleven Multilingual v2", kind=AUDIO),
        M("eleven_flash_v2_5", "Eleven Flash v2.5", kind=AUDIO),
        M("eleven_turbo_v2_5", "Eleven Turbo v2.5", kind=AUDIO),
    )),
    P("cartesia", "Cartesia", "cartesia", "https://api.cartesia.ai",
      wire_format="cartesia", group="audio", stream_usage_option=False, models_path=None,
      docs_url="https://docs.cartesia.ai/api-reference/tts/bytes", models=(
        M("sonic-3.5", "Sonic 3.5", kind=AUDIO),
    )),
    P("stability", "Stability AI", "stability", "https://api.stability.ai",
      wire_format="stability", group="image", stream_usage_option=False, models_path=None,
      docs_url="https://platform.stability.ai/docs/api-reference", models=(
        M("stable-image-core", "Stable Image Core", kind=IMG),
        M("stable-image-ultra", "Stable Image Ultra", kind=IMG),
        M("sd3.5-large", "Stable Diffusion 3.5 Large", kind=IMG),
    )),
    P("bfl", "Black Forest Labs", "bfl", "https://api.bfl.ai/v1",
      wire_format="bfl", auth="x-key", group="image", stream_usage_option=False,
      models_path=None, docs_url="https://docs.bfl.ml/flux_models/flux_1_1_pro", models=(
        M("flux-pro-1.1", "FLUX1.1 [pro]", None, 0.0, 40000.0, kind=IMG),
        M("flux-pro-1.1-ultra", "FLUX1.1 [pro] Ultra", kind=IMG),
        M("flux-dev", "FLUX.1 [dev]", kind=IMG),
    )),
    P("fal", "fal", "fal", "https://queue.fal.run",
      wire_format="fal", auth="key", group="image", stream_usage_option=False, slash_ids=True,
      models_path=None, docs_url="https://fal.ai/docs/model-endpoints/queue", models=(
        M("fal-ai/flux/dev", "FLUX.1 [dev]", kind=IMG),
        M("fal-ai/flux/schnell", "FLUX.1 [schnell]", kind=IMG),
        M("fal-ai/flux-pro/v1.1", "FLUX1.1 [pro]", kind=IMG),
    )),
)
# fmt: on
