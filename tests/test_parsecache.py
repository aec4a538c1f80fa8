"""Tests for geo.store.parsecache: parses kept on disk, keyed by the text and the engine fingerprint."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

import geo.files.cachefile as cachefile
import geo.store.parsecache as pc
from geo.engine.pipeline import Geoparser
from geo.files.articles import Article
from geo.map.places import places_for, places_from_parsed
from geo.store.parsecache import CachedParser, ParseCache, ParsedText, engine_fingerprint, parse_text

TEXT = "Shelling hit Kramatorsk and Mariupol, Ukraine, on Monday."


class CountingLoad:
    """A parser factory that counts how often the parser had to be created."""

    def __init__(self, parser: Geoparser) -> None:
        self.parser, self.calls = parser, 0

    def __call__(self) -> Geoparser:
        self.calls += 1
        return self.parser


def cached_parser(parser: Geoparser, directory: Path) -> tuple[CachedParser, CountingLoad]:
    load = CountingLoad(parser)
    return CachedParser(load, ner=parser.ner is not None, directory=directory), load


def test_parse_text_keeps_mode_and_the_source_of_every_chosen_place(fast_parser: Geoparser) -> None:
    parsed = parse_text(fast_parser, TEXT)
    assert parsed.mode == "gazetteer-only" and parsed.recognition == "gazetteer only"
    assert list(parsed.resolved) == fast_parser.parse(TEXT)
    rows = {r.place.row for r in parsed.resolved if r.place}
    assert rows and set(parsed.sources) == rows
    assert all(parsed.sources[row] == fast_parser.index.entry(row).source for row in rows)


@pytest.mark.parametrize("mode", ["parser", "fast_parser"])
def test_progress_is_heard_and_the_parse_is_the_same(mode: str, request: pytest.FixtureRequest,
                                                     tmp_path: Path) -> None:
    parser: Geoparser = request.getfixturevalue(mode)
    text = " ".join([TEXT] * 40)
    heard: list[tuple[str, float]] = []
    parsed = parse_text(parser, text, progress=lambda stage, fraction: heard.append((stage, fraction)))
    assert parsed == parse_text(parser, text)
    assert heard[-1] == ("done", 1.0) and [f for _, f in heard] == sorted(f for _, f in heard)
    cp, _ = cached_parser(parser, tmp_path)
    heard.clear()
    assert cp.parse(text, store=False, progress=lambda s, f: heard.append((s, f))) == parsed and heard
    heard.clear()
    cp.parse(text)
    assert cp.parse(text, progress=lambda s, f: heard.append((s, f))) == parsed and heard == []   # cached


def test_miss_then_hit_without_loading_the_parser(fast_parser: Geoparser, tmp_path: Path) -> None:
    first, load = cached_parser(fast_parser, tmp_path)
    parsed = first.parse(TEXT)
    assert load.calls == 1 and list(parsed.resolved) == fast_parser.parse(TEXT)

    again, load_again = cached_parser(fast_parser, tmp_path)     # a new process, same disk
    assert again.parse(TEXT) == parsed
    assert load_again.calls == 0 and not again.loaded


def test_changed_text_is_a_miss(fast_parser: Geoparser, tmp_path: Path) -> None:
    cp, load = cached_parser(fast_parser, tmp_path)
    cp.parse(TEXT)
    cp2, load2 = cached_parser(fast_parser, tmp_path)
    changed = TEXT.replace("Kramatorsk", "Kreminna")
    names = {r.mention.name for r in cp2.parse(changed).resolved}
    assert load2.calls == 1 and "Kreminna" in names and "Kramatorsk" not in names
    assert cp2.cache.get(TEXT) is not None and cp2.cache.get(changed) is not None


def test_fingerprint_covers_gazetteer_code_ner_and_options(monkeypatch: pytest.MonkeyPatch) -> None:
    base = engine_fingerprint(ner=True)
    assert base == engine_fingerprint(ner=True)
    assert base != engine_fingerprint(ner=False)
    assert base != engine_fingerprint(ner=True, demonyms=True)
    monkeypatch.setattr(pc, "_sources_fingerprint", lambda: "another gazetteer")
    assert engine_fingerprint(ner=True) != base
    monkeypatch.undo()
    monkeypatch.setattr(pc, "_ENGINE_CODE", pc._ENGINE_CODE + "|geo.engine.resolve=changed")
    assert engine_fingerprint(ner=True) != base


def test_engine_code_lists_every_engine_module() -> None:
    geo_dir = Path(pc.__file__).resolve().parents[1]
    engine = sorted(geo_dir.joinpath("engine").rglob("*.py"))
    assert len(engine) >= 9    # a new engine module is listed without anyone adding it here
    for path in [*engine, geo_dir / "map" / "places.py", geo_dir / "files" / "articles.py"]:
        assert f"{path.relative_to(geo_dir).as_posix()}=" in pc._ENGINE_CODE


def test_a_changed_fingerprint_invalidates_and_replaces_old_entries(
        fast_parser: Geoparser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cp, _ = cached_parser(fast_parser, tmp_path)
    cp.parse(TEXT)
    old_files = list(tmp_path.glob("*.pkl"))
    assert len(old_files) == 1

    monkeypatch.setattr(pc, "_ENGINE_CODE", pc._ENGINE_CODE + "|geo.engine.resolve=changed")
    changed, load = cached_parser(fast_parser, tmp_path)
    assert changed.cache.fingerprint != cp.cache.fingerprint
    assert changed.cache.get(TEXT) is None
    changed.parse(TEXT)
    assert load.calls == 1
    assert [p.name for p in tmp_path.glob("*.pkl")] == [changed.cache.path(TEXT).name]   # old one gone


def test_parser_mode_decides_the_fingerprint_once_loaded(fast_parser: Geoparser, tmp_path: Path) -> None:
    # Expected the NER, got the gazetteer-only parser: results are filed as gazetteer-only.
    load = CountingLoad(fast_parser)
    cp = CachedParser(load, ner=True, directory=tmp_path)
    parsed = cp.parse(TEXT)
    assert parsed.mode == "gazetteer-only"
    assert cp.cache.fingerprint == engine_fingerprint(ner=False)
    assert ParseCache(engine_fingerprint(ner=True), tmp_path).get(TEXT) is None


@pytest.mark.parametrize("damage", [b"", b"not a pickle", pickle.dumps({"format": 1})[:-3],
                                    pickle.dumps(["a", "list"]), pickle.dumps({"format": 999})])
def test_corrupt_cache_file_is_ignored_and_rewritten(fast_parser: Geoparser, tmp_path: Path, damage: bytes) -> None:
    cp, _ = cached_parser(fast_parser, tmp_path)
    good = cp.parse(TEXT)
    cp.cache.path(TEXT).write_bytes(damage)

    again, load = cached_parser(fast_parser, tmp_path)
    assert again.cache.get(TEXT) is None
    assert not again.cache.path(TEXT).exists()                # a damaged entry is deleted
    assert again.parse(TEXT) == good and load.calls == 1
    assert ParseCache(again.cache.fingerprint, tmp_path).get(TEXT) == good


def test_an_entry_filed_under_another_text_is_not_served(fast_parser: Geoparser, tmp_path: Path) -> None:
    cp, _ = cached_parser(fast_parser, tmp_path)
    cp.parse(TEXT)
    other = "Fighting near Kherson."
    cp.cache.path(TEXT).rename(cp.cache.path(other))
    assert cp.cache.get(other) is None


def test_unwritable_cache_still_parses(fast_parser: Geoparser, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cp, load = cached_parser(fast_parser, blocker / "parses")
    assert list(cp.parse(TEXT).resolved) == fast_parser.parse(TEXT)
    assert load.calls == 1


def test_places_from_parsed_equals_places_for(parser: Geoparser, seed_a: Article, seed_b: Article,
                                              tmp_path: Path) -> None:
    """The dashboard's path (cached parses, no index) gives the same places as parsing directly."""
    cp, _ = cached_parser(parser, tmp_path)
    for _ in range(2):          # a miss, then hits read back from disk
        fresh = CachedParser(CountingLoad(parser), ner=parser.ner is not None, directory=tmp_path)
        assert places_from_parsed([(a, fresh.parse(a.text)) for a in (seed_a, seed_b)], events=parser.events) == \
            places_for([seed_a, seed_b], parser)
    assert all(isinstance(cp.cache.get(a.text), ParsedText) for a in (seed_a, seed_b))


