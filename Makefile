# The two quick-start commands of the README, and their building blocks.
VENV ?= .venv
export POLICYQA_VENV := $(VENV)

.PHONY: setup run test test-fast

setup:
	./scripts/setup

# Set everything up, build the search index of the default corpus (embeddings are cached
# in the user's cache folder, so only new passages are embedded), then serve it.
HOST ?= 127.0.0.1
PORT ?= 8000
run: setup
	$(VENV)/bin/policyqa index build
	$(VENV)/bin/policyqa serve --host $(HOST) --port $(PORT)

# Set everything up (with the test tools: Debian's chromium and poppler-utils), then run the
# whole suite, the real embedding model and a real browser included.
test:
	./scripts/setup --tests
	POLICYQA_REQUIRE_MODEL=1 $(VENV)/bin/python -m pytest -q

# Unit tests only (no real model): for quick iterations.
test-fast:
	$(VENV)/bin/python -m pytest -q -m "not model"
