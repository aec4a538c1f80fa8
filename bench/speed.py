"""Time the gazetteer index (build, warm load), annotation throughput per mode, and peak memory.

    $ python bench/speed.py                 # build a fresh index in a temp dir, then everything else
    $ python bench/speed.py --skip-build    # reuse the default cache instead of building afresh
    $ python bench/speed.py --json          # machine-readable numbers

Prints numbers only; nothing is asserted. Throughput is one process on one core, after one warm-up parse,
over the seed articles repeated to ~200 KB and, when the evaluation corpora are beside the repo, the first
200 LGL texts. KB counts UTF-8 bytes of text (1 KB = 1,024 bytes). Load times and peak RSS come from fresh
subprocesses, so what this process already holds does not count.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))  # run as a script from a checkout, without installing geo

from geo.engine.pipeline import Geoparser  # noqa: E402
from geo.gazetteer import PlaceIndex, build_with_timing, default_cache_dir  # noqa: E402

DEFAULT_EVAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval"
SEED_FILES = sorted((REPO_ROOT / "seeds").glob("*.txt"))
SEED_TARGET_BYTES = 200 * 1024
LGL_ARTICLES = 200
MODES = ("default", "fast")

# Run in fresh interpreters; each prints one JSON object. Peak RSS is VmHWM, in KB: on Linux ru_maxrss
# carries the parent's peak across fork + exec, so a child of this (large) process would report ours.
PEAK_RSS_KB = """
import resource
def peak_rss_kb():
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""
LOAD_SCRIPT = PEAK_RSS_KB + """
import json, sys, time
from pathlib import Path
from geo.gazetteer import PlaceIndex
cache_dir = Path(sys.argv[1])
cached = PlaceIndex.cached(cache_dir)
start = time.perf_counter()
PlaceIndex.load(cache_dir)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "cached": cached, "rss_kb": peak_rss_kb()}))
"""
PARSE_SCRIPT = PEAK_RSS_KB + """
import json, sys
from pathlib import Path
from geo.gazetteer import PlaceIndex
from geo.engine.pipeline import Geoparser
cached = PlaceIndex.cached()
parser = Geoparser.create(fast=sys.argv[1] == "fast")
mentions = sum(len(parser.parse(Path(p).read_text(encoding="utf-8"))) for p in sys.argv[2:])
print(json.dumps({"parser_mode": parser.mode, "mentions": mentions, "cached": cached,
                  "rss_kb": peak_rss_kb()}))
"""


def run_python(script: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT),
                                                                   os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          check=True, cwd=REPO_ROOT, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def warm_loads(cache_dir: Path, runs: int = 3) -> dict:
    loads = [run_python(LOAD_SCRIPT, str(cache_dir)) for _ in range(runs)]
    if not all(load["cached"] for load in loads):  # e.g. geo/gazetteer.py changed meanwhile
        print("warning: a load subprocess found no cached index and rebuilt it", file=sys.stderr)
    return {"runs": runs, "seconds": statistics.median(x["seconds"] for x in loads),
            "rss_mb": max(x["rss_kb"] for x in loads) / 1024}


def index_timings(skip_build: bool) -> dict:
    if skip_build:
        cache_dir = default_cache_dir()
        was_cached = PlaceIndex.cached(cache_dir)
        _, seconds = build_with_timing(cache_dir)  # builds only when the default cache is missing
        return {"cache_dir": str(cache_dir), "build_s": None if was_cached else seconds,
                "warm_load": warm_loads(cache_dir)}
    with tempfile.TemporaryDirectory(prefix="geo-index-") as tmp:
        index, seconds = build_with_timing(Path(tmp))
        del index
        return {"cache_dir": "fresh temp dir", "build_s": seconds, "warm_load": warm_loads(Path(tmp))}


