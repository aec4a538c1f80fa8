"""Does the review panel's gazetteer search find what the engine placed? For every exactly placed mention
of the corpora's texts, search the gazetteer for the name as the text writes it (as the panel does, with
the engine's candidates as the preference) and count the placements whose place is not the first answer.

    $ python bench/review_search.py                                   # 61 records of three corpora, fast mode
    $ python bench/review_search.py --records 200 --corpus lgl --default

Prints the count, and each miss (name, the engine's place, the search's first answers). The corpora are
read for measurement only (see ../shared/eval/README.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))  # run as a script from a checkout, without installing geo

from geo.engine.pipeline import Geoparser  # noqa: E402
from geo.review import engine_candidates, gazetteer_search  # noqa: E402

DEFAULT_EVAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval"
CORPORA = ("conflict_ukraine_notes", "conflict_events_dev", "lgl")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    ap.add_argument("--corpus", action="append", help=f"corpus name (default: {', '.join(CORPORA)})")
    ap.add_argument("--records", type=int, default=61, help="records read from each corpus (default 61)")
    ap.add_argument("--default", action="store_true", help="the default (NER) mode instead of the fast one")
    args = ap.parse_args(argv)
    parser = Geoparser.create(fast=not args.default)
    placed = 0
    misses = []
    for corpus in args.corpus or CORPORA:
        with open(args.eval_dir / f"{corpus}.jsonl", encoding="utf-8") as lines:
            for n, line in enumerate(lines):
                if n >= args.records:
                    break
                for r in parser.parse(json.loads(line)["text"]):
                    if r.place is None or r.precision != "exact":
                        continue
                    placed += 1
                    found = gazetteer_search(parser.index, r.mention.name, countries=[r.place.country],
                                             prefer=[c.row for c in engine_candidates(r)])
                    if not found or found[0].row != r.place.row:
                        misses.append((corpus, r.mention.name, r.place.name, [e.name for e in found[:3]]))
    for corpus, name, place, first in misses:
        print(f"{corpus}: “{name}” placed at {place}; the search gives {first or 'nothing'}")
    print(f"{len(misses)} of {placed} exact placements not found first by a search for their name "
          f"({parser.mode} mode)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
