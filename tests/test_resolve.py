"""Tests for geo.engine.resolve: which gazetteer entry each mention means, in the context of its article."""

from __future__ import annotations

import numpy as np
import pytest
from geopy.distance import distance

from geo.engine.pipeline import Geoparser
from geo.engine.recognize import Mention
from geo.engine.resolve import ResolvedMention, Resolver, haversine_km, resolve_mentions
from geo.gazetteer import PlaceIndex


@pytest.fixture(scope="module", params=["parser", "fast_parser"])
def any_parser(request: pytest.FixtureRequest) -> Geoparser:
    return request.getfixturevalue(request.param)


def resolved(parser: Geoparser, text: str, name: str) -> list[ResolvedMention]:
    """The resolved mentions called `name` (there must be at least one)."""
    found = [r for r in parser.parse(text) if r.mention.name == name]
    assert found, f"{name!r} not recognised in {text!r}: {[r.mention.name for r in parser.parse(text)]}"
    return found


def place_of(parser: Geoparser, text: str, name: str) -> tuple[str, str, str]:
    """(kind, country, admin1) of every mention called `name`; they must agree."""
    places = {(r.place.kind, r.place.country, r.place.admin1) for r in resolved(parser, text, name)
              if r.place is not None}
    assert len(places) == 1, places
    return places.pop()


def test_paris_texas(any_parser: Geoparser) -> None:
    text = "Paris, Texas, is a small town."
    assert place_of(any_parser, text, "Paris") == ("city", "US", "US.TX")
    assert place_of(any_parser, text, "Texas") == ("admin1", "US", "US.TX")


def test_bare_paris_is_in_france(any_parser: Geoparser) -> None:
    kind, country, _ = place_of(any_parser, "Thousands marched in Paris on Saturday.", "Paris")
    assert (kind, country) == ("city", "FR")
    [r] = resolved(any_parser, "Thousands marched in Paris on Saturday.", "Paris")
    assert distance((r.lat, r.lon), (48.8566, 2.3522)).km < 10


def test_springfield_illinois(any_parser: Geoparser) -> None:
    assert place_of(any_parser, "Springfield, Illinois, is the state capital.", "Springfield") \
        == ("city", "US", "US.IL")


GEORGIA_US = ("A storm hit Georgia on Monday. Officials in Atlanta and Savannah opened shelters, "
              "and schools across Georgia stayed closed.")
GEORGIA_COUNTRY = ("Protesters filled the streets of Tbilisi on Sunday. Georgia's parliament "
                   "debated the bill, and Georgia's president said she would veto it.")


def test_georgia_with_atlanta_and_savannah_is_the_us_state(any_parser: Geoparser) -> None:
    assert place_of(any_parser, GEORGIA_US, "Georgia") == ("admin1", "US", "US.GA")
    assert place_of(any_parser, GEORGIA_US, "Atlanta")[1:] == ("US", "US.GA")


def test_georgia_with_tbilisi_is_the_country(any_parser: Geoparser) -> None:
    assert place_of(any_parser, GEORGIA_COUNTRY, "Georgia")[:2] == ("country", "GE")
    [tbilisi] = resolved(any_parser, GEORGIA_COUNTRY, "Tbilisi")   # the city or its own region
    assert tbilisi.place.country == "GE"
    assert distance((tbilisi.lat, tbilisi.lon), (41.69, 44.83)).km < 30


@pytest.mark.parametrize(("text", "name", "kind", "country"), [
    ("Air raid sirens sounded in Kyiv overnight.", "Kyiv", "city", "UA"),
    ("Shelling continued in the Luhansk region.", "Luhansk region", "admin1", "UA"),
    ("Ukraine said it would not give up.", "Ukraine", "country", "UA"),
    ("Fighting near Kramatorsk, Ukraine.", "Kramatorsk", "city", "UA"),
    ("CHARLESTON, W.Va. \u2014 The governor signed the bill.", "CHARLESTON", "city", "US"),
    ("The launch was in northern Russia.", "northern Russia", "country", "RU"),
])
def test_kind_and_country(any_parser: Geoparser, text: str, name: str, kind: str, country: str) -> None:
    assert place_of(any_parser, text, name)[:2] == (kind, country)


