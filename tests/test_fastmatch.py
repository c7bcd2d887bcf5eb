"""`enrich.fastmatch.SetMatcher`: the same matches as spaCy's `Matcher`, in the same order, for
patterns of plain word lists; other matchers are left alone."""

from __future__ import annotations

from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from enrich.events.triggers import TriggerFinder
from enrich.fastmatch import SetMatcher
from enrich.nlp import load_nlp
from enrich.pipeline import Enricher

# Composed for these tests: several fixed phrases per sentence, inflected, with and without
# accents, with either apostrophe, and at the very end of a sentence.
SENTENCES = (
    "Les deux délégations sont tombées d’accord mardi, puis des hommes armés ont ouvert le feu "
    "sur le convoi et pris en otage trois chauffeurs. "
    "Le ministre a mis en garde contre une declaration de guerre et s'est reservé le droit de répondre. "
    "Après un appel téléphonique, les chefs locaux ont prêté allégeance au groupe, qui a fait irruption "
    "dans le village.\n"
    "La trêve entrera en vigueur lundi ; deux suspects ont été placés en détention puis en garde à vue. "
    "Les milices ont mis à sac le marché et retenu en otage des commerçants, selon une prise d'otage "
    "déjà signalée. "
    "Les ONG dénoncent des violences sexuelles, une disparition forcée et un esclavage sexuel. "
    "Les rebelles ont fait allégeance"
)


def _same(matcher: Matcher, fast: SetMatcher, doc: Doc | Span) -> list[tuple[int, int, int]]:
    expected = [(key, start, end) for key, start, end in matcher(doc)]
    assert fast(doc) == expected
    return expected


def test_the_trigger_phrases_match_as_the_spacy_matcher_does() -> None:
    enricher = Enricher()
    nlp = enricher.nlp
    fast = enricher.extractor.triggers.phrase_matcher
    assert isinstance(fast, SetMatcher)  # the enricher runs the stand-in
    # The matcher it stands in for, built again by the trigger finder from the lexicon.
    extractor = enricher.extractor
    reference = TriggerFinder(nlp.vocab, extractor.lexicon, extractor.parties, extractor.slots).phrase_matcher
    assert isinstance(reference, Matcher)
    doc = nlp(SENTENCES)
    matched = 0
    for sentence in doc.sents:
        matched += len(_same(reference, fast, doc[sentence.start : sentence.end]))
    assert matched >= 12
    assert _same(reference, fast, doc)  # a whole document too


def test_overlapping_and_repeated_matches_keep_the_matcher_order() -> None:
    nlp = load_nlp()
    matcher = Matcher(nlp.vocab)
    # Same key matched by two patterns (by form and by lemma), nested keys of different lengths
    # starting at one token, a key ending on the span's last token, one running past it.
    matcher.add("FEU", [[{"LOWER": {"IN": ["ouvert", "ouvrent"]}}, {"LOWER": "le"}, {"LOWER": "feu"}]])
    matcher.add("FEU", [[{"LEMMA": {"IN": ["ouvrir"]}}, {"LEMMA": "le"}, {"LEMMA": "feu"}]])
    matcher.add("OUVRIR", [[{"LEMMA": "ouvrir"}]])
    matcher.add("LE_FEU", [[{"LOWER": "le"}, {"LOWER": "feu"}]])
    matcher.add("FIN", [[{"LOWER": "feu"}, {"ORTH": "."}]])
    matcher.add("LONG", [[{"LOWER": "feu"}, {"ORTH": "."}, {"LOWER": "ils"}]])
    fast = SetMatcher.from_matcher(matcher)
    assert fast is not None
    doc = nlp("Les soldats ouvrent le feu. Ils ont ouvert le feu.")
    first = next(iter(doc.sents))
    assert _same(matcher, fast, doc[first.start : first.end])
    whole = _same(matcher, fast, doc)
    assert len(whole) >= 8
    fast_again = SetMatcher.from_matcher(matcher)
    assert fast_again is not None
    empty = nlp("")
    assert fast_again(empty) == [tuple(m) for m in matcher(empty)] == []


def test_other_patterns_keep_the_spacy_matcher() -> None:
    nlp = load_nlp()
    for pattern in (
        [{"LOWER": "feu", "OP": "?"}],
        [{"POS": "NOUN"}],
        [{"LOWER": {"REGEX": "^feu"}}],
        [{"LOWER": {"NOT_IN": ["feu"]}}],
        [{"LOWER": "le", "LEMMA": "le"}],
    ):
        matcher = Matcher(nlp.vocab)
        matcher.add("X", [pattern])
        assert SetMatcher.from_matcher(matcher) is None, pattern
    greedy = Matcher(nlp.vocab)
    greedy.add("X", [[{"LOWER": "feu"}]], greedy="LONGEST")
    assert SetMatcher.from_matcher(greedy) is None
    with_callback = Matcher(nlp.vocab)
    with_callback.add("X", [[{"LOWER": "feu"}]], on_match=lambda *args: None)
    assert SetMatcher.from_matcher(with_callback) is None


def test_a_one_word_pattern_among_many_other_words() -> None:
    # The starts are found by a binary search in the pattern's first words: document words
    # hashed above and below every one of them, and the word itself, at both ends.
    nlp = load_nlp()
    matcher = Matcher(nlp.vocab)
    matcher.add("RAID", [[{"LOWER": "raid"}]])
    fast = SetMatcher.from_matcher(matcher)
    assert fast is not None
    doc = nlp(
        "Raid nocturne : les habitants du quartier nord décrivent un second raid vers l'aube, puis un raid"
    )
    assert len(_same(matcher, fast, doc)) == 3
    assert _same(matcher, fast, nlp("Aucun mot de la liste ici.")) == []
