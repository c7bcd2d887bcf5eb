"""Elasticsearch connection, capability detection, template installation and index naming.

The client always targets `Settings.es_url` (the local node by default, `ES_URL` otherwise).
Index templates live in `index_mappings/` as JSON with a `{{prefix}}` placeholder so tests can
install an isolated copy per test under their own prefix; `index_mappings/README.md` explains
the design (monthly indices chosen from the document's own date, read aliases, analyzers).

Articles and events carry `indexed_at`, the time the cluster took them in: an ingest pipeline
(`<prefix>-indexed-at`, the indices' default pipeline) stamps it where the cluster has the
`set` processor (the full distribution: docker-compose, production, wherever Kibana runs, whose
alerting rules look back over it). The minimal node has no ingest processors: there the field
stays empty and `TemplateReport.pipelines` says so.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout as TransportConnectionTimeout
from elastic_transport import Transport, TransportApiResponse
from elasticsearch import BadRequestError, Elasticsearch

from vigie.core.models import Alert, Article, DeadLetter, Event, Record, StoryIncident, to_utc
from vigie.core.resources import files
from vigie.core.settings import Settings, get_settings

log = logging.getLogger(__name__)

MAPPINGS_DIR = files("index_mappings")
PREFIX_PLACEHOLDER = "{{prefix}}"
# Index families, in the order their templates are installed.
FAMILIES: tuple[str, ...] = ("articles", "events", "alerts", "deadletters", "stories")
TIME_BASED: tuple[str, ...] = ("articles", "events", "alerts", "stories")
UNDATED = "undated"
AnalysisVariant = Literal["french", "portable"]

# The token filters `analysis-french.json` needs, as `_analyze` accepts them inline.
FRENCH_FILTER_PROBES: dict[str, Any] = {
    "elision": {"type": "elision", "articles": ["l"]},
    "asciifolding": "asciifolding",
    "stemmer:light_french": {"type": "stemmer", "language": "light_french"},
    "stop:_french_": {"type": "stop", "stopwords": "_french_"},
    "lowercase": "lowercase",
}
_PREFIX_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# The field the ingest pipeline stamps with the time a document reached the cluster, and the
# families that carry it.
INDEXED_AT = "indexed_at"
STAMPED: tuple[str, ...] = ("articles", "events")


# A short outage (a node restart, a reset connection) is ridden out rather than ending the run:
# connection errors, timeouts and 429/502/503/504 are retried with exponential backoff (equal
# jitter: waits of 0.25, 0.5, 1, 2, 4, 8, 8 s, each between half and all of that), so a node
# that answers again within about 12 to 24 s costs a pause, not a failed run.
RETRY_OPTIONS: dict[str, object] = {
    "max_retries": 7,
    "retry_on_timeout": True,
    "retry_backoff_base": 0.5,
    "retry_backoff_cap": 8.0,
}
# Once a request has spent its retries on an unreachable cluster, the client's next requests
# for this long try once each (a first success ends it): a cluster that is really down costs
# one retry budget, not one per request (the index step then spools at once, delivery waits).
OUTAGE_FAIL_FAST_SECONDS = 60.0


class OutageAwareTransport(Transport):
    """elastic-transport's Transport remembering an outage (see OUTAGE_FAIL_FAST_SECONDS); the
    clients `options()` derives share it."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fail_fast_until = 0.0

    def perform_request(self, method: str, target: str, **kwargs: Any) -> TransportApiResponse:  # type: ignore[override]
        fail_fast = time.monotonic() < self.fail_fast_until
        if fail_fast:
            kwargs["max_retries"] = 0
        try:
            response = super().perform_request(method, target, **kwargs)
        except (TransportConnectionError, TransportConnectionTimeout):
            if not fail_fast:
                self.fail_fast_until = time.monotonic() + OUTAGE_FAIL_FAST_SECONDS
            raise
        self.fail_fast_until = 0.0
        return response


def client(settings: Settings | None = None, **kwargs: object) -> Elasticsearch:
    """A client on `Settings.es_url` that retries through short outages (RETRY_OPTIONS);
    `kwargs` override any option (`max_retries=0`: fail at once)."""
    settings = settings or get_settings()
    options: dict[str, object] = {
        "request_timeout": 30,
        **RETRY_OPTIONS,
        "transport_class": OutageAwareTransport,
    }
    options.update(kwargs)
    return Elasticsearch(settings.es_url, **options)  # type: ignore[arg-type]


# --- templates -----------------------------------------------------------------------------


def check_prefix(prefix: str) -> str:
    """Index names must be lowercase and may not start with `-`, `_` or `+`."""
    if not _PREFIX_RE.match(prefix):
        raise ValueError(f"index prefix {prefix!r} must match {_PREFIX_RE.pattern}")
    return prefix


