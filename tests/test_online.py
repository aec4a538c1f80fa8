"""Tests for geo.online against a fake Nominatim/Photon on 127.0.0.1 (tests/fakegeocoder.py): request
spacing measured with an injected clock (never slept; and once on the real clock), the cache (answers
and "not found"), 429 with Retry-After, 403, 500, timeouts, malformed answers, the messages, and the
queries built from context.
Nothing here touches the internet."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from fakegeocoder import Answer, FakeClock, FakeGeocoder, serve

from geo.engine.pipeline import Geoparser
from geo.files.articles import article_from_text, split_passages
from geo.map.attribution import OSM_ATTRIBUTION
from geo.map.export import places_csv, places_geojson, places_json, places_table
from geo.map.places import group_places
from geo.online import (
    GeoCache,
    OnlineConfig,
    OnlineConfigError,
    OnlineGeocoder,
    OnlineQuery,
    check_user_agent,
    load_config,
    save_config,
    second_opinions,
    structured_query,
)
from geo.online.geocoder import _warnings
from geo.store.corrections import Correction, Scope, apply_corrections

AGENT = "conflictmap-tests/1.0 (tests of the online geocoder)"
STEPNE_TEXT = "Russian forces shelled Stepne, Donetsk."


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock):
    server = FakeGeocoder(clock=clock)
    httpd = serve(server)
    yield server
    httpd.shutdown()
    httpd.server_close()


def geocoder(fake: FakeGeocoder, clock: FakeClock, tmp_path: Path, *, provider: str = "nominatim",
             **settings) -> OnlineGeocoder:
    config = OnlineConfig(provider=provider, endpoint=fake.url, user_agent=AGENT, enabled=True, **settings)
    return OnlineGeocoder(config, cache=GeoCache(tmp_path / "geocache.sqlite3"), clock=clock, sleep=clock.sleep)


def q(name: str) -> OnlineQuery:
    return OnlineQuery(name, state="Donetsk Oblast", country="Ukraine", country_code="UA")


# -- the bars: spacing, and a second run from the cache ------------------------------------------

def test_fifty_distinct_queries_are_spaced_and_a_second_run_asks_nothing(fake: FakeGeocoder, clock: FakeClock,
                                                                         tmp_path: Path) -> None:
    fake.unknown = {f"village {n}" for n in range(0, 50, 5)}          # every fifth is "not found"
    names = [f"Village {n}" for n in range(50)]
    started = time.monotonic()
    first = geocoder(fake, clock, tmp_path)
    results = [first.lookup(q(name)) for name in names]
    assert fake.count == 50 == first.requests
    gaps = [b.at - a.at for a, b in zip(fake.requests, fake.requests[1:], strict=False)]
    assert min(gaps) >= 1.0                                            # measured with the injected clock
    assert sum(clock.slept) == pytest.approx(49.0)                     # the limiter slept (fake time) ...
    assert time.monotonic() - started < 30                             # ... and never really
    assert [r.status for r in results] == ["not_found" if n % 5 == 0 else "found" for n in range(50)]
    assert not first.messages()

    second = geocoder(fake, clock, tmp_path)                           # a new session, the same cache file
    again = [second.lookup(q(name)) for name in names]
    assert fake.count == 50 and second.requests == 0                   # zero requests: answers and "not found"
    assert all(r.from_cache for r in again)
    assert [(r.status, r.candidates) for r in again] == [(r.status, r.candidates) for r in results]


def test_the_spacing_holds_on_the_real_clock(tmp_path: Path) -> None:
    """The same limiter with time.monotonic and time.sleep (what the app uses): the fake server's own
    real clock sees the requests a second apart (50 ms allowed: each request opens its own connection and
    the server stamps it from a new thread; on a loaded machine, load 11 on 2 cores, that varied by
    +-17 ms with geopy's requests adapter and ours alike. The fake-clock tests check the exact spacing)."""
    server = FakeGeocoder(clock=time.monotonic)
    httpd = serve(server)
    try:
        config = OnlineConfig(provider="nominatim", endpoint=server.url, user_agent=AGENT, enabled=True)
        online = OnlineGeocoder(config, cache=GeoCache(tmp_path / "geocache.sqlite3"))
        started = time.monotonic()
        for n in range(4):
            online.lookup(q(f"Village {n}"))
        gaps = [b.at - a.at for a, b in zip(server.requests, server.requests[1:], strict=False)]
        assert server.count == 4 and min(gaps) >= 0.95, gaps
        assert time.monotonic() - started >= 3.0
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_identical_queries_go_out_once(fake: FakeGeocoder, clock: FakeClock, tmp_path: Path) -> None:
    g = geocoder(fake, clock, tmp_path)
    assert g.lookup(q("Stepne")).status == "found"
    assert g.lookup(q("  stepne ")).from_cache                          # normalised: the same question
    assert fake.count == 1


def test_concurrent_identical_queries_make_one_request(fake: FakeGeocoder, clock: FakeClock, tmp_path: Path) -> None:
    fake.mode, fake.delay = "slow", 0.4
    g = geocoder(fake, clock, tmp_path)
    results = []
    threads = [threading.Thread(target=lambda: results.append(g.lookup(q("Stepne")))) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fake.count == 1
    assert [r.status for r in results] == ["found"] * 5


def test_one_limiter_per_endpoint_for_the_whole_process(fake: FakeGeocoder, clock: FakeClock, tmp_path: Path) -> None:
    a = geocoder(fake, clock, tmp_path)
    b = geocoder(fake, clock, tmp_path / "other")                     # another session, its own cache
    a.lookup(q("Stepne"))
    b.lookup(q("Robotyne"))
    assert a.gate is b.gate
    assert fake.requests[1].at - fake.requests[0].at >= 1.0


def test_public_servers_get_at_least_a_second_self_hosted_may_set_less() -> None:
    assert OnlineConfig(provider="nominatim", min_delay=0.1).delay == 1.0
    assert OnlineConfig(provider="photon", endpoint="https://photon.komoot.io", min_delay=0).delay == 1.0
    assert OnlineConfig(endpoint="http://127.0.0.1:8080", min_delay=0.0).delay == 0.0
    assert OnlineConfig(endpoint="https://geo.internal/nominatim").delay == 1.0       # default
    assert OnlineConfig().timeout == 10.0


def test_a_self_hosted_endpoint_with_no_delay_is_not_throttled(fake: FakeGeocoder, clock: FakeClock,
                                                               tmp_path: Path) -> None:
    g = geocoder(fake, clock, tmp_path, min_delay=0.0)
    for n in range(3):
        g.lookup(q(f"Hamlet {n}"))
    assert fake.count == 3 and clock.slept == []


# -- what is asked ---------------------------------------------------------------------------------

def test_structured_query_from_the_texts_context(parser: Geoparser, fake: FakeGeocoder, clock: FakeClock,
                                                 tmp_path: Path) -> None:
    resolved = parser.parse(STEPNE_TEXT)
    stepne = next(r for r in resolved if r.mention.name == "Stepne")
    query = structured_query(stepne, resolved, parser.index)
    assert (query.name, query.state, query.country, query.country_code) == ("Stepne", "Donetsk Oblast", "Ukraine", "UA")
    assert query.nominatim() == ({"city": "Stepne", "state": "Donetsk Oblast", "country": "Ukraine"},
                                 {"country_codes": ["ua"]})
    assert geocoder(fake, clock, tmp_path).lookup(query).status == "found"
    [request] = fake.requests
    assert request.path == "/search"
    assert {k: request.params[k] for k in ("city", "state", "country", "countrycodes", "format",
                                           "accept-language")} == {
        "city": "Stepne", "state": "Donetsk Oblast", "country": "Ukraine", "countrycodes": "ua",
        "format": "json", "accept-language": "en"}
    assert request.headers["User-Agent"] == AGENT


def test_photon_gets_a_biased_free_text_query_and_other_countries_are_left_out(
        parser: Geoparser, fake: FakeGeocoder, clock: FakeClock, tmp_path: Path) -> None:
    fake.add(Answer("Stepne", 48.1, 37.3), Answer("Stepnoye", 51.0, 45.0, state="Saratov Oblast",
                                                    country="Russia", country_code="ru"))
    resolved = parser.parse(STEPNE_TEXT)
    stepne = next(r for r in resolved if r.mention.name == "Stepne")
    result = geocoder(fake, clock, tmp_path, provider="photon").lookup(structured_query(stepne, resolved, parser.index))
    [request] = fake.requests
    assert request.path == "/api" and request.params["q"] == "Stepne, Donetsk Oblast, Ukraine"
    assert request.params["osm_tag"] == "place" and "lat" in request.params and "lon" in request.params
    assert [c.country_code for c in result.candidates] == ["UA"]
    [c] = result.candidates
    assert json.loads(c.raw)["properties"]["name"] == "Stepne" and c.attribution == OSM_ATTRIBUTION


def test_candidates_are_for_review_with_the_raw_answer_and_warnings(fake: FakeGeocoder, clock: FakeClock,
                                                                    tmp_path: Path) -> None:
    fake.places["stepne"] = [Answer("Stepne", 48.1, 37.3), Answer("Stepne Putin Was Here", 48.2, 37.4),
                             Answer("Stepne", 47.8, 35.3, state="Zaporizhzhia Oblast")]
    result = geocoder(fake, clock, tmp_path).lookup(q("Stepne"))
    assert result.status == "found" and len(result.candidates) == 3
    good, vandalised, elsewhere = result.candidates
    assert json.loads(good.raw)["display_name"] == "Stepne, Donetsk Oblast, Ukraine"
    assert (good.kind, good.country_code) == ("city", "UA")
    assert good.provider == "nominatim@" + fake.url.removeprefix("http://") and not good.public
    assert good.warnings == ()
    assert any("named 'Stepne Putin Was Here'" in w for w in vandalised.warnings)
    assert any("in Zaporizhzhia Oblast, not in Donetsk Oblast" in w for w in elsewhere.warnings)
    target = good.target()
    assert (target.provider, target.lat, target.raw) == (good.provider, good.lat, good.raw)
    from_public = replace(good, public=True)
    assert any("public server" in w for w in _warnings(q("Stepne"), from_public))


def test_second_opinions_ask_only_for_unplaced_and_approximate_names(parser: Geoparser, fake: FakeGeocoder,
                                                                     clock: FakeClock, tmp_path: Path) -> None:
    text = STEPNE_TEXT + "\n\nPatients were trapped in Kamal Adwan Hospital in Beit Lahia.\n"
    resolved = parser.parse(text)
    inexact = {r.mention.start for r in resolved if r.precision != "exact"}
    assert {r.mention.name for r in resolved if r.mention.start in inexact} == {"Stepne", "Kamal Adwan Hospital"}
    review = second_opinions(geocoder(fake, clock, tmp_path), resolved, parser.index)
    assert set(review.results) == inexact and review.requests == fake.count == 2
    assert review.messages == ()
    beit_lahia = next(r for r in resolved if r.mention.name == "Beit Lahia")
    on_request = second_opinions(geocoder(fake, clock, tmp_path), resolved, parser.index,
                                 starts=[beit_lahia.mention.start])
    assert set(on_request.results) == {beit_lahia.mention.start} and fake.count == 3


# -- faults: each leaves the offline results and one clear message --------------------------------

def test_429_honours_retry_after_then_succeeds(fake: FakeGeocoder, clock: FakeClock, tmp_path: Path) -> None:
    fake.mode, fake.failures, fake.retry_after = "429", 1, "7"
    g = geocoder(fake, clock, tmp_path)
    result = g.lookup(q("Stepne"))
    assert result.status == "found" and fake.count == 2
    assert fake.requests[1].at - fake.requests[0].at >= 7.0
    assert g.messages() == []                                          # it recovered: nothing to say


def test_429_without_retry_after_backs_off_and_gives_up_with_one_message(fake: FakeGeocoder, clock: FakeClock,
                                                                         tmp_path: Path) -> None:
    fake.mode, fake.retry_after = "429", None
    g = geocoder(fake, clock, tmp_path, max_retries=2)
    result = g.lookup(q("Stepne"))
    assert result.status == "error" and result.problem == "rate_limited" and fake.count == 3
    gaps = [b.at - a.at for a, b in zip(fake.requests, fake.requests[1:], strict=False)]
    assert gaps[1] > gaps[0] >= 2.0                                    # growing back-off
    assert g.lookup(q("Robotyne")).status == "error"
    [message] = g.messages()
    assert "429" in message and "offline results are kept" in message
    assert len(g.cache) == 0                                           # errors are not "not found"


def test_a_very_long_retry_after_is_not_waited_for(fake: FakeGeocoder, clock: FakeClock, tmp_path: Path) -> None:
    fake.mode, fake.retry_after = "429", "3600"
    g = geocoder(fake, clock, tmp_path)
    assert g.lookup(q("Stepne")).problem == "rate_limited" and fake.count == 1
    fake.mode = "ok"
    assert g.lookup(q("Robotyne")).problem == "paused"                 # skipped, not slept on
    later = geocoder(fake, clock, tmp_path)                            # another session hears why, once
    assert later.lookup(q("Orikhiv")).problem == "paused"
    [message] = later.messages()
    assert "asked us to wait" in message and "offline results are kept" in message
    assert sum(clock.slept) == 0 and fake.count == 1
    clock.now += 3600
    assert g.lookup(q("Robotyne")).status == "found" and fake.count == 2
    [message] = g.messages()
    assert "retry after 3600 s" in message


def test_403_stops_every_request_for_the_session_with_one_message(fake: FakeGeocoder, clock: FakeClock,
                                                                  tmp_path: Path) -> None:
    fake.mode = "403"
    g = geocoder(fake, clock, tmp_path)
    results = [g.lookup(q(name)) for name in ("Stepne", "Robotyne", "Orikhiv")]
    assert fake.count == 1
    assert [r.problem for r in results] == ["blocked"] * 3
    [message] = g.messages()
    assert "HTTP 403" in message and "no more requests" in message and "offline results are kept" in message
    assert g.messages() == []
    assert geocoder(fake, clock, tmp_path).lookup(q("Kupiansk")).problem == "blocked"   # process-wide
    assert fake.count == 1


@pytest.mark.parametrize(("mode", "problem", "words"), [
    ("500", "service", "HTTP 500"),
    ("malformed", "malformed", "not valid JSON"),
    ("wrong_shape", "malformed", "cannot read"),
])
def test_server_errors_are_errors_not_not_found(fake: FakeGeocoder, clock: FakeClock, tmp_path: Path, mode: str,
                                               problem: str, words: str) -> None:
    fake.mode = mode
    g = geocoder(fake, clock, tmp_path)
    first = g.lookup(q("Stepne"))
    assert (first.status, first.problem) == ("error", problem) and not first.ok
    assert g.lookup(q("Robotyne")).problem == "paused"                 # no hammering a failing server
    assert fake.count == 1 and len(g.cache) == 0
    [message] = g.messages()
    assert words in message and "offline results are kept" in message
    fake.mode = "ok"
    clock.now += 61                                                    # after the pause it is asked again
    again = g.lookup(q("Stepne"))
    assert again.status == "found" and not again.from_cache and fake.count == 2


def test_photon_wrong_shape_is_malformed(fake: FakeGeocoder, clock: FakeClock, tmp_path: Path) -> None:
    fake.mode = "wrong_shape"
    g = geocoder(fake, clock, tmp_path, provider="photon")
    assert g.lookup(q("Stepne")).problem == "malformed"


def test_a_slow_server_times_out_once_and_is_paused(fake: FakeGeocoder, clock: FakeClock, tmp_path: Path) -> None:
    fake.mode, fake.delay = "slow", 1.5
    g = geocoder(fake, clock, tmp_path, timeout=0.3)
    started = time.monotonic()
    results = [g.lookup(q(name)) for name in ("Stepne", "Robotyne", "Orikhiv")]
    assert time.monotonic() - started < 1.4                            # one timeout, not three
    assert [r.problem for r in results] == ["unavailable", "paused", "paused"]
    [message] = g.messages()
    assert "did not answer within 0.3 s" in message and "offline results are kept" in message
    assert fake.count == 1 and len(g.cache) == 0


def test_an_unreachable_server_is_said_once(clock: FakeClock, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]                                      # closed once the block ends
    config = OnlineConfig(endpoint=f"http://127.0.0.1:{port}", user_agent=AGENT, enabled=True)
    g = OnlineGeocoder(config, cache=GeoCache(tmp_path / "c.sqlite3"), clock=clock, sleep=clock.sleep)
    assert g.lookup(q("Stepne")).problem == "unavailable"
    [message] = g.messages()
    assert "cannot be reached" in message


def test_the_default_timeout_is_ten_seconds(fake: FakeGeocoder, clock: FakeClock, tmp_path: Path) -> None:
    assert geocoder(fake, clock, tmp_path)._geopy.timeout == 10.0


# -- settings ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("agent", ["", "   ", "geopy/2.5.0", "my-application", "my_app/1", "my_user_agent/1.0",
                                   "specify_your_app_name_here", "test", "Test/1.0", "python-requests/2.32",
                                   "conflictmap (you@example.org)", "Mozilla/5.0", "x"])
