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
    """Skip the calling test when ../shared (seeds, expected tasks) is absent, as in a user's clone."""
    if not EXPECTED_DIR.is_dir():
        pytest.skip(f"../shared/seeds not found at {SEEDS_DIR}: seed tests need the shared folder")
    return SEEDS_DIR


@pytest.fixture
def seeds_dir() -> Path:
    """The seed documents folder, or a skip when it is absent."""
    return require_shared()
