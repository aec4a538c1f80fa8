"""Default-mode throughput of this checkout against a baseline revision, measured side by side.

    $ python bench/compare_speed.py                       # against 2eb94b4 (before the conflict work)
    $ python bench/compare_speed.py --baseline a4b531b    # against the commit before the package move
    $ python bench/compare_speed.py --baseline HEAD~3 --rounds 5 --texts 300

The baseline revision is checked out into a temporary git worktree (removed afterwards). Each round
runs one fresh process per version, alternately (baseline, current, baseline, ...), so that both
meet the same machine load; each process parses the first `--texts` LGL articles `--repeat` times
after one warm-up parse and reports its best CPU time, split into the NER's share and the rest
(recognition rules and resolution). Printed: per version the median and minimum over the rounds,
and current / baseline throughput. The baseline keeps its gazetteer index in a cache folder of its own
(built once, in the first round, and not counted: only parsing is timed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BASELINE = "2eb94b4"
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "eval" / "lgl.jsonl"

# Runs inside each measured process, with the version's checkout first on sys.path.
_PROBE = r"""
import json, sys, time
root, corpus, n, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
sys.path.insert(0, root)
import importlib
try:
    Geoparser = importlib.import_module("geo.engine.pipeline").Geoparser
except ImportError:      # a revision from before the package move kept it in geo/pipeline.py
    Geoparser = importlib.import_module(".".join(("geo", "pipeline"))).Geoparser
parser = Geoparser.create()
texts = [json.loads(line)["text"] for line in open(corpus, encoding="utf-8")][:n]
parser.parse(texts[0])
ner_seconds = [0.0]
spans = parser.ner.spans if parser.ner else None
def timed(text, windows, *more, **options):     # the current NER also takes a progress callback
    start = time.process_time()
    try:
        return spans(text, windows, *more, **options)
    finally:
        ner_seconds[0] += time.process_time() - start
if parser.ner:
    parser.ner.spans = timed
best = None
for _ in range(repeat):
    ner_seconds[0] = 0.0
    start = time.process_time()
    for text in texts:
        parser.parse(text)
    total = time.process_time() - start
    if best is None or total < best[0]:
        best = (total, ner_seconds[0])
size = sum(len(t.encode("utf-8")) for t in texts)
print(json.dumps({"seconds": best[0], "ner_seconds": best[1], "kb": size / 1024, "mode": parser.mode}))
"""


def measure(root: Path, corpus: Path, texts: int, repeat: int, cache: Path | None = None) -> dict:
    env = {**os.environ, "CONFLICTMAP_CACHE": str(cache)} if cache else None
    done = subprocess.run([sys.executable, "-c", _PROBE, str(root), str(corpus), str(texts), str(repeat)],
                          capture_output=True, text=True, check=True, cwd=root, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default=DEFAULT_BASELINE, help=f"git revision (default {DEFAULT_BASELINE})")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSONL with a 'text' per line")
    ap.add_argument("--texts", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3, help="passes over the texts per process (best kept)")
    ap.add_argument("--rounds", type=int, default=3, help="processes per version, alternating")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.corpus.exists():
        print(f"skipped: {args.corpus} not found")
        return 0
    with tempfile.TemporaryDirectory(prefix="geo-baseline-") as tmp:
        base = Path(tmp) / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", str(base), args.baseline], cwd=REPO_ROOT,
                       check=True, capture_output=True)
        try:
            runs: dict[str, list[dict]] = {"baseline": [], "current": []}
            for _ in range(args.rounds):
                runs["baseline"].append(measure(base, args.corpus, args.texts, args.repeat, Path(tmp) / "cache"))
                runs["current"].append(measure(REPO_ROOT, args.corpus, args.texts, args.repeat))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=REPO_ROOT, capture_output=True)
    summary = {}
    for version, results in runs.items():
        kb = results[0]["kb"]
        seconds = [r["seconds"] for r in results]
        summary[version] = {
            "mode": results[0]["mode"], "kb": round(kb, 1),
            "median_kb_per_s": round(kb / statistics.median(seconds), 1),
            "best_kb_per_s": round(kb / min(seconds), 1),
            "median_ner_seconds": round(statistics.median(r["ner_seconds"] for r in results), 2),
            "median_other_seconds": round(statistics.median(r["seconds"] - r["ner_seconds"] for r in results), 2),
        }
    ratio = summary["current"]["median_kb_per_s"] / summary["baseline"]["median_kb_per_s"]
    best_ratio = summary["current"]["best_kb_per_s"] / summary["baseline"]["best_kb_per_s"]
    if args.json:
        print(json.dumps({**summary, "ratio_median": round(ratio, 3), "ratio_best": round(best_ratio, 3)}))
        return 0
    print(f"{args.texts} texts of {args.corpus.name}, {args.rounds} alternating rounds, best of {args.repeat} passes")
    for version, s in summary.items():
        print(f"{version:9} ({s['mode']}): median {s['median_kb_per_s']:6.1f} KB/s, best {s['best_kb_per_s']:6.1f} KB/s"
              f"  (NER {s['median_ner_seconds']:.2f} s, the rest {s['median_other_seconds']:.2f} s)")
    print(f"current / baseline: {ratio:.2f} (median), {best_ratio:.2f} (best)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