def test_kyiv_is_the_city_near_its_real_point(any_parser: Geoparser) -> None:
    [r] = resolved(any_parser, "Air raid sirens sounded in Kyiv overnight.", "Kyiv")
    assert distance((r.lat, r.lon), (50.45, 30.52)).km < 30


def test_dateline_city_is_in_its_state(any_parser: Geoparser) -> None:
    assert place_of(any_parser, "CHARLESTON, W.Va. \u2014 The governor signed the bill.", "CHARLESTON") \
        == ("city", "US", "US.WV")


def test_directional_mention_moves_the_point(any_parser: Geoparser, index: PlaceIndex) -> None:
    [north] = resolved(any_parser, "The launch was in northern Russia.", "northern Russia")
    [south] = resolved(any_parser, "The floods hit southern Russia.", "southern Russia")
    assert north.place.name == south.place.name == "Russia"
    assert north.label == "northern Russia"
    towns = index.member_points(north.place.row)
    assert north.lat > np.median(towns[:, 0]) > south.lat     # north and south of where Russians live
    assert north.lat > south.lat + 5
    [plain] = resolved(any_parser, "The launch was in Russia.", "Russia")
    assert (plain.lat, plain.lon) == (plain.place.lat, plain.place.lon)


EVERYDAY_TEXTS = [
    "Air raid sirens sounded in Kyiv overnight.",
    "Paris, Texas, is a small town. Paris is the capital of France.",
    GEORGIA_US,
    GEORGIA_COUNTRY,
    "Russian forces advanced from the Donbas toward Kramatorsk, Sloviansk and Zaporizhzhia.",
    "Springfield, Illinois, and Springfield, Missouri, both claim the title.",
]


@pytest.mark.parametrize("text", EVERYDAY_TEXTS)
def test_confidence_and_alternatives(any_parser: Geoparser, text: str) -> None:
    results = any_parser.parse(text)
    assert results
    for r in results:
        assert r.place is not None, r.mention
        assert 0.0 < r.confidence <= 1.0
        assert r.lat is not None and r.lon is not None
        assert r.place.row not in {a.row for a in r.alternatives}
        scores = [r.place.score] + [a.score for a in r.alternatives]
        assert scores == sorted(scores, reverse=True), scores
        assert len({a.row for a in r.alternatives}) == len(r.alternatives)


def test_ambiguous_names_keep_their_alternatives(any_parser: Geoparser) -> None:
    [r] = resolved(any_parser, "Thousands marched in Paris on Saturday.", "Paris")
    assert any(a.country == "US" for a in r.alternatives)
    assert r.confidence < 1.0


def test_results_follow_the_mentions(index: PlaceIndex) -> None:
    text = "Kyiv, then Paris, then Kyiv again."
    mentions = [Mention(0, 4, "Kyiv", index.lookup("Kyiv"), lookup_name="Kyiv"),
                Mention(11, 16, "Paris", index.lookup("Paris"), lookup_name="Paris"),
                Mention(23, 27, "Kyiv", index.lookup("Kyiv"), lookup_name="Kyiv")]
    assert [text[m.start:m.end] for m in mentions] == ["Kyiv", "Paris", "Kyiv"]
    results = Resolver(index).resolve(mentions)
    assert [r.mention for r in results] == mentions
    assert results[0].place == results[2].place         # one decision per name
    assert resolve_mentions(mentions, index)[1].place.country == "FR"


def test_unresolved_mentions(index: PlaceIndex) -> None:
    unknown = Mention(0, 15, "Xqzzyplorbville", (), ner_label="GPE", lookup_name="Xqzzyplorbville")
    known = Mention(19, 23, "Kyiv", index.lookup("Kyiv"), lookup_name="Kyiv")
    [r, k] = Resolver(index).resolve([unknown, known])
    assert r.place is None and r.lat is None and r.lon is None
    assert r.confidence == 0.0 and r.alternatives == ()
    assert r.label == "Xqzzyplorbville"
    assert k.place is not None and k.place.kind == "city"
    assert Resolver(index).resolve([]) == []


