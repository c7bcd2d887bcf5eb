"""Freshness soak (issue 17, item 5): how long a published article takes to be searchable, and
to reach the desk as an alert, under the real scheduler on its default schedule.

    python -m bench.soak                       # 50 items over 30 minutes (`make soak`)
    python -m bench.soak --minutes 5 --items 10 --no-write   # a smoke run

What runs, all on this machine:
- Elasticsearch: a dedicated node (`bench.nodes`, wiped afterwards) or `ES_URL`;
- the Airflow deployment of tests/test_real_scheduler.py (`bench.airflowstack`:
  PostgreSQL, deploy/airflow-init.sh, dag-processor, scheduler, api-server, LocalExecutor),
  `news_ingest` and `news_digest` unpaused, on the DAG's default schedule
  (`VIGIE_SCHEDULE_MINUTES` is not set) and the default settings otherwise;
- a news site (`vigie.dev.feedserver.FeedServer`) of a few outlets, one RSS feed each, whose
  feeds poll every `poll_interval_minutes` (the schedule's interval by default). One warm-up
  item per feed is published first and waited for (the first run loads everything); then
  `--items` articles are published at random times over `--minutes` minutes, each appearing in
  its feed with its publication time as `pubDate`. Articles are written from the benchmark
  corpus's templates (`bench.corpus_templates`); a share of them (`--alert-share`) opens with a
  sentence the alert rules of `alerts/rules.yaml` send to the desk webhook (a nuclear threat,
  a raid of more than 100 drones, civilians killed);
- a webhook receiver (`vigie.dev.webhook`) as `VIGIE_WEBHOOK_URL`, recording arrival times.

Measured per item: publication -> searchable (the soak searches the articles index for the
item's URL every few seconds) and publication -> alert delivered (the first webhook whose alert
names the item's article). Reported: p50/p95/max of both, the schedule and the work per run
(run and task durations from the metadata database), the load average; the table goes into
the "Freshness soak (issue 17)" section of bench/results.md (never the generated section),
the raw figures into the bench work folder (soak-<timestamp>.json).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bench.common import RESULTS_MD, WORK_DIR
from bench.corpus_site import GeneratedArticle, render_feed, render_page
from bench.corpus_templates import body, headline, load_vocab, new_story, person, slugify

SECTION = "## Freshness soak (issue 17)"
GOAL_P95_SECONDS = 300.0
CHECK_EVERY = 3.0  # seconds between two looks at the site's schedule, the index and the webhook
# Alert sentences, filled with the story's slots: each fires a rule that notifies the webhook.
ALERT_SENTENCES = {
    "frappe_nucleaire": (
        "{Att_leader} a de nouveau brandi la menace d’une frappe nucléaire contre {cib}, "
        "a rapporté {source} {jour}."
    ),
    "attaque_massive_drones": (
        "{Jour}, {att} a lancé {drones} drones contre {lieu}, l’attaque la plus massive depuis "
        "le début de la guerre, selon {cib_army}."
    ),
    "victimes_civiles": (
        "Au moins {civils} civils ont été tués et {blesses_civils} blessés lorsqu’une frappe a "
        "touché un immeuble d’habitation {de_lieu} {jour}, selon les secours."
    ),
}


@dataclass
class SoakItem:
    number: int
    offset: float  # seconds after the publication phase starts
    article: GeneratedArticle
    alert_rule: str | None  # the rule its opening sentence is written for, if any
    warm_up: bool = False
    url: str = ""
    published_at: float | None = None  # wall clock (time.time())
    searchable_at: float | None = None
    article_id: str | None = None
    alerted_at: float | None = None
    alerted_rules: list[str] = field(default_factory=list)

    def searchable_after(self) -> float | None:
        if self.published_at is None or self.searchable_at is None:
            return None
        return self.searchable_at - self.published_at

    def alerted_after(self) -> float | None:
        if self.published_at is None or self.alerted_at is None:
            return None
        return self.alerted_at - self.published_at


# -- the site ----------------------------------------------------------------------------------


def outlets(count: int) -> list[dict[str, str]]:
    found: list[dict[str, str]] = load_vocab()["outlets"]
    return found[: max(1, min(count, len(found)))]


def _article(
    rng: random.Random, number: int, outlet: dict[str, str], alert_rule: str | None
) -> GeneratedArticle:
    now = datetime.now(UTC)
    story = new_story(rng, now)
    paragraphs, intertitles = body(rng, story)
    if alert_rule is not None:
        slots = {
            **story.slots,
            "drones": str(rng.randint(120, 480)),
            "civils": str(rng.randint(3, 25)),
            "blesses_civils": str(rng.randint(10, 60)),
        }
        sentence = ALERT_SENTENCES[alert_rule].format(**slots)
        paragraphs = [f"{sentence[:1].upper()}{sentence[1:]} {paragraphs[0]}", *paragraphs[1:]]
    title = headline(rng, story)
    slug = slugify(title)
    return GeneratedArticle(
        number=number,
        kind="original",
        outlet=outlet,
        published=now,
        title=title,
        paragraphs=paragraphs,
        intertitles=intertitles,
        author=person(rng),
        section=story.section,
        slug=slug,
        path=f"/{outlet['slug']}/soak/{number:04d}-{slug}.html",
        feed=f"/feeds/{outlet['slug']}.xml",
    )


def plan(items: int, minutes: float, seed: int, feeds: int, alert_share: float) -> list[SoakItem]:
    """One warm-up item per feed (offset 0), then `items` at uniformly random offsets over
    `minutes`; a share `alert_share` of them (at least one) opens with an alert sentence, the
    rules taken in turn."""
    rng = random.Random(seed)
    sites = outlets(feeds)
    plan: list[SoakItem] = [
        SoakItem(number, 0.0, _article(rng, number, outlet, None), None, warm_up=True)
        for number, outlet in enumerate(sites)
    ]
    offsets = sorted(rng.uniform(0, minutes * 60) for _ in range(items))
    alerting = set(rng.sample(range(items), max(1, round(items * alert_share)))) if items else set()
    rules = list(ALERT_SENTENCES)
    for index, offset in enumerate(offsets):
        number = len(plan)
        rule = rules[index % len(rules)] if index in alerting else None
        plan.append(SoakItem(number, offset, _article(rng, number, rng.choice(sites), rule), rule))
    return plan


class Site:
    """The outlets' feeds and pages, published into a FeedServer as items come out."""

    def __init__(self, server: Any, sites: list[dict[str, str]]) -> None:
        self.server = server
        self.sites = sites
        self.items: dict[str, list[GeneratedArticle]] = {outlet["slug"]: [] for outlet in sites}

    def publish(self, item: SoakItem) -> None:
        article = item.article
        article.published = datetime.now(UTC).replace(microsecond=0)
        self.server.publish(article.path, render_page(article, [article]))
        own = self.items[article.outlet["slug"]]
        own.insert(0, article)
        self.server.publish(article.feed, render_feed(article.feed, article.outlet, own))
        item.url = self.server.url(article.path)
        item.published_at = time.time()

    def feeds_yaml(self, poll_interval_minutes: int) -> str:
        feeds = [
            {
                "name": f"soak-{outlet['slug']}",
                "title": outlet["name"],
                "url": "{BASE_URL}" + f"/feeds/{outlet['slug']}.xml",
                "language": "fr",
                "country": outlet.get("country", "FR"),
                "poll_interval_minutes": poll_interval_minutes,
                "category": "international",
            }
            for outlet in self.sites
        ]
        return yaml.safe_dump({"feeds": feeds}, allow_unicode=True, sort_keys=False)


