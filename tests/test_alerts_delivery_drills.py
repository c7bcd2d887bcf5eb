"""Delivery drills (issue 15, item 6), with the real pipeline, the real node (one of the test's
own where a node is stopped), real receivers on 127.0.0.1 and the real spaCy model:

- the node is stopped in the middle of a delivery pass: each alert reaches the webhook and the
  mailbox exactly once, and every delivery ends "sent" once the node is back;
- a webhook that hangs: ingestion completes while it is still hung (it never waits on delivery),
  and each alert is delivered once;
- the same corpus with small and large batches, and killed then resumed, gives the same stories
  and the same alerts.
"""

from __future__ import annotations

import dataclasses
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan
from helpers import registry_feed
from test_alerts_delivery import Mailbox, Receiver, free_port, raise_alerts, rules, stored

from vigie.alerting import delivery as delivery_module
from vigie.alerting.delivery import deliver_pending
from vigie.core.accounting import RunSummary
from vigie.core.settings import REPO_ROOT, Settings
from vigie.dev.feedserver import FeedServer
from vigie.run.pipeline import Pipeline
from vigie.store import node as esnode
from vigie.store.es import client, install_templates, uninstall_templates

if TYPE_CHECKING:
    from conftest import PrivateNodes

if str(REPO_ROOT) not in sys.path:  # `bench` is a repository folder, not an installed package
    sys.path.insert(0, str(REPO_ROOT))


# -- the node stopped during delivery --------------------------------------------------------------


@pytest.fixture(scope="module")
def delivery_node(private_nodes: PrivateNodes) -> Iterator[esnode.Node]:
    """A node of this module's own: the drill stops it (never the session node)."""
    try:
        node = private_nodes.start("delivery-drill", heap="256m")
    except esnode.NodeError as error:
        pytest.fail(f"drill node could not start:\n{error}", pytrace=False)
    yield node
    private_nodes.discard(node)


@pytest.fixture
def mailbox() -> Iterator[tuple[int, Mailbox]]:
    from aiosmtpd.controller import Controller

    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, box
    controller.stop()


