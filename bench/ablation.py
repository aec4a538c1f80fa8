"""What each engine component is worth: the evaluation sets scored with one component switched off.

    $ python bench/ablation.py                                   # every component, default mode
    $ python bench/ablation.py --components lists,closeness --modes default,fast --corpus lgl

One parser per mode loads the index and the NER once; each component's run reuses them (only the
recogniser and resolver are rebuilt without it). Printed: the full engine's figures, then for each
component the change of every figure when it is off (negative: the component helps). A component
whose row is all zeros moves nothing on these sets. The table in bench/README.md comes from here.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.evaluate import DEFAULT_EVAL_DIR, annotate_corpus, score  # noqa: E402
from geo.engine.components import COMPONENTS, checked  # noqa: E402
from geo.engine.pipeline import Geoparser  # noqa: E402

FIGURES = {   # per corpus: the figures the table shows (the scorer's keys)
    "conflict_events_dev": ("recall", "e2e161", "exact_acc161"),
    "conflict_ucdp_headlines": ("recall", "e2e25", "exact_acc161"),
    "conflict_ukraine_notes": ("recall", "e2e161", "exact_acc161"),
    "lgl": ("f1", "acc161", "e2e161"),
    "geovirus": ("f1", "acc161", "e2e161"),
}
SHORT = {"recall": "R", "f1": "f1", "acc161": "acc161", "e2e161": "e2e161", "e2e25": "e2e25",
         "exact_acc161": "exacc"}


def run(parser: Geoparser, eval_dir: Path, corpora: list[str], out: Path) -> dict[str, dict]:
    results = {}
    for name in corpora:
        gold = eval_dir / f"{name}.jsonl"
        pred = out / f"{name}.jsonl"
        annotate_corpus(parser, gold, pred)
        results[name] = score(eval_dir / "score.py", gold, pred)
    return results


def ablate(eval_dir: Path, corpora: list[str], modes: list[str], components: list[str]) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="geo-ablation-") as tmp:
        for mode in modes:
            full = Geoparser.create(fast=mode == "fast")
            base = run(full, eval_dir, corpora, Path(tmp))
            rows.append({"mode": mode, "without": "", "figures": base})
            for name in components:
                off = run(dataclasses.replace(full, without=frozenset({name})), eval_dir, corpora, Path(tmp))
                delta = {c: {k: off[c][k] - base[c][k] for k in FIGURES.get(c, ("f1", "acc161"))} for c in corpora}
                rows.append({"mode": mode, "without": name, "figures": off, "delta": delta})
                print(f"{mode} without {name}: " + "; ".join(
                    f"{c} " + " ".join(f"{SHORT[k]} {v:+.3f}" for k, v in d.items()) for c, d in delta.items()),
                    file=sys.stderr, flush=True)
    return rows


def markdown(rows: list[dict], corpora: list[str]) -> str:
    heads = [f"{c} {SHORT[k]}" for c in corpora for k in FIGURES.get(c, ("f1", "acc161"))]
    lines = ["| mode | without | " + " | ".join(heads) + " |", "|---|---|" + "---:|" * len(heads)]
    for r in rows:
        if not r["without"]:
            cells = [f"{r['figures'][c][k]:.3f}" for c in corpora for k in FIGURES.get(c, ("f1", "acc161"))]
            lines.append(f"| {r['mode']} | (full engine) | " + " | ".join(cells) + " |")
        else:
            cells = [f"{r['delta'][c][k]:+.3f}" for c in corpora for k in FIGURES.get(c, ("f1", "acc161"))]
            lines.append(f"| {r['mode']} | `{r['without']}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    ap.add_argument("--corpus", default="", help="comma-separated corpus names (default: all)")
    ap.add_argument("--modes", default="default", help="comma-separated: default, fast")
    ap.add_argument("--components", default="", help=f"comma-separated (default: all): {', '.join(COMPONENTS)}")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    chosen = checked(c.strip() for c in args.components.split(",") if c.strip())
    components = [c for c in COMPONENTS if c in chosen] or list(COMPONENTS)
    available = sorted(p.stem for p in args.eval_dir.glob("*.jsonl"))
    if not available:
        print(f"skipped: no corpora in {args.eval_dir}")
        return 0
    corpora = [c.strip() for c in args.corpus.split(",") if c.strip()] or available
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    rows = ablate(args.eval_dir, corpora, modes, components)
    print(json.dumps(rows, indent=2) if args.json else markdown(rows, corpora))
    return 0


if __name__ == "__main__":
    sys.exit(main())
