"""The array versions of per-token readings (`enrich.nlp.fast_vectors`, the quantity
readers' per-doc flags) give what the per-token readings they replace give, on the real model."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from enrich.nlp import fast_vectors

if TYPE_CHECKING:
    from enrich.pipeline import Enricher

TEXTS = [
    "Trois soldats ont été tués jeudi à Kherson, selon le ministère ukrainien de la Défense.",
    "Xqzvw blorptak ggrrn 4 512 zzkkx .",  # words without a vector between words with one
    "   ",
    "Une dizaine de drones, vingt-six missiles et 1,4 million de dollars : le bilan s'alourdit.",
]


def test_fast_vectors_are_spacys_mean_bit_for_bit(enricher: Enricher) -> None:
    for doc in enricher.nlp.pipe(TEXTS):
        expected = np.asarray(sum(t.vector for t in doc) / len(doc))  # spaCy's own Doc.vector
        fast_vectors(doc)
        assert "vector" in doc.user_hooks
        assert doc.vector.dtype == expected.dtype
        assert doc.vector.tobytes() == expected.tobytes()
    empty = enricher.nlp.make_doc("")
    fast_vectors(empty)
    assert "vector" not in empty.user_hooks  # spaCy's zeros, as it is
