"""A corpus run on Dask: the records the store lacks, in batches, to workers that each hold one loaded
geoparser, and their rows into the store part by part.

    >>> report = run_corpus("reports.jsonl", "reports.store", RunOptions(workers=2))
    >>> report.parsed, [str(p) for p in report.problems]

By default a `LocalCluster` of worker processes (one thread each: the parse is CPU-bound Python), or
the cluster of `RunOptions.scheduler` ("tcp://host:8786"). The driver reads the input twice: once to
plan (what is stored, what is bad, how many to parse), once to send the records to parse; it keeps a
bounded number of batches in flight, so memory does not grow with the corpus.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import resource
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyarrow as pa
from distributed import Client, LocalCluster, as_completed
from tqdm import tqdm

from geo.gazetteer import PlaceIndex
from geo.store.corpus.parquet import TABLES, CorpusStore, PartWriter, StoreError
from geo.store.corpus.records import InputRecord, Problem, read_input
from geo.store.corpus.worker import (
    PLUGIN_NAME,
    BatchRows,
    GeoparserPlugin,
    local_engine_version,
    parse_batch,
    worker_engine,
)


@dataclass(frozen=True)
class RunOptions:
    workers: int | None = None          # local worker processes (default: the machine's cores)
    scheduler: str | None = None        # an existing cluster's scheduler instead ("tcp://host:8786")
    batch_size: int = 8                 # articles a task parses
    part_articles: int = 250            # articles a part holds at most (a part is written at least
    part_seconds: float = 60.0          # this often, so a kill loses little work)
    fast: bool = False                  # gazetteer-only recognition
    demonyms: bool = False
    country: tuple[str, ...] = ()       # the countries the texts are about (Geoparser's focus, `--country`)
    reparse: bool = False               # parse again what another engine version parsed
    progress: bool = True


@dataclass
class RunReport:
    engine_version: str = ""
    parsed: int = 0                     # articles parsed and stored in this run
    already: int = 0                    # stored before, by this engine: skipped
    changed: int = 0                    # stored before from another version of the record: parsed again
    reparsed: int = 0                   # stored before by another engine, parsed again (--reparse)
    outdated: int = 0                   # stored before by another engine and kept (no --reparse)
    outdated_versions: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    parts: int = 0
    workers: int = 0
    dashboard: str = ""
    start_seconds: float = 0.0          # cluster start and parser loading
    parse_seconds: float = 0.0
    worker_peak_mb: dict[str, float] = field(default_factory=dict)
    worker_cpu_seconds: float = 0.0     # CPU time the workers spent while parsing (all of them)

    @property
    def rate(self) -> float:
        """Articles parsed per second, from the first batch sent to the last part written."""
        return self.parsed / self.parse_seconds if self.parse_seconds else 0.0


class RunError(RuntimeError):
    """The run cannot go on (cluster unreachable, workers on another engine); str(e) says why."""


@dataclass
class _Plan:
    pending: set[str] = field(default_factory=set)


def _plan(input_path, stored: dict[str, tuple[str, str]], version: str, reparse: bool, report: RunReport) -> _Plan:
    plan = _Plan()
    for item in read_input(input_path):
        if isinstance(item, Problem):
            report.problems.append(item)
            continue
        before = stored.get(item.id)
        if before is None:
            plan.pending.add(item.id)
        elif before[0] != item.input_hash:
            report.changed += 1
            plan.pending.add(item.id)
        elif before[1] != version:
            report.outdated_versions.add(before[1])
            if reparse:
                report.reparsed += 1
                plan.pending.add(item.id)
            else:
                report.outdated += 1
        else:
            report.already += 1
    return plan


def run_corpus(input_path, store_path, options: RunOptions = RunOptions(), *,
               say=lambda line: print(line, file=sys.stderr)) -> RunReport:
    """Parse what the store lacks (see the module docstring); `say` hears the problems as they come."""
    store = CorpusStore.open(store_path, create=True)
    report = RunReport(engine_version=local_engine_version(fast=options.fast, demonyms=options.demonyms,
                                                           focus=tuple(c.upper() for c in options.country)))
    with store.writing() as writer:
        plan = _plan(input_path, store.stored(), report.engine_version, options.reparse, report)
        for problem in report.problems:
            say(str(problem))
        if report.outdated:
            say(f"note: {report.outdated:,} stored article{'s were' if report.outdated > 1 else ' was'} parsed by "
                f"another engine version ({', '.join(sorted(report.outdated_versions))}; this one is "
                f"{report.engine_version}): kept as stored; --reparse parses them again")
        if not plan.pending:
            return report
        started = time.monotonic()
        if not options.scheduler:
            _build_index_once(say)
        with _client(options) as client:
            _load_engine(client, options, report)
            report.start_seconds = time.monotonic() - started
            records = (r for r in read_input(input_path) if isinstance(r, InputRecord) and r.id in plan.pending)
            _parse(client, records, len(plan.pending), writer, options, report, say)
            report.worker_peak_mb = {w: round(mb, 1) for w, mb in client.run(_peak_rss_mb).items()}
    return report


def _build_index_once(say) -> None:
    """Build the gazetteer index here when it is not cached yet: else every local worker would build
    the same index at once, each with the whole build's memory."""
    if not PlaceIndex.cached():
        say("building the gazetteer index once, before the workers start (about 30 s)")
        PlaceIndex.load()


