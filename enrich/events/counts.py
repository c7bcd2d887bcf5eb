"""Counts and casualties of a sentence (`enrich.quantities`) bound to its event mentions.

A sentence that only reports a toll ("un mort et trois blessés") continues the last violent
event of the article; projectiles of different kinds counted apart ("4 missiles Iskander et
112 drones Shahed") are different events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Span, Token

from enrich import quantities as quantities_module
from enrich.datafiles import load_yaml
from enrich.events.lexicon import EventLexicon
from enrich.events.parties import Parties
from enrich.events.places import Places
from enrich.events.state import PENDING, PROJECTILE_CLASSES, Candidate, DocState
from enrich.kb import DATA_DIR, KnowledgeBase
from enrich.text import fold, strip_accents
from enrich.tokens import ancestors_of, children, folded_text, is_verb, span_text, subtree_of
from vigie.core.models import Quantity
from vigie.core.text import plain_apostrophes

REMOTE_VIOLENCE = "Explosions/Remote violence"


@dataclass(frozen=True)
class TollScope:
    """What a toll is not the toll of (toll_scope.yaml), folded."""

    unattributed: tuple[str, ...]
    enemy: frozenset[str]
    complements: frozenset[str]
    loss_verbs: frozenset[str]
    loss_nouns: frozenset[str]
    window: int
    links: frozenset[str]


@lru_cache(maxsize=1)
def toll_scope() -> TollScope:
    data = load_yaml(DATA_DIR / "toll_scope.yaml", DATA_DIR / "toll_scope.schema.json")

    def words(key: str) -> frozenset[str]:
        return frozenset(fold(w) for w in data[key])

    return TollScope(
        unattributed=tuple(fold(marker) for marker in data["unattributed_markers"]),
        enemy=words("enemy_words"),
        complements=words("complement_words"),
        loss_verbs=words("loss_verbs"),
        loss_nouns=words("loss_nouns"),
        window=int(data["loss_window"]),
        links=words("circumstance_links"),
    )


def unattributed_markers() -> tuple[str, ...]:
    """Phrases saying a toll's circumstances are unknown (toll_scope.yaml), folded."""
    return toll_scope().unattributed


