"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("NHACVIEC_SHARED_DIR", REPO_ROOT.parent / "shared"))
SEEDS_DIR = SHARED_DIR / "seeds"
EXPECTED_DIR = SEEDS_DIR / "expected"


# --- Hypothesis ------------------------------------------------------------------------------
# "ci": the same bounded examples on every run, so a red build is the code's doing, not the
# draw's. "dev" (the default on a workstation): more examples, new ones each run, failures kept
# in .hypothesis/ and replayed first. CI=true (set by CI services and .ci/run) picks "ci";
# HYPOTHESIS_PROFILE overrides both.
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=100,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev")
)

# CI sets these (.ci/run): there the seeds must be present, and a skipped test is a failure.
REQUIRE_SHARED = os.environ.get("NHACVIEC_REQUIRE_SHARED") == "1"
FORBID_SKIPS = os.environ.get("NHACVIEC_FORBID_SKIPS") == "1"
_SHARED_MISSING = (
    f"../shared/seeds not found at {SEEDS_DIR} (expected tasks in {EXPECTED_DIR}): "
    "seed tests need the shared folder beside the clone, or NHACVIEC_SHARED_DIR"
)


def require_shared() -> Path:
    """Skip the calling test when ../shared (seeds, expected tasks) is absent (a user's clone);
    fail it instead under NHACVIEC_REQUIRE_SHARED=1 (CI)."""
    if not EXPECTED_DIR.is_dir():
        if REQUIRE_SHARED:
            pytest.fail(f"NHACVIEC_REQUIRE_SHARED=1 but {_SHARED_MISSING}", pytrace=False)
        pytest.skip(_SHARED_MISSING)
    return SEEDS_DIR


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under NHACVIEC_REQUIRE_SHARED=1 a run without the seeds stops at once, saying why."""
    if REQUIRE_SHARED and not EXPECTED_DIR.is_dir():
        pytest.exit(
            f"NHACVIEC_REQUIRE_SHARED=1 but {_SHARED_MISSING}",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Under NHACVIEC_FORBID_SKIPS=1 (CI) a skipped test fails with its reason: CI has every
    service and file a test needs, so a skip there hides a test that never ran."""
    outcome = yield
    report = outcome.get_result()
    if FORBID_SKIPS and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under NHACVIEC_FORBID_SKIPS=1: {reason}"


# --- the clock -------------------------------------------------------------------------------
# NHACVIEC_NOW (ISO with zone) runs the suite on a chosen day (`make test-dates`); every test
# starts on that moment (or the real time) and whatever a test pins is undone after it.


@pytest.fixture(autouse=True)
def _suite_clock():
    from core.clock import pin_clock, pin_clock_from_environment

    pin_clock(None)
    pin_clock_from_environment()
    yield
    pin_clock(None)
    pin_clock_from_environment()


@pytest.fixture
def pinned_now(monkeypatch):
    """Pin this process and its children (NHACVIEC_NOW) to a moment given as ISO text."""
    from datetime import datetime

    from core.clock import pin_clock

    def pin(moment: str) -> datetime:
        at = datetime.fromisoformat(moment)
        monkeypatch.setenv("NHACVIEC_NOW", at.isoformat())
        pin_clock(at)
        return at

    return pin


@pytest.fixture
def seeds_dir() -> Path:
    """The seed documents folder, or a skip when it is absent."""
    return require_shared()


# --- databases -------------------------------------------------------------------------------
# Every test gets a database of its own: a fresh SQLite file, or a PostgreSQL database cloned
# from a migrated template (cloning is much faster than migrating each time).

POSTGRES_URL = os.environ.get("NHACVIEC_TEST_POSTGRES_URL", "").strip()
REQUIRE_POSTGRES = os.environ.get("NHACVIEC_REQUIRE_POSTGRES") == "1"
_TEMPLATE_DB = "nhacviec_template"


def _postgres_admin_engine():
    from sqlalchemy import create_engine

    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_template() -> str:
    """Name of a migrated template database, or a skip when no PostgreSQL is configured."""
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("NHACVIEC_REQUIRE_POSTGRES=1 but no NHACVIEC_TEST_POSTGRES_URL")
        pytest.skip("no PostgreSQL here (scripts/postgres.sh found no server)")
    from sqlalchemy import make_url, text

    from db.engine import make_engine, migrate

    admin = _postgres_admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{_TEMPLATE_DB}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{_TEMPLATE_DB}"'))
    template_engine = make_engine(
        make_url(POSTGRES_URL).set(database=_TEMPLATE_DB).render_as_string(hide_password=False)
    )
    migrate(template_engine)
    template_engine.dispose()
    admin.dispose()
    return _TEMPLATE_DB


def _fresh_postgres_url(template: str) -> tuple[str, str]:
    import uuid

    from sqlalchemy import make_url, text

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = _postgres_admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    return url, name


def _drop_postgres_database(name: str) -> None:
    from sqlalchemy import text

    admin = _postgres_admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A URL to an empty, migrated database of each kind."""
    if request.param == "sqlite":
        from db.engine import make_engine, migrate

        url = f"sqlite:///{tmp_path / 'nhacviec.db'}"
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        yield url
        return
    template = request.getfixturevalue("postgres_template")
    url, name = _fresh_postgres_url(template)
    yield url
    _drop_postgres_database(name)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A URL to an empty, migrated SQLite database (for tests that need only one kind)."""
    from db.engine import make_engine, migrate

    url = f"sqlite:///{tmp_path / 'nhacviec.db'}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url):
    """An engine on a fresh database of each kind, disposed after the test."""
    from db.engine import make_engine

    engine = make_engine(database_url)
    yield engine
    engine.dispose()
