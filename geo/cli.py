"""The command line: `python -m geo places FILE...`, `annotate IN.jsonl` and `gazetteer ...`.

    $ python -m geo places seeds/*.txt
    $ python -m geo places seeds/*.txt --format geojson > places.geojson
    $ python -m geo annotate corpus.jsonl > predictions.jsonl      # the format eval/score.py reads
    $ python -m geo gazetteer add-geonames UA                      # a GeoNames country extract
    $ python -m geo gazetteer add-csv frontline.csv                # your own places
    $ python -m geo gazetteer list
    $ python -m geo gazetteer remove geonames-UA
    $ python -m geo corrections add --article seeds/x.txt --name Stepne --point 47.81,37.62
    $ python -m geo corrections list | export FILE | import FILE | undo ID
    $ python -m geo corpus run reports.jsonl reports.store     # many articles into a store (geo/store/corpus)
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import time
import unicodedata
from collections.abc import Sequence

from geo.engine.pipeline import Geoparser
from geo.files.articles import ArticleError, article_id, read_article, story_date
from geo.gazetteer import (
    KINDS,
    GazetteerSourceError,
    PlaceIndex,
    build_with_timing,
    default_cache_dir,
    default_data_dir,
)
from geo.gazetteer.custom import import_csv
from geo.gazetteer.geonames import import_geonames
from geo.gazetteer.sources import SourceInfo, SourceRegistry, active_gazetteers
from geo.map.attribution import OSM_ATTRIBUTION, placed_online
from geo.map.export import places_csv, places_geojson, places_json, places_table
from geo.map.places import places_for
from geo.store.corpus.cli import add_corpus_commands
from geo.store.corrections import (
    DB_NAME,
    Correction,
    CorrectionError,
    CorrectionImportError,
    CorrectionStore,
    Scope,
    Target,
    apply_corrections,
    container_key,
)
from geo.store.event_corrections import EventCorrection, apply_event_corrections


def _progress_printer(stream=sys.stderr):
    """Prints build progress, but only once the work has taken more than a second."""
    started = time.monotonic()

    def report(stage: str, fraction: float) -> None:
        if time.monotonic() - started > 1.0:
            print(f"\rbuilding the gazetteer index: {stage:<28} {fraction:4.0%}", end="", file=stream,
                  flush=True)
            if fraction >= 1.0:
                print(file=stream)

    return report


def _say_if_rebuilt(index: PlaceIndex) -> None:
    """One line when the cached index failed its check and the index was built again."""
    if index.rebuilt_because:
        print(f"note: the cached gazetteer index could not be used ({index.rebuilt_because}); it was rebuilt",
              file=sys.stderr)


def _countries(value: str) -> tuple[str, ...]:
    """`--country ML,BF` -> ("ML", "BF"): two-letter country codes."""
    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    if not codes or not all(len(c) == 2 and c.isalpha() for c in codes):
        raise argparse.ArgumentTypeError(f"expected two-letter country codes such as ML or ML,BF, not {value!r}")
    return codes


def _parser(args) -> Geoparser:
    parser = Geoparser.create(fast=args.fast, demonyms=args.demonyms, progress=_progress_printer(),
                              focus=args.country or ())
    _say_if_rebuilt(parser.index)
    if not args.fast and parser.ner is None:
        print(f"note: NER unavailable ({parser.ner_problem}); using the gazetteer-only mode",
              file=sys.stderr)
    return parser


def _active_corrections(args) -> list[Correction] | None:
    """The corrections `places` and `annotate` apply (none with --no-corrections); None when the
    store cannot be read (the message says so)."""
    if args.no_corrections:
        return []
    path = default_data_dir() / DB_NAME
    try:
        corrections = _store().active() if path.exists() else []
    except CorrectionError as exc:
        print(f"cannot read your corrections: {exc}\n(--no-corrections shows the engine's results alone)",
              file=sys.stderr)
        return None
    if corrections:
        print(f"note: applying your {len(corrections)} correction{'s' if len(corrections) > 1 else ''} "
              f"(--no-corrections shows the engine's results alone)", file=sys.stderr)
    return corrections


def _active_event_corrections(args) -> list[EventCorrection] | None:
    """The event corrections `places` and `annotate` apply (see `_active_corrections`)."""
    if args.no_corrections:
        return []
    path = default_data_dir() / DB_NAME
    try:
        return _store().event_corrections() if path.exists() else []
    except CorrectionError as exc:
        print(f"cannot read your corrections: {exc}\n(--no-corrections shows the engine's results alone)",
              file=sys.stderr)
        return None


def cmd_places(args) -> int:
    articles, failed = [], 0
    for path in args.files:
        try:
            article = read_article(path)
        except ArticleError as exc:
            print(f"skipped {path}: {exc}", file=sys.stderr)
            failed += 1
            continue
        except OSError as exc:
            print(f"skipped {path}: cannot read it ({exc.strerror or exc})", file=sys.stderr)
            failed += 1
            continue
        for warning in article.warnings:
            print(f"note: {path}: {warning}", file=sys.stderr)
        articles.append(article)
    if not articles:
        print("no readable articles", file=sys.stderr)
        return 1 if failed else 0
    corrections = _active_corrections(args)
    event_corrections = _active_event_corrections(args) if corrections is not None else None
    if corrections is None or event_corrections is None:
        return 2
    parser = _parser(args)
    places = places_for(articles, parser, corrections, event_corrections=event_corrections)
    for article in articles:       # past the caps on names and mentions (geo.engine.budget): said
        left_out = parser.reading(article.text).note()
        if left_out:
            print(f"note: {article.source}: {left_out}", file=sys.stderr)
    writer = {"table": places_table, "json": places_json, "geojson": places_geojson,
              "csv": places_csv}[args.format]
    sys.stdout.write(writer(places))
    if args.format == "table" and not places:
        print("no places found", file=sys.stderr)
    return 0


def annotate_record(parser: Geoparser, record: dict, corrections: Sequence[Correction] = (), *,
                    events: bool = True, event_corrections: Sequence[EventCorrection] = ()) -> dict:
    """A record's toponyms and (unless `events` is False) its events, the main one first. A corrected
    toponym also says `placed_by` and `correction` (and the `attribution` of an online result); the
    others keep the format eval/score.py reads. Relative dates are resolved against the record's
    "date" (ISO), else the date the text's first lines give (geo.files.articles.story_date)."""
    text = record.get("text") or ""
    resolved, reading = parser.parse_bounded(text)
    # the id the same text has as an article (the dashboard's, `places`'): newlines normalised
    the_id = article_id(text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")) \
        if (corrections or event_corrections) and text.strip() else ""
    if corrections and the_id:
        resolved = apply_corrections(the_id, resolved, corrections)
    toponyms = []
    for r in resolved:
        m, place = r.mention, r.place
        toponym = {
            "start": m.start, "end": m.end, "name": m.name,
            "lat": None if r.lat is None else round(r.lat, 5),
            "lon": None if r.lon is None else round(r.lon, 5),
            "geonameid": str(place.geonameid) if place and place.geonameid and r.precision == "exact" else None,
            "kind": place.kind if place else None,
            "precision": r.precision,
        }
        if r.correction is not None:
            toponym.update(placed_by=r.placed_by, correction=r.correction)
            if placed_online(r.placed_by):
                toponym["attribution"] = OSM_ATTRIBUTION
        toponyms.append(toponym)
    out = {"id": record.get("id"), "toponyms": toponyms}
    if events:
        found = parser.events.find(text, resolved, _record_date(record, text))
        out["events"] = [e.record() for e in apply_event_corrections(the_id, found, event_corrections)]
    if not reading.whole:      # past the caps on names and mentions (geo.engine.budget): what was left out
        out["left_out"] = reading.note()
    return out


def _record_date(record: dict, text: str) -> str:
    """The record's own "date" when it is an ISO date, else the text's story date, else ""."""
    given = record.get("date")
    if isinstance(given, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[T ].*)?", given.strip()):
        return given.strip()[:10]
    return story_date(text)


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")     # a byte that was not UTF-8 (errors="surrogateescape")


def cmd_annotate(args) -> int:
    """One output line per readable record; a bad record is reported by its line number and skipped,
    and the records after it are still annotated (the exit code then says something was skipped)."""
    # Bytes that are not UTF-8 cost their own characters (U+FFFD, with a note), not the rest of the file.
    if args.input == "-":
        source = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="surrogateescape") \
            if hasattr(sys.stdin, "buffer") else sys.stdin
    else:
        try:
            source = open(args.input, encoding="utf-8", errors="surrogateescape")  # noqa: SIM115 (closed below)
        except OSError as exc:
            print(f"cannot read {args.input}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    corrections = _active_corrections(args)
    event_corrections = _active_event_corrections(args) if corrections is not None else None
    if corrections is None or event_corrections is None:
        return 2
    parser = _parser(args)
    bad = 0
    with source:
        for line_no, line in enumerate(source, start=1):
            if not line.strip():
                continue
            if _ESCAPED_BYTE.search(line):
                count = len(_ESCAPED_BYTE.findall(line))
                print(f"line {line_no}: {count} byte{'s' if count > 1 else ''} not UTF-8, read as \u201c\ufffd\u201d",
                      file=sys.stderr)
                line = _ESCAPED_BYTE.sub("\ufffd", line)
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("not an object")
                if "text" not in record:
                    raise ValueError('no "text"')
                if not isinstance(record["text"], str):
                    raise ValueError('"text" is not a string')
            except (ValueError, RecursionError) as exc:     # RecursionError: JSON nested too deep
                reason = "nested too deep" if isinstance(exc, RecursionError) else exc
                print(f"line {line_no}: skipped, not a JSON object with a text ({reason})", file=sys.stderr)
                bad += 1
                continue
            try:
                out = json.dumps(annotate_record(parser, record, corrections, events=not args.no_events,
                                                 event_corrections=event_corrections),
                                 ensure_ascii=False)
            except Exception as exc:  # noqa: BLE001 (one record's failure must not cost the others)
                print(f"line {line_no}: skipped, could not be annotated ({type(exc).__name__}: {exc})",
                      file=sys.stderr)
                bad += 1
                continue
            print(out)
    return 1 if bad else 0


# -- gazetteer -------------------------------------------------------------------------------------

def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


class _StatusLine:
    """A line of progress on stderr, rewritten in place; `end()` finishes it if anything was shown."""

    def __init__(self, stream=sys.stderr) -> None:
        self.stream = stream
        self.shown = False

    def show(self, text: str) -> None:
        print(f"\r{text:<60}", end="", file=self.stream, flush=True)
        self.shown = True

    def end(self) -> None:
        if self.shown:
            print(file=self.stream)
            self.shown = False


def _rebuild(args, registry: SourceRegistry) -> int:
    """Rebuild the index once (with progress) and say what the user's sources gave it."""
    if args.no_rebuild:
        print("index not rebuilt (--no-rebuild): the next command or dashboard start rebuilds it",
              file=sys.stderr)
        return 0
    index, seconds = build_with_timing(default_cache_dir(), _progress_printer())
    _say_if_rebuilt(index)
    for info in registry.sources():
        stats = index.user_sources.get(info.name, {})
        if stats.get("error"):
            print(f"{info.name}: NOT USED: {stats['error']}", file=sys.stderr)
            continue
        notes = [f"{stats.get('merged', 0):,} already in the index took its names"] if stats.get("merged") else []
        if stats.get("unnamed"):
            notes.append(f"{stats['unnamed']:,} features left out (every name of theirs is a town's or region's)")
        detail = f" ({'; '.join(notes)})" if notes else ""
        print(f"{info.name}: {stats.get('rows', 0):,} places in the index{detail}")
    print(f"the index now holds {len(index):,} places (ready in {seconds:.1f} s)")
    return 0


def _added(info: SourceInfo) -> str:
    skipped = f"; {info.skipped:,} lines of other features left out" if info.skipped else ""
    return f"added {info.name}: {info.rows:,} places from {info.origin}{skipped}"


def cmd_gazetteer_add_geonames(args) -> int:
    registry = SourceRegistry()
    failed = added = 0
    for spec in args.sources:
        status = _StatusLine()

        def downloading(received: int, total: int | None, status=status) -> None:
            status.show(f"downloading: {_size(received)}" + (f" of {_size(total)}" if total else ""))

        try:
            info = import_geonames(spec, registry, base_url=args.base_url, download_progress=downloading,
                                   read_progress=lambda n, status=status: status.show(f"reading: {n:,} lines"))
        except GazetteerSourceError as exc:
            status.end()
            print(f"not added: {exc}", file=sys.stderr)
            failed += 1
            continue
        status.end()
        print(_added(info))
        added += 1
    if added:
        _rebuild(args, registry)
    return 1 if failed else 0


def cmd_gazetteer_add_csv(args) -> int:
    registry = SourceRegistry()
    try:
        info, parsed = import_csv(args.file, registry, name=args.name)
    except GazetteerSourceError as exc:
        print(f"not added: {exc}", file=sys.stderr)
        return 1
    if parsed.ignored_columns:
        print(f"note: columns ignored: {', '.join(parsed.ignored_columns)}", file=sys.stderr)
    print(_added(info))
    return _rebuild(args, registry)


def cmd_gazetteer_remove(args) -> int:
    registry = SourceRegistry()
    try:
        info = registry.remove(args.name)
    except GazetteerSourceError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"removed {args.name}" + (f" ({info.rows:,} places from {info.origin})" if info else ""))
    return _rebuild(args, registry)