def load_template(path: Path, prefix: str) -> dict[str, Any]:
    """A template JSON file with `{{prefix}}` replaced (JSON-escaped, so any prefix is safe)."""
    text = path.read_text(encoding="utf-8")
    rendered = text.replace(PREFIX_PLACEHOLDER, json.dumps(check_prefix(prefix))[1:-1])
    body: dict[str, Any] = json.loads(rendered)
    return body


@dataclass(frozen=True)
class Capabilities:
    """What the cluster's analysis chain offers, probed with `_analyze`."""

    filters: dict[str, bool]
    # Ingest processor types every node offers (`GET _nodes/ingest`).
    processors: frozenset[str] = frozenset()

    @property
    def indexing_time(self) -> bool:
        """Whether the cluster can stamp `indexed_at` (the `set` processor, ingest-common)."""
        return "set" in self.processors

    @property
    def french_analysis(self) -> bool:
        return all(self.filters.get(name, False) for name in FRENCH_FILTER_PROBES)

    @property
    def missing(self) -> list[str]:
        return sorted(name for name, ok in self.filters.items() if not ok)


def detect_capabilities(es: Elasticsearch) -> Capabilities:
    """Probe each token filter the French analyzer needs: a 400 from `_analyze` means the
    filter does not exist (the minimal node has no analysis-common module). `GET /` is not
    used: the minimal node answers it with 405."""
    found: dict[str, bool] = {}
    for name, spec in FRENCH_FILTER_PROBES.items():
        try:
            es.indices.analyze(tokenizer="standard", filter=[spec], text="L’attaque nucléaire")
            found[name] = True
        except BadRequestError:
            found[name] = False
    return Capabilities(filters=found, processors=ingest_processors(es))


def ingest_processors(es: Elasticsearch) -> frozenset[str]:
    """The ingest processor types every node of the cluster offers."""
    nodes = es.nodes.info(metric="ingest").body.get("nodes", {})
    per_node = [
        {p.get("type") for p in (node.get("ingest") or {}).get("processors", [])} for node in nodes.values()
    ]
    return frozenset(set.intersection(*per_node)) if per_node else frozenset()


def pipeline_name(prefix: str) -> str:
    return f"{check_prefix(prefix)}-indexed-at"


def indexed_at_pipeline() -> dict[str, Any]:
    """The default pipeline of articles and events: `indexed_at` = when the cluster first took
    the document in. `override: false`: a document written again whole as it was read (a fold
    into a stored original) keeps its time; Vigie's own records arrive with it null."""
    return {
        "description": "Vigie: stamp indexed_at with the time the document first reached the cluster",
        "processors": [{"set": {"field": INDEXED_AT, "value": "{{{_ingest.timestamp}}}", "override": False}}],
    }


def choose_analysis(capabilities: Capabilities) -> AnalysisVariant:
    return "french" if capabilities.french_analysis else "portable"


@dataclass
class TemplateReport:
    prefix: str
    capabilities: Capabilities
    analysis: AnalysisVariant
    component_templates: list[str] = field(default_factory=list)
    index_templates: list[str] = field(default_factory=list)
    pipelines: list[str] = field(default_factory=list)  # empty: `indexed_at` is not stamped

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["capabilities"] = {
            "filters": self.capabilities.filters,
            "missing": self.capabilities.missing,
            "indexing_time": self.capabilities.indexing_time,
        }
        return data


def component_template_files(analysis: AnalysisVariant, mappings_dir: Path = MAPPINGS_DIR) -> dict[str, Path]:
    """Component template name (with placeholder) -> file, in installation order."""
    comp = mappings_dir / "component_templates"
    return {
        f"{PREFIX_PLACEHOLDER}-settings": comp / "settings.json",
        f"{PREFIX_PLACEHOLDER}-analysis": comp / f"analysis-{analysis}.json",
    }


def index_template_files(mappings_dir: Path = MAPPINGS_DIR) -> dict[str, Path]:
    """Index template name (with placeholder) -> file. Each holds its family's explicit
    mapping: Elasticsearch validates a component template on its own, so a mapping naming
    the `vigie_text` analyzer can only live where the analysis component is composed in."""
    return {
        f"{PREFIX_PLACEHOLDER}-{family}": mappings_dir / "index_templates" / f"{family}.json"
        for family in FAMILIES
    }