@pytest.mark.slow
def test_the_node_stopped_during_delivery_sends_each_alert_once_per_channel(
    delivery_node: esnode.Node,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mailbox: tuple[int, Mailbox],
) -> None:
    """Twelve alerts, a webhook and a mailbox, claims four alerts at a time. The webhook kills
    the node when the fifth alert reaches it: the rest of that chunk is still sent (its claims
    hold), its outcomes cannot be written and go to the journal, and the pass stops. With the
    node back, the next pass writes the journal and sends the last four alerts."""
    port, box = mailbox
    env = {
        "ES_URL": delivery_node.url,
        "VIGIE_INDEX_PREFIX": "drilldeliver",
        "VIGIE_STATE_DIR": str(tmp_path / "state"),
        "VIGIE_ALLOW_HOSTS": "127.0.0.1:*",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(delivery_module, "CLAIM_CHUNK", 4)
    settings = Settings()
    es = client(settings, max_retries=0)  # an unreachable node fails at once
    es.indices.delete(index="drilldeliver-*", ignore_unavailable=True, allow_no_indices=True)
    install_templates(es, settings)
    hook = Receiver()
    try:
        hook.on_request = lambda n: esnode.kill(delivery_node) if n == 5 else None
        ruleset = rules({"url": hook.url, "timeout_seconds": 5}, port)
        alerts = raise_alerts(es, settings, ruleset, 12)

        first = RunSummary()
        with pytest.raises(ESConnectionError):
            deliver_pending(es, settings, first, rules=ruleset)
        assert esnode.health(delivery_node.url) is None
        assert first.get("alert_delivery") == 16  # two chunks: 8 alerts x 2 channels
        assert len(list((settings.state_dir / "delivery_journal").glob("*.jsonl"))) == 1

        esnode.start(delivery_node)
        second = RunSummary()
        deliver_pending(client(settings), settings, second, rules=ruleset)
        deliver_pending(client(settings), settings, RunSummary(), rules=ruleset)  # nothing left
    finally:
        hook.stop()

    assert second.metrics["alerts:delivery_journal_replayed"] == 8  # chunk 2's outcomes
    assert second.get("alert_delivery") == 8  # the last four alerts
    assert hook.counts() == {alert.id: 1 for alert in alerts}
    assert Counter(box.message_ids) == {f"<{alert.id}.mail@vigie.local>": 1 for alert in alerts}
    final = stored(client(settings), settings)
    assert {a.status for a in final.values()} == {"sent"}
    assert {(d.status, d.attempts) for a in final.values() for d in a.deliveries} == {("sent", 1)}
    assert not list((settings.state_dir / "delivery_journal").glob("*.jsonl"))
    client(settings).indices.delete(index="drilldeliver-*", ignore_unavailable=True, allow_no_indices=True)


# -- a webhook that hangs, beside ingestion --------------------------------------------------------

PARAGRAPHS = {
    "menace": (
        "Le ministre russe de la Défense a de nouveau évoqué jeudi la possibilité d'une frappe "
        "nucléaire tactique contre les pays qui livrent des armes à l'Ukraine. Les capitales "
        "européennes ont dénoncé une rhétorique irresponsable et convoqué les ambassadeurs russes."
    ),
    "port": (
        "Un incendie s'est déclaré dans le port de Marioupol après une série d'explosions dans un "
        "entrepôt de carburant. Les pompiers ont lutté toute la nuit pour contenir les flammes, "
        "selon les autorités locales, qui n'ont signalé aucune victime."
    ),
    "doctrine": (
        "La doctrine révisée par le Kremlin abaisse le seuil d'une frappe nucléaire en cas "
        "d'attaque conventionnelle massive, ont souligné plusieurs analystes militaires à Berlin. "
        "L'Otan a répondu qu'elle ne modifiait pas sa posture de dissuasion."
    ),
    "recolte": (
        "Les agriculteurs de la région de Poltava ont commencé la récolte du tournesol malgré la "
        "pénurie de main-d'oeuvre. Les coopératives espèrent exporter davantage par le corridor "
        "maritime ouvert l'an dernier en mer Noire."
    ),
}


def _page(title: str, paragraph: str, published: datetime) -> str:
    body = "".join(f"<p>{paragraph} {n}</p>" for n in range(4))
    return (
        "<html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{title}</title><meta property='article:published_time' content='{published.isoformat()}'>"
        f"</head><body><article><h1>{title}</h1>{body}</article></body></html>"
    )


@pytest.mark.slow
def test_ingestion_completes_while_the_webhook_hangs_and_each_alert_goes_out_once(
    es: Elasticsearch, settings: Settings, feed_server: FeedServer, tmp_path: Path
) -> None:
    """Four articles, one batch each, two of them firing; the webhook holds every request until
    the last batch is stored. Ingestion does not wait on it: every batch is stored while the
    first alert's request is still held (and its client still waiting, since that request then
    ends "sent"). Each alert reaches the webhook once."""
    hook = Receiver()
    hook.hang = True
    start = datetime(2025, 6, 3, 6, 0, tzinfo=UTC)
    items = []
    for n, (slug, paragraph) in enumerate(PARAGRAPHS.items()):
        published = start + timedelta(hours=3 * n)
        feed_server.publish(f"/hang/{slug}.html", _page(f"Article {slug}", paragraph, published))
        items.append(
            f"<item><title>Article {slug}</title><link>{{BASE_URL}}/hang/{slug}.html</link>"
            f"<guid>hang-{slug}</guid><pubDate>{published.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        )
    feed_server.publish(
        "/hang/feed.xml",
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Hang</title>"
        f"<link>{{BASE_URL}}/</link><description>d</description>{''.join(items)}</channel></rss>",
    )
    data = {
        "version": 1,
        "notifiers": {"desk": {"type": "webhook", "url": hook.url, "timeout_seconds": 60, "max_attempts": 1}},
        "rules": [
            {
                "name": "frappe_nucleaire",
                "severity": "critical",
                "notifiers": ["desk"],
                "condition": {"phrase": {"words": "frappe nucléaire", "max_distance": 2}},
            }
        ],
    }
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    settings = dataclasses.replace(settings, rules_file=rules_file, batch_size=1, delivery_budget_seconds=30)
    held_at_batch: list[int] = []
    pipeline = Pipeline(settings=settings)

    def after_batch(articles: Any, events: Any) -> None:
        held_at_batch.append(hook.holding)
        if len(held_at_batch) == len(PARAGRAPHS):
            hook.release.set()  # ingestion is done: the webhook answers now

    pipeline.after_batch = after_batch
    try:
        summary = pipeline.run([registry_feed("hang", feed_server.url("/hang/feed.xml"))])
    finally:
        hook.stop()

    assert len(held_at_batch) == len(PARAGRAPHS)
    assert held_at_batch[-1] >= 1  # the last batch was stored while the webhook still hung
    alerts = stored(es, settings)
    assert alerts and hook.counts() == {alert_id: 1 for alert_id in alerts}
    assert {a.status for a in alerts.values()} == {"sent"}  # the held request was answered, not timed out
    assert summary.get("alert_delivery") == len(alerts)
    assert {"ingestion", "deliver_wait", "deliver"} <= set(summary.seconds)


# -- batch boundaries and restarts ---------------------------------------------------------------


class Killed(Exception):
    """The run dies after some batches."""


def _run(settings: Settings, feed_server: FeedServer, info: Any, batch: int, kill_after: int = 0) -> None:
    from ingest.feeds import load_feeds

    settings = dataclasses.replace(settings, batch_size=batch)
    feeds = load_feeds(info.feeds_file, base_url=feed_server.base_url)
    if kill_after:
        finished: list[int] = []

        class Dying(Pipeline):
            def finish_batch(self, batch: Any) -> Any:
                if len(finished) == kill_after:
                    raise Killed
                finished.append(1)
                return super().finish_batch(batch)

        with pytest.raises(Killed):
            Dying(settings=settings).run(feeds)
    Pipeline(settings=settings).run(feeds)


def _outcome(es: Elasticsearch, settings: Settings) -> tuple[dict[str, Any], dict[str, str | None]]:
    es.indices.refresh(index=f"{settings.index_prefix}-*")
    alerts = {
        hit["_id"]: (
            hit["_source"]["rule"],
            hit["_source"]["story_id"],
            hit["_source"]["window_start"],
            sorted(hit["_source"]["article_ids"]),
        )
        for hit in scan(es, index=settings.index("alerts"))
    }
    stories = {
        hit["_id"]: hit["_source"].get("story_id") for hit in scan(es, index=settings.index("articles"))
    }
    return alerts, stories


@pytest.mark.slow
def test_the_same_corpus_gives_the_same_alerts_whatever_the_batches_and_after_a_restart(
    es: Elasticsearch, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """60 generated articles over three days, many stories spanning more than one 24 h window:
    batches of 30, batches of 6, and batches of 12 killed after two batches then resumed.
    Candidates were cut in article-id order: each cut interleaved times differently, so story
    ids, alert windows and which copy stays the original changed (46 alerts against 47 here)."""
    from bench.corpus import generate

    info = generate(60, 7, tmp_path_factory.mktemp("corpus") / "c")
    outcomes = []
    with FeedServer([info.site]) as server:
        for name, batch, kill_after in (("large", 30, 0), ("small", 6, 0), ("resumed", 12, 2)):
            run_settings = dataclasses.replace(
                settings, index_prefix=f"{settings.index_prefix}-{name}", state_dir=settings.state_dir / name
            )
            install_templates(es, run_settings)
            _run(run_settings, server, info, batch, kill_after)
            outcomes.append(_outcome(es, run_settings))
            es.indices.delete(index=f"{run_settings.index_prefix}-*", ignore_unavailable=True)
            uninstall_templates(es, run_settings)
    (alerts, stories), *others = outcomes
    assert len(alerts) >= 20 and len(stories) >= 50
    for other_alerts, other_stories in others:
        assert other_stories == stories
        assert other_alerts == alerts
