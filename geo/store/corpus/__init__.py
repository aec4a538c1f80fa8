"""A corpus store: many articles geoparsed on Dask into Parquet tables, queried with DuckDB.

    $ python -m geo corpus run reports.jsonl reports.store          # parse what is not stored yet
    $ python -m geo corpus stats reports.store --json
    $ python -m geo corpus query reports.store "SELECT name, count(*) FROM mentions GROUP BY 1 ORDER BY 2 DESC"
    $ python -m geo corpus export reports.store --format geojson --from 2022-04-01 --to 2022-04-30

Modules: `records` (reading the input), `dates` (an article's date), `worker` (the parse of a batch on
a Dask worker), `parquet` (the store's files), `run` (the Dask run), `query` (DuckDB views), `export`
(GeoJSON and CSV), `cli` (the commands).
"""
