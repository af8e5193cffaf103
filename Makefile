# Every target bootstraps .venv from a clean clone: `make run` and `make test` are enough.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The newest Python 3.11+ on PATH.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && echo $$p && break; done)
PYTEST_ARGS ?=

.PHONY: run test bench accuracy lint locales clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "nhacviec needs Python 3.11 or newer on PATH"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip
	$(BIN)/python -m pip install -qq -e '.[dev]'
	@touch $@

# Catalogs compile when their .po changed, silently: `make run` prints only what the bot says.
# `make locales` compiles them all and shows the translation statistics.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard locales/*/LC_MESSAGES/messages.po))

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(STAMP)
	@$(BIN)/pybabel -q compile -d locales -D messages -l $*

locales: $(STAMP)
	$(BIN)/pybabel compile --statistics -d locales -D messages

run: $(STAMP) $(CATALOGS)
	@$(BIN)/nhacviec run

# PostgreSQL tests run when a server can be started here (scripts/postgres.sh); .ci/run
# installs one from Debian's packages first.
test: $(STAMP) $(CATALOGS)
	$(BIN)/ruff check --quiet .
	@url=$$(scripts/postgres.sh start || true); \
	trap 'scripts/postgres.sh stop' EXIT; \
	NHACVIEC_TEST_POSTGRES_URL="$${url:-$$NHACVIEC_TEST_POSTGRES_URL}" \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP) $(CATALOGS)
	@status=0; for script in benchmarks/bench_*.py; do \
		echo "== $$script"; $(BIN)/python $$script || status=1; done; exit $$status

# Plan import against ../shared/seeds, then the labelled deadline phrases and replies.
accuracy: $(STAMP)
	@status=0; for script in benchmarks/accuracy.py benchmarks/deadline_accuracy.py \
		benchmarks/reply_accuracy.py; do echo "== $$script"; $(BIN)/python $$script || status=1; done; \
	exit $$status

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .make .pytest_cache .ruff_cache .hypothesis
	find . -name '*.mo' -delete
