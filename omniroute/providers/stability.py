"""Stability AI's Stable Image generation behind OpenAI's /images/generations.

POST {base}/v2beta/stable-image/generate/{ultra|core|sd3} as multipart/form-data (prompt,
aspect_ratio, seed, negative_prompt, style_preset, output_format; `model` for the SD 3.5 family)
with `Authorization: Bearer <key>` and `Accept: application/json` answers {"image": base64,
"finish_reason", "seed"} (`Accept: image/*` would answer the bytes). These functions translate
OpenAI's images request to that form and the answer back to OpenAI's {"created", "data"}.
Pure, no I/O.
"""

from __future__ import annotations

import time

from ..errors import InvalidRequestError
from .fireworks import aspect_ratio

ASPECT_RATIOS = ("16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21")
SERVICES = {"stable-image-ultra": "ultra", "stable-image-core": "core"}
PASSED_FIELDS = ("seed", "negative_prompt", "style_preset", "aspect_ratio")
OUTPUT_FORMATS = ("png", "jpeg", "webp")
MIME = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


def generate_path(model: str) -> str:
    """The generate path for `model`: Ultra and Core have their own, SD 3.5 models share sd3."""
    service = SERVICES.get(model) or ("sd3" if model.startswith("sd3") else None)
    if service is None:
        raise InvalidRequestError(
            f"unknown Stability model '{model}': use stable-image-ultra, stable-image-core "
            "or an sd3.5 model",
            param="model",
        )
    return f"/v2beta/stable-image/generate/{service}"


def form(body: dict, model: str) -> tuple[bytes, str]:
    """OpenAI's images body as the multipart form (body, content type); a 400 for what the
    API cannot honour."""
    if body.get("n") not in (None, 1):
        raise InvalidRequestError("this model makes one image per request: set n to 1", param="n")
    fields = {"prompt": body["prompt"], "output_format": output_format(body)}
    fields.update({name: str(body[name]) for name in PASSED_FIELDS if body.get(name) is not None})
    size = body.get("size")
    if size not in (None, "auto") and "aspect_ratio" not in fields:
        fields["aspect_ratio"] = aspect_ratio(size, ASPECT_RATIOS)
    if model.startswith("sd3"):
        fields["model"] = model
    from urllib3 import encode_multipart_formdata  # loaded by the first image edit

    return encode_multipart_formdata(fields)


def output_format(body: dict) -> str:
    value = body.get("output_format") or "png"
    if value not in OUTPUT_FORMATS:
        raise InvalidRequestError(
            "'output_format' must be png, jpeg or webp", param="output_format"
        )
    return value


def openai_images(payload: dict, body: dict) -> dict:
    """The answer in OpenAI's shape: base64 (`b64_json`) or a data: URL (`url`)."""
    image = payload.get("image")
    if not isinstance(image, str) or not image:
        reason = payload.get("finish_reason") or "no image"
        raise ValueError(f"a Stability image answer has an image ({reason})")
    if body.get("response_format") == "b64_json":
        return {"created": int(time.time()), "data": [{"b64_json": image}]}
    url = f"data:{MIME[output_format(body)]};base64,{image}"
    return {"created": int(time.time()), "data": [{"url": url}]}
