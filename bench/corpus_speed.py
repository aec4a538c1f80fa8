"""Throughput of `python -m geo corpus run` with 1 and 2 local workers (and through `--scheduler` to a
LocalCluster this script starts), on the same texts, and whether they store the same rows.

    $ python bench/corpus_speed.py                       # the first 200 LGL texts, NER mode
    $ python bench/corpus_speed.py --limit 100 --fast    # gazetteer-only mode
    $ python bench/corpus_speed.py --input my.jsonl --json

The texts are read at run time from ../shared/eval/lgl.jsonl (never copied into the project) and written
to a temporary JSONL file with only `id` and `text`. Each configuration parses them into a fresh store in
a temporary folder. `parse` articles/s counts from the first batch sent to the last part written (the
cluster's start and the parsers' loading are `start`); `wall` includes everything. Peak memory is each
worker's VmHWM. `cpu share` is the CPU time the workers spent while parsing over (parse time x workers):
1.0 when each worker had a core to itself, less when other jobs took the cores; `a/cpu-s` is articles per
CPU second of the workers, which stays the same with more workers if nothing is lost to coordination.
Prints numbers only; nothing is asserted. The figures depend on what else the machine runs: say how
loaded it was (`uptime`) when you quote them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))  # run as a script from a checkout, without installing geo

from distributed import LocalCluster  # noqa: E402

from geo.store.corpus.query import connect  # noqa: E402
from geo.store.corpus.run import RunOptions, run_corpus  # noqa: E402

DEFAULT_INPUT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "lgl.jsonl"
COMPARED = ("SELECT * FROM mentions ORDER BY article_id, start", "SELECT * FROM places ORDER BY key")


def _texts(source: Path, limit: int, out: Path) -> int:
    count = 0
    with open(source, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as w:
        for line in f:
            record = json.loads(line)
            if not record.get("text"):
                continue
            w.write(json.dumps({"id": str(record.get("id", count)), "text": record["text"]}) + "\n")
            count += 1
            if count >= limit:
                break
    return count


def _measure(name: str, source: Path, store: Path, options: RunOptions) -> dict:
    started = time.monotonic()
    report = run_corpus(source, store, options, say=lambda line: None)
    wall = time.monotonic() - started
    return {"config": name, "workers": report.workers, "articles": report.parsed,
            "start_s": round(report.start_seconds, 1), "parse_s": round(report.parse_seconds, 1),
            "wall_s": round(wall, 1), "parse_articles_per_s": round(report.rate, 2),
            "wall_articles_per_s": round(report.parsed / wall, 2) if wall else 0.0,
            "worker_peak_mb": sorted(report.worker_peak_mb.values()), "problems": len(report.problems),
            "worker_cpu_s": round(report.worker_cpu_seconds, 1),
            # how much of a core each worker got while parsing: 1.0 on an idle machine, less when others load it
            "cpu_share": round(report.worker_cpu_seconds / (report.parse_seconds * report.workers), 2)
            if report.parse_seconds and report.workers else None,
            "articles_per_cpu_s": round(report.parsed / report.worker_cpu_seconds, 2) if report.worker_cpu_seconds
            else None}


def _rows(store: Path) -> list:
    con = connect(store)
    return [con.execute(sql).fetchall() for sql in COMPARED]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--input", type=Path, default=DEFAULT_INPUT, help="a JSONL file with id and text")
    ap.add_argument("--limit", type=int, default=200, help="texts to use (default 200)")
    ap.add_argument("--fast", action="store_true", help="gazetteer-only mode")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--no-scheduler", action="store_true", help="skip the run through --scheduler")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not args.input.exists():
        print(f"skipped: {args.input} is missing")
        return 0
    with tempfile.TemporaryDirectory(prefix="corpus-speed-") as tmp:
        source = Path(tmp) / "texts.jsonl"
        n = _texts(args.input, args.limit, source)
        results, stores = [], {}
        for workers in (1, 2):
            name = f"{workers} worker{'s' if workers > 1 else ''}"
            stores[name] = Path(tmp) / f"w{workers}.store"
            options = RunOptions(workers=workers, fast=args.fast, batch_size=args.batch_size, progress=False)
            results.append(_measure(name, source, stores[name], options))
        if not args.no_scheduler:
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                              silence_logs=logging.ERROR) as cluster:
                stores["--scheduler (2 workers)"] = Path(tmp) / "sched.store"
                options = RunOptions(scheduler=cluster.scheduler_address, fast=args.fast, batch_size=args.batch_size,
                                     progress=False)
                results.append(_measure("--scheduler (2 workers)", source, stores["--scheduler (2 workers)"], options))
        reference = _rows(stores["1 worker"])
        identical = {name: _rows(store) == reference for name, store in stores.items()}
    one, two = results[0]["parse_articles_per_s"], results[1]["parse_articles_per_s"]
    summary = {"texts": n, "mode": "fast" if args.fast else "default", "cores": len(os.sched_getaffinity(0)),
               "load_average": [round(x, 2) for x in os.getloadavg()], "results": results,
               "ratio_2_over_1_parse": round(two / one, 2) if one else None,
               "ratio_2_over_1_wall": round(results[1]["wall_articles_per_s"] / results[0]["wall_articles_per_s"], 2)
               if results[0]["wall_articles_per_s"] else None,
               "identical_rows_as_1_worker": identical}
    if args.json:
        print(json.dumps(summary, indent=1))
        return 0
    print(f"{n} texts from {args.input.name}, {summary['mode']} mode, {summary['cores']} cores, "
          f"load average at the end {summary['load_average']}")
    print(f"{'config':<26}{'articles':>9}{'start s':>9}{'parse s':>9}{'wall s':>8}{'parse a/s':>11}{'wall a/s':>10}"
          f"{'cpu share':>11}{'a/cpu-s':>9}  worker peak MB")
    for r in results:
        print(f"{r['config']:<26}{r['articles']:>9}{r['start_s']:>9}{r['parse_s']:>9}{r['wall_s']:>8}"
              f"{r['parse_articles_per_s']:>11}{r['wall_articles_per_s']:>10}{r['cpu_share']!s:>11}"
              f"{r['articles_per_cpu_s']!s:>9}  {r['worker_peak_mb']}")
    print(f"2 workers / 1 worker: {summary['ratio_2_over_1_parse']}x (parse), {summary['ratio_2_over_1_wall']}x (wall)")
    print("same mentions and places as 1 worker: " + ", ".join(f"{k}: {v}" for k, v in identical.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
