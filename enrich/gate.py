"""The conflict gate: is this article about armed conflict (war, armed violence, terrorism,
military operations) or its diplomacy (ceasefire talks, sanctions, prisoner exchanges, arms
aid)? Events, conflict entities and alerts are kept only for articles it lets through.

    gate = ConflictGate.from_data()
    decision = gate.decide(doc, entity_types=[e.type for e in entities])
    decision.conflict, decision.score, decision.reasons

It reads the already-parsed spaCy Doc (no second model: a lemma lookup over the token arrays,
one PhraseMatcher pass, a look at the children of the few ambiguous cues found; about 1 % of
the parse) and the cues of `enrich/data/conflict_gate.yaml`:

- **Conflict cues**, in two roles. An *anchor* ("soldat", "embuscade", "cessez-le-feu",
  "frappe aérienne", "échange de prisonniers") counts wherever it appears and makes its
  sentence a conflict context. An *ambiguous* cue ("frappe", "bombarder", "offensive",
  "missile", "victime", "guerre") counts only when it reads literally: its sentence holds an
  anchor or an armed-forces entity, or a place hangs on it through a preposition ("frappe sur
  Kherson", "guerre au Soudan"; not "Lens bombarde Nantes") or a country's demonym qualifies
  it ("frappe russe"), which then makes its sentence a conflict context too, or the document's
  anchor evidence is already large (in an article about soldiers and shelling, "frappe" is a
  strike).
- **Cues of other domains** (sport, cuisine, business, energy, culture, weather, politics,
  hunting, accidents), always counted. Their phrases take the conflict words inside them:
  the "frappe" of "frappe du gauche", the "guerre" of "guerre des prix", the "bombe" of
  "bombe glacée" are no conflict cues. Years long past ("en 1944") count as the domain
  "history" (books, films, commemorations).
- **Institutions**: an ambiguous cue named as an institution's field through the noun that
  governs it ("le ministre belge de la Défense", "le ministère israélien de la Défense") is an
  anchor, whatever adjective stands in between.
- **Frames**: when an other domain's distinct cues reach a minimum (two cues of "fiction":
  "une république fictive", "des unités virtuelles", "un pays imaginaire"), the conflict words
  tell that domain's story (a game's or a novel's war) and weigh a fraction of their weight.
- **Entities** the caller passes: the types of the article's canonical entities (MILITARY,
  OPERATION, WEAPON ...), each worth the weight the data gives it, up to a cap.

Each cue counts its weight once per occurrence, at most `max_repeats` times, and double in the
first sentence (the headline or the lead of a dispatch). The score is the conflict evidence
minus the other domains' evidence; the article is about conflict when the score reaches the
threshold and the conflict evidence alone reaches `min_conflict` (an article with no conflict
cue is refused, whatever else it says). The decision names the cues that weighed most, the
ambiguous cues set aside as not literal, and the arithmetic, so a refusal can be checked and
the data corrected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import spacy
from spacy.attrs import ENT_ID, ENT_TYPE, LEMMA, LOWER, POS, SENT_START, SHAPE
from spacy.matcher import PhraseMatcher
from spacy.symbols import PROPN
from spacy.tokens import Doc, Token

from enrich.kb import DATA_DIR, DataFileError, KnowledgeBase, default_kb, load_yaml
from enrich.nlp import demonym_forms
from enrich.text import strip_accents
from enrich.tokens import doc_text
from enrich.topic import TopicModel, default_topic, probability

GATE_PATH = DATA_DIR / "conflict_gate.yaml"
GATE_SCHEMA_PATH = DATA_DIR / "conflict_gate.schema.json"
CONFLICT = "conflict"
HISTORY = "history"
# Words of a phrase that never take a plural -s.
_FUNCTION_WORDS = frozenset(
    {"des", "les", "une", "par", "pour", "sur", "contre", "dans", "avec", "entre", "vers"}
)
# Dependencies of the one who acts: subject, passive agent.
_AGENT_DEPS = frozenset({"nsubj", "nsubj:pass", "obl:agent"})
# How many cues of each kind a decision names.
MAX_REASONS = 6


@dataclass(frozen=True)
class GateDecision:
    """`conflict`: the article is about armed conflict or its diplomacy; `score`: conflict
    evidence minus other-domain evidence; `reasons`: the cues that decided, e.g.
    "conflict:embuscade x1 +4.0", "sport:frappe du gauche x1 -1.0", "not literal:frappe x2",
    and the arithmetic ("score 7.0 >= 2.0")."""

    conflict: bool
    score: float
    reasons: tuple[str, ...]


@dataclass
class _Tally:
    """Occurrences of each cue, keyed (domain, cue name), and what one occurrence weighs."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    in_headline: Counter[tuple[str, str]] = field(default_factory=Counter)
    weights: dict[tuple[str, str], float] = field(default_factory=dict)
    repeats: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, key: tuple[str, str], weight: float, repeats: int, headline: bool) -> None:
        self.counts[key] += 1
        self.in_headline[key] += int(headline)
        self.weights[key] = weight
        self.repeats[key] = repeats

    def contributions(self, headline_factor: float) -> dict[tuple[str, str], float]:
        """Weight x occurrences (at most `repeats`), headline occurrences counted
        `headline_factor` times."""
        return {
            key: self.weights[key]
            * (
                min(n, self.repeats[key])
                + min(self.in_headline[key], self.repeats[key]) * (headline_factor - 1)
            )
            for key, n in self.counts.items()
        }

    def total(self, headline_factor: float, domain: str) -> float:
        return sum(v for (d, _), v in self.contributions(headline_factor).items() if d == domain)