def text_sets(eval_dir: Path) -> dict[str, list[str]]:
    sets: dict[str, list[str]] = {}
    seeds = [path.read_text(encoding="utf-8") for path in SEED_FILES]
    if seeds:
        repeats = -(-SEED_TARGET_BYTES // sum(len(t.encode("utf-8")) for t in seeds))  # ceiling
        sets[f"seeds x{repeats}"] = seeds * repeats
    lgl = eval_dir / "lgl.jsonl"
    if lgl.exists():
        with lgl.open(encoding="utf-8") as f:
            rows = islice((json.loads(line) for line in f if line.strip()), LGL_ARTICLES)
            sets[f"lgl first {LGL_ARTICLES}"] = [row.get("text") or "" for row in rows]
    return sets


def throughput(parser: Geoparser, texts: list[str]) -> dict:
    parser.parse(texts[0])  # warm-up: first-call costs (lazy tables, spaCy buffers) are not throughput
    start = time.perf_counter()
    for text in texts:
        parser.parse(text)
    seconds = time.perf_counter() - start
    kb = sum(len(t.encode("utf-8")) for t in texts) / 1024
    return {"articles": len(texts), "kb": kb, "seconds": seconds,
            "kb_per_s": kb / seconds, "articles_per_s": len(texts) / seconds}


def throughputs(sets: dict[str, list[str]]) -> dict:
    results: dict[str, dict] = {name: {} for name in sets}
    for mode in MODES:  # one parser at a time keeps this process's memory down
        parser = Geoparser.create(fast=mode == "fast")
        for name, texts in sets.items():
            results[name][mode] = {"parser_mode": parser.mode, **throughput(parser, texts)}
        del parser
    for per_mode in results.values():
        per_mode["fast_over_default"] = per_mode["fast"]["kb_per_s"] / per_mode["default"]["kb_per_s"]
    return results


def peak_rss() -> dict:
    runs = {mode: run_python(PARSE_SCRIPT, mode, *map(str, SEED_FILES)) for mode in MODES}
    if not all(r["cached"] for r in runs.values()):  # a build inflates the peak
        print("warning: a peak-RSS subprocess found no cached index and rebuilt it", file=sys.stderr)
    return {mode: {"parser_mode": r["parser_mode"], "mentions": r["mentions"], "rss_mb": r["rss_kb"] / 1024}
            for mode, r in runs.items()}


def format_report(report: dict) -> str:
    index, load = report["index"], report["index"]["warm_load"]
    build = "skipped (cache existed)" if index["build_s"] is None else f"{index['build_s']:.1f} s"
    lines = [
        "gazetteer index",
        f"  build ({index['cache_dir']}, in-process)   {build}",
        f"  warm load (median of {load['runs']} fresh subprocesses)   {load['seconds']:.2f} s,"
        f" peak RSS {load['rss_mb']:.0f} MB",
        "",
        "annotation throughput (one process, one core, after one warm-up parse)",
        f"  {'text set':<16} {'mode':<8} {'engine':<14} {'articles':>8} {'KB':>6} {'s':>7} {'KB/s':>8}"
        f" {'articles/s':>10}",
    ]
    for name, per_mode in report["throughput"].items():
        for mode in MODES:
            r = per_mode[mode]
            lines.append(f"  {name:<16} {mode:<8} {r['parser_mode']:<14} {r['articles']:>8} {r['kb']:>6.0f}"
                         f" {r['seconds']:>7.2f} {r['kb_per_s']:>8.1f} {r['articles_per_s']:>10.1f}")
        lines.append(f"  {name:<16} fast/default speed ratio: {per_mode['fast_over_default']:.2f}x")
    lines += ["", "peak RSS of a fresh process that loaded the index (+ NER) and parsed the seed articles"]
    for mode, r in report["peak_rss"].items():
        lines.append(f"  {mode:<8} {r['parser_mode']:<14} {r['rss_mb']:>6.0f} MB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-build", action="store_true", help="reuse the default cache; no fresh build")
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR,
                    help=f"where lgl.jsonl is, if anywhere (default: {DEFAULT_EVAL_DIR})")
    ap.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = ap.parse_args(argv)
    sets = text_sets(args.eval_dir)
    if not any(sets.values()):
        print("no texts to time: seeds/*.txt is empty and there is no lgl.jsonl", file=sys.stderr)
        return 1
    report = {"index": index_timings(args.skip_build), "throughput": throughputs(sets),
              "peak_rss": peak_rss()}
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