# -- verified entries ------------------------------------------------------------------------------
class Touches:
    """Unpickling this creates a file: it shows whether an entry was ever unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("where", [0, 40, -1, -200])
def test_a_flipped_byte_is_a_miss_and_the_entry_is_parsed_again(fast_parser: Geoparser, tmp_path: Path,
                                                               where: int) -> None:
    cp, _ = cached_parser(fast_parser, tmp_path)
    good = cp.parse(TEXT)
    path = cp.cache.path(TEXT)
    flip_byte(path, where % path.stat().st_size)
    again, load = cached_parser(fast_parser, tmp_path)
    assert again.parse(TEXT) == good and load.calls == 1
    assert sum(again.cache.discarded.values()) == 1                          # one to tell the user about
    assert ParseCache(again.cache.fingerprint, tmp_path).get(TEXT) == good   # rewritten, whole


def test_a_forged_entry_is_not_served_nor_unpickled(fast_parser: Geoparser, tmp_path: Path) -> None:
    """Someone who can write the cache folder, but not read the user's data folder, has another key."""
    cp, _ = cached_parser(fast_parser, tmp_path / "parses")
    good = cp.parse(TEXT)
    forged = ParsedText(resolved=(), sources={}, mode="gazetteer-only")
    forger = ParseCache(cp.cache.fingerprint, tmp_path / "parses", data_dir=tmp_path / "forger")
    forger.put(TEXT, forged)
    assert forger.get(TEXT) == forged                         # it verifies under the forger's key only
    assert cp.cache.get(TEXT) is None and not cp.cache.path(TEXT).exists()
    assert cp.cache.discarded == {"checksum mismatch": 1}

    marker = tmp_path / "unpickled"
    entry = {"format": pc.FORMAT, "fingerprint": cp.cache.fingerprint, "text": pc.text_key(TEXT),
             "parsed": Touches(marker)}
    cachefile.CacheFile(pc.CACHE_NAME, pc.FORMAT, tmp_path / "forger").write(cp.cache.path(TEXT), entry)
    again, load = cached_parser(fast_parser, tmp_path / "parses")
    assert again.parse(TEXT) == good and load.calls == 1 and not marker.exists()


