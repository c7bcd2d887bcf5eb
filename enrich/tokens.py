"""Small readings of spaCy tokens shared by the event and quantity readers.

Words are compared folded (`enrich.text.fold`): a token's lemma and surface form, a data
file's word list, a preposition ("contre" in "contre Moscou").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from spacy.attrs import HEAD, LEMMA, MORPH, ORTH
from spacy.tokens import Doc, Span, Token

from enrich.text import fold

# Per-doc readings kept in `doc.user_data` (the readers ask the same words for their lemma,
# children and morphology thousands of times per article; every spaCy access builds a new
# Token or string). The parse-dependent ones (children, heads) are dropped by `parse_changed`
# when `enrich.events.repair` moves a head.
_TOKENS = "vigie_tokens"
_FORMS = "vigie_forms"
_MORPHS = "vigie_morphs"
_CHILDREN = "vigie_children"
_HEADS = "vigie_heads"
_READINGS = "vigie_readings"  # (reading, token index) -> case_of / is_finite


def doc_text(doc: Doc) -> str:
    """`doc.text`, kept on the doc: spaCy joins it from all the tokens on every access (the
    key `enrich.entities` keeps it under too)."""
    text = doc.user_data.get("vigie_text")
    if text is None:
        text = doc.user_data["vigie_text"] = doc.text
    return text


def remember_text(doc: Doc, text: str) -> None:
    """Keep the string a doc was made from as its `doc_text` (the tokenizer loses no
    character: `doc.text` is that string, joined again from every token)."""
    doc.user_data["vigie_text"] = text


def tokens_of(doc: Doc) -> list[Token]:
    """The doc's tokens, built once and kept on the doc: `doc[i]` and iterating a span build a
    new Token object at every access, and the readers index the same words over and over (a
    Token is a view of the doc: a parse repaired later reads through it unchanged)."""
    tokens = doc.user_data.get(_TOKENS)
    if tokens is None:
        tokens = doc.user_data[_TOKENS] = list(doc)
    return tokens


def release(*docs: Doc | None) -> None:
    """Drop what the readers kept on read docs: the kept Tokens hold their doc, a cycle only the
    collector's full passes free (1.2-1.9 ms of collection per article, measured in bench/);
    emptied, a doc is freed as soon as it is dropped."""
    for doc in docs:
        if doc is not None:
            doc.user_data.clear()


def parse_changed(doc: Doc) -> None:
    """Forget the doc's children and heads: a repair of the parse moved a head."""
    doc.user_data.pop(_CHILDREN, None)
    doc.user_data.pop(_HEADS, None)
    doc.user_data.pop(_READINGS, None)


def _readings(doc: Doc) -> dict[tuple[str, int], Any]:
    readings = doc.user_data.get(_READINGS)
    if readings is None:
        readings = doc.user_data[_READINGS] = {}
    return readings


def head_indices(doc: Doc) -> list[int]:
    """The index of each token's head (its own index for a root), kept until `parse_changed`."""
    heads = doc.user_data.get(_HEADS)
    if heads is None:
        offsets = doc.to_array(HEAD).astype("int64").tolist() if len(doc) else []
        heads = doc.user_data[_HEADS] = [i + offset for i, offset in enumerate(offsets)]
    return heads


def children(token: Token) -> tuple[Token, ...]:
    """`token.children` (in text order, as spaCy yields them), kept per parse: spaCy scans the
    token's whole subtree span and builds a new Token per child at every call."""
    table = token.doc.user_data.get(_CHILDREN)
    if table is None:
        table = _children_table(token.doc)
    return table[token.i]


def _children_table(doc: Doc) -> list[tuple[Token, ...]]:
    tokens = tokens_of(doc)
    found: list[list[Token]] = [[] for _ in tokens]
    for i, head in enumerate(head_indices(doc)):
        if head != i:
            found[head].append(tokens[i])
    table = doc.user_data[_CHILDREN] = [tuple(kids) for kids in found]
    return table


def ancestors_of(token: Token) -> list[Token]:
    """`token.ancestors`: its head, the head's head, ... up to the root."""
    doc = token.doc
    tokens, heads = tokens_of(doc), head_indices(doc)
    found: list[Token] = []
    i = token.i
    while heads[i] != i and len(found) < len(tokens):
        i = heads[i]
        found.append(tokens[i])
    return found


def subtree_of(token: Token) -> list[Token]:
    """`token.subtree` in spaCy's order (each left child's subtree, the token, each right
    child's subtree), walked over the kept children."""
    found: list[Token] = []
    _walk(token, found)
    return found


