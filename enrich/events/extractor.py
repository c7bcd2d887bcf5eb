"""The event extractor: reads a parsed article sentence by sentence and emits one `Event`
per reported event mention, composing the steps of this package:

- `repair`: objects the parser hung on a day put back under their verb, a finite verb the
  parser hung on a participle made the root;
- `modality`: is the sentence reportable (not a question, a teaser line, ...);
- `triggers.TriggerFinder`: the triggers of the sentence, each checked for modality;
- `slots.SlotFiller`: type, actor and target (`parties.Parties`), places and weapons
  (`places.Places`) of each trigger;
- `counts.CountBinder`: counts and casualties (`enrich.quantities`); a toll without a trigger
  continues the last violent event;
- `merge.merge_sentence`: triggers of one event in a sentence become one mention;
- the date: stated in the sentence or its line, else the publication date (`enrich.dates`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from enrich import dates as dates_module
from enrich import quantities as quantities_module
from enrich.entities import Mention
from enrich.events.counts import CountBinder
from enrich.events.lexicon import INTERACTION, EventLexicon, default_lexicon
from enrich.events.merge import merge_sentence
from enrich.events.modality import is_reportable
from enrich.events.parties import Parties
from enrich.events.places import Places, specific_places
from enrich.events.repair import promote_finite_verbs, reattach_objects_of_days
from enrich.events.slots import SlotFiller, context_type
from enrich.events.state import PENDING, Candidate, DocState, objects_of
from enrich.events.triggers import TriggerFinder
from enrich.kb import DATA_DIR, KnowledgeBase, load_yaml
from enrich.tokens import (
    children,
    clause_of,
    doc_text,
    feature_of,
    folded_text,
    folded_words,
    is_finite,
    is_verb,
    lemma_of,
    span_text,
    span_tokens,
    subtree_of,
)
from vigie.core.models import Article, Event, EventMention, stable_id

SCOPE_PATH = DATA_DIR / "event_scope.yaml"
SCOPE_SCHEMA_PATH = DATA_DIR / "event_scope.schema.json"
_RETELLING_DEPS = ("nsubj", "nsubj:pass", "obl:agent")


@dataclass(frozen=True)
class EventScope:
    """What a mention told after an incident adds to it (`enrich/data/event_scope.yaml`)."""

    follow_ups: frozenset[tuple[str, str]]
    follow_up_after: frozenset[str]
    retelling_pronouns: frozenset[str]
    consequences: frozenset[str]
    perpetrator_nouns: frozenset[str]
    indefinite_determiners: frozenset[str]
    pluperfect_auxiliaries: frozenset[str]
    story_time_words: frozenset[str]
    series_words: frozenset[str]


@lru_cache(maxsize=1)
def default_scope() -> EventScope:
    data = load_yaml(SCOPE_PATH, SCOPE_SCHEMA_PATH)
    return EventScope(
        follow_ups=frozenset((f["event_type"], f["sub_event_type"]) for f in data["follow_ups"]),
        follow_up_after=frozenset(data["follow_up_after"]),
        retelling_pronouns=folded_words(data["retelling_pronouns"]),
        consequences=frozenset(data["consequences"]),
        perpetrator_nouns=folded_words(data["perpetrator_nouns"]),
        indefinite_determiners=folded_words(data["indefinite_determiners"]),
        pluperfect_auxiliaries=folded_words(data["pluperfect_auxiliaries"]),
        story_time_words=folded_words(data["story_time_words"]),
        series_words=folded_words(data["series_words"]),
    )


class EventExtractor:
    """Finds event mentions in parsed documents; knowledge comes from the data files."""

    def __init__(self, vocab: Vocab, kb: KnowledgeBase, lexicon: EventLexicon | None = None) -> None:
        self.kb = kb
        self.lexicon = lexicon or default_lexicon()
        self.quantities = quantities_module.default_lexicon()
        self.dates = dates_module.default_lexicon()
        self.parties = Parties(kb, self.lexicon)
        self.places = Places(kb, self.lexicon)
        self.slots = SlotFiller(kb, self.lexicon, self.parties, self.places)
        self.triggers = TriggerFinder(vocab, self.lexicon, self.parties, self.slots)
        self.counts = CountBinder(kb, self.lexicon, self.quantities, self.places, self.parties)
        self.phrase_matcher = self.triggers.phrase_matcher
        self.scope = default_scope()
        self._field = ""  # the text being read (the article's text, or its headline)
        self._in_title = False

    def extract(
        self, doc: Doc, mentions: Sequence[Mention], article: Article, *, in_title: bool = False
    ) -> list[Event]:
        """Event mentions of one article, in text order. `doc` is the parse of `article.text`,
        or with `in_title` of `article.title` (a headline the text does not repeat)."""
        if not doc.has_annotation("DEP"):
            # Parties, modality and slots are read on the dependency parse: without it (the
            # entities-only pipeline) there are no events rather than wrong ones.
            return []
        reattach_objects_of_days(doc, self.lexicon)  # "ont adopté lundi des sanctions"
        promote_finite_verbs(doc)  # "des insurgés se réclamant de l'EI ont tué"
        published = article.published.date() if article.published else None
        state = DocState(
            doc=doc,
            mentions_at={i: m for m in mentions for i in range(m.start, m.end)},
            weapon_classes=[
                c
                for c in self.places.doc_weapon_classes(doc, mentions)
                if c not in self.lexicon.local_weapon_classes
            ],
        )
        text = doc_text(doc)  # built from the tokens on every access: read it once
        self._field = article.title.strip() if in_title else article.text
        self._in_title = in_title
        self._trigger_lemmas: dict[tuple[int, str], str] = {}  # (sentence start, trigger): lemma
        events: list[Event] = []
        pending: list[tuple[Candidate, Span, date | None]] = []
        line_dates: dict[int, date] = {}
        last_stated: date | None = None
        last_violent_line = -1  # the line of the last violent event (SlotFiller.new_paragraph)
        for sentence in doc.sents:
            line_start = text.rfind("\n", 0, sentence.start_char) + 1
            line_end = text.find("\n", sentence.start_char)
            line = text[line_start : line_end if line_end >= 0 else len(text)]
            entry = dates_module.entry_reference(line)
            reference = entry or published
            # "la veille", "le même jour": the day of the paragraph's event, else of the last
            # event the article dated (a new paragraph goes on with the story).
            anchor = line_dates.get(line_start) or (None if entry else last_stated) or reference
            stated = (
                dates_module.resolve_date(span_text(sentence), reference, self.dates, anchor)
                if reference
                else None
            )
            if stated is not None and reference is not None:
                # only a sentence stating a date is read for whose date it is
                stated = dates_module.resolve_date(self._dated_text(sentence), reference, self.dates, anchor)
            described: set[int] = set()  # noun descriptions an old day of theirs leaves out
            if stated and reference and published and self._too_old(stated, published):
                # "a appelé les États-Unis, garants de la trêve conclue en novembre 2024, à ...":
                # an old day describing a noun dates that noun, not what the sentence reports
                clauses = self._descriptions(sentence)
                recent = dates_module.resolve_date(
                    self._dated_text(sentence, clauses), reference, self.dates, anchor
                )
                if clauses and (recent is None or not self._too_old(recent, published)):
                    stated, described = recent, clauses
            if stated is not None:
                line_dates[line_start] = stated
            event_date = stated or line_dates.get(line_start) or published
            reportable = is_reportable(self.lexicon, sentence, line)
            if stated is not None and published is not None:
                # "l'attaque du Hamas du 7 octobre 2023" in a 2026 article is background.
                reportable = reportable and not self._too_old(stated, published)
            # a generic attack word of another paragraph does not refer back to an abduction
            self.slots.new_paragraph = line_start != last_violent_line
            candidates = self.triggers.find(sentence, state) if reportable else []
            # what happens in an old description is as old ("la ville, reprise en novembre 2022")
            candidates = [c for c in candidates if c.trigger.i not in described]
            if candidates and stated is None:
                # "Zalambessa avait été détruite pendant la guerre": what came before the news
                candidates = [c for c in candidates if not self._background(c.trigger, sentence)]
            if reportable:
                self.counts.attach(sentence, candidates, state)
                if any(c.role == "casualty" and c.event_type == PENDING for c in candidates) and any(
                    lemma_of(w) in self.lexicon.accident_causes for w in sentence
                ):
                    # "deux salariés ont perdu la vie dans l'incendie d'une usine": an accident's toll
                    candidates = [
                        c for c in candidates if not (c.role == "casualty" and c.event_type == PENDING)
                    ]
                if (in_title or line_start == 0) and state.weapon_classes:
                    self._type_headline(
                        sentence, candidates, state, first=not text[: sentence.start_char].strip()
                    )
                if in_title or (line_start == 0 and line_end >= 0 and bool(text[line_end:].strip())):
                    # a headline: the title, or a first line the text goes on after
                    self._untarget_headline_states(candidates)
                # fire on protesters, its tolls bound: excessive force (SlotFiller._by_parties)
                self.slots.retype_forced(candidates, state)
            emitted: dict[str, int] = {}
            for candidate in merge_sentence(candidates, self.lexicon, self.kb):
                if candidate.event_type == PENDING:
                    pending.append((candidate, sentence, event_date))
                    continue
                if not self._has_arguments(candidate) or self._follows_up(candidate, events):
                    continue
                interaction = self.lexicon.between_parties.get(
                    (candidate.event_type, candidate.sub_event_type)
                )
                if interaction is not None and candidate.actor is not None and candidate.target is not None:
                    # "un cessez-le-feu est entré en vigueur entre la force Radaa et la Brigade 444"
                    candidate.event_type, candidate.sub_event_type = interaction
                    candidate.interaction = interaction[1] if interaction[0] == INTERACTION else None
                when: date | None = event_date
                retold = self._retold(candidate, events, stated)
                if retold is not None and stated is None:
                    when = retold.event_date  # the day of the incident told again
                if candidate.refers_back and state.last_violent_date is not None:
                    # "L'attaque a été revendiquée mardi": the day of the claim, not the attack's.
                    when = state.last_violent_date
                elif candidate.claimed and stated is not None:
                    # "ont revendiqué samedi une attaque": undated; its incident's other
                    # mentions date it (merge_mentions), else the publication date
                    when = None
                if self.lexicon.is_violent(candidate.event_type):
                    state.last_violent = (candidate.event_type, candidate.sub_event_type)
                    last_violent_line = line_start
                    if when is not None and (stated or line_dates.get(line_start) or candidate.refers_back):
                        state.last_violent_date = when  # a day the text gave
                ordinal = emitted.get(candidate.sub_event_type, 0)
                emitted[candidate.sub_event_type] = ordinal + 1
                self._escalate(candidate, events, line_start)
                events.append(self._event(candidate, sentence, when, article, ordinal))
            if stated is not None and (emitted or any(p[1] is sentence for p in pending)):
                last_stated = stated
            self.parties.remember_subjects(sentence, state)
        events = self._resolve_pending(pending, events, article)
        headline_end = text.find("\n")
        if not in_title and headline_end >= 0 and text[headline_end:].strip():
            events = self._fold_headline(events, headline_end, article)
        return events

    def _fold_headline(self, events: list[Event], headline_end: int, article: Article) -> list[Event]:
        """A headline announces what the text tells: a headline mention the text tells again
        (the same figure: "quatre policiers tués" / "Quatre policiers ont été tués"; else the
        same word: "incursion", "disperse" / "a dispersé") of the same event type is the text's
        event, typed as the text types it, a state it reads where the text names another party
        left to the text ("un cargo turc endommagé" does not make Turkey the target of the
        strike), so that it folds into it."""
        body = [e for e in events if e.sentence_start >= headline_end]
        folded: list[Event] = []
        for event in events:
            told = self._told_again(event, body) if event.sentence_start < headline_end else None
            if told is not None:
                event = self._as_told(event, told, article)
            folded.append(event)
        return folded

    def _told_again(self, headline: Event, body: list[Event]) -> Event | None:
        """The text's mention a headline mention announces: of the same event type, the one
        giving its figure, else its word, else, of its sub-type, one of its places smaller than a
        state."""

        def figures(event: Event) -> set[tuple[str, int]]:
            return {
                (slot, q.value)
                for slot in quantities_module.TOLL_SLOTS
                if (q := getattr(event, slot)) is not None
            }

        # a toll by no named author ("quatre policiers tués par une bombe") is the text's event
        # giving that toll by its own word ("ont sauté sur un engin explosif"), not a toll
        # sentence of the text ("le bilan est passé à onze morts"), typed by its context
        tolls = (
            self.quantities.killed_nouns
            | self.quantities.injured_nouns
            | self.quantities.people_nouns
            | self.quantities.victim_nouns
        )
        # of the same event type: a headline's battle is no attack on civilians of the text
        same = [e for e in body if e.event_type == headline.event_type]
        shared = figures(headline) if headline.actor is None else set()
        for event in same:
            word = self._trigger_lemmas.get((event.sentence_start, event.trigger))
            if shared & figures(event) and word is not None and word not in tolls:
                return event
        lemma = self._trigger_lemmas.get((headline.sentence_start, headline.trigger))
        told = next(
            (
                e
                for e in same
                if lemma is not None and self._trigger_lemmas.get((e.sentence_start, e.trigger)) == lemma
            ),
            None,
        )
        if told is not None:
            return told
        # the same sub-type in the same place ("neuf policiers tués par une mine dans le
        # Chhattisgarh" / "ont sauté sur un engin explosif près de Jagargunda, ... Chhattisgarh");
        # a headline joining two happenings names the places of both
        places = self._local_places(headline)
        return next(
            (
                e
                for e in same
                if e.sub_event_type == headline.sub_event_type and places & self._local_places(e)
            ),
            None,
        )

    def _local_places(self, event: Event) -> set[str]:
        """The places of a mention smaller than a state."""
        found: set[str] = set()
        for place in event.places:
            entry = self.kb.get(place.id)
            if entry is None or entry.kind != "country":
                found.add(place.id)
        return found

    def _as_told(self, headline: Event, told: Event, article: Article) -> Event:
        update: dict[str, object] = {}
        if (headline.event_type, headline.sub_event_type) != (told.event_type, told.sub_event_type):
            update.update(
                event_type=told.event_type,
                sub_event_type=told.sub_event_type,
                interaction=told.interaction,
                id=stable_id(article.id, told.sub_event_type, str(headline.sentence_start), headline.trigger),
            )
        for slot in ("actor", "target"):
            # a state the headline reads from a demonym or a place ("un cargo turc endommagé")
            # gives way to the party the text names; a force or a group it names stays
            mine, theirs = getattr(headline, slot), getattr(told, slot)
            entry = self.kb.get(mine.id) if mine is not None else None
            if entry is not None and entry.type == "LOC" and theirs is not None and mine.id != theirs.id:
                update[slot] = None
        if headline.weapons and told.weapons and not set(headline.weapons) & set(told.weapons):
            update["weapons"] = []
        published = article.published.date() if article.published else None
        if told.event_date is not None and headline.event_date not in (told.event_date, published):
            # the day a headline states ("..., un couvre-feu décrété le lendemain") is its other
            # news': the event it announces is the text's, of the text's day
            update["event_date"] = told.event_date
        return headline.model_copy(update=update) if update else headline

    def _in_story_time(self, tokens: Iterable[Token]) -> bool:
        """Words naming a time of the story's days ("la veille", "mardi soir", "quelques
        heures plus tôt")."""
        words = self.lexicon.time_nouns | self.scope.story_time_words
        return any(lemma_of(t) in words or t.lower_ in words for t in tokens)

    def _background(self, trigger: Token, sentence: Span) -> bool:
        """A trigger of an undated sentence telling what came before the news: in the
        pluperfect or counted as a series, unless the sentence names a time of the story's days.
        A relative clause describing a noun in the pluperfect ("les Fano, milices qui avaient
        combattu aux côtés de l'armée") is background unless the clause itself names such a time
        ("les hommes qui avaient attaqué le village la veille")."""
        if not self._pluperfect(trigger) and not self._series(trigger):
            return False
        verb = clause_of(trigger)
        if verb.dep_ == "acl:relcl" and verb.head.pos_ in ("NOUN", "PROPN"):
            return not self._in_story_time(subtree_of(verb))
        return not self._in_story_time(span_tokens(sentence))

    def _series(self, trigger: Token) -> bool:
        """A trigger noun counted as a series: "plusieurs attaques", "de nombreuses frappes",
        "une série d'attentats"."""
        if is_verb(trigger) or "Plur" not in feature_of(trigger, "Number"):
            return False
        words = self.scope.series_words
        if any(c.dep_ in ("det", "amod", "nummod") and lemma_of(c) in words for c in children(trigger)):
            return True
        return trigger.dep_ == "nmod" and lemma_of(trigger.head) in words

    def _pluperfect(self, trigger: Token) -> bool:
        """The clause of a trigger is in the pluperfect ("avait été détruite", "qui avait coûté
        la vie", "avaient prêté allégeance"), and is no reported speech ("a affirmé que des
        drones avaient frappé")."""
        verb = clause_of(trigger)
        node = verb
        while node.dep_ == "conj" and node.head.i != node.i:
            node = node.head
        if node.dep_ in ("ccomp", "csubj", "xcomp") or not is_verb(verb):
            return False
        return any(
            c.dep_ in ("aux", "aux:tense")
            and lemma_of(c) in self.scope.pluperfect_auxiliaries
            and "Imp" in feature_of(c, "Tense")
            for c in children(verb)
        )

    def _follows_up(self, candidate: Candidate, events: list[Event]) -> bool:
        """A measure or a finding told after an incident of the text ("Un couvre-feu a été
        décrété", "Deux fusils ont été saisis"): part of that incident, not another event
        (`event_scope.yaml` follow_ups)."""
        if (candidate.event_type, candidate.sub_event_type) not in self.scope.follow_ups:
            return False
        return any(
            self.lexicon.is_violent(e.event_type) or e.sub_event_type in self.scope.follow_up_after
            for e in events
        )

    def _retold(self, candidate: Candidate, events: list[Event], stated: date | None) -> Event | None:
        """An incident told again: a mention whose subject or agent are the people of the last
        incident named again ("Ils ont tiré sur tous ceux qui couraient", "Les assaillants ont
        ensuite incendié des cases", "Trois assaillants ont été abattus") takes that incident's
        type, and its parties where they differ, so that it folds into it. Returns the
        incident, or None when the mention tells a new one."""
        # a violent mention retells the last violent incident, as does a consequence of one
        # ("ont pillé des boutiques") and a claim of the attack told ("L'attaque a été
        # revendiquée mardi par ..."); any other mention the last of its sub-type
        claim = candidate.refers_back and candidate.role != "casualty"  # a toll is no claim
        violent = (
            claim
            or self.lexicon.is_violent(candidate.event_type)
            or candidate.sub_event_type in self.scope.consequences
        )
        earlier = next(
            (
                e
                for e in reversed(events)
                if (
                    self.lexicon.is_violent(e.event_type)
                    if violent
                    else e.sub_event_type == candidate.sub_event_type
                )
            ),
            None,
        )
        if earlier is None:
            return None
        if (
            candidate.sub_event_type in self.lexicon.distinct_subtypes
            and candidate.sub_event_type != earlier.sub_event_type
            and "destroyed" not in candidate.slots
        ):
            # "une quinzaine d'enfants ont été emmenés par les assaillants": the attackers
            # named again took people away, an abduction of its own, not the attack (one that
            # took in the damage of its sentence, "qui ont aussi incendié des maisons", tells
            # the attack too)
            return None
        if not claim and stated is not None and earlier.event_date not in (None, stated):
            return None  # another day: another happening (a claim's day is the claim's)
        if not claim and not self._names_again(candidate.trigger):
            return None
        candidate.event_type, candidate.sub_event_type = earlier.event_type, earlier.sub_event_type
        candidate.interaction = earlier.interaction
        # the parties the incident's mentions give (its last mention may name none)
        same = [
            e
            for e in events
            if (e.event_type, e.sub_event_type) == (earlier.event_type, earlier.sub_event_type)
        ]
        if candidate.actor is not None and any(e.actor and e.actor.id != candidate.actor.id for e in same):
            candidate.actor = None
        if candidate.target is not None and any(
            e.target and e.target.id != candidate.target.id for e in same
        ):
            candidate.target = None
        if candidate.weapons and earlier.weapons and not set(candidate.weapons) & set(earlier.weapons):
            candidate.weapons = []
        return earlier

    def _names_again(self, trigger: Token) -> bool:
        """The subject or agent of the clause a trigger belongs to is a third-person plural
        pronoun, or a noun naming people by what they did ("les assaillants", "trois
        ravisseurs"), not introduced by an indefinite determiner."""
        node = trigger
        if not is_verb(node) and node.dep_ in ("obj", "obl", "obl:arg", "obl:mod") and node.head.i != node.i:
            node = node.head  # "ont mené une attaque", "tués lors de l'attaque"
        for _ in range(3):
            arguments = [c for c in children(node) if c.dep_ in _RETELLING_DEPS]
            if arguments or node.dep_ != "conj" or node.head.i == node.i:
                break
            node = node.head  # "ont pillé des boutiques et incendié des cases"
        if not arguments:
            # "Les assaillants, arrivés à moto, ont pillé": the subject hung on the participle
            arguments = [
                c
                for participle in children(node)
                if participle.dep_ in ("advcl", "acl")
                and participle.i < node.i
                and "Part" in feature_of(participle, "VerbForm")
                for c in children(participle)
                if c.dep_ == "nsubj" and c.i < participle.i
            ]
        for argument in arguments:
            if argument.pos_ == "PRON":
                if folded_text(argument) in self.scope.retelling_pronouns:
                    return True
                continue
            if lemma_of(argument) in self.scope.perpetrator_nouns and not any(
                folded_text(c) in self.scope.indefinite_determiners
                for c in children(argument)
                if c.dep_ == "det"
            ):
                return True
        return False

    def _escalate(self, candidate: Candidate, events: list[Event], line_start: int) -> None:
        """What became of an event told just before ("des dizaines d'habitants se sont
        rassemblés devant la prison. La police a dispersé le rassemblement"): a mention whose
        object refers back to an earlier mention of the paragraph retypes it (taxonomy.yaml
        `escalations`), and the two are one event."""
        earlier = self.lexicon.escalations.get((candidate.event_type, candidate.sub_event_type))
        if earlier is None or not any(_refers_back(o) for o in objects_of(candidate.trigger)):
            return
        for index in range(len(events) - 1, -1, -1):
            event = events[index]
            if event.sentence_start < line_start:
                return
            if (event.event_type, event.sub_event_type) == (candidate.event_type, earlier):
                parts = [event.article_id, candidate.sub_event_type, str(event.sentence_start)]
                if self._in_title:
                    parts.append("title")
                events[index] = event.model_copy(
                    update={"sub_event_type": candidate.sub_event_type, "id": stable_id(*parts)}
                )
                return

    def _type_headline(
        self, sentence: Span, candidates: list[Candidate], state: DocState, first: bool = True
    ) -> None:
        """A headline's attack that only the weapons named elsewhere in the article type ("le
        JNIM revendique l'attaque meurtrière d'une base", an article that also tells of rockets
        fired elsewhere) is the event the article goes on to tell: the first violent event
        after it, as a toll read before its event (`_resolve_pending`)."""
        weapons, state.weapon_classes = state.weapon_classes, []
        try:
            own = {c.trigger.i: (c.event_type, c.sub_event_type) for c in self.triggers.find(sentence, state)}
        finally:
            state.weapon_classes = weapons
        for candidate in candidates:
            typed = (candidate.event_type, candidate.sub_event_type)
            if self._names_again(candidate.trigger):
                continue  # "Ils ont tiré sur ...": the incident told again, not a headline's
            if self.lexicon.is_violent(candidate.event_type) and (
                own.get(candidate.trigger.i, typed) != typed
                # its part of the headline names no means of its own: the rule's default is no
                # more than the article's weapons ("cinq morts dans un bombardement du marché,
                # un drone frappe un véhicule": the bombardment the text tells)
                or (first and self.slots.untyped(candidate.trigger, state))
            ):
                candidate.fallback = typed
                candidate.event_type = PENDING

    def _untarget_headline_states(self, candidates: list[Candidate]) -> None:
        """A headline's attack by no named author ("Kenya : quatre policiers tués près
        d'Elwak") has the state its place lies in for target only because the place is there:
        the text it announces names the party hit, so the headline leaves the target open (and
        folds into the text's incident instead of standing beside it as another)."""
        for candidate in candidates:
            target = self.kb.get(candidate.target.id) if candidate.target is not None else None
            if (
                candidate.actor is None
                and target is not None
                and target.type == "LOC"
                and target.kind == "country"
                and any(place.country == target.country for place in candidate.places)
            ):
                candidate.target = None

    def _too_old(self, day: date, published: date) -> bool:
        return (published - day).days > self.lexicon.max_event_age_days

    @staticmethod
    def _descriptions(sentence: Span) -> set[int]:
        """The tokens of the clauses describing a noun ("la trêve conclue en novembre 2024",
        "la ville, reprise en novembre 2022") outside the sentence's main clause."""
        found: set[int] = set()
        for token in span_tokens(sentence):
            if token.dep_ in ("acl", "acl:relcl") and token.head.pos_ in ("NOUN", "PROPN"):
                subtree = {t.i for t in subtree_of(token)}
                if sentence.root.i not in subtree:
                    found |= subtree
        return found

    def _dated_text(self, sentence: Span, left_out: set[int] | None = None) -> str:
        """The sentence without its background "depuis" phrases: "la première attaque depuis
        l'entrée en vigueur de la trêve, le 10 octobre" is not dated 10 October; "depuis mardi"
        (a recent day: when it began) stays. Tokens in `left_out` are left out too."""
        text = span_text(sentence)
        if "depuis" not in text.lower() and not left_out:
            return text
        dropped: set[int] = set(left_out or ())
        for token in span_tokens(sentence):
            if token.lower_ != "depuis" or token.head.i == token.i:
                continue
            phrase = token.head
            if not dates_module.names_a_day(phrase.text, self.dates):
                dropped.update(t.i for t in subtree_of(phrase))
        if not dropped:
            return text
        return "".join(t.text_with_ws for t in span_tokens(sentence) if t.i not in dropped)

    def _resolve_pending(
        self, pending: list[tuple[Candidate, Span, date | None]], events: list[Event], article: Article
    ) -> list[Event]:
        """A toll read before any event ("Deux civils tués ..." in a headline) belongs to the
        next violent event of the article; a casualty statement belongs to a protest met with
        force when it counts protesters ("cinq manifestants tués") or when no violent event
        follows ("Le bilan passe à cinq morts" in a live blog of a protest fired on). Else the
        sentence's context types it, or it is background and dropped."""
        for candidate, sentence, event_date in pending:
            casualty = candidate.role == "casualty"
            later = [
                e
                for e in events
                # not the typed event of another part of a headline
                if (e.sentence_start > sentence.start_char or casualty)
                and e.sentence_start >= sentence.start_char
            ]
            following = [e for e in later if self.lexicon.is_violent(e.event_type)]
            if casualty:
                forced = [e for e in later if (e.event_type, e.sub_event_type) in self.lexicon.escalations]
                if forced and (not following or lemma_of(candidate.trigger) in self.lexicon.protest_words):
                    following = forced
            if following:
                candidate.event_type, candidate.sub_event_type = (
                    following[0].event_type,
                    following[0].sub_event_type,
                )
            else:
                typed = candidate.fallback or context_type(self.lexicon, sentence)
                if typed is None:
                    continue
                candidate.event_type, candidate.sub_event_type = typed
            if candidate.event_type in self.lexicon.force_types:
                # a battle's parties are armed forces (as `SlotFiller.candidate` reads them)
                candidate.actor = self.parties.national_forces(candidate.actor)
                candidate.target = self.parties.national_forces(candidate.target)
            if self._has_arguments(candidate):
                ordinal = sum(
                    1
                    for e in events
                    if e.sentence_start == sentence.start_char
                    and e.sub_event_type == candidate.sub_event_type
                )
                events.append(self._event(candidate, sentence, event_date, article, ordinal))
        return sorted(events, key=lambda e: e.sentence_start)

    def _has_arguments(self, candidate: Candidate) -> bool:
        """An anaphoric mention with nothing attached ("Ces frappes audacieuses ...") adds nothing;
        a protest or an arrest reported by a finite verb ("43 manifestants ont été interpellés")
        is news by itself."""
        trigger = candidate.trigger
        if candidate.role == "casualty" and candidate.slots:
            return True  # a toll joined to its incident (a protest fired on) carries its figures
        if candidate.event_type in self.lexicon.anonymous_types and (
            is_finite(trigger)
            # "le ministère a annoncé jeudi l'arrestation de cinq suspects": the object of a
            # finite light verb is told as much
            or (
                trigger.dep_ == "obj"
                and is_finite(trigger.head)
                and lemma_of(trigger.head) in self.lexicon.light_verbs
            )
        ):
            return True
        if self.lexicon.is_violent(candidate.event_type):
            return bool(candidate.actor or candidate.target or candidate.places or candidate.slots)
        if candidate.event_type == INTERACTION:
            return bool(candidate.actor or candidate.target)
        return bool(candidate.actor or candidate.target or candidate.places or is_finite(candidate.trigger))

    def _event(
        self, candidate: Candidate, sentence: Span, event_date: date | None, article: Article, ordinal: int
    ) -> Event:
        start = sentence.start_char
        end = sentence.end_char
        text = self._field
        while end > start and text[end - 1].isspace():
            end -= 1
        # The id of a sentence's first mention of a sub-type is stable_id(article, sub-type,
        # sentence start); a second, distinct one in the same sentence adds its trigger offset;
        # a headline's mentions are told apart from the text's.
        parts = [article.id, candidate.sub_event_type, str(start)]
        if ordinal:
            parts.append(str(candidate.trigger.idx))
        if self._in_title:
            parts.append("title")
        self._trigger_lemmas[(start, candidate.trigger.text)] = lemma_of(candidate.trigger)
        mention = EventMention(
            trigger=candidate.trigger.text,
            sentence=text[start:end],
            sentence_start=start,
            sentence_end=end,
            in_title=self._in_title,
        )
        return Event(
            id=stable_id(*parts),
            article_id=article.id,
            article_title=article.title,
            article_url=article.url,
            source=article.source,
            published=article.published,
            language=article.language,
            event_type=candidate.event_type,
            sub_event_type=candidate.sub_event_type,
            interaction=candidate.interaction,
            trigger=candidate.trigger.text,
            sentence=text[start:end],
            sentence_start=start,
            sentence_end=end,
            actor=candidate.actor,
            target=candidate.target,
            weapons=candidate.weapons,
            launched=candidate.slots.get("launched"),
            intercepted=candidate.slots.get("intercepted"),
            destroyed=candidate.slots.get("destroyed"),
            killed=candidate.slots.get("killed"),
            injured=candidate.slots.get("injured"),
            places=specific_places(candidate.places, self.kb),
            location=next(
                (p.location for p in specific_places(candidate.places, self.kb) if p.location), None
            ),
            event_date=event_date,
            confidence=candidate.confidence,
            mentions=[mention],
        )


def _refers_back(noun: Token) -> bool:
    """A noun with a definite, demonstrative or possessive determiner ("le rassemblement",
    "ces manifestants", "leur cortège"), or a personal pronoun ("la police les a dispersés")."""
    if noun.pos_ == "PRON":
        return "3" in feature_of(noun, "Person") and "Rel" not in feature_of(noun, "PronType")
    if noun.pos_ == "DET":
        return noun.dep_ == "obj"  # the clitic "les" the parser read as an article
    for det in children(noun):
        if det.dep_ != "det":
            continue
        if "Def" in feature_of(det, "Definite") or "Dem" in feature_of(det, "PronType"):
            return True
        if "Yes" in feature_of(det, "Poss"):
            return True
    return False
