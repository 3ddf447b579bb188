"""The container files, checked without a container runtime: the Dockerfile (its base image
pinned, every COPY source present and let through .dockerignore, a non-root USER, the healthcheck
on /health with Python's urllib, the CMD's file copied, DATA_DIR a volume, the default PORT
exposed, the install step's requirements copied first and pinned as installed here), compose.yaml
(the gateway, PostgreSQL 16 and Redis 7 with healthchecks and named volumes, DATABASE_URL and
REDIS_URL wired) and deploy/omniroute.env.example (only names the gateway reads)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from omniroute.settings import SETTINGS_BY_NAME

try:
    import yaml
except ImportError:  # PyYAML comes with the test tools; without it only the structure is read
    yaml = None

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
ENV_EXAMPLE = ROOT / "deploy" / "omniroute.env.example"
# read by compose.yaml itself (interpolated into DATABASE_URL and PostgreSQL's environment)
COMPOSE_ONLY = {"POSTGRES_PASSWORD"}
# shared state across processes and machines, wired ahead of its setting's declaration
WIRED_AHEAD = {"REDIS_URL"}


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments out."""
    joined, pending = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        joined.append(pending)
        pending = ""
    assert not pending, "the Dockerfile ends in a continuation"
    parsed = []
    for line in joined:
        word, _, rest = line.strip().partition(" ")
        parsed.append((word.upper(), rest.strip()))
    return parsed


def arguments(instruction: str) -> list[str]:
    """An instruction's arguments: its JSON (exec) form or its words."""
    return json.loads(instruction) if instruction.startswith("[") else shlex.split(instruction)


def all_of(name: str) -> list[str]:
    return [rest for word, rest in instructions() if word == name]


def env_values() -> dict[str, str]:
    values = {}
    for rest in all_of("ENV"):
        for pair in shlex.split(rest):
            key, _, value = pair.partition("=")
            values[key] = value
    return values


def copies() -> list[tuple[list[str], str]]:
    """(sources, destination) of each COPY (flags such as --chown left out)."""
    found = []
    for rest in all_of("COPY"):
        words = [word for word in arguments(rest) if not word.startswith("--")]
        found.append((words[:-1], words[-1]))
    return found


def dockerignore_lets_through(source: str) -> bool:
    """The .dockerignore is an allow-list (`*`, then `!path`): is `source` let through?"""
    lines = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    return "*" in lines and source.rstrip("/") in allowed


def test_the_base_image_is_a_pinned_slim_python_3_11():
    (base,) = all_of("FROM")
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?", base), base


def test_every_copy_source_exists_and_reaches_the_builder():
    for sources, _destination in copies():
        for source in sources:
            assert (ROOT / source).exists(), source
            assert dockerignore_lets_through(source), f"{source} is left out by .dockerignore"


def test_the_gateway_runs_as_a_user_that_is_not_root():
    users = all_of("USER")
    assert users, "no USER: the gateway would run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    order = [word for word, _ in instructions()]
    assert order.index("USER") < order.index("CMD")
    assert any(users[-1] in run for run in all_of("RUN")), "the user is created in the image"


def test_the_command_runs_the_entry_point_that_is_copied():
    (command,) = all_of("CMD")
    program, script = arguments(command)
    assert program == "python"
    assert (ROOT / script).is_file()
    assert any(script in sources for sources, _ in copies())


def test_the_healthcheck_asks_health_with_python_alone():
    (check,) = all_of("HEALTHCHECK")
    command = check[check.index("CMD") + 3 :].strip()
    words = arguments(command)
    assert words[0] == "python" and "urllib.request" in words[-1] and "/health" in words[-1]
    assert "curl" not in check and "wget" not in check


def test_data_dir_is_a_volume_and_the_default_port_is_exposed():
    env = env_values()
    assert env["DATA_DIR"] in arguments(all_of("VOLUME")[0])
    default_port = SETTINGS_BY_NAME["PORT"].default
    assert env["PORT"] == str(default_port)
    assert all_of("EXPOSE") == [str(default_port)]
    assert env["HOSTNAME"] == "0.0.0.0"  # the runtime would set the container's name
    assert set(env) - {"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"} - {
        name for name in env if name.startswith("PIP_")
    } <= set(SETTINGS_BY_NAME)


def test_the_code_is_compiled_in_the_image_after_it_is_copied():
    order = instructions()
    compiled = [
        index for index, (word, rest) in enumerate(order) if word == "RUN" and "compileall" in rest
    ]
    assert compiled, "the image compiles the gateway's modules"
    command = shlex.split(order[compiled[0]][1])
    copied_before = {
        source
        for word, rest in order[: compiled[0]]
        if word == "COPY"
        for source in arguments(rest)
    }
    assert {"app.py", "omniroute"} <= copied_before and {"app.py", "omniroute"} <= set(command)
    assert order[compiled[0] :].index(("USER", "omniroute")) > 0  # by root: the code stays root's


