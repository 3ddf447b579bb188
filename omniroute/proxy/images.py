"""POST /v1/images/generations: OpenAI's image generation, served by OpenAI-compatible providers,
Stability AI, Black Forest Labs and fal.

The body is passed through to `{base}/images/generations` with only the model id rewritten and
the answer comes back untouched; its `usage` (gpt-image models report input/output tokens) is
recorded when present. Fireworks (`image_api="fireworks-workflow"`) is translated to its FLUX
text_to_image workflow and back (providers/fireworks.py); Stability AI to its multipart Stable
Image form (providers/stability.py); Black Forest Labs to a job polled until ready
(providers/bfl.py, proxy/image_jobs.py), fal to a queue request polled the same way
(providers/fal.py). Stability and BFL make one image a request, fal the `n` it was asked
for (up to 4); each image counts as one output unit in the usage row (a row priced per image
has its price per 1M images). Other wire formats are a 400; streamed image generation is not
offered.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..errors import InvalidRequestError
from ..formats.canonical import Usage
from ..providers import bfl, fal, fireworks, stability
from ..routing.plan import Attempt
from .attempts import Answer
from .image_jobs import settle_bfl, settle_fal
from .media import CLIENT_FORMAT, parse_json_object, to_json
from .provider_scope import refuse_sign_in
from .transport import Transport
from .upstream_call import UpstreamCall, build_call

FIREWORKS_WORKFLOW = "fireworks-workflow"
STABILITY, BFL, FAL = "stability", "bfl", "fal"
ONE_IMAGE = Usage(output_tokens=1)


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
        if self.body.get("response_format") not in (None, "url", "b64_json"):
            raise InvalidRequestError(
                "'response_format' must be 'url' or 'b64_json'", param="response_format"
            )

    def supports(self, wire_format: str) -> bool:
        return wire_format in ("openai", STABILITY, BFL, FAL)

    def upstream_request(self, attempt: Attempt) -> UpstreamCall:
        refuse_sign_in(attempt.spec)
        wire = attempt.spec.wire_format
        if wire == STABILITY:
            form, content_type = stability.form(self.body, attempt.model)
            call = build_call(attempt, form, path=stability.generate_path(attempt.model))
            headers = {**call.headers, "Content-Type": content_type}
            return dataclasses.replace(call, headers=headers, wire_format=CLIENT_FORMAT)
        if wire == BFL:
            body = bfl.job_body(self.body, attempt.model)
            call = build_call(attempt, to_json(body), path=bfl.job_path(attempt.model))
            return dataclasses.replace(call, wire_format=CLIENT_FORMAT)
        if wire == FAL:
            body = fal.job_body(self.body)
            call = build_call(attempt, to_json(body), path=fal.job_path(attempt.model))
            return dataclasses.replace(call, wire_format=CLIENT_FORMAT)
        if attempt.spec.image_api == FIREWORKS_WORKFLOW:
            path = fireworks.workflow_path(attempt.model)
            body = fireworks.workflow_body(self.body)
        else:
            path, body = "/images/generations", {**self.body, "model": attempt.model}
        return build_call(attempt, to_json(body), path=path)

    def settle(self, client: Transport, answer: Answer) -> Answer:
        """A job's answer waited for (Black Forest Labs, fal); any other answer as it is."""
        wire = answer.attempt.spec.wire_format
        if wire in (BFL, FAL):
            settle = settle_bfl if wire == BFL else settle_fal
            return settle(client, answer, self.body.get("response_format"))
        return answer

    def client_answer(self, attempt: Attempt, payload: Any, raw: bytes) -> tuple[bytes, Usage]:
        wire = attempt.spec.wire_format
        if wire == STABILITY:
            return to_json(stability.openai_images(payload, self.body)), ONE_IMAGE
        if wire in (BFL, FAL):  # settled: already OpenAI's shape
            if not isinstance(payload.get("data"), list):
                raise ValueError("an images answer has a data list")
            return raw, Usage(output_tokens=len(payload["data"]))
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
