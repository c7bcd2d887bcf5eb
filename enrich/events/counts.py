"""Counts and casualties of a sentence (`enrich.quantities`) bound to its event mentions.

A sentence that only reports a toll ("un mort et trois blessés") continues the last violent
event of the article; projectiles of different kinds counted apart ("4 missiles Iskander et
112 drones Shahed") are different events.
"""

from __future__ import annotations

from functools import lru_cache

from spacy.tokens import Span

from enrich import quantities as quantities_module
from enrich.datafiles import load_yaml
from enrich.events.lexicon import EventLexicon
from enrich.events.parties import Parties
from enrich.events.places import Places
from enrich.events.state import PENDING, PROJECTILE_CLASSES, Candidate, DocState
from enrich.kb import DATA_DIR, KnowledgeBase
from enrich.text import fold
from enrich.tokens import ancestors_of, children, is_verb, subtree_of

REMOTE_VIOLENCE = "Explosions/Remote violence"


@lru_cache(maxsize=1)
def unattributed_markers() -> tuple[str, ...]:
    """Phrases saying a toll's circumstances are unknown (toll_scope.yaml), folded."""
    data = load_yaml(DATA_DIR / "toll_scope.yaml", DATA_DIR / "toll_scope.schema.json")
    return tuple(fold(marker) for marker in data["unattributed_markers"])


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
        ("deux volontaires tués par un drone") or the nearest trigger above it."""
        noun = state.doc[count.end - 1]
        triggers = {c.trigger.i: c for c in violent}
        for child in children(noun):
            if child.dep_ in ("acl", "acl:relcl") and child.i in triggers:
                return triggers[child.i]
        return next((triggers[a.i] for a in ancestors_of(noun) if a.i in triggers), None)

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

    def _victims_over_attackers(self, counts: list[quantities_module.Count]) -> list[quantities_module.Count]:
        """The attacking side's dead beside the toll of the people they attacked ("deux
        policiers ont été tués et trois assaillants abattus", "quatre soldats tués, tandis
        qu'une quinzaine de jihadistes auraient été neutralisés") are not added to it: the
        counted noun names people by what they did to others (`perpetrator_nouns`)."""
        attackers = self.quantities.perpetrator_nouns
        dropped: set[int] = set()
        for slot in quantities_module.TOLL_SLOTS:
            tolls = [c for c in counts if c.slot == slot and c.relation != "subset"]
            theirs = [c for c in tolls if c.noun in attackers]
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
            quantities_module.find_counts(sentence, projectiles, self.quantities)
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
            forced = {
                c.trigger.i: c
                for c in candidates
                if (c.event_type, c.sub_event_type) in self.lexicon.escalations
            }
            owners = {
                next(
                    (a.i for a in ancestors_of(state.doc[c.end - 1]) if a.i in forced and a.i < c.start), None
                )
                for c in counts
            }
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
            folded = fold(sentence.text)
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
