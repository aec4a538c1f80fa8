"""`python -m geo corpus run|stats|query|export`: the corpus store on the command line.

    $ python -m geo corpus run reports.jsonl reports.store --workers 2
    $ python -m geo corpus run articles/ reports.store --scheduler tcp://10.0.0.5:8786
    $ python -m geo corpus stats reports.store --json
    $ python -m geo corpus query reports.store "SELECT kind, count(*) FROM places GROUP BY 1" --csv
    $ python -m geo corpus export reports.store --format geojson --from 2022-04-01 --to 2022-04-30 > april.geojson

Dask, DuckDB and pyarrow are imported when a corpus command runs, so the other commands start as fast
as before.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys

CELL_CHARS = 60     # a table cell is cut to this many characters (the CSV keeps everything)


def add_corpus_commands(sub: argparse._SubParsersAction, engine: argparse.ArgumentParser,
                        reading: argparse.ArgumentParser) -> None:
    """Add `corpus` and its commands to the main parser's subcommands; `engine` and `reading` are the
    main parser's option groups (`--fast`, `--demonyms`, `--country`; `--no-corrections`), shared with
    `places` and `annotate`."""
    c = sub.add_parser("corpus", help="many articles into a store on disk (Dask, Parquet), queried with DuckDB",
                       description="Geoparse a folder of articles or a JSONL file into a store (a folder of "
                                   "Parquet tables), and query it.")
    csub = c.add_subparsers(dest="action", required=True)
    r = csub.add_parser("run", parents=[engine], help="parse what the store lacks (resumable)",
                        description="Parse the records the store lacks, on a local Dask cluster or an existing one. "
                                    "Run it again after a kill: it parses only what is missing.")
    r.add_argument("input", help='a folder of .txt/.md/.html articles, or a JSONL file ({"id", "text", "title"?, '
                                 '"date"?, "source"?, "url"?} a line)')
    r.add_argument("store", help="the store's folder (made if missing)")
    where = r.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, metavar="N", help="local worker processes (default: the cores)")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="an existing Dask cluster's scheduler")
    r.add_argument("--batch-size", type=int, default=8, metavar="N", help="articles per task (default 8)")
    r.add_argument("--part-size", type=int, default=250, metavar="N",
                   help="articles a part of the store holds at most (default 250; a part is also written every "
                        "minute, so a kill loses at most that much work)")
    r.add_argument("--reparse", action="store_true", help="parse again what another engine version parsed")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.set_defaults(func=cmd_run)
    s = csub.add_parser("stats", parents=[reading], help="what the store holds")
    s.add_argument("store")
    s.add_argument("--json", action="store_true", help="as JSON")
    s.set_defaults(func=cmd_stats)
    q = csub.add_parser("query", parents=[reading],
                        help="your own SQL over the views articles, mentions, places, events",
                        description="DuckDB SQL over the views articles, mentions, places, events and texts "
                                    "(corrections applied unless --no-corrections).")
    q.add_argument("store")
    q.add_argument("sql")
    q.add_argument("--csv", action="store_true", help="CSV instead of a table")
    q.set_defaults(func=cmd_query)
    e = csub.add_parser("export", parents=[reading], help="the places (with their events) as GeoJSON or the mentions "
                                                           "(with their events) as CSV")
    e.add_argument("store")
    e.add_argument("--format", choices=("geojson", "csv"), required=True)
    e.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="articles dated on or after this day")
    e.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="articles dated on or before this day")
    e.set_defaults(func=cmd_export)


def cmd_run(args) -> int:
    from geo.store.corpus.records import InputError
    from geo.store.corpus.run import RunError, RunOptions, StoreError, run_corpus

    options = RunOptions(workers=args.workers, scheduler=args.scheduler, batch_size=max(1, args.batch_size),
                         part_articles=max(1, args.part_size),
                         fast=args.fast, demonyms=args.demonyms, country=args.country or (), reparse=args.reparse,
                         progress=not args.no_progress)
    try:
        report = run_corpus(args.input, args.store, options)
    except (InputError, StoreError, RunError) as exc:
        print(exc, file=sys.stderr)
        return 2
    done = [f"{report.parsed:,} parsed" + (f" in {report.parse_seconds:.1f} s ({report.rate:.1f} articles/s on "
                                           f"{report.workers} worker{'s' if report.workers != 1 else ''})"
                                           if report.parsed else "")]
    for count, what in ((report.already, "already stored"), (report.changed, "changed since stored, parsed again"),
                        (report.reparsed, "parsed again by this engine (--reparse)"),
                        (report.outdated, "kept from another engine version"), (len(report.problems), "skipped")):
        if count:
            done.append(f"{count:,} {what}")
    print(f"{args.store}: " + "; ".join(done), file=sys.stderr)
    return 1 if report.problems else 0


def _connect(args):
    """The store's DuckDB views with the user's corrections (none with --no-corrections); None, with a
    message, when the store or the corrections cannot be read."""
    from geo.store.corpus.parquet import StoreError
    from geo.store.corpus.query import connect
    from geo.store.corrections import CorrectionError, CorrectionStore

    try:
        corrections = [] if args.no_corrections else CorrectionStore.active_in()
        return connect(args.store, corrections)
    except (StoreError, CorrectionError) as exc:
        print(exc, file=sys.stderr)
        return None


def cmd_stats(args) -> int:
    from geo.store.corpus.query import store_stats

    con = _connect(args)
    if con is None:
        return 2
    stats = store_stats(con)
    if args.json:
        print(json.dumps(stats, indent=1))
        return 0
    for key, value in stats.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v:,}" for k, v in value.items()) or "-"
        elif isinstance(value, int):
            value = f"{value:,}"
        print(f"{key.replace('_', ' ')}: {value if value is not None else '-'}")
    return 0


def cmd_query(args) -> int:
    import duckdb

    con = _connect(args)
    if con is None:
        return 2
    try:
        cur = con.execute(args.sql)
    except duckdb.Error as exc:
        print(f"the query failed: {exc}", file=sys.stderr)
        return 1
    if cur.description is None:
        return 0
    columns = [d[0] for d in cur.description]
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        while rows := cur.fetchmany(2000):
            writer.writerows(rows)
        return 0
    print(text_table(columns, cur.fetchall()))
    return 0


def text_table(columns: list[str], rows: list[tuple]) -> str:
    """Rows as an aligned text table (cells cut to CELL_CHARS), with the row count under it."""
    def cell(v) -> str:
        text = "" if v is None else str(v).replace("\n", " ")
        return text if len(text) <= CELL_CHARS else text[:CELL_CHARS - 1] + "…"

    body = [[cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in body]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(row[i], int | float) or row[i] is None for row in rows) and rows
               for i in range(len(columns))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    for r in body:
        lines.append("  ".join(v.rjust(w) if numeric[i] else v.ljust(w)
                               for i, (v, w) in enumerate(zip(r, widths, strict=True))).rstrip())
    lines.append(f"({len(rows):,} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def cmd_export(args) -> int:
    from geo.store.corpus.export import DateRange, export_csv, export_geojson

    try:
        dates = DateRange.parse(args.date_from, args.date_to)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    con = _connect(args)
    if con is None:
        return 2
    count = (export_geojson if args.format == "geojson" else export_csv)(con, sys.stdout, dates.filter())
    print(f"{count:,} {'places' if args.format == 'geojson' else 'mentions'} exported", file=sys.stderr)
    return 0