def phrase_without(token: Token, clauses: frozenset[str]) -> list[Token]:
    """A token's subtree without the subtrees of its descendants attached by a relation in
    `clauses` (the clauses hung on a noun: relative, participle, apposition...), in walk order."""
    found: list[Token] = []
    stack = [token]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(c for c in children(node) if c.i != node.i and c.dep_ not in clauses)
    return found


def _walk(token: Token, found: list[Token]) -> None:
    i = token.i
    kids = children(token)
    for child in kids:
        if child.i < i:
            _walk(child, found)
    found.append(token)
    for child in kids:
        if child.i > i:
            _walk(child, found)


def head_of(token: Token) -> Token:
    """`token.head`, from the kept tokens and heads."""
    doc = token.doc
    return tokens_of(doc)[head_indices(doc)[token.i]]


def span_tokens(span: Span) -> list[Token]:
    """The tokens of a span (a sentence), from `tokens_of`."""
    return tokens_of(span.doc)[span.start : span.end]


def span_text(span: Span) -> str:
    """`span.text`, the same string, cut from the kept doc text rather than joined from the
    span's tokens (one Token object built per word at every access)."""
    return doc_text(span.doc)[span.start_char : span.end_char]


def folded_words(values: Iterable[str]) -> frozenset[str]:
    """A data file's word list, folded for matching."""
    return frozenset(fold(v) for v in values)


def lemma_of(token: Token) -> str:
    """The folded lemma (the surface form when there is none)."""
    forms = token.doc.user_data.get(_FORMS)
    return forms[token.i][0] if forms is not None else forms_of(token)[0]


def forms_of(token: Token) -> tuple[str, str]:
    """The folded lemma and surface form of a token (read for the whole doc at the first ask:
    `token.lemma_` and `token.text` decode a new string at every access)."""
    doc = token.doc
    forms = doc.user_data.get(_FORMS)
    if forms is None:
        forms = doc.user_data[_FORMS] = _doc_forms(doc)
    return forms[token.i]


def _doc_forms(doc: Doc) -> list[tuple[str, str]]:
    """`_forms` of every token, by the hashes of its lemma and text (`token.lemma_` and
    `token.text` build a Token and decode two strings per word)."""
    if not len(doc):
        return []
    known, strings = _FORMS_BY_HASH, doc.vocab.strings
    forms = []
    for lemma, orth in doc.to_array([LEMMA, ORTH]).tolist():
        key = (lemma, orth)
        found = known.get(key)
        if found is None:
            if len(known) > _FORMS_MAX:  # a worker reads new words forever
                known.clear()
            found = known[key] = _forms(strings[lemma], strings[orth])
        forms.append(found)
    return forms


_FORMS_MAX = 1 << 18
_FORMS_BY_HASH: dict[tuple[int, int], tuple[str, str]] = {}  # (lemma hash, text hash) -> _forms


@lru_cache(maxsize=1 << 16)
def _forms(lemma: str, text: str) -> tuple[str, str]:
    return (fold(lemma or text), fold(text))


def folded_text(token: Token) -> str:
    """`fold(token.text)`, from the doc's kept forms."""
    forms = token.doc.user_data.get(_FORMS)
    return forms[token.i][1] if forms is not None else forms_of(token)[1]


def lemmas_of(token: Token) -> set[str]:
    """`forms_of` as a set, to intersect with word lists."""
    return set(forms_of(token))


def case_of(token: Token) -> str | None:
    """The preposition introducing a nominal ("contre" in "contre Moscou"), kept per parse."""
    readings = _readings(token.doc)
    key = ("case", token.i)
    if key in readings:
        return readings[key]  # type: ignore[no-any-return]
    cases = [folded_text(c) for c in children(token) if c.dep_ in ("case", "mark") and c.i < token.i]
    case = readings[key] = " ".join(cases) if cases else None
    return case


# (morphology key, feature name) -> its values: a model has a few hundred analyses
_FEATURES: dict[tuple[int, str], tuple[str, ...]] = {}


def feature_of(token: Token, name: str) -> list[str]:
    """A morphological feature's values ("VerbForm" -> ["Inf"]), by the token's analysis
    (`token.morph` builds an analysis object and decodes its features at every access)."""
    doc = token.doc
    keys = doc.user_data.get(_MORPHS)
    if keys is None:
        keys = doc.user_data[_MORPHS] = doc.to_array(MORPH).tolist() if len(doc) else []
    key = (keys[token.i], name)
    values = _FEATURES.get(key)
    if values is None:
        values = _FEATURES[key] = tuple(token.morph.get(name, []))
    return list(values)


