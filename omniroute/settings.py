"""Every setting OmniRoute reads, declared once as data.

Each `Setting` names an environment variable, its default, a help text and a parser. The README's
configuration table and `load_settings()` both read this one declaration, so a setting cannot exist
in one place and not the other. A bad value stops start-up with a message naming the variable;
the value itself is quoted only for settings that are not `secret` (a password, key, or a
database URL that may carry one is never echoed to a console or log).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .setting_parsers import (
    float_between,
    int_between,
    one_of,
    parse_bool,
    parse_cpu_pinning,
    parse_database_url,
    parse_http_url,
    parse_optional_bool,
    parse_optional_http_url,
    parse_path,
    parse_redis_url,
    parse_secret,
    parse_text,
    parse_trusted_proxy,
)


class SettingsError(ValueError):
    """A setting's value could not be used; the message names the variable."""


MIN_PASSWORD_LENGTH = 8  # the dashboard password, first set (INITIAL_PASSWORD) or changed


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = parse_text
    shown_default: str | None = None  # how the README shows a computed default
    secret: bool = False  # never quote the value in an error message

    def readme_default(self) -> str:
        if self.shown_default is not None:
            return self.shown_default
        return "(unset)" if self.default is None else str(self.default)


SETTINGS: tuple[Setting, ...] = (
    Setting("PORT", 20128, "TCP port the server listens on.", int_between(0, 65535)),
    Setting(
        "HOSTNAME",
        "127.0.0.1",
        "Address to bind. Use 0.0.0.0 to listen on every interface (then /v1 requires an API key "
        "unless REQUIRE_API_KEY=false).",
    ),
    Setting(
        "DATA_DIR",
        "~/.omniroute",
        "Directory for the SQLite database and generated secrets.",
        parse_path,
    ),
    Setting(
        "INITIAL_PASSWORD",
        None,
        "Dashboard password on first run (at least 8 characters). If unset, one is generated, "
        "printed once and written to DATA_DIR/initial-password (mode 0600), which is deleted "
        "when the password is changed.",
        secret=True,
    ),
    Setting(
        "JWT_SECRET",
        None,
        "Secret that signs dashboard sessions. Generated into DATA_DIR/jwt-secret if unset.",
        parse_secret,
        secret=True,
    ),
    Setting(
        "API_KEY_SECRET",
        None,
        "HMAC secret for the gateway's API keys. Generated into DATA_DIR/api-key-secret if unset.",
        parse_secret,
        secret=True,
    ),
    Setting(
        "STORAGE_ENCRYPTION_KEY",
        None,
        "Key that encrypts provider secrets at rest (AES-256-GCM): 64 hex characters, base64 of 32 "
        "bytes, or a passphrase of 16+ characters. Generated into DATA_DIR/storage.key if unset; "
        "never stored in the database.",
        parse_secret,
        secret=True,
    ),
    Setting(
        "DATABASE_URL",
        None,
        "Database. SQLite in DATA_DIR by default; postgresql://user:pass@host:port/db for "
        "PostgreSQL.",
        parse_database_url,
        shown_default="sqlite:///DATA_DIR/omniroute.db",
        secret=True,  # postgresql://user:password@…
    ),
    Setting(
        "REDIS_URL",
        "",
        "Redis shared by every worker and machine: rate limits, budgets, breakers, cooldowns, "
        "lockouts, round-robin, affinity, idempotency, the response cache and the live monitor "
        "become exact across processes. Unset: all state stays in this process. OmniRoute "
        "refuses to start when it is set and Redis cannot be reached.",
        parse_redis_url,
        shown_default="(unset)",
        secret=True,  # redis://:password@…
    ),
    Setting(
        "REDIS_TIMEOUT_MS",
        500,
        "Connect and command timeout for Redis calls (ms). At run time a Redis that does not "
        "answer in time makes budgets refuse (fail closed), rate limits fall back to this "
        "process's share of the limit, and cache and idempotency be skipped.",
        int_between(10, 10_000),
    ),
    Setting(
        "BACKUP_INTERVAL_HOURS",
        24.0,
        "Hours between automatic database backups into DATA_DIR/backups/ (0 = none on a "
        "schedule; a backup is still taken before an import, a restore or a migration).",
        float_between(0, 24 * 365),
    ),
    Setting(
        "BACKUP_KEEP",
        7,
        "How many backups DATA_DIR/backups/ keeps; older ones are deleted as new ones are made.",
        int_between(1, 1000),
    ),
    Setting(
        "REQUIRE_API_KEY",
        None,
        "Require an API key on /v1/*. Unset: required when HOSTNAME is not a loopback address "
        "or TRUSTED_PROXY is set. true/false force it.",
        parse_optional_bool,
        shown_default="auto",
    ),
    Setting(
        "ENABLE_REQUEST_LOGS",
        False,
        "Keep request and response bodies for the request log (off: only metadata is kept).",
        parse_bool,
    ),
    Setting(
        "REQUEST_LOG_HOURS",
        24.0,
        "Hours request-log bodies are kept (at most 10,000 requests), when request logs are on.",
        float_between(0.1, 8760),
    ),
    Setting(
        "OAUTH_IMPORT_FROM_PATHS",
        False,
        "Let the dashboard import a subscription CLI's credentials file from a path on this "
        "server (such as ~/.claude/.credentials.json); off, only uploaded files are read.",
        parse_bool,
    ),
    Setting(
        "CLI_TOOLS_APPLY",
        False,
        "Let the CLI tools page write a tool's config files on this server (after showing a "
        "diff, with a backup in DATA_DIR/cli-backups/ and a Restore). Refused whenever HOSTNAME "
        "listens beyond loopback.",
        parse_bool,
    ),
    Setting(
        "CLI_TOOLS_HOME",
        None,
        "Home folder whose tool config files the CLI tools page reads and writes. Unset: the "
        "server's own home.",
        parse_path,
        shown_default="(the server's home)",
    ),
    Setting(
        "AUTH_COOKIE_SECURE",
        False,
        "Mark the session cookie Secure (set when served behind HTTPS).",
        parse_bool,
    ),
    Setting(
        "TRUSTED_PROXY",
        None,
        "IP address of the reverse proxy in front (such as 127.0.0.1), or * for any peer (only "
        "if nothing else can reach PORT). Requests from it are taken at their X-Forwarded-For, "
        "-Proto, -Host and -Port: the client address that login and API-key lockouts, usage and "
        "logs see, and the scheme. Unset: those headers are ignored.",
        parse_trusted_proxy,
    ),
    Setting(
        "BASE_URL",
        None,
        "Public base URL shown in the dashboard's setup snippets and Home (behind a reverse "
        "proxy or a tunnel). Unset: the address the dashboard is reached at.",
        parse_http_url,
        shown_default="(unset)",
    ),
    Setting(
        "THREADS",
        1200,
        "Worker threads. Each open stream holds one, so size it above the streams you expect.",
        int_between(4, 10000),
    ),
    Setting(
        "CONNECTION_LIMIT",
        2000,
        "Most client connections held open at once (beyond it they wait in the kernel backlog).",
        int_between(10, 100000),
    ),
    Setting(
        "MAX_IN_FLIGHT",
        1150,
        "Most /v1 requests handled at once; beyond it the gateway answers 503 with Retry-After. "
        "Keep it below THREADS so the dashboard stays reachable.",
        int_between(1, 10000),
    ),
    Setting(
        "MAX_BODY_BYTES",
        32 * 1024 * 1024,
        "Largest request body accepted; larger ones get 413.",
        int_between(1024, 1024 * 1024 * 1024),
    ),
    Setting(
        "UPSTREAM_CONNECT_TIMEOUT",
        10.0,
        "Seconds to wait for a TCP connection to a provider.",
        float_between(0.1, 600),
    ),
    Setting(
        "UPSTREAM_READ_TIMEOUT",
        300.0,
        "Seconds to wait for the provider's answer to start: its headers, then for a stream "
        "its first event (a provider silent that long is a timeout: the next one is tried).",
        float_between(0.1, 3600),
    ),
    Setting(
        "UPSTREAM_IDLE_TIMEOUT",
        300.0,
        "Seconds an answer may stay silent once it has started (between two chunks of a "
        "stream); a stream silent longer ends with an in-band error.",
        float_between(0.1, 3600),
    ),
    Setting(
        "UPSTREAM_CA_BUNDLE",
        None,
        "Path of a PEM bundle of certificate authorities trusted for upstream TLS instead of the "
        "system's (e.g. a TLS-intercepting corporate proxy's CA); a proxy's own caBundle wins.",
        parse_path,
    ),
    Setting(
        "HTTPS_PROXY",
        None,
        "Outbound proxy for https:// upstream calls when no proxy is set in Settings → Advanced "
        "(http://, https:// or socks5:// URL).",
    ),
    Setting(
        "HTTP_PROXY",
        None,
        "Outbound proxy for http:// upstream calls when no proxy is set in Settings → Advanced.",
    ),
    Setting(
        "NO_PROXY",
        None,
        "Comma-separated hosts and domains HTTPS_PROXY / HTTP_PROXY do not apply to.",
    ),
    Setting(
        "PROXY_TEST_URL",
        "https://api.openai.com/v1/models",
        "URL the proxy test (POST /api/settings/proxy/test) fetches through the proxy.",
        parse_http_url,
    ),
    Setting(
        "STREAM_KEEPALIVE_SECONDS",
        15.0,
        "Once a streamed request has waited this many seconds for the provider's first event, "
        "the client gets 200 with SSE headers and a `: keep-alive` comment every this many "
        "seconds until the answer starts (a failure after that arrives as the stream's error "
        "event). 0: off (the client hears nothing until the answer or the error).",
        float_between(0, 600),
    ),
    Setting(
        "PROGRESS_INTERVAL_SECONDS",
        1.0,
        "At most one progress event (output tokens so far, elapsed ms) per this many seconds in "
        "a stream whose client sent `X-OmniRoute-Progress: true`.",
        float_between(0.05, 600),
    ),
    Setting(
        "LOG_LEVEL",
        "INFO",
        "Least severe log lines written to stderr: DEBUG, INFO (one access line per request and "
        "a line for each field a provider cannot take), WARNING or ERROR. DEBUG applies to "
        "OmniRoute's own lines; libraries stay at INFO.",
        one_of("DEBUG", "INFO", "WARNING", "ERROR"),
    ),
    Setting(
        "LOG_FORMAT",
        "text",
        "How log lines are written: text (one readable line each) or json (one JSON object per "
        "line: time, level, logger, message and the line's fields).",
        one_of("text", "json"),
    ),
    Setting(
        "CLOUD_URL",
        "",
        "Base URL of another OmniRoute instance to take the configuration from (sync between "
        "instances: providers and nodes without credentials, combos, aliases, chains, settings, "
        "prices), pulled from its /api/sync/bundle with SYNC_TOKEN. Empty: off.",
        parse_optional_http_url,
        shown_default="(empty: off)",
    ),
    Setting(
        "SYNC_TOKEN",
        None,
        "Token of sync between instances (16+ characters): the one this instance's "
        "/api/sync/bundle accepts as `Authorization: Bearer`, and the one it sends to CLOUD_URL. "
        "Generated into DATA_DIR/sync-token if unset (shown in Settings → Advanced).",
        parse_secret,
        secret=True,
    ),
    Setting(
        "SYNC_INTERVAL_SECONDS",
        300.0,
        "How often an instance with CLOUD_URL pulls the configuration bundle (a pull sends "
        "If-None-Match and applies only a newer version).",
        float_between(0.1, 86400),
    ),
    Setting(
        "METRICS_TOKEN",
        None,
        "Token GET /metrics (Prometheus text format) requires as `Authorization: Bearer`. "
        "Unset: /metrics answers loopback callers only, unless METRICS_PUBLIC=true.",
        parse_secret,
        secret=True,
    ),
    Setting(
        "METRICS_PUBLIC",
        False,
        "Serve GET /metrics to any caller when METRICS_TOKEN is unset.",
        parse_bool,
    ),
    Setting(
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "",
        "OpenTelemetry collector (OTLP over HTTP/protobuf, its base URL such as "
        "http://127.0.0.1:4318; spans go to /v1/traces) to send a trace of every client request "
        "to: a span per request, continuing the client's W3C traceparent, with a child span per "
        "upstream call and per fallback decision. Empty: off (nothing is loaded). The SDK's other "
        "OTEL_* variables (OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_SAMPLER, "
        "OTEL_RESOURCE_ATTRIBUTES, OTEL_BSP_*) apply.",
        parse_optional_http_url,
        shown_default="(empty: off)",
    ),
    Setting(
        "OTEL_SERVICE_NAME",
        "omniroute",
        "The service.name of OmniRoute's spans (OTEL_EXPORTER_OTLP_ENDPOINT).",
    ),
    Setting(
        "WEB_CONCURRENCY",
        1,
        "Worker processes serving PORT (one socket shared by all; each uses one core). 1: one "
        "process, no supervisor. Above 1 a supervisor restarts a crashed worker, reloads the "
        "workers on SIGHUP without failing a request and stops them all on SIGTERM; it needs "
        "REDIS_URL (or ALLOW_PER_WORKER_STATE=true).",
        int_between(1, 64),
    ),
    Setting(
        "CPU_PINNING",
        "auto",
        "Which CPU each serving process runs on. auto: one CPU per process (the single process "
        "on the last CPU, workers spread from the last one), which spares the threads of a "
        "process handing over the interpreter lock between CPUs (a third more requests per "
        "second on a 2-CPU VM); off: the system decides; or CPU numbers (2, 0,2, 0-3) taken in "
        "turn by the workers.",
        parse_cpu_pinning,
    ),
    Setting(
        "ALLOW_PER_WORKER_STATE",
        False,
        "With WEB_CONCURRENCY above 1 and no REDIS_URL, start anyway: rate limits, budgets and "
        "idempotency keys are then per worker (each worker allows the whole limit).",
        parse_bool,
    ),
    Setting(
        "WORKER_GRACE_SECONDS",
        30.0,
        "How long a stopping worker (SIGTERM, or replaced on SIGHUP) lets its in-flight requests "
        "and streams finish before it exits anyway.",
        float_between(0, 3600),
    ),
    Setting(
        "WORKER_ID_HEADER",
        False,
        "Add an X-Worker header (the worker's process id) to every answer, to see how requests "
        "spread over the worker processes (debugging and tests).",
        parse_bool,
    ),
    Setting(
        "USAGE_RETENTION_DAYS",
        90.0,
        "Days usage rows and request logs are kept; older ones are deleted in batches by the "
        "background writer (hourly), while the hourly rollups behind the charts are kept. "
        "0: keep forever.",
        float_between(0, 36500),
    ),
    Setting(
        "USAGE_FLUSH_SECONDS",
        1.0,
        "How often the background writer saves usage rows (a crash loses at most this much).",
        float_between(0.05, 60),
    ),
)

SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Read every setting from `environ` (default: the process environment).

    `overrides` holds already-parsed values (tests and embedders use it); it wins over the
    environment. Raises SettingsError naming the variable when a value is unusable.
    """
    environ = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    unknown = set(overrides) - set(SETTINGS_BY_NAME)
    if unknown:
        raise SettingsError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.name in overrides:
            values[setting.name] = overrides[setting.name]
            continue
        raw = environ.get(setting.name)
        if raw is None or (raw == "" and setting.default is not None):
            values[setting.name] = _parsed_default(setting)
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as exc:
            raise SettingsError(_invalid(setting, raw, exc)) from None
    if values["MAX_IN_FLIGHT"] >= values["THREADS"]:
        raise SettingsError(
            f"MAX_IN_FLIGHT={values['MAX_IN_FLIGHT']} must be below THREADS={values['THREADS']}"
        )
    _check_initial_password(values["INITIAL_PASSWORD"])
    if values["DATABASE_URL"] is None:
        values["DATABASE_URL"] = "sqlite:///" + os.path.join(values["DATA_DIR"], "omniroute.db")
    return values


def _check_initial_password(password: str | None) -> None:
    """The first password obeys the rule a changed one does (the value itself is not shown)."""
    if password and len(password) < MIN_PASSWORD_LENGTH:
        raise SettingsError(
            f"INITIAL_PASSWORD is too short ({len(password)} characters, not shown): the "
            f"dashboard password needs at least {MIN_PASSWORD_LENGTH} characters"
        )


def _invalid(setting: Setting, raw: str, problem: ValueError) -> str:
    if setting.secret:
        return f"{setting.name} is not valid ({len(raw)} characters, not shown): {problem}"
    return f"{setting.name}={raw!r} is not valid: {problem}"


def _parsed_default(setting: Setting) -> Any:
    if isinstance(setting.default, str) and setting.parse is not parse_text:
        return setting.parse(setting.default)
    return setting.default


def settings_table_markdown() -> str:
    """The README's configuration table, rendered from SETTINGS."""
    rows = ["| Variable | Default | What it does |", "| --- | --- | --- |"]
    for setting in SETTINGS:
        rows.append(f"| `{setting.name}` | `{setting.readme_default()}` | {setting.help} |")
    return "\n".join(rows)
