"""The topic side of the conflict gate: is a document's vocabulary, taken as a whole, that of
armed conflict? A lexicon of cues (`enrich.gate`) misses a domain it has no words for (a
cricket report that "opens fire", a mudslide "devastating" a village with the army on the
spot); the model's word vectors place such a text near sport or weather all the same.

    topic = TopicModel.from_data()
    topic.logit(doc)   # log-odds that the text is about conflict; None without vectors

A logistic regression over the mean word vector of the document (`Doc.vector` of the loaded
model: no second model, one mean over the token vectors), trained on the labelled gold
documents by `python tests/gate_topic_training.py` (scikit-learn, a development dependency): the
file `enrich/data/gate_topic.json` holds the standardisation, the coefficients, the sets it
was trained on and its leave-one-set-out figures. Applying it is a dot product, so the
enrichment does not need scikit-learn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from enrich.datafiles import DATA_DIR, DataFileError, load_yaml

TOPIC_PATH = DATA_DIR / "gate_topic.json"
TOPIC_SCHEMA_PATH = DATA_DIR / "gate_topic.schema.json"


@dataclass(frozen=True)
class TopicModel:
    """A linear model over standardised mean word vectors (see the module docstring)."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    vectors: str  # the vectors it was trained on: "<model name> <width>"

    @classmethod
    def from_data(cls, path: Path = TOPIC_PATH, schema_path: Path = TOPIC_SCHEMA_PATH) -> TopicModel:
        """The model of a data file, validated against its schema (DataFileError otherwise)."""
        data = load_yaml(path, schema_path)
        width = int(data["width"])
        arrays = {key: np.asarray(data[key], dtype=np.float64) for key in ("mean", "scale", "coef")}
        for key, values in arrays.items():
            if values.shape != (width,):
                raise DataFileError(f"{path}: {key}: {values.shape[0]} values, the model says width {width}")
        if not np.all(arrays["scale"] > 0):
            raise DataFileError(f"{path}: scale: every value must be > 0")
        return cls(
            mean=arrays["mean"],
            scale=arrays["scale"],
            coef=arrays["coef"],
            intercept=float(data["intercept"]),
            vectors=str(data["vectors"]),
        )

    def logit(self, doc: Doc) -> float | None:
        """Log-odds that `doc` is about armed conflict or its diplomacy; None when the text has
        no word the vectors know, or the loaded model's vectors are not the ones trained on."""
        if doc.vocab.vectors.shape[1] != self.coef.shape[0] or not doc.has_vector:
            return None
        vector = np.asarray(doc.vector, dtype=np.float64)
        if not vector.any():
            return None
        return float(((vector - self.mean) / self.scale) @ self.coef + self.intercept)


def probability(logit: float) -> float:
    return 1.0 / (1.0 + math.exp(-logit))


@lru_cache(maxsize=1)
def default_topic() -> TopicModel:
    """The process-wide topic model of the packaged data file."""
    return TopicModel.from_data()