@pytest.mark.parametrize("payload", [
    b"\x80\x02cnonexistent_module\nThing\n)\x81.",                # an object of a module that does not exist
    pickle.dumps({"format": pc.FORMAT}),                            # keys missing
    pickle.dumps(["a", "list"]),
    "parsed is not a ParsedText",
])
def test_a_signed_entry_that_is_not_a_parse_is_a_miss(fast_parser: Geoparser, tmp_path: Path,
                                                       payload: bytes | str) -> None:
    cp, _ = cached_parser(fast_parser, tmp_path)
    good = cp.parse(TEXT)
    if isinstance(payload, str):
        payload = pickle.dumps({"format": pc.FORMAT, "fingerprint": cp.cache.fingerprint,
                                "text": pc.text_key(TEXT), "parsed": {"resolved": []}})
    cachefile.CacheFile(pc.CACHE_NAME, pc.FORMAT).write_payload(cp.cache.path(TEXT), payload)
    assert cp.cache.get(TEXT) is None and not cp.cache.path(TEXT).exists()
    again, load = cached_parser(fast_parser, tmp_path)
    assert again.parse(TEXT) == good and load.calls == 1


# -- bounded, least recently used out --------------------------------------------------------------
EMPTY = ParsedText(resolved=(), sources={}, mode="gazetteer-only")


def test_least_recently_used_entries_go_first(tmp_path: Path) -> None:
    cache = ParseCache("f" * 16, tmp_path, max_entries=5)
    texts = [f"text {i}" for i in range(8)]
    for i, text in enumerate(texts[:5]):
        cache.put(text, EMPTY)
        then = time.time() - 3600 + i                          # written an hour ago, in this order
        os.utime(cache.path(text), (then, then))
    assert cache.get(texts[0]) == EMPTY and cache.get(texts[1]) == EMPTY   # read: recently used now
    cache.put(texts[5], EMPTY)
    cache.put(texts[6], EMPTY)
    cache.put(texts[7], EMPTY)
    kept = {text for text in texts if cache.path(text).exists()}
    assert kept == {texts[0], texts[1], texts[5], texts[6], texts[7]}
    assert len(list(tmp_path.glob("*.pkl"))) == 5


def test_the_cache_stays_under_its_size_in_bytes(tmp_path: Path) -> None:
    entry_size = len(pickle.dumps({"parsed": EMPTY})) + 100
    cache = ParseCache("f" * 16, tmp_path, max_bytes=3 * entry_size + 200)
    for i in range(6):
        cache.put(f"text {i}", EMPTY)
        then = time.time() - 100 + i
        os.utime(cache.path(f"text {i}"), (then, then))
    sizes = [p.stat().st_size for p in tmp_path.glob("*.pkl")]
    assert sum(sizes) <= cache.max_bytes and len(sizes) >= 2
    assert cache.path("text 5").exists() and not cache.path("text 0").exists()


def test_the_default_bounds() -> None:
    cache = ParseCache("f" * 16)
    assert (cache.max_entries, cache.max_bytes) == (pc.MAX_ENTRIES, pc.MAX_BYTES) == (500, 100 * 1024 * 1024)


# -- what is stored --------------------------------------------------------------------------------
def test_store_false_keeps_the_text_off_the_disk(fast_parser: Geoparser, tmp_path: Path) -> None:
    cp, load = cached_parser(fast_parser, tmp_path)
    private = "Shelling hit Kreminna, my home town, on Monday."
    parsed = cp.parse(private, store=False)
    assert load.calls == 1 and list(parsed.resolved) == fast_parser.parse(private)
    assert list(tmp_path.iterdir()) == []
    again, load_again = cached_parser(fast_parser, tmp_path)
    assert again.parse(private, store=False) == parsed and load_again.calls == 1   # parsed again
    assert list(tmp_path.iterdir()) == []

    stored = cp.parse(TEXT)                                   # a stored entry is still read
    third, load_third = cached_parser(fast_parser, tmp_path)
    assert third.parse(TEXT, store=False) == stored and load_third.calls == 0


def test_writing_removes_temporary_files_of_killed_writers(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    cache = ParseCache("f" * 16, tmp_path)
    left = [tmp_path / f".{cache.path('x').name}.{cachefile._host()}-{dead}.abc123.tmp",
            tmp_path / f".{cache.path('y').name}.tmp{dead}"]      # as earlier versions named them
    for path in left:
        path.write_bytes(b"half an entry")
    cache.put(TEXT, EMPTY)
    assert sorted(p.name for p in tmp_path.iterdir()) == [cache.path(TEXT).name]
