"""Events and dates on the shared events dev set: their scores, and what they add to annotation time.

    $ python bench/events.py                       # default mode (NER), conflict_events_dev.jsonl
    $ python bench/events.py --modes default,fast  # both modes
    $ python bench/events.py --limit 500 --json

For each mode it creates one parser, annotates every text twice in alternation, text by text, once
with events and once without (`geo.cli.annotate_record(..., events=...)`, as `python -m geo annotate`
and `--no-events` do), and sums the process CPU time of each (CPU time, not wall time: other load on a
shared machine moves wall time by tens of percent). The overhead is with/without - 1. The predictions
with events are scored by `python <eval-dir>/score_events.py GOLD PRED --json`. Index and NER loading
are not counted. The corpus is used for measuring only: nothing from it goes into the project.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))  # run as a script from a checkout, without installing geo

from geo.cli import annotate_record  # noqa: E402
from geo.engine.pipeline import Geoparser  # noqa: E402

DEFAULT_EVAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval"


def measure(parser: Geoparser, records: list[dict], pred: Path) -> dict:
    """Annotate each record with and without events, alternating; write the predictions with events."""
    with_events = without = 0.0
    annotate_record(parser, records[0])        # warm-up: lazy loads are not the engine's cost
    with pred.open("w", encoding="utf-8") as f:
        for r in records:
            record = {"id": r["id"], "text": r["text"]}
            start = time.process_time()
            annotate_record(parser, record, events=False)
            middle = time.process_time()
            out = annotate_record(parser, record)
            with_events += time.process_time() - middle
            without += middle - start
            f.write(json.dumps(out, ensure_ascii=False) + "\n")
    return {"cpu_s_without_events": round(without, 2), "cpu_s_with_events": round(with_events, 2),
            "overhead": round(with_events / without - 1, 3) if without else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    ap.add_argument("--corpus", default="conflict_events_dev")
    ap.add_argument("--modes", default="default", help="default, fast or both (comma-separated)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N texts")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    gold = args.eval_dir / f"{args.corpus}.jsonl"
    scorer = args.eval_dir / "score_events.py"
    if not gold.exists() or not scorer.exists():
        print(f"skipped: {gold} or {scorer} is missing")
        return 0
    with gold.open(encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    if args.limit:
        records = records[:args.limit]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.limit:          # score against the texts annotated, not the whole set
            gold = Path(tmp) / "gold.jsonl"
            gold.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        for mode in args.modes.split(","):
            parser = Geoparser.create(fast=mode == "fast")
            pred = Path(tmp) / f"{mode}.jsonl"
            timing = measure(parser, records, pred)
            done = subprocess.run([sys.executable, str(scorer), str(gold), str(pred), "--json"],
                                  capture_output=True, text=True, check=True)
            results.append({"mode": mode, "engine": parser.mode, "texts": len(records), **json.loads(done.stdout),
                            **timing})
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        for r in results:
            print("  ".join(f"{k}={v}" for k, v in r.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
