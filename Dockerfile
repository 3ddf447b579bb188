# OmniRoute's container image: the gateway alone, `python app.py` on waitress. compose.yaml runs
# it with PostgreSQL and Redis; the README's "Running in a container" section shows both.
FROM python:3.11.14-slim-bookworm

# HOSTNAME is set here on purpose: the container runtime otherwise sets it to the container's
# name, and the gateway would listen there only. Listening beyond loopback makes /v1 require an
# API key (REQUIRE_API_KEY=auto); create one in the dashboard first.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    HOSTNAME=0.0.0.0 \
    PORT=20128 \
    DATA_DIR=/data

WORKDIR /app

COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

RUN useradd --system --uid 10001 --user-group --no-create-home --home-dir /app \
        --shell /usr/sbin/nologin omniroute \
    && mkdir -p /data \
    && chown omniroute:omniroute /data

# only what runs; owned by root, so the gateway cannot change its own code
COPY app.py ./
COPY omniroute ./omniroute
COPY templates ./templates
COPY static ./static
COPY translations ./translations
# compiled here: the gateway runs with PYTHONDONTWRITEBYTECODE, so it would otherwise compile
# every module again at every start (about a third of its start-up)
RUN python -m compileall -q app.py omniroute

USER omniroute
VOLUME ["/data"]
EXPOSE 20128

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '20128') + '/health', timeout=4)"]

# exec form: the gateway is PID 1 and gets SIGTERM itself (it stops accepting, lets running
# requests finish briefly and saves the pending usage rows)
CMD ["python", "app.py"]
