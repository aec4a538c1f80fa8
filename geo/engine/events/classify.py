"""One sentence -> what happened: the lexicon's triggers found in its words, each role settled by the
words around it, and the sub-type of the highest-ranked trigger.

    >>> from geo.engine.events.classify import classify_sentence
    >>> from geo.engine.tokens import tokenize
    >>> text = "Gunmen attacked a police post near Kidal."
    >>> classify_sentence(text, tokenize(text)).sub_event_type
    'Armed clash'

Roles (see geo.engine.events.lexicon): a `target` trigger looks at the words it acts on (after it, or
before it in the passive: "a soldier was killed"); a `take` trigger needs a place or a territory word
near it and asks `is_state` whether its actor is the government's side; `detain` asks the same to tell
an arrest from an abduction; `air` looks for aircraft in the sentence; gate roles (`weapon`,
`property`, `base`, `protest`, `bodies`, `group`) fire only with their words close by (in the sentence
for `protest` and `group`; `war` only in a sentence that is not about a protest).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from geo.engine.events.lexicon import ARMED, BASES, CIVILIAN, CODES, PROPERTY, TRIGGERS, WEAPONS, Trigger
from geo.engine.tokens import Token

_WINDOW = 7                      # words a trigger's object may stand from it
_TARGET_WINDOW = 12              # words the target of an attack may stand from it
_PASSIVE = frozenset("was were been being is are got".split())
_TERRITORY = frozenset("""control town towns village villages city area areas territory territories positions
settlement settlements locality hill hills district region base bases neighbourhood neighborhood outskirts""".split())
_PROTEST_SUBS = frozenset({CODES["PROTEST"], CODES["RIOT"]})
_CLASHING = frozenset({CODES["CLASH"]})
_TAKING = frozenset({CODES["REGAIN"], CODES["TAKE"]})


@dataclass(frozen=True)
class Match:
    """A trigger found in a sentence: tokens i..j, and the sub-type and rank its role settled on."""

    i: int
    j: int
    trigger: Trigger
    sub_event_type: str
    rank: float


@dataclass(frozen=True)
class Decision:
    sub_event_type: str
    rank: float
    matches: tuple[Match, ...]      # those that point at the chosen sub-type, in order

    @property
    def main(self) -> Match:
        return max(self.matches, key=lambda m: (m.rank, -m.i))


IsState = Callable[[int], "bool | None"]   # token index of a trigger -> is its actor the state's side?


def find_triggers(tokens: Sequence[Token], triggers=TRIGGERS) -> list[tuple[int, int, list[Trigger]]]:
    """Every place a lexicon phrase starts: (first token, last token of the longest, the rows of that
    length and shorter that match there)."""
    out = []
    n = len(tokens)
    for i, tok in enumerate(tokens):
        rows = triggers.get(tok.lower)
        if not rows:
            continue
        hits = [t for t in rows if i + len(t.words) <= n
                and all(tokens[i + k].lower == w for k, w in enumerate(t.words[1:], 1))]
        if hits:
            out.append((i, i + len(hits[0].words) - 1, hits))
    return out


def classify_sentence(text: str, tokens: Sequence[Token], *, place_tokens: frozenset[int] = frozenset(),
                      is_state: IsState | None = None, triggers=TRIGGERS) -> Decision | None:
    """The sentence's event (None when no trigger fires); `place_tokens` are the indexes of tokens inside
    place mentions (a `take` trigger needs one near it)."""
    found = find_triggers(tokens, triggers)
    if not found:
        return None
    subs = {t.sub_event_type for _, _, rows in found for t in rows if not t.role}
    context = _Context(tokens, place_tokens, protest=bool(subs & _PROTEST_SUBS),
                       air=CODES["AIR"] in subs, is_state=is_state)
    matches = []
    for i, _j, rows in found:
        for t in rows:
            settled = context.settle(t, i, i + len(t.words) - 1)
            if settled:
                matches.append(Match(i, i + len(t.words) - 1, t, *settled))
                break
    if not matches:
        return None
    if context.protest:     # fighting or violence by demonstrators is a riot, not a battle
        matches = [Match(m.i, m.j, m.trigger, CODES["RIOT"], m.rank) if m.sub_event_type in _CLASHING else m
                   for m in matches]
    best = _overridden(max(matches, key=lambda m: (m.rank, -m.i)), matches)
    if best.sub_event_type in _TAKING and not any(m.sub_event_type == CODES["CLASH"] for m in matches):
        # a place changing hands after a withdrawal, with no fighting reported, changed hands peacefully
        best = next((m for m in matches if m.sub_event_type == CODES["TRANSFER"]), best)
    return Decision(best.sub_event_type, best.rank,
                    tuple(m for m in matches if m.sub_event_type == best.sub_event_type))


# (winner's sub-type, winner's role or "*", another sub-type found with at least this rank, whether that
# one must come from a row of its own sub-type (a fighting word, not an attack on armed people)):
# the codebook's precedence where two readings meet in one sentence.
_OVERRIDES = (
    (CODES["DISRUPT"], "weapon", CODES["CLASH"], 3.0, False),    # weapons seized in a fight: the fight
    (CODES["SHELL"], "*", CODES["CLASH"], 3.0, True),            # artillery in a ground battle: the battle
    (CODES["ABDUCT"], "*", CODES["ATTACK"], 2.0, False),         # abducted and killed: the killing
    (CODES["DISRUPT"], "weapon", CODES["SHELL"], 5.0, True),     # depots destroyed by shelling: the shelling
    (CODES["DISRUPT"], "weapon", CODES["AIR"], 6.0, True),       # ... or by an air strike
    (CODES["CLASH"], "target", CODES["GRENADE"], 2.5, True),     # a grenade thrown at a post: the grenade
)


def _overridden(best: Match, matches: Sequence[Match]) -> Match:
    for sub, role, other, rank, own_row in _OVERRIDES:
        if best.sub_event_type == sub and role in ("*", best.trigger.role):
            for m in matches:
                if m.sub_event_type == other and m.rank >= rank and (m.trigger.sub_event_type == other or not own_row):
                    return Match(m.i, m.j, m.trigger, other, best.rank)
    return best


@dataclass
class _Context:
    tokens: Sequence[Token]
    place_tokens: frozenset[int]
    protest: bool
    air: bool
    is_state: IsState | None

    @cached_property
    def armed(self) -> bool:
        return any(t.lower in ARMED for t in self.tokens)

    def settle(self, t: Trigger, i: int, j: int) -> tuple[str, float] | None:
        """(sub-type, rank) of trigger row `t` at tokens i..j, or None when its role does not let it fire."""
        role = t.role
        if not role:
            return t.sub_event_type, t.rank
        if role == "target":
            return self._target(t, i, j)
        if role == "take":
            return self._take(t, i, j)
        if role == "detain":
            return (t.sub_event_type, t.rank) if self._state(i) is not False else (CODES["ABDUCT"], 4)
        if role == "air":
            return (CODES["AIR"], 6) if self.air else (CODES["IED"], 7)
        if role in ("protest", "war"):
            return (t.sub_event_type, t.rank) if self.protest == (role == "protest") else None
        if role == "group":
            return (t.sub_event_type, t.rank) if self.armed else None
        words = {"weapon": WEAPONS, "property": PROPERTY, "base": BASES, "bodies": _BODIES}[role]
        return (t.sub_event_type, t.rank) if self._near(i, j, words, before=role == "bodies") else None

    def _words_after(self, j: int) -> Sequence[Token]:
        return self.tokens[j + 1:j + 1 + _WINDOW]

    def _words_before(self, i: int) -> Sequence[Token]:
        return self.tokens[max(0, i - _WINDOW):i][::-1]

    def _passive(self, i: int) -> bool:
        return any(t.lower in _PASSIVE for t in self.tokens[max(0, i - 2):i])

    def _near(self, i: int, j: int, words: frozenset[str], *, before: bool = False) -> bool:
        if any(t.lower in words for t in self._words_after(j)):
            return True
        return (before or self._passive(i)) and any(t.lower in words for t in self._words_before(i))

    def _target(self, t: Trigger, i: int, j: int) -> tuple[str, float]:
        after = self.tokens[j + 1:j + 1 + _TARGET_WINDOW]
        if self._passive(i):      # "was killed by gunmen": the gunmen are the agent, not the target
            agent = next((n for n, t in enumerate(after) if t.lower == "by"), len(after))
            sides = (self._words_before(i), after[:agent])
        else:
            sides = (after,)
        for side in sides:
            for tok in side:
                if tok.lower in ARMED:
                    return CODES["CLASH"], 3
                if tok.lower in CIVILIAN:
                    return CODES["ATTACK"], t.rank
        return t.sub_event_type, t.rank

    def _take(self, t: Trigger, i: int, j: int) -> tuple[str, float] | None:
        near = range(max(0, i - _WINDOW), j + 1 + _WINDOW)
        if not any(k in self.place_tokens or (k < len(self.tokens) and self.tokens[k].lower in _TERRITORY)
                   for k in near):
            return None
        return (CODES["REGAIN"], t.rank) if self._state(i) else (t.sub_event_type, t.rank)

    def _state(self, i: int) -> bool | None:
        return self.is_state(i) if self.is_state else None


_BODIES = frozenset("body bodies corpse corpses remains".split())