def test_dublin_next_to_cork_is_in_ireland(any_parser: Geoparser) -> None:
    [r] = resolved(any_parser, "Protests in Dublin and Cork.", "Dublin")
    assert distance((r.lat, r.lon), (53.35, -6.26)).km < 50


def test_haversine_km() -> None:
    kyiv, moscow = (50.45, 30.52), (55.75, 37.62)
    assert haversine_km(*kyiv, *moscow) == pytest.approx(distance(kyiv, moscow).km, rel=0.01)
    assert haversine_km(*kyiv, *kyiv) == 0.0
    many = haversine_km(np.array([50.45, 55.75]), np.array([30.52, 37.62]), 50.45, 30.52)
    assert many.shape == (2,) and many[0] == 0.0 and many[1] == pytest.approx(756, abs=10)


# -- how names stand together: containers, lists, cues, one sense per discourse ----------------
def test_region_after_place_and_comma_is_the_container(any_parser: Geoparser) -> None:
    text = "A nine-year-old girl from Buffalo, New York, died of the flu on Sunday."
    assert place_of(any_parser, text, "New York") == ("admin1", "US", "US.NY")
    assert place_of(any_parser, text, "Buffalo")[1:] == ("US", "US.NY")


def test_a_list_of_states_holds_states(any_parser: Geoparser) -> None:
    text = "Cases were reported in Arizona, Oregon, Washington, Pennsylvania and Ohio this week."
    for name in ("Washington", "Pennsylvania", "Oregon"):
        kind, country, _ = place_of(any_parser, text, name)
        assert (kind, country) == ("admin1", "US"), name


def test_two_states_joined_by_and(any_parser: Geoparser) -> None:
    text = "He planned a concert series in New Jersey and New York for the new year."
    assert place_of(any_parser, text, "New York") == ("admin1", "US", "US.NY")


def test_a_list_of_countries_is_not_a_place_region_pair(any_parser: Geoparser) -> None:
    text = "Many countries, among them China, Japan, and the United Kingdom, warned the agency."
    assert place_of(any_parser, text, "China")[:2] == ("country", "CN")
    assert place_of(any_parser, text, "Japan")[:2] == ("country", "JP")


def test_the_state_of(any_parser: Geoparser) -> None:
    text = "The first case was discovered in 2003 in the state of Washington, officials said."
    assert place_of(any_parser, text, "Washington") == ("admin1", "US", "US.WA")


def test_an_office_after_the_name_says_its_level(any_parser: Geoparser) -> None:
    text = "Flu spread early this winter. The New York governor declared a public health emergency."
    assert place_of(any_parser, text, "New York") == ("admin1", "US", "US.NY")


def test_one_sense_per_discourse(any_parser: Geoparser) -> None:
    text = ("Patients will be sent to other hospitals in the province of Ontario. Doctors in Ontario "
            "say the beds are full, and families in Ontario are worried.")
    places = {(r.place.kind, r.place.country) for r in resolved(any_parser, text, "Ontario")}
    assert places == {("admin1", "CA")}


def test_the_nearest_country_decides_in_a_roundup(any_parser: Geoparser) -> None:
    filler = "Health officials urged people to wash their hands and stay at home when ill. " * 12
    text = ("Brazil reported new cases in Rio Grande do Sul, Santa Catarina and Minas Gerais. " + filler
            + "In Chile, the Institute of Public Health in Santiago confirmed 393 cases.")
    assert place_of(any_parser, text, "Santiago")[:2] == ("city", "CL")


# -- war reporting: bare cities, named containers, honest precision -------------------------------

def only(parser: Geoparser, text: str, name: str) -> ResolvedMention:
    [r] = resolved(parser, text, name)
    return r


