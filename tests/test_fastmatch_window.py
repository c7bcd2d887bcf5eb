"""`enrich.fastmatch.WindowMatcher` (the entity ruler's matcher run only where a pattern's first
word is) and the line-break component: the same entities and sentence starts as before."""

from __future__ import annotations

from spacy.matcher import Matcher
from spacy.tokens import Doc

from enrich.fastmatch import WindowMatcher
from enrich.nlp import load_nlp

# Composed for these tests: designations, institutions named by a demonym, ordinal units,
# operations and regions, at the start and the end of sentences and of lines.
TEXTS = (
    "Forces armées soudanaises et troupes tchadiennes ont repoussé l'assaut près d'El Geneina.",
    "Le ministère nigérian de la Défense affirme que la 12e brigade d'infanterie a repris Damboa.",
    "Deux Su-34 et un MiG-31 ont tiré des Kh-59 sur la région de Soumy ;\nl'opération Aube Rouge continue.",
    "La police malienne, l'armée de l'air nigériane et la marine indienne patrouillent.\nForces spéciales",
    "Selon le parquet de Bamako, l'unité 8200 et le conseil de sécurité libyen se sont réunis à Tripoli.",
    "Un FAB-500 et des KAB 1500 ont frappé le département de Nariño, où opère la 3e division.",
)


def _docs_before_ruler(texts: tuple[str, ...]) -> list[Doc]:
    nlp = load_nlp()
    with nlp.select_pipes(disable=["vigie_ruler", "vigie_kb_matcher"]):
        return list(nlp.pipe(texts))


def test_the_entity_ruler_runs_the_window_matcher() -> None:
    ruler = load_nlp().get_pipe("vigie_ruler")
    assert isinstance(ruler.matcher, WindowMatcher)  # type: ignore[attr-defined]


def test_the_window_matcher_finds_what_the_whole_document_matcher_finds() -> None:
    window = load_nlp().get_pipe("vigie_ruler").matcher  # type: ignore[attr-defined]
    found = 0
    for doc in _docs_before_ruler(TEXTS):
        expected = set(window.matcher(doc))
        assert set(window(doc)) == expected
        found += len(expected)
    assert found >= 12


def test_the_ruler_sets_the_same_entities_as_the_whole_document_matcher() -> None:
    nlp = load_nlp()
    ruler = nlp.get_pipe("vigie_ruler")
    window = ruler.matcher  # type: ignore[attr-defined]
    for doc in _docs_before_ruler(TEXTS):
        fast = Doc(doc.vocab).from_bytes(doc.to_bytes())
        ruler(fast)
        ruler.matcher = window.matcher  # type: ignore[attr-defined]
        try:
            ruler(doc)
        finally:
            ruler.matcher = window  # type: ignore[attr-defined]
        assert [(e.start, e.end, e.label_, e.ent_id_) for e in fast.ents] == [
            (e.start, e.end, e.label_, e.ent_id_) for e in doc.ents
        ]


def test_two_keys_on_the_same_tokens_fall_back_to_the_whole_document() -> None:
    nlp = load_nlp()
    matcher = Matcher(nlp.vocab)
    matcher.add("A", [[{"LOWER": {"IN": ["armée", "troupes"]}}, {"IS_TITLE": True, "OP": "?"}]])
    matcher.add("B", [[{"LOWER": "armée"}, {"IS_TITLE": True}]])
    matcher.add("C", [[{"TEXT": {"REGEX": "^[0-9]{1,2}e$"}}, {"LOWER": "brigade"}]])
    window = WindowMatcher.wrap(matcher)
    assert window is not None
    doc = nlp.make_doc("L'armée Rouge et la 5e brigade, puis les troupes Alliées.")
    assert set(window(doc)) == set(matcher(doc))
    assert window(doc) == matcher(doc)  # the tie on "armée Rouge": the matcher's own order


def test_patterns_that_may_start_anywhere_are_left_to_the_matcher() -> None:
    nlp = load_nlp()
    optional_first = Matcher(nlp.vocab)
    optional_first.add("A", [[{"LOWER": "la", "OP": "?"}, {"LOWER": "brigade"}]])
    assert WindowMatcher.wrap(optional_first) is None
    open_ended = Matcher(nlp.vocab)
    open_ended.add("A", [[{"LOWER": "forces"}, {"IS_TITLE": True, "OP": "+"}]])
    assert WindowMatcher.wrap(open_ended) is None
    by_shape = Matcher(nlp.vocab)
    by_shape.add("A", [[{"IS_TITLE": True}, {"LOWER": "brigade"}]])
    assert WindowMatcher.wrap(by_shape) is None


def test_a_line_break_starts_a_sentence() -> None:
    nlp = load_nlp()
    text = "Bilan\nTrois morts à Goma  \n\n Deux blessés à Bukavu\r\nFin\n"
    doc = nlp(text)
    starts = {t.text for t in doc if t.is_sent_start and not t.is_space}
    assert {"Bilan", "Trois", "Deux", "Fin"} <= starts
    expected = {t.i + 1 for t in doc[:-1] if "\n" in t.text}
    assert expected <= {t.i for t in doc if t.is_sent_start}
