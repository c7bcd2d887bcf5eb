"""The feed registry (schema-validated, errors name feed and field) and feed health checks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ingest.feeds import FeedConfigError, check_feeds, load_feeds
from ingest.fetch import Fetcher, FetchPolicy
from vigie.core.accounting import RunSummary
from vigie.core.settings import REPO_ROOT, Settings
from vigie.dev.feedserver import FeedServer

REGISTRY = REPO_ROOT / "ingest" / "feeds.yaml"
SAMPLE = REPO_ROOT / "sample_corpus" / "feeds.yaml"


def test_the_registry_covers_french_international_and_defence_news() -> None:
    feeds = load_feeds(REGISTRY)
    assert len(feeds) >= 15
    assert len({f.name for f in feeds}) == len(feeds)
    assert {f.language for f in feeds} == {"fr"}
    assert {"FR", "CH", "BE"} <= {f.country for f in feeds}
    assert sum(f.category == "defence" for f in feeds) >= 4
    assert all(f.url.startswith("https://") for f in feeds)
    assert "could NOT be checked" in REGISTRY.read_text(encoding="utf-8")


def test_base_url_placeholder(tmp_path: Path) -> None:
    feeds = load_feeds(SAMPLE, base_url="http://127.0.0.1:8123/")
    assert [(f.name, f.url) for f in feeds] == [
        ("international", "http://127.0.0.1:8123/feeds/international.xml"),
        ("direct", "http://127.0.0.1:8123/feeds/direct.xml"),
    ]
    with pytest.raises(FeedConfigError, match=r"feed 'international' \(feeds\[0\]\) field 'url'.*base_url"):
        load_feeds(SAMPLE)


def _broken(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    document = yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))
    edit(document["feeds"])
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda f: f[2].update(url="ftp://example.org/rss"),
            r"feed 'liberation-international' \(feeds\[2\]\) field 'url'",
        ),
        (
            lambda f: f[0].pop("country"),
            r"feed 'lemonde-international' \(feeds\[0\]\): 'country' is a required",
        ),
        (
            lambda f: f[1].update(poll_interval_minutes=0),
            r"feed 'lefigaro-international' \(feeds\[1\]\) field 'poll_interval_minutes'",
        ),
        (lambda f: f[3].update(category="sport"), r"feed 'lacroix-monde' \(feeds\[3\]\) field 'category'"),
        (
            lambda f: f[4].update(colour="red"),
            r"feed 'ouestfrance-monde' \(feeds\[4\]\).*'colour' was unexpected",
        ),
        (
            lambda f: f[5].update(name=f[4]["name"]),
            r"feed 'ouestfrance-monde' \(feeds\[5\]\) field 'name': duplicate of feeds\[4\]",
        ),
        (lambda f: f[6].update(name="Not A Slug"), r"feed 'Not A Slug' \(feeds\[6\]\) field 'name'"),
    ],
)
def test_schema_errors_name_the_feed_and_field(tmp_path: Path, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FeedConfigError, match=message):
        load_feeds(_broken(tmp_path, edit))


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    def two_errors(feeds: list[dict]) -> None:
        feeds[0]["language"] = "French"
        feeds[7]["country"] = "fr"

    with pytest.raises(FeedConfigError) as error:
        load_feeds(_broken(tmp_path, two_errors))
    assert len(str(error.value).splitlines()) == 2


def test_disabled_feeds_are_left_out(tmp_path: Path) -> None:
    path = _broken(tmp_path, lambda f: f[0].update(enabled=False))
    assert "lemonde-international" not in {f.name for f in load_feeds(path)}
    assert "lemonde-international" in {f.name for f in load_feeds(path, include_disabled=True)}


def test_check_feeds_reports_health_without_eating_the_next_poll(
    settings: Settings, feed_server: FeedServer, tmp_path: Path
) -> None:
    registry = tmp_path / "feeds.yaml"
    registry.write_text(
        yaml.safe_dump(
            {
                "feeds": [
                    {
                        "name": n,
                        "title": n,
                        "url": "{BASE_URL}" + p,
                        "language": "fr",
                        "country": "FR",
                        "poll_interval_minutes": 5,
                        "category": "international",
                    }  # fmt: skip
                    for n, p in [
                        ("international", "/feeds/international.xml"),
                        ("truncated", "/feeds/truncated.xml"),
                        ("laughs", "/feeds/billion-laughs.xml"),
                        ("missing", "/feeds/missing.xml"),
                        ("empty", "/feeds/empty.xml"),
                    ]
                ]
            }
        ),
        encoding="utf-8",
    )
    feed_server.publish(
        "/feeds/empty.xml",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>e</title></channel></rss>',
    )
    feeds = load_feeds(registry, base_url=feed_server.base_url)
    summary = RunSummary()
    with Fetcher(settings, FetchPolicy(host_delay=0.0)) as fetcher:
        health = {h.name: h for h in check_feeds(feeds, fetcher, summary)}
        assert (health["international"].status, health["international"].items) == ("ok", 4)
        assert health["international"].answered_at is not None and health["international"].error is None
        assert (health["truncated"].status, health["truncated"].items, health["truncated"].error) == (
            "degraded",
            3,
            "xml:malformed",
        )
        assert (health["laughs"].status, health["laughs"].error) == ("error", "xml:entity_declaration")
        assert (health["missing"].status, health["missing"].error, health["missing"].http_status) == (
            "error",
            "http_404",
            404,
        )
        assert health["missing"].answered_at is None
        assert (health["empty"].status, health["empty"].items) == ("empty", 0)
        assert summary.get("feed_check", "refused") == 2
        # The check stored no validators: the pipeline's next conditional poll still gets the items.
        assert fetcher.fetch(feeds[0].url, conditional=True).status == 200