def test_sample_user_agents_are_refused(agent: str) -> None:
    with pytest.raises(OnlineConfigError, match="user agent"):
        check_user_agent(agent)
    with pytest.raises(OnlineConfigError):
        OnlineGeocoder(OnlineConfig(user_agent=agent, enabled=True))


def test_an_identifying_user_agent_is_accepted() -> None:
    assert check_user_agent(" newsdesk-conflictmap/1.0  (maps@newsdesk.org) ") == \
        "newsdesk-conflictmap/1.0 (maps@newsdesk.org)"


def test_settings_file_round_trip_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "online.json"
    assert load_config(path) == OnlineConfig() and not load_config(path).enabled       # off by default
    config = OnlineConfig(provider="photon", endpoint="https://geo.internal/photon", user_agent=AGENT, enabled=True,
                          min_delay=0.2)
    save_config(config, path)
    assert load_config(path) == config
    assert OnlineGeocoder.from_settings(tmp_path / "missing.json") is None
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(OnlineConfigError, match="online.json"):
        load_config(path)
    path.write_text(json.dumps({"enabled": True, "user_agent": "my-application"}), encoding="utf-8")
    with pytest.raises(OnlineConfigError, match="sample"):
        load_config(path)
    path.write_text(json.dumps({"enabled": True, "user_agent": AGENT, "colour": "red"}), encoding="utf-8")
    with pytest.raises(OnlineConfigError, match="colour"):
        load_config(path)
    with pytest.raises(OnlineConfigError, match="endpoint"):
        OnlineConfig(endpoint="ftp://x", user_agent=AGENT).check()


