"""Conflict events in a parsed French article: one `Event` per event mention.

A mention is anchored on a trigger from `enrich/data/triggers.yaml` (a lemma, a verb + object
compound such as "couper l'aide", or a fixed phrase such as "cible légitime"), kept only when
the sentence reports it (not hypothetical, asked for, negated, a question or a purpose), and
typed with `enrich/data/taxonomy.yaml` (ACLED types; PLOVER types as `Interaction`). Its slots
come from the dependency parse:
- actor: subject of the trigger verb, agent of a passive, subject of a light verb ("l'Ukraine
  a mené une attaque"), demonym ("frappes russes", "drones ukrainiens"), "de" + state;
- target: object, "contre/sur X", passive subject; for interceptions, the interceptor's state
  (the launcher is the actor: "La Russie a abattu 337 drones" -> target russie);
- counts, casualties (enrich/quantities.py), weapons and places (KB), date (enrich/dates.py).
A sentence that only reports a toll ("un mort et trois blessés") continues the last violent
event of the article. `merge_mentions` folds the mentions into document-level events.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from enrich import dates as dates_module
from enrich import quantities as quantities_module
from enrich.entities import Mention
from enrich.kb import DATA_DIR, DataFileError, KBEntry, KnowledgeBase, load_yaml
from enrich.text import fold
from vigie.core.models import Article, EntityRef, Event, Place, Quantity, stable_id

TRIGGERS_PATH = DATA_DIR / "triggers.yaml"
TRIGGERS_SCHEMA_PATH = DATA_DIR / "triggers.schema.json"
TAXONOMY_PATH = DATA_DIR / "taxonomy.yaml"
TAXONOMY_SCHEMA_PATH = DATA_DIR / "taxonomy.schema.json"
INTERACTION = "Interaction"
_PROJECTILE_CLASSES = frozenset({"drone", "missile", "artillery", "bomb"})
_SUBJECTS = ("nsubj", "nsubj:pass")
_PRONOUNS = frozenset({"il", "elle", "ils", "elles", "lequel", "laquelle", "celui-ci", "celle-ci"})
_LIST_MARKS = ("-", "•", "*", "–", "—")
_PENDING = ""  # the type of a toll read before any event it could belong to
_ACTOR_TYPES = frozenset({"PER", "ORG", "MILITARY", "LOC"})
_ADJUNCT_DEPS = frozenset({"obl:mod", "advmod", "advcl", "parataxis", "dep", "discourse", "vocative"})


def _words(values: Iterable[str]) -> frozenset[str]:
    return frozenset(fold(v) for v in values)


@dataclass(frozen=True)
class TriggerRule:
    name: str
    role: str  # attack | interception | damage | interaction | compound | phrase
    event_type: str
    sub_event_type: str
    by_weapon: bool = False  # a weapon in the sentence picks the remote-violence sub-type
    by_doc_weapon: bool = False  # ... or, failing that, a weapon elsewhere in the article
    by_context: bool = False
    object_required: bool = False
    object_forbidden: bool = False
    object_lemmas: frozenset[str] = frozenset()
    complement_cases: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CompoundRule:
    name: str
    event_type: str
    sub_event_type: str
    verbs: frozenset[str]
    objects: frozenset[str]


@dataclass(frozen=True)
class EventLexicon:
    skip_line_prefixes: tuple[str, ...]
    irrealis_governors: frozenset[str]
    realis_infinitive_governors: frozenset[str]
    purpose_marks: frozenset[str]
    condition_marks: frozenset[str]
    negations: frozenset[str]
    light_verbs: frozenset[str]
    patient_verbs: frozenset[str]
    non_event_heads: frozenset[str]
    target_nouns: frozenset[str]
    target_cases: frozenset[str]
    recipient_cases: frozenset[str]
    participant_cases: frozenset[str]
    non_location_cases: frozenset[str]
    attribution_verbs: frozenset[str]
    weapon_interactions: frozenset[str]
    context_rules: tuple[tuple[frozenset[str], str, str], ...]
    triggers: dict[str, tuple[TriggerRule, ...]]
    compounds: tuple[CompoundRule, ...]
    phrases: tuple[tuple[tuple[str, ...], str, str, bool], ...]
    max_event_age_days: int
    event_types: dict[str, tuple[str, ...]]
    violent_types: frozenset[str]
    anonymous_types: frozenset[str]
    symmetric: frozenset[str]
    weapon_subtypes: tuple[tuple[str, str], ...]

    def is_violent(self, event_type: str) -> bool:
        return event_type in self.violent_types


def _check_type(
    taxonomy: dict[str, tuple[str, ...]], event_type: str, sub_event_type: str, where: str
) -> None:
    if sub_event_type not in taxonomy.get(event_type, ()):
        raise DataFileError(f"{where}: {event_type}/{sub_event_type} is not in {TAXONOMY_PATH.name}")


@lru_cache(maxsize=2)
def default_lexicon() -> EventLexicon:
    taxonomy_data = load_yaml(TAXONOMY_PATH, TAXONOMY_SCHEMA_PATH)
    taxonomy = {k: tuple(v) for k, v in taxonomy_data["event_types"].items()}
    data = load_yaml(TRIGGERS_PATH, TRIGGERS_SCHEMA_PATH)
    triggers: dict[str, list[TriggerRule]] = {}
    for raw in data["triggers"]:
        _check_type(taxonomy, raw["event_type"], raw["sub_event_type"], f"{TRIGGERS_PATH}: {raw['name']}")
        rule = TriggerRule(
            name=raw["name"],
            role=raw["role"],
            event_type=raw["event_type"],
            sub_event_type=raw["sub_event_type"],
            by_weapon=bool(raw.get("by_weapon", False)),
            by_doc_weapon=bool(raw.get("by_doc_weapon", raw.get("by_weapon", False))),
            by_context=bool(raw.get("by_context", False)),
            object_required=bool(raw.get("object_required", False)),
            object_forbidden=bool(raw.get("object_forbidden", False)),
            object_lemmas=_words(raw.get("object_lemmas", [])),
            complement_cases=_words(raw.get("complement_cases", [])),
        )
        for lemma in raw["lemmas"]:
            triggers.setdefault(fold(lemma), []).append(rule)
    compounds = []
    for raw in data["compounds"]:
        _check_type(taxonomy, raw["event_type"], raw["sub_event_type"], f"{TRIGGERS_PATH}: {raw['name']}")
        compounds.append(
            CompoundRule(
                name=raw["name"],
                event_type=raw["event_type"],
                sub_event_type=raw["sub_event_type"],
                verbs=_words(raw["verbs"]),
                objects=_words(raw["objects"]),
            )
        )
    phrases = []
    for raw in data["phrases"]:
        _check_type(taxonomy, raw["event_type"], raw["sub_event_type"], f"{TRIGGERS_PATH}: phrase")
        phrases.append(
            (
                tuple(fold(w) for w in raw["lemmas"]),
                raw["event_type"],
                raw["sub_event_type"],
                bool(raw.get("by_context")),
            )
        )
    context_rules = []
    for raw in data["context_rules"]:
        _check_type(taxonomy, raw["event_type"], raw["sub_event_type"], f"{TRIGGERS_PATH}: context rule")
        context_rules.append((_words(raw["lemmas"]), raw["event_type"], raw["sub_event_type"]))
    weapon_subtypes = tuple(
        (w["weapon_class"], w["sub_event_type"]) for w in taxonomy_data["weapon_subtypes"]
    )
    for _, sub_event_type in weapon_subtypes:
        _check_type(
            taxonomy, "Explosions/Remote violence", sub_event_type, f"{TAXONOMY_PATH}: weapon_subtypes"
        )
    return EventLexicon(
        skip_line_prefixes=tuple(fold(p) for p in data["skip_line_prefixes"]),
        irrealis_governors=_words(data["irrealis_governors"]),
        realis_infinitive_governors=_words(data["realis_infinitive_governors"]),
        purpose_marks=_words(data["purpose_marks"]),
        condition_marks=_words(data["condition_marks"]),
        negations=_words(data["negations"]),
        light_verbs=_words(data["light_verbs"]),
        patient_verbs=_words(data["patient_verbs"]),
        non_event_heads=_words(data["non_event_heads"]),
        target_nouns=_words(data["target_nouns"]),
        target_cases=_words(data["target_cases"]),
        recipient_cases=_words(data["recipient_cases"]),
        participant_cases=_words(data["participant_cases"]),
        non_location_cases=_words(data["non_location_cases"]),
        attribution_verbs=_words(data["attribution_verbs"]),
        weapon_interactions=frozenset(data["weapon_interactions"]),
        context_rules=tuple(context_rules),
        triggers={k: tuple(v) for k, v in triggers.items()},
        compounds=tuple(compounds),
        phrases=tuple(phrases),
        max_event_age_days=int(data.get("max_event_age_days", 60)),
        event_types=taxonomy,
        violent_types=frozenset(taxonomy_data["violent_types"]),
        anonymous_types=frozenset(taxonomy_data.get("anonymous_types", [])),
        symmetric=frozenset(taxonomy_data["symmetric"]),
        weapon_subtypes=weapon_subtypes,
    )


# ----------------------------------------------------------------------------- token helpers


def _lemma(token: Token) -> str:
    return fold(token.lemma_ or token.text)


def _forms(token: Token) -> tuple[str, str]:
    return (_lemma(token), fold(token.text))


def _case(token: Token) -> str | None:
    """The preposition introducing a nominal ("contre" in "contre Moscou")."""
    cases = [fold(c.text) for c in token.children if c.dep_ in ("case", "mark") and c.i < token.i]
    return " ".join(cases) if cases else None


def _is_verb(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX") or (token.pos_ == "ADJ" and "Part" in _feature(token, "VerbForm"))


def _children(token: Token, *deps: str) -> list[Token]:
    return [c for c in token.children if c.dep_ in deps]


def _subject(token: Token) -> Token | None:
    subjects = _children(token, "nsubj")
    return subjects[0] if subjects else None


def _feature(token: Token, name: str) -> list[str]:
    """A morphological feature's values ("VerbForm" -> ["Inf"])."""
    return list(token.morph.get(name, []))


