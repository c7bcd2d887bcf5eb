"""How rare a name is in the recent index: the weight a shared name carries in the entity rule.

The recent index of an article is the articles published in the `idf_days` days before its
own UTC day. Its own day is left out on purpose: the count then depends on the article's day
only, not on which of the day's articles were stored before it (batch boundaries), and a
happening's burst of coverage does not make its own names look common.

Counts come from the articles index (one search per day the batch covers: a terms aggregation
per entity field, restricted to the batch's names) plus the batch's own articles of those days
that are not stored yet, so a batch counts what a run article by article would have stored.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from vigie.core.models import to_utc
from vigie.stories.policy import EntityPolicy, Vocabulary

ENTITY_FIELDS = ("places", "persons", "organisations", "weapons")


def utc_day(moment: datetime) -> date:
    return to_utc(moment).date()


def window_of(day: date, days: int) -> tuple[datetime, datetime]:
    """[start, end) of the recent index for articles of `day`."""
    end = datetime.combine(day, time(0), tzinfo=UTC)
    return end - timedelta(days=days), end


@dataclass
class DayCounts:
    """Articles of one recent window: how many, and how many name each (lower-cased) name."""

    total: int = 0
    counts: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Named:
    """What the counts need of an article: id, publication time, names."""

    id: str
    published: datetime
    names: Mapping[str, str]  # lower-cased -> as written


def day_search(
    day: date, names: Sequence[str], policy: EntityPolicy, exclude: Sequence[str]
) -> dict[str, Any]:
    """The articles-index search counting `names` over the recent window of `day`."""
    start, end = window_of(day, policy.idf_days)
    return {
        "size": 0,
        "track_total_hits": True,
        "query": {
            "bool": {
                "filter": [{"range": {"published": {"gte": start.isoformat(), "lt": end.isoformat()}}}],
                "must_not": [{"ids": {"values": list(exclude)}}, {"exists": {"field": "duplicate_of"}}],
            }
        },
        "aggs": {
            name: {"terms": {"field": name, "include": list(names), "size": len(names)}}
            for name in (ENTITY_FIELDS if names else ())
        },
    }


def read_day(response: Mapping[str, Any]) -> DayCounts:
    counts: Counter[str] = Counter()
    for name in ENTITY_FIELDS:
        for bucket in response.get("aggregations", {}).get(name, {}).get("buckets", []):
            counts[str(bucket["key"]).lower()] += int(bucket["doc_count"])
    total = response.get("hits", {}).get("total", {})
    return DayCounts(
        total=int(total.get("value", 0)) if isinstance(total, Mapping) else int(total), counts=counts
    )


def add_batch(days: dict[date, DayCounts], batch: Iterable[Named], policy: EntityPolicy) -> None:
    """Count the batch's own articles in the windows they fall in (not stored yet)."""
    for article in batch:
        for day, counts in days.items():
            start, end = window_of(day, policy.idf_days)
            if start <= to_utc(article.published) < end:
                counts.total += 1
                counts.counts.update(article.names.keys())


@dataclass
class Rarity:
    """Weights of names, per day, once the counts are read."""

    policy: EntityPolicy
    vocabulary: Vocabulary
    days: dict[date, DayCounts] = field(default_factory=lambda: defaultdict(DayCounts))

    def weight(self, name: str, day: date) -> float:
        counts = self.days.get(day) or DayCounts()
        lowered = name.lower()
        return self.policy.weight(self.vocabulary.name_class(lowered), counts.counts[lowered], counts.total)

    def searches(self, batch: Sequence[Named]) -> list[tuple[date, dict[str, Any]]]:
        """One search per day the batch covers, for the names its articles of that day carry."""
        names: dict[date, dict[str, str]] = defaultdict(dict)
        for article in batch:
            names[utc_day(article.published)].update(article.names)
        exclude = sorted(a.id for a in batch)
        return [
            (day, day_search(day, sorted(set(names[day].values())), self.policy, exclude))
            for day in sorted(names)
        ]
