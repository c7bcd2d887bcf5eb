"""`enrich.tokens.has_verb_form` and `forms_of`, read on the token's strings and cached by them:
the same answers as reading the token each time, for every token of composed sentences."""

from __future__ import annotations

from spacy.tokens import Token

from enrich.nlp import load_nlp
from enrich.text import fold
from enrich.tokens import forms_of, has_verb_form, verb_stem, verb_stems

# Composed for these tests: inflected verbs of death and injury, as participles, gerunds and
# finite forms, a noun the parser may take for a verb, the same word twice.
SENTENCES = (
    "Trois villageois ont péri dans l'incendie, blessant grièvement deux secouristes. "
    "Les assaillants tuent un gardien puis blessent un passant ; un autre passant a été blessé. "
    "Les blessés ont été évacués vers l'hôpital, où un homme blessé par balle est décédé."
)
KILLED = frozenset({"tuer", "perir", "deceder"})
INJURED = frozenset({"blesser"})


def _uncached(token: Token, words: frozenset[str]) -> bool:
    lemma, form = fold(token.lemma_ or token.text), fold(token.text)
    if {lemma, form} & words:
        return True
    stems = verb_stems(words)
    return verb_stem(token.text) in stems or verb_stem(token.lemma_ or token.text) in stems


def test_verb_forms_read_on_the_strings_answer_as_the_token() -> None:
    doc = load_nlp()(SENTENCES)
    hits = {words: 0 for words in (KILLED, INJURED)}
    for _ in range(2):  # the second pass answers from the cache
        for token in doc:
            assert forms_of(token) == (fold(token.lemma_ or token.text), fold(token.text))
            for words in (KILLED, INJURED):
                answer = has_verb_form(token, words)
                assert answer == _uncached(token, words), (token.text, words)
                hits[words] += answer
    assert hits[KILLED] >= 6 and hits[INJURED] >= 8