# words (hyphens and elisions kept inside) and the punctuation that bounds a clause (quotes do
# not: "avoir tué « au moins vingt soldats »")
_WORD_OR_MARK = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*|[^\w\s'\-«»\"“”]")


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    """The folded words of a text and its punctuation marks; elisions split ("l'ennemi" ->
    "l", "ennemi")."""
    out: list[str] = []
    for match in _WORD_OR_MARK.findall(strip_accents(plain_apostrophes(text).lower())):
        out.extend(w for w in match.split("'") if w)
    return tuple(out)


def _is_word(word: str) -> bool:
    return word[0].isalnum()


def _one_of(word: str, nouns: frozenset[str]) -> bool:
    """A word of `nouns`, or its plural."""
    return word in nouns or (word[-1:] in ("s", "x") and word[:-1] in nouns)


def _find(words: tuple[str, ...], part: tuple[str, ...]) -> int | None:
    for i in range(len(words) - len(part) + 1):
        if words[i : i + len(part)] == part:
            return i
    return None


def _named_as_enemy(after: tuple[str, ...], scope: TollScope) -> bool:
    """ "vingt soldats ennemis", "douze combattants de l'ennemi", "trente hommes du camp adverse"."""
    if not after or not _is_word(after[0]):
        return False
    if after[0] in scope.enemy:
        return True
    if after[0] not in scope.complements:
        return False
    for word in after[1:5]:
        if not _is_word(word):
            return False
        if word in scope.enemy:
            return True
    return False


def _lost_by_enemy(before: tuple[str, ...], scope: TollScope, perpetrators: frozenset[str]) -> bool:
    """ "l'ennemi a perdu au moins vingt hommes", "les pertes adverses s'élèvent à 40 morts":
    a verb of loss whose clause names the enemy before it, or a noun of loss the enemy
    qualifies, a few words before the count."""
    start = max((i + 1 for i, w in enumerate(before) if not _is_word(w)), default=0)
    clause = before[start:]
    near = len(clause) - scope.window
    for i, word in enumerate(clause):
        if i < near:
            continue
        if word in scope.loss_verbs and any(w in scope.enemy or _one_of(w, perpetrators) for w in clause[:i]):
            return True
        if word in scope.loss_nouns and any(w in scope.enemy for w in clause[i + 1 : i + 4]):
            return True
    return False


def other_sides_toll(quantity: Quantity | None, sentence: str) -> bool:
    """A toll of the other side only, as one party claims or reports it: every group it counts
    is named by what it did to others (the quantities lexicon's `perpetrator_nouns`: "trois
    assaillants", "sept terroristes neutralisés"), named as the enemy ("vingt soldats ennemis",
    "douze combattants de l'adversaire"), or lost by the enemy ("l'ennemi a perdu au moins vingt
    hommes", "les pertes ennemies s'élèvent à 40 morts"; toll_scope.yaml). Such a toll neither
    replaces nor adds to the toll of the people the enemy attacked: the one test the binding of a
    sentence's counts (`CountBinder._victims_over_attackers`) and the incident merge
    (`merge._representative`) make."""
    if quantity is None or not quantity.text:
        return False
    scope = toll_scope()
    perpetrators = quantities_module.default_lexicon().perpetrator_nouns
    words: tuple[str, ...] | None = None
    for text in quantity.text.split(" + "):
        part = tuple(w for w in _words(text) if _is_word(w))
        if not part:
            return False
        if any(_one_of(w, perpetrators) for w in part):
            continue
        if words is None:
            words = _words(sentence)
        at = _find(words, part)
        if at is None:
            return False
        after = words[at + len(part) :]
        if not (_named_as_enemy(after, scope) or _lost_by_enemy(words[:at], scope, perpetrators)):
            return False
    return True


def _circumstance(noun: Token, triggers: dict[int, Candidate]) -> Candidate | None:
    """The trigger the people counted are tied to by a preposition of circumstance right after
    their noun or the participle describing them ("cinq morts dans un bombardement", "deux civils
    tués lors d'une frappe", "onze blessés au cours d'un accrochage"), whatever the parse makes of
    a headline's clauses: only prepositions, determiners and the nouns of such locutions
    (toll_scope.yaml `circumstance_links`) stand between."""
    doc = noun.doc
    links = toll_scope().links
    i = noun.i + 1
    if i < len(doc) and doc[i].dep_.startswith("acl") and doc[i].head.i == noun.i:
        i += 1  # "deux civils tués lors d'une frappe"
    linked = False
    for j in range(i, min(len(doc), i + 6)):
        if j in triggers:
            return triggers[j] if linked else None
        token = doc[j]
        if token.pos_ == "ADP" or folded_text(token) in links:
            linked = True
        elif token.pos_ != "DET":
            return None
    return None


class CountBinder:
    """Fills the count slots (launched, intercepted, destroyed, killed, injured) of candidates."""

    def __init__(
        self,
        kb: KnowledgeBase,
        lexicon: EventLexicon,
        quantities: quantities_module.QuantityLexicon,
        places: Places,
        parties: Parties | None = None,
    ) -> None:
        self.kb = kb
        self.lexicon = lexicon
        self.quantities = quantities
        self.places = places
        self.parties = parties or Parties(kb, lexicon)

    @staticmethod
    def _owner(count: quantities_module.Count, violent: list[Candidate], state: DocState) -> Candidate | None:
        """The candidate whose trigger describes the people counted: a participle on their noun
        ("deux volontaires tués par un drone"), the event a preposition of circumstance ties
        them to (`_circumstance`), or the nearest trigger above them."""
        noun = state.doc[count.end - 1]
        triggers = {c.trigger.i: c for c in violent}
        for child in children(noun):
            if child.dep_ in ("acl", "acl:relcl") and child.i in triggers:
                return triggers[child.i]
        return _circumstance(noun, triggers) or next(
            (triggers[a.i] for a in ancestors_of(noun) if a.i in triggers), None
        )

    @staticmethod
    def _forced_owner(
        count: quantities_module.Count, forced: dict[int, Candidate], state: DocState
    ) -> int | None:
        """The trigger of the protest met with force (`forced`, by trigger) whose toll the count
        is: the trigger that names the people counted ("six manifestants tués par balle") or
        describes them, the one a preposition of circumstance ties them or their verb to ("deux
        personnes ont été tuées jeudi lors de la dispersion du rassemblement"), or a trigger
        before them that governs them ("La police a dispersé le cortège ; une dizaine de
        manifestants ont été blessés"); not one of another clause after them ("trois villageois
        tués au Manipur, la police disperse une manifestation")."""
        if not forced:
            return None
        noun = state.doc[count.end - 1]
        if noun.i in forced:
            return noun.i
        for child in children(noun):
            if child.dep_ in ("acl", "acl:relcl") and child.i in forced:
                return child.i
        tied = _circumstance(noun, forced)
        if tied is not None:
            return tied.trigger.i
        if noun.dep_ in ("nsubj", "nsubj:pass", "obj") and noun.head.i != noun.i:
            links = toll_scope().links
            for i, candidate in forced.items():
                trigger = candidate.trigger
                head = trigger.head
                if folded_text(head) in links:
                    head = head.head  # "lors de", "au cours de": the parser hangs the noun on "lors"
                elif not trigger.dep_.startswith("obl"):
                    continue
                if head.i == noun.head.i and trigger.i != head.i:
                    return i
        return next((a.i for a in ancestors_of(noun) if a.i in forced and a.i < count.start), None)

    def _takes_no_toll(
        self, candidate: Candidate, counts: list[quantities_module.Count], state: DocState
    ) -> bool:
        """A candidate of a sub-type that takes no toll by itself (an abduction) whose trigger
        governs none of the sentence's tolls: they are another incident's ("cinq camionneurs
        enlevés à A, deux soldats tués dans un accrochage à B")."""
        if candidate.sub_event_type not in self.quantities.fate_subtypes:
            return False
        trigger = candidate.trigger.i
        return all(
            count.slot in quantities_module.TOLL_SLOTS
            and all(a.i != trigger for a in ancestors_of(state.doc[count.end - 1]))
            and count.end - 1 != trigger
            for count in counts
        )

    @staticmethod
    def _victims_over_attackers(
        counts: list[quantities_module.Count], sentence: Span
    ) -> list[quantities_module.Count]:
        """The other side's dead beside the toll of the people they attacked ("deux policiers
        ont été tués et trois assaillants abattus", "quatre soldats tués, tandis qu'une
        quinzaine de jihadistes auraient été neutralisés", "trois des nôtres sont morts et
        l'ennemi a perdu vingt hommes") are not added to it (`other_sides_toll`)."""
        dropped: set[int] = set()
        text = span_text(sentence)  # (Span.text builds a Token per word)
        for slot in quantities_module.TOLL_SLOTS:
            tolls = [c for c in counts if c.slot == slot and c.relation != "subset"]
            theirs = [c for c in tolls if other_sides_toll(c.quantity, text)]
            if theirs and len(theirs) < len(tolls):
                dropped.update(id(c) for c in theirs)
        return [c for c in counts if id(c) not in dropped] if dropped else counts

    def _fires_projectiles(
        self, main: Candidate, counts: list[quantities_module.Count], state: DocState
    ) -> bool:
        """The candidate's trigger governs projectiles counted by their class, and they are all
        the sentence counts as launched or intercepted."""
        fired = [c for c in counts if c.slot in ("launched", "intercepted")]
        if not fired or any(c.weapon_class is None for c in fired):
            return False
        if any(self.lexicon.weapon_subtype([c.weapon_class or ""]) is None for c in fired):
            return False
        trigger = main.trigger
        return all(any(a.i == trigger.i for a in ancestors_of(state.doc[c.end - 1])) for c in fired)

    def attach(self, sentence: Span, candidates: list[Candidate], state: DocState) -> None:
        """Bind the sentence's counts to its first violent candidate, or to a new one; counts of
        a weapon class go to the candidate of that class's sub-type when the sentence has one."""
        projectiles = {
            i: m.entry.weapon_class
            for i in range(sentence.start, sentence.end)
            if (m := state.mentions_at.get(i)) is not None
            and m.entry is not None
            and m.entry.weapon_class in PROJECTILE_CLASSES
        }
        # the last projectile named before the sentence, for counts of craft naming none
        before = [
            i
            for i, m in state.mentions_at.items()
            if i < sentence.start and m.entry is not None and m.entry.weapon_class in PROJECTILE_CLASSES
        ]
        if before:
            last = max(before)
            projectiles[last] = state.mentions_at[last].entry.weapon_class  # type: ignore[union-attr,assignment]
        counts = self._victims_over_attackers(
            quantities_module.find_counts(sentence, projectiles, self.quantities), sentence
        )
        if not counts:
            return
        first = min(counts, key=lambda c: c.start)
        anchor = state.doc[first.end - 1]
        clause = anchor
        while not is_verb(clause) and clause.head.i != clause.i:
            clause = clause.head
        near = self.places.find([clause], anchor, state, set(), [])
        violent = [
            c
            for c in candidates
            # property burnt or razed takes the count of what was destroyed (events owner, issue 14)
            if self.lexicon.is_violent(c.event_type) or c.sub_event_type in self.lexicon.property_types
        ]
        untolled = [c for c in violent if self._takes_no_toll(c, counts, state)]
        violent = [c for c in violent if c not in untolled]
        in_clause = {t.i for t in subtree_of(clause)}
        for candidate in untolled:
            # "cinq civils ont été tués et onze autres enlevés lors d'un raid sur X": verbs joined
            # in one clause share its places
            if candidate.trigger.i in in_clause:
                shared = [p for c in violent if c.trigger.i in in_clause for p in c.places]
                candidate.places += [
                    p for p in [*near, *shared] if all(q.id != p.id for q in candidate.places)
                ]
        if not violent and {c.slot for c in counts} <= set(quantities_module.TOLL_SLOTS):
            # "La police a dispersé le cortège ; une dizaine de manifestants ont été blessés": a
            # toll told after a protest met with force (a sub-type a protest escalates to), in a
            # clause its trigger governs, is that protest's, not the last violent event's.
            # So is a toll whose people the protest's trigger names ("cinq manifestants tués par
            # balle") or describes, or that a preposition of circumstance ties to it ("deux
            # personnes tuées lors de la dispersion du rassemblement"): the event whose victims it
            # counts (`_forced_owner`).
            forced = {
                c.trigger.i: c
                for c in candidates
                if (c.event_type, c.sub_event_type) in self.lexicon.escalations
            }
            # (a part, "dont un adolescent", is its whole's)
            owners = {self._forced_owner(c, forced, state) for c in counts if c.relation != "subset"}
            if len(owners) == 1 and (governing := owners.pop()) is not None:
                violent = [forced[governing]]
        if not violent:
            # A toll without a trigger continues the last violent event ("un mort et trois blessés").
            # Projectiles a verb says were fired count too ("entre 150 et 200 appareils ont été
            # lancés"), not ones merely named ("la livraison de 40 drones").
            if not ({c.slot for c in counts} & {"killed", "injured", "destroyed", "intercepted"}) and not any(
                c.fired for c in counts
            ):
                return
            # "MSF a dit avoir soigné onze blessés, sans préciser dans quelles circonstances": a
            # toll that says its circumstances are unknown is no incident's.
            folded = fold(span_text(sentence))
            if any(marker in folded for marker in unattributed_markers()):
                return
            # Typed after the whole article is read when no violent event precedes (a headline).
            event_type, sub_event_type = state.last_violent or (PENDING, PENDING)
            weapons = self.places.weapons(sentence, state)
            by_weapon = self.lexicon.weapon_subtype(
                e.weapon_class for w in weapons if (e := self.kb.get(w)) is not None and e.weapon_class
            )
            if by_weapon is not None and event_type != PENDING:
                # "un employé a été blessé par des débris de drone" after a missile strike: the
                # drone strike's toll.
                event_type, sub_event_type = REMOTE_VIOLENCE, by_weapon
            violent = [
                Candidate(
                    event_type=event_type,
                    sub_event_type=sub_event_type,
                    interaction=None,
                    trigger=anchor,
                    role="casualty",
                    places=[],
                    weapons=weapons,
                    confidence=0.45,
                    # the toll of the event told: its day ("Mercredi soir, douze combattants
                    # avaient été tués" in fighting that began on Tuesday)
                    refers_back=state.last_violent is not None and event_type == state.last_violent[0],
                )
            ]
            if event_type not in self.lexicon.untargeted_types:
                # "deux membres du Hezbollah ont été tués": the group of the people counted
                noun = state.doc[first.end - 1]
                victims = self.parties.victim_group(list(subtree_of(noun)), state, set())
                violent[0].target = self.parties.ref(victims, as_state=True)
            candidates.append(violent[0])
        main = violent[0]
        main.places += [p for p in near if all(q.id != p.id for q in main.places)]
        if len(violent) > 1:
            # "assauts russes près de X, deux volontaires tués par un drone": a toll belongs to
            # the trigger that tells what happened to the people counted.
            owned: dict[int, list[quantities_module.Count]] = {}
            for count in counts:
                owner = (
                    self._owner(count, violent, state) if count.slot in quantities_module.TOLL_SLOTS else None
                )
                if owner is not None and owner is not main:
                    owned.setdefault(violent.index(owner), []).append(count)
            for index, group in owned.items():
                violent[index].slots.update(quantities_module.sentence_slots(group))
            taken = {id(c) for group in owned.values() for c in group}
            counts = [c for c in counts if id(c) not in taken]
            if not counts:
                return
        # Projectiles of different kinds counted apart are different events, never pooled ("4
        # missiles Iskander et 112 drones Shahed": a missile attack and a drone strike). Each
        # group goes to the sentence's candidate of its sub-type; one is made when none exists.
        if all(c.event_type != REMOTE_VIOLENCE for c in violent) and self._fires_projectiles(
            main, counts, state
        ):
            # "Les rebelles ont tiré trois missiles et une dizaine de drones sur des positions":
            # what a trigger fires, counted by their class, is remote violence of that class
            # (a missile attack and a drone strike), not one fight that pools them.
            first = min((c for c in counts if c.weapon_class), key=lambda c: c.start)
            main.event_type = REMOTE_VIOLENCE
            main.sub_event_type = (
                self.lexicon.weapon_subtype([first.weapon_class or ""]) or main.sub_event_type
            )
        by_subtype: dict[str, list[quantities_module.Count]] = {}
        for count in counts:
            subtype = self.lexicon.weapon_subtype([count.weapon_class]) if count.weapon_class else None
            by_subtype.setdefault(subtype or main.sub_event_type, []).append(count)
        remote = [c for c in violent if c.event_type == REMOTE_VIOLENCE]
        if not remote or (len(by_subtype) == 1 and len({c.sub_event_type for c in remote}) == 1):
            main.slots.update(quantities_module.sentence_slots(counts))
            return
        template = main if main.event_type == REMOTE_VIOLENCE else remote[0]
        for subtype, group in by_subtype.items():
            slots = quantities_module.sentence_slots(group)
            own = next((c for c in remote if c.sub_event_type == subtype), None)
            if own is None and subtype == main.sub_event_type:
                own = main
            if own is not None:
                own.slots.update(slots)
                continue
            classes = {c for c, s in self.lexicon.weapon_subtypes if s == subtype}
            weapons = [
                w for w in template.weapons if (e := self.kb.get(w)) is not None and e.weapon_class in classes
            ]
            template.weapons = [w for w in template.weapons if w not in weapons]
            candidates.append(
                Candidate(
                    event_type=REMOTE_VIOLENCE,
                    sub_event_type=subtype,
                    interaction=None,
                    trigger=state.doc[group[0].end - 1],
                    role=template.role,
                    actor=template.actor,
                    target=template.target,
                    places=list(template.places),
                    weapons=weapons,
                    slots=dict(slots),
                    confidence=template.confidence,
                )
            )