def install_templates(
    es: Elasticsearch,
    settings: Settings,
    *,
    analysis: AnalysisVariant | Literal["auto"] = "auto",
    mappings_dir: Path = MAPPINGS_DIR,
) -> TemplateReport:
    """Install (or update, idempotently) the component and index templates for
    `settings.index_prefix`, choosing the analysis variant the cluster supports.

    Templates apply to indices created afterwards; fields a new version adds are also added to
    the existing indices of each family (`update_existing_mappings`), whose mapping is strict."""
    prefix = check_prefix(settings.index_prefix)
    capabilities = detect_capabilities(es)
    variant: AnalysisVariant = choose_analysis(capabilities) if analysis == "auto" else analysis
    if capabilities.french_analysis:
        log.info("Elasticsearch offers French analysis (elision, asciifolding, light_french stemmer)")
    else:
        log.warning(
            "Elasticsearch lacks token filters %s (server core only, no analysis-common module)",
            ", ".join(capabilities.missing),
        )
    log.log(
        logging.INFO if variant == "french" else logging.WARNING,
        "installing analysis-%s as vigie_text%s",
        variant,
        "" if variant == "french" else ": `standard` analyzer, no elision, accent folding or stemming",
    )
    report = TemplateReport(prefix=prefix, capabilities=capabilities, analysis=variant)
    pipeline: str | None = None
    if capabilities.indexing_time:
        pipeline = pipeline_name(prefix)
        es.ingest.put_pipeline(id=pipeline, body=indexed_at_pipeline())
        report.pipelines.append(pipeline)
    else:
        log.info("no `set` ingest processor (server core only): %s is not stamped", INDEXED_AT)
    for raw_name, path in component_template_files(variant, mappings_dir).items():
        name = raw_name.replace(PREFIX_PLACEHOLDER, prefix)
        component = load_template(path, prefix)
        if settings.es_replicas is not None and raw_name.endswith("-settings"):
            # VIGIE_ES_REPLICAS: a fixed count instead of the template's auto-expand.
            index_settings = component["template"]["settings"]["index"]
            index_settings["auto_expand_replicas"] = False
            index_settings["number_of_replicas"] = settings.es_replicas
        es.cluster.put_component_template(name=name, body=component)
        report.component_templates.append(name)
    for family, (raw_name, path) in zip(FAMILIES, index_template_files(mappings_dir).items(), strict=True):
        name = raw_name.replace(PREFIX_PLACEHOLDER, prefix)
        body = load_template(path, prefix)
        if pipeline is not None and family in STAMPED:
            body["template"].setdefault("settings", {})["index.default_pipeline"] = pipeline
        es.indices.put_index_template(name=name, body=body)
        report.index_templates.append(name)
        update_existing_mappings(es, name)
        if pipeline is not None and family in STAMPED:
            es.indices.put_settings(
                index=f"{settings.index(family)}-*",
                settings={"index.default_pipeline": pipeline},
                allow_no_indices=True,
                ignore_unavailable=True,
            )
    log.info(
        "installed %d component and %d index templates for prefix %r",
        len(report.component_templates),
        len(report.index_templates),
        prefix,
    )
    return report


def update_existing_mappings(es: Elasticsearch, template: str) -> None:
    """Put the composed mapping of index template `template` on the indices it already
    matches: new fields are added (a strict mapping would otherwise reject every document that
    carries them); a changed field type cannot be, and is reported, not raised."""
    from elasticsearch import ApiError

    composed = es.indices.simulate_template(name=template)["template"].get("mappings", {})
    properties = composed.get("properties")
    if not properties:
        return
    patterns = es.indices.get_index_template(name=template)["index_templates"][0]["index_template"]
    for pattern in patterns["index_patterns"]:
        try:
            es.indices.put_mapping(
                index=pattern, properties=properties, allow_no_indices=True, ignore_unavailable=True
            )
        except ApiError as error:
            log.warning("existing indices %s keep their mapping: %s", pattern, error)


def uninstall_templates(es: Elasticsearch, settings: Settings, mappings_dir: Path = MAPPINGS_DIR) -> None:
    """Remove this prefix's templates (index templates first: they use the components)."""
    prefix = check_prefix(settings.index_prefix)
    for raw_name in index_template_files(mappings_dir):
        es.options(ignore_status=404).indices.delete_index_template(
            name=raw_name.replace(PREFIX_PLACEHOLDER, prefix)
        )
    for raw_name in component_template_files("portable", mappings_dir):
        es.options(ignore_status=404).cluster.delete_component_template(
            name=raw_name.replace(PREFIX_PLACEHOLDER, prefix)
        )
    es.options(ignore_status=404).ingest.delete_pipeline(id=pipeline_name(prefix))


# --- index naming --------------------------------------------------------------------------


_utc = to_utc  # naive datetimes are taken as UTC (the pipeline stores UTC)


