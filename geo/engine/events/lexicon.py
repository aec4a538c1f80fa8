"""The trigger lexicon: generic English words and phrases that report an event, each pointing at an
ACLED sub-type, as rows of data a person can read, test and switch off.

    >>> from geo.engine.events.lexicon import TRIGGERS
    >>> [(t.sub_event_type, t.rank) for t in TRIGGERS["shelled"]]
    [('Shelling/artillery/missile attack', 5.0)]

A row is `CODE RANK ROLE | phrase; phrase; ...`. A phrase is words separated by spaces, each word
listing its forms with "/" ("air strike/strikes"). RANK orders the rows that fire in one sentence: the
highest decides (a shelling that kills civilians is a shelling; a defused IED is disrupted weapons use).
ROLE says what else decides (see geo.engine.events.classify):

- `-` nothing: the row decides by itself;
- `target` the words it acts on: armed people and posts make an armed clash, unarmed people an attack
  on civilians ("attacked a police post", "attacked villagers");
- `take` the actor: the government of the place's country regains territory, anyone else overtakes it;
- `weapon` only with a weapon word close after it ("seized weapons", "cleared mines");
- `property` only with a property word close after it ("burned houses");
- `base` only with a base word close after it ("set up a camp");
- `air` a bomb: from the air when the sentence names aircraft or drones, else a remote explosive;
- `protest` only in a sentence about a protest (dispersal, force against protesters);
- `detain` state forces arrest, anyone else abducts;
- `bodies` only with "body/bodies" close before or after it;
- `group` only in a sentence that names armed people (an armed group's activity);
- `war` only in a sentence that is not about a protest ("strike" is a labour strike there).

The words are generic English news and military vocabulary; the sub-types and their scope follow ACLED's
public codebook (geo.engine.events.taxonomy).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import product

CODES = {
    "CLASH": "Armed clash", "REGAIN": "Government regains territory",
    "TAKE": "Non-state actor overtakes territory", "SHELL": "Shelling/artillery/missile attack",
    "AIR": "Air/drone strike", "IED": "Remote explosive/landmine/IED", "SUICIDE": "Suicide bomb",
    "GRENADE": "Grenade", "ATTACK": "Attack", "ABDUCT": "Abduction/forced disappearance",
    "SEXUAL": "Sexual violence", "PROTEST": "Peaceful protest", "INTERVENE": "Protest with intervention",
    "FORCE": "Excessive force against protesters", "RIOT": "Violent demonstration", "MOB": "Mob violence",
    "AGREE": "Agreement", "ARREST": "Arrests", "CHANGE": "Change to group/activity",
    "DISRUPT": "Disrupted weapons use", "BASE": "Headquarters or base established",
    "LOOT": "Looting/property destruction", "TRANSFER": "Non-violent transfer of territory", "OTHER": "Other",
}

_ROWS = """
SUICIDE 9 - | suicide bomber/bombers/bombing/bombings/attack/attacks/attacker/car/vest; suicide-bomber/bombers; \
blew himself/herself/themselves up; svbied/svbieds; self-detonated; detonated his/her explosive
DISRUPT 8 - | defuse/defused/defusing/defusal; demine/demined/demining; deminers; sappers; intercept/intercepted/\
intercepting/interception; shot/shoot down; shot/shooting it/them down; downed; bomb disposal; \
disarmed the/an/a device/bomb/ied/explosive; foiled/thwarted
DISRUPT 8 weapon | seize/seized/seizes/seizing; confiscate/confiscated; found/find/discovered/recovered/uncovered; \
cleared/clearing/clear; neutralised/neutralized/neutralise/neutralize; dismantled/dismantle/removed; destroyed; \
controlled explosion/explosions/detonation/detonations
LOOT 8 property | controlled explosion/explosions/detonation/detonations
IED 7 - | ied/ieds; improvised explosive/explosives; roadside bomb/bombs; landmine/landmines; land mine/mines; \
anti-tank/anti-personnel mine/mines; car bomb/bombs; vbied/vbieds; booby trap/traps/trapped; booby-trapped; \
explosive/explosives; explosive device/devices; magnetic bomb/bombs; sticky bomb/bombs; unexploded; \
uxo/uxos; ordnance; \
mine exploded/explosion/blast/detonated; stepped/ran/drove on/over a/an mine; hit/struck a mine; by a mine
GRENADE 2.5 - | grenade/grenades; hand-grenade/hand-grenades
AIR 6 - | airstrike/airstrikes; air-strike/air-strikes; air strike/strikes/raid/raids/attack/attacks; \
airstrikes; air bombardment; aerial bombardment/attack/attacks/bombing; warplane/warplanes; \
jet/jets; fighter jet/jets; aircraft; helicopter/helicopters; gunship/gunships; drone/drones; \
uav/uavs; quadcopter/quadcopters; kamikaze; loitering munition/munitions; airplane/airplanes; plane/planes; \
air force
AIR 6 air | bomb/bombs/bombed/bombing/bombings
AIR 2.5 war | strike/strikes
SHELL 5 - | shell/shelled/shelling/shellings/shells; artillery; mortar/mortars; rocket/rockets; missile/missiles; \
mlrs; howitzer/howitzers; bombard/bombarded/bombarding/bombardment/bombardments; barrage/barrages; \
projectile/projectiles; cluster munition/munitions; multiple rocket; tank fire; grad; himars; \
artillery strike/strikes; missile strike/strikes; rocket fire/attack/attacks
SEXUAL 5 - | rape/raped/raping/rapes; gang-raped/gang-rape; sexually assaulted/abused; sexual violence/assault/abuse
REGAIN 5 - | regain/regained/regaining/regains; recapture/recaptured/recapturing/recaptures; \
retake/retook/retaken/retaking/retakes; liberate/liberated/liberating/liberation; took/take back; \
reclaimed/reclaim; restored control
TAKE 5 take | capture/captured/captures/capturing; seize/seized/seizes/seizing control; took/take/taken/taking \
control; gained/gain/gains control; overran/overrun/overrunning; occupied/occupy/occupies; fell to; \
advanced/advance into/in; entered and took; under their/its control; took/take/taken/taking over; \
drove/driven/drive out; pushed/push out; dislodged/dislodge; expelled/expel; flushed out; ousted/oust
TRANSFER 6 - | without a/any fight/fighting/resistance/battle/clashes/clash; without fighting/resistance; \
handed over control
ABDUCT 4 - | abduct/abducted/abducting/abducts/abduction/abductions/abductee/abductees/abductors; \
kidnap/kidnapped/kidnapping/kidnappings/kidnaps/kidnappers; hostage/hostages; taken captive/hostage; \
held captive/hostage; forcibly disappeared; enforced/forced disappearance
FORCE 4 protest | killed/shot/wounded/injured/killing; shot dead; live ammunition/bullets/fire/rounds; opened fire; \
fired on/at; beat/beaten/beating
INTERVENE 4 protest | dispersed/disperse/dispersing; tear gas/teargas; tear-gas; rubber bullets; water cannon/cannons; \
arrested/detained/blocked; broke/broken up
RIOT 3 - | riot/riots/rioted/rioting/rioters; violent demonstration/demonstrations/protest/protests; \
threw/throwing stones/rocks; stone-throwing; burned/burning tyres/tires; barricades
MOB 3 - | mob/mobs; lynch/lynched/lynching; vigilante/vigilantes; mob justice; jungle justice; \
suspected thief/thieves/criminal/criminals/witch/witches
CLASH 3 - | clash/clashed/clashes/clashing; fight/fought/fighting/fights; battle/battled/battles/battling; \
exchange/exchanged/exchanging fire/gunfire/fires; exchange of fire/gunfire; gunfight/gunfights; \
firefight/firefights; skirmish/skirmishes; shootout/shoot-out; engaged/engage; repel/repelled/repulsed; \
counter-attack/counterattack/counter-attacked/counterattacked; counteroffensive/counter-offensive; \
offensive; armed confrontation/confrontations; small arms; ambush/ambushed/ambushes; \
stormed/storm; infantry
ATTACK 2 target | attack/attacked/attacks/attacking; kill/killed/killing/kills; shot/shoot/shooting/shoots; \
opened/open fire; fired on/at/upon; assault/assaulted; raid/raided/raids; target/targeted/targeting; \
shot dead; injured/wounded/injuring/wounding; assassinated/assassination; assassinate
ATTACK 2 - | massacre/massacred/massacres; murder/murdered/murders; execute/executed/execution/executions; \
behead/beheaded; torture/tortured; beat/beaten/beating; stab/stabbed/stabbing; hacked; whipped/flogged
PROTEST 2 - | protest/protests/protested/protesting/protester/protesters/protestors; \
demonstration/demonstrations/demonstrators/demonstrated; rally/rallies/rallied; marched/marchers; sit-in; \
picket/picketed; went/go/were/are on strike; hunger strike; vigil; general strike; strikers; \
held/staged/hold a strike; labour/labor/workers strike; sit-ins; boycott/boycotted
AGREE 2 - | agreement/agreements; agreed; ceasefire/cease-fire/truce; peace deal/accord/agreement/talks; \
signed a/an; prisoner/prisoners exchange/swap; exchange of prisoners/bodies; negotiated/negotiations; \
reconciliation; surrender/surrendered/surrenders; evacuation deal/agreement; repatriated/repatriation
AGREE 1.5 - | released/freed
ARREST 2 detain | arrest/arrested/arrests/arresting; detain/detained/detaining/detention; apprehended; \
taken into custody; rounded up
BASE 2 base | established/establish/establishes/establishing; set/sets/setting up; built/build; \
installed/install; opened a/an/new
TRANSFER 2 - | withdrew/withdraw/withdrawn/withdrawal/withdrawing; pulled out; retreated/retreat; \
handed over; abandoned; vacated
LOOT 1 - | loot/looted/looting/looters; pillage/pillaged/pillaging; plunder/plundered; ransack/ransacked; \
vandalised/vandalized; demolish/demolished/demolition/demolitions; bulldozed/bulldozer/bulldozers; \
razed; stole/stolen/steal/stealing; rustled/rustling; set fire/alight/ablaze; arson
LOOT 1 property | burned/burnt/burn/burning/torched/torch/destroyed/destroy/damaged; seize/seized/seizing; \
confiscate/confiscated/confiscating; took/taken/take away
CHANGE 1 - | defect/defected/defection/defections; merged/merger; recruit/recruited/\
recruitment/recruiting; mobilised/mobilized/mobilisation/mobilization; deployed/deployment/redeployed; \
reinforcement/reinforcements; military exercise/exercises; training camp; graduation; build-up/buildup
CHANGE 1 group | patrol/patrols/patrolled/patrolling; relocated; preached/preaching/sermon/sermons; zakat; \
tax/taxes/taxed/taxation/levies/extorted/extortion; imposed/impose; banned/ban; ordered; warned; threatened; \
parade/paraded; convoy/convoys; arrived/arrival; gathered; stationed; spotted/sighted; movement/movements; \
announced/declared; ultimatum; reinforced; visited; meeting; distributed
OTHER 1 - | mass grave/graves; curfew; martial law; state of emergency; exhumed/exhumation
OTHER 1 bodies | found/discovered/recovered/retrieved
SHELL 1 - | explosions; blasts; detonations
IED 1 - | explosion; blast; exploded; detonated; detonation; went off
CLASH 1 - | shots; gunfire; gunshots; bursts; small-arms
"""


@dataclass(frozen=True)
class Trigger:
    """One phrase of the lexicon: `words` in lower case, the sub-type it points at, its rank and role."""

    words: tuple[str, ...]
    sub_event_type: str
    rank: float
    role: str


def _rows(table: str) -> Iterator[tuple[str, float, str, str]]:
    for line in table.replace("\\\n", "").strip().splitlines():
        head, phrases = line.split("|", 1)
        code, rank, role = head.split()
        yield CODES[code], float(rank), "" if role == "-" else role, phrases


def _expand(phrase: str) -> Iterator[tuple[str, ...]]:
    yield from product(*(word.split("/") for word in phrase.split()))


def build_triggers(table: str = _ROWS, disabled: frozenset[str] = frozenset()) -> dict[str, list[Trigger]]:
    """The lexicon by its first word, longest phrases first; sub-types in `disabled` are left out."""
    out: dict[str, list[Trigger]] = {}
    for sub, rank, role, phrases in _rows(table):
        if sub in disabled:
            continue
        for phrase in phrases.split(";"):
            for words in _expand(phrase.strip()):
                out.setdefault(words[0], []).append(Trigger(words, sub, rank, role))
    for rows in out.values():
        rows.sort(key=lambda t: -len(t.words))
    return out


TRIGGERS = build_triggers()

# Words that say what a trigger acts on (the "target", "weapon", "property" and "base" roles).
ARMED = frozenset("""soldier soldiers troops troop forces force army armies military police policeman policemen
officer officers gendarme gendarmes gendarmerie militant militants fighter fighters rebel rebels insurgent insurgents
militia militias militiamen guard guards convoy convoys patrol patrols base bases barracks checkpoint checkpoints
outpost outposts post posts position positions station unit units battalion brigade combatant combatants jihadist
jihadists servicemen serviceman personnel recruits garrison terrorists terrorist bandits gunmen attackers
assailants armed security paramilitary paramilitaries commander commanders tank tanks armoured armored
vehicle""".split())
CIVILIAN = frozenset("""civilian civilians villager villagers resident residents people person man men woman
women child children boy boys girl girls farmer farmers herder herders herdsman herdsmen shepherd shepherds
trader traders merchant merchants shop shops market family families worshippers mosque church pastor priest
imam teacher teachers student students school worker workers driver drivers passenger passengers traveller
travellers traveler travelers motorist motorists bus chief elder elders journalist journalists doctor doctors
nurse nurses patient patients hospital idp idps displaced refugee refugees fisherman fishermen miner miners
official officials headman councillor administrator mayor cleric youth youths pupil pupils baby infant
businessman wife husband son daughter father mother brother sister relative relatives household""".split())
WEAPONS = frozenset("""weapon weapons arms ammunition munitions explosive explosives ied ieds mine mines
landmine landmines bomb bombs device devices grenade grenades rocket rockets missile missiles mortar mortars
shell shells ordnance uxo drone drones rifle rifles gun guns cache caches rounds cartridges detonator
detonators""".split())
PROPERTY = frozenset("""goods money cash phones food aid supplies belongings valuables fuel boats sheep donkeys
animals motorbikes harvest house houses home homes hut huts shop shops store stores building buildings property
properties school schools church churches mosque mosques market markets vehicle vehicles car cars truck trucks
crops granary granaries farm farms field fields village villages livestock cattle goats camels office offices
tower towers infrastructure bridge bridges warehouse warehouses structure structures dwelling dwellings
tent tents shelter shelters kiosk kiosks motorbike motorbikes motorcycle motorcycles equipment""".split())
BASES = frozenset("base bases camp camps headquarters outpost outposts post posts position positions".split())
AIRCRAFT_SUBTYPE = CODES["AIR"]