@dataclass(frozen=True)
class _Group:
    domain: str  # "conflict" or another domain's name
    role: str  # "anchor", "ambiguous" or "other"
    weight: float


def _phrase_forms(phrase: str) -> list[str]:
    """A data phrase as written, with its content words in the plural ("ministères de la
    défense", "frappes aériennes"), without accents, with either apostrophe."""
    words = phrase.split(" ")
    options = [
        [word]
        if len(word) < 3 or word in _FUNCTION_WORDS or word.endswith(("s", "x", "z", "'"))
        else [word, word + "s"]
        for word in words
    ]
    forms = {" ".join(combination) for combination in product(*options)}
    forms |= {strip_accents(form) for form in forms}
    forms |= {form.replace("'", "’") for form in forms if "'" in form}
    return sorted(forms)


def _variants(word: str) -> list[str]:
    """Spellings a data word may take in text: plural, without accents."""
    word = word.lower()
    forms = {word, word + "s", word + "x"}
    if word.endswith(("s", "x")) and len(word) > 3:
        forms.add(word[:-1])
    forms |= {strip_accents(form) for form in forms}
    forms |= {form.replace("'", "’") for form in forms if "'" in form}
    return sorted(forms)


class ConflictGate:
    """The document-level decision of the module docstring (one per process: build it with
    `from_data` or take `default_gate()`, then `decide` per parsed document)."""

    def __init__(
        self,
        data: dict[str, Any],
        kb: KnowledgeBase | None = None,
        source: Path = GATE_PATH,
        topic: TopicModel | None = None,
    ) -> None:
        self.kb = kb or default_kb()
        decision = data["decision"]
        self.threshold = float(decision["threshold"])
        self.min_conflict = float(decision["min_conflict"])
        self.other_factor = float(decision["other_factor"])
        self.max_repeats = int(decision["max_repeats"])
        self.context_min = float(decision["context_min"])
        self.headline_factor = float(decision["headline_factor"])
        # The topic model's log-odds, capped, times the weight, join the score.
        self.topic_weight = float(decision.get("topic_weight", 0.0))
        self.topic_cap = float(decision.get("topic_cap", 0.0))
        self.topic_min_tokens = int(decision.get("topic_min_tokens", 0))
        self.topic = topic if topic is not None else (default_topic() if self.topic_weight else None)
        literal = data["literal"]
        self.place_cases = frozenset(word.lower() for word in literal["place_cases"])
        self.place_labels = frozenset(literal["place_labels"])
        self.demonyms = frozenset(demonym_forms(self.kb)) if literal.get("demonym_modifiers") else frozenset()
        self.armed_weight = float(literal.get("armed_weight", 2.0))
        # "le ministre belge de la Défense": a cue read through the noun that governs it.
        institutions = literal.get("institutions") or {"heads": [], "fields": [], "weight": 2.0}
        self.institution_heads = frozenset(word.lower() for word in institutions["heads"])
        self.institution_fields = frozenset(word.lower() for word in institutions["fields"])
        self.institution_weight = float(institutions["weight"])
        # Frames: a domain whose distinct cues reach `min_cues` tells the conflict words of the
        # article (a game's imaginary war), which then weigh `conflict_factor` of their weight.
        self.frames = [
            (str(f["domain"]), int(f["min_cues"]), float(f["conflict_factor"]))
            for f in data.get("frames", [])
        ]
        self.entity_weights = {str(k): float(v) for k, v in data["entities"]["weights"].items()}
        self.max_entity_score = float(data["entities"]["max_score"])
        history = data.get("history") or {"max_year": 0, "weight": 1.0, "max_repeats": 1, "lead_words": []}
        self.history_weight = float(history["weight"])
        self.history_repeats = int(history["max_repeats"])
        self.history_max_year = int(history["max_year"])
        self.history_leads = frozenset(word.lower() for word in history["lead_words"])
        self.history_units = frozenset(word.lower() for word in history.get("unit_words", []))
        # Section names a headline may open with ("Jeu vidéo : ..."): folded name -> domain.
        self.rubrics = {
            _fold_rubric(name): domain for domain, names in data.get("rubrics", {}).items() for name in names
        }
        # Words: hash of a lemma (or, for names, of the lowercased form) -> group; phrases: one
        # PhraseMatcher on lowercased tokens. A blank French vocab: no model is loaded here.
        blank = spacy.blank("fr")
        self.phrases = PhraseMatcher(blank.vocab, attr="LOWER")
        self.groups: list[_Group] = []
        self.lemma_groups: dict[int, int] = {}
        self.lower_groups: dict[int, int] = {}
        self.phrase_groups: dict[int, tuple[int, str]] = {}
        strings = blank.vocab.strings
        owner: dict[str, str] = {}
        specs = [(CONFLICT, g["role"], g.get("name", CONFLICT), g) for g in data["conflict"]]
        specs += [(g["domain"], "other", g["domain"], g) for g in data["other"]]
        for index, (domain, role, label, group) in enumerate(specs):
            self.groups.append(_Group(domain=domain, role=role, weight=float(group["weight"])))
            words = [word.lower() for word in group.get("lemmas", [])]
            phrases = [phrase.lower() for phrase in group.get("phrases", [])]
            for cue in (*words, *phrases):
                if owner.setdefault(cue, f"{label}#{index}") != f"{label}#{index}":
                    raise DataFileError(
                        f"{source}: cue {cue!r} is in two groups ({owner[cue]}, {label}#{index})"
                    )
            for word in words:
                for form in {word, strip_accents(word)}:
                    self.lemma_groups[strings.add(form)] = index
                for form in _variants(word):
                    self.lower_groups.setdefault(strings.add(form), index)
            for phrase in phrases:
                name = f"gate|{index}|{phrase}"
                self.phrase_groups[strings.add(name)] = (index, phrase)
                self.phrases.add(name, [blank.make_doc(form) for form in _phrase_forms(phrase)])
        # Entity labels that anchor their sentence, and the KB ids of weapon classes, which don't.
        self._anchor_label_keys = _keys(strings.add(label) for label in literal["anchor_entity_labels"])
        self._generic_keys = _keys(strings.add(entry.id) for entry in self.kb if entry.generic)
        self._year_shape = strings.add("dddd")
        # "armé(e)(s)": people said to carry arms (see `_armed_people`).
        self._armed_keys = _keys(
            strings.add(form)
            for word in literal.get("armed_modifiers", [])
            for form in {*_variants(word), *_variants(word + "e")}
        )
        self._lemma_keys = np.sort(np.fromiter(self.lemma_groups, dtype=np.uint64))
        self._lower_keys = np.sort(np.fromiter(self.lower_groups, dtype=np.uint64))

    @classmethod
    def from_data(
        cls, path: Path = GATE_PATH, schema_path: Path = GATE_SCHEMA_PATH, kb: KnowledgeBase | None = None
    ) -> ConflictGate:
        """The gate of a data file, validated against its schema (DataFileError otherwise)."""
        return cls(load_yaml(path, schema_path), kb, path)

    # ----------------------------------------------------------------------------- decision

    def decide(self, doc: Doc, entity_types: Sequence[str] = ()) -> GateDecision:
        """Is `doc` about armed conflict or its diplomacy? `entity_types`: the types of the
        article's canonical entities (e.g. MILITARY, WEAPON), extra conflict evidence."""
        table = doc.to_array([LEMMA, LOWER, POS, SENT_START, ENT_TYPE, ENT_ID, SHAPE]) if len(doc) else None
        sentence_of = _sentence_ids(table)
        matches = self._matches(doc, table)
        # Sentences that are a conflict context: an anchor cue, or an armed force / named weapon.
        anchored = {int(sentence_of[start]) for start, group, _ in matches if group.role == "anchor"}
        if table is not None:
            anchor_tokens = _member(table[:, 4], self._anchor_label_keys) & ~_member(
                table[:, 5], self._generic_keys
            )
            anchored |= set(sentence_of[anchor_tokens].tolist())

        tally = _Tally()
        # "des éleveurs armés ont attaqué": armed people, an armed actor whatever the noun.
        people = self._armed_people(doc, table, matches)
        for i, _, name in people:
            anchored.add(int(sentence_of[i]))
            tally.add((CONFLICT, name), self.armed_weight, self.max_repeats, sentence_of[i] == 0)
        if people:  # their "armé" counted with them
            modifiers = {m for _, m, _ in people}
            matches = [m for m in matches if m[0] not in modifiers]
        ambiguous: list[tuple[int, _Group, str]] = []
        for start, group, name in matches:
            head = self._institution(doc[start]) if group.role == "ambiguous" else None
            if head is not None:  # "le ministre belge de la Défense": an anchor, as its phrase
                anchored.add(int(sentence_of[start]))
                tally.add(
                    (CONFLICT, f"{head} {name}"),
                    self.institution_weight,
                    self.max_repeats,
                    sentence_of[start] == 0,
                )
            elif group.role == "ambiguous":
                ambiguous.append((start, group, name))
            else:
                tally.add((group.domain, name), group.weight, self.max_repeats, sentence_of[start] == 0)
        entity_counts = Counter(t for t in entity_types if t in self.entity_weights)
        entity_score = min(
            self.max_entity_score, sum(self.entity_weights[t] * n for t, n in entity_counts.items())
        )
        # In an article whose anchors already weigh enough, every ambiguous cue reads literally.
        in_context = tally.total(self.headline_factor, CONFLICT) + entity_score >= self.context_min
        # An ambiguous cue whose own complement makes it literal anchors its sentence too
        # ("une frappe russe sur Kramatorsk a tué deux habitants": "tué" then counts).
        anchored |= {int(sentence_of[start]) for start, _, _ in ambiguous if self._literal(doc[start])}
        set_aside: Counter[str] = Counter()
        for start, group, name in ambiguous:
            if in_context or int(sentence_of[start]) in anchored:
                tally.add((CONFLICT, name), group.weight, self.max_repeats, sentence_of[start] == 0)
            else:
                set_aside[name] += 1
        for year in self._old_years(doc, table):
            tally.add((HISTORY, year), self.history_weight, self.history_repeats, False)

        contributions = tally.contributions(self.headline_factor)
        conflict = sum(v for (d, _), v in contributions.items() if d == CONFLICT) + entity_score
        other = sum(v for (d, _), v in contributions.items() if d != CONFLICT) * self.other_factor
        frame_reasons = []
        framed = 1.0
        for domain, min_cues, factor in self.frames:
            cues = sorted(name for d, name in contributions if d == domain)
            if len(cues) >= min_cues:
                conflict *= factor
                framed *= factor
                frame_reasons.append(f"frame:{domain} ({', '.join(cues[:MAX_REASONS])}) conflict x{factor:g}")
        # The vocabulary as a whole (enrich.topic): a domain the cues have no words for. Read
        # only where it can change the decision (below min_conflict the answer is no anyway).
        # Nor on a text shorter than those it was trained on (articles of 88 words and more): the
        # mean vector of a headline or a feed summary is too thin to say anything about it.
        logit = (
            self.topic.logit(doc)
            if self.topic is not None and conflict >= self.min_conflict and len(doc) >= self.topic_min_tokens
            else None
        )
        topic = 0.0 if logit is None else self.topic_weight * max(-self.topic_cap, min(self.topic_cap, logit))
        if topic > 0:  # in a framed story (a novel's war) the war vocabulary is that story's
            topic *= framed
        score = round(conflict - other + topic, 2)
        decided = score >= self.threshold and conflict >= self.min_conflict
        rubric = self._rubric(doc)
        reasons = [f"rubric:{self.rubrics[rubric]}:{rubric}"] if rubric else []
        decided = decided and rubric is None
        reasons += [
            f"conflict:{key[1]} x{tally.counts[key]} +{v:.1f}"
            for key, v in _top(contributions, lambda d: d == CONFLICT)
        ]
        reasons += [
            f"entities:{etype} x{n} +{self.entity_weights[etype] * n:.1f}"
            for etype, n in sorted(entity_counts.items())
        ]
        if entity_counts and entity_score == self.max_entity_score:
            reasons.append(f"entities capped at +{self.max_entity_score:.1f}")
        reasons += [
            f"{key[0]}:{key[1]} x{tally.counts[key]} -{v * self.other_factor:.1f}"
            for key, v in _top(contributions, lambda d: d != CONFLICT)
        ]
        reasons += [f"not literal:{name} x{n}" for name, n in set_aside.most_common(MAX_REASONS)]
        reasons += frame_reasons
        if logit is not None:
            reasons.append(f"topic:p={probability(logit):.2f} {topic:+.1f}")
        if conflict < self.min_conflict:
            reasons.append(f"conflict evidence {conflict:.1f} < {self.min_conflict:.1f}")
        reasons.append(f"score {score:.1f} {'>=' if score >= self.threshold else '<'} {self.threshold:.1f}")
        return GateDecision(conflict=decided, score=score, reasons=tuple(reasons))

    # ----------------------------------------------------------------------------- parts

    def _rubric(self, doc: Doc) -> str | None:
        """The section a headline opens with ("Jeu vidéo : avec « Ligne de front » ...",
        "Ligue 1 : ..."), when the data lists it: the article is that section's, not a
        conflict dispatch ("Ukraine : ..." names a place, no section)."""
        if not self.rubrics:
            return None
        text = doc_text(doc)  # the kept string: `doc.text` joins every token again
        first_line = text[: text.find("\n")] if "\n" in text else text
        for mark in (":", " – ", " - ", " — "):
            if mark in first_line[:60]:
                name = _fold_rubric(first_line[: first_line.index(mark)])
                if name in self.rubrics:
                    return name
        return None

    def _matches(self, doc: Doc, table: np.ndarray | None) -> list[tuple[int, _Group, str]]:
        """Cue matches (start, group, cue name): phrases first, longest first; a token counts
        once."""
        found: list[tuple[int, int, int, str]] = []
        for match_id, start, end in self.phrases(doc):
            index, phrase = self.phrase_groups[match_id]
            found.append((start, end, index, phrase))
        if table is not None:
            strings = doc.vocab.strings
            # A word counts by its lemma; by its lowercased form only where the model took it
            # for a name (a capitalised headline word), not the verb "livre" for the noun.
            by_lemma = _member(table[:, 0], self._lemma_keys)
            by_form = _member(table[:, 1], self._lower_keys) & (table[:, 2] == PROPN)
            for i in np.flatnonzero(by_lemma | by_form).tolist():
                if by_lemma[i]:
                    found.append(
                        (i, i + 1, self.lemma_groups[int(table[i, 0])], strings[int(table[i, 0])].lower())
                    )
                else:
                    found.append((i, i + 1, self.lower_groups[int(table[i, 1])], strings[int(table[i, 1])]))
        found.sort(key=lambda m: (m[0] - m[1], m[0]))
        used = np.zeros(len(doc) + 1, dtype=bool)
        taken: list[tuple[int, _Group, str]] = []
        for start, end, index, name in found:
            if used[start:end].any():
                continue
            used[start:end] = True
            taken.append((start, self.groups[index], name))
        return sorted(taken, key=lambda m: m[0])

    def _armed_people(
        self, doc: Doc, table: np.ndarray | None, matches: Sequence[tuple[int, _Group, str]]
    ) -> list[tuple[int, int, str]]:
        """People said to carry arms: "armé(s)" qualifying a plural noun ("des éleveurs armés",
        "une attaque de colons armés") or the subject / agent of its clause ("un inconnu armé a
        tiré", "tués par un jeune armé"), not "béton armé"; not when a cue phrase already took
        the words ("hommes armés", "conflit armé"). (noun index, modifier index, "<noun> armé")."""
        if table is None or not len(self._armed_keys):
            return []
        hits = np.flatnonzero(_member(table[:, 1], self._armed_keys)).tolist()
        if not hits:
            return []
        taken = {  # the tokens of the cue phrases (words of one token don't take "armé")
            i
            for start, _, name in matches
            if " " in name
            for i in range(start, start + len(name.split()) + name.count("'") + name.count("’"))
        }
        people = []
        for i in hits:
            token = doc[i]
            noun = token.head
            if token.dep_ not in ("amod", "acl") or noun.pos_ != "NOUN" or noun.i == i:
                continue
            if i in taken or noun.i in taken:
                continue
            if "Plur" not in noun.morph.get("Number", []) and noun.dep_ not in _AGENT_DEPS:
                continue
            people.append((noun.i, i, f"{noun.lemma_.lower()} armé"))
        return people

    def _institution(self, token: Token) -> str | None:
        """The institution an ambiguous cue names as its field, through the noun that governs it
        whatever stands in between ("le ministre belge de la Défense", "la ministère israélien
        de la Défense"): the governing noun's lemma, or None."""
        if token.dep_ != "nmod" or token.lemma_.lower() not in self.institution_fields:
            return None
        head = token.head.lemma_.lower()
        return head if head in self.institution_heads else None

    def _literal(self, token: Token) -> bool:
        """The cue's complement makes it literal: a place entity through a preposition
        ("frappe sur Kherson", "guerre au Soudan"), a country's demonym ("frappe russe")."""
        for child in token.children:
            if child.dep_ == "amod" and child.lower_ in self.demonyms:
                return True
            if child.ent_type_ in self.place_labels and any(
                c.dep_ == "case" and c.lower_ in self.place_cases for c in child.children
            ):
                return True
        return False

    def _old_years(self, doc: Doc, table: np.ndarray | None) -> list[str]:
        """Years up to the history limit after a lead word ("en 1944", "l'été 1916"), not
        followed by a unit ("1500 euros"), in the order they occur."""
        if table is None or not self.history_leads:
            return []
        years = []
        for i in np.flatnonzero(table[:, 6] == self._year_shape).tolist():
            text = doc[i].text
            if not ("1000" <= text <= str(self.history_max_year)) or i == 0:
                continue
            if doc[i - 1].lower_ not in self.history_leads:
                continue
            if i + 1 < len(doc) and doc[i + 1].lower_ in self.history_units:
                continue
            years.append(text)
        return years


