"""Parsing in a worker process, away from the page's: the page keeps serving other sessions while an
article is read, and a parse that takes too long, needs too much memory or is cancelled ends with a
message instead of holding the server.

    >>> from geo.store.parseworker import ParseWorker
    >>> worker = ParseWorker(time_limit=60)
    >>> parsed, story = worker.parse("Shelling hit Kramatorsk, in the Donetsk region.")
    >>> [r.mention.name for r in parsed.resolved]
    ['Kramatorsk', 'Donetsk region']
    >>> worker.close()

The worker is one process (`python -m geo.store.parseworker`, a fresh interpreter: nothing of the page's
state is copied into it, and the page's script is not run again there, as multiprocessing's "spawn" would
with Streamlit's `__main__`), talking over its stdin and stdout (multiprocessing's Connection). It loads
the gazetteer index and the NER once, when it starts, and is reused for every parse. Its address space is
capped (`resource.setrlimit(RLIMIT_AS)`, at what it holds once loaded plus the memory limit): a parse past
it raises MemoryError there, which ends the worker (a new one starts for the next parse). The caller's
time limit and cancellation end it too (the process is killed). Each of these raises `ParseStopped` with
a message a user can read. Progress (the engine's stage and fraction) comes back while it runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from geo.gazetteer import Progress

TIME_LIMIT_S = 60.0          # CPU seconds a parse may take (CONFLICTMAP_PARSE_SECONDS): a backstop (the caps on names
                             # keep every shape below ~20 s); CPU, not wall, so that a busy machine refuses nothing
WALL_FACTOR = 5              # ... and at most this many times as long by the clock
MEMORY_LIMIT_MB = 700        # what a parse may add to the worker's address space once it has loaded the parser
                             # (CONFLICTMAP_PARSE_MEMORY_MB); the largest accepted article needs ~400 MB
START_LIMIT_S = 180.0        # loading the index (built the first time, ~30 s) and the NER
POLL_S = 0.1
TICK_S = 0.5


class ParseStopped(Exception):
    """A parse ended before its result: too slow, too large, cancelled, or the worker failed. The
    message says which, for the user."""


def _limits() -> tuple[float, int]:
    """The time (s) and memory (MB) limits, from the environment or the defaults."""
    return (float(os.environ.get("CONFLICTMAP_PARSE_SECONDS", TIME_LIMIT_S)),
            int(os.environ.get("CONFLICTMAP_PARSE_MEMORY_MB", MEMORY_LIMIT_MB)))


def _serve(conn, memory_mb: int, fast: bool) -> None:
    """The worker's loop: load the parser once, then parse each text sent, sending progress and the
    result (or the failure) back. Runs in the worker process."""
    import resource

    from geo.engine.pipeline import Geoparser
    from geo.files.articles import ArticleError, article_from_bytes
    from geo.store.parsecache import parse_text

    try:
        parser = Geoparser.create(fast=fast)
        parser.parse("Shelling hit Kramatorsk, in the Donetsk region.")   # warm: the NER's first call is slow
    except Exception as exc:  # noqa: BLE001 - told to the page, which shows it
        conn.send(("failed", None, f"The parser could not be loaded: {type(exc).__name__}: {exc}"))
        return
    if memory_mb > 0:      # on top of what the process holds now (libraries reserve address space unused)
        limit = _address_space() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    focused: dict[tuple[str, ...], Geoparser] = {(): parser}
    conn.send(("ready", None, os.getpid()))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        number, kind, payload = job
        last = [0.0]

        def progress(stage: str, fraction: float, number: int = number, last: list = last) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.2 or fraction >= 1.0:
                last[0] = now
                conn.send(("progress", number, (stage, fraction)))

        try:
            if kind == "read":            # an upload's bytes into an article (HTML is the costly part)
                data, name = payload
                try:
                    conn.send(("done", number, article_from_bytes(data, name)))
                except ArticleError as exc:
                    conn.send(("refused", number, str(exc)))
                continue
            text, focus = payload
            reader = focused.setdefault(focus, dataclasses.replace(parser, focus=focus) if focus else parser)
            parsed = parse_text(reader, text, progress)
            read = text[:parsed.reading.end] if parsed.reading is not None else text
            story = reader.story_countries(read, list(parsed.resolved))
            conn.send(("done", number, (parsed, story)))
        except MemoryError:
            parsed = story = None
            with contextlib.suppress(Exception):
                conn.send(("memory", number, None))
            os._exit(3)         # the heap may be in pieces: a new worker starts for the next parse
        except Exception as exc:  # noqa: BLE001 - a bug in the engine: said, and the worker goes on
            conn.send(("error", number, f"{type(exc).__name__}: {exc}"))


def _cpu_seconds(pid: int) -> float:
    """The CPU time (user + system) a process has used, in seconds (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _address_space() -> int:
    """This process's address space now (VmSize), in bytes."""
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmSize:")) * 1024


class _Duplex:
    """Two one-way Connections (a pipe each way) read and written as one."""

    def __init__(self, reader: Connection, writer: Connection) -> None:
        self.reader, self.writer = reader, writer

    def send(self, obj) -> None:
        self.writer.send(obj)

    def recv(self):
        return self.reader.recv()

    def poll(self, timeout: float) -> bool:
        return self.reader.poll(timeout)

    def close(self) -> None:
        for conn in (self.reader, self.writer):
            with contextlib.suppress(OSError):
                conn.close()


def main(argv: list[str] | None = None) -> None:
    """The worker process: `python -m geo.store.parseworker MEMORY_MB fast|default`. The page's end of the
    pipes is its stdin and stdout; what the libraries print goes to stderr instead."""
    memory_mb, mode = (argv if argv is not None else sys.argv[1:])[:2]
    reader = Connection(os.dup(0), writable=False)
    writer = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)           # stdout is the protocol's: a print lands in the server's log instead
    sys.stdout = sys.stderr
    _serve(_Duplex(reader, writer), int(memory_mb), mode == "fast")


