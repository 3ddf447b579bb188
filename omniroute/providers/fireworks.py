"""Fireworks AI's quirk: FLUX images come from a workflow endpoint, not /images/generations.

POST {base}/workflows/accounts/fireworks/models/<model>/text_to_image with {"prompt", and
optionally "aspect_ratio", "seed", "guidance_scale", "num_inference_steps"} and
`Accept: application/json` answers {"id", "base64": ["data:image/png;base64,…", …],
"finishReason", "seed"}. These functions translate OpenAI's images request to that and the
answer back to OpenAI's {"created", "data": [{"b64_json"} | {"url"}]}. Pure, no I/O.
"""

from __future__ import annotations

import math
import time

from ..errors import InvalidRequestError

MODEL_NAMESPACE = "accounts/fireworks/models/"
ASPECT_RATIOS = ("1:1", "21:9", "16:9", "3:2", "5:4", "4:5", "2:3", "9:16", "9:21", "4:3", "3:4")
PASSED_FIELDS = ("seed", "guidance_scale", "num_inference_steps", "aspect_ratio")


def workflow_path(model: str) -> str:
    """The text_to_image path for `model` (a bare name gets Fireworks' own namespace)."""
    full = model if model.startswith("accounts/") else MODEL_NAMESPACE + model
    return f"/workflows/{full}/text_to_image"


def workflow_body(body: dict) -> dict:
    """OpenAI's images body as a workflow body; what the workflow cannot honour is a 400."""
    if body.get("n") not in (None, 1):
        raise InvalidRequestError("this model makes one image per request: set n to 1", param="n")
    out = {"prompt": body["prompt"]}
    out.update({name: body[name] for name in PASSED_FIELDS if body.get(name) is not None})
    size = body.get("size")
    if size not in (None, "auto") and "aspect_ratio" not in out:
        out["aspect_ratio"] = aspect_ratio(size)
    return out


def image_size(size) -> tuple[int, int]:
    """OpenAI's `WxH` size as (width, height); anything else is a 400."""
    try:
        width, height = (int(part) for part in str(size).lower().split("x"))
        if width <= 0 or height <= 0:
            raise ValueError
    except ValueError:
        raise InvalidRequestError("'size' must look like 1024x1024", param="size") from None
    return width, height


def aspect_ratio(size, choices: tuple[str, ...] = ASPECT_RATIOS) -> str:
    """OpenAI's `WxH` size as the closest aspect ratio among `choices` (the workflow's)."""
    width, height = image_size(size)

    def distance(ratio: str) -> float:
        w, h = ratio.split(":")
        return abs(math.log(width / height) - math.log(int(w) / int(h)))

    return min(choices, key=distance)


def openai_images(payload: dict, response_format: str | None) -> dict:
    """The workflow's answer in OpenAI's shape: base64 images, or data: URLs for `url`."""
    images = payload.get("base64")
    if not isinstance(images, list) or not images or not all(isinstance(i, str) for i in images):
        reason = payload.get("finishReason") or "no images"
        raise ValueError(f"a Fireworks image answer has a base64 list ({reason})")
    data = []
    for image in images:
        head, sep, encoded = image.partition(",")
        if not sep:  # plain base64, no data: URL
            head, encoded = "data:image/jpeg;base64", image
        if response_format == "b64_json":
            data.append({"b64_json": encoded})
        else:
            data.append({"url": f"{head},{encoded}"})
    return {"created": int(time.time()), "data": data}
