"""Small readings of spaCy tokens shared by the event and quantity readers.

Words are compared folded (`enrich.text.fold`): a token's lemma and surface form, a data
file's word list, a preposition ("contre" in "contre Moscou").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from enrich.text import fold


def doc_text(doc: Doc) -> str:
    """`doc.text`, kept on the doc: spaCy joins it from all the tokens on every access (the
    key `enrich.entities` keeps it under too)."""
    text = doc.user_data.get("vigie_text")
    if text is None:
        text = doc.user_data["vigie_text"] = doc.text
    return text


def tokens_of(doc: Doc) -> list[Token]:
    """The doc's tokens, built once and kept on the doc: `doc[i]` and iterating a span build a
    new Token object at every access, and the readers index the same words over and over (a
    Token is a view of the doc: a parse repaired later reads through it unchanged)."""
    tokens = doc.user_data.get("vigie_tokens")
    if tokens is None:
        tokens = doc.user_data["vigie_tokens"] = list(doc)
    return tokens


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
    return fold(token.lemma_ or token.text)


def forms_of(token: Token) -> tuple[str, str]:
    """The folded lemma and surface form of a token."""
    return _forms(token.lemma_, token.text)


@lru_cache(maxsize=1 << 16)
def _forms(lemma: str, text: str) -> tuple[str, str]:
    return (fold(lemma or text), fold(text))


def lemmas_of(token: Token) -> set[str]:
    """`forms_of` as a set, to intersect with word lists."""
    return set(forms_of(token))


def case_of(token: Token) -> str | None:
    """The preposition introducing a nominal ("contre" in "contre Moscou")."""
    cases = [fold(c.text) for c in token.children if c.dep_ in ("case", "mark") and c.i < token.i]
    return " ".join(cases) if cases else None


def feature_of(token: Token, name: str) -> list[str]:
    """A morphological feature's values ("VerbForm" -> ["Inf"])."""
    return list(token.morph.get(name, []))


def is_verb(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX") or (token.pos_ == "ADJ" and "Part" in feature_of(token, "VerbForm"))


def is_finite(token: Token) -> bool:
    """A verb heading a finite clause: finite itself or with a finite auxiliary ("a demandé")."""
    if not is_verb(token) or "Inf" in feature_of(token, "VerbForm"):
        return False
    if "Fin" in feature_of(token, "VerbForm"):
        return True
    return any(c.dep_.startswith("aux") and "Fin" in feature_of(c, "VerbForm") for c in token.children)


def children_of(token: Token, *deps: str) -> list[Token]:
    return [c for c in token.children if c.dep_ in deps]


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
    return "Pass" in feature_of(verb, "Voice") or any(c.dep_ == "aux:pass" for c in verb.children)
