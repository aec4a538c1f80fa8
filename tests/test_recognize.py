"""Tests for geo.engine.recognize: exact spans, cues and directions, and words that are not places."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.engine.ner import SpacyNER
from geo.engine.recognize import Mention, Recognizer, find_mentions, tokenize
from geo.files.articles import Article
from geo.gazetteer import PlaceIndex


@pytest.fixture(scope="module")
def fast_recognizer(index: PlaceIndex) -> Recognizer:
    return Recognizer(index)


@pytest.fixture(scope="module")
def ner_recognizer(index: PlaceIndex, ner_status: tuple[SpacyNER | None, str]) -> Recognizer:
    model, reason = ner_status
    if model is None:
        pytest.skip(f"NER unavailable: {reason}")
    return Recognizer(index, model)


@pytest.fixture(scope="module", params=["fast", "ner"])
def recognizer(request: pytest.FixtureRequest) -> Recognizer:
    return request.getfixturevalue(f"{request.param}_recognizer")


def check_spans(text: str, mentions: list[Mention]) -> None:
    """Every span is exact and inside the text; mentions are in order and do not overlap."""
    previous_end = 0
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text), m
        assert text[m.start:m.end] == m.name, m
        assert m.start >= previous_end, (m, mentions)
        assert m.lookup_name and m.lookup_name in m.name, m
        previous_end = m.end


def covering(mentions: list[Mention], text: str, phrase: str) -> list[Mention]:
    """Mentions that overlap any occurrence of `phrase` in `text`."""
    spans, at = [], text.find(phrase)
    while at >= 0:
        spans.append((at, at + len(phrase)))
        at = text.find(phrase, at + 1)
    assert spans, f"{phrase!r} is not in the test text"
    return [m for m in mentions if any(m.start < e and s < m.end for s, e in spans)]


# -- spans ---------------------------------------------------------------------------------------

SAMPLES = [
    "Shelling hit Kramatorsk, in the Donetsk region, on Tuesday.",
    "Paris, Texas, is quiet; Paris is not.",
    "CHARLESTON, W.Va. \u2014 The governor of West Virginia spoke in Charleston.",
    "Troops moved from northern Russia into eastern Ukraine and the Luhansk region.",
    "Fighting near Kreminna,\nRubizhne and Popasna. Zaporizhzhia\u2019s mayor said so.",
    "C\u00f4te d\u2019Ivoire, S\u00e3o Paulo and M\u00fcnchen \u2014 caf\u00e9s in Z\u00fcrich. "
    "\U0001f1fa\U0001f1e6 Kyiv",
    "",
    "   \n\n  ",
    "no capitals at all here.",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_spans_are_exact_on_samples(recognizer: Recognizer, text: str) -> None:
    check_spans(text, recognizer.find(text))


def test_spans_are_exact_on_the_seed_articles(recognizer: Recognizer, seed_a: Article,
                                              seed_b: Article) -> None:
    for article in (seed_a, seed_b):
        mentions = recognizer.find(article.text)
        assert len(mentions) > 30
        check_spans(article.text, mentions)


def test_find_mentions_is_the_recognizer(index: PlaceIndex) -> None:
    text = "Shelling hit Kramatorsk, in the Donetsk region."
    assert [m.name for m in find_mentions(text, index)] == ["Kramatorsk", "Donetsk region"]


def test_tokenize_spans() -> None:
    text = "In Kyiv.\nU.S. troops \u2014 Zaporizhzhia\u2019s mayor"
    tokens = tokenize(text)
    assert all(text[t.start:t.end] == t.text for t in tokens)
    assert [t.text for t in tokens][:4] == ["In", "Kyiv", "U.S.", "troops"]
    assert tokens[0].sentence_start and tokens[2].sentence_start and not tokens[1].sentence_start


PLACE_PIECES = ["Kyiv", "Paris, Texas", "the Luhansk region", "northern Russia", "Mariupol", "Georgia",
                "Washington, D.C.", "W.Va.", "U.S.", "UK", "NATO", "Vladimir Putin", "May 9", "Côte d'Ivoire",
                "Donbas", "Azovstal steel plant", "New York City", "Ukrainian", "CHARLESTON"]
WORD_PIECES = ["the", "in", "In", "West", "near", "of", "and", "region", "Region", "city", "President",
               "said", "Smith", "Peter", "state", "St.", "County", "north", "Northern", "é", "ß", "ǅ",
               "İstanbul", "\u0130", "\u00a0", "ﬁ"]
PUNCTUATION = [" ", " ", ", ", ". ", "\n", "\n\n", " \u2014 ", "-", "\u2019", "'", "\"", "(", ")", ";",
               ".", ",", "\t", "\r\n", ":", "?"]
MIXED_TEXT = st.lists(st.one_of(st.sampled_from(PLACE_PIECES), st.sampled_from(WORD_PIECES),
                                st.sampled_from(PUNCTUATION), st.text(max_size=4)),
                      max_size=40).map("".join)
ANY_TEXT = st.one_of(st.text(), MIXED_TEXT)


@pytest.mark.parametrize("demonyms", [False, True])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ANY_TEXT)
def test_spans_property_fast(index: PlaceIndex, demonyms: bool, text: str) -> None:
    check_spans(text, Recognizer(index, demonyms=demonyms).find(text))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ANY_TEXT)
def test_spans_property_ner(ner_recognizer: Recognizer, text: str) -> None:
    check_spans(text, ner_recognizer.find(text))


# -- what a mention says -------------------------------------------------------------------------

def test_type_word_makes_a_region_mention(recognizer: Recognizer) -> None:
    text = "Shelling continued in the Luhansk region overnight."
    [m] = recognizer.find(text)
    assert (m.name, m.cue, m.lookup_name) == ("Luhansk region", "admin1", "Luhansk")
    assert text[m.start:m.end] == "Luhansk region"


def test_direction_word_is_part_of_the_mention(recognizer: Recognizer) -> None:
    text = "The missile was launched from northern Russia."
    [m] = recognizer.find(text)
    assert (m.name, m.direction, m.lookup_name) == ("northern Russia", "north", "Russia")


def test_place_region_pair_records_the_partner(recognizer: Recognizer) -> None:
    mentions = recognizer.find("He grew up in Paris, Texas, near the border.")
    assert [m.name for m in mentions] == ["Paris", "Texas"]
    assert mentions[0].partner == "Texas"


def test_dateline_is_recognised(recognizer: Recognizer, index: PlaceIndex) -> None:
    text = "CHARLESTON, W.Va. \u2014 The governor signed the bill on Monday."
    mentions = recognizer.find(text)
    assert [m.name for m in mentions] == ["CHARLESTON", "W.Va."]
    assert mentions[0].start == 0
    assert any(index.kind(r) == "city" and index.admin1[r] == "US.WV" for r in mentions[0].rows)
    assert any(index.kind(r) == "admin1" and index.admin1[r] == "US.WV" for r in mentions[1].rows)


def test_dateline_after_a_headline(recognizer: Recognizer) -> None:
    text = "Bill signed\nCHARLESTON, W.Va. (AP) \u2014 The governor signed it."
    assert [m.name for m in recognizer.find(text)] == ["CHARLESTON", "W.Va."]


def test_demonyms_only_when_asked(index: PlaceIndex) -> None:
    text = "Ukrainian troops held the plant."
    assert Recognizer(index).find(text) == []
    [m] = Recognizer(index, demonyms=True).find(text)
    assert m.demonym and m.name == "Ukrainian" and index.country[m.rows[0]] == "UA"


def test_demonym_of_a_language_is_not_a_place(index: PlaceIndex) -> None:
    assert Recognizer(index, demonyms=True).find("Most of them speak Russian language at home.") == []


# -- not places ----------------------------------------------------------------------------------

NOT_PLACES = [
    ("Peter Smith reported from the front line.", ["Peter Smith"]),
    ("ITV News Correspondent Peter Smith reports from Mariupol.", ["Peter Smith"]),
    ("President Vladimir Putin has ordered his troops to stop.", ["Vladimir Putin"]),
    ("Vladimir Putin spoke on Thursday.", ["Vladimir Putin", "Thursday"]),
    ("Talks with Vladimir Putin ended without a deal.", ["Vladimir Putin"]),
    ("Sergei Shoigu said the plant was blocked.", ["Sergei Shoigu"]),
    ("Defence minister Sergei Shoigu told President Putin on Thursday.", ["Sergei Shoigu", "Putin"]),
    ("Russia celebrates Victory Day on May 9.", ["Victory Day", "May 9"]),
    ("May 9 is Victory Day.", ["May 9", "Victory Day"]),
    ("The parade is held in May.", ["May"]),
    ("Putin met Shoigu on Wednesday.", ["Putin", "Shoigu", "Wednesday"]),
    ("Ukraine wants to join NATO.", ["NATO"]),
    ("NATO leaders met in Brussels.", ["NATO"]),
    ("In recent days, shelling continued.", ["In"]),
    ("In Kyiv, sirens sounded.", ["In"]),
    ("West of Kyiv, sirens sounded.", ["West"]),
    ("The West imposed sanctions.", ["West"]),
    ("Kremlin spokesman Dmitry Peskov said so. The Pentagon disagreed.", ["Kremlin", "Pentagon"]),
    ("The Sarmat missile was tested. President Zelenskyy said so.", ["Sarmat", "Zelenskyy"]),
]


def _not_places_params(mode: str) -> list:
    return [pytest.param(text, phrases, id=text[:40]) for text, phrases in NOT_PLACES]


@pytest.mark.parametrize(("text", "phrases"), _not_places_params("fast"))
def test_people_dates_and_organisations_are_not_places_fast(fast_recognizer: Recognizer, text: str,
                                                            phrases: list[str]) -> None:
    mentions = fast_recognizer.find(text)
    for phrase in phrases:
        assert covering(mentions, text, phrase) == [], phrase


@pytest.mark.parametrize(("text", "phrases"), _not_places_params("ner"))
def test_people_dates_and_organisations_are_not_places_ner(ner_recognizer: Recognizer, text: str,
                                                           phrases: list[str]) -> None:
    mentions = ner_recognizer.find(text)
    for phrase in phrases:
        assert covering(mentions, text, phrase) == [], phrase


def test_the_real_places_next_to_them_are_kept(recognizer: Recognizer) -> None:
    assert [m.name for m in recognizer.find("In Kyiv, sirens sounded.")] == ["Kyiv"]
    assert [m.name for m in recognizer.find("NATO leaders met in Brussels.")] == ["Brussels"]
    assert [m.name for m in recognizer.find("ITV News Correspondent Peter Smith reports from Mariupol.")] \
        == ["Mariupol"]


def test_seed_people_are_not_places(recognizer: Recognizer, seed_a: Article, seed_b: Article) -> None:
    for article in (seed_a, seed_b):
        names = {m.name for m in recognizer.find(article.text)}
        assert names.isdisjoint({"Peter Smith", "Smith", "Putin", "Vladimir Putin", "Vladimir", "Shoigu",
                                 "Sergei Shoigu", "Zelenskyy", "May", "Victory Day", "Victory",
                                 "Thursday", "Wednesday", "Kremlin", "Pentagon", "NATO", "Sarmat",
                                 "In", "West"})


@pytest.mark.parametrize("name", ["People's Republic of China", "Dar es Salaam", "Côte d'Ivoire",
                                  "Ras al-Khaimah"])
def test_names_with_possessives_and_articles_inside(index: PlaceIndex, name: str) -> None:
    text = f"Officials in {name} reported three new cases on Monday."
    assert [m.name for m in find_mentions(text, index)] == [name]


def test_lists_and_containers_are_marked(index: PlaceIndex) -> None:
    text = "From Buffalo, New York, the virus reached Alberta, Manitoba, Ontario and New Brunswick."
    mentions = {m.name: m for m in find_mentions(text, index)}
    assert mentions["Buffalo"].partner == "New York" and mentions["Buffalo"].series == -1
    assert mentions["New York"].cue == "container"
    series = {mentions[n].series for n in ("Alberta", "Manitoba", "Ontario", "New Brunswick")}
    assert series == {mentions["Alberta"].start}


# -- war reporting: names found from their context ------------------------------------------------

def names_found(recognizer: Recognizer, text: str) -> list[str]:
    mentions = recognizer.find(text)
    check_spans(text, mentions)
    return [m.name for m in mentions]


@pytest.mark.parametrize(("text", "expected"), [
    # lists: a member the NER calls a person, or the gazetteer knows by another spelling
    ("Shelling continued around Kharkiv and Izium overnight.", ["Kharkiv", "Izium"]),
    ("Ukrainian units held positions near Bakhmut, Izium and Lyman.", ["Bakhmut", "Izium", "Lyman"]),
    ("Air strikes hit Rafah and Khan Younis on Tuesday.", ["Rafah", "Khan Younis"]),
    # a place opening its sentence, known by what happened to it
    ("Beit Lahia was shelled again.", ["Beit Lahia"]),
    ("Lyman was hit by artillery.", ["Lyman"]),
    ("Toretsk came under heavy fire.", ["Toretsk"]),
])
def test_names_in_lists_and_running_text(recognizer: Recognizer, text: str, expected: list[str]) -> None:
    assert names_found(recognizer, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Ukrainian troops advanced near Robotyne, Zaporizhzhia region.", ["Robotyne", "Zaporizhzhia region"]),
    ("Heavy fighting was reported in Klishchiivka, south of Bakhmut.", ["Klishchiivka", "Bakhmut"]),
    ("Russian forces attacked Synkivka, near Kupiansk.", ["Synkivka", "Kupiansk"]),
    ("Thousands sheltered in the Zamzam camp near El Fasher.", ["Zamzam", "El Fasher"]),
    ("Families fled to al-Mawasi in southern Gaza.", ["al-Mawasi", "southern Gaza"]),
    ("Displaced people reached Tawila, west of El Fasher.", ["Tawila", "El Fasher"]),
    ("Fighters shelled the village of Oleshkivka overnight.", ["Oleshkivka"]),
    ("Drones struck Pervomaiske village at dawn.", ["Pervomaiske"]),
    ("Gunmen attacked a post in Gwoza town (Gwoza, Borno).", ["Gwoza", "Gwoza", "Borno"]),
    ("Soldiers were ambushed in Barangay San Isidro, Northern Samar.", ["San Isidro", "Northern Samar"]),
])
def test_places_the_gazetteer_lacks_are_found_by_their_context(recognizer: Recognizer, text: str,
                                                                expected: list[str]) -> None:
    assert names_found(recognizer, text) == expected


@pytest.mark.parametrize("text", [
    "Hamas said its fighters had withdrawn from the area.",
    "Hezbollah and Hamas issued a joint statement.",
    "Wagner fighters withdrew from the frontline.",
    "The Wagner Group recruited prisoners.",
    "It was the worst fighting in Europe since World War II.",
    "Talks on the Minsk Agreement stalled.",
    "Denmark's Mette Frederiksen visited the troops.",
    "The OSCE SMM observed 12 explosions.",
])
def test_organisations_people_and_events_stay_off_the_map(recognizer: Recognizer, text: str) -> None:
    found = names_found(recognizer, text)
    for word in ("Hamas", "Hezbollah", "Wagner", "World War", "Frederiksen", "OSCE", "SMM", "Agreement"):
        assert not any(word in name for name in found), found


def test_a_facility_is_not_the_town_named_like_its_first_word(recognizer: Recognizer) -> None:
    [m] = recognizer.find("Doctors in Kamal Adwan Hospital treated the wounded.")
    assert (m.name, m.cue, m.rows) == ("Kamal Adwan Hospital", "facility", ())
    [m] = recognizer.find("Russian shells hit the Zaporizhzhia nuclear power plant.")
    assert m.name == "Zaporizhzhia nuclear power plant" and m.rows     # the gazetteer's facility


def test_a_named_facility_of_a_known_town(recognizer: Recognizer, index: PlaceIndex) -> None:
    [m] = recognizer.find("A missile struck Kharkiv International Airport.")
    assert m.name == "Kharkiv International Airport" and m.cue == "facility"
    assert any(index.entry(r).name == "Kharkiv" for r in m.rows)      # placed by its town


@pytest.mark.parametrize(("text", "expected"), [
    ("Fierce Battle Erupts in Baladweyne", ["Baladweyne"]),
    ("Al Shabaab Attacks Mahaday Town, 15 Killed", ["Mahaday"]),
    ("Mogadishu Explosions Target Federal Govt Soldiers", ["Mogadishu"]),
    ("Rebels Claim Bombing Sudan's Kadugli Airport", ["Kadugli Airport"]),
])
def test_title_case_headlines(recognizer: Recognizer, text: str, expected: list[str]) -> None:
    found = names_found(recognizer, text)
    assert set(expected) <= set(found) <= set(expected) | {"Sudan"}
    assert not any(word in " ".join(found) for word in ("Shabaab", "Battle", "Explosions", "Rebels"))


@pytest.mark.parametrize(("written", "gazetteer"), [
    ("Zaporizhia", "Zaporizka oblast"), ("Gorlovka", "Horlivka"), ("Energodar", "Enerhodar"),
])
def test_other_spellings_of_known_places(recognizer: Recognizer, index: PlaceIndex, written: str,
                                         gazetteer: str) -> None:
    text = f"Russian forces fired on {written} overnight."
    [m] = recognizer.find(text)
    assert m.name == written and gazetteer in {index.entry(r).name for r in m.rows}
