"""Trigger detection: the words of a sentence that anchor an event mention.

A trigger is a lemma of `enrich/data/triggers.yaml` (its rules check objects, complements and
a plausible attacker), a verb + object compound ("couper l'aide") or a fixed phrase ("cible
légitime", matched with its accented spellings). Slots are read by `SlotFiller`.
"""

from __future__ import annotations

from spacy.matcher import Matcher
from spacy.tokens import Span, Token
from spacy.vocab import Vocab

from enrich.events.lexicon import EventLexicon, TriggerRule, default_lexicon
from enrich.events.modality import background, future_form, irrealis, negated
from enrich.events.parties import Parties
from enrich.events.slots import SlotFiller, addressed_complement
from enrich.events.state import Candidate, DocState, impact_weapon, objects_of, pronominal, verbal
from enrich.tokens import (
    ancestors_of,
    case_of,
    children,
    children_of,
    clause_subject_token,
    feature_of,
    folded_text,
    forms_of,
    is_verb,
    lemma_of,
    phrase_without,
    span_tokens,
    subtree_of,
)

_OF = ("de", "d'", "du", "des")
_CLAUSAL = ("ccomp", "xcomp", "parataxis", "advcl")
_NAME_DEPS = frozenset({"appos", "flat", "flat:name"})
_PHRASE_CLAUSES = frozenset({"acl:relcl", "ccomp", "xcomp", "parataxis", "advcl", "csubj"})
# What a threat says: the verbs of the complement and their objects, not the subjects (a
# prediction: "une offensive serait catastrophique"), descriptions or adverbs.
_CONTENT = frozenset(
    {"ccomp", "xcomp", "conj", "obj", "obl", "obl:arg", "obl:mod", "advcl", "parataxis", "iobj"}
)


