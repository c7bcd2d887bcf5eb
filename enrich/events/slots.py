"""Slot filling: the event a trigger reports, typed, with its actor and target (by the
shape of the trigger: verb, noun or fixed phrase), places and weapons.

- actor: subject of the trigger verb (or of the first verb of a coordination: "ont été
  interceptés et détruits"), agent of a passive, subject of a light verb ("l'Ukraine a mené
  une attaque") or its agent ("l'attaque, revendiquée par le JNIM"), demonym ("frappes
  russes", "drones ukrainiens"), "de" + state, the owner of a weapon acting ("l'artillerie
  russe a pilonné");
- target: object, "contre/sur X", passive subject; the subject of a verb that undergoes the
  event ("le convoi est tombé dans une embuscade"); for interceptions, the interceptor's state
  (the launcher is the actor: "La Russie a abattu 337 drones" -> target russie).

The type comes from the trigger's rule and, for violence, from the means named in the
trigger's own clause, then its sentence (a weapon in the phrase of another trigger is that
trigger's); only a remote-violence trigger whose sentence names no means and no context
falls back on the weapons named elsewhere in the article (`SlotFiller.classify`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Span, Token

from enrich.datafiles import DATA_DIR, load_yaml
from enrich.entities import Mention
from enrich.events.lexicon import INTERACTION, EventLexicon, MeansRule, TriggerRule
from enrich.events.modality import accused, irrealis
from enrich.events.parties import Parties
from enrich.events.places import Places
from enrich.events.state import Candidate, DocState, entry_of, impact_weapon, objects_of, pronominal, verbal
from enrich.kb import KBEntry, KnowledgeBase
from enrich.tokens import (
    ancestors_of,
    case_of,
    children,
    children_of,
    clause_subject_token,
    feature_of,
    folded_text,
    folded_words,
    forms_of,
    head_indices,
    head_of,
    is_finite,
    is_verb,
    lemma_of,
    nearest_head,
    phrase_without,
    span_tokens,
    subject_of,
    subtree_of,
)

_VIOLENT_ROLES = ("attack", "interception", "damage", "impact")
_SUBCLAUSES = frozenset({"advcl", "ccomp", "parataxis", "acl:relcl", "csubj"})
_STATE_TYPES = frozenset({"MILITARY"})
_NON_STATE_TYPES = frozenset({"ORG"})
_PART_MARKS = frozenset({",", ";", "–", "—"})
# The ground violence whose parties decide its type (SlotFiller._by_parties).
_EXCESSIVE_FORCE = ("Protests", "Excessive force against protesters")
_GROUND_TYPES = frozenset({("Violence against civilians", "Attack"), ("Battles", "Armed clash")})
_SPEAKER_TYPES = frozenset({"PER", "ORG", "MILITARY"})
_CLAUSES_ON_NOUNS = frozenset({"acl", "acl:relcl", "appos", "parataxis", "conj", "cc"})
_ROLE_REACH = 400  # tokens back where a role noun's person may be introduced
_ROLE_GAP = 8  # at most this many tokens between the role noun and the name
_ADJUNCT_PATH = frozenset({"nmod", "obl", "obl:mod", "obl:arg", "acl", "obj", "advmod"})
_GROUPED_IN = frozenset({"obl", "obl:mod", "obl:arg", "obl:agent"})  # "réunis sous la bannière"
_OF = frozenset({"de", "d'", "du", "des"})
# how a name hangs on the phrase of a side without a preposition (SlotFiller._counted_sides)
_SIDE_LINKS = frozenset({"appos", "flat:name", "flat", "acl", "conj", "nmod", "amod", "dep"})


@dataclass(frozen=True)
class _InteractionWords:
    """The interaction keys of triggers.yaml this module reads itself."""

    grouping: frozenset[str]  # the nouns of a group one belongs to ("réunis au sein de")
    hypothetical: frozenset[str]  # adjectives making an interaction hypothetical ("éventuel")
    bare_cases: frozenset[str]  # "en échange de", "en visite à": no meeting
    circumstances: frozenset[str]  # "au terme de pourparlers": the clause's talks
    settings: frozenset[str]  # "en marge du sommet": the setting of another meeting
    sides: frozenset[str]  # "les deux groupes": nouns counting the two sides named before
    state_sides: frozenset[str]  # "les deux pays": sides that are states
    pair: frozenset[str]  # "deux"
    place_cases: frozenset[str]  # "au Soudan": a state named as a place is no generic side
    unaddressed_aid: frozenset[str]  # "ils envoient des drones": weapons sent to no one are fired
    impersonal: frozenset[str]  # "il convient de": advice, no agreement


@lru_cache(maxsize=1)
def _interaction_words() -> _InteractionWords:
    data = load_yaml(DATA_DIR / "triggers.yaml", DATA_DIR / "triggers.schema.json")
    return _InteractionWords(
        grouping=folded_words(data.get("grouping_nouns", [])),
        hypothetical=folded_words(data.get("hypothetical_adjectives", [])),
        bare_cases=folded_words(data.get("bare_meeting_cases", [])),
        circumstances=folded_words(data.get("circumstance_words", [])),
        settings=folded_words(data.get("setting_words", [])),
        sides=folded_words(data.get("counted_sides_nouns", [])),
        state_sides=folded_words(data.get("counted_state_nouns", [])),
        pair=folded_words(data.get("counted_pair_words", [])),
        place_cases=folded_words(data.get("counted_sides_place_cases", [])),
        unaddressed_aid=folded_words(data.get("unaddressed_weapon_aid_verbs", [])),
        impersonal=folded_words(data.get("impersonal_advice_verbs", [])),
    )


def context_type(lexicon: EventLexicon, sentence: Span) -> tuple[str, str] | None:
    """The type the first context rule whose noun the sentence has gives ("civils": an attack
    on civilians)."""
    nouns = {lemma_of(t) for t in span_tokens(sentence) if t.pos_ in ("NOUN", "PROPN")}
    return next(((t, st) for words, t, st in lexicon.context_rules if nouns & words), None)


_CLAUSE_STOPS = frozenset({".", ";", ":", "?", "!", "(", ")"})
_RELATIVES = frozenset({"qui", "que", "qu'", "dont", "lequel", "laquelle", "lesquels", "lesquelles"})
_ADDRESSEE_POS = frozenset({"NOUN", "PROPN", "DET", "ADJ", "NUM", "PUNCT", "CCONJ", "ADP", "ADV"})


def addressed_complement(
    verb: Token, cases: frozenset[str], excluded: frozenset[str] = frozenset()
) -> tuple[Token, list[Token]] | None:
    """What a verb of calling asks its addressee to do when the parser hung it elsewhere ("a
    appelé la KFOR, la force de l'OTAN au Kosovo, à « protéger ... »", "a appelé mardi
    Washington et Paris à « faire pression »"): after the verb, past the addressee's noun phrase
    only (its names, appositions, complements and quotes; no other verb, pronoun or
    subordinate clause), a mark of `cases` whose word follows it is an infinitive, or a common
    noun with its determiner ("à la retenue", "au calme"), not a time ("à 10 heures"), a place's
    name ("à Moscou") nor a word of `excluded` (days, a meeting one is invited to: "à un
    sommet"). Returns that word and the addressee's words."""
    if not is_verb(verb):
        return None
    end = min(verb.sent.end, verb.i + 25)
    addressee: list[Token] = []
    index = verb.i + 1
    while index < end:
        word = verb.doc[index]
        index += 1
        if word.text in _CLAUSE_STOPS:
            return None
        if word.pos_ == "PRON" and folded_text(word) in _RELATIVES and addressee:
            # "le M23, qui contrôle Goma, à déposer les armes": the addressee's relative clause,
            # up to its closing comma (the parser may hang it on the verb)
            relative = word.head
            if relative.dep_ == "acl:relcl" and verb.i < relative.head.i < word.i:
                index = max(index, max(t.i for t in subtree_of(relative)) + 1)
                continue
            if addressee[-1].text != ",":
                return None
            closing = next((t.i for t in verb.doc[index:end] if t.text == ","), None)
            if closing is None:
                return None
            index = closing + 1
            continue
        if word.pos_ not in _ADDRESSEE_POS and not (
            word.pos_ == "VERB" and "Part" in feature_of(word, "VerbForm") and not is_finite(word)
        ):
            return None
        head = word.head
        if word.dep_ in ("mark", "case") and head.i > word.i and folded_text(word) in cases:
            if is_verb(head) and "Inf" in feature_of(head, "VerbForm"):
                return (head, addressee) if any(w.pos_ in ("NOUN", "PROPN") for w in addressee) else None
            if (
                head.pos_ == "NOUN"
                and lemma_of(head) not in excluded
                and not children_of(head, "nummod")
                and (children_of(head, "det") or folded_text(word) in ("au", "aux"))
            ):
                return (head, addressee) if any(w.pos_ in ("NOUN", "PROPN") for w in addressee) else None
        addressee.append(word)
    return None


class SlotFiller:
    """Builds the candidate event of a trigger."""

    def __init__(self, kb: KnowledgeBase, lexicon: EventLexicon, parties: Parties, places: Places) -> None:
        self.kb = kb
        self.lexicon = lexicon
        self.parties = parties
        self.places = places
        self._own_state: DocState | None = None
        self._own_words: dict[tuple[int, int, int, bool], list[Token]] = {}
        self._untyped_state: DocState | None = None
        # what a call does not ask for: a day, a meeting one is invited to (addressed_complement)
        self.not_asked = lexicon.time_nouns | frozenset(
            word
            for word, rules in lexicon.triggers.items()
            if any(r.sub_event_type == "CONSULT" for r in rules)
        )
        # what a call to mobilise names: a protest, its gatherings and their verbs ("appelle à un
        # sit-in", "appelle à manifester"): the protest planned, no demand on a party
        self.mobilisations = lexicon.protest_words | frozenset(
            word
            for word, rules in lexicon.triggers.items()
            if any(r.event_type in lexicon.planned_event_types for r in rules)
        )
        self._forced_state: DocState | None = None
        # the sentence read is in another paragraph than the last violent event (set by the
        # extractor): a generic attack word there does not refer back to a distinct kind
        self.new_paragraph = True
        self._forced: dict[int, tuple[str, str]] = {}  # trigger -> ground type, until retype_forced
        self._untyped: set[int] = set()
        self._violent_words = frozenset(
            word
            for word, rules in lexicon.triggers.items()
            if any(
                r.role in ("attack", "interception", "damage") and lexicon.is_violent(r.event_type)
                for r in rules
            )
        )

    def verb_arguments(
        self, rule: TriggerRule, token: Token, state: DocState
    ) -> tuple[Mention | KBEntry | None, Mention | KBEntry | None]:
        """Actor and target of a verb: subject and object, or agent and patient of a passive. A
        verb coordinated with an earlier one shares its voice and subject ("139 drones ont été
        interceptés et détruits")."""
        voice = token
        if (
            token.dep_ == "conj"
            and token.head.i != token.i
            and not children_of(token, "nsubj", "nsubj:pass")
            and is_verb(token.head)
        ):
            voice = token.head
        passive = not pronominal(voice) and (
            bool(children_of(voice, "aux:pass", "nsubj:pass"))
            or (
                voice.dep_ in ("acl", "amod")
                and "Part" in feature_of(voice, "VerbForm")
                and not subject_of(voice)
                # "accusé l'armée d'avoir bombardé": a perfect infinitive, not a passive participle
                and not (
                    voice.head.dep_ == "obj"
                    and lemma_of(voice.head.head) in self.lexicon.object_control_verbs
                    and any(
                        "Inf" in feature_of(a, "VerbForm") for a in children_of(voice, "aux:tense", "aux")
                    )
                )
            )
        )
        agents = children_of(token, "obl:agent") or [
            c for c in children_of(token, "obl", "obl:arg", "obl:mod") if case_of(c) == "par"
        ]
        actor: Mention | KBEntry | None
        target: Mention | KBEntry | None = None
        if passive:
            actor = self.parties.participant(agents[0], state) if agents else None
            if agents and actor is None:
                actor = self.parties.weapon_owner(agents[0], state)
            patients = children_of(voice, "nsubj:pass")
            if actor is None and not agents and patients and "@projectile" in rule.object_lemmas:
                # "deux bombes guidées russes ont été larguées": what was fired is its owner's
                actor = self.parties.weapon_owner(patients[0], state)
            if patients:
                target = self.parties.participant(patients[0], state)
            elif voice.dep_ in ("acl", "amod"):
                target = self.parties.participant(voice.head, state)
        else:
            subject = subject_of(voice) or next(iter(children_of(voice, "nsubj:pass")), None)
            actor = self.parties.clause_subject(voice, state)
            if actor is None and subject is not None and pronominal(voice):
                actor = self.parties.participant(subject, state)  # "les troupes se sont retirées"
            if actor is None and subject is not None:
                actor = self.parties.weapon_owner(subject, state)  # "l'artillerie russe a pilonné"
            if (
                actor is None
                and voice.dep_ in ("amod", "acl")
                and voice.head.i < voice.i
                and "Fin" in feature_of(voice, "VerbForm")
            ):
                # a headline's finite verb hung on its subject ("l'armée birmane bombarde un marché")
                actor = self.parties.participant(voice.head, state)
            # a name the parser reads as a complement clause is the object ("a appelé
            # Washington et Berlin à livrer", "a exhorté Kinshasa à renforcer")
            objects = children_of(token, "obj") or [
                c for c in children_of(token, "xcomp") if c.pos_ == "PROPN" and case_of(c) is None
            ]
            if objects and rule.role != "compound":
                target = self.parties.participant(objects[0], state)
        return actor, target

    def noun_arguments(
        self, rule: TriggerRule, token: Token, state: DocState
    ) -> tuple[Mention | KBEntry | None, Mention | KBEntry | None, list[Token]]:
        """Actor and target of a noun ("frappes russes", "l'attaque du Hamas", "l'Ukraine a mené
        une attaque", "l'attaque, revendiquée par le JNIM", "sont tombés dans une embuscade"),
        and the words whose complements belong to it."""
        actor: Mention | KBEntry | None = None
        target: Mention | KBEntry | None = None
        scope: list[Token] = [token]
        for child in children(token):
            if child.dep_ == "amod" and self.parties.demonym(child) is not None:
                actor = self.parties.demonym(child)
        for child in children(token):
            if actor is not None or child.dep_ != "nmod" or case_of(child) not in ("de", "d'", "du", "des"):
                continue
            party = self.parties.participant(child, state)
            if party is not None and self.parties.can_act(party):
                actor = party
            elif state.is_projectile(child):
                for grandchild in children(child):
                    if grandchild.dep_ == "amod" and self.parties.demonym(grandchild) is not None:
                        actor = self.parties.demonym(grandchild)
                # "une frappe de drone de l'armée malienne": the owner of the means
                actor = actor or self.parties.weapon_owner(child, state)
        for child in children(token):
            # "l'attaque, revendiquée par le JNIM", "des frappes menées par l'armée"
            if (
                actor is None
                and child.dep_ in ("acl", "amod")
                and lemma_of(child) in self.lexicon.light_verbs
            ):
                agents = children_of(child, "obl:agent") or [
                    c for c in children_of(child, "obl", "obl:mod", "obl:arg") if case_of(c) == "par"
                ]
                if agents:
                    actor = self.parties.participant(agents[0], state)
        if actor is None:
            actor = self._attributed(token, state)
        # In "une intensification des frappes sur l'infrastructure", "le nombre de frappes
        # russes", "l'échec de sa tentative de négociation avec Poutine", "la responsabilité de
        # l'attaque", the parser hangs the trigger's complements on the nouns above it.
        node = token
        for _ in range(2):
            if node.dep_ != "nmod" or node.head.i == node.i or node.head.pos_ != "NOUN":
                break
            node = node.head
            scope.append(node)
            for child in children(node):
                if (
                    actor is None
                    and child.dep_ in ("amod", "acl")
                    and self.parties.demonym(child) is not None
                ):
                    actor = self.parties.demonym(child)
        head = node.head if node.head.i != node.i else None
        # An object, or one the parser read as an adjunct ("a mené dimanche une frappe") or as a
        # subject after its light verb ("a annoncé avoir mené une frappe").
        object_like = (
            node.dep_ in ("obj", "nsubj:pass")
            or (node.dep_ in ("obl", "obl:mod") and case_of(node) is None)
            or (
                node.dep_ == "nsubj"
                and node.head.i < node.i
                and lemma_of(node.head) in self.lexicon.light_verbs
                and not children_of(node.head, "obj")
            )
        )
        if (
            head is not None
            and is_verb(head)
            and (node.dep_ in ("obj", "nsubj:pass", "obl", "obl:arg", "obl:mod") or object_like)
        ):
            head_lemma = lemma_of(head)
            passive_head = bool(children_of(head, "aux:pass")) or node.dep_ == "nsubj:pass"
            if head_lemma in self.lexicon.patient_verbs and node.i == token.i and not passive_head:
                if object_like or case_of(node) in ("dans", "a", "sous"):
                    target = self.parties.clause_subject(head, state)  # "sont tombés dans une embuscade"
            elif head_lemma in self.lexicon.light_verbs and actor is None and object_like:
                if passive_head:  # "l'attaque a été revendiquée par le JNIM"
                    agents = (
                        children_of(head, "obl:agent")
                        or [c for c in children_of(head, "obl", "obl:mod") if case_of(c) == "par"]
                        # "revendiquée jeudi par le JNIM", the agent hung on the day
                        or [
                            g
                            for c in children(head)
                            if c.dep_ not in ("nsubj", "nsubj:pass", "obj")
                            for g in children_of(c, "nmod")
                            if case_of(g) == "par"
                        ]
                    )
                    actor = self.parties.participant(agents[0], state) if agents else None
                elif node.dep_ == "nsubj":  # the object misread as a subject: the verb's subject is above
                    governor = head.head if head.dep_ in ("xcomp", "advcl", "ccomp", "conj") else None
                    actor = self.parties.clause_subject(governor, state) if governor is not None else None
                else:  # "a revendiqué la responsabilité de l'attaque"
                    actor = self.parties.clause_subject(head, state)
                    means = subject_of(head)
                    if actor is None and means is not None:
                        # "des F-16 de l'armée de l'air irakienne ont mené des frappes"
                        actor = self.parties.weapon_owner(means, state)
            if node.i == token.i and object_like:
                scope.append(head)
        head = token.head if token.head.i != token.i else None
        if (
            head is not None
            and token.dep_ == "nsubj"
            and verbal(head)
            and lemma_of(head) in self.lexicon.outcome_verbs
            and lemma_of(head) not in self.lexicon.opposition_verbs
        ):
            # "une frappe de drone a touché un camion près de Gao": the verb tells its outcome.
            scope.append(head)
            objects = children_of(head, "obj")
            if objects and target is None:
                victim = self.parties.participant(objects[0], state)
                # The people it killed are counted, not targeted ("a tué quatre Palestiniens"),
                # unless the text names their group ("deux membres du Hezbollah").
                named = state.mentions_at.get(objects[0].i)
                people = self.parties.demonym(objects[0]) is not None or (
                    named is not None and named.entry is not None and named.entry.kind == "country"
                )
                if victim is not None and not (people and lemma_of(head) in self.lexicon.casualty_verbs):
                    target = victim
        if (
            head is not None
            and case_of(token) == "par"
            and lemma_of(head) in self.lexicon.reply_verbs
            and not children_of(head, "aux:pass")
        ):
            # "l'armée a riposté par des frappes sur Tyr": the answer is the subject's act.
            scope.append(head)
            actor = actor or self.parties.clause_subject(head, state)
        elif head is not None and is_verb(head) and (token.dep_ == "obl:agent" or case_of(token) == "par"):
            patients = children_of(head, "nsubj:pass")
            if patients and target is None:
                target = self.parties.participant(patients[0], state)  # "Kiev a été visée par une attaque"
        if actor is None and self.lexicon.is_violent(rule.event_type):
            actor = self.parties.attributed_author(token, state)
        if actor is None and self.lexicon.is_violent(rule.event_type):
            actor = self._means_user(token, state)
        return actor, target, scope

    def _attributed(self, token: Token, state: DocState) -> Mention | KBEntry | None:
        """The author an attribution on the noun or on its "de" complement names (parties,
        issue 14): "une frappe de drone attribuée aux États-Unis", "des tirs de tireurs
        attribués aux houthis", "une attaque à la roquette imputée au Hezbollah", "une attaque
        que l'armée impute aux FSR"."""
        for node in (token, *children_of(token, "nmod")):
            for child in children(node):
                if (
                    child.dep_ in ("acl", "acl:relcl", "amod")
                    and lemma_of(child) in self.lexicon.attribution_verbs
                ):
                    authors = self.parties.cased(child, self.lexicon.recipient_cases, state, depth=1)
                    if authors and self.parties.can_act(authors[0]):
                        return authors[0]
        return None

    def _means_user(self, token: Token, state: DocState) -> Mention | KBEntry | None:
        """Who struck with the event a noun names: the active subject of the verb it is the
        means or the occasion of ("l'armée a annoncé avoir « neutralisé quinze terroristes »
        lors d'une frappe aérienne")."""
        verb = token.head
        if verb.pos_ == "ADV" and verb.head.i != verb.i:
            verb = verb.head  # "lors d'une frappe"
        if (
            verb.i == token.i
            or not verbal(verb)
            or lemma_of(verb) not in self.lexicon.outcome_verbs
            or children_of(verb, "aux:pass", "nsubj:pass")
            or token.dep_ in ("nsubj", "obj")
        ):
            return None
        return self.parties.clause_subject(verb, state)

    def candidate(self, rule: TriggerRule, token: Token, sentence: Span, state: DocState) -> Candidate | None:
        """The trigger's event with its slots read, or None when it is not reported."""
        scheduled = rule.sub_event_type in self.lexicon.scheduled_types
        if rule.role not in ("phrase",) and irrealis(self.lexicon, token, sentence, scheduled=scheduled):
            return None
        if (
            rule.event_type == INTERACTION
            and rule.role != "phrase"
            and (self._no_interaction(rule, token, state) or accused(self.lexicon, token))
        ):
            return None
        if (
            rule.sub_event_type == "REQUEST"
            and rule.complement_cases
            and self._calls_to_mobilise(token, rule)
        ):
            return None
        verb_like = verbal(token)
        participants: list[Mention | KBEntry] = []
        scope: list[Token] = [token]
        if rule.role == "phrase" and verb_like and rule.event_type != INTERACTION:
            actor, target = self.verb_arguments(rule, token, state)  # "ont été pris en otage par"
        elif rule.role == "phrase" and rule.event_type != INTERACTION:
            actor, target, scope = self.noun_arguments(rule, token, state)  # "des violences sexuelles"
        elif rule.role == "phrase":
            actor, target = self.parties.speaker(token, state), None
        elif verb_like:
            actor, target = self.verb_arguments(rule, token, state)
            speaker = self.parties.quote_speaker(token, state) if rule.role == "interaction" else None
            if speaker is not None:
                actor, target = speaker, None  # "« ... », a averti le ministre": the quote is not a party
        else:
            actor, target, scope = self.noun_arguments(rule, token, state)
        if target is None:
            for head in scope:
                cased = self.parties.cased(head, self.lexicon.target_cases, state)
                if cased:
                    target = cased[0]
                    break
        symmetric = rule.sub_event_type in self.lexicon.symmetric
        if (rule.role == "compound" and not symmetric) or rule.sub_event_type in (
            "REQUEST",
            "AID",
            "SANCTION",
        ):
            recipients = [
                p for head in scope for p in self.parties.cased(head, self.lexicon.recipient_cases, state)
            ]
            for obj in objects_of(token):
                recipients += self.parties.cased(obj, self.lexicon.recipient_cases, state, depth=1)
            # "à Doha" is where, not to whom.
            recipients = [p for p in recipients if not self.parties.is_place(p)]
            if recipients and (target is None or rule.role == "compound"):
                target = recipients[0]
            if target is None and rule.sub_event_type == "AID":
                target = self.parties.beneficiary(token, state)
                if (
                    target is None
                    and lemma_of(token) in _interaction_words().unaddressed_aid
                    and any(state.is_weapon(o) for o in children_of(token, "obj", "nsubj:pass"))
                ):
                    return None  # "Ils envoient des drones chaque semaine": fire, not aid
        if rule.role == "impact":
            # "un obus d'artillerie russe s'est abattu": the weapon's owner is the actor.
            weapon = impact_weapon(token, state, self.lexicon.projectile_nouns)
            assert weapon is not None
            actor = None
            if weapon.dep_.startswith("obl"):
                victims = children_of(token, "nsubj", "nsubj:pass")  # "deux soldats tués par un engin"
                target = target or (self.parties.participant(victims[0], state) if victims else None)
            actor = self.parties.weapon_owner(weapon, state)  # not "un missile ... au large d'Al-Mokha"
        if rule.role == "interception":
            # The interceptor is the attacked side; the launcher, when named, is the actor.
            passive = verb_like and bool(children_of(token, "nsubj:pass") or self._shares_passive(token))
            # a passive's agent is the interceptor ("détruits par la défense antiaérienne")
            target = (actor or target) if passive else actor
            actor = None
            for obj in objects_of(token) + children_of(token, "nsubj:pass"):
                for child in children(obj):
                    if child.dep_ == "amod" and self.parties.demonym(child) is not None:
                        actor = self.parties.demonym(child)
        if rule.sub_event_type == "THREATEN" and target is None:
            target = self.parties.conditional_subject(token, state) or self._complement_target(token, state)
        if rule.sub_event_type == "REQUEST" and target is None and rule.complement_cases and verb_like:
            # the addressee before a complement the parser hung elsewhere ("a appelé la KFOR, la
            # force de l'OTAN au Kosovo, à « protéger ... »")
            addressed = addressed_complement(token, rule.complement_cases, self.not_asked)
            if addressed is not None:
                # every addressee is a party, none is where ("Washington et Paris")
                participants = [
                    p for w in addressed[1] if (p := self.parties.participant(w, state)) is not None
                ]
                target = next(iter(participants), None)
        if rule.sub_event_type == "REQUEST" and target is None:
            for clause in children_of(token, "ccomp", "xcomp"):
                subject = subject_of(clause)
                if subject is not None:
                    target = self.parties.participant(subject, state)
        if target is None and not symmetric:
            target = self.parties.target_demonym(token)
            actor_ref = self.parties.ref(actor)
            if target is not None and actor_ref is not None and target.id == actor_ref.id:
                target = None  # "des tirs de soldats israéliens": the soldiers are the shooters
        if rule.sub_event_type == "CONSULT" and self._body_meets(token):
            return None  # "a présidé une réunion du Conseil supérieur de défense"
        if symmetric:
            head = token
            if rule.role == "phrase":
                head = next((n for n in [token, *ancestors_of(token)] if is_verb(n)), token)
            actor, target, participants = self.parties.consult_parties(head, scope, actor, target, state)
            if target is None:
                # "un cessez-le-feu a été conclu entre les deux groupes": the sides named before
                sides = self._counted_sides(head, scope, state)
                if sides:
                    participants = sides
                    actor, target = sides[0], (sides[1] if len(sides) > 1 else None)
            if actor is None and target is None and not verb_like and rule.role == "interaction":
                # "ont signé un accord ..., au terme de pourparlers de six heures à Bender": the
                # talks of the clause they complement are its subject's
                participants = self._adjunct_parties(token, state)
                actor = participants[0] if participants else None
                target = participants[1] if len(participants) > 1 else None
        if actor is None and rule.role == "interaction" and not verb_like:
            actor = self.parties.possessor(token, state)
        if actor is None and rule.role == "interaction" and verb_like and not symmetric:
            # "Le chef du gang, X, dit « Barbecue », a menacé ...": a parse that loses the
            # speaker; the named subject before the verb in its sentence speaks.
            actor = self.parties.subject_before(token, target, state)
            if actor is None and rule.sub_event_type == "REQUEST":
                actor = self._unparsed_speaker(token, state)
        if rule.event_type == "Battles" and actor is None and target is None:
            # "des combats entre le M23 et des miliciens", "des combats opposent X à Y"
            actor, target = self.parties.opponents(token, scope, state)

        event_type, sub_event_type = self._by_parties(
            rule, token, self.classify(rule, token, sentence, state, actor), state
        )
        # "Les rebelles ont revendiqué samedi une attaque": the day of a claim, not the attack's.
        claimed = (
            self.lexicon.is_violent(event_type)
            and token.head.i != token.i
            and lemma_of(token.head) in self.lexicon.claim_verbs
            and token.dep_ in ("obj", "nsubj:pass")
        )
        # "L'attaque a été revendiquée mardi": a claim about the attack already told.
        refers_back = (
            (
                claimed
                # "C'est la première attaque revendiquée par les Houthis depuis ..."
                or any(lemma_of(c) in self.lexicon.claim_verbs for c in children_of(token, "acl"))
            )
            and rule.by_context
            and state.last_violent is not None
            and (event_type, sub_event_type) == state.last_violent
            and self._refers_back(token, state)
        )
        interaction = sub_event_type if event_type == INTERACTION else None
        violent = self.lexicon.is_violent(event_type)
        if actor is not None and self.parties.is_place(actor):
            actor = None  # a sea, a region or a town does not act ("Mer Rouge : les Houthis ...")
        actor_ref = self.parties.ref(actor)
        target_ref = self.parties.ref(target, as_state=violent)
        if rule.role == "interception" and target_ref is not None:
            # the side that intercepted is its state ("la défense antiaérienne russe a abattu",
            # "le ministère russe de la Défense affirme avoir intercepté": Russia)
            interceptor = self.kb.get(self.parties.state_of(target_ref) or "")
            target_ref = interceptor.ref() if interceptor is not None else target_ref
        if actor_ref is not None and target_ref is not None and actor_ref.id == target_ref.id:
            actor_ref = None  # an attack on oneself is a misread adjective ("l'attaque russe" on Russia)
        excluded = {r.id for r in (actor_ref,) if r} | (
            {target_ref.id} if target_ref and not violent else set()
        )
        # What an agreement or an aid is about is no venue ("un protocole sur la frontière
        # entre Tavouch et Gazakh").
        content = (
            {t.i for o in objects_of(token) for t in subtree_of(o)}
            if rule.role == "compound" and event_type == INTERACTION
            else set()
        )
        places = self.places.find(scope, token, state, excluded, participants, content)
        if (
            event_type in self.lexicon.untargeted_types
            and target_ref is not None
            and target_ref.type == "LOC"
        ):
            target_ref = None  # civilians, protesters, rioters: people, not their state
        actor_state = self.parties.state_of(actor_ref)
        if violent and target_ref is not None and actor_ref is not None and target_ref.id == actor_state:
            target_ref = None  # the rebels' own country ("sur la côte yéménite" for the Houthis)
        placed = False  # the target is the state a place lies in
        if violent and target_ref is None and event_type not in self.lexicon.untargeted_types:
            # "une frappe a tué deux membres du Hezbollah": the group of the people or things hit
            exclude = {i for i in (actor_ref.id if actor_ref else None, actor_state) if i}
            group = self.parties.victim_group(self._hit_phrases(token), state, exclude)
            target_ref = self.parties.ref(group)
            if target_ref is None and event_type in self.lexicon.force_types:
                # "trois militaires béninois tués lors de l'attaque": the state of the fallen
                # side of a fight, not the one the place lies in
                # only the first people named ("cinq soldats maliens et deux instructeurs russes")
                for victim in self._casualties(token)[:1]:
                    side = entry_of(self.parties.participant(victim, state))
                    if side is not None and side.kind == "country" and side.id not in exclude:
                        target_ref = side.ref()
        if violent and target_ref is None and places and event_type not in self.lexicon.untargeted_types:
            # A strike on a place targets the attacked state, unless the attacker is of that
            # state (an air force striking its own country's rebels) or the victims are civilians.
            first = self.kb.get(places[0].id)
            country = self.kb.country_of(first) if first else None
            if country is not None and (actor_ref is None or country.id not in (actor_ref.id, actor_state)):
                target_ref = country.ref()
                placed = True
        if event_type in self.lexicon.force_types:
            # a battle's parties are armed forces ("l'attaque d'un poste militaire au Mali")
            # a party the text names stands for its forces even when the knowledge base lists
            # none; a state read from a place only for the forces it lists
            actor_ref = self.parties.national_forces(actor_ref, made=True)
            target_ref = self.parties.national_forces(target_ref, made=not placed)
        if violent:
            weapons = self.weapons(rule, token, sentence, state)
        elif sub_event_type in self.lexicon.weapon_interactions:
            weapons = self.places.weapons(sentence, state)
        else:
            weapons = []
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
            refers_back=refers_back,
            claimed=claimed,
        )

    def _calls_to_mobilise(self, token: Token, rule: TriggerRule) -> bool:
        """A call addressed to no one whose complement is a protest ("Le parti appelle à un
        rassemblement vendredi", "appellent à manifester devant le parlement"): the protest
        planned, told by its organisers; a call on a party names its addressee ("appelle le régime
        à autoriser la marche")."""
        if not verbal(token):
            return False
        # a day read as the object is no addressee, and may carry the complement ("appelait
        # dimanche à un rassemblement")
        days = [o for o in children_of(token, "obj") if lemma_of(o) in self.lexicon.time_nouns]
        if len(days) < len(children_of(token, "obj", "iobj")):
            return False
        deps = ("obl", "obl:arg", "obl:mod", "xcomp", "advcl", "ccomp")
        complements = children_of(token, *deps) + [c for d in days for c in children_of(d, *deps)]
        cases = rule.complement_cases | self.lexicon.recipient_cases  # "appelle au boycott"
        return any(case_of(c) in cases and lemma_of(c) in self.mobilisations for c in complements)

    def _no_interaction(self, rule: TriggerRule, token: Token, state: DocState) -> bool:
        """An interaction word that tells none: a hypothetical one ("d'un éventuel nouveau cycle
        de pourparlers"); for a meeting word, a grouping ("des groupes armés réunis au sein des
        Forces conjointes"), an exchange of what another rule of the word exchanges ("205
        prisonniers échangés avec la Russie": an agreement carried out, read as such by the
        compounds), or a meeting word an attribution or a confirmation refers back to, naming
        no party of its own ("Le ministère a confirmé l'échange")."""
        words = _interaction_words()
        verb_like = verbal(token)
        if not verb_like:
            nouns = [token]
            if token.dep_ == "nmod" and token.head.i != token.i and token.head.pos_ == "NOUN":
                nouns.append(token.head)  # "un éventuel cycle de pourparlers"
            if any(lemma_of(a) in words.hypothetical for n in nouns for a in children_of(n, "amod")):
                return True
        if (
            verb_like
            and lemma_of(token) in words.impersonal
            and any(folded_text(c) == "il" for c in children_of(token, "expl:subj", "nsubj"))
            and not children_of(token, "aux:pass", "aux:tense", "aux")
        ):
            return True  # "il convient de rappeler": advice, no agreement
        if rule.sub_event_type != "CONSULT":
            return False
        if verb_like and any(
            c.dep_ in _GROUPED_IN and lemma_of(c) in words.grouping for c in children(token)
        ):
            return True
        if not verb_like and case_of(token) in words.bare_cases and not children_of(token, "det"):
            return True  # "en échange de la libération", "en visite à Kharkiv"
        if not verb_like and token.dep_ == "nmod" and lemma_of(token.head) in words.settings:
            # "se rencontrer à Tirana, en marge du sommet de la CPE"; "s'est entretenu avec X en
            # marge de la réunion", the setting hung on the other side
            meeting = nearest_head(token.head, verbal, 2)
            if meeting is not None and any(r.sub_event_type == "CONSULT" for r in self._rules_of(meeting)):
                return True
        goods = frozenset(
            word
            for other in self._rules_of(token)
            if other.sub_event_type != "CONSULT"
            for word in other.object_lemmas
        )
        if goods:
            phrase = objects_of(token) + [c for c in children_of(token, "nmod") if case_of(c) in _OF]
            if token.dep_ in ("acl", "amod") and token.head.i != token.i:
                phrase.append(token.head)  # "des prisonniers échangés"
            if any(lemma_of(w) in goods for w in phrase):
                return True
        return (
            not verb_like
            and token.dep_ == "obj"
            and lemma_of(token.head) in self.lexicon.claim_verbs
            and self._anaphoric(token)
            and not any(
                case_of(c) in self.lexicon.participant_cases or c.i in state.mentions_at
                for c in children(token)
            )
        )

    def _counted_nouns(self, token: Token, scope: list[Token]) -> list[Token]:
        """The nouns of an interaction's parties that count two sides without naming them: its
        subject ("les deux parties sont convenues"), the "de" complement of the subject ("les
        chefs des deux clans"), its "entre"/"avec" complement ("conclu entre les deux groupes");
        for a pronoun subject ("Ils sont convenus"), the subject of the sentence before ("les
        directeurs des deux pays se sont entretenus. Ils ...")."""
        words = _interaction_words()
        verb = token if is_verb(token) else nearest_head(token, is_verb, 2)
        subjects = children_of(verb, "nsubj", "nsubj:pass") if verb is not None else []
        if verb is not None and not subjects:
            subject = clause_subject_token(verb)
            subjects = [subject] if subject is not None else []
        if subjects and subjects[0].pos_ == "PRON" and folded_text(subjects[0]) in ("ils", "elles"):
            start = token.sent.start
            before = token.doc[start - 1].sent if start > 0 else None
            subjects = (
                [t for t in before if t.dep_ in ("nsubj", "nsubj:pass") and t.head.dep_ == "ROOT"]
                if before is not None
                else []
            )
        # "des deux pays": "des" may be read as a determiner
        nouns = [
            *subjects,
            *(c for s in subjects for c in children_of(s, "nmod") if case_of(c) in _OF or case_of(c) is None),
        ]
        nouns += [
            c
            for h in {*scope, *([verb] if verb is not None else [])}
            for c in children(h)
            if case_of(c) in self.lexicon.participant_cases
        ]
        return [
            n
            for n in nouns
            if lemma_of(n) in words.sides
            and any(folded_text(c) in words.pair for c in children_of(n, "nummod", "det"))
        ]

    def _counted_sides(self, token: Token, scope: list[Token], state: DocState) -> list[Mention | KBEntry]:
        """The two sides a symmetric interaction counts without naming them (`_counted_nouns`):
        for states ("les deux pays"), the last two states named before, by their names, their
        capitals or their forces ("l'armée pakistanaise"); else the sides of the last phrase
        before that coordinates named parties ("entre la 55e brigade et les Fursan Janzour",
        "les clans Lyaimi et Kunai"), places aside. Looked up within `_ROLE_REACH` tokens."""
        counted = self._counted_nouns(token, scope)
        if not counted:
            return []
        noun = counted[0]
        doc = noun.doc
        low = max(0, noun.i - _ROLE_REACH)
        if lemma_of(noun) in _interaction_words().state_sides:
            return self._last_two_states(noun, low, state)
        barrier = low
        for index in range(noun.i - 1, low - 1, -1):
            word = doc[index]
            if word.pos_ not in ("NOUN", "PROPN") or case_of(word) not in self.lexicon.between_cases:
                continue
            barrier = max(barrier, index)
            # the names of the phrase, its own or hung on it without a preposition ("entre les
            # clans Lyaimi et Kunai")
            sides: list[Mention | KBEntry] = []
            nodes = [word]
            while nodes:
                node = nodes.pop()
                mention = state.mentions_at.get(node.i)
                if (
                    mention is not None
                    and mention.start <= node.i
                    and (
                        mention.type in _SPEAKER_TYPES
                        or (mention.entry is not None and mention.entry.kind == "country")
                    )
                ):
                    sides.append(mention)
                nodes += [c for c in children(node) if c.dep_ in _SIDE_LINKS and case_of(c) is None]
            sides = self.parties.unique_refs(sides)
            if sides:
                return sorted(sides, key=lambda p: p.start if isinstance(p, Mention) else 0)
        if lemma_of(noun) in self.lexicon.person_nouns:
            # "Donald Trump et Vladimir Poutine se sont parlé. Les deux dirigeants sont
            # convenus ...": people counted are the last two people named together
            people = self._last_two_people(noun, barrier, state)
            if people:
                return people
        # "Le Tchad et le Soudan ont négocié. Les deux parties sont convenues ...": no phrase of
        # named parties; the generic sides are the last two states named after the last "entre"
        # phrase (whose sides may be unnamed), not as places ("au Soudan comme au Tchad")
        return self._last_two_states(noun, barrier, state, _interaction_words().place_cases)

    def _last_two_people(self, noun: Token, low: int, state: DocState) -> list[Mention | KBEntry]:
        """The two people of the last phrase between `low` and `noun` that coordinates two
        named people ("le président américain Donald Trump et Vladimir Poutine"), in text order;
        none when no such phrase (a person named alone after them is not one of the pair)."""
        doc = noun.doc
        for index in range(noun.i - 1, low - 1, -1):
            second = state.mentions_at.get(index)
            word = doc[index]
            if second is None or second.type != "PER" or word.dep_ != "conj":
                continue
            head = word.head  # the first person's name, or the title it hangs on
            phrase = [head, *(c for c in children(head) if c.dep_ in _SIDE_LINKS and c.i < word.i)]
            first = next(
                (
                    m
                    for w in phrase
                    if (m := state.mentions_at.get(w.i)) is not None and m.type == "PER" and m is not second
                ),
                None,
            )
            if first is not None:
                pair = self.parties.unique_refs([first, second])
                if len(pair) == 2:
                    return pair
        return []

    def _last_two_states(
        self, noun: Token, low: int, state: DocState, place_cases: frozenset[str] = frozenset()
    ) -> list[Mention | KBEntry]:
        """The last two distinct states named between `low` and `noun`, in text order: by their
        names, their capitals or their forces ("l'armée pakistanaise"); none unless two. Names
        introduced by one of `place_cases` are places, not sides."""
        found: dict[str, Mention | KBEntry] = {}
        for index in range(noun.i - 1, low - 1, -1):
            mention = state.mentions_at.get(index)
            if mention is None or mention.start != index or mention.entry is None:
                continue
            if place_cases and case_of(noun.doc[index]) in place_cases:
                continue
            entry = mention.entry
            country = entry if entry.kind == "country" else None
            if country is None and (entry.kind == "capital" or mention.type == "MILITARY"):
                country = self.kb.country_of(entry)
            if country is not None:
                found.setdefault(country.id, country)
            if len(found) == 2:
                return list(found.values())[::-1]  # in text order
        return []

    def _unparsed_speaker(self, token: Token, state: DocState) -> Mention | KBEntry | None:
        """Who makes a demand when no party heads its subject: a person or a body named
        after the head of the subject's own phrase ("L'organisation de défense des droits humains
        Justiça Global a demandé"); a role noun ("Le ministre a appelé") naming the person the
        article introduced with it ("a annoncé le ministre du Gouvernement, Marco Antonio
        Oviedo"); a subject the sentence splitter cut off ("Le Qatar et la Turquie, qui
        avaient ... | , ont appelé vendredi")."""
        subject = clause_subject_token(token)
        if subject is not None:
            for word in self._own_phrase(subject):
                if word.i <= subject.i:
                    continue  # "Dans un communiqué lu à la RTB, l'état-major ...": not its name
                mention = state.mentions_at.get(word.i)
                if mention is not None and mention.type in _SPEAKER_TYPES:
                    return mention
            if subject.pos_ == "NOUN" and any(
                "Def" in feature_of(d, "Definite") for d in children_of(subject, "det")
            ):
                return self._introduced_as(subject, state)
            return None
        start = token.sent.start
        if start == 0 or "\n" in token.doc[start - 1].whitespace_:
            return None
        root = token.doc[start - 1].sent.root
        if is_verb(root) or root.pos_ not in ("NOUN", "PROPN"):
            return None
        found = self.parties.participants(root, state)
        return found[0] if found else None

    def _own_phrase(self, noun: Token) -> list[Token]:
        """A noun phrase without the clauses hung on it (relative, participle, apposition)."""
        return sorted(phrase_without(noun, _CLAUSES_ON_NOUNS), key=lambda t: t.i)

    def _introduced_as(self, role: Token, state: DocState) -> Mention | None:
        """The last person named before a role noun's sentence right after that role noun ("le
        ministre du Gouvernement, Marco Antonio Oviedo" for a later "Le ministre")."""
        lemma = lemma_of(role)
        doc = role.doc
        low = max(0, role.sent.start - _ROLE_REACH)
        for index in range(role.sent.start - 1, low - 1, -1):
            mention = state.mentions_at.get(index)
            if mention is None or mention.start != index or mention.type != "PER":
                continue
            if any(lemma_of(w) == lemma for w in doc[max(low, index - _ROLE_GAP) : index]):
                return mention
        return None

    def _rules_of(self, token: Token) -> tuple[TriggerRule, ...]:
        lemma, text = forms_of(token)
        return self.lexicon.triggers.get(lemma) or self.lexicon.triggers.get(text) or ()

    def _adjunct_parties(self, token: Token, state: DocState) -> list[Mention | KBEntry]:
        """The parties of talks told as the circumstance of a clause (`circumstance_words`: "au
        terme de pourparlers", "après des négociations"), not referring back to others: the
        subject of the first verb above them that has one (`Parties.participants`)."""
        circumstances = _interaction_words().circumstances
        head = token.head
        marks = (case_of(token) or "").split()
        if self._anaphoric(token) or not (
            circumstances.intersection(marks)
            or (token.dep_ in ("nmod", "obl:arg") and lemma_of(head) in circumstances)
        ):
            return []
        node = token
        for _ in range(5):
            if node.head.i == node.i or node.dep_ not in _ADJUNCT_PATH:
                return []
            node = node.head
            if is_verb(node):
                subject = subject_of(node)
                if subject is not None:
                    return self.parties.unique_refs(self.parties.participants(subject, state))
        return []

    def _body_meets(self, token: Token) -> bool:
        """A meeting noun a leader chairs or convenes (`chair_verbs`), of a body named by its
        "de" complement, with no other side ("entre", "avec"): one body meets."""
        if verbal(token) or token.dep_ != "obj" or lemma_of(token.head) not in self.lexicon.chair_verbs:
            return False
        cases = {case_of(c) for c in children_of(token, "nmod")}
        return bool(cases & {"de", "d'", "du", "des"}) and not cases & self.lexicon.participant_cases

    def _forced_of(self, state: DocState) -> dict[int, tuple[str, str]]:
        if self._forced_state is not state:
            self._forced_state, self._forced = state, {}
        return self._forced

    def retype_forced(self, candidates: list[Candidate], state: DocState) -> None:
        """Ground violence on protesters by the forces of order (`_by_parties`), its tolls
        bound: excessive force against protesters."""
        forced = self._forced_of(state)
        if not forced:
            return
        for candidate in candidates:
            if forced.get(candidate.trigger.i) == (candidate.event_type, candidate.sub_event_type):
                candidate.event_type, candidate.sub_event_type = _EXCESSIVE_FORCE
                candidate.interaction = None

    def _doers(self, token: Token) -> list[Token]:
        """Who did what a trigger tells: a verb's subject, a passive's agent ("tués par la
        police"), a noun's "de" complement ("une opération de la police"); with the people a
        counting noun counts ("des centaines de manifestants")."""
        if verbal(token):
            passive = bool(children_of(token, "aux:pass", "nsubj:pass")) or (
                token.dep_ in ("acl", "amod") and "Part" in feature_of(token, "VerbForm")
            )
            if passive:
                found = children_of(token, "obl:agent") or [
                    c for c in children_of(token, "obl", "obl:arg", "obl:mod") if case_of(c) == "par"
                ]
            else:
                subject = clause_subject_token(token)
                found = [subject] if subject is not None else []
        else:
            found = [c for c in children_of(token, "nmod") if case_of(c) in ("de", "d'", "du", "des")]
        return found + [
            c
            for d in found
            if lemma_of(d) in self.lexicon.crowd_nouns
            for c in children_of(d, "nmod")
            if case_of(c) in ("de", "d'", "du", "des")
        ]

    def _by_parties(
        self, rule: TriggerRule, token: Token, typed: tuple[str, str], state: DocState
    ) -> tuple[str, str]:
        """Who is hit and who strikes decide among a ground attack, a clash and a protest: a
        protest or its people hit by anyone but armed people who are no force of order ("trois
        manifestants tués par la police", "a ouvert le feu sur une foule qui protestait") meet
        excessive force; protesters who strike or burn ("des protestataires ont incendié le
        siège du parti") riot; the forces of order against an armed group ("une opération de la
        police contre le gang") fight a battle, whoever dies; a ground intrusion into a home
        ("ont fait irruption dans la maison") is an attack on civilians."""
        if typed not in _GROUND_TYPES and typed != rule.property_damage:
            return typed
        lexicon = self.lexicon
        doers = self._doers(token)
        doer_words = {lemma_of(d) for d in doers}
        security = bool(doer_words & lexicon.security_nouns) or any(
            (entry := entry_of(self.parties.participant(d, state))) is not None
            and (entry.type in _STATE_TYPES or entry.kind in ("country", "capital"))
            for d in doers
        )
        hit = self._hit_phrases(token)
        if token.dep_ in ("acl", "amod") and token.head.i != token.i:
            hit.append(token.head)  # "trois manifestants tués"
        protesters_hit = any(lemma_of(t) in lexicon.protest_words for t in hit)
        if (
            typed in _GROUND_TYPES
            and protesters_hit
            and (security or not doer_words & lexicon.attacker_nouns)
        ):
            # retyped once the sentence's tolls are bound to it as to the violence it is
            # (`retype_forced`): a protest is no violent type the tolls go to
            self._forced_of(state)[token.i] = typed
            return typed
        if doer_words & lexicon.protest_words and not security:
            return "Riots", "Violent demonstration"
        if typed not in _GROUND_TYPES or not rule.by_context:
            return typed
        if typed[0] == "Violence against civilians" and security:
            # "une opération de la police contre le gang": the complement may hang on its author
            holders = [token] if verbal(token) else [token, *(d for d in doers if d.head.i == token.i)]
            against = [
                c
                for holder in holders
                for c in children(holder)
                if c.dep_ in ("obl", "obl:arg", "obl:mod", "nmod") and case_of(c) in lexicon.target_cases
            ]
            if any(
                lemma_of(c) in lexicon.armed_group_nouns
                or ((m := state.mentions_at.get(c.i)) is not None and m.type == "ORG")
                for c in against
            ):
                return "Battles", "Armed clash"
        if typed[0] == "Battles" and not security:
            # also on the noun of a phrase ("ont fait irruption dans la maison")
            inside = [
                c
                for holder in (token, *children_of(token, "obj"))
                for c in children(holder)
                if c.dep_ in ("obl", "obl:arg", "obl:mod", "nmod") and case_of(c) in lexicon.intrusion_cases
            ]
            # "dans une maison", "au domicile de", "chez un notable": a home
            if any(lemma_of(c) in lexicon.civilian_property or case_of(c) == "chez" for c in inside):
                return "Violence against civilians", "Attack"
        return typed

    def _shares_passive(self, token: Token) -> bool:
        """A participle coordinated with a passive one ("interceptés et détruits")."""
        return (
            token.dep_ == "conj"
            and token.head.i != token.i
            and not children_of(token, "nsubj", "nsubj:pass")
            and bool(children_of(token.head, "nsubj:pass", "aux:pass"))
        )

    def _complement_target(self, token: Token, state: DocState) -> Mention | KBEntry | None:
        """Whom a threat is made against: "contre X" or "sur X" in what it says ("a promis de
        poursuivre la guerre contre le mouvement")."""
        for clause in children_of(token, "xcomp", "ccomp", "obj"):
            for node in (clause, *children(clause)):
                cased = self.parties.cased(node, self.lexicon.target_cases, state)
                if cased:
                    return cased[0]
        return None

    def classify(
        self,
        rule: TriggerRule,
        token: Token,
        sentence: Span,
        state: DocState,
        actor: Mention | KBEntry | None = None,
    ) -> tuple[str, str]:
        """The type and sub-type of a trigger.

        A rule's refinement whose word the sentence has wins ("tirs" on "manifestants"). For
        violence the means decide: those of the trigger's own clause, then of its sentence,
        leaving out the phrases of other violent triggers ("en représailles aux tirs de
        missiles"); a ground means (a machete, rifles) leaves the choice to the context (an
        attack on civilians or a clash). Then the sentence's context nouns, the last violent
        event for damage, and, for remote-violence triggers only, a weapon named elsewhere in
        the article: a sentence with means or context of its own is never typed by the
        article's other weapons. Territory taken is typed by its taker (a state's forces
        regain, a group overtakes)."""
        if rule.refinements:
            lemmas = {lemma_of(t) for t in span_tokens(sentence)}
            for words, event_type, sub_event_type in rule.refinements:
                if lemmas & words:
                    return event_type, sub_event_type
        if rule.role not in _VIOLENT_ROLES and not rule.by_context:
            return rule.event_type, self._by_actor(rule, actor)
        # what a generic attack or damage word may refer back to: the article's last violent
        # event, unless it is of a kind of its own ("deux bergers enlevés" is no attack)
        last = state.last_violent
        if (
            self.new_paragraph
            and last is not None
            and last[1] in self.lexicon.distinct_subtypes
            and rule.sub_event_type != last[1]
        ):
            last = None
        if rule.by_context and last is not None and self._refers_back(token, state):
            # "l'attaque", "cet assaut" naming no means and no party of its own is the attack
            # already told: the ground means or victims elsewhere in its sentence ("un gardien
            # a été tué par balle lors de l'attaque", "le bilan de l'attaque qui a visé un
            # marché") describe it, they do not make it another kind of event.
            return last
        if rule.role == "impact":
            weapon = impact_weapon(token, state, self.lexicon.projectile_nouns)
            named = self.means([weapon], state, impact=True) if weapon is not None else None
            if isinstance(named, MeansRule):
                return named.event_type, named.sub_event_type  # "a roulé sur une mine"
        if rule.by_weapon:
            hit = self._hit(rule, token, state)
            own = self.own_tokens(token, sentence, state)
            means = self.means(own, state, hit)
            if means is None:
                means = self.means(self.own_tokens(token, sentence, state, whole_sentence=True), state, hit)
            if means is None and self._ground_shooter(rule, token):
                # "un civil tué par des tirs de soldats": fire from people on the ground
                return context_type(self.lexicon, sentence) or ("Battles", "Armed clash")
            if means is not None:
                if isinstance(means, MeansRule):
                    if means.by_context:
                        return context_type(self.lexicon, sentence) or (
                            means.event_type,
                            means.sub_event_type,
                        )
                    return means.event_type, means.sub_event_type
                return "Explosions/Remote violence", means
        if rule.by_context:
            typed = context_type(self.lexicon, sentence)
            if typed is not None and typed[0] in self.lexicon.untargeted_types and rule.by_doc_weapon:
                # "trois civils tués dans une attaque russe": a state strikes from afar, with the
                # weapons the article names when they are of one kind (a barrage of drones and
                # missiles tells a toll of neither) (events owner's edit, issue 14)
                entry = entry_of(actor)
                groups = {self.lexicon.weapon_groups.get(c) for c in state.weapon_classes} - {None}
                by_doc = self.lexicon.weapon_subtype(state.weapon_classes) if len(groups) == 1 else None
                armed = any(
                    (m := state.mentions_at.get(t.i)) is not None and m.type == "WEAPON"
                    for t in span_tokens(sentence)
                )
                if entry is not None and entry.kind in ("country", "capital") and by_doc and not armed:
                    return "Explosions/Remote violence", by_doc
            if rule.property_damage and self._property_only(sentence, typed):
                return rule.property_damage  # "des hommes armés ont incendié le poste de police"
            if typed is not None:
                return typed
        if rule.role == "damage" and last is not None:
            return last
        if (rule.by_weapon or rule.by_context) and last is not None and self._anaphoric(token):
            return last  # "cette attaque", "les frappes": the article's last one
        part_start, part_end = self.part_bounds(token, sentence)
        names_weapon = any(
            (m := state.mentions_at.get(i)) is not None and m.type == "WEAPON"
            for i in range(part_start, part_end)
        )
        if rule.by_doc_weapon and not names_weapon:
            # Only a sentence that names no weapon at all: one whose weapons belong to another
            # trigger ("en représailles aux tirs de missiles") or to what it hit says nothing of
            # this trigger's means.
            by_doc = self.lexicon.weapon_subtype(state.weapon_classes)
            if by_doc is not None:
                self._unmarked(token, state).add(token.i)
                return "Explosions/Remote violence", by_doc
        if rule.property_damage and self._property_only(sentence, None):
            return rule.property_damage  # "onze camions incendiés", told alone
        if rule.ground_fallback and not names_weapon:
            # fire with no means named anywhere: small arms, typed like a ground means
            ground = next((m for m in self.lexicon.means if m.by_context), None)
            if ground is not None:
                return context_type(self.lexicon, sentence) or (ground.event_type, ground.sub_event_type)
        if rule.by_weapon and not names_weapon:
            self._unmarked(token, state).add(token.i)
        return rule.event_type, self._by_actor(rule, actor)

    def _unmarked(self, token: Token, state: DocState) -> set[int]:
        """The violent triggers of the article whose own part named no means and no context:
        typed by the article's weapons or their rule's default (`untyped`)."""
        if self._untyped_state is not state:
            self._untyped_state, self._untyped = state, set()
        return self._untyped

    def untyped(self, token: Token, state: DocState) -> bool:
        """The trigger's type came from nothing of its own part ("cinq morts dans un
        bombardement du marché, un drone frappe un véhicule": the bombardment)."""
        return self._untyped_state is state and token.i in self._untyped

    def _property_only(self, sentence: Span, typed: tuple[str, str] | None) -> bool:
        """Damage that harms no one the sentence names: no civilians context, no words of harm to
        people, no civilian home or place."""
        if typed is not None and typed[0] in self.lexicon.untargeted_types:
            return False
        harm = self.lexicon.people_harm_words | self.lexicon.civilian_property
        return not any(lemma_of(t) in harm for t in span_tokens(sentence))

    def _hit(self, rule: TriggerRule, token: Token, state: DocState | None = None) -> set[int]:
        """What a strike hits is no means ("a frappé des lance-roquettes", "un hélicoptère a été
        attaqué"); what is launched or intercepted is."""
        if rule.role not in ("attack", "damage") or "@projectile" in rule.object_lemmas:
            return set()
        objects = [  # "des infrastructures" is often read as "de" + noun
            c
            for c in children(token)
            if c.dep_ == "obj" or (c.dep_ == "obl:arg" and case_of(c) in ("des", "de", "du"))
        ]
        if state is not None:
            # projectiles fired are the means ("a tiré douze missiles sur Israël")
            objects = [
                o
                for o in objects
                if not state.is_projectile(o) and lemma_of(o) not in self.lexicon.projectile_nouns
            ]
            # what a passive says was hit, not what was fired ("des roquettes ont été tirées"):
            # its subject ("un hélicoptère de l'ONU a été attaqué"), or the subject of the verb
            # the trigger is the agent of ("... a été visé par des tirs")
            # (damage keeps its subject: "deux avions Su-30 auraient été détruits" types by the
            # attack it belongs to through the merge of the incident)
            patients = children_of(token, "nsubj:pass") if verbal(token) and rule.role == "attack" else []
            head = token.head
            if head.i != token.i and verbal(head) and (token.dep_ == "obl:agent" or case_of(token) == "par"):
                patients += children_of(head, "nsubj:pass")
            objects += [
                p
                for p in patients
                if not state.is_weapon(p) and lemma_of(p) not in self.lexicon.projectile_nouns
            ]
        return {t.i for o in objects for t in subtree_of(o)}

    def weapons(self, rule: TriggerRule, token: Token, sentence: Span, state: DocState) -> list[str]:
        """The weapons of a violent trigger: those of its clause, else of its sentence, never
        those of another trigger's phrase nor what it hits."""
        hit = self._hit(rule, token, state)
        for whole in (False, True):
            found: list[str] = []
            for word in sorted(
                self.own_tokens(token, sentence, state, whole_sentence=whole), key=lambda t: t.i
            ):
                mention = state.mentions_at.get(word.i)
                if word.i in hit or mention is None or mention.type != "WEAPON" or mention.id in found:
                    continue
                found.append(mention.id)
            if found:
                return self.places.most_specific(found)
        return []

    def _hit_phrases(self, token: Token) -> list[Token]:
        """The words naming what a trigger hit: a verb's objects, passive subject and "contre /
        sur" complements; a noun's "contre / sur" complements, the victims of the verb it is
        the agent or the subject of ("deux membres du Hezbollah tués par une frappe", "une
        frappe a tué deux membres du Hezbollah")."""
        heads: list[Token] = []
        cased = [
            c
            for c in children(token)
            if c.dep_ in ("obl", "obl:arg", "obl:mod", "nmod") and case_of(c) in self.lexicon.target_cases
        ]
        if verbal(token):
            heads = children_of(token, "obj", "nsubj:pass") + cased
        else:
            heads = cased
            head = token.head
            if head.i != token.i and verbal(head):
                if token.dep_ == "obl:agent" or case_of(token) == "par":
                    heads += children_of(head, "nsubj:pass", "nsubj") + [
                        c
                        for c in children(head)
                        if c.dep_ in ("obl", "obl:arg", "obl:mod") and case_of(c) in self.lexicon.target_cases
                    ]
                elif token.dep_ == "nsubj" and lemma_of(head) in self.lexicon.outcome_verbs:
                    heads += children_of(head, "obj")
        heads += self._casualties(token)
        return [t for h in heads for t in subtree_of(h)]

    def _casualties(self, token: Token) -> list[Token]:
        """The people a trigger killed or wounded, told by the casualty verb around it (parties
        issue 14): the passive subject of the verb whose circumstance it is ("deux soldats du
        X ont été tués dans une embuscade", "... blessés lors de l'attaque", "... lorsqu'un
        kamikaze a fait exploser"), or the object of a casualty participle on the trigger or
        on the verb it is the subject of ("une frappe a visé un véhicule, tuant deux membres
        du X")."""
        found: list[Token] = []
        holders = [token]
        if token.dep_ == "nsubj" and token.head.i != token.i and verbal(token.head):
            holders.append(token.head)
        for holder in holders:
            for child in children(holder):
                if (
                    child.dep_ in ("advcl", "acl", "conj")
                    and lemma_of(child) in self.lexicon.casualty_verbs
                    and "Part" in feature_of(child, "VerbForm")
                    and not children_of(child, "nsubj")
                ):
                    found += children_of(child, "obj")
        node = token
        for _ in range(3):
            if node.head.i == node.i or node.dep_ not in (
                "obl",
                "obl:arg",
                "obl:mod",
                "obl:agent",
                "advmod",
                "advcl",
                "xcomp",
            ):
                break
            node = node.head
            if verbal(node) and lemma_of(node) in self.lexicon.casualty_verbs:
                if not (node.dep_ == "conj" and node.head.pos_ in ("NOUN", "PROPN")):
                    # not a verb the parser hung on a coordinated subject ("cinq soldats X et
                    # deux instructeurs Y ont été tués", "tués" read as the conjunct of "soldats")
                    found += children_of(node, "nsubj:pass")
                break
        return found

    def _ground_shooter(self, rule: TriggerRule, token: Token) -> bool:
        """Fire whose shooters are people on the ground ("des tirs de soldats", "des policiers
        ont tiré"): the subject of the verb, or the noun's "de" complement."""
        if not rule.ground_shooters:
            return False
        if verbal(token):
            shooters = children_of(token, "nsubj")
        else:
            shooters = [c for c in children_of(token, "nmod") if case_of(c) in ("de", "d'", "du", "des")]
        return any(lemma_of(s) in rule.ground_shooters for s in shooters)

    def _refers_back(self, token: Token, state: DocState) -> bool:
        """A generic attack noun that refers back ("l'attaque", "cet assaut") and whose own
        phrase names no means, no party and no place: nothing in it tells another event."""
        if not self._anaphoric(token):
            return False
        phrase = [t for t in subtree_of(token) if t.i != token.i]
        if self.means(phrase, state) is not None:
            return False
        for child in children(token):
            if child.dep_ == "amod" and self.parties.demonym(child) is not None:
                return False  # "l'attaque russe"
            cased = case_of(child) in ("de", "d'", "du", "des") or case_of(child) in self.lexicon.target_cases
            if child.dep_ == "nmod" and cased and self.parties.participant(child, state) is not None:
                return False  # "l'attaque du Hamas", "l'attaque contre Kiev"
        return True

    @staticmethod
    def _anaphoric(token: Token) -> bool:
        """A trigger noun that refers back ("cette attaque", "ses attaques", "les frappes")."""
        if is_verb(token):
            return False
        for det in children_of(token, "det"):
            if "Dem" in feature_of(det, "PronType") or "Yes" in feature_of(det, "Poss"):
                return True
            if "Def" in feature_of(det, "Definite"):
                return True
        return False

    def _by_actor(self, rule: TriggerRule, actor: Mention | KBEntry | None) -> str:
        """The sub-type a rule gives its actor's kind: a state (a country, a capital, state
        forces) or a named non-state group (an organisation)."""
        if actor is None or not (rule.state_sub_event_type or rule.non_state_sub_event_type):
            return rule.sub_event_type
        entry = entry_of(actor)
        kind = entry.type if entry is not None else actor.type if isinstance(actor, Mention) else None
        is_state = kind in _STATE_TYPES or (entry is not None and entry.kind in ("country", "capital"))
        if is_state and rule.state_sub_event_type:
            return rule.state_sub_event_type
        if kind in _NON_STATE_TYPES and not is_state and rule.non_state_sub_event_type:
            return rule.non_state_sub_event_type
        return rule.sub_event_type

    def own_tokens(
        self, token: Token, sentence: Span, state: DocState, whole_sentence: bool = False
    ) -> list[Token]:
        """The words that tell a trigger's means: its clause (up to the first finite verb,
        without subordinate clauses that do not hold the trigger) or, with `whole_sentence`,
        its sentence; never the phrase of another violent trigger that does not govern it."""
        # classify and weapons each ask for a trigger's clause and sentence words: walked once
        # per article state (the parse is repaired before the first ask)
        if self._own_state is not state:
            self._own_state, self._own_words = state, {}
        key = (token.i, sentence.start, sentence.end, whole_sentence)
        found = self._own_words.get(key)
        if found is None:
            found = self._own_words[key] = self._walk_own(token, sentence, state, whole_sentence)
        return list(found)

    def part_bounds(self, token: Token, sentence: Span) -> tuple[int, int]:
        """The part of its sentence a trigger belongs to: the whole sentence, or, when the
        parser hangs the trigger's phrase across a comma on a finite verb that has its own
        subject on the other side ("Kostiantynivka : cinq morts dans un bombardement du
        marché, un drone frappe un véhicule", "Après le pilonnage de Kherson, des drones ont
        frappé Odessa"), the tokens on the trigger's side of that comma: the other part's
        means and weapons are its own trigger's."""
        heads = head_indices(sentence.doc)
        doc = sentence.doc
        start, end = sentence.start, sentence.end
        node = token
        for _ in range(6):
            head = heads[node.i]
            if head == node.i or not start <= head < end:
                break
            verb = doc[head]
            if is_finite(verb):
                subject = subject_of(verb)
                # only a nominal part ("cinq morts dans un bombardement"): a participle after
                # the comma (", tuant deux soldats") is the verb's own clause
                if node.pos_ in ("NOUN", "PROPN", "NUM") and (subject is None or subject.i != node.i):
                    high = verb.i if subject is None else max(verb.i, subject.i)
                    if node.i < verb.i:
                        # a comma after the trigger, then a noun phrase before the verb (its
                        # subject, or one the parser misreads in a headline: "Mali : six soldats
                        # tués dans une embuscade, un drone de l'armée frappe un campement")
                        comma = next(
                            (i for i in range(node.i + 1, verb.i) if doc[i].text in _PART_MARKS), None
                        )
                        if comma is not None and any(
                            doc[i].pos_ in ("NOUN", "PROPN", "PRON") for i in range(comma + 1, verb.i)
                        ):
                            return start, comma
                    elif subject is not None and node.i > high:
                        comma = next(
                            (i for i in range(node.i - 1, high, -1) if doc[i].text in _PART_MARKS), None
                        )
                        if comma is not None:
                            return comma + 1, end
                break
            node = verb
        return start, end

    def _walk_own(self, token: Token, sentence: Span, state: DocState, whole_sentence: bool) -> list[Token]:
        heads = head_indices(sentence.doc)
        start, end = self.part_bounds(token, sentence)
        path = {token.i, *(a.i for a in ancestors_of(token))}
        if whole_sentence:
            stack = [
                t
                for t in span_tokens(sentence)
                if start <= t.i < end and (heads[t.i] == t.i or not start <= heads[t.i] < end)
            ]
        else:
            top = token
            while not is_finite(top) and heads[top.i] != top.i and start <= heads[top.i] < end:
                top = head_of(top)
            stack = [top]
        found: list[Token] = []
        while stack:
            node = stack.pop()
            found.append(node)
            for child in children(node):
                if child.i == node.i or not start <= child.i < end:
                    continue
                if child.i in path:
                    stack.append(child)
                    continue
                if not whole_sentence and (
                    child.dep_ in _SUBCLAUSES or (child.dep_ == "conj" and is_finite(child))
                ):
                    continue
                if lemma_of(child) in self._violent_words and not state.is_weapon(child):
                    continue  # "en représailles aux tirs de missiles des Houthis"
                stack.append(child)
        return found

    def means(
        self, tokens: list[Token], state: DocState, hit: set[int] | None = None, impact: bool = False
    ) -> MeansRule | str | None:
        """What the words name as used: a means word read before the weapons (a kamikaze,
        a grenade, a chemical), the remote-violence sub-type of a weapon of the knowledge
        base, or another means word (bombs, aircraft, mortars; rifles, machetes). Words in
        `hit` (what the trigger struck: "a frappé un dépôt de missiles") do not count."""
        weapon_classes: list[str] = []
        lemmas: set[str] = set()
        for word in sorted(tokens, key=lambda t: t.i):
            if hit and word.i in hit:
                continue
            mention = state.mentions_at.get(word.i)
            if mention is not None and mention.type == "WEAPON":
                if mention.entry is not None and mention.entry.weapon_class:
                    weapon_classes.append(mention.entry.weapon_class)
                continue  # "drone kamikaze" is a drone
            lemmas.add(lemma_of(word))
        for rule in self.lexicon.means:
            if rule.before_weapons and lemmas & rule.lemmas:
                return rule
        by_weapon = self.lexicon.weapon_subtype(weapon_classes)
        if by_weapon is not None:
            return by_weapon
        for rule in self.lexicon.means:
            if not rule.before_weapons and (impact or not rule.impact_only) and lemmas & rule.lemmas:
                return rule
        return None
