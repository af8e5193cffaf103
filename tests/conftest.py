"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("NHACVIEC_SHARED_DIR", REPO_ROOT.parent / "shared"))
SEEDS_DIR = SHARED_DIR / "seeds"
EXPECTED_DIR = SEEDS_DIR / "expected"


def require_shared() -> Path:
    """Skip the calling test when ../shared (seeds, expected tasks) is absent (a user's clone)."""
    if not EXPECTED_DIR.is_dir():
        pytest.skip(f"../shared/seeds not found at {SEEDS_DIR}: seed tests need the shared folder")
    return SEEDS_DIR


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