def cmd_gazetteer_list(args) -> int:
    registry = SourceRegistry()
    index = PlaceIndex.load() if PlaceIndex.cached() else None   # counts only when it loads fast
    if index is not None:
        _say_if_rebuilt(index)
    rows = active_gazetteers(index)
    print("built in:")
    for g in rows:
        if g.type in ("package", "curated"):
            count = f"{g.rows:>9,} places" if g.rows is not None else " " * 16
            print(f"  {g.name:<22} {count}  {g.description}; credit: {g.credit}")
    added = [g for g in rows if g.type not in ("package", "curated")]
    print(f"added (in {registry.directory}):")
    for g in added:
        print(f"  {g.name:<22} {g.rows:>9,} places  {g.type}, imported {g.imported}; {g.description}; "
              f"credit: {g.credit}")
    if not added:
        print("  none: add some with `python -m geo gazetteer add-geonames CC` or `add-csv FILE`")
    for problem in registry.problems():
        print(f"  {problem}")
    if index is None:
        print("(the index of these sources is not built yet: place counts come with the next build)")
    return 0


# -- corrections -----------------------------------------------------------------------------------

def _store() -> CorrectionStore:
    """The data folder's corrections; what opening found (a damaged file restored) is said on stderr."""
    store = CorrectionStore()
    for problem in store.problems:
        print(f"note: {terminal_safe(problem)}", file=sys.stderr)
    return store


