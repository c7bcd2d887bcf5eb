"""Slot filling: the event a trigger reports, typed, with its actor and target (by the
shape of the trigger: verb, noun or fixed phrase), places and weapons.

- actor: subject of the trigger verb, agent of a passive, subject of a light verb ("l'Ukraine
  a mené une attaque"), demonym ("frappes russes", "drones ukrainiens"), "de" + state;
- target: object, "contre/sur X", passive subject; for interceptions, the interceptor's state
  (the launcher is the actor: "La Russie a abattu 337 drones" -> target russie).
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from enrich.entities import Mention
from enrich.events.lexicon import INTERACTION, EventLexicon, TriggerRule
from enrich.events.modality import irrealis
from enrich.events.parties import Parties
from enrich.events.places import Places
from enrich.events.state import Candidate, DocState, entry_of, impact_weapon, objects_of
from enrich.kb import KBEntry, KnowledgeBase
from enrich.tokens import case_of, children_of, feature_of, is_verb, lemma_of, subject_of


def context_type(lexicon: EventLexicon, sentence: Span) -> tuple[str, str] | None:
    """The type the first context rule whose noun the sentence has gives ("civils": an attack
    on civilians)."""
    nouns = {lemma_of(t) for t in sentence if t.pos_ in ("NOUN", "PROPN")}
    return next(((t, st) for words, t, st in lexicon.context_rules if nouns & words), None)


class SlotFiller:
    """Builds the candidate event of a trigger."""

    def __init__(self, kb: KnowledgeBase, lexicon: EventLexicon, parties: Parties, places: Places) -> None:
        self.kb = kb
        self.lexicon = lexicon
        self.parties = parties
        self.places = places

    def verb_arguments(
        self, rule: TriggerRule, token: Token, state: DocState
    ) -> tuple[Mention | KBEntry | None, Mention | KBEntry | None]:
        """Actor and target of a verb: subject and object, or agent and patient of a passive."""
        passive = bool(children_of(token, "aux:pass", "nsubj:pass")) or (
            token.dep_ in ("acl", "amod")
            and "Part" in feature_of(token, "VerbForm")
            and not subject_of(token)
        )
        agents = children_of(token, "obl:agent") or [
            c for c in children_of(token, "obl", "obl:arg", "obl:mod") if case_of(c) == "par"
        ]
        actor: Mention | KBEntry | None
        target: Mention | KBEntry | None = None
        if passive:
            actor = self.parties.participant(agents[0], state) if agents else None
            patients = children_of(token, "nsubj:pass")
            if patients:
                target = self.parties.participant(patients[0], state)
            elif token.dep_ in ("acl", "amod"):
                target = self.parties.participant(token.head, state)
        else:
            actor = self.parties.clause_subject(token, state)
            objects = children_of(token, "obj")
            if objects and rule.role != "compound":
                target = self.parties.participant(objects[0], state)
        return actor, target

    def noun_arguments(
        self, rule: TriggerRule, token: Token, state: DocState
    ) -> tuple[Mention | KBEntry | None, Mention | KBEntry | None, list[Token]]:
        """Actor and target of a noun ("frappes russes", "l'attaque du Hamas", "l'Ukraine a mené
        une attaque"), and the words whose complements belong to it."""
        actor: Mention | KBEntry | None = None
        target: Mention | KBEntry | None = None
        scope: list[Token] = [token]
        for child in token.children:
            if child.dep_ == "amod" and self.kb.demonym(child.text) is not None:
                actor = self.kb.demonym(child.text)
        for child in token.children:
            if actor is not None or child.dep_ != "nmod" or case_of(child) not in ("de", "d'", "du", "des"):
                continue
            party = self.parties.participant(child, state)
            entry = entry_of(party)
            if party is not None and (
                entry is None or entry.type != "LOC" or entry.kind in ("country", "capital")
            ):
                actor = party
            elif state.is_projectile(child):
                for grandchild in child.children:
                    if grandchild.dep_ == "amod" and self.kb.demonym(grandchild.text) is not None:
                        actor = self.kb.demonym(grandchild.text)
        head = token.head if token.head.i != token.i else None
        # In "une intensification des frappes sur l'infrastructure", "le nombre de frappes
        # russes", "l'échec de sa tentative de négociation avec Poutine", the parser hangs the
        # trigger's complements on the nouns above it.
        node = token
        for _ in range(2):
            if node.dep_ != "nmod" or node.head.i == node.i or node.head.pos_ != "NOUN":
                break
            node = node.head
            scope.append(node)
            for child in node.children:
                if (
                    actor is None
                    and child.dep_ in ("amod", "acl")
                    and self.kb.demonym(child.text) is not None
                ):
                    actor = self.kb.demonym(child.text)
        if head is not None and is_verb(head) and token.dep_ in ("obj", "nsubj:pass", "obl", "obl:arg"):
            head_lemma = lemma_of(head)
            if head_lemma in self.lexicon.patient_verbs and token.dep_ == "obj":
                target = self.parties.clause_subject(head, state)
            elif (
                head_lemma in self.lexicon.light_verbs
                and actor is None
                and token.dep_ in ("obj", "nsubj:pass")
            ):
                actor = self.parties.clause_subject(head, state)
            if token.dep_ in ("obj", "nsubj:pass"):
                scope.append(head)
        if head is not None and is_verb(head) and (token.dep_ == "obl:agent" or case_of(token) == "par"):
            patients = children_of(head, "nsubj:pass")
            if patients and target is None:
                target = self.parties.participant(patients[0], state)  # "Kiev a été visée par une attaque"
        if actor is None and self.lexicon.is_violent(rule.event_type):
            actor = self.parties.attributed_author(token, state)
        return actor, target, scope

    def candidate(self, rule: TriggerRule, token: Token, sentence: Span, state: DocState) -> Candidate | None:
        """The trigger's event with its slots read, or None when it is not reported."""
        if rule.role not in ("phrase",) and irrealis(self.lexicon, token, sentence):
            return None
        verbal = is_verb(token)
        participants: list[Mention | KBEntry] = []
        scope: list[Token] = [token]
        if rule.role == "phrase":
            actor, target = self.parties.speaker(token, state), None
        elif verbal:
            actor, target = self.verb_arguments(rule, token, state)
        else:
            actor, target, scope = self.noun_arguments(rule, token, state)
        if target is None:
            for head in scope:
                cased = self.parties.cased(head, self.lexicon.target_cases, state)
                if cased:
                    target = cased[0]
                    break
        if rule.role == "compound" or rule.sub_event_type in ("REQUEST", "AID", "SANCTION"):
            recipients = [
                p for head in scope for p in self.parties.cased(head, self.lexicon.recipient_cases, state)
            ]
            for obj in objects_of(token):
                recipients += self.parties.cased(obj, self.lexicon.recipient_cases, state, depth=1)
            if recipients and (target is None or rule.role == "compound"):
                target = recipients[0]
            if target is None and rule.sub_event_type == "AID":
                target = self.parties.beneficiary(token, state)
        if rule.role == "impact":
            # "un obus d'artillerie russe s'est abattu": the weapon's owner is the actor.
            weapon = impact_weapon(token, state)
            assert weapon is not None
            actor = None
            if weapon.dep_.startswith("obl"):
                victims = children_of(token, "nsubj", "nsubj:pass")  # "deux soldats tués par un engin"
                target = target or (self.parties.participant(victims[0], state) if victims else None)
            for child in weapon.children:
                if child.dep_ in ("amod", "nmod") and actor is None:
                    actor = self.kb.demonym(child.text) or (
                        self.parties.participant(child, state) if child.dep_ == "nmod" else None
                    )
        if rule.role == "interception":
            # The interceptor is the attacked side; the launcher, when named, is the actor.
            target = target if verbal and children_of(token, "nsubj:pass") else actor
            actor = None
            for obj in objects_of(token) + children_of(token, "nsubj:pass"):
                for child in obj.children:
                    if child.dep_ == "amod" and self.kb.demonym(child.text) is not None:
                        actor = self.kb.demonym(child.text)
        if rule.sub_event_type == "THREATEN" and target is None:
            target = self.parties.conditional_subject(token, state)
        if rule.sub_event_type == "REQUEST" and target is None:
            for clause in children_of(token, "ccomp", "xcomp"):
                subject = subject_of(clause)
                if subject is not None:
                    target = self.parties.participant(subject, state)
        if target is None and rule.sub_event_type not in self.lexicon.symmetric:
            target = self.parties.target_demonym(token)
        if rule.sub_event_type in self.lexicon.symmetric:
            head = token
            if rule.role == "phrase":
                head = next((n for n in [token, *token.ancestors] if is_verb(n)), token)
            actor, target, participants = self.parties.consult_parties(head, scope, actor, target, state)
        if actor is None and rule.role == "interaction" and not verbal:
            actor = self.parties.possessor(token, state)

        event_type, sub_event_type = self.classify(rule, token, sentence, state)
        interaction = sub_event_type if event_type == INTERACTION else None
        violent = self.lexicon.is_violent(event_type)
        actor_ref = self.parties.ref(actor)
        target_ref = self.parties.ref(target, as_state=violent)
        if actor_ref is not None and target_ref is not None and actor_ref.id == target_ref.id:
            actor_ref = None  # an attack on oneself is a misread adjective ("l'attaque russe" on Russia)
        excluded = {r.id for r in (actor_ref,) if r} | (
            {target_ref.id} if target_ref and not violent else set()
        )
        places = self.places.find(scope, token, state, excluded, participants)
        if violent and target_ref is None and places:
            first = self.kb.get(places[0].id)
            country = self.kb.country_of(first) if first else None
            if country is not None and (actor_ref is None or actor_ref.id != country.id):
                target_ref = country.ref()
        carries_weapons = violent or sub_event_type in self.lexicon.weapon_interactions
        weapons = self.places.weapons(sentence, state) if carries_weapons else []
        confidence = 0.55 + 0.1 * bool(actor_ref) + 0.1 * bool(target_ref) + 0.1 * bool(places)
        return Candidate(
            event_type=event_type,
            sub_event_type=sub_event_type,
            interaction=interaction,
            trigger=token,
            role=rule.role,
            actor=actor_ref,
            target=target_ref,
            places=places,
            weapons=weapons,
            confidence=round(min(confidence, 0.95), 2),
        )

    def classify(self, rule: TriggerRule, token: Token, sentence: Span, state: DocState) -> tuple[str, str]:
        """The type and sub-type of a trigger: its rule's, or, for rules that say so, the one a
        weapon in the sentence, the sentence's nouns, the last violent event or a weapon
        elsewhere in the article picks."""
        if rule.role not in ("attack", "interception", "damage", "impact") and not rule.by_context:
            return rule.event_type, rule.sub_event_type
        sentence_classes = [
            m.entry.weapon_class
            for i in range(sentence.start, sentence.end)
            if (m := state.mentions_at.get(i)) is not None and m.entry is not None and m.entry.weapon_class
        ]
        if rule.by_weapon:
            by_sentence = self.lexicon.weapon_subtype(sentence_classes)
            if by_sentence is not None:
                return "Explosions/Remote violence", by_sentence
        if rule.by_context:
            typed = context_type(self.lexicon, sentence)
            if typed is not None:
                return typed
        if rule.role == "damage" and state.last_violent is not None:
            return state.last_violent
        if rule.by_doc_weapon:
            by_doc = self.lexicon.weapon_subtype(state.weapon_classes)
            if by_doc is not None:
                return "Explosions/Remote violence", by_doc
        return rule.event_type, rule.sub_event_type
