"""Tests for geo.parsecache: parses kept on disk, keyed by the text and the engine fingerprint."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import geo.parsecache as pc
from geo.articles import Article
from geo.parsecache import CachedParser, ParseCache, ParsedText, engine_fingerprint, parse_text
from geo.pipeline import Geoparser
from geo.places import places_for, places_from_parsed

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
    monkeypatch.setattr(pc, "_ENGINE_CODE", pc._ENGINE_CODE + "|geo.resolve=changed")
    assert engine_fingerprint(ner=True) != base


def test_engine_code_lists_every_engine_module() -> None:
    for module in ("recognize", "resolve", "ner", "pipeline", "places", "articles"):
        assert f"geo.{module}=" in pc._ENGINE_CODE


def test_a_changed_fingerprint_invalidates_and_replaces_old_entries(
        fast_parser: Geoparser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cp, _ = cached_parser(fast_parser, tmp_path)
    cp.parse(TEXT)
    old_files = list(tmp_path.glob("*.pkl"))
    assert len(old_files) == 1

    monkeypatch.setattr(pc, "_ENGINE_CODE", pc._ENGINE_CODE + "|geo.resolve=changed")
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
        assert places_from_parsed([(a, fresh.parse(a.text)) for a in (seed_a, seed_b)]) == \
            places_for([seed_a, seed_b], parser)
    assert all(isinstance(cp.cache.get(a.text), ParsedText) for a in (seed_a, seed_b))
