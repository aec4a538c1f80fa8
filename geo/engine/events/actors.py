"""Who acted: the actors a sentence names ("Russian forces", "unknown gunmen", "Al Shabaab"), found in
its words, and whether an actor is the government's side of a given country.

    >>> from geo.engine.events.actors import find_actors
    >>> from geo.engine.tokens import tokenize
    >>> text = "Unknown gunmen attacked a police post in Kidal."
    >>> [a.text for a in find_actors(text, tokenize(text), [(35, 40)])]
    ['Unknown gunmen', 'police']

An actor is a run of words ending in an actor noun ("forces", "militants", "police"), with the
modifiers before it (capitalised words, "unknown", "armed", "security"...), and an acronym in brackets
after it ("(SNA)"); or a capitalised name standing as the subject of a trigger or after "by", "with",
"between", "against" ("Al Shabaab clashed with ..."). Place names are never actors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from geo.engine.tokens import Token

ACTOR_NOUNS = frozenset("""forces force troops army armies military soldiers soldier police policemen gendarmes
gendarmerie militants militant fighters rebels insurgents militia militias militiamen gunmen gunman attackers
assailants raiders bandits jihadists terrorists protesters protestors demonstrators rioters mob government
authorities sappers warplanes aircraft drones personnel guards paramilitaries group groups men youths herders
farmers residents villagers settlers navy marines battalion brigade unit units""".split())
MODIFIERS = frozenset("""unknown unidentified suspected presumed alleged armed security government state opposition
allied rebel local pro-government national federal foreign international special border regional military police
islamist jihadist separatist ethnic community militia joint coalition air naval defence defense
self-defence self-defense volunteer volunteers and or of the""".split())
STATE_WORDS = frozenset("""government army military police policemen gendarmes gendarmerie security national state
soldiers troops forces force authorities navy marines federal""".split())
NON_STATE_WORDS = frozenset("""militants militant rebels insurgents militia militias militiamen gunmen gunman
attackers assailants raiders bandits jihadists terrorists group groups unknown unidentified opposition
separatist islamist jihadist rebel""".split())
# Capitalised words that begin a sentence or a date and are not names of actors
_NOT_NAMES = frozenset("""on in at near the a an this that these those there it its they he she we on between
after before during while when since following overnight reportedly according january february march april
may june july august september october november december monday tuesday wednesday thursday friday saturday
sunday one two three four five six seven eight nine ten some several many""".split())
_LINKS = frozenset({"by", "with", "between", "against", "and"})
_MAX_ACTORS = 4


@dataclass(frozen=True)
class Actor:
    start: int
    end: int
    text: str
    words: frozenset[str]


def _in_places(tok: Token, places: Sequence[tuple[int, int]]) -> bool:
    return any(s <= tok.start < e for s, e in places)


def find_actors(text: str, tokens: Sequence[Token], places: Sequence[tuple[int, int]] = (),
                triggers: Sequence[int] = ()) -> list[Actor]:
    """The actors of one sentence (`tokens` of `text`), in order; `places` are the place mentions'
    spans (never actors), `triggers` the token indexes of its triggers (a name right before one is its
    subject)."""
    out: list[Actor] = []
    used: set[int] = set()
    for k, tok in enumerate(tokens):
        if tok.lower in ACTOR_NOUNS and k not in used and not _in_places(tok, places):
            i = k
            while i > 0 and _modifier(tokens[i - 1], tokens[i]) and not _in_places(tokens[i - 1], places):
                i -= 1
            while i < k and tokens[i].lower in ("and", "or", "of", "the"):
                i += 1
            if tok.lower in ("men", "group", "groups", "unit", "units", "force") and i == k:
                continue        # "men", "group" alone name nobody
            end = _with_acronym(text, tokens, k)
            used.update(range(i, k + 1))
            out.append(_actor(text, tokens, i, k, end))
    for k in triggers:
        name = _name_before(tokens, k, places, used)
        if name:
            used.update(range(name[0], name[1] + 1))
            out.append(_actor(text, tokens, *name, tokens[name[1]].end))
    for k, tok in enumerate(tokens[:-1]):
        if tok.lower in _LINKS and tokens[k + 1].upper and k + 1 not in used:
            name = _name_from(tokens, k + 1, places, used)
            if name:
                used.update(range(name[0], name[1] + 1))
                out.append(_actor(text, tokens, *name, tokens[name[1]].end))
    out.sort(key=lambda a: a.start)
    return _distinct(out)[:_MAX_ACTORS]


def _modifier(tok: Token, nxt: Token) -> bool:
    if nxt.start - tok.end > 1:                     # punctuation between: another phrase
        return False
    return tok.lower in MODIFIERS or (tok.upper and tok.lower not in _NOT_NAMES) or tok.text.isupper()


def _with_acronym(text: str, tokens: Sequence[Token], k: int) -> int:
    """The end of the actor: after an acronym in brackets right after it ("forces (SNA)")."""
    end = tokens[k].end
    if k + 1 < len(tokens):
        nxt = tokens[k + 1]
        if text[end:nxt.start].strip() == "(" and nxt.text.isupper() and text[nxt.end:nxt.end + 1] == ")":
            return nxt.end + 1
    return end


def _name_before(tokens, k: int, places, used) -> tuple[int, int] | None:
    """A run of capitalised words right before token k (a trigger): its subject."""
    j = k - 1
    if j < 0 or j in used or not tokens[j].upper or tokens[j].end + 1 != tokens[k].start:
        return None
    i = j
    while i > 0 and tokens[i - 1].upper and i - 1 not in used and tokens[i - 1].end + 1 == tokens[i].start:
        i -= 1
    while i <= j and tokens[i].lower in _NOT_NAMES:
        i += 1
    if i > j or any(_in_places(t, places) for t in tokens[i:j + 1]):
        return None
    return i, j


def _name_from(tokens, i: int, places, used) -> tuple[int, int] | None:
    """A run of capitalised words from token i on."""
    j = i
    while j + 1 < len(tokens) and tokens[j + 1].upper and j + 1 not in used \
            and tokens[j].end + 1 == tokens[j + 1].start:
        j += 1
    if tokens[i].lower in _NOT_NAMES or any(_in_places(t, places) for t in tokens[i:j + 1]):
        return None
    return i, j


def _actor(text: str, tokens, i: int, k: int, end: int) -> Actor:
    return Actor(tokens[i].start, end, text[tokens[i].start:end], frozenset(t.lower for t in tokens[i:k + 1]))


def _distinct(actors: list[Actor]) -> list[Actor]:
    seen: set[str] = set()
    out = []
    for a in actors:
        key = a.text.casefold()
        if key not in seen:
            seen.add(key)
            out.append(a)
    return out


def is_state_actor(actor: Actor | None, country: str, demonyms: Mapping[str, str]) -> bool | None:
    """Whether `actor` is the state's side in `country` (an ISO code): state words ("army", "police",
    "government") and no foreign demonym, or the country's own demonym without a non-state word; None
    when there is no actor or it does not say."""
    if actor is None:
        return None
    if actor.words & NON_STATE_WORDS:
        return False
    nations = {demonyms[w] for w in actor.words if w in demonyms}
    if nations:
        return country in nations if country else None
    return bool(actor.words & STATE_WORDS)
