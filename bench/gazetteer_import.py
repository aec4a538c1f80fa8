"""Time importing a GeoNames extract and rebuilding the index with it; warm loads with and without it.

    $ python bench/gazetteer_import.py                # 30,000 synthetic rows (~1 min on 2 cores)
    $ python bench/gazetteer_import.py --rows 100000 --json

The extract is synthetic, not real places: random Latin names (syllables), points inside one
country's bounding box (Ukraine), a mix of feature codes like a real country extract (mostly
populated places, then streams, spot features, hills, areas, second-level units, and codes the
import leaves out), 0-3 alternate names each, in the 19-column format of the GeoNames export,
zipped as `UA.zip`. It is imported into a temporary data folder (`import_geonames`) and the index
rebuilt in a temporary cache folder (`build_with_timing`). Warm loads are the median of 3 fresh
subprocesses, with the extra rows and without (the built-in index: the default cache when it holds
it, else built once in another temporary folder, not counted). Peak RSS is VmHWM. Targets: import +
rebuild < 60 s, warm load < 1 s. Prints numbers only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))  # run as a script from a checkout, without installing geo

from speed import PEAK_RSS_KB  # noqa: E402  (bench/ is on sys.path when run as a script; see speed.py for why VmHWM)

from geo.gazetteer import PlaceIndex, build_with_timing, default_cache_dir  # noqa: E402
from geo.gazetteer.geonames import import_geonames  # noqa: E402
from geo.gazetteer.sources import SourceRegistry  # noqa: E402

# (feature class, code, share): roughly a country extract's mix, with codes the import skips.
FEATURES = [("P", "PPL", 0.62), ("P", "PPLX", 0.03), ("H", "STM", 0.10), ("H", "LK", 0.02),
            ("S", "RSTN", 0.02), ("S", "BDG", 0.01), ("S", "DAM", 0.005), ("S", "PS", 0.005),
            ("S", "AIRF", 0.005), ("S", "CMP", 0.005), ("T", "HLL", 0.04), ("L", "AREA", 0.02),
            ("A", "ADM2", 0.01), ("S", "SCH", 0.04), ("S", "CH", 0.03), ("L", "LCTY", 0.04),
            ("A", "ADM3", 0.02)]
UA_BOX = (45.4, 52.3, 22.2, 40.2)     # lat min, lat max, lon min, lon max
UA_ADMIN1 = [f"{n:02d}" for n in range(1, 28)]
SYLLABLES = ["ka", "lo", "vy", "zor", "mir", "ne", "dan", "pol", "ri", "sta", "vel", "ko", "tin", "bre",
             "hor", "ly", "mak", "sol", "tre", "vod", "yar", "zel", "chu", "dub", "hra", "len", "ost"]
LOAD_SCRIPT = PEAK_RSS_KB + """
import json, os, sys, time
from pathlib import Path
from geo.gazetteer import PlaceIndex
cache_dir, data_dir = Path(sys.argv[1]), Path(sys.argv[2])
cached = PlaceIndex.cached(cache_dir, data_dir)
start = time.perf_counter()
index = PlaceIndex.load(cache_dir, data_dir=data_dir)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "cached": cached, "rows": len(index), "rss_kb": peak_rss_kb()}))
"""


def run_python(script: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True,
                          cwd=REPO_ROOT, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def synthetic_name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize() + rng.choice(
        ["", "", "ivka", "e", "ske", "ne", "ove"])


def synthetic_extract(path: Path, rows: int, seed: int) -> Path:
    """A zipped `UA.txt` of `rows` synthetic places in the GeoNames export's 19 columns."""
    rng = random.Random(seed)
    codes = [(c, f) for c, f, _ in FEATURES]
    weights = [w for _, _, w in FEATURES]
    lat0, lat1, lon0, lon1 = UA_BOX
    lines = []
    for i in range(rows):
        fclass, fcode = rng.choices(codes, weights)[0]
        name = synthetic_name(rng)
        alternates = ",".join(synthetic_name(rng) for _ in range(rng.randint(0, 3)))
        population = int(rng.lognormvariate(6, 1.5)) if fclass == "P" else 0
        a1 = rng.choice(UA_ADMIN1)
        fields = [str(90_000_000 + i), name, name, alternates, f"{rng.uniform(lat0, lat1):.5f}",
                  f"{rng.uniform(lon0, lon1):.5f}", fclass, fcode, "UA", "", a1, str(rng.randint(1000, 9999)),
                  "", "", str(population), "", str(rng.randint(50, 300)), "Europe/Kyiv", "2024-01-01"]
        lines.append("\t".join(fields))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("UA.txt", "\n".join(lines) + "\n")
        zf.writestr("readme.txt", "synthetic extract for bench/gazetteer_import.py: not real places")
    return path


