"""The local news site behaves like a real web server: validators, 304s, content types."""

from __future__ import annotations

import json

import httpx

from vigie.dev.feedserver import SAMPLE_SITE, FeedServer


def test_feed_has_absolute_links_to_this_server(feed_server: FeedServer) -> None:
    response = httpx.get(feed_server.url("/feeds/international.xml"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/rss+xml")
    assert "{BASE_URL}" not in response.text
    assert f"{feed_server.base_url}/articles/" in response.text


def test_etag_and_last_modified_give_304(feed_server: FeedServer) -> None:
    first = httpx.get(feed_server.url("/feeds/direct.xml"))
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    by_etag = httpx.get(feed_server.url("/feeds/direct.xml"), headers={"If-None-Match": etag})
    by_date = httpx.get(feed_server.url("/feeds/direct.xml"), headers={"If-Modified-Since": last_modified})
    stale = httpx.get(feed_server.url("/feeds/direct.xml"), headers={"If-None-Match": '"other"'})
    assert (by_etag.status_code, by_date.status_code, stale.status_code) == (304, 304, 200)
    assert by_etag.content == b""


def test_published_item_changes_the_etag(feed_server: FeedServer) -> None:
    before = httpx.get(feed_server.url("/feeds/direct.xml")).headers["etag"]
    feed_server.publish("/feeds/direct.xml", "<rss version='2.0'><channel><title>x</title></channel></rss>")
    after = httpx.get(feed_server.url("/feeds/direct.xml"), headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["etag"] != before


def test_latin1_page_is_served_as_latin1(feed_server: FeedServer) -> None:
    headers = json.loads((SAMPLE_SITE / "_headers.json").read_text(encoding="utf-8"))
    latin1 = [path for path, kind in headers.items() if "iso-8859-1" in kind.lower()]
    assert latin1, "the sample site must serve one page in ISO-8859-1"
    response = httpx.get(feed_server.url(latin1[0]))
    assert "iso-8859-1" in response.headers["content-type"].lower()
    assert "Moscou frappée" in response.content.decode("iso-8859-1")
    try:
        response.content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:  # pragma: no cover - the point of the page
        raise AssertionError("the ISO-8859-1 page decodes as UTF-8: it is not latin-1 encoded")


def test_path_traversal_is_refused(feed_server: FeedServer) -> None:
    response = httpx.get(feed_server.url("/../../pyproject.toml"))
    assert response.status_code == 404


def test_every_manifest_page_is_served(feed_server: FeedServer) -> None:
    manifest = json.loads((SAMPLE_SITE.parent / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest) == 5
    for doc in manifest:
        assert httpx.get(feed_server.url(doc["page"])).status_code == 200


def test_two_roots_stack(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "extra.txt").write_text("hello")
    with FeedServer([SAMPLE_SITE, tmp_path]) as server:
        assert httpx.get(server.url("/extra.txt")).text == "hello"
        assert httpx.get(server.url("/feeds/direct.xml")).status_code == 200