def terminal_safe(text: str) -> str:
    """`text` with control and format characters (escape sequences, bidi overrides, lone
    surrogates) written as Python escapes (`\\x1b`, `\\u202e`), so that a note cannot drive the
    terminal it is printed on."""
    return "".join(ch.encode("unicode_escape", "backslashreplace").decode("ascii")
                   if unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in ("Zl", "Zp") else ch
                   for ch in text)


def cmd_corrections_list(args) -> int:
    store = _store()
    corrections = store.list(include_undone=not args.active)
    for c in corrections:
        print(terminal_safe(c.describe()))
    for cid, why in store.damaged.items():
        print(f"#{cid} DAMAGED: {why} (not applied; `corrections check --repair` sets it aside)")
    try:
        events = store.event_corrections(include_undone=not args.active)
    except CorrectionError as exc:
        print(f"event corrections: {exc}", file=sys.stderr)
        events = []
    for e in events:
        print(terminal_safe(e.describe()))
    if not corrections and not events:
        print(f"no corrections in {store.path}", file=sys.stderr)
    return 0


def cmd_corrections_export(args) -> int:
    store = _store()
    if args.file == "-":
        for line in store.export_lines(include_undone=not args.active):
            print(line)
        return 0
    count = store.export(args.file, include_undone=not args.active)
    print(f"exported {count} correction{'s' if count != 1 else ''} to {args.file}")
    return 0