@pytest.mark.parametrize(("text", "names"), [
    ("Drones struck Kherson and Sumy before dawn.", ["Kherson", "Sumy"]),
    ("Officials in Poltava said the attack killed two.", ["Poltava"]),
    ("Thousands marched in Zürich.", ["Zürich"]),
    ("The fighting spread to Sennar and Gedaref.", ["Sennar", "Gedaref"]),
    ("Aid ships docked in Port Sudan on the Red Sea.", ["Port Sudan"]),
])
def test_a_bare_city_name_is_the_city(any_parser: Geoparser, text: str, names: list[str]) -> None:
    for name in names:
        r = only(any_parser, text, name)
        assert r.precision == "exact" and r.place.kind == "city", (name, r.place)


def test_the_red_sea_is_the_sea(any_parser: Geoparser) -> None:
    r = only(any_parser, "Aid ships docked in Port Sudan on the Red Sea.", "Red Sea")
    assert r.place.kind == "water"


@pytest.mark.parametrize(("text", "name"), [
    ("Shelling continued in the Luhansk region overnight.", "Luhansk region"),
    ("The Luhansk governor said the town had fallen.", "Luhansk"),
    ("Residents fled Havrylivka, Kyiv oblast.", "Kyiv oblast"),
])
def test_region_cues_still_name_the_region(any_parser: Geoparser, text: str, name: str) -> None:
    assert only(any_parser, text, name).place.kind == "admin1"


@pytest.mark.parametrize(("text", "name", "region"), [
    ("Russian troops attacked Dmytrivka, Kharkiv, at dawn.", "Dmytrivka", "UA.07"),
    ("Residents fled Havrylivka, Kyiv oblast.", "Havrylivka", "UA.13"),
    ("Russian forces shelled Stepne, Donetsk.", "Stepne", "UA.05"),
    ("Ukrainian troops advanced near Robotyne, Zaporizhzhia region.", "Robotyne", "UA.26"),
    ("Russian forces shelled Orikhiv, Zaporizhia.", "Orikhiv", "UA.26"),
])
def test_a_named_container_rules_out_namesakes_elsewhere(any_parser: Geoparser, index: PlaceIndex, text: str,
                                                          name: str, region: str) -> None:
    r = only(any_parser, text, name)
    assert r.lat is not None
    if r.precision == "exact":          # a place of that name in that region
        assert r.place.admin1 == region
    else:                               # else the region stands in, and says so
        assert r.precision == "admin1" and r.place is None and r.container.admin1 == region
        assert (r.lat, r.lon) == (r.container.lat, r.container.lon)


def test_containers_in_brackets_and_districts(any_parser: Geoparser) -> None:
    r = only(any_parser, "M23 rebels clashed with the army near Bunagana (Rutshuru, Nord-Kivu).", "Bunagana")
    assert r.precision != "exact" and r.container.country == "CD" and r.lat is not None
    r = only(any_parser, "Soldiers were ambushed in Barangay San Isidro, Northern Samar.", "San Isidro")
    assert r.precision in ("exact", "admin2") and (r.place or r.container).admin1 == "PH.08"


def test_near_a_town_is_placed_at_the_town_approximately(any_parser: Geoparser) -> None:
    text = "Heavy fighting was reported in Klishchiivka, south of Bakhmut."
    r = only(any_parser, text, "Klishchiivka")
    bakhmut = only(any_parser, text, "Bakhmut")
    assert r.precision == "town" and r.place is None and r.container.row == bakhmut.place.row
    assert r.label == "Klishchiivka"


def test_a_facility_in_a_town_is_placed_by_the_town(any_parser: Geoparser) -> None:
    text = "Doctors in Kamal Adwan Hospital in Beit Lahia treated the wounded."
    r = only(any_parser, text, "Kamal Adwan Hospital")
    assert r.precision == "town" and r.container.country == "PS"
    alone = only(any_parser, "Doctors in Kamal Adwan Hospital treated the wounded.", "Kamal Adwan Hospital")
    assert alone.precision == "unplaced" and alone.lat is None     # never Kamal, Indonesia


