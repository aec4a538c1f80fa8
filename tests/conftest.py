"""Shared fixtures: the gazetteer, the NER and the two pipelines are built once per test session."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from geo.engine.ner import SpacyNER, try_load_ner
from geo.engine.pipeline import Geoparser
from geo.files.articles import Article, read_article
from geo.gazetteer import PlaceIndex

# The tests keep a cache and a data folder of their own (the index is built there once per machine;
# the geo modules read these variables when called, not when imported):
# what a user stored (corrections, added gazetteers, articles, settings) never changes what a test
# sees, and the app's own index is not rebuilt under it. CONFLICTMAP_TEST_CACHE / _DATA move them.
_TEST_HOME = Path.home() / ".cache" / "conflictmap-tests"
os.environ["CONFLICTMAP_CACHE"] = os.environ.get("CONFLICTMAP_TEST_CACHE", str(_TEST_HOME / "cache"))
os.environ["CONFLICTMAP_DATA"] = os.environ.get("CONFLICTMAP_TEST_DATA", str(_TEST_HOME / "data"))
# Articles the tests add (the app keeps a user's additions on disk, geo.store.library) go to a folder of this
# run, removed at its end: the test data folder does not fill up with them run after run.
_LIBRARY = tempfile.mkdtemp(prefix="conflictmap-test-library-")
os.environ["CONFLICTMAP_LIBRARY"] = _LIBRARY

TEST_DATA = Path(os.environ["CONFLICTMAP_DATA"])


def use_data_dir(path: Path, monkeypatch: pytest.MonkeyPatch | None = None) -> Path:
    """An empty data folder of a user's own (corrections, settings, added articles) at `path`, holding
    the tests' cache key so that the tests' gazetteer index still verifies (geo/files/cachefile.py signs
    cache files with the key of the data folder) instead of being rebuilt (~25 s); set as
    CONFLICTMAP_DATA through `monkeypatch` when given."""
    path.mkdir(parents=True, exist_ok=True)
    key = TEST_DATA / "cache-key"
    if key.exists() and not (path / "cache-key").exists():
        shutil.copy2(key, path / "cache-key")
    if monkeypatch is not None:
        monkeypatch.setenv("CONFLICTMAP_DATA", str(path))
    return path


REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
# The browser test's picture of the dashboard. The suite writes it to the tests' cache folder, never over the
# tracked docs/screenshot.png; `CONFLICTMAP_SCREENSHOT=docs/screenshot.png python -m pytest tests/test_browser.py
# -k screenshot` refreshes the README's picture (README, "Development").
SCREENSHOT_ENV = "CONFLICTMAP_SCREENSHOT"


def screenshot_path() -> Path:
    """Where the browser test saves its picture: $CONFLICTMAP_SCREENSHOT (relative to the repository) when
    set, else screenshot.png in the tests' cache folder."""
    chosen = os.environ.get(SCREENSHOT_ENV, "").strip()
    if chosen:
        return REPO / chosen
    return Path(os.environ["CONFLICTMAP_CACHE"]) / "screenshot.png"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes tens of seconds (rebuilds the gazetteer index)")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_LIBRARY, ignore_errors=True)


@pytest.fixture(scope="session")
def index() -> PlaceIndex:
    return PlaceIndex.load()


@pytest.fixture(scope="session")
def ner_status() -> tuple[SpacyNER | None, str]:
    """(the verified NER, "") or (None, why it is unavailable)."""
    return try_load_ner()


@pytest.fixture(scope="session")
def ner(ner_status: tuple[SpacyNER | None, str]) -> SpacyNER | None:
    """The NER, or None when it is unavailable (the default pipeline then runs without it)."""
    return ner_status[0]


@pytest.fixture
def ner_required(ner_status: tuple[SpacyNER | None, str]) -> SpacyNER:
    """The NER, for tests that mean nothing without it: they skip, giving the reason."""
    model, reason = ner_status
    if model is None:
        pytest.skip(f"NER unavailable: {reason}")
    return model


@pytest.fixture(scope="session")
def parser(index: PlaceIndex, ner: SpacyNER | None) -> Geoparser:
    """The default pipeline (NER-assisted when the model is available)."""
    return Geoparser(index=index, ner=ner)


@pytest.fixture(scope="session")
def fast_parser(index: PlaceIndex) -> Geoparser:
    """The gazetteer-only pipeline."""
    return Geoparser(index=index, ner=None)


@pytest.fixture(scope="session")
def seed_a() -> Article:
    return read_article(SEEDS / "itv-azovstal-version-a.txt")


@pytest.fixture(scope="session")
def seed_b() -> Article:
    return read_article(SEEDS / "itv-azovstal-version-b.txt")


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch):
    """Contents of the app's download buttons, `media(at, label)`: AppTest's media storage is
    recorded as it fills."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    stored: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        stored[file_id] = self.get_file(file_id).content
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)

    def download(at, label: str) -> bytes:
        button = next(b for b in at.get("download_button") if b.label == label)
        return stored[Path(button.proto.url).stem]

    return download

