"""The deliver task's fixed cost (issue 17): a pass with nothing pending never reads the alert
rules, and one with an alert to send reads only their notifiers (building the rules' lexicons
and conditions takes seconds). Real node, real webhook receiver."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from elasticsearch import Elasticsearch

from vigie.alerting.engine import AlertEngine
from vigie.alerting.rules import RulesError, load_rules
from vigie.core.accounting import RunSummary
from vigie.core.models import Article, stable_id
from vigie.core.settings import Settings
from vigie.dev.webhook import WebhookReceiver
from vigie.run import tasks

TEXT = "Un général a jugé « plausible » une frappe nucléaire tactique sur la base aérienne de Rzeszów."


def write_rules(path: Path, webhook_url: str, lexicon: str | None = None) -> None:
    """One rule notifying the webhook; with `lexicon`, its condition names that lexicon (which
    the file does not define: the notifiers are fine, the rule is not)."""
    condition = (
        {"sentence": {"all": [lexicon]}}
        if lexicon
        else {"phrase": {"words": "frappe nucléaire", "max_distance": 2}}
    )
    path.write_text(
        yaml.safe_dump(
            {
                "version": 1,
                "notifiers": {"desk": {"type": "webhook", "url": webhook_url, "max_attempts": 1}},
                "rules": [
                    {
                        "name": "frappe_nucleaire",
                        "severity": "critical",
                        "notifiers": ["desk"],
                        "condition": condition,
                    }
                ],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )


def test_deliver_reads_the_rules_only_when_an_alert_is_pending(
    es: Elasticsearch, settings: Settings, tmp_path: Path
) -> None:
    rules_file = tmp_path / "rules.yaml"
    settings = dataclasses.replace(settings, rules_file=rules_file)
    with WebhookReceiver() as hook:
        write_rules(rules_file, hook.url)
        url = "https://observatoire.example/rzeszow-menace"
        article = Article(
            id=stable_id(url),
            url=url,
            original_url=url,
            feed="test",
            source="observatoire.example",
            title="Rzeszów dans le viseur",
            text=TEXT,
            published=datetime(2025, 9, 3, 7, 30, tzinfo=UTC),
            language="fr",
            enriched=True,
            story_id="story-rzeszow",
        )
        assert len(AlertEngine(settings, es).evaluate([article], [], RunSummary())) == 1

        # Delivering needs the notifiers only: a rule broken since the alert was raised (its
        # lexicon gone) does not hold the alert back.
        write_rules(rules_file, hook.url, lexicon="menaces_disparues")
        with pytest.raises(RulesError, match="menaces_disparues"):
            load_rules(rules_file)
        assert tasks.deliver("run-with-an-alert", settings) == 1
        assert [r.body["url"] for r in hook.received] == [url]

        # Nothing pending now: the next pass must not need the rules at all.
        rules_file.unlink()
        assert tasks.deliver("run-with-nothing", settings) == 0
        assert len(hook.received) == 1