def test_an_unknown_village_with_nothing_to_place_it_is_unplaced(any_parser: Geoparser) -> None:
    r = only(any_parser, "Monitors recorded explosions near Sakhanka.", "Sakhanka")
    assert (r.precision, r.lat, r.place) == ("unplaced", None, None)


def test_an_unknown_village_in_a_story_about_one_region(any_parser: Geoparser) -> None:
    text = ("Russian forces shelled Kramatorsk and Sloviansk on Monday. Artillery also hit Bakhmut. "
            "Ukrainian forces said they repelled an attack near Yampolivka.")
    r = only(any_parser, text, "Yampolivka")
    assert r.precision == "admin1" and r.container.admin1 == "UA.05"     # the story's region, said so


def test_a_name_only_villages_bear_is_not_stated_as_exact(any_parser: Geoparser) -> None:
    # dozens of villages are called so, none of them big: no one point is stated as the place
    r = only(any_parser, "Monitors recorded explosions near Novooleksandrivka.", "Novooleksandrivka")
    assert r.precision != "exact" or r.confidence >= 0.4
    if r.precision != "exact":
        assert r.place is None and r.container.kind in ("admin1", "country") and r.alternatives


def test_organisations_are_not_placed(any_parser: Geoparser) -> None:
    parsed = any_parser.parse("Hamas said the strikes on Rafah killed 20. Hezbollah fired rockets.")
    assert [r.mention.name for r in parsed] == ["Rafah"]


def test_a_head_word_far_from_the_story_is_not_placed(index: PlaceIndex) -> None:
    # "Kamal" read only as the head of a longer name, in a story placed in Gaza: not Kamal, Indonesia
    text = "Gaza City and Khan Younis were shelled. Kamal Adwan treated the wounded."

    def mention(name: str, **options) -> Mention:
        return Mention(text.index(name), text.index(name) + len(name), name, index.lookup(name), lookup_name=name,
                       **options)

    kamal = mention("Kamal", head_only=True)
    gaza, khan = mention("Gaza City"), mention("Khan Younis")
    out = {r.mention.name: r for r in Resolver(index).resolve([gaza, khan, kamal])}
    assert out["Kamal"].precision == "unplaced" and out["Kamal"].lat is None
    assert out["Kamal"].alternatives and out["Kamal"].alternatives[0].country == "ID"
    assert out["Gaza City"].precision == "exact"


@pytest.mark.parametrize(("text", "name", "country"), [
    ("Shelling hit Vinnytsia near Zhytomyr.", "Vinnytsia", "UA"),      # "near" is loose for a city
    ("Ukraine said missiles struck Uman.", "Uman", "UA"),              # a town, not Oman's native name
])
def test_well_known_towns_stay_themselves(any_parser: Geoparser, text: str, name: str, country: str) -> None:
    r = only(any_parser, text, name)
    assert r.precision == "exact" and r.place.kind == "city" and r.place.country == country


def test_a_head_word_with_no_story_to_vouch_for_it_is_not_placed(index: PlaceIndex) -> None:
    # "Kamal" of "Kamal Adwan treated the wounded.", alone in its text
    kamal = Mention(0, 5, "Kamal", index.lookup("Kamal"), lookup_name="Kamal", head_only=True)
    [out] = Resolver(index).resolve([kamal])
    assert out.precision == "unplaced" and out.alternatives[0].country == "ID"


@pytest.mark.parametrize("text", [
    "Staff at Kamal Adwan Hospital said the building had lost power.",
    "Patients were moved from the Kamal Adwan Hospital overnight.",
])
def test_a_facility_named_after_a_person_is_the_facility_not_a_town(any_parser: Geoparser, text: str) -> None:
    parsed = any_parser.parse(text)
    assert all(r.place is None or r.place.country != "ID" for r in parsed), parsed
    named = [r for r in parsed if "Kamal" in r.mention.name]
    assert all(r.mention.name == "Kamal Adwan Hospital" for r in named), named