def peak_rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024


def warm_loads(cache_dir: Path, data_dir: Path, runs: int = 3) -> dict:
    loads = [run_python(LOAD_SCRIPT, str(cache_dir), str(data_dir)) for _ in range(runs)]
    if not all(load["cached"] for load in loads):
        print("warning: a load subprocess found no cached index and rebuilt it", file=sys.stderr)
    return {"seconds": statistics.median(x["seconds"] for x in loads), "rows": loads[0]["rows"],
            "rss_mb": max(x["rss_kb"] for x in loads) / 1024}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=30_000, help="lines of the synthetic extract (30,000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="geo-gazetteer-import-") as tmp:
        root = Path(tmp)
        extract = synthetic_extract(root / "UA.zip", args.rows, args.seed)
        data_dir, cache_dir, empty = root / "data", root / "cache", root / "empty"
        empty.mkdir()

        start = time.perf_counter()
        info = import_geonames(extract, SourceRegistry(data_dir))
        import_s = time.perf_counter() - start
        index, rebuild_s = build_with_timing(cache_dir, data_dir=data_dir)
        stats = index.user_sources[info.name]
        rows_with = len(index)
        del index
        build_rss = peak_rss_mb()

        with_rows = warm_loads(cache_dir, data_dir)
        baseline = default_cache_dir()
        if not PlaceIndex.cached(baseline, empty):       # the built-in index, for comparison
            baseline = root / "baseline"
            build_with_timing(baseline, data_dir=empty)
        without = warm_loads(baseline, empty)

    result = {
        "extract_rows": args.rows, "kept": info.rows, "skipped": info.skipped, "added_to_index": stats["rows"],
        "merged": stats["merged"], "unnamed_features": stats["unnamed"], "index_rows": rows_with,
        "import_s": round(import_s, 2), "rebuild_s": round(rebuild_s, 2), "total_s": round(import_s + rebuild_s, 2),
        "import_rebuild_peak_rss_mb": round(build_rss), "warm_load_with_s": round(with_rows["seconds"], 3),
        "warm_load_with_rss_mb": round(with_rows["rss_mb"]), "warm_load_without_s": round(without["seconds"], 3),
        "warm_load_without_rss_mb": round(without["rss_mb"]), "index_rows_without": without["rows"],
    }
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(f"synthetic extract: {args.rows:,} lines, {info.rows:,} kept ({info.skipped:,} of codes left out); "
          f"{stats['rows']:,} rows added to the index ({stats['unnamed']:,} features without a free name)")
    print(f"{'what':<34} {'measured':>12}  target")
    print(f"{'import (read, check, store)':<34} {import_s:>10.1f} s")
    print(f"{'rebuild the index':<34} {rebuild_s:>10.1f} s")
    total = import_s + rebuild_s
    print(f"{'import + rebuild':<34} {total:>10.1f} s  < 60 s {'met' if total < 60 else 'MISSED'}")
    print(f"{'peak RSS, import + rebuild':<34} {build_rss:>9.0f} MB")
    for label, load in (("with the extract", with_rows), ("built-in only", without)):
        verdict = "met" if load["seconds"] < 1 else "MISSED"
        print(f"{'warm load, ' + label:<34} {load['seconds']:>10.2f} s  < 1 s {verdict}"
              f"  ({load['rows']:,} rows, {load['rss_mb']:.0f} MB peak RSS)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
