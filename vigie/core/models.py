"""The typed records that travel through the pipeline stages.

One `Article` flows fetch -> extract -> language -> dedup -> enrich -> index; enrichment
attaches `EntityMention`s and produces `Event`s; alert evaluation produces `Alert`s.
Field names are the Elasticsearch field names: `tests/test_mappings.py` checks
every field here against `index_mappings/`.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

Qualifier = Literal["exact", "at_least", "at_most", "approx"]
EntityType = Literal["PER", "ORG", "LOC", "WEAPON", "OPERATION", "MILITARY", "MISC"]
DuplicateKind = Literal["exact", "near"]


def stable_id(*parts: str, length: int = 32) -> str:
    """A content-derived id: sha256 over the parts, never a counter or a clock."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


def to_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is taken as UTC (the pipeline stores UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def utc_text(moment: date | None) -> str | None:
    """A datetime as records write it in JSON, and so in Elasticsearch: in UTC, suffixed "Z"
    ("2025-03-11T15:30:00Z", microseconds when there are some). A plain date: "2025-03-11"."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return to_utc(moment).isoformat().replace("+00:00", "Z")
    return moment.isoformat()


# A datetime field written in UTC by `model_dump(mode="json")`, whatever the offset it holds (the
# value itself is kept as given). The serializer wraps the whole annotation (None included), so
# a field's `annotation` stays `datetime` / `datetime | None`.
_IN_UTC = PlainSerializer(utc_text, when_used="json")
UTCDateTime = Annotated[datetime, _IN_UTC]
OptionalUTCDateTime = Annotated[datetime | None, _IN_UTC]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class GeoPoint(Record):
    lat: float
    lon: float


# How precise a place's point is, for the map: "exact" the place's own coordinates; "city",
# "region", "country" the point of the town, region or country the text attaches the place to
# (a village "près de Kayes", a district "à Lviv") when the gazetteer cannot locate it itself.
LocationPrecision = Literal["exact", "city", "region", "country"]


class EntityMention(Record):
    """One canonical entity found in an article (deduplicated per article)."""

    id: str  # knowledge-base key ("moscou"), or "surface:<normalised form>" when unknown
    name: str  # canonical name, or the surface form when unknown
    type: EntityType
    surface: str  # first surface form seen in the text
    count: int = 1  # mentions in the article
    qid: str | None = None  # Wikidata QID when the KB knows it
    country: str | None = None  # ISO 3166-1 alpha-2
    location: GeoPoint | None = None  # places only
    precision: LocationPrecision | None = None  # of `location`


class EntityRef(Record):
    """A canonical entity in an event slot (actor, target)."""

    id: str
    name: str
    type: EntityType | None = None


class Place(Record):
    id: str
    name: str
    country: str | None = None
    location: GeoPoint | None = None
    precision: LocationPrecision | None = None  # of `location`


CasualtyGroup = Literal["civilians", "combatants"]


class Quantity(Record):
    """A number read from text: "plus de 390" -> 390 at_least; "une trentaine" -> 30 approx."""

    value: int
    qualifier: Qualifier = "exact"
    text: str = ""
    # Who the people counted were, when the text says so ("dont douze civils", "32 soldats").
    group: CasualtyGroup | None = None
    # A toll stated as a revision ("le bilan s'est alourdi à 9 morts"): it replaces earlier ones.
    revised: bool = False


class EventMention(Record):
    """One place in the article that reports an incident: the evidence behind an `Event`."""

    trigger: str
    sentence: str
    sentence_start: int  # character offsets in the field the mention was read in
    sentence_end: int
    in_title: bool = False  # read in the headline, not in the text


class Casualties(Record):
    """An article's casualty figures: the sum over its distinct incidents (each counted once)."""

    killed: int = 0
    injured: int = 0
    civilians_killed: int = 0
    civilians_injured: int = 0


class Event(Record):
    """One incident an article reports, denormalised with its article for Kibana aggregations.

    The mentions of one happening in one article (a summary line and two bullet points) are one
    `Event`, every mention kept as evidence in `mentions`; trigger and sentence are the first's.
    Dashboards count each incident once (issue 14).
    """

    id: str  # the first mention's: stable_id(article_id, sub_event_type, str(sentence_start))
    article_id: str
    article_title: str
    article_url: str
    source: str
    story_id: str | None = None
    published: OptionalUTCDateTime = None
    indexed_at: OptionalUTCDateTime = None  # when the cluster took it in (its ingest pipeline)
    language: str | None = None

    event_type: str  # ACLED event type, or "Interaction" for PLOVER-only events
    sub_event_type: str
    interaction: str | None = None  # PLOVER: THREATEN, CONSULT, AGREE, ...
    trigger: str
    sentence: str
    sentence_start: int
    sentence_end: int

    actor: EntityRef | None = None
    target: EntityRef | None = None
    weapons: list[str] = Field(default_factory=list)
    launched: Quantity | None = None
    intercepted: Quantity | None = None
    destroyed: Quantity | None = None
    killed: Quantity | None = None
    injured: Quantity | None = None
    places: list[Place] = Field(default_factory=list)
    location: GeoPoint | None = None  # first resolved place, for the map
    event_date: date | None = None
    confidence: float = 0.5
    mentions: list[EventMention] = Field(default_factory=list)
    mention_count: int = 1


class StoryLead(Record):
    """The incident an article is mainly about, as stories compare it (`vigie.stories`): its
    incident class (sub-types a rewrite may swap, from the story policy), its specific places
    (no country, continent or bloc) and the classes of the weapons it names."""

    kind: str  # incident class ("remote_violence") or the sub-type itself
    sub_event_type: str
    places: list[str] = Field(default_factory=list)  # place ids
    weapons: list[str] = Field(default_factory=list)  # weapon classes (drone, missile, ...)
    keys: list[str] = Field(default_factory=list)  # "<kind>|<place id>": what candidate searches match


class Article(Record):
    id: str  # stable_id(canonical url)
    url: str  # canonical URL
    original_url: str
    feed: str  # feed name from the registry
    source: str  # outlet (site name or host)
    sources: list[str] = Field(default_factory=list)  # outlets carrying this text (syndication)
    guid: str | None = None

    title: str
    summary: str | None = None
    text: str = ""
    author: str | None = None
    site_name: str | None = None
    published: OptionalUTCDateTime = None
    # Where `published` came from: jsonld, meta (the page's), feed, url, text (a day guessed
    # from the page), fetch (nothing dated it); flags: missing, future (clamped to the fetch
    # time), unparseable (a declared date could not be read). See ingest.article.
    published_source: str | None = None
    published_flags: list[str] = Field(default_factory=list)
    fetched_at: OptionalUTCDateTime = None
    indexed_at: OptionalUTCDateTime = None  # when the cluster took it in (its ingest pipeline)
    word_count: int = 0

    partial: bool = False  # True when the page could not be fetched/extracted: text is the feed summary
    partial_reason: str | None = None

    language: str | None = None
    language_prob: float | None = None

    content_hash: str | None = None  # sha256 of normalised text: exact duplicates
    minhash_bands: list[str] = Field(default_factory=list)  # LSH band keys: near duplicates
    minhash: list[int] = Field(default_factory=list)  # signature, stored unindexed to verify candidates
    duplicate_of: str | None = None
    duplicate_kind: DuplicateKind | None = None
    # Canonical URLs of copies folded into this article (syndication): a copy is not stored as
    # a document of its own; its URL and outlet are added here and to `sources`.
    duplicate_urls: list[str] = Field(default_factory=list)
    story_id: str | None = None
    # The article opened its story (story_id == id): a new article is compared with the stories'
    # anchors only, never with their other members (no chaining). See vigie.stories.
    story_anchor: bool = False
    story_lead: StoryLead | None = None  # the incident the article is mainly about, if located

    entities: list[EntityMention] = Field(default_factory=list)
    persons: list[str] = Field(default_factory=list)  # canonical names, for terms aggregations
    organisations: list[str] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)
    weapons: list[str] = Field(default_factory=list)
    event_types: list[str] = Field(default_factory=list)
    event_count: int = 0  # incidents (see Event)
    casualties: Casualties | None = None  # set when the article reports a toll
    # The enrichment's document-level decision: is the piece about armed conflict or its
    # diplomacy (None: not enriched)? A sport or cooking piece gets no events and fires no alert.
    conflict: bool | None = None
    enriched: bool = False
    alert_rules: list[str] = Field(default_factory=list)
    # Updates (issue 15, item 5): the same document stored again when its feed item or its page
    # changed. `version` counts the stored versions (1: first), `updated_at` is when the last
    # one was stored, `changes` what it changed ("title", "text", "published").
    version: int = 1
    updated_at: OptionalUTCDateTime = None
    changes: list[str] = Field(default_factory=list)
    # What the feed said of the item when it was last read (`ingest.parse.item_signature`): a
    # new title, updated date or summary in the feed makes the article read again.
    feed_signature: str | None = None
    # Not a document field (a pydantic private attribute: never dumped, so never indexed; kept
    # by copies and pickling, so it comes back from the enrichment workers): the tokens the
    # enrichment model found, per field it read ("title", "text") -> (that text, the (start,
    # end) character offsets of its non-space tokens as native int32 pairs). Alert matching
    # reuses them instead of tokenising again (`vigie.alerting.text.recorded_tokens`).
    _tokens: dict[str, tuple[str, bytes]] | None = None