def _clause_subject_token(verb: Token | None) -> Token | None:
    """The subject of a verb or, when it has none, of the verb governing it (3 levels)."""
    node = verb
    for _ in range(3):
        if node is None:
            return None
        subject = _subject(node)
        if subject is not None:
            return subject
        if node.dep_ not in ("xcomp", "advcl", "ccomp", "conj", "acl") or node.head.i == node.i:
            return None
        node = node.head
    return None


def _is_finite(token: Token) -> bool:
    """A verb heading a finite clause: finite itself or with a finite auxiliary ("a demandé")."""
    if not _is_verb(token) or "Inf" in _feature(token, "VerbForm"):
        return False
    if "Fin" in _feature(token, "VerbForm"):
        return True
    return any(c.dep_.startswith("aux") and "Fin" in _feature(c, "VerbForm") for c in token.children)


def _conjuncts(token: Token) -> list[Token]:
    return [token, *[c for c in token.subtree if c.dep_ == "conj" and c.head.i in {token.i}]]


@dataclass
class _Candidate:
    """One trigger occurrence in a sentence, with the slots read around it."""

    event_type: str
    sub_event_type: str
    interaction: str | None
    trigger: Token
    role: str
    actor: EntityRef | None = None
    target: EntityRef | None = None
    places: list[Place] = field(default_factory=list)
    weapons: list[str] = field(default_factory=list)
    slots: dict[quantities_module.Slot, Quantity] = field(default_factory=dict)
    confidence: float = 0.6


@dataclass
class _DocState:
    """What the extractor remembers while reading one article in order."""

    doc: Doc
    mentions_at: dict[int, Mention]
    weapon_classes: list[str]
    recent_subjects: list[Mention | KBEntry] = field(default_factory=list)
    last_violent: tuple[str, str] | None = None