# -- an accepted online answer travels with its attribution ---------------------------------------

def test_an_accepted_online_candidate_is_marked_and_attributed_in_every_export(
        parser: Geoparser, fake: FakeGeocoder, clock: FakeClock, tmp_path: Path, monkeypatch) -> None:
    fake.add(Answer("Stepne", 48.1234, 37.4321))
    article = article_from_text(STEPNE_TEXT)
    resolved = parser.parse(article.text)
    review = second_opinions(geocoder(fake, clock, tmp_path), resolved, parser.index)
    [(start, result)] = review.results.items()
    candidate = result.candidates[0]
    correction = Correction(7, "u7", "2026-11-30T00:00:00Z", "stepne", Scope.article(article.id), "online",
                            candidate.target())
    corrected = apply_corrections(article.id, resolved, [correction])
    stepne = next(r for r in corrected if r.mention.start == start)
    assert (stepne.placed_by, stepne.correction, stepne.lat) == (candidate.provider, 7, 48.1234)
    places = group_places([(article, split_passages(article), corrected)])
    place = next(p for p in places if p.correction == 7)
    assert place.placed_by == candidate.provider and place.precision == "exact"
    [record] = [r for r in json.loads(places_json(places)) if r["correction"] == 7]
    assert record["attribution"] == OSM_ATTRIBUTION and record["placed_by"] == candidate.provider
    geojson = json.loads(places_geojson(places))
    assert geojson["attribution"] == OSM_ATTRIBUTION
    assert "attribution" not in json.loads(places_geojson([p for p in places if p.correction is None]))
    assert OSM_ATTRIBUTION in places_csv(places) and OSM_ATTRIBUTION in places_table(places)
    import geo.map.render_png as render_png
    seen = {}
    monkeypatch.setattr(render_png, "_draw_map", lambda places, **kw: seen.update(kw))
    render_png.draw_map(places, title="t")
    assert OSM_ATTRIBUTION in seen["credit"]
    render_png.draw_map([p for p in places if p.correction is None], title="t")
    assert OSM_ATTRIBUTION not in seen["credit"]