AlertStatus = Literal["pending", "sent", "failed"]
# pending: never tried; sending: claimed by a delivery runner (`claim`, until `claim_expires`);
# sent; failed: the receiver did not get it (retried by the next pass); uncertain: it may have
# got it (no answer after the request went out): never sent again unless requeued by hand.
DeliveryStatus = Literal["pending", "sending", "sent", "failed", "uncertain"]


class Delivery(Record):
    """One alert's delivery to one notifier (channel), and what happened to it."""

    notifier: str  # "log", "webhook:<name>", "email:<name>"
    status: DeliveryStatus = "pending"
    attempts: int = 0  # delivery passes that claimed it
    last_error: str | None = None
    sent_at: OptionalUTCDateTime = None
    claim: str | None = None  # the token of the runner that claimed it last
    claimed_at: OptionalUTCDateTime = None
    claim_expires: OptionalUTCDateTime = None  # a "sending" claim past this is uncertain
    updated_at: OptionalUTCDateTime = None  # the last change of status
    # "alert": the alert itself; "follow-up": a marked update of it (a rising toll), sent once
    # per channel and follow-up number (`follow_up`, 1 for the first).
    kind: Literal["alert", "follow-up"] = "alert"
    follow_up: int = 0


def delivery_key(delivery: Delivery) -> str:
    """What identifies a delivery within its alert: its channel, and its follow-up number."""
    if delivery.follow_up:
        return f"{delivery.notifier}#follow-up-{delivery.follow_up}"
    return delivery.notifier


