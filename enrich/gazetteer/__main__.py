"""`python -m enrich.gazetteer build | lookup NAME [CC ...] | coverage GOLD.json TEXTS_DIR [--missed] [--fallback]`.

`coverage` tells how the enrichment locates a gold set's places under their canonical id, with
the curated KB alone and with the gazetteer behind it: (a) every gold LOC entity, (b) the
places of the gold events; each exactly (its own point), approximately (the point of the place
the text attaches it to, `precision` city / region / country) or not at all. `--missed` lists
the places not located and those located approximately; `--fallback` the names the gazetteer's
last resort (skeleton key) resolved, to review its precision; `--missed` also lists the gold
places found only under the name the text gave them, with another id (a homonym chosen, or an
id convention apart: "kosovo" located as Kosovo Polje).
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
from vigie.core.models import EntityMention


@dataclass
class Tally:
    """Gold places by how the enrichment locates them."""

    exact: int = 0  # found, at their own point
    approximate: int = 0  # found, at the point of a place the text attaches them to
    missed: list[str] = field(default_factory=list)  # not found, or found without a point

    @property
    def places(self) -> int:
        return self.exact + self.approximate + len(self.missed)

    @property
    def share(self) -> float:
        """Share located (exactly or approximately) under their canonical id."""
        return (self.exact + self.approximate) / self.places if self.places else 1.0

    def line(self) -> str:
        n = self.places or 1
        return (
            f"{self.exact + self.approximate}/{self.places} located ({self.share:.1%}): "
            f"{self.exact} exactly ({self.exact / n:.1%}), {self.approximate} approximately "
            f"({self.approximate / n:.1%}), {len(self.missed)} not located"
        )


@dataclass
class Coverage:
    entities: Tally = field(default_factory=Tally)  # (a) every gold LOC entity
    events: Tally = field(default_factory=Tally)  # (b) the gold events' locations
    approximate: list[str] = field(default_factory=list)  # doc:id (precision) of approximate points
    other_id: list[str] = field(default_factory=list)  # doc:gold id->predicted id (found by name)

    @property
    def places(self) -> int:
        return self.entities.places

    @property
    def located(self) -> int:
        return self.entities.exact + self.entities.approximate

    @property
    def share(self) -> float:
        return self.entities.share

    @property
    def missed(self) -> list[str]:
        return self.entities.missed


def _keys(entity: EntityMention) -> set[str]:
    """The canonical ids an enriched place answers to: its id, and the name the text gave it
    (a gold "bara" is the gazetteer's Bārah the text calls "Bara")."""
    return {
        canonical_id(entity.id),
        canonical_id(f"surface:{entity.surface}"),
        canonical_id(f"surface:{entity.name}"),
    }


def coverage(gold_path: Path, corpus_dir: Path, with_gazetteer: bool = True) -> Coverage:
    """How the gold places are located by the enrichment, under their canonical id: (a) all
    gold LOC entities, (b) the `locations` of the gold events; exactly (the place's own point),
    approximately (the point of the place the text attaches it to: `precision` city, region,
    country) or not at all. `with_gazetteer=False`: the curated KB alone."""
    gold = load_gold(gold_path)
    documents = gold["documents"]
    articles = [gold_article(corpus_dir, document) for document in documents]
    Enricher(kb=load_kb(gazetteer=with_gazetteer)).enrich(articles)
    result = Coverage()
    for document, article in zip(documents, articles, strict=True):
        found: dict[str, EntityMention] = {}
        for entity in article.entities:
            if entity.type == "LOC":
                for key in _keys(entity):
                    if key not in found or found[key].location is None:
                        found[key] = entity
        event_places = {place for event in document.get("events", []) for place in event.get("locations", [])}
        entity_places = {e["id"] for e in document["entities"] if e["type"] == "LOC"}
        for tally, ids in ((result.entities, entity_places), (result.events, event_places)):
            for place_id in sorted(ids):
                predicted = found.get(canonical_id(place_id))
                where = f"{document['doc']}:{place_id}"
                if predicted is None or predicted.location is None:
                    tally.missed.append(where)
                    continue
                if tally is result.entities and canonical_id(predicted.id) != canonical_id(place_id):
                    result.other_id.append(f"{where}->{predicted.id}")
                if predicted.precision in (None, "exact"):
                    tally.exact += 1
                else:
                    tally.approximate += 1
                    if tally is result.entities:
                        result.approximate.append(f"{where}({predicted.precision})")
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
            print(f"{label}:")
            print(f"  (a) gold LOC entities   {result.entities.line()}")
            print(f"  (b) gold event places   {result.events.line()}")
            if "--missed" in args:
                for name, tally in (("(a)", result.entities), ("(b)", result.events)):
                    if tally.missed:
                        print(f"   {name} not located: " + " ".join(tally.missed))
                if result.approximate:
                    print("   (a) approximately: " + " ".join(result.approximate))
                if result.other_id:
                    print("   (a) found by name, under another id: " + " ".join(result.other_id))
        if "--fallback" in args:  # what the gazetteer's last resort (skeleton key) resolved
            gazetteer = default_gazetteer()
            for surface, place in sorted((gazetteer.loose_matches if gazetteer else {}).items()):
                print(
                    f"   loose: {surface!r} -> {place.id} ({place.name}, {place.country}, {place.population})"
                )
        return 0
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    with contextlib.suppress(BrokenPipeError):
        raise SystemExit(main(sys.argv[1:]))
