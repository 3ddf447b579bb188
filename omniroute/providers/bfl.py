"""Black Forest Labs (FLUX) behind OpenAI's /images/generations: a job, polled until ready.

1. POST {base}/<model> (e.g. /v1/flux-pro-1.1) with the key in `x-key` and {"prompt", "width",
   "height" | "aspect_ratio", "seed", "output_format", "safety_tolerance"} → {"id",
   "polling_url"};
2. GET the polling URL (same key) until "status" is "Ready" ({"result": {"sample": a signed URL,
   valid for 10 minutes}}), or a final failure: "Error", "Failed", "Content Moderated",
   "Request Moderated", "Task not found". Anything else ("Pending") means wait.
These functions build the job and read its states; the waiting is proxy/image_jobs.py's.
Pure, no I/O.
"""

from __future__ import annotations

import time

from ..errors import InvalidRequestError
from .fireworks import aspect_ratio, image_size

READY = "Ready"
MODERATED = ("Content Moderated", "Request Moderated")
FAILED = ("Error", "Failed", "Task not found")
ASPECT_RATIOS = ("21:9", "16:9", "3:2", "4:3", "1:1", "3:4", "2:3", "9:16", "9:21")
PASSED_FIELDS = ("seed", "output_format", "safety_tolerance", "prompt_upsampling")


def job_path(model: str) -> str:
    return "/" + model.strip("/")


def job_body(body: dict, model: str) -> dict:
    """OpenAI's images body as a job body; what the API cannot honour is a 400. The ultra
    models take an aspect ratio, the others a width and height."""
    if body.get("n") not in (None, 1):
        raise InvalidRequestError("this model makes one image per request: set n to 1", param="n")
    out = {"prompt": body["prompt"]}
    out.update({name: body[name] for name in PASSED_FIELDS if body.get(name) is not None})
    size = body.get("size")
    if size not in (None, "auto"):
        if "ultra" in model:
            out["aspect_ratio"] = aspect_ratio(size, ASPECT_RATIOS)
        else:
            out["width"], out["height"] = image_size(size)
    return out


def polling_url(payload: dict) -> str:
    url = payload.get("polling_url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise ValueError("a Black Forest Labs job has a polling_url")
    return url


def sample_url(payload: dict) -> str:
    sample = (payload.get("result") or {}).get("sample")
    if not isinstance(sample, str) or not sample:
        raise ValueError("a ready Black Forest Labs job has a result sample")
    return sample


def openai_images(sample: str, b64: str | None) -> dict:
    """The image in OpenAI's shape: base64 when it was fetched, else the signed URL."""
    item = {"b64_json": b64} if b64 is not None else {"url": sample}
    return {"created": int(time.time()), "data": [item]}