def _sentence_ids(table: np.ndarray | None) -> np.ndarray:
    """The sentence index of every token (one sentence if the doc has no boundaries)."""
    if table is None:
        return np.zeros(0, dtype=np.int64)
    starts = table[:, 3].astype(np.int64) == 1  # SENT_START: 1 starts, -1 inside, 0 unknown
    starts[0] = False
    return np.cumsum(starts)


def _keys(hashes: Iterable[int]) -> np.ndarray:
    return np.sort(np.fromiter(hashes, dtype=np.uint64))


def _member(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Which `values` are in `sorted_keys` (a binary search: the keys are sorted once)."""
    if not len(sorted_keys):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_keys, values).clip(max=len(sorted_keys) - 1)
    return sorted_keys[at] == values


def _top(
    contributions: dict[tuple[str, str], float], keep: Callable[[str], bool]
) -> list[tuple[tuple[str, str], float]]:
    """The heaviest contributions of the domains `keep` accepts."""
    items = [(key, v) for key, v in contributions.items() if keep(key[0])]
    return sorted(items, key=lambda kv: (-kv[1], kv[0]))[:MAX_REASONS]


def _fold_rubric(text: str) -> str:
    return " ".join(strip_accents(text).lower().split())


@lru_cache(maxsize=1)
def default_gate() -> ConflictGate:
    """The process-wide gate of the packaged data file."""
    return ConflictGate.from_data()
