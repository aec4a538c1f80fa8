"""The project's set-up as a new user meets it: Streamlit's settings as Streamlit reads them from the
repository, and where the test suite leaves its artefacts (never over tracked files)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SCREENSHOT_ENV, screenshot_path

READ_OPTIONS = """
import json, sys
from streamlit import config
config.get_config_options(force_reparse=True)
print(json.dumps({name: config.get_option(name) for name in sys.argv[1:]}))
"""


def streamlit_options(home: Path, *names: str) -> dict:
    """The options as Streamlit reads them when started from the repository (its .streamlit/config.toml),
    in a fresh home folder (no settings of the user's own)."""
    result = subprocess.run([sys.executable, "-c", READ_OPTIONS, *names], cwd=REPO, capture_output=True, text=True,
                            timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": str(home)})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_first_streamlit_run_does_not_stop_at_the_email_prompt(tmp_path: Path) -> None:
    options = streamlit_options(tmp_path, "server.showEmailPrompt", "server.enableStaticServing",
                                "browser.gatherUsageStats")
    assert options == {"server.showEmailPrompt": False, "server.enableStaticServing": True,
                       "browser.gatherUsageStats": False}


def test_the_browser_test_writes_its_picture_outside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SCREENSHOT_ENV, raising=False)
    picture = screenshot_path()
    assert not picture.resolve().is_relative_to(REPO.resolve())
    tracked = subprocess.run(["git", "ls-files", "docs"], cwd=REPO, capture_output=True, text=True).stdout.split()
    assert "docs/screenshot.png" in tracked          # the README's picture: the one the suite must leave alone
    # the browser test takes its picture where screenshot_path() says (running it here would need Chromium)
    browser_test = (REPO / "tests" / "test_browser.py").read_text(encoding="utf-8")
    assert "screenshot_path()" in browser_test and '"docs" / "screenshot.png"' not in browser_test


def test_the_readme_picture_is_refreshed_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SCREENSHOT_ENV, "docs/screenshot.png")
    assert screenshot_path() == REPO / "docs" / "screenshot.png"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"{SCREENSHOT_ENV}=docs/screenshot.png" in readme