def cmd_corrections_import(args) -> int:
    try:
        report = _store().import_file(args.file)
    except CorrectionImportError as exc:
        print(f"nothing imported from {args.file}:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {terminal_safe(problem)}", file=sys.stderr)
        return 1
    parts = [f"imported {report.added} correction{'s' if report.added != 1 else ''}"]
    if report.skipped:
        parts.append(f"skipped {report.skipped} already stored")
    if report.undone:
        parts.append(f"undid {report.undone} the file says were undone")
    print("; ".join(parts))
    return 0


def cmd_corrections_check(args) -> int:
    store = _store()
    store.list()
    if not store.damaged:
        print(f"{store.path}: sound ({len(store.list())} corrections; last good copy {store.path.name}.bak)")
        return 0
    for cid, why in store.damaged.items():
        print(f"#{cid} DAMAGED: {why}")
    if not args.repair:
        print(f"{len(store.damaged)} damaged; `corrections check --repair` keeps a copy of the file and sets them "
              f"aside", file=sys.stderr)
        return 1
    ids, copy = store.repair()
    print(f"set aside {len(ids)} damaged correction{'s' if len(ids) != 1 else ''} "
          f"({', '.join(f'#{i}' for i in ids)}); the file as it was is kept in {copy}")
    return 0


def cmd_corrections_undo(args) -> int:
    undone = _store().undo(args.id)
    print(f"undone: {terminal_safe(undone.describe())}")
    return 0


