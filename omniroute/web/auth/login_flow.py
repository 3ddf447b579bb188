"""The login check shared by the JSON API and the login page: lockout, password, session."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import current_app, request

from ...admin_password import check_admin_password
from ..security import log_in_admin


@dataclass(frozen=True)
class LoginOutcome:
    ok: bool
    retry_after: int = 0  # > 0 when the address is locked out


def attempt_login(password: str) -> LoginOutcome:
    lockout = current_app.extensions["omniroute"].login_lockout
    client = request.remote_addr or "unknown"
    wait = lockout.retry_after(client)
    if wait > 0:
        return LoginOutcome(False, math.ceil(wait))
    if password and check_admin_password(password):
        lockout.record_success(client)
        log_in_admin()
        return LoginOutcome(True)
    lockout.record_failure(client)  # the next attempt is refused once the limit is reached
    return LoginOutcome(False)