# -- hostile answers: bounded in time, size, depth and count; no other server; no secrets ----------

@pytest.mark.parametrize("mode", ["trickle", "trickle_headers"])
def test_a_server_that_trickles_times_out_at_the_deadline_for_the_whole_request(
        fake: FakeGeocoder, clock: FakeClock, tmp_path: Path, mode: str) -> None:
    for every in (0.05, 2.0):      # no single read waits 0.5 s; a read blocked when the deadline comes
        fake.mode, fake.trickle_every = mode, every
        g = geocoder(fake, clock, tmp_path, timeout=0.5)
        started = time.monotonic()
        result = g.lookup(q("Stepne"))
        assert time.monotonic() - started < 1.5
        assert (result.status, result.problem) == ("error", "unavailable")
        assert "did not answer within 0.5 s" in g.messages()[0] and len(g.cache) == 0
        clock.now += 61                                 # past the pause after the failure


@pytest.mark.parametrize("mode", ["endless", "declared_huge"])
def test_an_answer_over_two_megabytes_is_refused_unread_and_not_cached(fake: FakeGeocoder, clock: FakeClock,
                                                                       tmp_path: Path, mode: str) -> None:
    fake.mode = mode
    g = geocoder(fake, clock, tmp_path)
    started = time.monotonic()
    result = g.lookup(q("Stepne"))
    assert time.monotonic() - started < 5
    assert (result.status, result.problem) == ("error", "malformed")
    [message] = g.messages()
    assert "larger than 2 MB" in message and "offline results are kept" in message
    assert len(g.cache) == 0
    assert fake.streamed < 8 * 1024 * 1024               # the client stopped reading (the server had 50 MB)


