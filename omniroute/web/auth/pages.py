"""Dashboard login and logout pages, the password change and "log out all sessions" (their
forms are on Settings → Security, settings/pages.py)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...admin_password import check_admin_password, set_admin_password
from ...settings import MIN_PASSWORD_LENGTH
from ..guard import public
from ..security import log_out_all_sessions, log_out_other_sessions, log_out_this_session
from ..settings.pages import render_tab
from .local_redirect import local_path
from .login_flow import attempt_login

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    error = None
    status = 200
    if request.method == "POST":
        outcome = attempt_login(request.form.get("password", ""))
        if outcome.ok:
            return redirect(local_path(request.args.get("next")) or url_for("pages.dashboard.home"))
        if outcome.retry_after:
            error = _(
                "Too many failed attempts. Try again in %(minutes)d minutes.",
                minutes=max(1, outcome.retry_after // 60),
            )
            status = 429
        else:
            error = _("Wrong password.")
            status = 401
    return render_template("auth/login.html", error=error), status


@bp.post("/logout")
@public
def logout():
    log_out_this_session()
    return redirect(url_for("pages.auth.login"))


@bp.post("/settings/sessions/logout-all")
def logout_all():
    log_out_all_sessions()
    return redirect(url_for("pages.auth.login"))


@bp.route("/settings/password", methods=["GET", "POST"])
def change_password():
    """The password form's target; the form itself is on Settings → Security."""
    if request.method == "GET":
        return redirect(url_for("pages.settings.security"))
    message = error = None
    current = request.form.get("current_password", "")
    new = request.form.get("new_password", "")
    if not check_admin_password(current):
        error = _("The current password is wrong.")
    elif len(new) < MIN_PASSWORD_LENGTH:
        error = _("The new password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    elif new != request.form.get("confirm_password", ""):
        error = _("The two new passwords differ.")
    else:
        set_admin_password(new)
        log_out_other_sessions()
        message = _("Password changed. Every other session is logged out.")
    return render_tab(
        "security", 400 if error else 200, password_message=message, password_error=error
    )