class Alert(Record):
    id: str  # stable_id(rule, story_id or article_id, window start)
    rule: str
    severity: Literal["info", "low", "medium", "high", "critical"]
    description: str = ""
    article_id: str
    article_ids: list[str] = Field(default_factory=list)
    story_id: str | None = None
    title: str
    url: str
    sources: list[str] = Field(default_factory=list)
    matched_text: str = ""  # the passage, matched words wrapped in <mark>
    triggered_at: UTCDateTime
    window_start: UTCDateTime
    deliveries: list[Delivery] = Field(default_factory=list)
    status: AlertStatus = "pending"
    # The highest toll read in the alert's articles: a revision of one of them raising it
    # updates the alert (same id) and queues one follow-up delivery per channel.
    killed: int = 0
    injured: int = 0
    follow_ups: int = 0  # follow-ups queued so far
    updated_at: OptionalUTCDateTime = None  # the last follow-up


class DeadLetter(Record):
    id: str  # stable_id(index, doc id, reason)
    index: str
    doc_id: str
    stage: str
    reason: str
    error_type: str | None = None
    document: str  # the rejected document, JSON-encoded (not indexed)
    created_at: UTCDateTime


class StoryFigure(Quantity):
    """A story incident's figure: the one report chosen (the highest, or the latest, per the
    story policy) and every outlet and article that gave that same value."""

    sources: list[str] = Field(default_factory=list)
    article_ids: list[str] = Field(default_factory=list)


class StoryReport(Record):
    """One article's incident (an `Event`) as evidence of a story incident."""

    event_id: str
    article_id: str
    source: str
    published: OptionalUTCDateTime = None
    article_title: str = ""
    article_url: str = ""
    event_type: str
    sub_event_type: str
    interaction: str | None = None
    places: list[Place] = Field(default_factory=list)
    event_date: date | None = None
    launched: Quantity | None = None
    intercepted: Quantity | None = None
    destroyed: Quantity | None = None
    killed: Quantity | None = None
    injured: Quantity | None = None


class StoryIncident(Record):
    """One happening across the outlets of a story, its figures counted once (issue 15).

    The incidents (`Event`s) that the articles of one story report about the same happening
    are one story incident: an attack two outlets report with 300 and 390 drones reads 390
    here, with the outlet that said so, never 690. Dashboards count these documents. Written
    by `vigie.stories` with a content-derived id, rewritten whole from its `reports` whenever
    an article of the story adds one, so the result does not depend on the order they came in.
    """

    id: str  # stable_id("story-incident", story_id, key)
    story_id: str
    key: str  # "lead" (the story's defining incident) or "<incident class>|<place id or ->"
    lead: bool = False
    story_published: OptionalUTCDateTime = None  # the story's first article: picks the index
    title: str = ""  # the headline of the earliest report
    event_type: str
    sub_event_type: str  # of the earliest report
    interaction: str | None = None
    places: list[Place] = Field(default_factory=list)
    location: GeoPoint | None = None
    event_date: date | None = None  # the earliest report's
    first_published: OptionalUTCDateTime = None
    last_published: OptionalUTCDateTime = None
    article_ids: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    report_count: int = 0
    launched: StoryFigure | None = None
    intercepted: StoryFigure | None = None
    destroyed: StoryFigure | None = None
    killed: StoryFigure | None = None
    injured: StoryFigure | None = None
    reports: list[StoryReport] = Field(default_factory=list)
