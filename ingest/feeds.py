"""The feed registry (`ingest/feeds.yaml`, schema `ingest/feeds.schema.json`) and feed health.

`load_feeds` validates the YAML against the JSON Schema and names the feed and field of every
error. A URL may start with `{BASE_URL}` (the demo registry `sample_corpus/feeds.yaml`): pass
`base_url=` to substitute it. `check_feeds` polls each feed once (unconditionally, without
touching the pipeline's stored validators) and reports its health for `vigie feeds check`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jsonschema
import yaml
from pydantic import BaseModel

from ingest.fetch import Fetcher
from ingest.parse import parse_feed
from vigie.core.accounting import RunSummary
from vigie.core.resources import resource_path

SCHEMA_PATH = resource_path("feeds", "feeds.schema.json")
BASE_URL_PLACEHOLDER = "{BASE_URL}"
Category = Literal["international", "defence", "regional", "live"]
HealthStatus = Literal["ok", "degraded", "empty", "error"]


class FeedConfigError(ValueError):
    """The registry is invalid; the message names each feed and field at fault."""


class Feed(BaseModel):
    name: str
    title: str
    url: str
    language: str
    country: str
    poll_interval_minutes: int
    category: Category
    enabled: bool = True


class FeedCheck(BaseModel):
    """One on-demand check of a feed (`vigie feeds check`). A feed's history across pipeline
    polls (failures in a row, last success) is kept in one place only: `vigie.run.feedhealth`."""

    name: str
    url: str
    status: HealthStatus  # ok; degraded: items but malformed; empty: no items; error: no feed
    http_status: int | None = None
    items: int = 0
    answered_at: datetime | None = None  # when the feed answered this check (None: it did not)
    error: str | None = None


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _where(document: Any, path: Sequence[Any]) -> str:
    """ "feed 'lemonde' (feeds[3]) field 'url'" for a jsonschema error path."""
    if len(path) >= 2 and path[0] == "feeds" and isinstance(path[1], int):
        entry = document["feeds"][path[1]]
        name = entry.get("name") if isinstance(entry, dict) else None
        where = f"feed {name!r} (feeds[{path[1]}])" if name else f"feeds[{path[1]}]"
        rest = [str(p) for p in path[2:]]
        return f"{where} field {'.'.join(rest)!r}" if rest else where
    return "registry" + (f" field {'.'.join(str(p) for p in path)!r}" if path else "")


def validate_registry(document: Any, source: str = "feeds registry") -> list[str]:
    """Every problem in a parsed registry, each naming its feed and field (empty: valid)."""
    validator = jsonschema.Draft202012Validator(_schema())
    problems = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        # "required"/"additionalProperties" errors sit on the feed object; the message names the field.
        problems.append(f"{source}: {_where(document, list(error.absolute_path))}: {error.message}")
    entries = document.get("feeds") if isinstance(document, dict) else None
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str):
            continue
        if name in seen:
            problems.append(
                f"{source}: feed {name!r} (feeds[{index}]) field 'name': duplicate of feeds[{seen[name]}]"
            )
        seen.setdefault(name, index)
    return problems


def load_feeds(
    path: Path | str, base_url: str | None = None, *, include_disabled: bool = False
) -> list[Feed]:
    """Load and validate a registry; raises FeedConfigError naming every feed/field at fault."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise FeedConfigError(f"{path}: cannot read feed registry: {error}") from error
    problems = validate_registry(document, str(path))
    feeds: list[Feed] = []
    if not problems:
        for index, entry in enumerate(document["feeds"]):
            url = entry["url"]
            if BASE_URL_PLACEHOLDER in url:
                if not base_url:
                    problems.append(
                        f"{path}: feed {entry['name']!r} (feeds[{index}]) field 'url': "
                        f"uses {BASE_URL_PLACEHOLDER} but no base_url was given"
                    )
                    continue
                url = url.replace(BASE_URL_PLACEHOLDER, base_url.rstrip("/"))
            feeds.append(Feed(**{**entry, "url": url}))
    if problems:
        raise FeedConfigError("\n".join(problems))
    return [f for f in feeds if f.enabled or include_disabled]


def check_feeds(
    feeds: Sequence[Feed], fetcher: Fetcher, summary: RunSummary | None = None
) -> list[FeedCheck]:
    """Poll every feed once and report its health, in registry order.

    Unconditional and `remember=False`: a health check must not store validators, or the next
    pipeline poll would get a 304 and never see the items the check saw."""
    results = fetcher.fetch_many([f.url for f in feeds], conditional=False, remember=False)
    report = []
    for feed, result in zip(feeds, results, strict=True):
        health = FeedCheck(name=feed.name, url=feed.url, status="error", http_status=result.status)
        if result.ok:
            health.answered_at = result.fetched_at
        if result.error or result.content is None:
            health.error = result.error or "feed:empty_body"
        else:
            parsed = parse_feed(
                result.content, result.final_url or feed.url, feed.name, content_type=result.content_type
            )
            health.items = len(parsed.items)
            health.error = parsed.error
            if parsed.error and not parsed.items:
                health.status = "error"
            elif parsed.error:
                health.status = "degraded"
            else:
                health.status = "ok" if parsed.items else "empty"
        if summary is not None:
            if health.status == "error":
                summary.record("feed_check", "refused", feed.name, health.error or "")
            else:
                summary.record("feed_check", "accepted", feed.name, health.error or "")
        report.append(health)
    return report
