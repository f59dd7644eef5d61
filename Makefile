# The two quick-start commands of the README, and their building blocks.
VENV ?= .venv
export POLICYQA_VENV := $(VENV)

.PHONY: setup llm run test test-fast lint

# Serving only: the project and the embedding model (no test tools, no llama.cpp build).
setup:
	./scripts/setup

# The optional generative mode: llama.cpp built for a fixed CPU baseline (about 10 minutes,
# once per machine), then `policyqa llm serve`.
llm:
	./scripts/setup --llm

# Set everything up, build the search index of the default corpus (embeddings are cached
# in the user's cache folder, so only new passages are embedded), then serve it.
HOST ?= 127.0.0.1
PORT ?= 8000
run: setup
	$(VENV)/bin/policyqa index build
	$(VENV)/bin/policyqa serve --host $(HOST) --port $(PORT)

# Set everything up (with the test tools: Debian's chromium, poppler-utils and PostgreSQL
# server, and the generative mode), then run the whole suite, the real embedding model, a real
# browser and a real PostgreSQL server (a throwaway cluster the suite makes) included.
test:
	./scripts/setup --tests
	$(MAKE) lint
	POLICYQA_REQUIRE_MODEL=1 POLICYQA_REQUIRE_POSTGRES=1 $(VENV)/bin/python -m pytest -q

# Unit tests only (no real model): for quick iterations.
test-fast:
	$(VENV)/bin/python -m pytest -q -m "not model"

# Lint and format check (ruff, configured in pyproject.toml); `ruff format .` fixes the layout.
lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
