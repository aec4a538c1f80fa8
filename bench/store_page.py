"""The dashboard's store page (geo/app/store_view.py): rerun time of a filter change, new (DuckDB queries)
and asked before (the shared cache), on a store of generated reports made with the real `corpus run`
(1 worker, fast mode), in Streamlit's AppTest.

    python bench/store_page.py [WORK_DIR]          # default /tmp/conflictmap-store-page
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TOWNS = ("Kramatorsk", "Kharkiv", "Mariupol", "Odesa", "Zaporizhzhia", "Sloviansk", "Kherson", "Bakhmut",
         "Izium", "Lviv", "Kyiv", "Dnipro", "Mykolaiv", "Sumy", "Chernihiv", "Poltava", "Avdiivka", "Lysychansk")


def make_store(root: Path, n: int = 300) -> Path:
    from geo.store.corpus.run import RunOptions, run_corpus

    store = root / "gen.store"
    if store.exists():
        return store
    src = root / "gen.jsonl"
    with src.open("w", encoding="utf-8") as f:
        for i in range(n):
            a, b, c = TOWNS[i % 18], TOWNS[(i * 7 + 3) % 18], TOWNS[(i * 5 + 2) % 18]
            f.write(json.dumps({"id": f"g{i}", "date": f"2022-{3 + i % 3:02d}-{1 + i % 28:02d}",
                                "text": f"Shelling hit {a} overnight, officials in {b} said. Residents fled to {c}.",
                                "source": "Wire" if i % 2 else "Post"}) + "\n")
    t = time.perf_counter()
    run_corpus(src, store, RunOptions(workers=1, fast=True, progress=False), say=lambda line: None)
    print(f"corpus run, {n} articles, 1 worker: {time.perf_counter() - t:.1f} s")
    return store


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/conflictmap-store-page")
    root.mkdir(parents=True, exist_ok=True)
    store = make_store(root)
    os.environ["CONFLICTMAP_STORES"] = str(root)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at.sidebar.selectbox(key="store_pick").select(str(store)).run()
    for label, text in (("new", "kh"), ("new", "od"), ("asked before", "kh"), ("asked before", "od")):
        t = time.perf_counter()
        at.sidebar.text_input(key="store_search").input(text).run()
        assert not at.exception, at.exception
        print(f"filter change, {label}: {1000 * (time.perf_counter() - t):.0f} ms")


if __name__ == "__main__":
    main()