class ParseWorker:
    """One worker process that parses texts (started on first use, started again after it ends).
    One parse at a time: callers wait their turn (`parse` holds a lock). `time_limit` (s) and
    `memory_mb` default to the environment's (CONFLICTMAP_PARSE_SECONDS, CONFLICTMAP_PARSE_MEMORY_MB)
    or TIME_LIMIT_S and MEMORY_LIMIT_MB; `fast` runs the fast mode (no NER)."""

    def __init__(self, *, time_limit: float | None = None, memory_mb: int | None = None, fast: bool = False) -> None:
        default_time, default_memory = _limits()
        self.time_limit = default_time if time_limit is None else time_limit
        self.memory_mb = default_memory if memory_mb is None else memory_mb
        self.fast = fast
        self._lock = threading.Lock()
        self._process = None
        self._conn = None
        self._jobs = 0
        self.pid: int | None = None

    # -- the process -----------------------------------------------------------------------------
    def start(self, cancelled: Callable[[], bool] = lambda: False) -> None:
        """Start the worker and wait until it has loaded the parser (a no-op when it runs)."""
        if self._process is not None and self._process.poll() is None:
            return
        self._stop_process()
        root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)}
        process = subprocess.Popen([sys.executable, "-m", "geo.store.parseworker", str(self.memory_mb),
                                    "fast" if self.fast else "default"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, env=env, cwd=root)
        here = _Duplex(Connection(os.dup(process.stdout.fileno()), writable=False),
                       Connection(os.dup(process.stdin.fileno()), readable=False))
        process.stdout.close()
        process.stdin.close()
        self._process, self._conn = process, here
        deadline = time.monotonic() + START_LIMIT_S
        while time.monotonic() < deadline:
            if cancelled():
                self._stop_process()
                raise ParseStopped("Reading the article was cancelled.")
            if here.poll(POLL_S):
                try:
                    kind, _, value = here.recv()
                except EOFError:
                    break
                if kind == "ready":
                    self.pid = value
                    return
                self._stop_process()
                raise ParseStopped(value)
            if process.poll() is not None:
                break
        self._stop_process()
        raise ParseStopped("The parser could not be started (its process ended or took too long to load).")

    def warm(self) -> None:
        """Start the worker now (in the background of a server starting), so that the first parse
        need not wait for the parser to load; a failure here is said again by the first parse."""
        with self._lock, contextlib.suppress(ParseStopped):
            self.start()

    def _stop_process(self) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        self.pid = None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()
        if process is not None:
            if process.poll() is None:
                process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(5)

    def __del__(self) -> None:      # a worker dropped from a cache (a new index) must not stay behind
        with contextlib.suppress(Exception):
            self._stop_process()

    def close(self) -> None:
        """End the worker."""
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(OSError, BrokenPipeError):
                    self._conn.send(None)
            self._stop_process()

    # -- a parse ---------------------------------------------------------------------------------
    def parse(self, text: str, focus: tuple[str, ...] = (), progress: Progress | None = None,
              cancelled: Callable[[], bool] = lambda: False, tick: Callable[[float], None] | None = None):
        """(ParsedText, StoryCountries) of `text` read with `focus`, parsed in the worker. `progress`
        hears the engine's stages; `tick(seconds)` is called every TICK_S while it runs (a page
        redraws there, which is where Streamlit stops a script whose user moved on: any exception
        from it ends the parse too). Raises ParseStopped past the time or memory limit, when
        `cancelled()` turns true, or when the worker fails."""
        return self._run("parse", (text, tuple(focus)), progress, cancelled, tick)

    def read(self, data: bytes, name: str, cancelled: Callable[[], bool] = lambda: False):
        """The Article of an uploaded file's bytes (geo.files.articles.article_from_bytes), made in the
        worker under the same limits: an HTML page of 400,000 nested elements costs seconds of
        conversion, which the page's process does not spend. Raises ArticleError for a file it
        refuses, ParseStopped past a limit."""
        from geo.files.articles import ArticleError

        result = self._run("read", (data, name), None, cancelled, None)
        if isinstance(result, ArticleError):
            raise result
        return result

    def _run(self, kind: str, payload, progress, cancelled, tick):
        with self._lock:
            self.start(cancelled)
            self._jobs += 1
            number = self._jobs
            try:
                self._conn.send((number, kind, payload))
                return self._wait(number, progress, cancelled, tick)
            except BaseException:     # a limit, a cancellation, or the page's script stopped: end it
                self._stop_process()
                raise

    def _wait(self, number: int, progress, cancelled, tick):
        started = ticked = time.monotonic()
        conn, process = self._conn, self._process
        cpu_start = _cpu_seconds(process.pid)
        while True:
            elapsed = time.monotonic() - started
            if _cpu_seconds(process.pid) - cpu_start > self.time_limit or elapsed > WALL_FACTOR * self.time_limit:
                raise ParseStopped(f"Reading this article was stopped after {self.time_limit:g} s of work, the limit "
                                   "for one article: it names too many places, or is shaped to be costly. "
                                   "Try a shorter text.")
            if cancelled():
                raise ParseStopped("Reading the article was cancelled.")
            if tick is not None and time.monotonic() - ticked >= TICK_S:
                ticked = time.monotonic()
                tick(elapsed)
            if not conn.poll(POLL_S):
                if process.poll() is not None:
                    raise ParseStopped(self._ended_message())
                continue
            try:
                kind, job, value = conn.recv()
            except EOFError:
                raise ParseStopped(self._ended_message()) from None
            if job != number:
                continue
            if kind == "progress" and progress is not None:
                progress(*value)
            elif kind == "done":
                return value
            elif kind == "refused":
                from geo.files.articles import ArticleError

                return ArticleError(value)
            elif kind == "memory":
                raise ParseStopped(self._memory_message())
            elif kind == "error":
                raise ParseStopped(f"The article could not be read: {value}")

    def _memory_message(self) -> str:
        return (f"Reading this article was stopped: it needed more than {self.memory_mb:,} MB, the memory "
                "limit for one article. Try a shorter text.")

    def _ended_message(self) -> str:
        code = self._process.poll() if self._process is not None else None
        if code == 3:
            return self._memory_message()
        return ("Reading this article was stopped: the parser's process ended (it may have run out of memory: "
                f"the limit for one article is {self.memory_mb:,} MB). Try a shorter text.")


if __name__ == "__main__":
    main()