def month_suffix(when: datetime | date | None) -> str:
    if when is None:
        return UNDATED
    if isinstance(when, datetime):
        when = _utc(when)
    return f"{when.year:04d}.{when.month:02d}"


def index_name(settings: Settings, family: str, when: datetime | date | None = None) -> str:
    """The concrete index a document of `family` dated `when` is written to."""
    if family not in FAMILIES:
        raise ValueError(f"unknown index family {family!r}; expected one of {FAMILIES}")
    if family not in TIME_BASED:
        return settings.index(family)
    return f"{settings.index(family)}-{month_suffix(when)}"


def family_of(record: Record) -> str:
    if isinstance(record, Article):
        return "articles"
    if isinstance(record, Event):
        return "events"
    if isinstance(record, Alert):
        return "alerts"
    if isinstance(record, DeadLetter):
        return "deadletters"
    if isinstance(record, StoryIncident):
        return "stories"
    raise TypeError(f"no index family for {type(record).__name__}")


def index_for(settings: Settings, record: Record) -> str:
    """Deterministic target index: derived from the record's own date, never from the clock."""
    if isinstance(record, Article):
        return index_name(settings, "articles", record.published)
    if isinstance(record, Event):
        return index_name(settings, "events", record.published or record.event_date)
    if isinstance(record, Alert):
        return index_name(settings, "alerts", record.window_start)
    if isinstance(record, StoryIncident):
        return index_name(settings, "stories", record.story_published)
    return index_name(settings, family_of(record))


def to_document(record: Record) -> dict[str, Any]:
    """The `_source` of a record: its JSON dump (field names as in the model; datetimes in UTC,
    "Z"-suffixed, see `vigie.core.models.UTCDateTime`)."""
    return record.model_dump(mode="json")


# --- aliases (maintenance) -----------------------------------------------------------------


@dataclass
class AliasReport(Mapping[str, Any]):
    """What `ensure_aliases` changed. Reads as a mapping too (`dict(report)`), so a DAG task
    can hand it to XCom as it is."""

    created_indices: list[str] = field(default_factory=list)
    aliases_added: list[str] = field(default_factory=list)  # "<index> -> <alias>"
    write_indices: dict[str, str] = field(default_factory=dict)  # alias -> write index

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.to_dict())


def _add_months(moment: date, months: int) -> date:
    total = moment.year * 12 + (moment.month - 1) + months
    return date(total // 12, total % 12 + 1, 1)


def ensure_aliases(
    es: Elasticsearch, settings: Settings, *, now: datetime | None = None, months_ahead: int = 1
) -> AliasReport:
    """Maintenance (the daily DAG): keep each time-based family's read alias complete.

    * creates this month's and the next `months_ahead` months' indices (the index template
      attaches the alias), so a new month never starts with a missing index and Kibana data
      views always resolve;
    * re-attaches the alias to any family index that lacks it (created before the template, or
      alias removed by hand);
    * marks the current month's index as the alias's write index (`is_write_index`), so a
      write through the alias lands in the current month. Vigie itself writes to concrete
      indices (see `index_for`) and never relies on it;
    * creates the dead-letter index.
    """
    current = _utc(now or datetime.now(UTC)).date()
    report = AliasReport()
    for family in TIME_BASED:
        alias = settings.index(family)
        wanted = [index_name(settings, family, _add_months(current, k)) for k in range(months_ahead + 1)]
        for name in wanted:
            if _create_index(es, name):
                report.created_indices.append(name)
        existing = es.indices.get_alias(index=f"{alias}-*", expand_wildcards="open").body
        write_index = wanted[0]
        actions: list[dict[str, Any]] = []
        for name, info in sorted(existing.items()):
            current_alias = info.get("aliases", {}).get(alias)
            is_write = name == write_index
            if current_alias is None:
                report.aliases_added.append(f"{name} -> {alias}")
            if current_alias is None or bool(current_alias.get("is_write_index")) != is_write:
                actions.append({"add": {"index": name, "alias": alias, "is_write_index": is_write}})
        if actions:
            es.indices.update_aliases(actions=actions)
        report.write_indices[alias] = write_index
    if _create_index(es, settings.index("deadletters")):
        report.created_indices.append(settings.index("deadletters"))
    return report


def _create_index(es: Elasticsearch, name: str) -> bool:
    """Create an index from its template; False when it already exists."""
    response = es.options(ignore_status=400).indices.create(index=name)
    if response.meta.status == 400:
        error = response.body.get("error", {})
        if error.get("type") == "resource_already_exists_exception":
            return False
        raise BadRequestError(message=str(error), meta=response.meta, body=response.body)
    return True
