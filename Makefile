# make run   — install into .venv and start OmniRoute (SQLite in DATA_DIR, default ~/.omniroute)
# make test  — install everything the tests need, lint, and run every tier (tests/unit,
#              tests/integration, tests/e2e; the soak for SOAK_SECONDS=10)
# make test-fast — the unit tier only (no server, no socket), in seconds
# make soak  — the soak test at full length (SOAK_SECONDS=45)
# make bench — start the fake upstream and the gateway, drive load, print the figures

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test test-fast soak bench lint format translations clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(PY) app.py

# The real CLI clients (Claude Code, Codex) the end-to-end tests drive, pinned in e2e/.
e2e/node_modules/.installed: e2e/package.json e2e/package-lock.json
	npm ci --prefix e2e --no-audit --no-fund --loglevel=error
	touch $@

# The anthropic SDK 1.x, beside the 2.x in the venv, for the test of its auth style.
$(VENV)/anthropic-1/.installed: requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet --disable-pip-version-check --target $(VENV)/anthropic-1 anthropic==1.17.0
	touch $@

test: $(VENV)/.installed-dev $(VENV)/anthropic-1/.installed e2e/node_modules/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest

test-fast: $(VENV)/.installed-dev
	$(PY) -m pytest tests/unit -q

soak: $(VENV)/.installed-dev
	SOAK_SECONDS=45 $(PY) -m pytest tests/e2e/test_soak.py

# wrk measures the maximum throughput; installed from Debian's packages when missing (as .ci/run
# installs its packages), with sudo when not root. If that fails the bench says so and goes on.
bench: $(VENV)/.installed-dev
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "make bench: wrk is missing; installing it with apt-get"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo"; \
	  { $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends wrk >/dev/null; } \
	  || echo "make bench: could not install wrk (apt-get install wrk); throughput will not be measured"; }
	$(PY) -m bench.run

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

# Re-extract the message catalog and update/compile the translations after changing strings.
translations: $(VENV)/.installed-dev
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l --project=OmniRoute --copyright-holder="OmniRoute developers" -o translations/messages.pot .
	$(VENV)/bin/pybabel update --no-fuzzy-matching -i translations/messages.pot -d translations
	$(VENV)/bin/pybabel compile -d translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