# -- measuring ---------------------------------------------------------------------------------


def find_searchable(es: Any, index: str, pending: list[SoakItem], now: float) -> None:
    """Mark the items a search finds now (by URL, as stored or as first linked)."""
    if not pending:
        return
    by_url = {item.url: item for item in pending}
    response = es.search(
        index=index,
        size=len(by_url),
        query={
            "bool": {
                "should": [{"terms": {"url": sorted(by_url)}}, {"terms": {"original_url": sorted(by_url)}}],
                "minimum_should_match": 1,
            }
        },
        source=["url", "original_url"],
        ignore_unavailable=True,
        allow_no_indices=True,
    )
    for hit in response["hits"]["hits"]:
        source = hit["_source"]
        item = by_url.get(source.get("url")) or by_url.get(source.get("original_url"))
        if item is not None and item.searchable_at is None:
            item.searchable_at = now
            item.article_id = hit["_id"]


def match_alerts(items: list[SoakItem], received: Sequence[Any]) -> None:
    """The first delivery naming each item's article (its id, or its URL)."""
    by_id = {item.article_id: item for item in items if item.article_id}
    by_url = {item.url: item for item in items}
    for delivery in sorted(received, key=lambda r: r.at):
        alert = delivery.body
        named = {alert.get("article_id"), *alert.get("article_ids", [])}
        hits = {by_id[i].number: by_id[i] for i in named if i in by_id}
        if alert.get("url") in by_url:
            hits.setdefault(by_url[alert["url"]].number, by_url[alert["url"]])
        for item in hits.values():
            if item.alerted_at is None:
                item.alerted_at = delivery.at
            if alert.get("rule") and alert["rule"] not in item.alerted_rules:
                item.alerted_rules.append(alert["rule"])