def test_json_nested_a_hundred_thousand_deep_is_a_message_not_a_traceback(fake: FakeGeocoder, clock: FakeClock,
                                                                          tmp_path: Path) -> None:
    fake.mode = "deep"
    g = geocoder(fake, clock, tmp_path)
    result = g.lookup(q("Stepne"))
    assert (result.status, result.problem) == ("error", "malformed")
    assert "nests deeper than 32 levels" in g.messages()[0] and len(g.cache) == 0


def test_the_candidate_limit_holds_when_the_server_ignores_it(fake: FakeGeocoder, clock: FakeClock,
                                                             tmp_path: Path) -> None:
    fake.mode = "many"
    g = geocoder(fake, clock, tmp_path)
    result = g.lookup(q("Stepne"))
    assert result.status == "found" and len(result.candidates) == 5
    assert len(g.lookup(q("Stepne")).candidates) == 5 and len(g.cache) == 1


def test_a_huge_field_in_a_candidate_is_cut_and_its_raw_answer_reduced(fake: FakeGeocoder, clock: FakeClock,
                                                                       tmp_path: Path) -> None:
    fake.places["stepne"] = [Answer("Stepne" + "e" * 500_000, 47.1, 37.1)]
    g = geocoder(fake, clock, tmp_path)
    [candidate] = g.lookup(q("Stepne")).candidates
    assert len(candidate.name) == 200 and len(candidate.display_name) <= 400
    assert len(candidate.raw) <= 16 * 1024 and json.loads(candidate.raw)