class TriggerFinder:
    """Finds the triggers of a sentence and has `slots` build their candidates."""

    def __init__(self, vocab: Vocab, lexicon: EventLexicon, parties: Parties, slots: SlotFiller) -> None:
        self.lexicon = lexicon
        self.parties = parties
        self.slots = slots
        self.trigger_words = frozenset(self.lexicon.triggers) | frozenset(
            verb for compound in self.lexicon.compounds for verb in compound.verbs
        )
        self.phrase_matcher = Matcher(vocab)
        for index, (words, _, _, _) in enumerate(self.lexicon.phrases):
            variants = [
                sorted({v.replace("'", q) for v in _accent_variants(w) for q in ("'", "’")}) for w in words
            ]
            pattern = [{"LOWER": {"IN": forms}} for forms in variants]
            lemma_pattern = [{"LEMMA": {"IN": forms}} for forms in variants]
            self.phrase_matcher.add(f"phrase-{index}", [pattern, lemma_pattern])

    def find(self, sentence: Span, state: DocState) -> list[Candidate]:
        """The reported events a sentence's triggers anchor: a lemma's first rule that applies,
        else a verb + object compound, then the fixed phrases; one candidate per token."""
        found: list[Candidate] = []
        seen: set[int] = set()
        rules: dict[int, TriggerRule] = {}
        for token in span_tokens(sentence):
            if token.i in seen or token.is_punct or token.is_space:
                continue
            if not (set(forms_of(token)) & self.trigger_words):
                continue  # most words trigger nothing: skip the rule checks
            mention = state.mentions_at.get(token.i)
            if mention is not None and mention.type != "WEAPON" and mention.entry is not None:
                continue  # a name is not a trigger ("Spiderweb", "Toile d'araignée")
            if self._generic(token):
                continue  # "ceux qui les désamorcent": a kind of people, no event
            governing = self._governing_violent(token, found)
            for rule in self.rules_for(token):
                if not self.rule_applies(rule, token, state):
                    continue
                candidate = self.slots.candidate(rule, token, sentence, state)
                if (
                    candidate is not None
                    and rule.paragraph_toll
                    and state.last_violent is not None
                    and not candidate.places
                ):
                    continue  # "Le chauffeur a été abattu, selon la même source": the incident's toll
                if (
                    candidate is not None
                    and candidate.actor is None
                    and state.last_violent is not None
                    and state.last_violent[0] in rule.part_of_paragraph_event
                    and not self.slots.new_paragraph
                ):
                    # "un assaut repoussé ... les deux blindés ont été détruits par des drones":
                    # the weapon is the clash's, the losses are the clash's, on either side: the
                    # owner of what was destroyed ("blindés russes") is no target of its own
                    candidate.event_type, candidate.sub_event_type = state.last_violent
                    candidate.target = None
                if (
                    candidate is not None
                    and governing is not None
                    and self.lexicon.is_violent(candidate.event_type)
                ):
                    # "lors d'échanges de tirs": the exchange's fire, of its type
                    candidate.event_type, candidate.sub_event_type = (
                        governing.event_type,
                        governing.sub_event_type,
                    )
                    candidate.interaction = governing.interaction
                if candidate is not None:
                    found.append(candidate)
                    seen.add(token.i)
                    rules[token.i] = rule
                    break
            if token.i not in seen:
                compound = self.compound(token, state)
                if compound is not None and not irrealis(
                    self.lexicon,
                    token,
                    sentence,
                    scheduled=compound.sub_event_type in self.lexicon.scheduled_types,
                ):
                    candidate = self.slots.candidate(compound, token, sentence, state)
                    if candidate is not None:
                        found.append(candidate)
                        seen.add(token.i)
        for match_id, start, end in self.phrase_matcher(state.doc[sentence.start : sentence.end]):
            index = int(state.doc.vocab.strings[match_id].split("-")[1])
            _, event_type, sub_event_type, by_context = self.lexicon.phrases[index]
            token = state.doc[sentence.start + start]
            scheduled = sub_event_type in self.lexicon.scheduled_types
            if token.i in seen or irrealis(
                self.lexicon, token, sentence, include_self=False, scheduled=scheduled
            ):
                continue
            span = state.doc[sentence.start + start : sentence.start + end]
            if any(background(self.lexicon, word) for word in span):
                continue  # "qui a fait allégeance à l'EI en 2019"
            by_weapon = index in self.lexicon.weapon_phrases
            if by_weapon and not self._armed_phrase(token, sentence, state):
                continue  # "les critiques ont pris pour cible le ministre"
            # "a ouvert le feu au mortier": typed by its sentence's means, whoever fires
            by_weapon = by_weapon or index in self.lexicon.means_phrases
            rule = TriggerRule(
                name="phrase",
                role="phrase",
                event_type=event_type,
                sub_event_type=sub_event_type,
                by_context=by_context,
                by_weapon=by_weapon,
                by_doc_weapon=False,
            )
            candidate = self.slots.candidate(rule, token, sentence, state)
            if candidate is not None:
                candidate.trigger = token
                found.append(candidate)
                seen.add(token.i)
        self._tie_findings(found, rules, state)
        self._drop_occasions(found, rules)
        if found:
            self._drop_first_blame(found, sentence)
            self._drop_planned(found)
        self._type_by_cause(found)
        if len(found) > 1:
            self._type_by_fire(found)
            self._drop_takeover_fights(found)
        return found

    def _type_by_fire(self, found: list[Candidate]) -> None:
        """A hit told of a projectile another trigger fired ("un obus tiré depuis le côté
        pakistanais a frappé leur maison", "une roquette lancée par le Hezbollah a touché un
        immeuble"): the hit is that fire's event, of its type."""
        by_token = {c.trigger.i: c for c in found}
        for candidate in found:
            verb = candidate.trigger
            if not is_verb(verb) or not self.lexicon.is_violent(candidate.event_type):
                continue
            subjects = children_of(verb, "nsubj")
            # "lorsqu'un obus tiré depuis X a frappé": the parser may hang the fire on the hit
            describers: list[tuple[Token, tuple[str, ...]]] = [(s, ("acl", "amod")) for s in subjects] or [
                (verb, ("advcl",))
            ]
            for subject, deps in describers:
                fire = next(
                    (
                        f
                        for c in children(subject)
                        if c.dep_ in deps
                        and c.i < verb.i
                        and (f := by_token.get(c.i)) is not None
                        and f is not candidate
                        and self.lexicon.is_violent(f.event_type)
                    ),
                    None,
                )
                if fire is None and not subjects:
                    # "lorsqu'un obus tiré depuis X a frappé": the projectile the parser gave the
                    # fire as subject is the hit's subject too
                    fire = next(
                        (
                            f
                            for f in found
                            if f is not candidate
                            and verb.i - 8 < f.trigger.i < verb.i
                            and self.lexicon.is_violent(f.event_type)
                            and any(
                                set(forms_of(s)) & self.lexicon.projectile_nouns  # "obus": lemma "obu"
                                for s in children_of(f.trigger, "nsubj")
                            )
                        ),
                        None,
                    )
                if fire is not None:
                    candidate.event_type, candidate.sub_event_type = fire.event_type, fire.sub_event_type
                    candidate.interaction = fire.interaction
                    break

    def _drop_takeover_fights(self, found: list[Candidate]) -> None:
        """Fighting told as how territory was taken ("a repris le village après des combats contre
        les FSR", "s'est emparée d'un camp au terme de deux jours de combats"): a clash noun in a
        phrase of `takeover_circumstance_words` on the takeover's trigger is part of the
        takeover, no clash of its own."""
        takeovers = {c.trigger.i for c in found if c.sub_event_type in self.lexicon.takeover_subtypes}
        if not takeovers:
            return
        words = self.lexicon.takeover_circumstance_words
        for candidate in list(found):
            if candidate.event_type != "Battles" or candidate.trigger.i in takeovers:
                continue
            node, seen = candidate.trigger, set()
            for _ in range(4):
                if node.head.i == node.i or node.dep_ not in (
                    "nmod",
                    "obl",
                    "obl:mod",
                    "obl:arg",
                    "advmod",
                    "obj",
                ):
                    break
                seen.update((case_of(node) or "").split())
                seen.add(lemma_of(node))
                node = node.head
                if node.i in takeovers:
                    if seen & words:
                        found.remove(candidate)
                    break

    def _generic(self, token: Token) -> bool:
        """A verb in the present tense, with no auxiliary, in a relative clause on a pronoun of
        `generic_relative_heads` ("à ceux qui les désamorcent"): what a kind of people does."""
        return (
            token.dep_ == "acl:relcl"
            and lemma_of(token.head) in self.lexicon.generic_relative_heads
            and "Pres" in feature_of(token, "Tense")
            and not children_of(token, "aux", "aux:tense", "aux:pass")
        )

    def _armed_phrase(self, token: Token, sentence: Span, state: DocState) -> bool:
        """A phrase of striking whose striker is armed: the sentence names a weapon, or the
        subject or agent of its verb is a weapon or armed people (`attacker_nouns`) ("un drone
        a pris pour cible une moto", "des hommes armés ont pris pour cible un convoi"), not
        critics or an opposition ("les critiques ont pris pour cible le ministre")."""
        if any(
            (m := state.mentions_at.get(t.i)) is not None and m.type == "WEAPON"
            for t in span_tokens(sentence)
        ):
            return True
        verb = next((n for n in [token, *ancestors_of(token)] if is_verb(n)), None)
        if verb is None:
            return False
        strikers = [s for s in (clause_subject_token(verb),) if s is not None] + children_of(
            verb, "obl:agent"
        )
        strikers += [c for c in children_of(verb, "obl", "obl:mod") if case_of(c) == "par"]
        return any(
            state.is_weapon(s)
            or lemma_of(s) in self.lexicon.projectile_nouns
            or self.word_matches(s, frozenset({"@attacker"}), state)
            for s in strikers
        )

    def _governing_violent(self, token: Token, found: list[Candidate]) -> Candidate | None:
        """The violent noun trigger already read whose "de" complement a trigger noun is ("des
        échanges de tirs"): the complement tells that trigger's event."""
        if token.dep_ != "nmod" or case_of(token) not in _OF or is_verb(token) or token.head.i == token.i:
            return None
        head = token.head
        if is_verb(head):
            return None
        return next(
            (c for c in found if c.trigger.i == head.i and self.lexicon.is_violent(c.event_type)), None
        )

    def _type_by_cause(self, found: list[Candidate]) -> None:
        """A harm told with its cause ("deux bergers ont été blessés par l'explosion d'une mine",
        "un navire endommagé dans l'explosion d'un engin"): the harm is the cause's event, of its
        type; the cause's trigger is a violent candidate of the sentence introduced by one of
        `cause_cases`, complementing the harm's verb."""
        by_token = {c.trigger.i: c for c in found}
        for candidate in found:
            harm = candidate.trigger
            if (
                not verbal(harm)
                or not self.lexicon.is_violent(candidate.event_type)
                or not set(forms_of(harm)) & self.lexicon.harm_verbs
            ):
                continue
            causes = [
                c
                for c in children_of(harm, "obl", "obl:agent", "obl:mod", "obl:arg", "nmod")
                if case_of(c) in self.lexicon.cause_cases
            ]
            # "abattu lors d'une attaque": the complement of the adverb "lors"
            causes += [
                c
                for adverb in children_of(harm, "advmod")
                if lemma_of(adverb) in self.lexicon.cause_cases
                for c in children_of(adverb, "obl:arg", "obl", "nmod")
            ]
            # "a été endommagé mercredi par l'explosion": the parser may hang the cause elsewhere
            causes += [
                c.trigger
                for c in found
                if self._follows(harm, c.trigger) and case_of(c.trigger) in self.lexicon.cause_cases
            ]
            for child in causes:
                cause = by_token.get(child.i)
                if cause is None or cause is candidate or not self.lexicon.is_violent(cause.event_type):
                    continue
                candidate.event_type, candidate.sub_event_type = cause.event_type, cause.sub_event_type
                candidate.interaction = cause.interaction
                break

    def _follows(self, harm: Token, cause: Token) -> bool:
        """A cause's phrase opens right after the harm's verb, past days and adverbs only."""
        if cause.i <= harm.i or cause.i - harm.i > 6:
            return False
        first = min((c.i for c in children(cause) if c.dep_ in ("case", "det")), default=cause.i)
        between = harm.doc[harm.i + 1 : first]
        days = self.lexicon.time_nouns
        return all(
            t.pos_ == "ADV"
            or lemma_of(t) in days
            or (t.dep_ in ("case", "det") and lemma_of(t.head) in days)  # "dans la nuit"
            for t in between
        )

    def rules_for(self, token: Token) -> tuple[TriggerRule, ...]:
        lemma, text = forms_of(token)
        return self.lexicon.triggers.get(lemma) or self.lexicon.triggers.get(text) or ()

    def rule_applies(self, rule: TriggerRule, token: Token, state: DocState) -> bool:
        noun = token.pos_ in ("NOUN", "PROPN") and token.dep_ == "nmod" and token.head.i != token.i
        if noun and lemma_of(token.head) in self.lexicon.non_event_heads:
            return False  # "systèmes de frappe" is a capability
        if rule.perceived_by and self._governed(token, rule.perceived_by, subject=True):
            return False  # "des explosions ont été entendues à Kiev": the sound of a strike
        if rule.governor_verbs and not self._governed(token, rule.governor_verbs):
            return False  # "le débarquement des marchandises": no assault repelled
        if rule.unless_lemmas and any(set(forms_of(t)) & rule.unless_lemmas for t in span_tokens(token.sent)):
            return False  # "le bilan s'est alourdi après la découverte de corps": a toll told again
        if rule.finding and not any(
            lemma_of(o) in rule.object_lemmas and self._counted(o) for o in self.rule_objects(token)
        ):
            return False  # "nous retrouvons encore des corps": no toll
        if rule.passive_only and not (
            verbal(token)
            and (
                children_of(token, "aux:pass", "nsubj:pass")
                or (token.dep_ in ("acl", "amod") and "Past" in feature_of(token, "Tense"))
            )
        ):
            return False  # "ont abattu trois insurgés": the shooters' own event
        if rule.paragraph_toll and state.last_violent is not None and not self.slots.new_paragraph:
            return False  # "Le chauffeur, qui tentait de s'enfuir, a été abattu": the incident's toll
        if rule.not_pronominal and verbal(token) and pronominal(token):
            return False  # "une milice se réclamant de la communauté lendu" claims no demand
        if (
            rule.passive_agent_required
            and verbal(token)
            and (
                children_of(token, "aux:pass", "nsubj:pass")
                or (token.dep_ in ("acl", "amod") and "Past" in feature_of(token, "Tense"))
            )
            and not self.agents(token)
        ):
            return False  # "300 000 personnes sont menacées de famine": a danger, no threat
        if rule.object_required or rule.object_forbidden or rule.object_lemmas:
            objects = children_of(token, "obj", "nsubj:pass")
            if rule.object_forbidden and objects:
                return False
            if rule.object_required and not objects:
                return False
            if rule.object_lemmas and not (
                any(self.word_matches(word, rule.object_lemmas, state) for word in self.rule_objects(token))
                # "le groupe a annoncé sa dissolution"
                or ("@possessive" in rule.object_lemmas and not is_verb(token) and self.possessed(token))
            ):
                return False
        if rule.subject_lemmas and not any(
            self.word_matches(word, rule.subject_lemmas, state) for word in self.rule_subjects(token)
        ):
            return False
        if rule.agent_lemmas and not any(
            self.word_matches(word, rule.agent_lemmas, state) for word in self.agents(token)
        ):
            return False
        if (
            rule.complement_cases
            and not self.complements(token, rule.complement_cases)
            and not (
                rule.role == "interaction"
                and addressed_complement(token, rule.complement_cases, self.slots.not_asked) is not None
            )
        ):
            return False
        if rule.complement_lemmas and not any(
            self.word_matches(word, rule.complement_lemmas, state)
            for complement in self.complements(token, rule.complement_cases)
            for word in (complement, *(c for c in children_of(complement, "nmod") if case_of(c) in _OF))
        ):
            return False  # "sont repartis avec leur butin": no people taken
        if rule.object_excluded and any(
            self.word_matches(word, rule.object_excluded, state)
            for word in self.rule_objects(token) + self._antecedents(token)
        ):
            return False  # "un drone abattu par la défense aérienne" is intercepted, not killed
        if rule.target_lemmas and not any(
            self.word_matches(word, rule.target_lemmas, state)
            for word in (*self.rule_objects(token), *self.complements(token, self.lexicon.target_cases))
        ):
            return False
        if rule.sub_event_type == "REQUEST" and self.addresses_population(token):
            return False  # "a appelé la population à rester chez elle"
        if rule.role == "interaction" and is_verb(token) and self.commentator_speaks(token):
            return False  # "un chercheur a affirmé que les insurgés peuvent frapper partout"
        if rule.threat_complement and not self.threatens(token, rule, state):
            return False
        violent = self.lexicon.is_violent(rule.event_type)
        if rule.role == "attack" and violent and is_verb(token) and not self.plausible_attacker(token, state):
            return False
        if rule.role == "interception":
            # Only projectiles are intercepted; "détruire deux maisons" is damage and "repousser
            # un assaut" is the assault's own event.
            objects = objects_of(token) + children_of(token, "nsubj:pass")
            if not any(state.is_projectile(o) for o in objects):
                return False
        return not (
            rule.role == "impact" and impact_weapon(token, state, self.lexicon.projectile_nouns) is None
        )

    @staticmethod
    def _governed(token: Token, verbs: frozenset[str], subject: bool = False) -> bool:
        """A noun is what one of these verbs acts on: its object or passive subject ("ont
        repoussé une agression"), with `subject` its subject too ("des explosions ont
        retenti"), or the noun a participle of one describes ("une tentative de débarquement
        repoussée")."""
        if is_verb(token):
            return False
        if any(c.dep_ in ("acl", "amod") and lemma_of(c) in verbs for c in children(token)):
            return True
        object_like = token.dep_ in ("obj", "nsubj:pass") or (
            token.dep_ in ("obl", "obl:mod") and case_of(token) is None
        )
        if subject and token.dep_ == "nsubj":
            object_like = True
        return object_like and token.head.i != token.i and lemma_of(token.head) in verbs

    @staticmethod
    def _counted(noun: Token) -> bool:
        """A noun counted by a number, itself or through its "de" complement ("treize corps",
        "les corps de onze hommes", "la dépouille d'un villageois")."""
        words = [noun, *(c for c in children_of(noun, "nmod") if case_of(c) in _OF)]
        return any(
            c.dep_ == "nummod" or c.pos_ == "NUM" or (c.dep_ == "det" and lemma_of(c) == "un")
            for w in words
            for c in children(w)
        )

    @staticmethod
    def _antecedents(token: Token) -> list[Token]:
        """What a pronoun object or passive subject of a verb stands for ("deux drones ont été
        lancés ; l'un d'eux a été abattu"): the last subject or object noun before it in the
        sentence, of another verb."""
        if not verbal(token):
            return []
        pronouns = [
            c
            for c in children_of(token, "obj", "nsubj:pass")
            if c.pos_ == "PRON" or lemma_of(c) in ("un", "une")
        ]
        if not pronouns:
            return []
        first = min(p.i for p in pronouns)
        start = token.sent.start
        if start > 0 and first - start < 4:
            start = token.doc[start - 1].sent.start  # "...; l'un d'eux": the sentence before
        earlier = [
            t
            for t in token.doc[start:first]
            if t.pos_ == "NOUN" and t.dep_ in ("nsubj", "nsubj:pass", "obj") and t.head.i != token.i
        ]
        return earlier[-1:]

    def _drop_first_blame(self, found: list[Candidate], sentence: Span) -> None:
        """A violent act an accuser pins on the accused as the one who started it ("accuse
        l'armée d'avoir ouvert le feu la première", "soupçonne les miliciens d'avoir tiré les
        premiers") blames a side for a fight, no event of its own: a `first_blame_words` word,
        pronominal, in the trigger's clause after it, with an `object_control_verbs` verb before
        the trigger in its sentence."""
        words = self.lexicon.first_blame_words
        accusers = self.lexicon.object_control_verbs
        for candidate in list(found):
            trigger = candidate.trigger
            if not self.lexicon.is_violent(candidate.event_type):
                continue
            doc = trigger.doc
            first = None
            for i in range(trigger.i + 1, min(sentence.end, trigger.i + 7)):
                word = doc[i]
                if word.is_punct or (word.pos_ == "VERB" and i > trigger.i + 1):
                    break
                if folded_text(word) in words:
                    first = word
                    break
            if first is None or (first.i + 1 < sentence.end and doc[first.i + 1].pos_ in ("NOUN", "PROPN")):
                continue  # "d'avoir attaqué le premier ministre"
            if any(lemma_of(doc[i]) in accusers for i in range(sentence.start, trigger.i)):
                found.remove(candidate)

    def _drop_planned(self, found: list[Candidate]) -> None:
        """A protest noun that is the subject of "est prévu" or the object of "a annoncé" ("un
        nouveau rassemblement est prévu mercredi", "a annoncé une marche samedi") is planned, not
        held: `planning_verbs`, for `planned_event_types`."""
        for candidate in list(found):
            trigger = candidate.trigger
            if (
                candidate.event_type in self.lexicon.planned_event_types
                and trigger.pos_ == "NOUN"
                and trigger.dep_ in ("obj", "nsubj:pass")
                and lemma_of(trigger.head) in self.lexicon.planning_verbs
            ):
                found.remove(candidate)

    def _drop_occasions(self, found: list[Candidate], rules: dict[int, TriggerRule]) -> None:
        """An operation (`TriggerRule.occasion`) in the "lors de" phrase of a non-violent
        event's verb ("ont arrêté cinq suspects lors d'une opération de ratissage") is that
        event's occasion, no battle of its own."""
        calm = {c.trigger.i for c in found if not self.lexicon.is_violent(c.event_type)}
        if not calm:
            return
        for candidate in list(found):
            rule = rules.get(candidate.trigger.i)
            if rule is None or not rule.occasion:
                continue
            node = candidate.trigger
            for _ in range(3):
                if node.head.i == node.i:
                    break
                if node.dep_ in ("obl", "obl:mod", "obl:arg", "advcl", "advmod") and node.head.i in calm:
                    found.remove(candidate)
                    break
                # "lors d'une opération": the phrase hung on the adverb
                if node.dep_ not in ("nmod", "obl:arg") or (
                    node.dep_ == "obl:arg" and node.head.pos_ != "ADV"
                ):
                    break
                node = node.head

    def _tie_findings(self, found: list[Candidate], rules: dict[int, TriggerRule], state: DocState) -> None:
        """Bodies found (`TriggerRule.finding`) with another violent trigger in their sentence
        are that trigger's toll: a generic attack word of `retyped_causes` takes the finding's
        type ("treize corps retrouvés après l'attaque du site": the attack killed them), and the
        finding yields ("onze corps retrouvés au lendemain d'affrontements": the clash's toll).
        Alone in its sentence, a finding beside people killed is no event ("six tués à X, quatre
        corps retrouvés à Y"), and one told after an attack on civilians refers back to it."""
        findings = [c for c in found if (r := rules.get(c.trigger.i)) is not None and r.finding]
        if not findings:
            return
        others = [c for c in found if c not in findings and self.lexicon.is_violent(c.event_type)]
        if not others:
            # "six membres d'une famille tués à X, quatre corps retrouvés à Y": the people killed
            # are a toll of their own, the finding no bridge between the two
            harm = self.lexicon.people_harm_words
            sentence = findings[0].trigger.sent
            if any(set(forms_of(t)) & harm for t in span_tokens(sentence)):
                for finding in findings:
                    found.remove(finding)
                return
            for finding in findings:
                # after an attack on civilians told, the bodies are its toll, found on a later
                # day ("six corps avaient été retrouvés lundi dans un camp"): that attack
                if state.last_violent == (finding.event_type, finding.sub_event_type):
                    finding.refers_back = True
            return
        for finding in findings:
            rule = rules[finding.trigger.i]
            for other in others:
                if set(forms_of(other.trigger)) & rule.retyped_causes and other.event_type == "Battles":
                    other.event_type, other.sub_event_type = finding.event_type, finding.sub_event_type
                    other.interaction = None
            found.remove(finding)

    def plausible_attacker(self, verb: Token, state: DocState) -> bool:
        """ "La grêle a frappé les vignes", "frappée par la sécheresse": a subject (or agent) that
        is a common noun naming no party, no armed people (`attacker_nouns`: "des rebelles",
        "un gang", "des membres du gang"), no weapon and no attack is not an attacker."""
        passive = bool(children_of(verb, "aux:pass", "nsubj:pass"))
        agents = children_of(verb, "obl:agent") if passive else children_of(verb, "nsubj")
        for agent in agents:
            if agent.pos_ != "NOUN":
                continue
            # "des centaines de manifestants", "une dizaine d'hommes armés": the people counted
            counted = [c for c in children_of(agent, "nmod") if case_of(c) in _OF]
            if counted and lemma_of(agent) in self.lexicon.crowd_nouns:
                continue  # "plusieurs centaines de cocaleros": people, whoever they are
            if any(
                self.parties.participant(word, state) is not None
                or state.is_weapon(word)
                or self.is_attack(word)
                or self.word_matches(word, self.lexicon.attacker_nouns, state)
                for word in (agent, *counted)
            ):
                continue
            if any(state.is_weapon(t) for t in subtree_of(agent)):
                continue
            return False
        return True

    def rule_objects(self, token: Token) -> list[Token]:
        """What a rule's object condition reads: objects and passive subjects ("des bombes ont
        été larguées"), the noun a participle describes ("les drones lancés"), a noun's "de"
        complement ("l'échange de prisonniers"), and their own "de" complements ("une
        trentaine de missiles")."""
        if verbal(token):
            found = children_of(token, "obj", "nsubj:pass")
            if not found and children_of(token, "aux:pass"):
                found = children_of(token, "nsubj")  # "un chauffeur [nsubj] a été abattu"
            if not is_verb(token):  # a verb tagged otherwise ("ont violé") has ill-labelled objects
                found += [c for c in children_of(token, "dep") if c.i > token.i and c.pos_ == "NOUN"]
            # "engagé entre 150 et 200 drones", "des drones" misread as "de" + noun, "a lancé
            # 86 drones" misread as an agent, "s'est emparé de la ville"
            found += [
                c
                for c in children_of(token, "obl:arg", "obl", "obl:agent", "obl:mod")
                if case_of(c) in ("des", "de", "d'", "du", "entre", None)
            ]
            if token.dep_ in ("acl", "amod") and token.head.i != token.i and not children_of(token, "obj"):
                found.append(token.head)
            # "sont convenus lundi d'un cessez-le-feu": the complement hung on a bare day (not
            # "attaquée à l'aube près du village")
            found += [
                c
                for day in token.children
                if day.i > token.i and lemma_of(day) in self.lexicon.time_nouns and case_of(day) is None
                for c in children_of(day, "nmod")
                if case_of(c) in _OF
            ]
        else:
            found = [c for c in children(token) if c.dep_ == "nmod" and case_of(c) in _OF]
        for word in list(found):
            found.extend(
                c for c in children(word) if c.dep_ in ("nmod", "conj") and case_of(c) in (*_OF, None)
            )
        return found

    @staticmethod
    def possessed(token: Token) -> bool:
        return any("Yes" in feature_of(d, "Poss") for d in children_of(token, "det"))

    def rule_subjects(self, token: Token) -> list[Token]:
        """Who a rule's subject condition reads: the verb's subject ("des centaines d'habitants
        ont marché") or a noun's "de" complement ("le retrait des troupes")."""
        if verbal(token):
            found = children_of(token, "nsubj") or (
                children_of(token, "nsubj:pass") if pronominal(token) else []
            )
        else:
            found = [c for c in children(token) if c.dep_ == "nmod" and case_of(c) in _OF]
        for word in list(found):
            found.extend(c for c in children(word) if c.dep_ == "nmod" and case_of(c) in _OF)
        return found

    @staticmethod
    def agents(token: Token) -> list[Token]:
        """Who does what a verb says: the agent of a passive verb or participle ("tués par des
        hommes armés"), the subject of an active one ("des hommes armés ont tué")."""
        if not verbal(token):
            return []
        if (
            token.dep_ == "conj"
            and token.head.i != token.i
            and verbal(token.head)
            and not children_of(token, "nsubj", "nsubj:pass", "obl:agent")
        ):
            # "des insurgés ont tué cinq civils et incendié des habitations": the coordinated
            # verb shares its first verb's subject
            return TriggerFinder.agents(token.head)
        shared = TriggerFinder._shared_subject(token)
        if shared:
            return shared
        passive = children_of(token, "obl:agent") or [
            c for c in children_of(token, "obl", "obl:arg", "obl:mod") if case_of(c) == "par"
        ]
        finite = "Fin" in feature_of(token, "VerbForm")
        if token.dep_ in ("acl", "amod") and finite and token.head.i < token.i and not passive:
            return [token.head]  # a headline's finite verb hung on its subject ("une kamikaze tue")
        if passive or children_of(token, "aux:pass", "nsubj:pass") or token.dep_ in ("acl", "amod"):
            return passive
        return children_of(token, "nsubj")

    @staticmethod
    def _shared_subject(token: Token) -> list[Token]:
        """The doer of an active verb with no subject of its own that another verb's subject
        performs: a perfect infinitive reported by its governor ("les gardes-côtes disent avoir
        abattu", "l'état-major a annoncé avoir tué": subject control), or a finite verb the
        parser hung beside a participle on the same subject ("ses soldats, envoyés en renfort,
        ont tué")."""
        head = token.head
        if (
            head.i == token.i
            or not is_verb(head)
            or children_of(token, "nsubj", "nsubj:pass", "obl:agent", "aux:pass")
        ):
            return []
        if token.dep_ == "xcomp" and any(
            "Inf" in feature_of(a, "VerbForm") for a in children_of(token, "aux:tense")
        ):
            if lemma_of(head) in default_lexicon().object_control_verbs:
                return children_of(head, "obj")  # "accusent les rebelles d'avoir tué"
            return children_of(head, "nsubj")
        if token.dep_ == "parataxis" and head.i < token.i:
            return children_of(head, "nsubj") or children_of(head, "nsubj:pass")
        return []

    def word_matches(self, word: Token, lemmas: frozenset[str], state: DocState) -> bool:
        """A word is in a rule's list: by lemma, or by class ("@entity" a named person or body,
        "@weapon" a weapon, "@projectile" a projectile, "@person" people, "@place" a place,
        "@attacker" armed people: `attacker_nouns`)."""
        lemma = lemma_of(word)
        if lemma in lemmas or folded_text(word) in lemmas:
            return True
        if " " in lemma and word.pos_ == "NOUN" and lemma.split(" ", 1)[0] in lemmas:
            return True  # "une ville-carrefour" (folded "ville carrefour") is a town
        if "@pronoun" in lemmas and _personal(word):
            return True  # "la police les a dispersés": the people just told
        mention = state.mentions_at.get(word.i)
        if mention is not None:
            if "@entity" in lemmas and mention.type not in ("WEAPON", "LOC"):
                return True
            if "@weapon" in lemmas and mention.type == "WEAPON":
                return True
            if "@projectile" in lemmas and state.is_projectile(word):
                return True
            if "@person" in lemmas and mention.type == "PER":
                return True
            if "@place" in lemmas and mention.type == "LOC":
                return True  # "se sont emparés de Kobo"
        if "@person" in lemmas and word.pos_ in ("NOUN", "PROPN") and self.parties.demonym(word) is not None:
            return True  # "a arrêté quatorze Palestiniens"
        if "@projectile" in lemmas and lemma_of(word) in self.lexicon.projectile_nouns:
            return True
        if (
            "@attacker" in lemmas
            and lemma_of(word) in self.lexicon.attacker_nouns
            and not state.is_weapon(word)
        ):
            return True
        # "neuf d'entre eux": a personal pronoun counts among the people
        people = self.lexicon.person_nouns
        return "@person" in lemmas and (lemma_of(word) in people or folded_text(word) in people)

    def complements(self, token: Token, cases: frozenset[str]) -> list[Token]:
        """Complements introduced by one of these words: an infinitive or a nominal ("appelé
        les alliés à livrer", "une opération contre le gang"), also when the parser hangs the
        infinitive on the object ("les alliés [à livrer]")."""
        deps = ("xcomp", "advcl", "ccomp", "obl", "obl:arg", "obl:mod", "nmod", "acl")
        objects = children_of(token, "obj")
        objects += [c for o in objects for c in children_of(o, "conj") if not is_verb(c)]  # "X et Y à"
        # "a appelé la coalition menée par les États-Unis à renforcer": the infinitive hung on
        # the participle describing the object
        heads = [token, *objects, *(c for o in objects for c in children_of(o, "acl") if is_verb(c))]
        # an addressee the parser misread as a complement or a coordinated word ("a appelé
        # Ankara à cesser", "a exhorté les rebelles et les milices à déposer les armes")
        heads += [
            c
            for c in children_of(token, "xcomp", "conj")
            if c.i > token.i and not is_verb(c) and c.pos_ in ("NOUN", "PROPN", "ADV")
        ]
        if not is_verb(token):
            # "une opération de l'armée contre un gang": the parser may hang the noun's
            # complement on its "de" complement
            heads += [c for c in children_of(token, "nmod") if case_of(c) in _OF and c.i > token.i]
        if token.dep_ == "conj":
            # "a dénoncé X et appelé Y à faire ...": the parser may hang the infinitive on the
            # first verb of the coordination.
            first = next((a for a in ancestors_of(token) if is_verb(a)), None)
            if first is not None:
                heads.append(first)
        found = []
        for head in heads:
            for child in children(head):
                if child.dep_ not in deps or child.i < token.i:
                    continue
                if (
                    head.i != token.i
                    and child.dep_ != "acl"
                    and head in objects
                    and not self._addressed_noun(child)
                ):
                    continue
                marks = {folded_text(m) for m in children(child) if m.dep_ in ("mark", "case")}
                if marks & cases and not (
                    # "a appelé son homologue à 10 heures": a time, not what is asked
                    marks & self.lexicon.recipient_cases
                    and child.pos_ == "NOUN"
                    and children_of(child, "nummod")
                ):
                    found.append(child)
        return found

    def _addressed_noun(self, child: Token) -> bool:
        """What the addressee is called to, hung by the parser on the addressee ("a appelé les
        belligérants à la retenue", "ont exhorté les deux camps à un cessez-le-feu"): a common
        noun introduced by "à", not a place's name nor a meeting one is invited to ("a invité
        les dirigeants à un sommet")."""
        return (
            child.dep_ == "nmod"
            and child.pos_ == "NOUN"
            and case_of(child) in self.lexicon.recipient_cases
            and not any(r.sub_event_type == "CONSULT" for r in self.rules_for(child))
        )

    def addresses_population(self, token: Token) -> bool:
        """A call or a request addressed to a population (`population_nouns`), not to a party."""
        addressees = children_of(token, "obj") + [
            c for c in children_of(token, "obl", "obl:arg", "iobj") if case_of(c) in ("a", "au", "aux", None)
        ]
        return any(lemma_of(a) in self.lexicon.population_nouns for a in addressees)

    def commentator_speaks(self, verb: Token) -> bool:
        """The verb's subject is a commentator (`commentator_nouns`), named or not ("un
        chercheur, Joao Feijó, a affirmé", "l'historien X a déclaré"): no party acts."""
        subject = clause_subject_token(verb)
        if subject is None:
            return False
        words = [subject, *(c for c in children(subject) if c.dep_ in _NAME_DEPS)]
        if subject.dep_ in _NAME_DEPS and subject.head.i != subject.i:
            words.append(subject.head)
        return any(lemma_of(w) in self.lexicon.commentator_nouns for w in words)

    def threatens(self, verb: Token, rule: TriggerRule, state: DocState | None = None) -> bool:
        """A reporting verb's complement is a threat: a threat word (`threat_words`) said of
        what is to come (an infinitive, the future, the conditional, under a modal), not in
        a condition, not inside a subject (the prediction "une offensive serait
        catastrophique") and not negated. A quote the verb reports ("« Nous riposterons »,
        a averti X") is its complement too. What another party may do ("« La Russie pourrait
        frapper », a averti le président ukrainien") is a warning, not a threat."""
        speaker = None
        if state is not None:
            speaker = self.parties.quote_speaker(verb, state) or self.parties.clause_subject(verb, state)
        contents = [c for c in children(verb) if c.dep_ in _CLAUSAL]
        if verb.dep_ in ("parataxis", "conj") and verb.head.i != verb.i and verb.head.i < verb.i:
            contents.append(verb.head)
        objects = children_of(verb, "obj") if rule.threat_object else []
        for content in contents + objects:
            stack = [content]
            while stack:
                node = stack.pop()
                marks = {folded_text(m) for m in children(node) if m.dep_ in ("mark", "case")}
                if marks & (self.lexicon.condition_marks | self.lexicon.purpose_marks):
                    continue  # "si les frappes se poursuivent", "afin de financer la guerre"
                words = {lemma_of(node), folded_text(node)}
                if words & self.lexicon.threat_words and self._prospective(node, content, objects, verb):
                    if words & self.lexicon.suffered_threat_words:
                        # "ils en paieront le prix": the price is the other side's to pay
                        if state is None or self._party_subject(node, state):
                            return True
                        continue
                    if state is not None and self._other_side(node, speaker, state):
                        continue
                    return True
                stack.extend(c for c in children(node) if c.dep_ in _CONTENT and c.i != verb.i)
        return False

    def _party_subject(self, word: Token, state: DocState) -> bool:
        """The subject of a word's clause is a party or armed people ("le groupe et ses
        commanditaires paieront", "les forces séparatistes en paieront le prix"), not "les
        ménages"."""
        node = word
        while not is_verb(node) and node.head.i != node.i:
            node = node.head
        subject = clause_subject_token(node)
        if subject is None:
            return False
        return any(
            self.parties.participant(w, state) is not None
            or self.word_matches(w, frozenset({"@attacker", "@entity"}), state)
            for w in (subject, *children_of(subject, "conj"))
        )

    def _other_side(self, word: Token, speaker: object, state: DocState) -> bool:
        """The subject of a threat word's clause names a party of another state than the
        speaker's."""
        node = word
        while not is_verb(node) and node.head.i != node.i:
            node = node.head
        subject = clause_subject_token(node)  # "La Russie pourrait frapper": the modal's subject
        if subject is None or speaker is None:
            return False
        doer = self.parties.ref(self.parties.participant(subject, state), as_state=True)
        said_by = self.parties.ref(speaker, as_state=True)  # type: ignore[arg-type]
        if doer is None or said_by is None:
            return False
        if said_by.type == "PER" and self.parties.state_of(said_by) is None:
            return False  # a spokesman whose side the knowledge base does not know may speak for it
        return doer.id != said_by.id and (self.parties.state_of(said_by) or said_by.id) != doer.id

    def _prospective(self, word: Token, content: Token, objects: list[Token], reporter: Token) -> bool:
        """The clause of a threat word tells what is to come, and is not negated."""
        if content in objects:
            return True  # "a promis une riposte"
        node = word
        while not is_verb(node) and node.i != content.i and node.head.i != node.i:
            node = node.head
        if not is_verb(node) or negated(self.lexicon, node):
            return False
        if lemma_of(node) in self.lexicon.modal_verbs or lemma_of(node.head) in self.lexicon.modal_verbs:
            return True
        if "Inf" in feature_of(node, "VerbForm") and not children_of(node, "aux:tense", "aux:pass"):
            # "a promis de frapper", "sommes prêts à frapper"; not "continue de frapper" (a
            # report), nor what a noun or a verb of the present says ("réduit la capacité du
            # Kremlin à financer sa guerre")
            governor = node.head
            return governor.i == reporter.i or (
                lemma_of(governor) in self.lexicon.irrealis_governors | self.lexicon.modal_verbs
            )
        return any(
            "Fut" in feature_of(form, "Tense") or future_form(self.lexicon, form)
            for form in (node, *children_of(node, "aux:tense", "aux:pass", "aux"))
        )

    def compound(self, token: Token, state: DocState) -> TriggerRule | None:
        lemma, text = forms_of(token)
        if any(
            case_of(c) == "pour" and c.pos_ == "NOUN" and not children_of(c, "det") for c in children(token)
        ):
            return None  # "prendre le camp pour cible": taken as, not taken
        # An object the parser read as an adjunct ("ont signé mardi à Ijevan un protocole"), also
        # behind a name it misread as a preposition ("à Abou Dhabi un protocole").
        candidates = objects_of(token) + [
            c
            for c in children_of(token, "obl", "obl:mod", "obl:arg")
            if c.pos_ == "NOUN" and all(m.text[:1].isupper() for m in children(c) if m.dep_ == "case")
        ]
        # ... or as the apposition of a name in an adjunct ("ont signé à Kunming, sous l'égide
        # de la Chine, un accord")
        candidates += [
            a
            for c in children_of(token, "obl", "obl:mod")
            for a in subtree_of(c)
            if a.dep_ == "appos" and a.pos_ == "NOUN" and a.i > token.i and case_of(a) is None
        ]
        candidates += self._object_past_day(token)
        if not verbal(token) and not any(
            lemma_of(a) in self.lexicon.prospective_adjectives for a in children_of(token, "amod")
        ):
            # a verb's noun ("la signature d'un accord", "la conclusion d'une trêve"), not one
            # to come ("la signature prochaine d'un accord")
            candidates += [c for c in children_of(token, "nmod") if case_of(c) in _OF]
        for compound in self.lexicon.compounds:
            if lemma not in compound.verbs and text not in compound.verbs:
                continue
            for obj in candidates:
                # a weapon of the object's own phrase, not of a clause on it ("a annoncé l'armée
                # de l'air, qui affirme avoir abattu 98 missiles": no delivery)
                is_weapon = any(state.is_weapon(t) for t in self._phrase_of(obj))
                if lemma_of(obj) in compound.objects or ("@weapon" in compound.objects and is_weapon):
                    return TriggerRule(
                        name=compound.name,
                        role="compound",
                        event_type=compound.event_type,
                        sub_event_type=compound.sub_event_type,
                        state_sub_event_type=compound.state_sub_event_type,
                        non_state_sub_event_type=compound.non_state_sub_event_type,
                    )
        return None

    @staticmethod
    def _phrase_of(noun: Token) -> list[Token]:
        """A noun's phrase: its subtree without the clauses hung on it (relative, adverbial,
        complement clauses)."""
        return phrase_without(noun, _PHRASE_CLAUSES)

    def _object_past_day(self, verb: Token) -> list[Token]:
        """The object of a verb the parser lost behind a day and a place ("ont signé jeudi à
        Bakou un accord", "a conclu dimanche à Doha un cessez-le-feu"), read as the verb's
        object, a name's part or another verb's subject: the first noun after the verb that
        opens on its own determiner not introduced by a preposition, when the verb's only
        objects are days."""
        if not is_verb(verb) or any(
            lemma_of(o) not in self.lexicon.time_nouns for o in children_of(verb, "obj")
        ):
            return []
        sentence = verb.sent
        for word in verb.doc[verb.i + 1 : min(sentence.end, verb.i + 9)]:
            if word.is_punct or (is_verb(word) and word.dep_ != "amod"):
                return []  # the verb's clause ends
            if word.pos_ != "NOUN" or lemma_of(word) in self.lexicon.time_nouns or word.i < 1:
                continue
            before = verb.doc[word.i - 1]
            opener = verb.doc[word.i - 2] if word.i >= 2 else None
            if before.dep_ == "det" and before.head.i == word.i and (opener is None or opener.pos_ != "ADP"):
                return [word]
        return []

    def is_attack(self, token: Token) -> bool:
        return any(rule.role == "attack" for rule in self.rules_for(token))


def _personal(word: Token) -> bool:
    """A third-person personal pronoun object ("les", "la"), not a reflexive or a relative; also
    an article the parser read as the object ("les forces de l'ordre les [DET] ont dispersés")."""
    if word.pos_ == "DET":
        return word.dep_ == "obj" and lemma_of(word) == "le"
    return (
        word.pos_ == "PRON"
        and "3" in feature_of(word, "Person")
        and "Yes" not in feature_of(word, "Reflex")
        and "Rel" not in feature_of(word, "PronType")
    )


def _accent_variants(word: str) -> set[str]:
    """Accented spellings a folded lexicon word may have in text ("legitime" -> "légitime")."""
    variants = {word}
    replacements = {"e": "éèê", "a": "àâ", "i": "îï", "o": "ô", "u": "ûù", "c": "ç"}
    for index, char in enumerate(word):
        for accented in replacements.get(char, ""):
            variants.add(word[:index] + accented + word[index + 1 :])
    return variants
