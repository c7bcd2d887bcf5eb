"""Cheaper paths of the enrichment: `enrich.nlp.fast_vectors` gives spaCy's `Doc.vector` bit for
bit, on the real model; a pool worker freezes its model's objects out of the collector."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

import numpy as np

from enrich.nlp import fast_vectors
from enrich.pool import EnricherPool
from vigie.core.settings import Settings

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


def test_a_worker_keeps_its_model_out_of_the_collector() -> None:
    pool = EnricherPool(Settings(), 1)
    try:
        pool.warm_up()
        frozen = pool.executor.submit(gc.get_freeze_count).result(timeout=120)
    finally:
        pool.close()
    assert frozen > 100_000  # the model's objects, frozen once it is loaded
