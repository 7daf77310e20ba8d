"""Shared fixtures for the repository-level test suites under tests/."""

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# testsupport/ (the shared PostgreSQL and server helpers) lives at the repository root.
sys.path.insert(0, str(REPO))


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO
