"""Tests for geo.map.render_png: the static PNG map (size, empty/one/many places, plain-text names,
labels that never overlap, missing basemaps skipped)."""

from __future__ import annotations

import io
import json
import math
import random
import time
from dataclasses import replace
from itertools import combinations
from pathlib import Path

import pytest
from matplotlib.image import imread

from geo.engine.events import Event, EventPlace
from geo.engine.pipeline import Geoparser
from geo.files.articles import Passage, article_from_text
from geo.map.places import MentionRef, Place, places_for
from geo.map.png_text import counts_note
from geo.map.render_png import (
    Anchor,
    Box,
    RenderedMap,
    _fit_view,
    _lon_extent,
    draw_map,
    place_labels,
    render_map_png,
    uncertainty_ring,
)
from geo.map.styles import EVENT_COLOUR, NO_EVENT_COLOUR, UNCERTAINTY_M

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def make_place(name: str, lat: float | None, lon: float | None, *, kind: str = "city", mentions: int = 1,
               country: str = "UA", article: str = "a") -> Place:
    passage = Passage(article, 0, 0, 0, len(name), name)
    refs = tuple(MentionRef(article, "Title", "test", 0, len(name), name, passage, 0.9)
                 for _ in range(mentions))
    return Place(key=f"test:{name}:{lat}:{lon}", name=name, kind=kind if lat is not None else "unresolved",
                 lat=lat, lon=lon, country=country, geonameid=None, confidence=0.9, mentions=refs,
                 alternatives=(), source="test")


def square(west: float, south: float, east: float, north: float) -> list[list[float]]:
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


@pytest.fixture(scope="module")
def basemaps(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A tiny land layer (a Polygon and a MultiPolygon) and an inner-border layer (lines)."""
    d = tmp_path_factory.mktemp("basemap")
    countries = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Ukraine", "iso_a2": "UA"},
         "geometry": {"type": "Polygon", "coordinates": [square(22, 44, 40, 52)]}},
        {"type": "Feature", "properties": {"name": "Russia", "iso_a2": "RU"},
         "geometry": {"type": "MultiPolygon", "coordinates": [[square(40, 44, 60, 60)],
                                                              [square(170, 60, 180, 70)],
                                                              [square(-180, 60, -170, 70)]]}},
        {"type": "Feature", "properties": {"name": "nothing"}, "geometry": None},
    ]}
    oblasts = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {},
         "geometry": {"type": "MultiLineString",
                      "coordinates": [[[30, 44], [30, 52]], [[22, 48], [40, 48]]]}},
    ]}
    (d / "countries.geojson").write_text(json.dumps(countries), encoding="utf-8")
    (d / "oblasts.geojson").write_text(json.dumps(oblasts), encoding="utf-8")
    return [d / "countries.geojson", d / "oblasts.geojson"]


def decode(png: bytes):
    assert png.startswith(PNG_SIGNATURE)
    return imread(io.BytesIO(png), format="png")


def assert_no_overlaps(rendered: RenderedMap) -> None:
    boxes = [label.box for label in rendered.labels if label.box is not None]
    for a, b in combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)


def test_returns_png_of_the_requested_size(basemaps: list[Path]) -> None:
    places = [make_place("Mariupol", 47.1, 37.5, mentions=5), make_place("Ukraine", 49, 31, kind="country")]
    for width, height in ((1600, 1000), (800, 500), (1234, 777), (333, 222)):
        png = render_map_png(places, title="Test", width_px=width, height_px=height, basemaps=basemaps)
        image = decode(png)
        assert image.shape[:2] == (height, width)


def test_zero_resolved_places_draws_a_notice(basemaps: list[Path]) -> None:
    for places in ([], [make_place("Atlantis", None, None)]):
        rendered = draw_map(places, title="Nothing here", basemaps=basemaps)
        assert decode(rendered.png).shape[:2] == (1000, 1600)
        assert rendered.mapped == 0 and rendered.labels == ()
    assert rendered.unresolved == 1


def test_one_place(basemaps: list[Path]) -> None:
    rendered = draw_map([make_place("Kramatorsk", 48.7, 37.6, mentions=2)], title="One", basemaps=basemaps)
    decode(rendered.png)
    south, west, north, east = rendered.view
    assert south < 48.7 < north and west < 37.6 < east
    assert north - south >= 2 and east - west >= 2
    assert [label.name for label in rendered.labels if label.box] == ["Kramatorsk"]


def test_300_places_render_quickly_without_overlapping_labels(basemaps: list[Path]) -> None:
    rng = random.Random(7)
    kinds = ["city", "admin1", "country", "facility", "water", "admin2"]
    places = [make_place(f"Place {i}", rng.uniform(44, 53), rng.uniform(22, 41), kind=rng.choice(kinds),
                         mentions=rng.randint(1, 30)) for i in range(300)]
    draw_map(places[:5], title="warm-up", basemaps=basemaps)
    start = time.perf_counter()
    rendered = draw_map(places, title="Many places", basemaps=basemaps)
    elapsed = time.perf_counter() - start
    placed = sum(1 for label in rendered.labels if label.box)
    print(f"\n300 places: {elapsed:.3f} s, {placed} labels placed, {len(rendered.labels) - placed} skipped")
    decode(rendered.png)
    assert rendered.mapped == 300
    assert 0 < placed < 300
    assert_no_overlaps(rendered)


def test_hostile_names_are_drawn_as_plain_text(basemaps: list[Path]) -> None:
    names = ["$\\alpha$ <script>alert(1)</script>", "$x$", "50$ and 20$", "\\frac{1}{0}", "a_b^c $", "{}%",
             "Київ", "line\nbreak", ""]
    places = [make_place(n, 47 + i * 0.5, 30 + i, mentions=len(names) - i) for i, n in enumerate(names)]
    rendered = draw_map(places, title="$\\alpha$ <b>title</b>", subtitle="$$ unbalanced $",
                        credit="credit $x$", basemaps=basemaps)
    decode(rendered.png)
    assert "$\\alpha$ <script>alert(1)</script>" in [label.name for label in rendered.labels if label.box]


def test_labels_of_clustered_places_do_not_overlap(basemaps: list[Path]) -> None:
    # The six Donbas towns and their region sit within ~2 degrees: a real crowding case.
    towns = {"Kramatorsk": (48.73, 37.57), "Sloviansk": (48.85, 37.6), "Kreminna": (49.05, 38.22),
             "Rubizhne": (49.01, 38.38), "Sievierodonetsk": (48.95, 38.49), "Lysychansk": (48.9, 38.43),
             "Popasna": (48.63, 38.38), "Bakhmut": (48.6, 38.0), "Luhansk region": (49.13, 39.0),
             "Donbas": (48.0, 37.8)}
    places = [make_place(n, lat, lon, kind="admin1" if "region" in n else "city", mentions=len(towns) - i)
              for i, (n, (lat, lon)) in enumerate(towns.items())]
    rendered = draw_map(places, title="Donbas", basemaps=basemaps, width_px=800, height_px=500)
    assert_no_overlaps(rendered)
    placed = [label for label in rendered.labels if label.box]
    assert placed[0].name == "Kramatorsk"        # the most-mentioned place is labelled first
    assert all(b.box.inside(Box(0, 0, 800, 500)) for b in placed)


def test_missing_and_broken_basemaps_are_skipped(tmp_path: Path, basemaps: list[Path]) -> None:
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json", encoding="utf-8")
    places = [make_place("Mariupol", 47.1, 37.5)]
    missing = [tmp_path / "missing.geojson", tmp_path / "also-missing.geojson"]
    for paths in (missing, [broken, basemaps[1]], []):
        decode(render_map_png(places, title="No basemap", basemaps=paths))


def test_status_colours_a_comparison(basemaps: list[Path]) -> None:
    places = [make_place("A town", 47, 37, article="a"), make_place("B town", 48, 38, article="b"),
              make_place("Both", 49, 36, mentions=3)]
    status = {"A town": "only A", "B town": "only B", "Both": "both"}
    png = render_map_png(places, title="Compare", status=lambda p: status[p.name], basemaps=basemaps)
    decode(png)


def test_given_bounds_are_shown_and_places_outside_counted(basemaps: list[Path]) -> None:
    places = [make_place("Mariupol", 47.1, 37.5), make_place("Madrid", 40.4, -3.7, country="ES")]
    rendered = draw_map(places, title="View", bounds=(45, 30, 50, 40), basemaps=basemaps)
    south, west, north, east = rendered.view
    assert south <= 45 and west <= 30 and north >= 50 and east >= 40
    assert rendered.mapped == 1 and rendered.outside == 1


def test_places_across_the_antimeridian(basemaps: list[Path]) -> None:
    places = [make_place("Anadyr", 64.7, 177.5, country="RU"), make_place("Provideniya", 64.42, -173.23, country="RU"),
              make_place("Nome", 64.5, -165.4, country="US")]         # 800 km from Anadyr: outside the story
    rendered = draw_map(places, title="Bering", basemaps=basemaps)
    south, west, north, east = rendered.view
    assert east - west < 60                      # not the whole world the other way round
    assert {m.name for m in rendered.markers} >= {"Anadyr", "Provideniya"}
    assert _lon_extent([177.5, -165.4]) == (177.5, 194.6)
    # A view written across the antimeridian (west > east) is accepted too.
    decode(render_map_png(places, title="Bering", bounds=(60, 170, 70, -160), basemaps=basemaps))


def test_fit_view_fills_the_frame_with_cos_latitude_aspect() -> None:
    south, west, north, east = _fit_view((40, 20, 50, 30), [], aspect=2.0)
    import math
    k = math.cos(math.radians((south + north) / 2))
    assert (east - west) * k / (north - south) == pytest.approx(2.0, rel=1e-6)
    assert south <= 40 and north >= 50 and west <= 20 and east >= 30
    world = _fit_view(None, [], aspect=1.6)
    assert world[0] >= -90 and world[2] <= 90


def test_place_labels_greedy_rules() -> None:
    frame = Box(0, 0, 200, 100)
    anchors = [Anchor(100, 50, 5, 40, 10),      # first: takes the preferred position (east)
               Anchor(104, 50, 5, 40, 10),      # same spot: must go elsewhere
               Anchor(195, 50, 5, 40, 10),      # at the right edge: east would leave the frame
               Anchor(-50, 50, 5, 40, 10)]      # outside the frame: no position fits
    boxes = place_labels(anchors, frame, gap=2, pad=0)
    assert boxes[0] == Box(107, 45, 147, 55)
    assert boxes[1] is not None and not boxes[1].overlaps(boxes[0])
    assert boxes[2] is not None and boxes[2].x1 <= 200
    assert boxes[3] is None
    blocked = place_labels([Anchor(100, 50, 5, 40, 10)], frame, obstacles=[Box(0, 0, 200, 100)])
    assert blocked == [None]


def test_place_labels_keep_other_markers_visible_and_near_their_own() -> None:
    frame = Box(0, 0, 300, 200)
    own, other = Box(95, 95, 105, 105), Box(125, 95, 135, 105)   # another dot 30 px to the east
    [box] = place_labels([Anchor(100, 100, 5, 40, 10)], frame, markers=[own, other], gap=2, pad=0)
    assert box is not None and not box.overlaps(other)
    assert box.x1 <= 110                                          # went west, away from the other dot


# -- precision: approximate places are hollow rings over an uncertainty circle ------------------------
APPROX_TEXT = ("Russian forces shelled Stepne, Donetsk.\n\n"
               "Patients were trapped in Kamal Adwan Hospital in Beit Lahia.\n\n"
               "Veterans of the Soviet Union gathered in Kyiv on Monday.\n")


def approximate(place: Place, precision: str, container: str) -> Place:
    return replace(place, precision=precision, container=container)


def pixel(image, x: float, y: float):
    return image[int(round(y)), int(round(x))][:3]


def test_approximate_places_are_drawn_hollow_with_their_circle(basemaps: list[Path]) -> None:
    places = [approximate(make_place("Stepne", 47.6, 36.6), "admin1", "Donetska oblast"),   # off the test borders
              approximate(make_place("Kamal Adwan Hospital", 49.5, 33.0, kind="facility"), "town", "Poltava"),
              make_place("Kramatorsk", 48.7, 37.6, mentions=3), make_place("Atlantis", None, None)]
    rendered = draw_map(places, title="Precision", basemaps=basemaps)
    image = decode(rendered.png)
    drawn = {m.name: m for m in rendered.markers}
    assert set(drawn) == {"Stepne", "Kamal Adwan Hospital", "Kramatorsk"}       # Atlantis: no point, no marker
    assert rendered.mapped == 3 and rendered.unresolved == 1
    assert drawn["Stepne"].hollow and drawn["Kamal Adwan Hospital"].hollow and not drawn["Kramatorsk"].hollow
    assert drawn["Kramatorsk"].uncertainty == 0
    # the circle's radius follows the precision: a region's 120 km against a town's 10 km
    ratio = UNCERTAINTY_M["admin1"] / UNCERTAINTY_M["town"]
    measured = drawn["Stepne"].uncertainty / drawn["Kamal Adwan Hospital"].uncertainty
    assert measured == pytest.approx(ratio * math.cos(math.radians(49.5)) / math.cos(math.radians(47.6)), rel=0.02)
    # ... and in pixels it is as many km as the map's scale says
    south, west, north, east = rendered.view
    frame_width = 1600 - 2 * 22
    km_per_px = (east - west) * 111.195 * math.cos(math.radians(47.6)) / frame_width
    assert drawn["Stepne"].uncertainty * km_per_px == pytest.approx(120, rel=0.03)
    # filled: the exact place's centre is its kind's red; hollow: the approximate one's is (nearly) land
    r, g, _ = pixel(image, drawn["Kramatorsk"].x, drawn["Kramatorsk"].y)
    assert r - g > 0.3
    for name in ("Stepne", "Kamal Adwan Hospital"):
        r, g, b = pixel(image, drawn[name].x, drawn[name].y)
        assert min(r, g, b) > 0.8, name


def test_png_of_a_real_parse_with_approximate_and_unplaced_places(parser: Geoparser, basemaps: list[Path]) -> None:
    places = places_for([article_from_text(APPROX_TEXT)], parser)
    approximate_names = {p.name for p in places if p.approximate}
    assert {"Stepne", "Kamal Adwan Hospital"} <= approximate_names
    rendered = draw_map(places, title="Precision", basemaps=basemaps)
    decode(rendered.png)
    # two stories far apart of the same weight (Kyiv and Stepne, Donetsk; Beit Lahia and its hospital):
    # two scenes, both in the frame (geo.map.frame), nothing left outside
    assert {m.name for m in rendered.markers if m.hollow} == approximate_names
    assert {m.name for m in rendered.markers} == {p.name for p in places if p.resolved}
    only_ukraine = draw_map(places, title="Precision", basemaps=basemaps, bounds=(44, 22, 53, 41))
    assert {m.name for m in only_ukraine.markers if m.hollow} == approximate_names - {"Kamal Adwan Hospital"}
    assert {"Kamal Adwan Hospital", "Beit Lahia"} <= set(only_ukraine.off_frame)
    rendered = draw_map(places, title="Precision", basemaps=basemaps, bounds=(20, 20, 60, 50))
    assert {m.name for m in rendered.markers if m.hollow} == approximate_names
    assert rendered.unresolved == sum(not p.resolved for p in places)
    assert all(m.uncertainty > 0 for m in rendered.markers if m.hollow)
    assert_no_overlaps(rendered)


def test_uncertainty_ring_is_true_to_the_map() -> None:
    ring = uncertainty_ring(48.0, 37.0, 120_000)
    assert ring.shape == (97, 2) and tuple(ring[0]) == pytest.approx(tuple(ring[-1]))
    lat_span = (ring[:, 1].max() - ring[:, 1].min()) / 2
    lon_span = (ring[:, 0].max() - ring[:, 0].min()) / 2
    assert lat_span == pytest.approx(120 / 111.195, rel=0.01)
    assert lon_span == pytest.approx(120 / (111.195 * math.cos(math.radians(48.0))), rel=0.01)


def test_counts_note_tells_approximate_places() -> None:
    assert counts_note(3, 1, 0, 2) == "3 places on the map · 2 approximate · 1 without coordinates not shown"
    assert counts_note(1, 0, 0) == "1 place on the map"


# -- the story's frame, the current view, labels that are kept -------------------------------------------
@pytest.mark.parametrize("bounds", [(None, None, None, None), (47, None, 49, 39), (float("nan"), 1, 2, 3),
                                    (49, 36, 47, 39), ("47", "36", "49", "39"), (47, 36), None, "nonsense"],
                         ids=["all-none", "one-none", "nan", "upside-down", "strings", "short", "none", "garbage"])
def test_bounds_that_are_no_view_fall_back_to_the_story_frame(basemaps: list[Path], bounds) -> None:
    places = [make_place("Kramatorsk", 48.7, 37.6, mentions=3), make_place("Bakhmut", 48.6, 38.0, mentions=2),
              make_place("Washington", 38.9, -77.0, country="US")]
    rendered = draw_map(places, title="View", bounds=bounds, basemaps=basemaps)
    decode(rendered.png)
    assert rendered.view == draw_map(places, title="View", basemaps=basemaps).view
    south, west, north, east = rendered.view
    assert south < 48.6 and north > 48.7 and west < 37.6 and east > 38.0 and east - west < 20
    assert rendered.off_frame == ("Washington",)
    assert _fit_view((None, None, None, None), [], aspect=1.6) == _fit_view(None, [], aspect=1.6)


def test_a_current_view_is_kept_and_what_lies_outside_is_listed(basemaps: list[Path]) -> None:
    places = [make_place("Kramatorsk", 48.7, 37.6, mentions=3), make_place("Mariupol", 47.1, 37.5, mentions=2)]
    rendered = draw_map(places, title="View", bounds=(48.2, 37.0, 49.2, 38.4), basemaps=basemaps)
    assert [m.name for m in rendered.markers] == ["Kramatorsk"]
    assert rendered.off_frame == ("Mariupol",) and "Mariupol (S, " in rendered.footer[0]


def test_the_header_dates_the_story_and_the_footer_names_its_sources(basemaps: list[Path]) -> None:
    places = [make_place("Kramatorsk", 48.7, 37.6)]
    rendered = draw_map(places, title="T", subtitle="21 April 2022", basemaps=basemaps,
                        sources=[("Report $x$ one", "one.txt"), ("Report two", "pasted text"),
                                 ("Report two", "pasted text")])
    assert rendered.subtitle == "21 April 2022"
    assert rendered.footer[-1] == "Sources: Report $x$ one (one.txt); Report two (pasted text)"
    assert draw_map(places, title="T", basemaps=basemaps).subtitle.startswith("Exported on ")


def test_a_locator_map_shows_where_the_view_lies(basemaps: list[Path]) -> None:
    places = [make_place("Kramatorsk", 48.7, 37.6, mentions=3), make_place("Bakhmut", 48.6, 38.0)]
    rendered = draw_map(places, title="Locator", basemaps=basemaps)
    assert rendered.inset is not None
    assert all(not label.box.overlaps(rendered.inset) for label in rendered.labels if label.box)
    assert draw_map(places, title="Locator", basemaps=basemaps, locator=False).inset is None
    assert draw_map(places, title="Small", basemaps=basemaps, width_px=400, height_px=260).inset is None


CROWD = {"Rubizhne": (49.01, 38.38), "Kreminna": (49.05, 38.22), "Sievierodonetsk": (48.95, 38.49),
         "Lysychansk": (48.9, 38.43), "Chasiv Yar": (48.59, 37.83), "Kostiantynivka": (48.53, 37.71),
         "Bakhmut": (48.6, 38.0), "Toretsk": (48.39, 37.85), "Avdiivka": (48.14, 37.75), "Vuhledar": (47.78, 37.25),
         "Pokrovsk": (48.28, 37.18), "Kramatorsk": (48.73, 37.57), "Sloviansk": (48.85, 37.6),
         "Druzhkivka": (48.63, 37.53), "Horlivka": (48.3, 38.05), "Donetsk": (48.02, 37.8), "Makiivka": (48.05, 37.96)}


@pytest.mark.parametrize("size", [(1600, 1000), (800, 500), (560, 360)])
def test_every_core_label_is_drawn_or_listed(basemaps: list[Path], size: tuple[int, int]) -> None:
    places = [make_place(name, lat, lon, mentions=1 + i % 3) for i, (name, (lat, lon)) in enumerate(CROWD.items())]
    places.append(make_place("Washington", 38.9, -77.0, country="US", mentions=5))
    rendered = draw_map(places, title="Crowded front", basemaps=basemaps, width_px=size[0], height_px=size[1])
    assert_no_overlaps(rendered)
    labels = {label.name: label for label in rendered.labels}
    for name in CROWD:
        assert labels[name].core and (labels[name].box is not None or name in rendered.unlabelled), name
    assert rendered.off_frame == ("Washington",)
    if size == (1600, 1000):
        assert rendered.unlabelled == ()
    if rendered.unlabelled:
        assert "Not labelled (no room): " in rendered.footer[0]
    print(f"\n{size}: {sum(label.leader for label in labels.values())} leader lines, "
          f"unlabelled {rendered.unlabelled}")


def test_a_label_that_must_stay_moves_out_with_a_leader_line() -> None:
    frame = Box(0, 0, 300, 200)
    # four markers around the first leave no room next to it: it is drawn farther out
    anchors = [Anchor(150, 100, 5, 40, 10)]
    blocked = [Box(100, 80, 210, 120)]                     # e.g. other labels all around it
    assert place_labels(anchors, frame, obstacles=blocked, gap=2, pad=0) == [None]
    [box] = place_labels(anchors, frame, obstacles=blocked, gap=2, pad=0, leaders=[True])
    assert box is not None and not box.overlaps(blocked[0]) and box.inside(frame)
    from geo.map.render_png import needs_leader
    assert needs_leader(anchors[0], box, 2, 0)


def test_a_map_coloured_by_event_type(basemaps: list[Path]) -> None:
    """`by_event` paints each place in its main event type's colour (grey without one), as the live map."""
    shelled = make_place("Kharkiv", 50.0, 36.2, mentions=4)
    quiet = make_place("Lviv", 49.8, 24.0, mentions=4)
    p = shelled.mentions[0].passage
    event = Event("Explosions/Remote violence", "Shelling/artillery/missile attack", 0, 7, "Kharkiv",
                  ((0, 7),), EventPlace(0, 7, "Kharkiv", "exact"), (), None, "", (p.start, p.end))
    shelled = replace(shelled, mentions=(replace(shelled.mentions[0], event=event), *shelled.mentions[1:]))
    assert shelled.event_type == "Explosions/Remote violence"
    rendered = draw_map([shelled, quiet], title="Events", basemaps=basemaps, by_event=True)
    image = decode(rendered.png)
    for name, colour in (("Kharkiv", EVENT_COLOUR["Explosions/Remote violence"]), ("Lviv", NO_EVENT_COLOUR)):
        (m,) = [m for m in rendered.markers if m.name == name]
        pixel = image[round(m.y), round(m.x), :3]
        # the marker's fill over the land: nearer its event colour than any other colour of the set
        nearest = min([*EVENT_COLOUR.values(), NO_EVENT_COLOUR],
                      key=lambda c: sum((pixel[i] - int(c[1 + 2 * i:3 + 2 * i], 16) / 255) ** 2 for i in range(3)))
        assert nearest == colour, name


# -- a shared image that reads well (issue 16, item 8) ------------------------------------------------------
LAND_RGB, SEA_RGB = (0xF4 / 255, 0xF1 / 255, 0xEA / 255), (0xDB / 255, 0xE9 / 255, 0xF4 / 255)


def near(rgb, target, tol: float = 0.04) -> bool:
    return all(abs(float(a) - b) <= tol for a, b in zip(rgb, target, strict=False))


def at_lon_lat(rendered: RenderedMap, image, lon: float, lat: float):
    """The pixel of (lon, lat) in the PNG (the map is equirectangular within its axes)."""
    south, west, north, east = rendered.view
    frame = [m for m in rendered.markers]           # the axes' pixels, from two markers' known positions
    a, b = frame[0], frame[1]
    ma = next(p for p in GREEK if p[0] == a.name)
    mb = next(p for p in GREEK if p[0] == b.name)
    sx = (b.x - a.x) / (mb[2] - ma[2])
    sy = (b.y - a.y) / (mb[1] - ma[1])
    return pixel(image, a.x + (lon - ma[2]) * sx, a.y + (lat - ma[1]) * sy)


GREEK = (("Patras", 38.246, 21.735), ("Corinth", 37.939, 22.932), ("Athens", 37.984, 23.728),
         ("Delphi", 38.48, 22.494), ("Nafpaktos", 38.392, 21.828))


def test_coasts_are_fine_enough_that_a_gulf_is_water() -> None:
    # a story around the Gulf of Corinth, drawn on the bundled basemap: the gulf between Patras and
    # Corinth is water (the live map's light outline, simplified to ~30 km, fills it with land)
    places = [make_place(name, lat, lon, country="GR") for name, lat, lon in GREEK]
    rendered = draw_map(places, title="Gulf of Corinth", locator=False)
    image = decode(rendered.png)
    for lon, lat in ((22.45, 38.2), (22.2, 38.25), (22.7, 38.08)):
        assert near(at_lon_lat(rendered, image, lon, lat), SEA_RGB), (lon, lat)
    assert near(at_lon_lat(rendered, image, 22.3, 37.7), LAND_RGB)         # the Peloponnese is land


def test_the_countries_and_seas_in_view_are_named() -> None:
    places = [make_place("Odesa", 46.48, 30.73, mentions=3), make_place("Mariupol", 47.1, 37.55, mentions=4),
              make_place("Sevastopol", 44.6, 33.52), make_place("Varna", 43.21, 27.91, country="BG")]
    view = (41.5, 26.5, 48.5, 39.5)         # the view on screen, around the Black Sea
    rendered = draw_map(places, title="Black Sea ports", bounds=view)
    assert {"Russia", "Romania", "Moldova", "Black Sea", "Sea of Azov"} <= set(rendered.context_labels)
    assert {"Ukraine", "Bulgaria", "Turkey"} <= set(rendered.context_labels)
    assert {label.name for label in rendered.labels if label.box} == {p.name for p in places}
    # the story's frame (Ukraine's ports): the countries around it are named too, and Russia, whose
    # label point is far east, where its land is in the frame
    framed = draw_map(places, title="Black Sea ports")
    assert {"Russia", "Ukraine", "Sea of Azov"} <= set(framed.context_labels)
    # a country the story names on the map is named by its own label, not twice
    named = draw_map([*places, make_place("Ukraine", 47.0, 31.0, kind="country", mentions=5)], title="T", bounds=view)
    assert "Ukraine" not in named.context_labels


def test_a_country_level_place_is_a_small_symbol_not_a_huge_circle() -> None:
    ukraine = make_place("Ukraine", 49.0, 31.0, kind="country", mentions=30)
    donbas = make_place("Donbas", 48.0, 37.8, kind="region", mentions=12)
    somewhere = approximate(make_place("Somewhere", 49.0, 31.0, mentions=2), "country", "Ukraine")
    town = make_place("Kramatorsk", 48.72, 37.56, mentions=12)
    rendered = draw_map([ukraine, donbas, somewhere, town], title="T", bounds=(45, 29, 52, 40))
    drawn = {m.name: m for m in rendered.markers}
    assert drawn["Ukraine"].radius <= 8 and drawn["Donbas"].radius <= 8        # pixels, however often named
    assert drawn["Kramatorsk"].radius > 2 * drawn["Donbas"].radius             # a town still grows with mentions
    assert drawn["Somewhere"].hollow and drawn["Somewhere"].uncertainty == 0    # no 400 km circle
    assert {label.name for label in rendered.labels if label.box} >= {"Ukraine", "Donbas", "Somewhere"}


LONG_TITLE = ("President Vladimir Putin has ordered Russian forces to cancel their plans to storm a Mariupol steel "
              "plant under which hundreds of Ukrainian troops and civilians are sheltering, officials said")
SOURCES = [("Azovstal steel plant: Putin orders his troops not to storm last Ukrainian stronghold in Mariupol",
            "itv-azovstal-version-a.txt"), (LONG_TITLE, "itv-azovstal-version-b.txt"),
           ("Third report on the siege of the steel plant", "pasted text")]


def whole_words_of(drawn: str, original: str) -> bool:
    """Whether `drawn` is `original` or its start cut after a whole word, with "…"."""
    if drawn == original:
        return True
    body = drawn.removesuffix("…")
    return drawn.endswith("…") and original.startswith(body) and original[len(body)] in " ,;:"


@pytest.mark.parametrize("size", [(1600, 1000), (800, 500)])
def test_titles_and_sources_are_cut_at_word_boundaries(basemaps: list[Path], size: tuple[int, int]) -> None:
    places = [make_place("Mariupol", 47.1, 37.55, mentions=5)]
    rendered = draw_map(places, title=LONG_TITLE, basemaps=basemaps, sources=SOURCES, width_px=size[0],
                        height_px=size[1])
    title, sources = rendered.texts[0], rendered.texts[-1]
    assert whole_words_of(title, LONG_TITLE)
    assert sources.startswith("Sources: ")
    shown = [part.rsplit(" (", 1) for part in sources.removeprefix("Sources: ").split("; ")]
    for (text, name), (original, file_name) in zip(shown, SOURCES, strict=False):
        assert name.split(")")[0] == file_name             # every source shown keeps its file's name
        assert whole_words_of(text, original)
    if len(shown) < len(SOURCES):
        assert sources.endswith(f" and {len(SOURCES) - len(shown)} more")


def test_shorten_to_fit_never_cuts_a_word() -> None:
    from geo.map.png_text import shorten_to_fit

    assert shorten_to_fit("one two three four", lambda s: len(s) <= 12) == "one two…"
    assert shorten_to_fit("one two", lambda s: True) == "one two"
    assert shorten_to_fit("Supercalifragilistic", lambda s: len(s) <= 6) == "Super…"   # one word: no boundary
