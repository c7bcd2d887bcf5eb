"""`python -m enrich.gazetteer build | lookup NAME [CC ...] | coverage GOLD.json TEXTS_DIR [--missed]`.

`coverage` is the share of a gold set's places (LOC entities) that the enrichment finds under
their canonical id with coordinates, with the curated KB alone and with the gazetteer behind it.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from enrich.evaluate import canonical_id, gold_article, load_gold
from enrich.gazetteer import default_gazetteer, ensure_index
from enrich.kb import load_kb
from enrich.pipeline import Enricher


@dataclass
class Coverage:
    places: int = 0  # gold LOC entities
    located: int = 0  # found in the enrichment under their id, with coordinates
    found: int = 0  # found under their id, with or without coordinates
    missed: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.located / self.places if self.places else 1.0


def coverage(gold_path: Path, corpus_dir: Path, with_gazetteer: bool = True) -> Coverage:
    """Share of the gold LOC entities the enrichment finds under their canonical id with
    coordinates (`with_gazetteer=False`: the curated KB alone)."""
    gold = load_gold(gold_path)
    documents = gold["documents"]
    articles = [gold_article(corpus_dir, document) for document in documents]
    Enricher(kb=load_kb(gazetteer=with_gazetteer)).enrich(articles)
    result = Coverage()
    for document, article in zip(documents, articles, strict=True):
        found = {canonical_id(e.id): e for e in article.entities}
        for entity in document["entities"]:
            if entity["type"] != "LOC":
                continue
            result.places += 1
            predicted = found.get(canonical_id(entity["id"]))
            result.found += predicted is not None
            if predicted is not None and predicted.location is not None:
                result.located += 1
            else:
                result.missed.append(f"{document['doc']}:{entity['id']}")
    return result


def main(argv: list[str]) -> int:
    usage = __doc__.splitlines()[0].strip("`")
    if not argv:
        print(usage, file=sys.stderr)
        return 2
    command, args = argv[0], argv[1:]
    if command == "build":
        print(ensure_index())
        return 0
    if command == "lookup" and args:
        gazetteer = default_gazetteer()
        if gazetteer is None:
            return 1
        for place in gazetteer.candidates(args[0]):
            print(place)
        print("chosen:", gazetteer.lookup(args[0], args[1:]))
        return 0
    if command == "coverage" and len(args) >= 2:
        gold, texts = Path(args[0]), Path(args[1])
        for label, flag in (("KB only", False), ("KB + gazetteer", True)):
            result = coverage(gold, texts, with_gazetteer=flag)
            print(
                f"{label:<15} {result.located}/{result.places} gold places located ({result.share:.1%}); "
                f"{result.found} found under their id"
            )
            if "--missed" in args and result.missed:
                print("   missed: " + " ".join(result.missed))
        return 0
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    with contextlib.suppress(BrokenPipeError):
        raise SystemExit(main(sys.argv[1:]))