def percentiles(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    # Nearest rank: the value at or below which p % of the items lie.
    def rank(p: float) -> float:
        return ordered[max(0, min(len(ordered) - 1, int(-(-p * len(ordered) // 100)) - 1))]

    return {
        "n": len(ordered),
        "p50": rank(50),
        "p95": rank(95),
        "max": ordered[-1],
        "mean": statistics.fmean(ordered),
    }


def run_stats(cluster: Any, dag_id: str, since: datetime) -> dict[str, Any]:
    """The DAG's runs started after `since`: count, states, wall times, and the median duration of
    each task over the runs that ran it (mapped instances summed per run)."""
    runs = cluster.postgres.query(
        "SELECT run_id, state, EXTRACT(EPOCH FROM end_date - start_date), start_date FROM dag_run "
        "WHERE dag_id = %s AND start_date >= %s ORDER BY start_date",
        dag_id,
        since,
    )
    tasks = cluster.postgres.query(
        "SELECT ti.run_id, ti.task_id, ti.state, EXTRACT(EPOCH FROM ti.end_date - ti.start_date) "
        "FROM task_instance ti JOIN dag_run r ON r.dag_id = ti.dag_id AND r.run_id = ti.run_id "
        "WHERE ti.dag_id = %s AND r.start_date >= %s",
        dag_id,
        since,
    )
    per_run: dict[str, dict[str, float]] = {}
    for run_id, task_id, state, seconds in tasks:
        if state == "success" and seconds is not None:
            per_run.setdefault(str(run_id), {}).setdefault(str(task_id), 0.0)
            per_run[str(run_id)][str(task_id)] += float(seconds)
    batch_runs = {run for run, durations in per_run.items() if "process_batch" in durations}
    walls = {str(r[0]): float(r[2]) for r in runs if r[2] is not None}
    task_names = sorted({task for durations in per_run.values() for task in durations})

    def median(values: list[float]) -> float | None:
        return statistics.median(values) if values else None

    starts = [r[3] for r in runs]
    gaps = [(b - a).total_seconds() for a, b in zip(starts, starts[1:], strict=False)]
    return {
        "runs": len(runs),
        "states": {
            state: sum(1 for r in runs if r[1] == state) for state in sorted({str(r[1]) for r in runs})
        },
        "runs_with_batches": len(batch_runs),
        "wall_median_with_batches": median([walls[r] for r in batch_runs if r in walls]),
        "wall_median_without": median([w for r, w in walls.items() if r not in batch_runs]),
        "wall_max": max(walls.values(), default=None),
        "start_gap_median": median(gaps),
        "task_median_with_batches": {
            task: median([per_run[r][task] for r in batch_runs if task in per_run[r]]) for task in task_names
        },
        "task_median_without": {
            task: median([d[task] for r, d in per_run.items() if r not in batch_runs and task in d])
            for task in task_names
        },
    }


# -- report ------------------------------------------------------------------------------------


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds / 60:.1f} min ({seconds:.0f} s)"


def render(result: dict[str, Any], before: dict[str, Any] | None = None) -> str:
    searchable, alerted = result["searchable"], result["alerted"]
    stats, config = result["runs"], result["config"]
    lines = [
        SECTION,
        "",
        f"`python -m bench.soak` (`make soak`, not in CI), {result['finished']}"
        + (f", code at {result['commit']}" if result.get("commit") else "")
        + ": the real scheduler "
        "(PostgreSQL, dag-processor, scheduler and api-server, LocalExecutor: "
        f"`bench.airflowstack`) on its {'default' if config.get('schedule_is_default') else 'overridden'} "
        "schedule, a local news site publishing "
        f"{config['items']} articles at random times over {config['minutes']:g} minutes in "
        f"{config['feeds']} feeds ({result['alert_items']} of them written to fire a webhook alert), "
        "a webhook receiver, one Elasticsearch node. Publication is the moment the article and "
        "its feed entry appear on the site; searchable, the first search of the articles index "
        f"that finds its URL (one search every {CHECK_EVERY:g} s); delivered, its alert's arrival "
        "at the webhook.",
        "",
        "| publication → | items | p50 | p95 | max | goal p95 ≤ 5 min |",
        "|---|---|---|---|---|---|",
    ]
    for name, values in (("searchable", searchable), ("alert delivered", alerted)):
        met = "met" if values.get("p95", float("inf")) <= GOAL_P95_SECONDS else "missed"
        if not values.get("n"):
            met = "–"
        lines.append(
            f"| {name} | {values.get('n', 0)} | {_minutes(values.get('p50'))} | "
            f"{_minutes(values.get('p95'))} | {_minutes(values.get('max'))} | {met} |"
        )
    never = result["never_searchable"]
    lines += [
        "",
        f"Not searchable by the end: {never}. Alert items delivered: "
        f"{result['alert_items_delivered']} of {result['alert_items']} (an alert is one per rule "
        "and story within 24 h: an item joining a story that already alerted is not sent again); "
        f"other items alerted: {result['other_items_alerted']}.",
        "",
        "| what produced it | |",
        "|---|---|",
        f"| schedule | `news_ingest` every {config['schedule_minutes']} min ("
        + (
            "the default, `VIGIE_SCHEDULE_MINUTES` unset"
            if config["schedule_is_default"]
            else "**overridden**"
        )
        + "), one active run, no catchup |",
        f"| work per run | only the due feeds polled (`VIGIE_POLL_DUE_ONLY`), feeds polling every "
        f"{config['poll_interval_minutes']} min; new items cut into batches of "
        f"{config['batch_size']}; `prepare` checks the configuration only when it changed; `deliver` "
        "reads the rules' notifiers only, and only when an alert is pending |",
        f"| runs during the soak | {stats['runs']} ({', '.join(f'{k} {v}' for k, v in stats['states'].items())}); "
        f"{stats['runs_with_batches']} stored new articles |",
        f"| run wall time, median | {_seconds(stats['wall_median_with_batches'])} with new articles, "
        f"{_seconds(stats['wall_median_without'])} without; longest {_seconds(stats['wall_max'])}; "
        f"median gap between run starts {_seconds(stats['start_gap_median'])} |",
        "| task medians (mapped instances summed), runs with new articles | "
        + ", ".join(
            f"{t} {_seconds(s)}" for t, s in stats["task_median_with_batches"].items() if s is not None
        )
        + " |",
        "| task medians, runs without | "
        + ", ".join(f"{t} {_seconds(s)}" for t, s in stats["task_median_without"].items() if s is not None)
        + " |",
        f"| load average (2 cores, shared) | start {result['load_start']}, end {result['load_end']}, "
        f"1-min mean over the soak {result['load_mean']:.2f}, max {result['load_max']:.2f} |",
        f"| wall time | {result['wall_minutes']:.1f} min (warm-up {result['warm_up_minutes']:.1f} min) |",
        "",
    ]
    if before:
        lines += _comparison(before, result)
    return "\n".join(lines)


def _comparison(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """An earlier soak beside this one (`--before`): its percentiles, run times and load."""
    lines = [
        f"Compared with an earlier soak ({before['finished']}{': ' + before['label'] if before.get('label') else ''}):",
        "",
        "| soak | searchable p50 / p95 / max | alert p50 / p95 / max | run median with new articles | "
        "prepare, process_batch, deliver medians | load (1-min mean) |",
        "|---|---|---|---|---|---|",
    ]
    for name, result in (("earlier", before), ("this one", after)):
        cells = []
        for key in ("searchable", "alerted"):
            values = result[key]
            cells.append(" / ".join(_seconds(values.get(p)) for p in ("p50", "p95", "max")))
        tasks = result["runs"]["task_median_with_batches"]
        lines.append(
            f"| {name} | {cells[0]} | {cells[1]} | {_seconds(result['runs']['wall_median_with_batches'])} | "
            + ", ".join(_seconds(tasks.get(t)) for t in ("prepare", "process_batch", "deliver"))
            + f" | {result['load_mean']:.1f} |"
        )
    lines += [
        "",
        "The machine's load differs from one soak to the other: `process_batch` (the spaCy model "
        "loaded, then enrichment) follows it; `prepare` and `deliver` are the per-run work cut.",
    ]
    return [*lines, ""]


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} s"


def write_section(text: str, path: Path = RESULTS_MD) -> None:
    """Replace the soak's section (from its heading to the next `## `), else add it at the end;
    nothing else of the file changes."""
    content = path.read_text(encoding="utf-8")
    section = text.rstrip("\n") + "\n\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(content):
        content = pattern.sub(lambda _: section, content, count=1)
    else:
        content = content.rstrip("\n") + "\n\n" + section
    path.write_text(content, encoding="utf-8")


# -- the soak ----------------------------------------------------------------------------------


class LoadSampler:
    def __init__(self) -> None:
        self.samples: list[float] = []
        self._next = 0.0

    def tick(self, now: float) -> None:
        if now >= self._next:
            self.samples.append(os.getloadavg()[0])
            self._next = now + 60


def _say(started: float, text: str) -> None:
    print(f"[{(time.monotonic() - started) / 60:5.1f} min] {text}", flush=True)


def soak(args: argparse.Namespace) -> dict[str, Any]:
    from elasticsearch import Elasticsearch

    from bench.airflowstack import AirflowCluster, wait_until
    from bench.nodes import elasticsearch_url, load_average
    from vigie.core.settings import Settings
    from vigie.dev.feedserver import FeedServer
    from vigie.dev.webhook import WebhookReceiver

    defaults = Settings()
    schedule = args.schedule_minutes or defaults.schedule_minutes
    poll_interval = args.poll_interval or schedule
    items = plan(args.items, args.minutes, args.seed, args.feeds, args.alert_share)
    started = time.monotonic()
    load_start = load_average()
    sampler = LoadSampler()
    prefix = f"soak{uuid.uuid4().hex[:6]}"
    root = Path(tempfile.mkdtemp(prefix="vigie-soak-"))
    (root / "state").mkdir()
    _say(started, f"work folder {root}; load average {load_start}")
    with elasticsearch_url() as es_url, FeedServer([]) as server, WebhookReceiver() as hook:
        site = Site(server, outlets(args.feeds))
        feeds_file = root / "feeds.yaml"
        feeds_file.write_text(site.feeds_yaml(poll_interval), encoding="utf-8")
        warm = [item for item in items if item.warm_up]
        timed = [item for item in items if not item.warm_up]
        for item in warm:
            site.publish(item)
        es = Elasticsearch(es_url, request_timeout=30)
        index = f"{prefix}-articles*"
        env = {
            "VIGIE_FEEDS": str(feeds_file),
            "VIGIE_FEEDS_BASE_URL": server.base_url,
            "VIGIE_ALLOW_HOSTS": "127.0.0.1:*",
            "VIGIE_STATE_DIR": str(root / "state"),
            "VIGIE_INDEX_PREFIX": prefix,
            "VIGIE_WEBHOOK_URL": hook.url,
        }
        if args.schedule_minutes:  # a trial: the report says the default was overridden
            env["VIGIE_SCHEDULE_MINUTES"] = str(args.schedule_minutes)
        cluster = AirflowCluster(root, env)
        soak_started_at = datetime.now(UTC)
        try:
            cluster.start_database()
            port = es_url.rsplit(":", 1)[1].strip("/")
            cluster.init({"VIGIE_ES_HOST": "127.0.0.1", "VIGIE_ES_PORT": port})
            cluster.start()
            _say(started, f"Airflow up (api-server :{cluster.api_port}); ES {es_url}; site {server.base_url}")
            for dag_id in ("news_ingest", "news_digest"):
                wait_until(f"{dag_id} parsed", functools.partial(cluster.has_dag, dag_id), 300, 2)
                cluster.unpause(dag_id)
            _say(started, "DAGs unpaused; waiting for the warm-up items")

            def warm_up_done() -> bool:
                cluster.check_alive()
                sampler.tick(time.monotonic())
                find_searchable(es, index, [i for i in warm if i.searchable_at is None], time.time())
                return all(i.searchable_at is not None for i in warm)

            wait_until("the warm-up items searchable", warm_up_done, 1200, CHECK_EVERY)
            warm_up_minutes = (time.monotonic() - started) / 60
            _say(started, "warm-up items searchable: publishing")
            publishing_from = time.monotonic()
            settle_deadline: float | None = None
            last_change = time.monotonic()
            while True:
                now = time.monotonic()
                sampler.tick(now)
                cluster.check_alive()
                for item in timed:
                    if item.published_at is None and now - publishing_from >= item.offset:
                        site.publish(item)
                        _say(started, f"published #{item.number} {item.article.feed} {item.alert_rule or ''}")
                pending = [i for i in timed if i.published_at is not None and i.searchable_at is None]
                before = (
                    sum(i.searchable_at is not None for i in timed),
                    sum(i.alerted_at is not None for i in timed),
                )
                find_searchable(es, index, pending, time.time())
                match_alerts(items, hook.received)
                after = (
                    sum(i.searchable_at is not None for i in timed),
                    sum(i.alerted_at is not None for i in timed),
                )
                if after != before:
                    last_change = now
                    _say(started, f"searchable {after[0]}/{len(timed)}, alerted {after[1]}")
                if all(i.published_at is not None for i in timed):
                    settle_deadline = settle_deadline or now + args.settle_minutes * 60
                    everything = all(i.searchable_at is not None for i in timed) and all(
                        i.alerted_at is not None for i in timed if i.alert_rule
                    )
                    quiet = now - last_change > 2 * 60 * schedule + 60
                    if (
                        everything
                        or now > settle_deadline
                        or (all(i.searchable_at is not None for i in timed) and quiet)
                    ):
                        break
                time.sleep(CHECK_EVERY)
            match_alerts(items, hook.received)
            stats = run_stats(cluster, "news_ingest", soak_started_at)
        finally:
            cluster.close()
            es.close()
            if not args.keep:  # the components' and tasks' logs, the state: kept on request
                shutil.rmtree(root, ignore_errors=True)
    searchable = percentiles([s for i in timed if (s := i.searchable_after()) is not None])
    alerted = percentiles([s for i in timed if (s := i.alerted_after()) is not None])
    alert_items = [i for i in timed if i.alert_rule]
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=RESULTS_MD.parent
    ).stdout.strip()
    return {
        "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "config": {
            "items": len(timed),
            "minutes": args.minutes,
            "feeds": len(site.sites),
            "seed": args.seed,
            "schedule_minutes": schedule,
            "schedule_is_default": not args.schedule_minutes,
            "poll_interval_minutes": poll_interval,
            "batch_size": defaults.batch_size,
        },
        "searchable": searchable,
        "alerted": alerted,
        "never_searchable": sum(1 for i in timed if i.searchable_at is None),
        "alert_items": len(alert_items),
        "alert_items_delivered": sum(1 for i in alert_items if i.alerted_at is not None),
        "other_items_alerted": sum(1 for i in timed if not i.alert_rule and i.alerted_at is not None),
        "runs": stats,
        "load_start": load_start,
        "load_end": load_average(),
        "load_mean": statistics.fmean(sampler.samples) if sampler.samples else 0.0,
        "load_max": max(sampler.samples, default=0.0),
        "wall_minutes": (time.monotonic() - started) / 60,
        "warm_up_minutes": warm_up_minutes,
        "webhooks": len(hook.received),
        "items": [
            {
                "number": i.number,
                "feed": i.article.feed,
                "alert_rule": i.alert_rule,
                "published_at": i.published_at,
                "searchable_after": i.searchable_after(),
                "alerted_after": i.alerted_after(),
                "alerted_rules": i.alerted_rules,
            }
            for i in timed
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=30.0, help="publication phase (default 30)")
    parser.add_argument("--items", type=int, default=50, help="articles published (default 50)")
    parser.add_argument("--feeds", type=int, default=4, help="outlets, one feed each (default 4, at most 5)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument(
        "--alert-share", type=float, default=0.3, help="share of the articles written to fire an alert"
    )
    parser.add_argument(
        "--poll-interval",
        type=int,
        default=0,
        help="the feeds' poll_interval_minutes (default: the schedule's interval)",
    )
    parser.add_argument(
        "--schedule-minutes",
        type=int,
        default=0,
        help="override the DAG's default schedule (a trial; the report says so)",
    )
    parser.add_argument(
        "--settle-minutes", type=float, default=15.0, help="longest wait after the last publication"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, state) afterwards")
    parser.add_argument("--no-write", action="store_true", help="print only, leave bench/results.md alone")
    parser.add_argument(
        "--report", type=Path, help="render (and write) the table of an earlier soak's raw figures instead"
    )
    parser.add_argument("--before", type=Path, help="raw figures of an earlier soak to compare with")
    parser.add_argument("--before-label", default="", help="what differed in that earlier soak")
    args = parser.parse_args(argv)
    if args.report:
        raw = args.report
        result = json.loads(raw.read_text(encoding="utf-8"))
    else:
        result = soak(args)
        WORK_DIR.mkdir(parents=True, exist_ok=True)
        raw = WORK_DIR / f"soak-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
        raw.write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    before = None
    if args.before:
        before = {**json.loads(args.before.read_text(encoding="utf-8")), "label": args.before_label}
    text = render(result, before)
    print(text)
    print(f"raw figures: {raw}")
    if not args.no_write:
        write_section(text)
        print(f"written: {RESULTS_MD} ({SECTION[3:]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