def test_a_named_facility_in_a_story_takes_the_town_it_is_in(parser: Geoparser) -> None:
    # with the NER (the rules alone leave a name they cannot read as a place out)
    r = only(parser, "Staff at Kamal Adwan Hospital in Beit Lahia said the building had lost power.",
             "Kamal Adwan Hospital")
    assert r.precision == "town" and r.container.name == "Bayt Lāhyā"


def test_a_name_placed_by_its_container_once_is_placed_there_everywhere(any_parser: Geoparser) -> None:
    text = ("Famine grips Zamzam camp\n\nAid agencies said the Zamzam camp near El Fasher was shelled again. "
            "Families fled Zamzam camp overnight.")
    found = resolved(any_parser, text, "Zamzam")
    assert len(found) == 3
    assert {(r.precision, r.container.name if r.container else None) for r in found} == {("town", "El Fasher")}


@pytest.mark.parametrize("text", [
    "In Deir al-Balah, aid workers said the crossings remained closed.",
    "Officials in Deir El Balah said the hospital was full.",
])
def test_a_town_spelled_like_its_region_is_the_town(any_parser: Geoparser, text: str) -> None:
    name = "Deir al-Balah" if "al-" in text else "Deir El Balah"
    r = only(any_parser, text, name)
    assert r.precision == "exact" and r.place.kind == "city" and r.place.country == "PS"


def test_a_place_tagged_as_a_person_elsewhere_stays_a_place(parser: Geoparser) -> None:
    # The small NER model tags "KHAN YOUNIS" (a dateline) and "Khan Younis" as people: neither tag is
    # evidence against the other mentions of the same name.
    text = ("Strikes hit Rafah and Khan Younis overnight\n\n"
            "KHAN YOUNIS, Gaza Strip, 12 May 2024 — Israeli strikes hit Rafah and Khan Younis overnight, "
            "health officials said.")
    found = [r for r in parser.parse(text) if r.mention.name.casefold() == "khan younis"]
    assert len(found) == 3 and {r.place.country for r in found} == {"PS"}


def test_a_regions_uncertainty_is_how_far_its_towns_lie(parser: Geoparser) -> None:
    # the circle around a village placed at its region's point is as large as the region's towns are
    # spread: an oblast's ~100 km, a Gaza governorate's tens of kilometres
    oblast = only(parser, "Russian forces shelled Stepne, Donetsk.", "Stepne")
    assert oblast.precision == "admin1" and 60 < oblast.uncertainty_km < 200
    gaza = only(parser, "Families fled toward al-Mawasi, Gaza.", "al-Mawasi")
    assert gaza.precision == "admin1" and 5 <= gaza.uncertainty_km < 60
    exact = only(parser, "Russian forces shelled Kramatorsk.", "Kramatorsk")
    assert exact.uncertainty_km == 0.0


@pytest.mark.parametrize(("text", "precision", "container"), [
    ("In North Darfur, the camp was shelled again, and families fled to Tawila.", "admin1", "North Darfur"),
    ("In the Kharkiv region, residents fled to Tawila.", "admin1", "Kharkivska oblast"),
    ("In Kharkiv, residents fled to Tawila.", "unplaced", None),        # a city opening a sentence holds nothing
    ("Families fled to Tawila. In North Darfur, it rained.", "unplaced", None),   # another sentence
])
def test_a_region_opening_a_sentence_holds_its_unknown_names(parser: Geoparser, text: str, precision: str,
                                                             container: str | None) -> None:
    r = only(parser, text, "Tawila")
    assert r.precision == precision and (r.container.name if r.container else None) == container


def test_a_region_opening_a_sentence_leaves_known_names_alone(any_parser: Geoparser) -> None:
    r = only(any_parser, "In Donetsk region, officials welcomed the Paris summit.", "Paris")
    assert r.precision == "exact" and r.place.country == "FR"
