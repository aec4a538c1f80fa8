"""What runs on a Dask worker: the geoparser, loaded once per worker by a worker plugin, and the parse
of a batch of records into the store's rows.

    >>> client.register_plugin(GeoparserPlugin(fast=False), name=PLUGIN_NAME)   # loads on every worker
    >>> batch = client.submit(parse_batch, records).result()                    # BatchRows

`parse_batch` is a pure function of its records (and the engine): the same article gives the same rows
on 1, 2 or 200 workers, in whatever batch it travels.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
from distributed import WorkerPlugin, get_worker

from geo.engine.pipeline import Geoparser, without_lone_surrogates
from geo.engine.resolve import ResolvedMention
from geo.files.articles import Article, ArticleError, article_from_bytes, article_from_text, passage_at, split_passages
from geo.gazetteer import normalize_name
from geo.map.places import group_places, place_key
from geo.store.corpus.dates import article_date
from geo.store.corpus.parquet import SCHEMAS
from geo.store.corpus.records import InputRecord, Problem
from geo.store.corrections import container_keys_by_start
from geo.store.parsecache import engine_fingerprint, ner_available

PLUGIN_NAME = "conflictmap-geoparser"
_ROWS_CODE = hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:12]   # how rows are made is part of the engine


def engine_version(*, ner: bool, demonyms: bool = False, focus: tuple[str, ...] = ()) -> str:
    """What a store's rows depend on besides the text: the parse cache's engine fingerprint (gazetteer
    sources, the engine's code, the NER and its version, options, the story countries) and this module's
    code."""
    fingerprint = engine_fingerprint(ner=ner, demonyms=demonyms, focus=focus)
    return hashlib.sha1(f"{fingerprint}|rows={_ROWS_CODE}".encode()).hexdigest()[:16]


def local_engine_version(*, fast: bool = False, demonyms: bool = False, focus: tuple[str, ...] = ()) -> str:
    """The engine version this machine's parser would have (without loading it)."""
    return engine_version(ner=not fast and ner_available(), demonyms=demonyms, focus=focus)


class GeoparserPlugin(WorkerPlugin):
    """Loads the gazetteer index and the NER once per worker process, when the worker starts (or
    when the plugin is registered); `parse_batch` uses it for every batch that worker gets."""

    def __init__(self, *, fast: bool = False, demonyms: bool = False, focus: tuple[str, ...] = ()) -> None:
        self.fast = fast
        self.demonyms = demonyms
        self.focus = tuple(focus)
        self.parser: Geoparser | None = None
        self.version = ""

    async def setup(self, worker) -> None:
        # in a thread: loading takes seconds, and the worker must keep answering the scheduler meanwhile
        await asyncio.to_thread(self._load)

    def _load(self) -> None:
        self.parser = Geoparser.create(fast=self.fast, demonyms=self.demonyms, focus=self.focus)
        self.version = engine_version(ner=self.parser.ner is not None, demonyms=self.demonyms,
                                      focus=self.parser.focus)


def worker_engine(dask_worker) -> tuple[bool, bool, tuple[str, ...], str] | None:
    """(fast, demonyms, focus, engine version) of a worker's loaded parser, None if it has none
    (`Client.run`)."""
    plugin = dask_worker.plugins.get(PLUGIN_NAME)
    if plugin is None or plugin.parser is None:
        return None
    return plugin.fast, plugin.demonyms, plugin.focus, plugin.version


@dataclass
class BatchRows:
    """The rows of a batch's articles (one pyarrow table per store table, without `part`), and the
    records that could not be parsed."""

    tables: dict[str, pa.Table]
    problems: list[Problem] = field(default_factory=list)
    articles: int = 0


def parse_batch(records: Sequence[InputRecord]) -> BatchRows:
    """Parse a batch with this worker's parser (see `GeoparserPlugin`)."""
    plugin = get_worker().plugins[PLUGIN_NAME]
    return parse_records(plugin.parser, plugin.version, records)


def parse_records(parser: Geoparser, version: str, records: Sequence[InputRecord]) -> BatchRows:
    """The rows of `records` parsed by `parser`; a record that fails is a problem, not a failed batch."""
    rows: dict[str, list[dict]] = {name: [] for name in SCHEMAS}
    problems = []
    for record in records:
        try:
            article = _article(record)
        except ArticleError as exc:
            problems.append(Problem(record.where, f"skipped, {exc}"))
            continue
        try:
            resolved = parser.parse(article.text)
        except Exception as exc:  # noqa: BLE001 (one article's failure must not cost the batch)
            problems.append(Problem(record.where, f"skipped, could not be parsed ({type(exc).__name__}: {exc})"))
            continue
        _add_rows(rows, record, article, resolved, parser, version)
    tables = {name: pa.Table.from_pylist(rows[name], schema=schema.remove(schema.get_field_index("part")))
              for name, schema in SCHEMAS.items()}
    return BatchRows(tables, problems, len(rows["articles"]))


def _article(record: InputRecord) -> Article:
    if record.data is not None:
        return article_from_bytes(record.data, record.name)
    return article_from_text(record.text or "", record.where, record.title or None)


def _add_rows(rows: dict[str, list[dict]], record: InputRecord, article: Article,
              resolved: Sequence[ResolvedMention], parser: Geoparser, version: str) -> None:
    passages = split_passages(article)
    containers = container_keys_by_start(resolved)
    day, how = article_date(record.date, article)
    mentions = 0
    keys: dict[int, str] = {}
    for r in resolved:
        passage = passage_at(passages, r.mention.start)
        if passage is None:
            continue
        mentions += 1
        m = r.mention
        keys[m.start] = place_key(r)
        rows["mentions"].append({
            # names are slices of the text the parser read, lone surrogates already replaced (Geoparser.parse)
            "article_id": record.id, "start": m.start, "end": m.end, "name": m.name, "precision": r.precision,
            "place_key": keys[m.start], "passage_index": passage.index, "passage_start": passage.start,
            "passage_end": passage.end, "confidence": round(r.confidence, 6), "name_key": normalize_name(m.name),
            "containers": sorted(containers.get(m.start, ())),
            "corrected_kind": m.cue if m.cue in ("facility", "admin1", "admin2")
            else (r.place.kind if r.place is not None else "city")})
    source_of = lambda row: parser.index.entry(row).source  # noqa: E731
    for place in group_places([(article, passages, resolved)], source_of=source_of):
        rows["places"].append({
            "key": place.key, "name": place.name, "kind": place.kind, "country": place.country or None,
            "lat": place.lat, "lon": place.lon, "precision": place.precision, "geonameid": place.geonameid,
            "container": place.container or None, "source": place.source or None, "article_id": record.id})
    text = without_lone_surrogates(article.text)
    rows["events"].extend(_event_rows(record.id, text, resolved, day, keys, passages, parser))
    rows["articles"].append({
        "id": record.id, "title": without_lone_surrogates(record.title or article.title),
        "source": record.source or None,
        "url": record.url or None, "date": dt.date.fromisoformat(day) if day else None, "date_source": how or None,
        "text_hash": article.id, "input_hash": record.input_hash, "engine_version": version,
        "mode": parser.mode_for(article.text), "chars": len(article.text), "mentions": mentions})
    rows["texts"].append({"article_id": record.id, "text": without_lone_surrogates(article.text)})


def _event_rows(article_id: str, text: str, resolved: Sequence[ResolvedMention], day: str, keys: dict[int, str],
                passages, parser: Geoparser) -> list[dict]:
    """The article's events (geo.engine.events), the main one first, each tied to a stored mention's place."""
    rows = []
    for event in parser.events.find(text, resolved, day):
        key, passage = keys.get(event.place.start), passage_at(passages, event.place.start)
        if key is None or passage is None:       # its place is no stored mention
            continue
        rows.append({
            "article_id": article_id, "ordinal": len(rows), "event_type": event.event_type,
            "sub_event_type": event.sub_event_type,
            "date": dt.date.fromisoformat(event.date) if event.date else None,
            "date_source": event.date_source or None, "start": event.start, "end": event.end,
            "trigger": event.trigger, "place_start": event.place.start, "place_end": event.place.end,
            "place_name": event.place.name, "place_precision": event.place.precision, "place_key": key,
            "actors": list(event.actors), "sentence_start": event.sentence[0], "sentence_end": event.sentence[1],
            "passage_index": passage.index})
    return rows