_ARTICLE_ID = re.compile(r"[0-9a-f]{12}")
_CONTAINER_KEY = re.compile(r"(admin1|country|gn|place):.+")


def _article_scope(value: str) -> Scope:
    """An article id, or a file whose article id it is."""
    if _ARTICLE_ID.fullmatch(value):
        return Scope.article(value)
    try:
        return Scope.article(read_article(value).id)
    except (ArticleError, OSError) as exc:
        raise CorrectionError(f"--article {value!r} is neither an article id (12 hex digits) nor a readable "
                              f"article file ({exc})") from None


def _gazetteer_entry(index: PlaceIndex, what: str, *, kinds=None):
    """A gazetteer entry by GeoNames id ("709716") or by name ("Donetsk oblast", "Paris, Texas")."""
    from geo.gazetteer.geocoder import OfflineGazetteer

    if what.strip().isdigit():
        row = index.row_of_geonameid(int(what))
        if row is None:
            raise CorrectionError(f"no gazetteer entry has the GeoNames id {what}")
        return index.entry(row)
    found = OfflineGazetteer(index).geocode(what, kinds=kinds)
    if found is None:
        raise CorrectionError(f"the gazetteer has no place called {what!r}")
    return index.entry(found.raw["row"])


def _container_scope(value: str, index: PlaceIndex) -> Scope:
    """A container key ("admin1:UA.05", "country:UA", "gn:709716") or a name ("Donetsk oblast")."""
    if _CONTAINER_KEY.fullmatch(value):
        kind, _, code = value.partition(":")
        row = (index.admin1_row(code) if kind == "admin1" else index.country_row(code) if kind == "country"
               else index.row_of_geonameid(int(code)) if kind == "gn" and code.isdigit() else None)
        if row is None:
            return Scope.container(value)
        entry = index.entry(row)
        return Scope.container(container_key(entry), entry.name)
    entry = _gazetteer_entry(index, value, kinds=("country", "admin1", "admin2", "region", "city", "area"))
    return Scope.container(container_key(entry), entry.name)


def _point(value: str) -> tuple[float, float]:
    try:
        lat, lon = (float(x) for x in value.split(","))
    except ValueError:
        raise CorrectionError(f"--point {value!r} is not LAT,LON (e.g. 47.81,37.62)") from None
    return lat, lon


def cmd_corrections_add(args) -> int:
    index = None
    if args.container or args.choose:
        index = PlaceIndex.load(progress=_progress_printer())
    scope = _article_scope(args.article) if args.article else _container_scope(args.container, index)
    target = None
    if args.choose:
        action = "choose"
        target = Target.of_entry(_gazetteer_entry(index, args.choose), precision=args.precision)
    elif args.point:
        from geo.review import country_at  # the review's imports (geopy) only where needed

        action = "point"
        lat, lon = _point(args.point)
        target = Target(lat=lat, lon=lon, name=args.label or "", kind=args.kind or "", precision=args.precision,
                        country=country_at(index or PlaceIndex.load(progress=_progress_printer()), lat, lon))
    else:
        action = "not_a_place"
    correction = _store().add(args.name, scope, action, target, note=args.note or "")
    print(f"added {terminal_safe(correction.describe())}")
    return 0


