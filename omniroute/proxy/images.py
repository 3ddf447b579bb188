"""POST /v1/images/generations: OpenAI's image generation, served by OpenAI-compatible providers.

The body is passed through to `{base}/images/generations` with only the model id rewritten and
the answer comes back untouched; its `usage` (gpt-image models report input/output tokens) is
recorded when present. Fireworks (`image_api="fireworks-workflow"`) is translated to its FLUX
text_to_image workflow and back (providers/fireworks.py). Other wire formats are a 400;
streamed image generation is not offered.
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidRequestError
from ..formats.canonical import Usage
from ..providers import fireworks
from ..routing.plan import Attempt
from .media import parse_json_object, to_json
from .provider_scope import refuse_sign_in
from .upstream_call import UpstreamCall, build_call

FIREWORKS_WORKFLOW = "fireworks-workflow"


class ImagesRequest:
    endpoint = "images.generations"
    capability = "image generation"

    def __init__(self, raw: bytes):
        self.body = parse_json_object(raw)
        self.model = self.body["model"].strip()
        prompt = self.body.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            raise InvalidRequestError("'prompt' is required and must be a string", param="prompt")
        if self.body.get("stream"):
            raise InvalidRequestError("streamed image generation is not supported", param="stream")

    def supports(self, wire_format: str) -> bool:
        return wire_format == "openai"

    def upstream_request(self, attempt: Attempt) -> UpstreamCall:
        refuse_sign_in(attempt.spec)
        if attempt.spec.image_api == FIREWORKS_WORKFLOW:
            path = fireworks.workflow_path(attempt.model)
            body = fireworks.workflow_body(self.body)
        else:
            path, body = "/images/generations", {**self.body, "model": attempt.model}
        return build_call(attempt, to_json(body), path=path)

    def client_answer(self, attempt: Attempt, payload: Any, raw: bytes) -> tuple[bytes, Usage]:
        if attempt.spec.image_api == FIREWORKS_WORKFLOW:
            answer = fireworks.openai_images(payload, self.body.get("response_format"))
            return to_json(answer), Usage()
        if not isinstance(payload.get("data"), list):
            raise ValueError("an images answer has a data list")
        usage = payload.get("usage") or {}
        return raw, Usage(
            input_tokens=int(usage.get("input_tokens") or usage.get("prompt_tokens") or 0),
            output_tokens=int(usage.get("output_tokens") or usage.get("completion_tokens") or 0),
        )
