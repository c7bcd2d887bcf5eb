"""The per-doc caches of `enrich.tokens` (the doc's text and Token objects, kept on the doc
so the readers do not rebuild them at every access) read what spaCy reads."""

from __future__ import annotations

import spacy
from spacy.tokens import Doc

from enrich.tokens import doc_text, span_text, span_tokens, tokens_of


def _doc() -> Doc:
    nlp = spacy.blank("fr")
    words = ["Trois", "soldats", "ont", "été", "tués", ".", "Kyïv", "  ", "dément", "« tout »", "!"]
    spaces = [True, True, True, True, False, True, False, False, True, False, False]
    heads = [1, 4, 4, 4, 4, 4, 8, 8, 8, 8, 8]
    deps = [
        "nummod",
        "nsubj:pass",
        "aux",
        "aux:pass",
        "ROOT",
        "punct",
        "nsubj",
        "dep",
        "ROOT",
        "obj",
        "punct",
    ]
    sent_starts = [True] + [False] * 5 + [True] + [False] * 4
    return Doc(nlp.vocab, words=words, spaces=spaces, heads=heads, deps=deps, sent_starts=sent_starts)


def test_texts_are_spacys() -> None:
    doc = _doc()
    assert doc_text(doc) == doc.text
    for span in [*doc.sents, doc[1:4], doc[6:9], doc[8:11], doc[0 : len(doc)]]:
        assert span_text(span) == span.text


def test_tokens_are_the_docs_in_order_and_kept() -> None:
    doc = _doc()
    assert tokens_of(doc) is tokens_of(doc)
    assert [t.i for t in tokens_of(doc)] == list(range(len(doc)))
    for sentence in doc.sents:
        assert [t.text for t in span_tokens(sentence)] == [t.text for t in sentence]


def test_a_repaired_parse_reads_through_the_kept_tokens() -> None:
    doc = _doc()
    kept = tokens_of(doc)[1]
    doc[1].head = doc[2]
    doc[1].dep_ = "nsubj"
    assert kept.head.i == 2 and kept.dep_ == "nsubj"
