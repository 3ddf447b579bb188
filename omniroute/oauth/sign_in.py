"""What the web layer calls to sign an account in: start a flow, accept what the user pasted,
report (and for device codes, advance) a sign-in's status, import a CLI's credentials file.

    service = SignInService(providers_for(data_dir), save=<SignedIn → connection id>)
    service.start("claude-code")                  → SignInStart (authorize URL or device code)
    service.callback("claude-code", pasted, state) → SignInStatus (done, with the connection)
    service.status("codex", state)                → SignInStatus (polls a device flow when due)
    service.import_file("codex", content)         → connection id

Every refusal is a SignInError with a code, a message for the user and the HTTP status to
answer with; no token, verifier or device code ever leaves through these results.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .authorization import authorize_url, exchange_code, redirect_uri_for
from .device import DeviceFlowError, Pending, poll_once, start_device
from .flows import FlowError, PendingSignIn, SignInFlows, SignInStatus
from .grants import SignedIn
from .http_session import SessionSource, session_of
from .imports import ServerFilesDisabled, import_credentials, read_credentials
from .loopback import LoopbackListener, LoopbackPortBusy
from .paste import parse_pasted
from .pkce import new_state, new_verifier, s256_challenge
from .provider import OAuthProvider
from .token_endpoint import TokenEndpointError

if TYPE_CHECKING:  # imported by the calls that need it: a worker may never make one
    pass

SaveSignedIn = Callable[[SignedIn], int]  # stores the account, returns its connection id
FLOW_ERROR_STATUS = {"busy": 409, "finished": 409}


class SignInError(ValueError):
    """A sign-in step refused: `code` names why, `http_status` is the answer's status."""

    def __init__(self, code: str, message: str, http_status: int = 400):
        super().__init__(message)
        self.code = code
        self.http_status = http_status


@dataclass(frozen=True)
class SignInStart:
    """What the dashboard shows to go on: a URL to open, or a code to enter."""

    provider: str
    flow: str
    state: str
    expires_in: float
    authorize_url: str = ""
    user_code: str = ""
    verification_url: str = ""
    verification_url_complete: str = ""
    interval: float = 0.0

    def public(self) -> dict[str, Any]:
        """The API's camelCase form (empty fields left out)."""
        fields = {
            "provider": self.provider,
            "flow": self.flow,
            "state": self.state,
            "expiresIn": int(self.expires_in),
            "authorizeUrl": self.authorize_url,
            "userCode": self.user_code,
            "verificationUri": self.verification_url,
            "verificationUriComplete": self.verification_url_complete,
            "interval": self.interval,
        }
        return {name: value for name, value in fields.items() if value}


def status_public(status: SignInStatus) -> dict[str, Any]:
    """A sign-in's status in the API's camelCase form."""
    return {
        "provider": status.provider,
        "flow": status.flow,
        "state": status.state,
        "status": status.status,
        "connectionId": status.connection_id,
        "reason": status.reason,
        "expiresAt": status.expires_at,
    }


