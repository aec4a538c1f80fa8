"""How the cost of one article grows with its length: 1x, 4x and 16x the same text, both modes.

    $ python bench/scale.py                       # 4,000 / 16,000 / 64,000 lines, default and fast modes
    $ python bench/scale.py --lines 1000 --factors 1,4 --modes fast
    $ python bench/scale.py --shapes all --modes default    # the hostile shapes of issue 19, as uploads

The text is the sample articles' lines (`seeds/*.txt`) repeated to `--lines` lines (an ordinary
news text: sentences, names, paragraphs), then 4x and 16x that. Each measurement runs in a fresh
process: it creates the parser (index, and the NER in the default mode), parses a short warm-up text,
then times `Geoparser.parse` plus grouping into places (`geo.map.places.group_places`, what the dashboard
shows) on the long text alone, net of start-up. Printed per mode and size: the engine that ran (texts
over geo.engine.pipeline.NER_MAX_CHARS are read by the rules alone, unless --ner-throughout), lines, MB,
seconds, the ratio to the previous size (the bar: 4x the text costs at most 5x the time), mentions found, and the
process's peak RSS (VmHWM, see bench/speed.py). Nothing is asserted.

`--shapes` measures instead texts shaped to be costly, each read as an upload (`article_from_bytes`,
so that HTML is converted, and the 5 MB limit applies) and timed from the bytes to the places:
one 5 MB sentence listing towns ("Shelling hit A, B, C, ..."), 5 MB of short sentences each naming
another town, 4.4 MB of nested <div>s around a short report, and a 200 KB one-sentence text, made
here from the gazetteer's towns. Printed per shape: the engine that ran on the part read, the size, the
share of the text read (the caps on names and mentions, geo.engine.budget), CPU seconds, mentions,
places and peak RSS. (The dashboard reads uploads in its parse worker; `tests/test_browser.py::
test_costly_uploads_reach_the_map_and_another_session_is_served_meanwhile` measures them there.)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO_ROOT / "seeds").glob("*.txt"))

SHAPES = ("towns_sentence", "town_sentences", "nested_divs", "sentence_200kb")

_PROBE = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from speed import PEAK_RSS_KB
exec(PEAK_RSS_KB)
import geo.engine.pipeline
from geo.files.articles import Article, article_from_bytes, article_id, split_passages
from geo.engine.pipeline import Geoparser
from geo.map.places import group_places
if sys.argv[4] == "throughout":
    geo.engine.pipeline.NER_MAX_CHARS = 10**12
parser = Geoparser.create(fast=sys.argv[3] == "fast")
parser.parse("Shelling hit Kramatorsk, in the Donetsk region.")
if sys.argv[5] == "upload":            # a shape: read as an upload, timed from the bytes
    start = time.process_time()
    article = article_from_bytes(open(sys.argv[2], "rb").read(), sys.argv[2].rsplit("/", 1)[-1])
else:
    text = open(sys.argv[2], encoding="utf-8").read()
    # an Article made directly: the engine is measured, not the upload limit (5 MB)
    article = Article(id=article_id(text), title="scale", source="scale.txt", text=text)
    start = time.process_time()
text = article.text
resolved, reading = parser.parse_bounded(article.text)     # up to the caps on names (geo.engine.budget)
places = group_places([(article, split_passages(article), resolved)])
seconds = time.process_time() - start
print(json.dumps({"seconds": seconds, "mentions": len(resolved), "places": len(places),
                  "peak_mb": peak_rss_kb() / 1024, "mode": parser.mode_for(text[:reading.end]),
                  "read": reading.end / max(len(text), 1)}))
"""


