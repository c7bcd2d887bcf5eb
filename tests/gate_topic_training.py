"""Train the conflict gate's topic model (`enrich.topic`) on the labelled documents.

    python tests/gate_topic_training.py            # writes enrich/data/gate_topic.json
    python tests/gate_topic_training.py --check    # trains, prints the figures, writes nothing

Documents: every gold set of `tests/gold` but the held-out ones (`tests/gold/sets.yaml`) — a
document annotating events is about conflict, one annotating none is not, unless the file
lists it under `conflict_without_events` — and the gate's labelled texts
(`tests/gate_texts/{conflict,other}`). Each text is read as `vigie eval` reads it (headline
line included) and reduced to its mean word vector.

The figures that judge it are leave-one-set-out: each set in turn is left out, a model trained
on the others classifies it. Needs scikit-learn (the `dev` extra).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from enrich.evaluate import document_text, load_gold
from enrich.nlp import load_nlp
from enrich.topic import TOPIC_PATH, TOPIC_SCHEMA_PATH, TopicModel

# A tool of the checkout, beside the data it learns from (not a test module, not package code).
REPO_ROOT = Path(__file__).resolve().parent.parent
GOLD = REPO_ROOT / "tests" / "gold"
GATE_TEXTS = REPO_ROOT / "tests" / "gate_texts"
# Regularisation (inverse strength): chosen by the leave-one-set-out figures at 0.1, 1, 10.
C = 1.0


def gold_sets() -> dict[str, Any]:
    """tests/gold/sets.yaml: the held-out sets and the labels the annotations do not give."""
    return dict(yaml.safe_load((GOLD / "sets.yaml").read_text(encoding="utf-8")))


def labelled_texts(sets: dict[str, Any]) -> tuple[list[str], list[int], list[str], list[str]]:
    """(texts, labels 1 = conflict, group of each text, sources) of the training documents."""
    held_out = set(sets["held_out"])
    conflict_anyway = set(sets.get("conflict_without_events", []))
    sources: list[tuple[str, Path, Path]] = [
        ("fixtures", GOLD / "fixtures.json", REPO_ROOT / "sample_corpus" / "texts")
    ]
    for folder in sorted(GOLD.iterdir()):
        if folder.is_dir() and (folder / "gold.json").is_file() and folder.name not in held_out:
            sources.append((folder.name, folder / "gold.json", folder / "texts"))
    texts: list[str] = []
    labels: list[int] = []
    groups: list[str] = []
    for name, gold_path, corpus in sources:
        for document in load_gold(gold_path)["documents"]:
            texts.append(document_text(corpus, document["doc"]).read_text(encoding="utf-8"))
            labels.append(int(bool(document["events"]) or f"{name}/{document['doc']}" in conflict_anyway))
            groups.append(name)
    for label, kind in ((1, "conflict"), (0, "other")):
        for text_path in sorted((GATE_TEXTS / kind).glob("*.txt")):
            texts.append(text_path.read_text(encoding="utf-8"))
            labels.append(label)
            groups.append("gate_texts")
    return texts, labels, groups, [name for name, _, _ in sources] + ["gate_texts"]


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced")
    model.fit((x - mean) / scale, y)
    return mean, scale, model.coef_[0], float(model.intercept_[0])


def leave_one_set_out(x: np.ndarray, y: np.ndarray, groups: list[str]) -> dict[str, Any]:
    """Each set classified by a model trained on the others (probability >= 0.5)."""
    group_array = np.array(groups)
    logits = np.zeros(len(y))
    for group in sorted(set(groups)):
        test = group_array == group
        mean, scale, coef, intercept = _fit(x[~test], y[~test])
        logits[test] = ((x[test] - mean) / scale) @ coef + intercept
    conflict_refused = [groups[i] for i in np.flatnonzero((y == 1) & (logits < 0))]
    other_passed = [groups[i] for i in np.flatnonzero((y == 0) & (logits >= 0))]
    return {
        "conflict_refused": len(conflict_refused),
        "other_passed": len(other_passed),
        "accuracy": round(1 - (len(conflict_refused) + len(other_passed)) / len(y), 4),
    }


def train() -> dict[str, Any]:
    sets = gold_sets()
    texts, labels, groups, sources = labelled_texts(sets)
    nlp = load_nlp()
    # The mean word vector needs the tokenizer and the vectors table only, not the pipes.
    x = np.array([nlp.make_doc(text).vector for text in texts], dtype=np.float64)
    y = np.array(labels)
    mean, scale, coef, intercept = _fit(x, y)
    return {
        "version": 1,
        "vectors": f"{nlp.meta['lang']}_{nlp.meta['name']} {x.shape[1]}",
        "width": int(x.shape[1]),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in coef],
        "intercept": round(intercept, 6),
        "training": {
            "sources": sources,
            "held_out": sorted(sets["held_out"]),
            "documents": len(y),
            "conflict": int(y.sum()),
            "other": int(len(y) - y.sum()),
            "C": C,
            "leave_one_set_out": leave_one_set_out(x, y, groups),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="print the figures, write nothing")
    parser.add_argument("--out", type=Path, default=Path(str(TOPIC_PATH)))
    args = parser.parse_args(argv)
    data = train()
    print(json.dumps(data["training"], indent=1))
    if not args.check:
        args.out.write_text(json.dumps(data, indent=None, separators=(",", ":")) + "\n", encoding="utf-8")
        TopicModel.from_data(args.out, Path(str(TOPIC_SCHEMA_PATH)))  # refuses a file that does not load
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