class SignInService:
    """Sign-in flows for the declared providers (see the module docstring)."""

    def __init__(
        self,
        providers: Mapping[str, OAuthProvider],
        save: SaveSignedIn,
        *,
        clock: Callable[[], float] = time.time,
        session: SessionSource = None,
        flows: SignInFlows | None = None,
    ):
        self.providers = providers
        self._save = save
        self._clock = clock
        self._session = session
        self.flows = flows or SignInFlows(clock=clock)
        self._listeners: dict[str, LoopbackListener] = {}
        self._lock = threading.Lock()

    def provider(self, provider_id: str) -> OAuthProvider:
        provider = self.providers.get(provider_id)
        if provider is None:
            raise SignInError("unknown_provider", f"no sign-in provider {provider_id!r}", 404)
        if provider.status == "discontinued":
            raise SignInError("discontinued", provider.status_note or "this service has closed")
        return provider

    # -- start -----------------------------------------------------------------------------
    def start(
        self, provider_id: str, flow: str | None = None, *, region: str | None = None
    ) -> SignInStart:
        """Begin a sign-in with `flow` (default: the provider's first) and say how to go on."""
        provider = self.provider(provider_id)
        flow = flow or next((f for f in provider.flows if f != "import"), "")
        offered = provider.offers(flow) and flow != "import"
        if not offered or (flow == "device" and not provider.device_protocol):
            flows = ", ".join(provider.flows) or "none"
            raise SignInError("flow_not_offered", f"{provider_id} offers {flows}, not {flow!r}")
        if flow == "device":
            return self._start_device(provider, region)
        return self._start_browser(provider, flow)

    def _start_browser(self, provider: OAuthProvider, flow: str) -> SignInStart:
        state, verifier = new_state(), new_verifier()
        if flow == "loopback":
            listener = self._listen(provider, state)
            redirect_uri = listener.redirect_uri
        else:
            redirect_uri = redirect_uri_for(provider, flow)
        url = authorize_url(
            provider, state=state, challenge=s256_challenge(verifier), redirect_uri=redirect_uri
        )
        self.flows.begin(
            provider.id, flow, verifier=verifier, redirect_uri=redirect_uri, state=state
        )
        return SignInStart(provider.id, flow, state, self.flows.ttl, authorize_url=url)

    def _listen(self, provider: OAuthProvider, state: str) -> LoopbackListener:
        listener = LoopbackListener(
            provider.loopback_redirect,
            lambda code, answer_state: self._redirected(provider, state, code, answer_state),
            on_error=lambda reason: self._fail_quietly(state, reason),
            timeout=self.flows.ttl,
        )
        try:
            listener.start()
        except LoopbackPortBusy as error:
            raise SignInError("port_busy", str(error), 409) from None
        with self._lock:
            for old in [s for s, other in self._listeners.items() if other.closed]:
                del self._listeners[old]
            self._listeners[state] = listener
        return listener

    def _start_device(self, provider: OAuthProvider, region: str | None) -> SignInStart:
        try:
            started = start_device(provider, region=region, session=session_of(self._session))
        except TokenEndpointError as error:
            raise _provider_refused(error) from None
        except DeviceFlowError as error:
            raise SignInError(error.code, str(error), 502) from None
        except ValueError as error:  # the only one left: a region that is not one
            raise SignInError("invalid_region", str(error)) from None
        device = {**started.device, "next_poll_at": self._clock() + started.interval}
        sign_in = self.flows.begin(provider.id, "device", device=device)
        return SignInStart(
            provider.id,
            "device",
            sign_in.state,
            min(self.flows.ttl, started.expires_in),
            user_code=started.user_code,
            verification_url=started.verification_url,
            verification_url_complete=started.verification_url_complete,
            interval=started.interval,
        )

    # -- callback --------------------------------------------------------------------------
    def callback(self, provider_id: str, pasted: str, state: str | None = None) -> SignInStatus:
        """Complete a paste or loopback sign-in with what the user pasted. `state` is the one
        the dashboard started; a state inside the paste must be the same."""
        provider = self.provider(provider_id)
        try:
            code, pasted_state = parse_pasted(pasted)
        except ValueError as error:
            raise SignInError("invalid_paste", str(error)) from None
        if state and pasted_state and state != pasted_state:
            raise SignInError("state_mismatch", "the pasted answer belongs to another sign-in")
        if not (state or pasted_state):
            raise SignInError("missing_state", "no state: start the sign-in from the dashboard")
        return self._complete(provider, str(state or pasted_state), code, pasted_state)

    def _complete(
        self, provider: OAuthProvider, state: str, code: str, pasted_state: str | None
    ) -> SignInStatus:
        if pasted_state is not None and pasted_state != state:
            raise SignInError("state_mismatch", "the answer belongs to another sign-in")
        sign_in = self._claim(provider, state)
        if sign_in.flow == "device":
            self.flows.release(state)
            raise SignInError("wrong_flow", "this sign-in waits for a device code, not a paste")
        try:
            signed_in = exchange_code(
                provider,
                code=code,
                verifier=sign_in.verifier,
                redirect_uri=sign_in.redirect_uri,
                state=state,
                session=session_of(self._session),
                clock=self._clock,
            )
        except TokenEndpointError as error:
            if _transient(error):
                self.flows.release(state)
            else:
                self.flows.fail(state, f"the provider refused the code: {error.code}")
            raise _provider_refused(error) from None
        return self._finish(state, signed_in)

    def _redirected(
        self, provider: OAuthProvider, state: str, code: str, answer_state: str | None
    ) -> None:
        """The loopback listener's answer: its state must be there and be this sign-in's."""
        if answer_state is None:
            raise SignInError("missing_state", "the redirect carries no state")
        self._complete(provider, state, code, answer_state)

    # -- status ----------------------------------------------------------------------------
    def status(self, provider_id: str, state: str) -> SignInStatus:
        """Where a sign-in stands; a device sign-in is polled once when its interval passed."""
        provider = self.provider(provider_id)
        current = self._status(provider, state)
        if current.status == "pending" and current.flow == "device":
            self._poll(provider, state)
            current = self._status(provider, state)
        return current

    def _poll(self, provider: OAuthProvider, state: str) -> None:
        try:
            sign_in = self.flows.claim(state, provider.id)
        except FlowError:
            return  # another request is polling it, or it just expired
        device = dict(sign_in.device)
        if self._clock() < float(device.get("next_poll_at", 0.0)):
            self.flows.release(state)
            return
        try:
            result = poll_once(
                provider, device, session=session_of(self._session), clock=self._clock
            )
        except DeviceFlowError as error:
            self.flows.fail(state, str(error))
            return
        except BaseException:
            self.flows.release(state)
            raise
        if isinstance(result, Pending):
            device.update(interval=result.interval, next_poll_at=self._clock() + result.interval)
            self.flows.release(state, device)
            return
        self._finish(state, result)

    # -- import ----------------------------------------------------------------------------
    def import_file(
        self, provider_id: str, content: bytes, registration: bytes | None = None
    ) -> int:
        """Save the account in an uploaded credentials file; its connection id."""
        provider = self.provider(provider_id)
        try:
            signed_in = import_credentials(provider, content, registration=registration)
        except ValueError as error:
            raise SignInError("invalid_file", str(error)) from None
        return self._save(signed_in)

    def import_server_file(self, provider_id: str, path: str | None, *, allowed: bool) -> int:
        """Save the account in a credentials file on the server (when `allowed`)."""
        provider = self.provider(provider_id)
        try:
            signed_in = read_credentials(provider, path, allowed=allowed)
        except ServerFilesDisabled as error:
            raise SignInError("server_files_disabled", str(error), 403) from None
        except ValueError as error:
            raise SignInError("invalid_file", str(error)) from None
        return self._save(signed_in)

    def close(self) -> None:
        """Stop every loopback listener still open."""
        with self._lock:
            listeners, self._listeners = list(self._listeners.values()), {}
        for listener in listeners:
            listener.close()

    # -- shared ----------------------------------------------------------------------------
    def _claim(self, provider: OAuthProvider, state: str) -> PendingSignIn:
        try:
            return self.flows.claim(state, provider.id)
        except FlowError as error:
            raise _flow_refused(error) from None

    def _status(self, provider: OAuthProvider, state: str) -> SignInStatus:
        try:
            return self.flows.status(state, provider.id)
        except FlowError as error:
            raise _flow_refused(error) from None

    def _finish(self, state: str, signed_in: SignedIn) -> SignInStatus:
        try:
            connection_id = self._save(signed_in)
        except BaseException:
            self.flows.fail(state, "the account could not be saved")
            raise
        finally:
            self._close_listener(state)
        return self.flows.finish(state, connection_id)

    def _fail_quietly(self, state: str, reason: str) -> None:
        try:
            self.flows.fail(state, reason)
        except FlowError:
            pass
        self._close_listener(state)

    def _close_listener(self, state: str) -> None:
        with self._lock:
            listener = self._listeners.pop(state, None)
        if listener is not None:
            listener.close(wait=False)


def _flow_refused(error: FlowError) -> SignInError:
    return SignInError(error.code, str(error), FLOW_ERROR_STATUS.get(error.code, 400))


def _transient(error: TokenEndpointError) -> bool:
    return not error.final and (error.status in (0, 429) or error.status >= 500)


def _provider_refused(error: TokenEndpointError) -> SignInError:
    status = 502 if _transient(error) else 400
    return SignInError("provider_refused", f"the provider refused: {error}", status)
