"""The gateway's error tree. Each wire format renders these in its own error shape.

GatewayError                      status, message, type, code, headers
├── InvalidRequestError           400 invalid_request_error (a bad body or parameter)
├── AuthenticationError           401 authentication_error
├── ModelNotFoundError            404 model_not_found
├── UnknownEndpointError          404 no client API endpoint at that path (unknown_url)
├── MethodNotAllowedError         405 the path exists, not for that HTTP method
├── PayloadTooLargeError          413 request_too_large
├── BudgetExceededError           402 the API key's budget for the period is spent
├── ForbiddenModelError           403 the API key may not use this model
├── RateLimitedError              429 every account for the model is cooling down
├── ServiceUnavailableError       503 (no active connection; server at capacity)
└── UpstreamError                 the provider failed; `provider` names it
    ├── UpstreamStatusError       the provider answered with an error status (passed on)
    ├── UpstreamUnreachableError  502 could not connect / connection broke
    └── UpstreamTimeoutError      504 no answer in time
"""

from __future__ import annotations


class GatewayError(Exception):
    status = 500
    type = "server_error"
    code: str | None = None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.param = param
        self.headers = headers or {}


def internal_error(error: Exception) -> GatewayError:
    """What the caller sees of a bug (the traceback goes to the log)."""
    return GatewayError(f"internal error in the gateway: {error.__class__.__name__}")


class InvalidRequestError(GatewayError):
    status = 400
    type = "invalid_request_error"
    code = "invalid_request"


class AuthenticationError(GatewayError):
    status = 401
    type = "authentication_error"
    code = "invalid_api_key"


class ModelNotFoundError(GatewayError):
    status = 404
    type = "invalid_request_error"
    code = "model_not_found"


class UnknownEndpointError(GatewayError):
    status = 404
    type = "invalid_request_error"
    code = "unknown_url"


class MethodNotAllowedError(GatewayError):
    status = 405
    type = "invalid_request_error"
    code = "method_not_allowed"


class PayloadTooLargeError(GatewayError):
    status = 413
    type = "invalid_request_error"
    code = "request_too_large"


def body_too_large(limit: int) -> PayloadTooLargeError:
    """The 413 for a request body over MAX_BODY_BYTES."""
    return PayloadTooLargeError(f"request body is larger than {limit} bytes")


class BudgetExceededError(GatewayError):
    status = 402
    type = "insufficient_quota"
    code = "budget_exceeded"


class ForbiddenModelError(GatewayError):
    status = 403
    type = "permission_error"
    code = "model_not_allowed"


class RateLimitedError(GatewayError):
    status = 429
    type = "rate_limit_error"
    code = "rate_limited"


class ServiceUnavailableError(GatewayError):
    status = 503
    type = "service_unavailable"
    code = "service_unavailable"


class UpstreamError(GatewayError):
    status = 502
    type = "upstream_error"
    code: str | None = "upstream_error"

    def __init__(self, message: str, *, provider: str, **kwargs):
        super().__init__(message, **kwargs)
        self.provider = provider


class UpstreamStatusError(UpstreamError):
    """The provider answered with an error status; 4xx are passed on as they came.
    `retry_in`: the provider's hint of when the account may be tried again (seconds).
    `scope`: what a subscription provider's refusal is about, when its answer says so —
    "account" (the plan's window is spent), "model" (one model is at capacity) or "request"
    (this request is not entitled; every account would refuse it)."""

    retry_in: float | None = None
    scope: str | None = None

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        upstream_status: int,
        upstream_type: str | None = None,
        upstream_code: str | None = None,
        **kwargs,
    ):
        status = upstream_status if 400 <= upstream_status < 500 else 502
        super().__init__(message, provider=provider, status=status, **kwargs)
        self.upstream_status = upstream_status
        if upstream_type:
            self.type = upstream_type
        self.code = upstream_code or ("upstream_error" if status == 502 else None)


class UpstreamUnreachableError(UpstreamError):
    status = 502
    code = "upstream_unreachable"


class UpstreamTimeoutError(UpstreamError):
    status = 504
    type = "timeout_error"
    code = "upstream_timeout"