def test_the_install_step_uses_pinned_requirements_copied_before_it():
    order = instructions()
    install = next(
        index for index, (word, rest) in enumerate(order) if word == "RUN" and "pip" in rest
    )
    command = shlex.split(order[install][1])
    assert "--no-cache-dir" in command
    requirements = command[command.index("-r") + 1]
    copied_before = [
        source for word, rest in order[:install] if word == "COPY" for source in arguments(rest)
    ]
    assert requirements in copied_before
    pins = [
        line.split("#")[0].strip()
        for line in (ROOT / requirements).read_text().splitlines()
        if line.split("#")[0].strip()
    ]
    assert pins
    for pin in pins:
        name, _, version = pin.partition("==")
        assert version, f"{pin} is not pinned"
        assert metadata.version(name) == version, f"{name} here differs from {pin}"


def compose() -> dict:
    if yaml is None:
        pytest.skip("PyYAML is not installed (test_compose_structure reads the file as text)")
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def env_example_names() -> set[str]:
    """Every variable the example sets or shows commented out (`# NAME=`)."""
    pattern = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=")
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    return {match.group(1) for line in lines if (match := pattern.match(line))}


def test_compose_structure():
    text = COMPOSE.read_text(encoding="utf-8")
    services = re.findall(r"^  ([a-z]+):$", text.split("\nservices:\n")[1], re.M)
    assert {"gateway", "postgres", "redis"} <= set(services)
    assert re.search(r"^volumes:$", text, re.M)


def test_compose_runs_the_gateway_with_postgresql_and_redis():
    services = compose()["services"]
    gateway, postgres, redis = services["gateway"], services["postgres"], services["redis"]
    assert gateway["build"] == "."
    assert postgres["image"].startswith("postgres:16")
    assert redis["image"].startswith("redis:7")
    environment = gateway["environment"]
    assert environment["DATABASE_URL"].startswith("postgresql://omniroute:")
    assert "@postgres:5432/" + postgres["environment"]["POSTGRES_DB"] in environment["DATABASE_URL"]
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert environment["PORT"] == str(SETTINGS_BY_NAME["PORT"].default)
    for name in ("postgres", "redis"):
        assert gateway["depends_on"][name]["condition"] == "service_healthy"
        assert services[name]["healthcheck"]["test"]


def test_compose_keeps_state_in_named_volumes():
    document = compose()
    declared = set(document["volumes"])
    mounts = {
        name: [volume.split(":") for volume in service.get("volumes", [])]
        for name, service in document["services"].items()
    }
    for name, volumes in mounts.items():
        assert volumes, f"{name} keeps its state in no volume"
        for source, _target in volumes:
            assert source in declared, f"{name} mounts {source}, not a named volume"
    (data,) = mounts["gateway"]
    assert (
        data[1]
        == env_values()["DATA_DIR"]
        == document["services"]["gateway"]["environment"]["DATA_DIR"]
    )


def test_the_gateway_is_given_only_settings_it_reads():
    gateway = compose()["services"]["gateway"]
    assert gateway["env_file"] == "deploy/omniroute.env"
    assert ENV_EXAMPLE.is_file()
    known = set(SETTINGS_BY_NAME) | WIRED_AHEAD
    assert set(gateway["environment"]) <= known
    assert env_example_names() - COMPOSE_ONLY <= known
    assert {"STORAGE_ENCRYPTION_KEY", "METRICS_TOKEN"} <= env_example_names()
    interpolated = set(re.findall(r"\$\{([A-Z_]+)", COMPOSE.read_text(encoding="utf-8")))
    assert interpolated <= env_example_names() & COMPOSE_ONLY


SERVE_FROM_COPY = """
import sys
from omniroute import create_app
app = create_app({"DATA_DIR": sys.argv[1], "INITIAL_PASSWORD": "container-test-1"}, environ={})
client = app.test_client()
answers = [client.get(path) for path in ("/health", "/login", "/static/css/app.css")]
app.extensions["omniroute"].close()
print(" ".join(str(answer.status_code) for answer in answers))
"""


def test_the_copied_files_alone_serve_the_gateway_and_its_pages(tmp_path):
    """The image's files, laid out as its COPY lines do (without what .dockerignore drops),
    serve /health, a dashboard page and a static file: nothing outside them is needed."""
    image = tmp_path / "app"
    image.mkdir()
    skipped = shutil.ignore_patterns("__pycache__", "*.pyc", "*.po", "*.pot")
    for sources, destination in copies():
        for source in sources:
            target = image / destination if destination != "./" else image / source
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, target, ignore=skipped)
            else:
                shutil.copy(ROOT / source, image / Path(source).name)
    environ = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", SERVE_FROM_COPY, str(tmp_path / "data")],
        cwd=image,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-3:] == ["200", "200", "200"], done.stdout