class EventExtractor:
    """Finds event mentions in parsed documents; knowledge comes from the data files."""

    def __init__(self, vocab: Vocab, kb: KnowledgeBase, lexicon: EventLexicon | None = None) -> None:
        self.kb = kb
        self.lexicon = lexicon or default_lexicon()
        self.quantities = quantities_module.default_lexicon()
        self.dates = dates_module.default_lexicon()
        self._trigger_words = frozenset(self.lexicon.triggers) | frozenset(
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

    # ------------------------------------------------------------------------- public

    def extract(self, doc: Doc, mentions: Sequence[Mention], article: Article) -> list[Event]:
        """Event mentions of one article, in text order."""
        if not doc.has_annotation("DEP"):
            # Parties, modality and slots are read on the dependency parse: without it (the
            # entities-only pipeline) there are no events rather than wrong ones.
            return []
        published = article.published.date() if article.published else None
        state = _DocState(
            doc=doc,
            mentions_at={i: m for m in mentions for i in range(m.start, m.end)},
            weapon_classes=self._doc_weapon_classes(doc, mentions),
        )
        text = doc.text  # built from the tokens on every access: read it once
        events: list[Event] = []
        pending: list[tuple[_Candidate, Span, date | None]] = []
        line_dates: dict[int, date] = {}
        for sentence in doc.sents:
            line_start = text.rfind("\n", 0, sentence.start_char) + 1
            line_end = text.find("\n", sentence.start_char)
            line = text[line_start : line_end if line_end >= 0 else len(text)]
            reference = dates_module.entry_reference(line) or published
            anchor = line_dates.get(line_start) or reference
            stated = (
                dates_module.resolve_date(sentence.text, reference, self.dates, anchor) if reference else None
            )
            if stated is not None:
                line_dates[line_start] = stated
            event_date = stated or line_dates.get(line_start) or published
            reportable = self._reportable(sentence, line)
            if stated is not None and published is not None:
                # "l'attaque du Hamas du 7 octobre 2023" in a 2026 article is background.
                reportable = reportable and (published - stated).days <= self.lexicon.max_event_age_days
            candidates = self._candidates(sentence, state) if reportable else []
            if reportable:
                self._attach_counts(sentence, candidates, state)
            emitted: dict[str, int] = {}
            for candidate in self._merge_sentence(candidates):
                if candidate.event_type == _PENDING:
                    pending.append((candidate, sentence, event_date))
                    continue
                if not self._has_arguments(candidate):
                    continue
                if self.lexicon.is_violent(candidate.event_type):
                    state.last_violent = (candidate.event_type, candidate.sub_event_type)
                ordinal = emitted.get(candidate.sub_event_type, 0)
                emitted[candidate.sub_event_type] = ordinal + 1
                events.append(self._event(candidate, sentence, event_date, article, ordinal))
            self._remember_subjects(sentence, state)
        return self._resolve_pending(pending, events, article)

    def _resolve_pending(
        self, pending: list[tuple[_Candidate, Span, date | None]], events: list[Event], article: Article
    ) -> list[Event]:
        """A toll read before any event ("Deux civils tués ..." in a headline) belongs to the
        next violent event of the article; with none, the sentence's context types it, or it is
        background and dropped."""
        for candidate, sentence, event_date in pending:
            following = [
                e
                for e in events
                if e.sentence_start >= sentence.start_char and self.lexicon.is_violent(e.event_type)
            ]
            if following:
                candidate.event_type, candidate.sub_event_type = (
                    following[0].event_type,
                    following[0].sub_event_type,
                )
            else:
                nouns = {_lemma(t) for t in sentence if t.pos_ in ("NOUN", "PROPN")}
                typed = next(((t, st) for words, t, st in self.lexicon.context_rules if nouns & words), None)
                if typed is None:
                    continue
                candidate.event_type, candidate.sub_event_type = typed
            if self._has_arguments(candidate):
                ordinal = sum(
                    1
                    for e in events
                    if e.sentence_start == sentence.start_char
                    and e.sub_event_type == candidate.sub_event_type
                )
                events.append(self._event(candidate, sentence, event_date, article, ordinal))
        return sorted(events, key=lambda e: e.sentence_start)

    # ------------------------------------------------------------------------- sentences

    def _reportable(self, sentence: Span, line: str) -> bool:
        folded_line = fold(dates_module.strip_entry_header(line)).lstrip("-•*–— ")
        if any(folded_line.startswith(prefix) for prefix in self.lexicon.skip_line_prefixes):
            return False
        text = sentence.text.strip().rstrip("»\"'” ")
        if text.endswith("?"):
            return False
        stripped = sentence.text.lstrip()
        is_list_item = stripped.startswith(_LIST_MARKS)
        has_finite = any("Fin" in _feature(t, "VerbForm") for t in sentence)
        return not (is_list_item and not has_finite)

    def _doc_weapon_classes(self, doc: Doc, mentions: Sequence[Mention]) -> list[str]:
        classes: list[str] = []
        text = doc.text
        for mention in mentions:
            entry = mention.entry
            if entry is None or entry.weapon_class is None or entry.weapon_class in classes:
                continue
            line_start = text.rfind("\n", 0, mention.start_char) + 1
            line = fold(text[line_start : line_start + 40]).lstrip("-•*–— ")
            if any(line.startswith(prefix) for prefix in self.lexicon.skip_line_prefixes):
                continue
            classes.append(entry.weapon_class)
        return classes

    # ------------------------------------------------------------------------- triggers

    def _candidates(self, sentence: Span, state: _DocState) -> list[_Candidate]:
        found: list[_Candidate] = []
        seen: set[int] = set()
        for token in sentence:
            if token.i in seen or token.is_punct or token.is_space:
                continue
            if not (set(_forms(token)) & self._trigger_words):
                continue  # most words trigger nothing: skip the rule checks
            mention = state.mentions_at.get(token.i)
            if mention is not None and mention.type != "WEAPON" and mention.entry is not None:
                continue  # a name is not a trigger ("Spiderweb", "Toile d'araignée")
            for rule in self._rules_for(token):
                if not self._rule_applies(rule, token, state):
                    continue
                candidate = self._candidate(rule, token, sentence, state)
                if candidate is not None:
                    found.append(candidate)
                    seen.add(token.i)
                    break
            if token.i not in seen:
                compound = self._compound(token, state)
                if compound is not None and not self._irrealis(token, sentence):
                    candidate = self._candidate(compound, token, sentence, state)
                    if candidate is not None:
                        found.append(candidate)
                        seen.add(token.i)
        for match_id, start, _end in self.phrase_matcher(state.doc[sentence.start : sentence.end]):
            index = int(state.doc.vocab.strings[match_id].split("-")[1])
            _, event_type, sub_event_type, by_context = self.lexicon.phrases[index]
            token = state.doc[sentence.start + start]
            if token.i in seen or self._irrealis(token, sentence, include_self=False):
                continue
            rule = TriggerRule(
                name="phrase",
                role="phrase",
                event_type=event_type,
                sub_event_type=sub_event_type,
                by_context=by_context,
            )
            candidate = self._candidate(rule, token, sentence, state)
            if candidate is not None:
                candidate.trigger = token
                found.append(candidate)
                seen.add(token.i)
        return found

    def _rules_for(self, token: Token) -> tuple[TriggerRule, ...]:
        lemma, text = _forms(token)
        return self.lexicon.triggers.get(lemma) or self.lexicon.triggers.get(text) or ()

    def _objects(self, token: Token) -> list[Token]:
        objects = _children(token, "obj", "nsubj:pass")
        if token.dep_ in ("acl", "acl:relcl", "amod") and token.head.i != token.i:
            objects.append(token.head)
        for obj in list(objects):
            objects.extend(c for c in obj.children if c.dep_ in ("nmod", "conj"))
        return objects

    def _rule_applies(self, rule: TriggerRule, token: Token, state: _DocState) -> bool:
        noun = token.pos_ in ("NOUN", "PROPN") and token.dep_ == "nmod" and token.head.i != token.i
        if noun and _lemma(token.head) in self.lexicon.non_event_heads:
            return False  # "systèmes de frappe" is a capability
        if rule.object_required or rule.object_forbidden or rule.object_lemmas:
            objects = _children(token, "obj", "nsubj:pass")
            if rule.object_forbidden and objects:
                return False
            if rule.object_required and not objects:
                return False
            if rule.object_lemmas:
                ok = False
                for obj in objects:
                    if _lemma(obj) in rule.object_lemmas:
                        ok = True
                    mention = state.mentions_at.get(obj.i)
                    if "@entity" in rule.object_lemmas and mention is not None and mention.type != "WEAPON":
                        ok = True
                if not ok:
                    return False
        if rule.complement_cases:
            complements = [
                c
                for c in token.children
                if c.dep_ in ("xcomp", "advcl", "ccomp", "obl", "obl:arg", "obl:mod")
                and ({fold(m.text) for m in c.children if m.dep_ in ("mark", "case")} & rule.complement_cases)
            ]
            if not complements:
                return False
        if rule.role == "attack" and _is_verb(token) and not self._plausible_attacker(token, state):
            return False
        if rule.role == "interception":
            # Only projectiles are intercepted; "détruire deux maisons" is damage and "repousser
            # un assaut" is the assault's own event.
            objects = self._objects(token) + _children(token, "nsubj:pass")
            if not any(self._is_projectile(o, state) for o in objects):
                return False
        return not (rule.role == "impact" and self._impact_weapon(token, state) is None)

    def _plausible_attacker(self, verb: Token, state: _DocState) -> bool:
        """ "La grêle a frappé les vignes", "frappée par la sécheresse": a subject (or agent) that
        is a common noun naming no party, no weapon and no attack is not an attacker."""
        passive = bool(_children(verb, "aux:pass", "nsubj:pass"))
        agents = _children(verb, "obl:agent") if passive else _children(verb, "nsubj")
        for agent in agents:
            if agent.pos_ != "NOUN":
                continue
            if (
                self._participant(agent, state) is not None
                or self._is_weapon(agent, state)
                or self._is_attack(agent)
            ):
                continue
            if any(self._is_weapon(t, state) for t in agent.subtree):
                continue
            return False
        return True

    def _impact_weapon(self, token: Token, state: _DocState) -> Token | None:
        """The weapon a verb of impact is about: its subject ("un obus s'est abattu"), its
        agent ("tués par un engin explosif") or its place ("a sauté sur un engin explosif")."""
        for child in token.children:
            if child.dep_ in ("nsubj", "nsubj:pass", "obl:agent", "obl", "obl:arg", "obl:mod"):
                if child.dep_.startswith("obl") and _case(child) not in ("par", "sur"):
                    continue
                if self._is_weapon(child, state):
                    return child
        return None

    def _is_weapon(self, token: Token, state: _DocState) -> bool:
        mention = state.mentions_at.get(token.i)
        return mention is not None and mention.type == "WEAPON"

    def _compound(self, token: Token, state: _DocState) -> TriggerRule | None:
        lemma, text = _forms(token)
        for compound in self.lexicon.compounds:
            if lemma not in compound.verbs and text not in compound.verbs:
                continue
            for obj in self._objects(token):
                is_weapon = any(self._is_weapon(t, state) for t in obj.subtree)
                if _lemma(obj) in compound.objects or ("@weapon" in compound.objects and is_weapon):
                    return TriggerRule(
                        name=compound.name,
                        role="compound",
                        event_type=compound.event_type,
                        sub_event_type=compound.sub_event_type,
                    )
        return None

    def _is_projectile(self, token: Token, state: _DocState) -> bool:
        mention = state.mentions_at.get(token.i)
        return bool(mention and mention.entry and mention.entry.weapon_class in _PROJECTILE_CLASSES)

    def _is_attack(self, token: Token) -> bool:
        return any(rule.role == "attack" for rule in self._rules_for(token))

    # ------------------------------------------------------------------------- modality

    def _irrealis(self, trigger: Token, sentence: Span, include_self: bool = False) -> bool:
        """True when the trigger is hypothetical, wished, asked for, threatened, negated, a
        condition or a purpose. A finite clause carries its own modality: the climb through
        governing words stops at the first finite verb ("Face à la multiplication des frappes,
        Moscou menace ..." reports the strikes; "menace d'une frappe" does not)."""
        node = trigger
        arrived_by = ""
        for depth in range(12):
            lemma = _lemma(node)
            # An adjunct ("Face à la multiplication des frappes, Moscou menace") is not in the
            # scope of the verb it modifies.
            governs = (depth > 0 or include_self) and arrived_by not in _ADJUNCT_DEPS
            if governs and lemma in self.lexicon.irrealis_governors:
                return True
            marks = {fold(c.text) for c in node.children if c.dep_ == "mark"}
            if marks & self.lexicon.condition_marks:
                return True
            negated = any(
                fold(c.text) in self.lexicon.negations for c in node.children if c.dep_ in ("advmod", "det")
            )
            if negated and (depth == 0 or _is_verb(node)):
                return True
            if _is_finite(node):
                return False
            if _is_verb(node) and "Inf" in _feature(node, "VerbForm"):
                if marks & self.lexicon.purpose_marks:
                    return True
                if node.head.i == node.i or node.dep_ == "ROOT":
                    return True  # an infinitive sentence is an instruction or a scenario
                if _lemma(node.head) not in self.lexicon.realis_infinitive_governors:
                    return True
            if node.head.i == node.i or node.head.i < sentence.start:
                return False
            arrived_by = node.dep_
            node = node.head
        return False

    # ------------------------------------------------------------------------- arguments

    def _mention_near(self, token: Token, state: _DocState) -> Mention | None:
        """A name on the token or in its appositions ("le chancelier allemand, Olaf Scholz",
        "l'ancien président américain Donald Trump")."""
        mention = state.mentions_at.get(token.i)
        if mention is not None:
            return None if mention.type == "WEAPON" else mention
        for child in token.children:
            appositive = child.dep_ in ("appos", "flat:name", "flat", "nmod", "nsubj", "dep")
            # "le chancelier allemand, Olaf Scholz" is often parsed as a coordination.
            appositive = appositive or (child.dep_ == "conj" and not _children(child, "cc"))
            if appositive and _case(child) is None:
                child_mention = state.mentions_at.get(child.i)
                if child_mention is not None and child_mention.type in ("PER", "ORG", "MILITARY"):
                    return child_mention
        return None

    def _participant(self, token: Token, state: _DocState) -> Mention | KBEntry | None:
        """The party a token stands for: a name, its apposition, a demonym ("les Américains",
        "les autorités russes"), "X de l'Ukraine", or a pronoun's antecedent."""
        mention = self._mention_near(token, state)
        if mention is not None:
            return mention
        if state.mentions_at.get(token.i) is not None:
            return None  # a weapon
        if token.pos_ in ("NOUN", "ADJ", "PROPN"):
            demonym = self.kb.demonym(token.text)
            if demonym is not None:
                return demonym
        for child in token.children:
            if child.dep_ == "amod":
                demonym = self.kb.demonym(child.text)
                if demonym is not None:
                    return demonym
        for child in token.children:
            if child.dep_ == "nmod" and _case(child) in ("de", "d'", "du", "des"):
                child_mention = state.mentions_at.get(child.i)
                if child_mention is not None and child_mention.type in ("ORG", "MILITARY", "LOC"):
                    return child_mention
        if token.pos_ == "PRON" and "Rel" in _feature(token, "PronType"):
            clause = token.head
            if clause.dep_ in ("acl:relcl", "acl") and clause.head.i != clause.i and clause.head.i != token.i:
                return self._participant(clause.head, state)  # "les autorités russes qui ..."
            return None
        if token.pos_ == "PRON" and fold(token.text) in _PRONOUNS:
            return self._antecedent(token, state)
        return None

    def _antecedent(self, pronoun: Token, state: _DocState) -> Mention | KBEntry | None:
        """The last subject named before a pronoun, in its sentence or an earlier one."""
        sentence = pronoun.sent
        for token in reversed(list(state.doc[sentence.start : pronoun.i])):
            if token.dep_ in _SUBJECTS and token.pos_ != "PRON":
                named = self._mention_near(token, state)
                if named is not None:
                    return named
        return state.recent_subjects[-1] if state.recent_subjects else None

    def _participants(self, token: Token, state: _DocState) -> list[Mention | KBEntry]:
        """All parties a noun phrase names ("les délégations ukrainienne et américaine")."""
        found: list[Mention | KBEntry] = []
        for node in _conjuncts(token):
            participant = self._participant(node, state)
            if participant is not None:
                found.append(participant)
                if isinstance(participant, Mention) or node.pos_ != "NOUN":
                    continue
            for child in node.children:
                if child.dep_ == "amod":
                    for adjective in _conjuncts(child):
                        demonym = self.kb.demonym(adjective.text)
                        if demonym is not None:
                            found.append(demonym)
        unique: dict[str, Mention | KBEntry] = {}
        for item in found:
            unique.setdefault(item.id, item)
        return list(unique.values())

    def _entry(self, participant: Mention | KBEntry | None) -> KBEntry | None:
        if participant is None:
            return None
        return participant if isinstance(participant, KBEntry) else participant.entry

    def _ref(self, participant: Mention | KBEntry | None, as_state: bool = False) -> EntityRef | None:
        if participant is None:
            return None
        entry = self._entry(participant)
        if entry is not None:
            entry = self.kb.as_actor(entry)
            if as_state and entry.type == "LOC" and entry.kind != "country":
                entry = self.kb.country_of(entry) or entry
            return entry.ref()
        assert isinstance(participant, Mention)
        if participant.type not in _ACTOR_TYPES:
            return None
        return EntityRef(id=participant.id, name=participant.name, type=participant.type)

    def _clause_subject(self, verb: Token | None, state: _DocState) -> Mention | KBEntry | None:
        """The subject of a verb, inherited from the governing verb when it has none
        ("En endommageant la capitale, l'Ukraine met ...", "a déclaré avoir neutralisé")."""
        subject = _clause_subject_token(verb)
        return self._participant(subject, state) if subject is not None else None

    def _governing_verb(self, token: Token, hops: int = 3) -> Token | None:
        node = token
        for _ in range(hops):
            if node.head.i == node.i:
                return None
            node = node.head
            if _is_verb(node):
                return node
        return None

    def _cased(
        self, token: Token, cases: frozenset[str], state: _DocState, depth: int = 2
    ) -> list[Mention | KBEntry]:
        """Parties introduced by one of the prepositions under a token ("contre l'OTAN"),
        looking through nominal complements but not into other clauses."""
        found: list[Mention | KBEntry] = []
        for child in token.children:
            if child.dep_ in ("advcl", "ccomp", "acl", "acl:relcl", "parataxis", "conj", "cc", "punct"):
                continue
            if _is_finite(child):
                continue
            case = _case(child)
            if case is not None and any(part in cases for part in case.split()):
                found.extend(self._participants(child, state))
                if not found:
                    for grandchild in child.children:
                        if grandchild.dep_ == "nmod":
                            found.extend(self._participants(grandchild, state))
            elif depth > 1 and child.pos_ in ("NOUN", "PROPN", "VERB"):
                found.extend(self._cased(child, cases, state, depth - 1))
        return found

    def _target_demonym(self, token: Token) -> KBEntry | None:
        """A demonym on a target noun under the trigger ("bombardiers stratégiques russes")."""
        for node in token.subtree:
            if node.i == token.i or _lemma(node) not in self.lexicon.target_nouns:
                continue
            for child in node.children:
                if child.dep_ == "amod":
                    demonym = self.kb.demonym(child.text)
                    if demonym is not None:
                        return demonym
        return None

    def _possessor(self, token: Token, state: _DocState) -> Mention | KBEntry | None:
        for node in (token, token.head):
            if any("Yes" in _feature(c, "Poss") for c in node.children if c.dep_ == "det"):
                return state.recent_subjects[-1] if state.recent_subjects else None
        return None

    def _speaker(self, token: Token, state: _DocState) -> Mention | KBEntry | None:
        """Who utters a fixed expression: the first named subject up the clauses ("Sergueï
        Lavrov a réagi en affirmant que tout pays ... deviendra une cible légitime")."""
        node = token
        for _ in range(8):
            if _is_verb(node):
                subject = _subject(node)
                if subject is not None:
                    participant = self._participant(subject, state)
                    if participant is not None:
                        return participant
            if node.head.i == node.i:
                return None
            node = node.head
        return None

    def _beneficiary(self, token: Token, state: _DocState) -> Mention | KBEntry | None:
        """Who receives what a participle describes: "L'Ukraine utilise les missiles Atacms
        fournis par les États-Unis" -> the subject of the verb holding the weapon."""
        if token.dep_ not in ("acl", "amod") or token.head.i == token.i:
            return None
        holder = token.head
        while holder.dep_ == "nmod" and holder.head.i != holder.i and holder.head.pos_ == "NOUN":
            holder = holder.head
        if holder.dep_ in ("obj", "nsubj:pass") and _is_verb(holder.head):
            return self._clause_subject(holder.head, state)
        return None

    def _attributed_author(self, token: Token, state: _DocState) -> Mention | KBEntry | None:
        """ "Le ministère attribue l'ensemble des drones ayant mené l'assaut à l'Ukraine": the
        attack is ascribed to its author."""
        node = token
        for _ in range(5):
            if node.head.i == node.i:
                return None
            node = node.head
            if _lemma(node) in self.lexicon.attribution_verbs:
                cased = self._cased(node, self.lexicon.recipient_cases, state, depth=3)
                return cased[0] if cased else None
        return None

    def _verb_arguments(
        self, rule: TriggerRule, token: Token, state: _DocState
    ) -> tuple[Mention | KBEntry | None, Mention | KBEntry | None]:
        passive = bool(_children(token, "aux:pass", "nsubj:pass")) or (
            token.dep_ in ("acl", "amod") and "Part" in _feature(token, "VerbForm") and not _subject(token)
        )
        agents = _children(token, "obl:agent") or [
            c for c in _children(token, "obl", "obl:arg", "obl:mod") if _case(c) == "par"
        ]
        actor: Mention | KBEntry | None
        target: Mention | KBEntry | None = None
        if passive:
            actor = self._participant(agents[0], state) if agents else None
            patients = _children(token, "nsubj:pass")
            if patients:
                target = self._participant(patients[0], state)
            elif token.dep_ in ("acl", "amod"):
                target = self._participant(token.head, state)
        else:
            actor = self._clause_subject(token, state)
            objects = _children(token, "obj")
            if objects and rule.role != "compound":
                target = self._participant(objects[0], state)
        return actor, target

    def _noun_arguments(
        self, rule: TriggerRule, token: Token, state: _DocState
    ) -> tuple[Mention | KBEntry | None, Mention | KBEntry | None, list[Token]]:
        actor: Mention | KBEntry | None = None
        target: Mention | KBEntry | None = None
        scope: list[Token] = [token]
        for child in token.children:
            if child.dep_ == "amod" and self.kb.demonym(child.text) is not None:
                actor = self.kb.demonym(child.text)
        for child in token.children:
            if actor is not None or child.dep_ != "nmod" or _case(child) not in ("de", "d'", "du", "des"):
                continue
            party = self._participant(child, state)
            entry = self._entry(party)
            if party is not None and (
                entry is None or entry.type != "LOC" or entry.kind in ("country", "capital")
            ):
                actor = party
            elif self._is_projectile(child, state):
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
        if head is not None and _is_verb(head) and token.dep_ in ("obj", "nsubj:pass", "obl", "obl:arg"):
            head_lemma = _lemma(head)
            if head_lemma in self.lexicon.patient_verbs and token.dep_ == "obj":
                target = self._clause_subject(head, state)
            elif (
                head_lemma in self.lexicon.light_verbs
                and actor is None
                and token.dep_ in ("obj", "nsubj:pass")
            ):
                actor = self._clause_subject(head, state)
            if token.dep_ in ("obj", "nsubj:pass"):
                scope.append(head)
        if head is not None and _is_verb(head) and (token.dep_ == "obl:agent" or _case(token) == "par"):
            patients = _children(head, "nsubj:pass")
            if patients and target is None:
                target = self._participant(patients[0], state)  # "Kiev a été visée par une attaque"
        if actor is None and self.lexicon.is_violent(rule.event_type):
            actor = self._attributed_author(token, state)
        return actor, target, scope

    def _candidate(
        self, rule: TriggerRule, token: Token, sentence: Span, state: _DocState
    ) -> _Candidate | None:
        if rule.role not in ("phrase",) and self._irrealis(token, sentence):
            return None
        is_verb = _is_verb(token)
        participants: list[Mention | KBEntry] = []
        scope: list[Token] = [token]
        if rule.role == "phrase":
            actor, target = self._speaker(token, state), None
        elif is_verb:
            actor, target = self._verb_arguments(rule, token, state)
        else:
            actor, target, scope = self._noun_arguments(rule, token, state)
        if target is None:
            for head in scope:
                cased = self._cased(head, self.lexicon.target_cases, state)
                if cased:
                    target = cased[0]
                    break
        if rule.role == "compound" or rule.sub_event_type in ("REQUEST", "AID", "SANCTION"):
            recipients = [p for head in scope for p in self._cased(head, self.lexicon.recipient_cases, state)]
            for obj in self._objects(token):
                recipients += self._cased(obj, self.lexicon.recipient_cases, state, depth=1)
            if recipients and (target is None or rule.role == "compound"):
                target = recipients[0]
            if target is None and rule.sub_event_type == "AID":
                target = self._beneficiary(token, state)
        if rule.role == "impact":
            # "un obus d'artillerie russe s'est abattu": the weapon's owner is the actor.
            weapon = self._impact_weapon(token, state)
            assert weapon is not None
            actor = None
            if weapon.dep_.startswith("obl"):
                victims = _children(token, "nsubj", "nsubj:pass")  # "deux soldats tués par un engin"
                target = target or (self._participant(victims[0], state) if victims else None)
            for child in weapon.children:
                if child.dep_ in ("amod", "nmod") and actor is None:
                    actor = self.kb.demonym(child.text) or (
                        self._participant(child, state) if child.dep_ == "nmod" else None
                    )
        if rule.role == "interception":
            # The interceptor is the attacked side; the launcher, when named, is the actor.
            target = target if is_verb and _children(token, "nsubj:pass") else actor
            actor = None
            for obj in self._objects(token) + _children(token, "nsubj:pass"):
                for child in obj.children:
                    if child.dep_ == "amod" and self.kb.demonym(child.text) is not None:
                        actor = self.kb.demonym(child.text)
        if rule.sub_event_type == "THREATEN" and target is None:
            target = self._conditional_subject(token, state)
        if rule.sub_event_type == "REQUEST" and target is None:
            for clause in _children(token, "ccomp", "xcomp"):
                subject = _subject(clause)
                if subject is not None:
                    target = self._participant(subject, state)
        if target is None and rule.sub_event_type not in self.lexicon.symmetric:
            target = self._target_demonym(token)
        if rule.sub_event_type in self.lexicon.symmetric:
            head = token
            if rule.role == "phrase":
                head = next((n for n in [token, *token.ancestors] if _is_verb(n)), token)
            actor, target, participants = self._consult_parties(head, scope, actor, target, state)
        if actor is None and rule.role == "interaction" and not is_verb:
            actor = self._possessor(token, state)

        event_type, sub_event_type = self._type(rule, token, sentence, state)
        interaction = sub_event_type if event_type == INTERACTION else None
        violent = self.lexicon.is_violent(event_type)
        actor_ref = self._ref(actor)
        target_ref = self._ref(target, as_state=violent)
        if actor_ref is not None and target_ref is not None and actor_ref.id == target_ref.id:
            actor_ref = None  # an attack on oneself is a misread adjective ("l'attaque russe" on Russia)
        excluded = {r.id for r in (actor_ref,) if r} | (
            {target_ref.id} if target_ref and not violent else set()
        )
        places = self._places(scope, token, state, excluded, participants)
        if violent and target_ref is None and places:
            first = self.kb.get(places[0].id)
            country = self.kb.country_of(first) if first else None
            if country is not None and (actor_ref is None or actor_ref.id != country.id):
                target_ref = country.ref()
        carries_weapons = violent or sub_event_type in self.lexicon.weapon_interactions
        weapons = self._weapons(sentence, state) if carries_weapons else []
        confidence = 0.55 + 0.1 * bool(actor_ref) + 0.1 * bool(target_ref) + 0.1 * bool(places)
        return _Candidate(
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

    def _consult_parties(
        self,
        token: Token,
        scope: list[Token],
        actor: Mention | KBEntry | None,
        target: Mention | KBEntry | None,
        state: _DocState,
    ) -> tuple[Mention | KBEntry | None, Mention | KBEntry | None, list[Mention | KBEntry]]:
        """The parties of a meeting: subject, "entre X et Y", "avec X", object; when only one
        is named, the subject of the governing verb ("Lors d'un échange avec Zelensky, il ...")."""
        parties: list[Mention | KBEntry] = []
        subject = _clause_subject_token(token) if _is_verb(token) else None
        if subject is not None:
            parties += self._participants(subject, state)
        parties += [p for p in (actor, target) if p is not None]
        for head in scope:
            parties += self._cased(head, self.lexicon.participant_cases, state)
        if not _is_verb(token):
            # "la rencontre Trump-Poutine": names hung on the noun without a preposition.
            for child in token.children:
                mention = state.mentions_at.get(child.i)
                if (
                    child.dep_ not in ("nmod", "appos", "flat:name")
                    or _case(child) is not None
                    or mention is None
                ):
                    continue
                if mention.type in ("PER", "ORG", "MILITARY") or (
                    mention.entry and mention.entry.kind == "country"
                ):
                    parties.append(mention)
        if len(_unique_refs(self, parties)) == 1 and not _is_verb(token):
            governor = self._governing_verb(token)
            extra = self._clause_subject(governor, state) if governor is not None else None
            extra = extra or self._possessor(token, state) or self._sentence_subject(token, parties, state)
            if extra is not None:
                parties.insert(0, extra)
        unique = _unique_refs(self, parties)
        first = unique[0] if unique else None
        second = unique[1] if len(unique) > 1 else None
        return first, second, unique

    def _sentence_subject(
        self, token: Token, known: Sequence[Mention | KBEntry], state: _DocState
    ) -> Mention | KBEntry | None:
        """The first subject of the sentence naming another party (the parse of a long
        adverbial "Suite à une rencontre avec X, Y a décidé" often misses the link)."""
        known_ids = {ref.id for p in known if (ref := self._ref(p)) is not None}
        for node in token.sent:
            if node.dep_ not in _SUBJECTS:
                continue
            party = self._participant(node, state)
            ref = self._ref(party)
            if party is not None and ref is not None and ref.id not in known_ids:
                return party
        return None

    def _conditional_subject(self, token: Token, state: _DocState) -> Mention | KBEntry | None:
        """A threat's target is the subject of its condition ("si l'Occident permet ...")."""
        for node in token.sent:
            marks = {fold(c.text) for c in node.children if c.dep_ == "mark"}
            if marks & self.lexicon.condition_marks:
                subject = _subject(node)
                if subject is not None:
                    participant = self._participant(subject, state)
                    if participant is not None:
                        return participant
        return None

    def _type(self, rule: TriggerRule, token: Token, sentence: Span, state: _DocState) -> tuple[str, str]:
        if rule.role not in ("attack", "interception", "damage", "impact") and not rule.by_context:
            return rule.event_type, rule.sub_event_type
        sentence_classes = [
            m.entry.weapon_class
            for i in range(sentence.start, sentence.end)
            if (m := state.mentions_at.get(i)) is not None and m.entry is not None and m.entry.weapon_class
        ]
        if rule.by_weapon:
            by_sentence = self._weapon_subtype(sentence_classes)
            if by_sentence is not None:
                return "Explosions/Remote violence", by_sentence
        if rule.by_context:
            nouns = {_lemma(t) for t in sentence if t.pos_ in ("NOUN", "PROPN")}
            for words, event_type, sub_event_type in self.lexicon.context_rules:
                if nouns & words:
                    return event_type, sub_event_type
        if rule.role == "damage" and state.last_violent is not None:
            return state.last_violent
        if rule.by_doc_weapon:
            by_doc = self._weapon_subtype(state.weapon_classes)
            if by_doc is not None:
                return "Explosions/Remote violence", by_doc
        return rule.event_type, rule.sub_event_type

    def _weapon_subtype(self, classes: Iterable[str]) -> str | None:
        present = set(classes)
        for weapon_class, sub_event_type in self.lexicon.weapon_subtypes:
            if weapon_class in present:
                return sub_event_type
        return None

    def _clause_tokens(self, head: Token, keep: Token) -> set[int]:
        """The tokens of a head's phrase without its subject and without subordinate clauses at
        any depth (unless they lead to `keep`, the trigger)."""
        path = {keep.i, *(t.i for t in keep.ancestors)}
        tokens: set[int] = set()
        stack = [head]
        while stack:
            node = stack.pop()
            tokens.add(node.i)
            for child in node.children:
                if child.i not in path:
                    if node.i == head.i and child.dep_ in _SUBJECTS:
                        continue
                    if child.dep_ in ("advcl", "ccomp", "xcomp", "parataxis") or _is_finite(child):
                        continue
                    if child.dep_ in ("acl", "acl:relcl") and (
                        _lemma(child) in self.lexicon.irrealis_governors
                        or "Inf" in _feature(child, "VerbForm")
                    ):
                        continue
                stack.append(child)
        return tokens

    def _places(
        self,
        heads: list[Token],
        trigger: Token,
        state: _DocState,
        exclude: set[str],
        participants: Sequence[Mention | KBEntry],
    ) -> list[Place]:
        """Places in the trigger's phrase: not in its subject or subordinate clauses, not
        introduced by a party's preposition ("avec la Russie"), not a party itself."""
        excluded = set(exclude) | {self.kb.as_actor(e).id for p in participants if (e := self._entry(p))}
        excluded |= {p.id for p in participants}
        tokens: set[int] = set()
        for head in heads:
            tokens |= self._clause_tokens(head, trigger)
        places: list[Place] = []
        for i in sorted(tokens):
            mention = state.mentions_at.get(i)
            if mention is None or mention.start != i or mention.entry is None:
                continue
            entry = mention.entry
            if entry.type != "LOC" or entry.location is None or entry.kind in ("continent", "bloc"):
                continue
            if entry.id in excluded or self.kb.as_actor(entry).id in excluded:
                continue
            root = state.doc[i]
            for token in state.doc[mention.start : mention.end]:
                if token.head.i < mention.start or token.head.i >= mention.end:
                    root = token
            case = _case(root)
            if case is not None and any(part in self.lexicon.non_location_cases for part in case.split()):
                continue
            if all(p.id != entry.id for p in places):
                places.append(entry.place())
        return places

    def _weapons(self, sentence: Span, state: _DocState) -> list[str]:
        weapons: list[str] = []
        for i in range(sentence.start, sentence.end):
            mention = state.mentions_at.get(i)
            if mention is None or mention.type != "WEAPON" or mention.start != i:
                continue
            if mention.id not in weapons:
                weapons.append(mention.id)
        return self._most_specific(weapons)

    def _most_specific(self, weapons: list[str]) -> list[str]:
        """A named system makes its class redundant: "drones Shahed" -> drone-shahed only."""
        named_classes = {
            e.weapon_class for w in weapons if (e := self.kb.get(w)) is not None and not e.generic
        }
        return [
            w
            for w in weapons
            if not ((e := self.kb.get(w)) and e.generic and e.weapon_class in named_classes)
        ]

    # ------------------------------------------------------------------------- counts, merging

    def _attach_counts(self, sentence: Span, candidates: list[_Candidate], state: _DocState) -> None:
        projectiles = {
            i: m.entry.weapon_class
            for i in range(sentence.start, sentence.end)
            if (m := state.mentions_at.get(i)) is not None
            and m.entry is not None
            and m.entry.weapon_class in _PROJECTILE_CLASSES
        }
        counts = quantities_module.find_counts(sentence, projectiles, self.quantities)
        if not counts:
            return
        first = min(counts, key=lambda c: c.start)
        anchor = state.doc[first.end - 1]
        clause = anchor
        while not _is_verb(clause) and clause.head.i != clause.i:
            clause = clause.head
        near = self._places([clause], anchor, state, set(), [])
        violent = [c for c in candidates if self.lexicon.is_violent(c.event_type)]
        if not violent:
            # A toll without a trigger continues the last violent event ("un mort et trois blessés").
            if not ({c.slot for c in counts} & {"killed", "injured", "destroyed", "intercepted"}):
                return
            # Typed after the whole article is read when no violent event precedes (a headline).
            event_type, sub_event_type = state.last_violent or (_PENDING, _PENDING)
            violent = [
                _Candidate(
                    event_type=event_type,
                    sub_event_type=sub_event_type,
                    interaction=None,
                    trigger=anchor,
                    role="casualty",
                    places=[],
                    weapons=self._weapons(sentence, state),
                    confidence=0.45,
                )
            ]
            candidates.append(violent[0])
        main = violent[0]
        main.places += [p for p in near if all(q.id != p.id for q in main.places)]
        # Projectiles of different kinds counted apart are different events ("4 missiles
        # Iskander et 112 drones Shahed": a missile attack and a drone strike).
        by_subtype: dict[str, list[quantities_module.Count]] = {}
        for count in counts:
            subtype = self._weapon_subtype([count.weapon_class]) if count.weapon_class else None
            by_subtype.setdefault(subtype or main.sub_event_type, []).append(count)
        if main.event_type != "Explosions/Remote violence" or len(by_subtype) == 1:
            main.slots.update(quantities_module.sentence_slots(counts))
            return
        for subtype, group in by_subtype.items():
            if subtype == main.sub_event_type:
                main.slots.update(quantities_module.sentence_slots(group))
                continue
            classes = {c for c, s in self.lexicon.weapon_subtypes if s == subtype}
            weapons = [
                w for w in main.weapons if (e := self.kb.get(w)) is not None and e.weapon_class in classes
            ]
            main.weapons = [w for w in main.weapons if w not in weapons]
            candidates.append(
                _Candidate(
                    event_type=main.event_type,
                    sub_event_type=subtype,
                    interaction=None,
                    trigger=state.doc[group[0].end - 1],
                    role=main.role,
                    actor=main.actor,
                    target=main.target,
                    places=list(main.places),
                    weapons=weapons,
                    slots=dict(quantities_module.sentence_slots(group)),
                    confidence=main.confidence,
                )
            )

    def _merge_sentence(self, candidates: list[_Candidate]) -> list[_Candidate]:
        """Triggers of one event in a sentence ("a abattu 337 drones ... ciblée par 300 drones")
        become one mention; incompatible parties stay apart."""
        merged: list[_Candidate] = []
        for candidate in candidates:
            for kept in merged:
                same_type = (kept.event_type, kept.sub_event_type) == (
                    candidate.event_type,
                    candidate.sub_event_type,
                )
                symmetric = candidate.sub_event_type in self.lexicon.symmetric
                if same_type and _parties_compatible(
                    (kept.actor, kept.target), (candidate.actor, candidate.target), self.kb, symmetric
                ):
                    kept.actor = kept.actor or candidate.actor
                    kept.target = kept.target or candidate.target
                    kept.places += [p for p in candidate.places if all(q.id != p.id for q in kept.places)]
                    kept.weapons += [w for w in candidate.weapons if w not in kept.weapons]
                    for slot, quantity in candidate.slots.items():
                        kept.slots[slot] = quantities_module.larger(kept.slots.get(slot), quantity)  # type: ignore[assignment]
                    kept.confidence = max(kept.confidence, candidate.confidence)
                    break
            else:
                merged.append(candidate)
        return merged

    def _has_arguments(self, candidate: _Candidate) -> bool:
        """An anaphoric mention with nothing attached ("Ces frappes audacieuses ...") adds nothing;
        a protest or an arrest reported by a finite verb ("43 manifestants ont été interpellés")
        is news by itself."""
        if candidate.event_type in self.lexicon.anonymous_types and _is_finite(candidate.trigger):
            return True
        if self.lexicon.is_violent(candidate.event_type):
            return bool(candidate.actor or candidate.target or candidate.places or candidate.slots)
        if candidate.event_type == INTERACTION:
            return bool(candidate.actor or candidate.target)
        return bool(candidate.actor or candidate.target or candidate.places or _is_finite(candidate.trigger))

    def _remember_subjects(self, sentence: Span, state: _DocState) -> None:
        for token in sentence:
            if token.dep_ in _SUBJECTS and token.pos_ != "PRON":
                participant = self._participant(token, state)
                if participant is not None:
                    state.recent_subjects.append(participant)

    def _event(
        self, candidate: _Candidate, sentence: Span, event_date: date | None, article: Article, ordinal: int
    ) -> Event:
        start = sentence.start_char
        end = sentence.end_char
        text = article.text
        while end > start and text[end - 1].isspace():
            end -= 1
        # The id of a sentence's first mention of a sub-type is stable_id(article, sub-type,
        # sentence start); a second, distinct one in the same sentence adds its trigger offset.
        parts = [article.id, candidate.sub_event_type, str(start)]
        if ordinal:
            parts.append(str(candidate.trigger.idx))
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
        )


def specific_places(places: Sequence[Place], kb: KnowledgeBase) -> list[Place]:
    """A country is not listed when a place inside it is ("Kharkiv", not also "Ukraine")."""
    inside = {p.country for p in places if (e := kb.get(p.id)) is not None and e.kind != "country"}
    return [p for p in places if not ((e := kb.get(p.id)) and e.kind == "country" and e.country in inside)]


def _unique_refs(extractor: EventExtractor, parties: Sequence[Mention | KBEntry]) -> list[Mention | KBEntry]:
    unique: dict[str, Mention | KBEntry] = {}
    for party in parties:
        ref = extractor._ref(party)
        if ref is not None:
            unique.setdefault(ref.id, party)
    return list(unique.values())


def _accent_variants(word: str) -> set[str]:
    """Accented spellings a folded lexicon word may have in text ("legitime" -> "légitime")."""
    variants = {word}
    replacements = {"e": "éèê", "a": "àâ", "i": "îï", "o": "ô", "u": "ûù", "c": "ç"}
    for index, char in enumerate(word):
        for accented in replacements.get(char, ""):
            variants.add(word[:index] + accented + word[index + 1 :])
    return variants


# ----------------------------------------------------------------------------- merging


def _state_id(ref: EntityRef, kb: KnowledgeBase) -> str | None:
    entry = kb.get(ref.id)
    state = kb.country_of(entry) if entry is not None else None
    return state.id if state is not None else None


def _compatible(a: EntityRef | None, b: EntityRef | None, kb: KnowledgeBase) -> bool:
    """Two slot values may name the same party: equal, unknown on one side, or a person or
    body and its own state ("Poutine" / "Russie", "Marco Rubio" / "États-Unis")."""
    if a is None or b is None or a.id == b.id:
        return True
    return _state_id(a, kb) == b.id or _state_id(b, kb) == a.id


def _parties_compatible(
    a: tuple[EntityRef | None, EntityRef | None],
    b: tuple[EntityRef | None, EntityRef | None],
    kb: KnowledgeBase,
    symmetric: bool,
) -> bool:
    if not symmetric:
        return _compatible(a[0], b[0], kb) and _compatible(a[1], b[1], kb)
    left = [r for r in a if r is not None]
    right = [r for r in b if r is not None]
    small, large = (left, right) if len(left) <= len(right) else (right, left)
    used: set[int] = set()
    for ref in small:
        match = next(
            (j for j, other in enumerate(large) if j not in used and _compatible(ref, other, kb)), None
        )
        if match is None:
            return False
        used.add(match)
    return True


def _vote(refs: Sequence[EntityRef | None]) -> EntityRef | None:
    """The value most mentions give (ties: the first given)."""
    counts: dict[str, int] = {}
    first: dict[str, EntityRef] = {}
    for ref in refs:
        if ref is not None:
            counts[ref.id] = counts.get(ref.id, 0) + 1
            first.setdefault(ref.id, ref)
    if not counts:
        return None
    best = max(counts, key=lambda key: (counts[key], -list(first).index(key)))
    return first[best]


def _representative(
    members: list[Event], symmetric: bool, published: date | None, kb: KnowledgeBase
) -> Event:
    merged = members[0].model_copy(deep=True)
    if symmetric:
        refs = [r for m in members for r in (m.actor, m.target) if r is not None]
        winner = _vote(refs)
        rest = [r for r in refs if winner is None or r.id != winner.id]
        runner = _vote(rest)
        order = [r.id for r in refs]
        pair = sorted((r for r in (winner, runner) if r is not None), key=lambda r: order.index(r.id))
        merged.actor = pair[0] if pair else None
        merged.target = pair[1] if len(pair) > 1 else None
    else:
        merged.actor = _vote([m.actor for m in members])
        merged.target = _vote([m.target for m in members])
    for member in members[1:]:
        merged.weapons += [w for w in member.weapons if w not in merged.weapons]
        merged.places += [p for p in member.places if all(q.id != p.id for q in merged.places)]
        merged.places = specific_places(merged.places, kb)
        merged.location = merged.location or member.location
        for slot in quantities_module.SLOTS:
            setattr(merged, slot, quantities_module.larger(getattr(merged, slot), getattr(member, slot)))
        stated = member.event_date is not None and member.event_date != published
        if stated and merged.event_date in (None, published):
            merged.event_date = member.event_date
        merged.confidence = max(merged.confidence, member.confidence)
    return merged


def merge_mentions(
    events: Sequence[Event], kb: KnowledgeBase, lexicon: EventLexicon | None = None
) -> list[Event]:
    """Fold the mentions of one article into distinct events.

    Mentions of the same type and sub-type whose parties are compatible (equal, unknown on one
    side, or a person/body and its own state) and whose stated dates agree are one event. The
    merged event keeps the first mention's text, the actor and target most mentions give, all
    weapons and places, the highest count of each slot (tolls only rise: "le bilan
    s'alourdit") and a stated date over the publication date.
    """
    lexicon = lexicon or default_lexicon()
    clusters: list[list[Event]] = []
    representatives: list[Event] = []
    for event in events:
        published = event.published.date() if event.published else None
        symmetric = event.sub_event_type in lexicon.symmetric
        for index, kept in enumerate(representatives):
            if (kept.event_type, kept.sub_event_type, kept.article_id) != (
                event.event_type,
                event.sub_event_type,
                event.article_id,
            ):
                continue
            if not _parties_compatible((kept.actor, kept.target), (event.actor, event.target), kb, symmetric):
                continue
            dates = {d for d in (kept.event_date, event.event_date) if d is not None and d != published}
            if len(dates) > 1:
                continue
            clusters[index].append(event)
            representatives[index] = _representative(clusters[index], symmetric, published, kb)
            break
        else:
            clusters.append([event])
            representatives.append(event.model_copy(deep=True))
    return representatives
