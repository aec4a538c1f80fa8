"""The corpus store on disk: a folder of Parquet tables anyone can open with their own tools.

    STORE/corpus.json                 what the folder is (format version)
    STORE/articles/part-00000001.parquet  id, title, source, url, date, date_source, text_hash, ...
    STORE/mentions/part-00000001.parquet  article_id, start, end, name, precision, place_key, passage ...
    STORE/places/part-00000001.parquet    key, name, kind, country, lat, lon, precision, geonameid, ...
    STORE/texts/part-00000001.parquet     article_id, text (the passages' text)
    STORE/events/part-00000001.parquet    article_id, ordinal, event_type, sub_event_type, date, ...

A store made before the `events` table existed has no `events` files in its older parts: readers
see no events for those articles (`corpus run --reparse` adds them, as the engine version changed).

A part holds the rows of a group of articles, in each table. Every file is written under a temporary
name and renamed, the `articles` file last: a part is complete once its `articles` file exists, and a
run that was killed leaves at most the other tables' files of an incomplete part, which readers ignore
(they join on the article's part) and the next run removes. An article parsed again (`--reparse`, a
changed record) goes into a newer part; the newest part of an article is the one that counts.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

FORMAT = 1
MARKER = "corpus.json"
TABLES = ("texts", "mentions", "places", "events", "articles")       # the order parts are written in: articles last
_PART = re.compile(r"part-(\d{8})\.parquet")

S, I64, F64 = pa.string(), pa.int64(), pa.float64()
SCHEMAS = {
    "articles": pa.schema([
        ("id", S), ("title", S), ("source", S), ("url", S), ("date", pa.date32()), ("date_source", S),
        ("text_hash", S),           # the article id of its text (geo.files.articles.article_id): what corrections name
        ("input_hash", S),          # of the input record: a changed record is parsed again
        ("engine_version", S), ("mode", S), ("chars", I64), ("mentions", I64), ("part", I64)]),
    "mentions": pa.schema([
        ("article_id", S), ("start", I64), ("end", I64), ("name", S), ("precision", S), ("place_key", S),
        ("passage_index", I64), ("passage_start", I64), ("passage_end", I64), ("confidence", F64),
        ("name_key", S),            # the name as corrections match it (geo.gazetteer.normalize_name)
        ("containers", pa.list_(S)),  # the container keys it lies in (a "near the same container" correction)
        ("corrected_kind", S),      # the kind a correction that names none gives it
        ("part", I64)]),
    "places": pa.schema([
        ("key", S), ("name", S), ("kind", S), ("country", S), ("lat", F64), ("lon", F64), ("precision", S),
        ("geonameid", I64), ("container", S), ("source", S), ("article_id", S), ("part", I64)]),
    "texts": pa.schema([("article_id", S), ("text", S), ("part", I64)]),
    "events": pa.schema([        # geo.engine.events: what happened where and when, per sentence with a place
        ("article_id", S), ("ordinal", I64),        # the article's events in order, 0 the main one
        ("event_type", S), ("sub_event_type", S), ("date", pa.date32()),
        ("date_source", S),         # "text", "relative", "article" or null (no date)
        ("start", I64), ("end", I64), ("trigger", S),   # the main trigger's offsets in the article
        ("place_start", I64), ("place_end", I64), ("place_name", S), ("place_precision", S),
        ("place_key", S),           # the place of the mention it is tied to (as the mentions table has it)
        ("actors", pa.list_(S)), ("sentence_start", I64), ("sentence_end", I64), ("passage_index", I64),
        ("part", I64)]),
}


class StoreError(ValueError):
    """The store cannot be used as asked (not a store, busy); str(e) says what to do."""


class CorpusStore:
    """A store folder (see the module docstring)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = False) -> CorpusStore:
        """The store at `path`; with `create`, a new one there if the folder is missing or empty."""
        store = cls(path)
        marker = store.path / MARKER
        if marker.exists():
            try:
                fmt = json.loads(marker.read_text(encoding="utf-8")).get("format")
            except (OSError, ValueError, AttributeError) as exc:
                raise StoreError(f"{marker} is damaged ({exc}); is {store.path} a corpus store?") from exc
            if fmt != FORMAT:
                raise StoreError(f"{store.path} is a corpus store of format {fmt}; this version reads format {FORMAT}")
            return store
        if not create:
            raise StoreError(f"{store.path} is not a corpus store (no {MARKER}); make one with `corpus run`")
        if store.path.exists() and (not store.path.is_dir() or any(store.path.iterdir())):
            raise StoreError(f"{store.path} exists and is not a corpus store: give a new or empty folder")
        for table in TABLES:
            (store.path / table).mkdir(parents=True, exist_ok=True)
        _write_atomically(marker, lambda f: f.write(json.dumps({"format": FORMAT}).encode()))
        return store

    # -- reading ---------------------------------------------------------------------------------
    def files(self, table: str) -> list[Path]:
        """The complete parts' files of a table, oldest part first."""
        folder = self.path / table
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if _PART.fullmatch(p.name))

    def parts(self) -> list[int]:
        """The numbers of the complete parts (those whose articles file exists)."""
        return [int(_PART.fullmatch(p.name).group(1)) for p in self.files("articles")]

    def stored(self) -> dict[str, tuple[str, str]]:
        """Each stored article's (input hash, engine version), from its newest part."""
        found: dict[str, tuple[int, str, str]] = {}
        for path in self.files("articles"):
            table = pq.read_table(path, columns=["id", "part", "input_hash", "engine_version"])
            for rid, part, h, version in zip(*(table.column(c).to_pylist() for c in table.column_names),
                                             strict=True):
                if rid not in found or part > found[rid][0]:
                    found[rid] = (part, h, version)
        return {rid: (h, version) for rid, (_, h, version) in found.items()}

    # -- writing ---------------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[PartWriter]:
        """The store, locked against other writers and cleaned of what a killed run left."""
        lock_path = self.path / ".lock"
        with open(lock_path, "a+b") as lock:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(f"another `corpus run` is writing to {self.path}; wait for it to end") from None
            try:
                self._clean()
                yield PartWriter(self, max(self.parts(), default=0) + 1)
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _clean(self) -> None:
        """Remove temporary files and the files of incomplete parts (no articles file)."""
        complete = {f"part-{n:08d}.parquet" for n in self.parts()}
        for table in TABLES:
            folder = self.path / table
            folder.mkdir(exist_ok=True)
            for p in folder.iterdir():
                if p.name.endswith(".tmp") or (table != "articles" and _PART.fullmatch(p.name)
                                               and p.name not in complete):
                    p.unlink(missing_ok=True)


class PartWriter:
    """Writes numbered parts into a locked store (see `CorpusStore.writing`)."""

    def __init__(self, store: CorpusStore, next_part: int) -> None:
        self.store = store
        self.next_part = next_part

    def write(self, tables: dict[str, pa.Table]) -> int:
        """Write one part (the tables without their `part` column); returns its number."""
        number = self.next_part
        self.next_part += 1
        for table in TABLES:
            data = tables[table]
            data = data.append_column("part", pa.array([number] * len(data), I64)).cast(SCHEMAS[table])
            final = self.store.path / table / f"part-{number:08d}.parquet"
            _write_atomically(final, lambda f, data=data: pq.write_table(data, f, compression="zstd"))
        return number


def _write_atomically(path: Path, write) -> None:
    """Write `path` through a temporary file in the same folder, synced, then renamed over it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def empty_table(table: str) -> pa.Table:
    return SCHEMAS[table].empty_table()