@contextlib.contextmanager
def _client(options: RunOptions) -> Iterator[Client]:
    if options.scheduler:
        try:
            client = Client(options.scheduler, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise RunError(f"cannot reach the Dask scheduler at {options.scheduler} ({exc}); is `dask scheduler` "
                           "running there?") from exc
        with client:
            yield client
        return
    workers = options.workers or len(os.sched_getaffinity(0))
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client


def _load_engine(client: Client, options: RunOptions, report: RunReport) -> None:
    """Load the parser on every worker (once; a cluster that has it loaded from an earlier run keeps it)
    and check that they all run this machine's engine."""
    client.wait_for_workers(1, timeout=120)
    focus = tuple(c.upper() for c in options.country)
    wanted = (options.fast, options.demonyms, focus, report.engine_version)
    engines = client.run(worker_engine)
    if any(engine != wanted for engine in engines.values()):
        client.register_plugin(GeoparserPlugin(fast=options.fast, demonyms=options.demonyms, focus=focus),
                               name=PLUGIN_NAME)
        engines = client.run(worker_engine)
    other = {addr: engine for addr, engine in engines.items() if engine != wanted}
    if other:
        addr, engine = next(iter(other.items()))
        raise RunError(f"the worker at {addr} runs engine version {engine[-1] if engine else '?'}, this machine "
                       f"{report.engine_version}: give the workers the same code, packages and gazetteers, and "
                       "restart them after an update")
    report.workers = len(engines)
    # a local scheduler serves its dashboard's pages only with bokeh installed; a remote one may have it
    if "dashboard" in client.scheduler_info().get("services", {}) and (
            options.scheduler or importlib.util.find_spec("bokeh")):
        report.dashboard = client.dashboard_link


def _batches(records: Iterable[InputRecord], size: int) -> Iterator[list[InputRecord]]:
    batch: list[InputRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Parts:
    """Batches' rows gathered into parts, written when large or old enough (and at the end)."""

    def __init__(self, writer: PartWriter, options: RunOptions, report: RunReport) -> None:
        self.writer, self.options, self.report = writer, options, report
        self.rows: list[BatchRows] = []
        self.articles = 0
        self.since = time.monotonic()

    def add(self, rows: BatchRows) -> None:
        if rows.articles:
            self.rows.append(rows)
            self.articles += rows.articles
        if self.articles >= self.options.part_articles or time.monotonic() - self.since >= self.options.part_seconds:
            self.flush()

    def flush(self) -> None:
        if self.articles:
            self.writer.write({t: pa.concat_tables([r.tables[t] for r in self.rows]) for t in TABLES})
            self.report.parsed += self.articles
            self.report.parts += 1
        self.rows, self.articles, self.since = [], 0, time.monotonic()


def _parse(client: Client, records: Iterable[InputRecord], total: int, writer: PartWriter, options: RunOptions,
           report: RunReport, say) -> None:
    parts = _Parts(writer, options, report)
    in_flight = as_completed()
    batches: dict[str, list[str]] = {}
    limit = 2 * report.workers + 1
    bar = tqdm(total=total, unit="article", desc="parsing", file=sys.stderr, disable=not options.progress,
               dynamic_ncols=True, postfix=f"Dask dashboard {report.dashboard}" if report.dashboard else None)
    started = time.monotonic()
    cpu_before = client.run(time.process_time)

    def collect(future) -> None:
        wheres = batches.pop(future.key)
        try:
            rows = future.result()
        except Exception as exc:  # noqa: BLE001 (a worker that died costs its batch, not the run)
            rows = None
            for where in wheres:
                _problem(Problem(where, f"skipped, its batch failed on a worker ({type(exc).__name__}: {exc})"))
        future.release()
        if rows is not None:
            for problem in rows.problems:
                _problem(problem)
            parts.add(rows)
        bar.update(len(wheres))

    def _problem(problem: Problem) -> None:
        report.problems.append(problem)
        if options.progress:
            bar.write(str(problem), file=sys.stderr)     # above the bar, which stays at the bottom
        else:
            say(str(problem))

    try:
        for batch in _batches(records, options.batch_size):
            while in_flight.count() >= limit:
                collect(next(in_flight))
            future = client.submit(parse_batch, batch, pure=False)
            batches[future.key] = [r.where for r in batch]
            in_flight.add(future)
        for future in in_flight:
            collect(future)
    finally:
        parts.flush()                  # what was parsed is kept, even on Ctrl-C
        bar.close()
        report.parse_seconds = time.monotonic() - started
    cpu_after = client.run(time.process_time)
    report.worker_cpu_seconds = sum(cpu_after[w] - cpu_before.get(w, 0.0) for w in cpu_after)


def _peak_rss_mb() -> float:
    """A worker process's peak resident memory in MB: VmHWM (ru_maxrss can carry a parent's peak
    across fork + exec on Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


__all__ = ["RunError", "RunOptions", "RunReport", "StoreError", "run_corpus"]
