"""fal behind OpenAI's /images/generations: a request on fal's queue, polled until done.

1. POST https://queue.fal.run/{model id} (e.g. /fal-ai/flux/dev) with `Authorization: Key
   <key>` and the model's input ({"prompt", "image_size": {"width", "height"}, "num_images",
   "seed", "output_format"…}) → {"request_id", "status_url", "response_url", "cancel_url"};
2. GET the status URL (same key) until "status" is "COMPLETED" ("IN_QUEUE" and "IN_PROGRESS"
   mean wait);
3. GET the response URL: the model's output, {"images": [{"url", "width", "height",
   "content_type"}], "seed", "has_nsfw_concepts"}; a request that failed answers its error here
   (fal.ai/docs/model-endpoints/queue; fal.ai/docs/api-reference/inference-api/openapi/
   queue.json). The key goes to fal's own hosts only, never to the image URLs.
These functions build the request and read its states; the waiting is proxy/image_jobs.py's.
Pure, no I/O.
"""

from __future__ import annotations

import time

from ..errors import InvalidRequestError
from .fireworks import image_size

COMPLETED = "COMPLETED"
WAITING = ("IN_QUEUE", "IN_PROGRESS")
MAX_IMAGES = 4  # fal's FLUX endpoints make 1 to 4 images a request
PASSED_FIELDS = ("seed", "output_format", "guidance_scale", "num_inference_steps")


def job_path(model: str) -> str:
    return "/" + model.strip("/")


def job_body(body: dict) -> dict:
    """OpenAI's images body as the model's input; what fal cannot honour is a 400."""
    count = body.get("n") or 1
    if not isinstance(count, int) or not 1 <= count <= MAX_IMAGES:
        raise InvalidRequestError(f"n must be 1 to {MAX_IMAGES} for fal models", param="n")
    out: dict = {"prompt": body["prompt"], "num_images": count}
    out.update({name: body[name] for name in PASSED_FIELDS if body.get(name) is not None})
    size = body.get("size")
    if size not in (None, "auto"):
        width, height = image_size(size)
        out["image_size"] = {"width": width, "height": height}
    return out


def _url(payload: dict, name: str) -> str:
    url = payload.get(name)
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise ValueError(f"a fal queue request has a {name}")
    return url


def status_url(payload: dict) -> str:
    return _url(payload, "status_url")


def response_url(payload: dict) -> str:
    return _url(payload, "response_url")


def image_urls(result: dict) -> list[str]:
    images = result.get("images")
    if not isinstance(images, list) or not images:
        raise ValueError("a fal image result has images")
    urls = [image.get("url") if isinstance(image, dict) else None for image in images]
    if not all(isinstance(url, str) and url for url in urls):
        raise ValueError("every fal image has a url")
    return urls  # type: ignore[return-value]


def openai_images(urls: list[str], b64s: list[str] | None) -> dict:
    """The images in OpenAI's shape: base64 when they were fetched, else their URLs."""
    items = [{"b64_json": b64} for b64 in b64s] if b64s is not None else [{"url": u} for u in urls]
    return {"created": int(time.time()), "data": items}
