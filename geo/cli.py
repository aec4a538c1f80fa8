"""The command line: `python -m geo places FILE...` and `python -m geo annotate IN.jsonl`.

    $ python -m geo places seeds/*.txt
    $ python -m geo places seeds/*.txt --format geojson > places.geojson
    $ python -m geo annotate corpus.jsonl > predictions.jsonl      # the format eval/score.py reads
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

from geo.articles import ArticleError, read_article
from geo.export import places_csv, places_geojson, places_json, places_table
from geo.pipeline import Geoparser
from geo.places import places_for


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


def _parser(args) -> Geoparser:
    parser = Geoparser.create(fast=args.fast, demonyms=args.demonyms, progress=_progress_printer())
    if not args.fast and parser.ner is None:
        print(f"note: NER unavailable ({parser.ner_problem}); using the gazetteer-only mode",
              file=sys.stderr)
    return parser


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
    parser = _parser(args)
    places = places_for(articles, parser)
    writer = {"table": places_table, "json": places_json, "geojson": places_geojson,
              "csv": places_csv}[args.format]
    sys.stdout.write(writer(places))
    if args.format == "table" and not places:
        print("no places found", file=sys.stderr)
    return 0


def annotate_record(parser: Geoparser, record: dict) -> dict:
    text = record.get("text") or ""
    toponyms = []
    for r in parser.parse(text):
        m, place = r.mention, r.place
        toponyms.append({
            "start": m.start, "end": m.end, "name": m.name,
            "lat": None if r.lat is None else round(r.lat, 5),
            "lon": None if r.lon is None else round(r.lon, 5),
            "geonameid": str(place.geonameid) if place and place.geonameid and r.precision == "exact" else None,
            "kind": place.kind if place else None,
            "precision": r.precision,
        })
    return {"id": record.get("id"), "toponyms": toponyms}


def cmd_annotate(args) -> int:
    if args.input == "-":
        source = sys.stdin
    else:
        try:
            source = open(args.input, encoding="utf-8", errors="strict")  # noqa: SIM115 (closed below)
        except OSError as exc:
            print(f"cannot read {args.input}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    parser = _parser(args)
    bad = 0
    with source:
        line_no = 0
        while True:
            try:
                line = source.readline()
            except UnicodeDecodeError as exc:
                print(f"{args.input}: not UTF-8 after line {line_no} ({exc.reason}); stopped",
                      file=sys.stderr)
                return 1
            if not line:
                break
            line_no += 1
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("not an object")
                if not isinstance(record.get("text", ""), str):
                    raise ValueError('"text" is not a string')
            except ValueError as exc:
                print(f"line {line_no}: skipped, not a JSON object with a text ({exc})", file=sys.stderr)
                bad += 1
                continue
            print(json.dumps(annotate_record(parser, record), ensure_ascii=False))
    return 1 if bad else 0


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m geo", description="Offline geoparser for news articles.")
    sub = ap.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--fast", action="store_true", help="gazetteer-only recognition (no NER)")
    common.add_argument("--demonyms", action="store_true",
                        help="also count demonyms ('Ukrainian') as mentions of their country")
    p = sub.add_parser("places", parents=[common], help="the places of the given articles")
    p.add_argument("files", nargs="+", help=".txt, .md or .html files")
    p.add_argument("--format", choices=("table", "json", "geojson", "csv"), default="table")
    p.set_defaults(func=cmd_places)
    a = sub.add_parser("annotate", parents=[common], help="JSONL {id, text} -> JSONL {id, toponyms}")
    a.add_argument("input", help="input JSONL file, or - for standard input")
    a.set_defaults(func=cmd_annotate)
    args = ap.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