def is_verb(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX") or (token.pos_ == "ADJ" and "Part" in feature_of(token, "VerbForm"))


def is_finite(token: Token) -> bool:
    """A verb heading a finite clause: finite itself or with a finite auxiliary ("a demandé"),
    kept per parse."""
    readings = _readings(token.doc)
    key = ("finite", token.i)
    finite = readings.get(key)
    if finite is None:
        finite = readings[key] = _is_finite(token)
    return finite  # type: ignore[no-any-return]


def _is_finite(token: Token) -> bool:
    if not is_verb(token) or "Inf" in feature_of(token, "VerbForm"):
        return False
    if "Fin" in feature_of(token, "VerbForm"):
        return True
    return any(c.dep_.startswith("aux") and "Fin" in feature_of(c, "VerbForm") for c in children(token))


def children_of(token: Token, *deps: str) -> list[Token]:
    return [c for c in children(token) if c.dep_ in deps]


def subject_of(token: Token) -> Token | None:
    subjects = children_of(token, "nsubj")
    return subjects[0] if subjects else None


def clause_subject_token(verb: Token | None) -> Token | None:
    """The subject of a verb or, when it has none, of the verb governing it (3 levels)."""
    node = verb
    for _ in range(3):
        if node is None:
            return None
        subject = subject_of(node)
        if subject is not None:
            return subject
        if node.dep_ not in ("xcomp", "advcl", "ccomp", "conj", "acl") or node.head.i == node.i:
            return None
        node = node.head
    return None


def conjuncts_of(token: Token) -> list[Token]:
    return [token, *[c for c in token.subtree if c.dep_ == "conj" and c.head.i in {token.i}]]


def nearest_head(token: Token, accept: Callable[[Token], bool], hops: int) -> Token | None:
    """The first word above a token (at most `hops` up) that `accept` takes, e.g. its verb."""
    node = token
    for _ in range(hops):
        if node.head.i == node.i:
            return None
        node = node.head
        if accept(node):
            return node
    return None


# Endings stripped to match an inflected verb to its infinitive: participles, gerunds, the
# imperfect ("blessant", "larguées", "abattus", "péri", "détruit" -> the stems of "blesser",
# "larguer", "abattre", "périr", "détruire"). A plural "s" goes first.
_VERB_ENDINGS = (
    "issante",
    "issant",
    "aient",
    "eant",
    "ante",
    "ant",
    "ait",
    "ire",
    "ée",
    "é",
    "ue",
    "ie",
    "er",
    "ir",
    "re",
    "it",
    "u",
    "i",
    "e",
)


@lru_cache(maxsize=1 << 14)
def verb_stem(word: str) -> str:
    """A crude stem shared by a French verb's infinitive and its participles and gerund, for
    words the parser mislemmatises ("blessant" tagged a noun): "blesser", "blessant",
    "blessées" -> "bless"."""
    text = word.casefold()  # accents kept: "tirés" (tir-) is not "abattre" (abatt-)
    if text.endswith("s") and len(text) > 3:
        text = text[:-1]
    for ending in _VERB_ENDINGS:
        if text.endswith(ending) and len(text) - len(ending) >= 2:
            return fold(text[: -len(ending)])
    return fold(text)


@lru_cache(maxsize=256)
def verb_stems(words: frozenset[str]) -> frozenset[str]:
    """The stems (`verb_stem`) of a data file's verb list."""
    return frozenset(verb_stem(w) for w in words)


def has_verb_form(token: Token, words: frozenset[str]) -> bool:
    """The token is one of these verbs (folded infinitives): by lemma, surface form or stem."""
    return verb_form_in(token.lemma_, token.text, words)


@lru_cache(maxsize=1 << 16)
def verb_form_in(lemma: str, text: str, words: frozenset[str]) -> bool:
    """`has_verb_form` on the token's strings (the same words come back in every article; the
    word lists are the data files' few frozensets)."""
    if set(_forms(lemma, text)) & words:
        return True
    stems = verb_stems(words)
    return verb_stem(text) in stems or verb_stem(lemma or text) in stems


def clause_of(token: Token) -> Token:
    """The verb heading the clause a token belongs to (the token itself when it is a verb; the
    root when no verb is above it)."""
    node = token
    while not is_verb(node) and node.head.i != node.i:
        node = node.head
    return node


def is_passive(verb: Token) -> bool:
    """A passive verb ("ont été tués"): a passive auxiliary or the parser's voice feature."""
    return "Pass" in feature_of(verb, "Voice") or any(c.dep_ == "aux:pass" for c in children(verb))
