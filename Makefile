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

.PHONY: run test test-dates bench accuracy lint locales clean

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
	@$(BIN)/nhacviec run --demo

# PostgreSQL tests run when a server can be started here (scripts/postgres.sh); .ci/run
# installs one from Debian's packages first.
test: $(STAMP) $(CATALOGS)
	$(BIN)/ruff check --quiet .
	@url=$$(scripts/postgres.sh start || true); \
	trap 'scripts/postgres.sh stop' EXIT; \
	NHACVIEC_TEST_POSTGRES_URL="$${url:-$$NHACVIEC_TEST_POSTGRES_URL}" \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The tests where "today" matters, with the clock pinned (NHACVIEC_NOW) to days a calendar race
# would show: the last week of a quarter, New Year's Eve, Giao thừa 2027 (a day off) and the
# next quarter's last week; three runs each, so a race that shows one time in three fails.
TEST_DATES ?= 2026-12-28 2026-12-31 2027-02-05 2027-03-29
DATE_TESTS ?= tests/e2e tests/bot tests/handlers tests/schedules tests/db
test-dates: $(STAMP) $(CATALOGS)
	@url=$$(scripts/postgres.sh start || true); \
	trap 'scripts/postgres.sh stop' EXIT; \
	export NHACVIEC_TEST_POSTGRES_URL="$${url:-$$NHACVIEC_TEST_POSTGRES_URL}"; \
	for day in $(TEST_DATES); do for run in 1 2 3; do \
		echo "== NHACVIEC_NOW=$${day}T09:00:00+07:00, run $$run"; \
		NHACVIEC_NOW="$${day}T09:00:00+07:00" $(BIN)/python -m pytest -q -p no:cacheprovider \
			$(PYTEST_ARGS) $(DATE_TESTS) || exit 1; \
	done; done

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