EXAMPLES = """examples:
  python -m geo places seeds/*.txt                            # a table of the places, with their precision
  python -m geo places seeds/*.txt --format geojson > places.geojson
  python -m geo annotate corpus.jsonl > predictions.jsonl     # {"id","text"} lines -> {"id","toponyms","events"}
  python -m geo annotate corpus.jsonl --fast --no-events      # gazetteer-only, toponyms only
  python -m geo annotate notes.jsonl --country ML,BF          # a batch about Mali and Burkina Faso
  python -m geo gazetteer add-geonames UA                     # add a GeoNames country extract
  python -m geo corrections list                              # your corrections to the places
  python -m geo corpus run reports.jsonl reports.store        # many articles into a store

`python -m geo COMMAND --help` describes a command."""
PLACES_EXAMPLES = """examples:
  python -m geo places seeds/*.txt
  python -m geo places seeds/*.txt --format csv > places.csv
  python -m geo places story.html --country UA --no-corrections"""
ANNOTATE_EXAMPLES = """examples:
  python -m geo annotate corpus.jsonl > predictions.jsonl
  cat corpus.jsonl | python -m geo annotate - --fast > predictions.jsonl

Each input line is a JSON object with "text" (and optionally "id" and an ISO "date"). A line that is not
such an object (no "text", not JSON) is reported on stderr by its line number and skipped; the exit
code is then 1."""
FORMAT_HELP = ("table: a readable table, one row per place (default); json: every place with its "
               "precision, container, who placed it and its mentions (unplaced names too); geojson: the "
               "placed places as points; csv: one row per mention, with its passage")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m geo", description="Offline geoparser for news articles.",
                                 epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    engine = argparse.ArgumentParser(add_help=False)       # how the engine reads (also `corpus run`)
    engine.add_argument("--fast", action="store_true", help="gazetteer-only recognition (no NER)")
    engine.add_argument("--demonyms", action="store_true",
                        help="also count demonyms ('Ukrainian') as mentions of their country")
    engine.add_argument("--country", type=_countries, metavar="CC[,CC]",
                        help="the countries the texts are about (ML or ML,BF): a small namesake elsewhere "
                             "needs its own evidence, else it stays unplaced")
    reading = argparse.ArgumentParser(add_help=False)      # how results are read (also `corpus stats` ...)
    reading.add_argument("--no-corrections", action="store_true",
                         help="leave out your corrections (see `corrections`): the engine's results alone")
    common = argparse.ArgumentParser(add_help=False, parents=[engine, reading])
    p = sub.add_parser("places", parents=[common], help="the places of the given articles",
                       epilog=PLACES_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", help=".txt, .md or .html files")
    p.add_argument("--format", choices=("table", "json", "geojson", "csv"), default="table", help=FORMAT_HELP)
    p.set_defaults(func=cmd_places)
    a = sub.add_parser("annotate", parents=[common], help="JSONL {id, text[, date]} -> JSONL {id, toponyms, events}",
                       epilog=ANNOTATE_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("input", help="input JSONL file, or - for standard input")
    a.add_argument("--no-events", action="store_true", help="toponyms only (no events)")
    a.set_defaults(func=cmd_annotate)
    g = sub.add_parser("gazetteer", help="list, add or remove gazetteers (GeoNames extracts, your own places)")
    gsub = g.add_subparsers(dest="action", required=True)
    rebuild = argparse.ArgumentParser(add_help=False)
    rebuild.add_argument("--no-rebuild", action="store_true",
                         help="do not rebuild the index now (the next use rebuilds it)")
    ga = gsub.add_parser("add-geonames", parents=[rebuild], help="import GeoNames country extracts",
                         description="Import GeoNames country extracts: a country code (UA) downloads "
                                     "UA.zip from the GeoNames export server; a file (UA.zip, UA.txt) is read.")
    ga.add_argument("sources", nargs="+", metavar="CC|FILE", help="a two-letter country code or an extract file")
    ga.add_argument("--base-url", help="where the extracts are (default: $CONFLICTMAP_GEONAMES_URL or "
                                       "https://download.geonames.org/export/dump)")
    ga.set_defaults(func=cmd_gazetteer_add_geonames)
    gc = gsub.add_parser("add-csv", parents=[rebuild], help="add your own places from a CSV file",
                         description="Columns: name,lat,lon,kind,country and optionally admin1, alternate_names "
                                     "(separated by |). A bad row imports nothing.")
    gc.add_argument("file", help="UTF-8 CSV file with a header row")
    gc.add_argument("--name", help="the source's name (default: the file's name)")
    gc.set_defaults(func=cmd_gazetteer_add_csv)
    gl = gsub.add_parser("list", help="the gazetteers the index is built from")
    gl.set_defaults(func=cmd_gazetteer_list)
    gr = gsub.add_parser("remove", parents=[rebuild], help="remove an added gazetteer")
    gr.add_argument("name", help="as `list` shows it (geonames-UA, frontline, ...)")
    gr.set_defaults(func=cmd_gazetteer_remove)
    c = sub.add_parser("corrections", help="your corrections to the places: list, add, undo, export, import",
                       description=f"Corrections live in {default_data_dir() / DB_NAME} ($CONFLICTMAP_DATA); "
                                   "`places` and `annotate` apply them.")
    csub = c.add_subparsers(dest="action", required=True)
    cl = csub.add_parser("list", help="every correction, oldest first (undone ones marked)")
    cl.add_argument("--active", action="store_true", help="only those that apply (not undone)")
    cl.set_defaults(func=cmd_corrections_list)
    ce = csub.add_parser("export", help="write the corrections to a file (JSON lines) to share them")
    ce.add_argument("file", help="the file to write, or - for standard output")
    ce.add_argument("--active", action="store_true", help="leave out the undone ones")
    ce.set_defaults(func=cmd_corrections_export)
    ci = csub.add_parser("import", help="read corrections exported elsewhere (a bad line imports nothing)")
    ci.add_argument("file")
    ci.set_defaults(func=cmd_corrections_import)
    ck = csub.add_parser("check", help="check the corrections file; --repair sets damaged corrections aside")
    ck.add_argument("--repair", action="store_true",
                    help="keep a copy of the file, then remove the damaged corrections from it")
    ck.set_defaults(func=cmd_corrections_check)
    cu = csub.add_parser("undo", help="undo a correction: the engine's own choice applies again")
    cu.add_argument("id", type=int, help="as `list` shows it (#3 -> 3)")
    cu.set_defaults(func=cmd_corrections_undo)
    ca = csub.add_parser("add", help="add a correction (for scripts; the dashboard has a review panel)")
    where = ca.add_mutually_exclusive_group(required=True)
    where.add_argument("--article", metavar="ID|FILE", help="in this article only (its id, or its file)")
    where.add_argument("--container", metavar="KEY|NAME",
                       help="in every article naming it inside this container: a key (admin1:UA.05, "
                            "country:UA, gn:709716) or a name (\"Donetsk oblast\")")
    ca.add_argument("--name", required=True, help="the name as the text writes it (\"Stepne\")")
    what = ca.add_mutually_exclusive_group(required=True)
    what.add_argument("--choose", metavar="GEONAMEID|NAME", help="this gazetteer entry")
    what.add_argument("--point", metavar="LAT,LON", help="this point")
    what.add_argument("--not-a-place", action="store_true", help="the name is not a place here")
    ca.add_argument("--label", help="with --point: the place's name")
    ca.add_argument("--kind", choices=KINDS, help="with --point: the place's kind (default: the engine's, or city)")
    ca.add_argument("--precision", choices=("exact", "town", "admin2", "admin1", "country"), default="exact",
                    help="how precisely the point stands for the place (default exact)")
    ca.add_argument("--note", help="why (kept with the correction)")
    ca.set_defaults(func=cmd_corrections_add)
    add_corpus_commands(sub, engine, reading)
    args = ap.parse_args(argv)
    try:
        return args.func(args)
    except CorrectionError as exc:
        print(exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