def test_a_redirect_to_another_server_is_not_followed(fake: FakeGeocoder, clock: FakeClock, tmp_path: Path) -> None:
    other = FakeGeocoder(clock=clock)
    httpd = serve(other)
    try:
        fake.mode, fake.redirect_to = "redirect", other.url.replace("127.0.0.1", "localhost")
        g = geocoder(fake, clock, tmp_path)
        result = g.lookup(q("Stepne"))
        assert (result.status, result.problem) == ("error", "malformed")
        assert "redirected to another address, which is not followed" in g.messages()[0]
        assert other.count == 0 and fake.count == 1      # our user agent never reached the other server
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_redirect_on_the_same_server_is_followed(fake: FakeGeocoder, clock: FakeClock, tmp_path: Path) -> None:
    fake.mode = "redirect_same"
    g = geocoder(fake, clock, tmp_path)
    assert g.lookup(q("Stepne")).status == "found"
    assert fake.count == 2 and fake.requests[1].params["hop"] == "1"


def test_an_endpoint_with_a_user_name_and_password_is_refused_and_never_echoed(tmp_path: Path) -> None:
    endpoint = "https://maps:hunter2secret@geo.internal/nominatim"
    config = OnlineConfig(endpoint=endpoint, user_agent=AGENT, enabled=True)
    for attempt in (config.check, lambda: save_config(config, tmp_path / "online.json"),
                    lambda: save_config(replace(config, enabled=False), tmp_path / "online.json")):
        with pytest.raises(OnlineConfigError, match="user name or password") as caught:
            attempt()
        assert "hunter2secret" not in str(caught.value) and "maps:" not in str(caught.value)
    assert not (tmp_path / "online.json").exists()
    path = tmp_path / "online.json"
    path.write_text(json.dumps({"enabled": False, "endpoint": endpoint}), encoding="utf-8")   # written by hand
    with pytest.raises(OnlineConfigError, match="user name or password") as caught:
        load_config(path)
    assert "hunter2secret" not in str(caught.value)
