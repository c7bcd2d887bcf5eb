"""Canonical URLs: tracking junk collapses to one article id, meaningful parts are kept."""

from __future__ import annotations

import pytest

from ingest.fetch import Fetcher, FetchPolicy
from ingest.parse import parse_feed
from ingest.urls import article_id, canonicalize_url
from vigie.core.models import stable_id
from vigie.core.settings import Settings
from vigie.dev.feedserver import FeedServer

BASE = "https://www.lemonde.fr/international/article/2025/03/11/drones-moscou_6578.html"


@pytest.mark.parametrize(
    "variant",
    [
        BASE,
        BASE + "?utm_source=rss&utm_medium=feed&utm_campaign=international",
        BASE + "?xtor=RSS-3208",
        BASE + "?fbclid=IwAR0abc&gclid=xyz",
        BASE + "?mc_cid=1&mc_eid=2&igshid=3&at_medium=4&at_campaign=5",
        BASE + "#commentaires",
        "HTTPS://WWW.LEMONDE.FR:443/international/article/2025/03/11/drones-moscou_6578.html",
        "https://www.lemonde.fr./international/article/2025/03/11/drones-moscou_6578.html?UTM_Source=x",
        "  " + BASE + "?  ",
    ],
)
def test_tracking_variants_collapse_to_one_id(variant: str) -> None:
    assert canonicalize_url(variant) == BASE
    assert article_id(variant) == stable_id(BASE)


def test_meaningful_parts_are_kept() -> None:
    assert (
        canonicalize_url("https://ex.org/Article/ABC?id=7") == "https://ex.org/Article/ABC?id=7"
    )  # path case
    assert canonicalize_url("https://ex.org/a?b=2&a=1&utm_x=1") == "https://ex.org/a?a=1&b=2"  # sorted
    assert canonicalize_url("http://ex.org:8080/a") == "http://ex.org:8080/a"  # non-default port
    assert canonicalize_url("http://ex.org:80") == "http://ex.org/"
    assert canonicalize_url("https://user:pw@ex.org/a") == "https://ex.org/a"  # no credentials stored
    assert canonicalize_url("https://ex.org/a?q=a+b") == canonicalize_url("https://ex.org/a?q=a%20b")
    assert canonicalize_url("https://ex.org/été") == "https://ex.org/%C3%A9t%C3%A9"
    assert canonicalize_url("https://ex.org/%c3%a9t%c3%a9") == "https://ex.org/%C3%A9t%C3%A9"


def test_international_host_names_use_idna() -> None:
    assert canonicalize_url("https://Défense.example/actu") == "https://xn--dfense-bva.example/actu"
    assert article_id("https://défense.example/actu") == article_id("https://xn--dfense-bva.example/actu")


@pytest.mark.parametrize(
    "bad", ["javascript:alert(1)", "ftp://ex.org/a", "mailto:a@b.c", "https:///nohost", ""]
)
def test_non_web_urls_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        canonicalize_url(bad)


def test_the_tracked_feed_link_of_003_gets_the_id_of_its_clean_url(
    settings: Settings, feed_server: FeedServer
) -> None:
    with Fetcher(settings, FetchPolicy(host_delay=0.0)) as fetcher:
        fetched = fetcher.fetch(feed_server.url("/feeds/international.xml"))
    assert fetched.content is not None
    items = parse_feed(fetched.content, fetched.url, "international").items
    tracked = next(i for i in items if "utm_source" in i.link)
    assert "xtor=RSS-3208" in tracked.link
    clean = feed_server.url("/articles/2025/07/15/trump-zelensky-frapper-moscou-saint-petersbourg.html")
    assert canonicalize_url(tracked.link) == clean
    assert article_id(tracked.link) == article_id(clean) == article_id(clean + "?xtor=RSS-1#top")