def long_text(lines: int) -> str:
    """The seed articles' non-empty lines, repeated to `lines` lines."""
    source = [line for path in SEEDS for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return "\n".join(source[i % len(source)] for i in range(lines)) + "\n"


def town_names(count: int) -> list[str]:
    """`count` distinct town names from the gazetteer (the most populous first), one word or more."""
    sys.path.insert(0, str(REPO_ROOT))
    from geo.gazetteer import PlaceIndex
    index = PlaceIndex.load()
    rows = [r for r in range(len(index)) if index.kinds[r] == "city"]
    rows.sort(key=lambda r: -int(index.population[r]))
    names = dict.fromkeys(index.name_of[r] for r in rows)
    return [n for n in names if n.replace(" ", "").replace("-", "").isalpha()][:count]


def shape_bytes(shape: str, size: int = 5_000_000) -> tuple[str, bytes]:
    """(file name, bytes) of one of SHAPES (see the module docstring), `size` the 5 MB shapes' size."""
    limit = size - 100
    if shape == "towns_sentence":
        towns, parts, size = town_names(20_000), ["Shelling hit "], 13
        while size < limit:
            name = towns[len(parts) % len(towns)] + ", "
            parts.append(name)
            size += len(name.encode())
        return "towns.txt", ("".join(parts)[:limit - 30] + " and nowhere else.").encode()
    if shape == "town_sentences":
        towns, parts, size = town_names(40_000), [], 0
        for n in range(10**7):
            sentence = f"Shelling hit {towns[n % len(towns)]} on Monday. "
            if size + len(sentence.encode()) > limit:
                break
            parts.append(sentence)
            size += len(sentence.encode())
        return "sentences.txt", "".join(parts).encode()
    if shape == "nested_divs":
        depth = size * 22 // 25 // 11
        body = "<p>Shelling hit Kramatorsk and Sloviansk, in the Donetsk region.</p>"
        return "divs.html", ("<html><body>" + "<div>" * depth + body + "</div>" * depth + "</body></html>").encode()
    if shape == "sentence_200kb":
        clause = "Shelling hit Kramatorsk, Sloviansk and Bakhmut, and "
        return "sentence.txt", (clause * (size // 25 // len(clause)) + "the sirens went on.").encode()
    raise ValueError(f"unknown shape {shape!r} (known: {', '.join(SHAPES)})")


def measure(path: Path, mode: str, ner_throughout: bool = False, *, upload: bool = False) -> dict:
    env_path = str(REPO_ROOT / "bench")
    done = subprocess.run([sys.executable, "-c", _PROBE, env_path, str(path), mode,
                           "throughout" if ner_throughout else "as-shipped", "upload" if upload else "text"],
                          capture_output=True,
                          text=True, check=True, cwd=REPO_ROOT,
                          env={"PYTHONPATH": str(REPO_ROOT), **_environ()})
    return json.loads(done.stdout.strip().splitlines()[-1])


def _environ() -> dict[str, str]:
    import os
    return dict(os.environ)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=4000, help="lines of the 1x text (default 4,000)")
    ap.add_argument("--factors", default="1,4,16")
    ap.add_argument("--modes", default="default,fast")
    ap.add_argument("--ner-throughout", action="store_true",
                    help="default mode: run the NER over texts of any length (as shipped, texts over "
                         "geo.engine.pipeline.NER_MAX_CHARS are read by the rules alone)")
    ap.add_argument("--shapes", help=f"comma-separated shapes to measure instead ({', '.join(SHAPES)}; all)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.shapes:
        return measure_shapes(SHAPES if args.shapes == "all" else args.shapes.split(","), args.modes.split(","),
                              as_json=args.json)
    factors = [int(f) for f in args.factors.split(",")]
    results = []
    out_dir = REPO_ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    for mode in args.modes.split(","):
        previous = None
        for factor in factors:
            lines = args.lines * factor
            path = out_dir / f"scale-{lines}.txt"
            if not path.exists():
                path.write_text(long_text(lines), encoding="utf-8")
            r = measure(path, mode, args.ner_throughout)
            r.update(mode=mode, engine=r["mode"], lines=lines, mb=path.stat().st_size / 1e6,
                     ratio=(r["seconds"] / previous["seconds"]) if previous else None)
            results.append(r)
            previous = r
            if not args.json:
                ratio = f"{r['ratio']:.2f}x" if r["ratio"] else "-"
                print(f"{mode:8} {r['engine']:14} {lines:7,} lines {r['mb']:6.2f} MB  {r['seconds']:7.2f} s  "
                      f"ratio {ratio:>6}  {r['mentions']:7,} mentions  {r['places']:6,} places  "
                      f"peak {r['peak_mb']:7.0f} MB", flush=True)
    if args.json:
        print(json.dumps(results, indent=1))
    return 0


def measure_shapes(shapes, modes, *, as_json: bool = False) -> int:
    out_dir = REPO_ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for shape in shapes:
        name, data = shape_bytes(shape)
        path = out_dir / f"shape-{name}"
        path.write_bytes(data)
        for mode in modes:
            r = measure(path, mode, upload=True)
            r.update(shape=shape, mode=mode, engine=r["mode"], mb=len(data) / 1e6)
            results.append(r)
            if not as_json:
                print(f"{shape:15} {mode:8} {r['engine']:14} {r['mb']:5.2f} MB  read {r['read']:4.0%}  "
                      f"{r['seconds']:7.2f} s  {r['mentions']:8,} mentions  {r['places']:6,} places  "
                      f"peak {r['peak_mb']:6.0f} MB", flush=True)
    if as_json:
        print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
