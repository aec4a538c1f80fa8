"""The browser tests' shared fixtures (tests/test_browser.py, tests/test_map_browser.py): one dashboard
server and one Chromium per test module; each test's pages are in browser contexts of their own.
A module imports them by name (`from browser_fixtures import app, browser`)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from browser_harness import DashboardServer, chromium, dashboard_server  # noqa: E402


@pytest.fixture(scope="module")
def app() -> Iterator[DashboardServer]:
    """One dashboard server for every test of the module (each test's browser is a new user of it)."""
    with dashboard_server(health_timeout=120) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One Chromium for every test of the module."""
    with chromium() as b:
        yield b
