"""Score the geoparser on the shared evaluation corpora, in each mode, and print one table.

    $ python bench/evaluate.py                              # every corpus, default and fast modes
    $ python bench/evaluate.py --corpus lgl --modes fast    # one corpus, one mode
    $ python bench/evaluate.py --json                       # machine-readable results
    $ python bench/evaluate.py --without lists,closeness    # what the set loses without those components
    $ python bench/evaluate.py --eval-dir ../shared/eval --out /tmp/preds   # keep the predictions

Annotation runs in this process (`Geoparser.create` + `annotate_record`, as `python -m geo annotate`
does); scoring runs `python <eval-dir>/score.py GOLD PRED --json` as a subprocess. KB/s counts the
UTF-8 bytes of the article texts (1 KB = 1,024 bytes) over the annotation time alone, on one core.
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
from geo.engine.components import COMPONENTS, checked  # noqa: E402
from geo.engine.pipeline import Geoparser  # noqa: E402

DEFAULT_EVAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval"
MODES = ("default", "fast")
COLUMNS = [  # (heading, result key, format)
    ("corpus", "corpus", "{}"), ("mode", "mode", "{}"), ("P", "precision", "{:.3f}"),
    ("R", "recall", "{:.3f}"), ("f1", "f1", "{:.3f}"), ("strict_f1", "strict_f1", "{:.3f}"),
    ("acc161", "acc161", "{:.3f}"), ("median_km", "median_km", "{:.1f}"), ("e2e161", "e2e161", "{:.3f}"),
    ("e2e25", "e2e25", "{:.3f}"), ("exact_share", "exact_share", "{:.3f}"), ("exact_acc161", "exact_acc161", "{:.3f}"),
    ("KB/s", "kb_per_s", "{:.1f}"),
]


def annotate_corpus(parser: Geoparser, gold: Path, pred: Path) -> dict:
    """Write predictions for every article of `gold` to `pred`; return the text size and the time taken."""
    with gold.open(encoding="utf-8") as f:  # not str.splitlines(): texts may hold U+2028 and the like
        records = [json.loads(line) for line in f if line.strip()]
    size = sum(len((r.get("text") or "").encode("utf-8")) for r in records)
    start = time.perf_counter()
    predictions = [annotate_record(parser, r) for r in records]
    seconds = time.perf_counter() - start
    with pred.open("w", encoding="utf-8") as f:
        for p in predictions:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    return {"articles": len(records), "kb": size / 1024, "seconds": seconds,
            "kb_per_s": size / 1024 / seconds if seconds else None}


def score(scorer: Path, gold: Path, pred: Path) -> dict:
    done = subprocess.run([sys.executable, str(scorer), str(gold), str(pred), "--json"],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def evaluate(eval_dir: Path, corpora: list[str], modes: list[str], out_dir: Path,
             without: frozenset[str] = frozenset()) -> list[dict]:
    golds = [eval_dir / f"{name}.jsonl" for name in corpora]
    results = []
    for mode in modes:  # one parser per mode: the index and the NER load once
        parser = Geoparser.create(fast=mode == "fast", without=without)
        if mode == "default" and parser.ner is None:
            print(f"note: NER unavailable ({parser.ner_problem}); 'default' runs gazetteer-only",
                  file=sys.stderr)
        for gold in golds:
            pred = out_dir / f"{gold.stem}.{mode}.jsonl"
            timing = annotate_corpus(parser, gold, pred)
            results.append({"corpus": gold.stem, "mode": mode, "parser_mode": parser.mode,
                            **score(eval_dir / "score.py", gold, pred), **timing})
        del parser
    order = {name: i for i, name in enumerate(corpora)}
    return sorted(results, key=lambda r: (order[r["corpus"]], modes.index(r["mode"])))


def format_table(results: list[dict]) -> str:
    def cell(result: dict, key: str, fmt: str) -> str:
        value = result.get(key)
        return "-" if value is None else fmt.format(value)

    rows = [[heading for heading, _, _ in COLUMNS]]
    rows += [[cell(r, key, fmt) for _, key, fmt in COLUMNS] for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(row, widths, strict=True)))
             for row in rows]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR,
                    help=f"folder with *.jsonl corpora and score.py (default: {DEFAULT_EVAL_DIR})")
    ap.add_argument("--corpus", action="append",
                    help="corpus name, e.g. lgl (repeatable or comma-separated; default: all)")
    ap.add_argument("--modes", default="default,fast", help="comma-separated: default, fast")
    ap.add_argument("--out", type=Path, help="keep the predictions in this folder (default: a temp dir)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--without", default="", metavar="NAME[,NAME]",
                    help=f"switch engine components off (see geo/engine/components.py): {', '.join(COMPONENTS)}")
    args = ap.parse_args(argv)
    try:
        without = checked(w.strip() for w in args.without.split(",") if w.strip())
    except ValueError as e:
        ap.error(str(e))

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if unknown := [m for m in modes if m not in MODES]:
        ap.error(f"unknown mode(s) {', '.join(unknown)}; choose from {', '.join(MODES)}")
    available = sorted(p.stem for p in args.eval_dir.glob("*.jsonl"))
    if not available or not (args.eval_dir / "score.py").exists():
        message = f"skipped: no corpora and score.py in {args.eval_dir}"
        print(json.dumps({"skipped": message}) if args.json else message)
        return 0
    corpora = [c.strip() for arg in args.corpus or [] for c in arg.split(",") if c.strip()] or available
    if unknown := [c for c in corpora if c not in available]:
        ap.error(f"unknown corpus {', '.join(unknown)}; {args.eval_dir} has {', '.join(available)}")

    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        results = evaluate(args.eval_dir, corpora, modes, args.out, without)
    else:
        with tempfile.TemporaryDirectory(prefix="geo-eval-") as tmp:
            results = evaluate(args.eval_dir, corpora, modes, Path(tmp), without)
    print(json.dumps(results, indent=2) if args.json else format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
