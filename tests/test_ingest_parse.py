"""Feed parsing over HTTP: hostile XML refused, broken XML salvaged, Latin-1 decoded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ingest.fetch import Fetcher, FetchPolicy
from ingest.parse import ParsedFeed, entity_declaration, parse_feed
from vigie.core.accounting import RunSummary
from vigie.core.settings import Settings
from vigie.dev.feedserver import FeedServer

FAST = FetchPolicy(
    connect_timeout=2.0, read_timeout=2.0, total_timeout=10.0, backoff_base=0.01, host_delay=0.0
)


@pytest.fixture
def fetcher(settings: Settings) -> Iterator[Fetcher]:
    with Fetcher(settings, FAST) as f:
        yield f


def _poll(fetcher: Fetcher, server: FeedServer, path: str, summary: RunSummary | None = None) -> ParsedFeed:
    result = fetcher.fetch(server.url(path))
    assert result.content is not None, result.error
    return parse_feed(
        result.content, result.final_url or path, path, content_type=result.content_type, summary=summary
    )


def test_the_sample_feeds_parse(fetcher: Fetcher, feed_server: FeedServer) -> None:
    parsed = _poll(fetcher, feed_server, "/feeds/international.xml")
    assert parsed.error is None and len(parsed.items) == 4
    first = parsed.items[0]
    assert first.guid == "veilleur-intl:article:2025-09-18:57102"
    assert first.link == feed_server.url(
        "/articles/2025/09/18/russie-intensifie-frappes-apres-sommet-alaska.html"
    )
    assert first.published is not None and first.published.isoformat() == "2025-09-18T07:00:00+00:00"
    assert first.summary and first.summary.startswith("Suite à une rencontre récente")


def test_a_truncated_feed_keeps_its_complete_items(fetcher: Fetcher, feed_server: FeedServer) -> None:
    summary = RunSummary()
    parsed = _poll(fetcher, feed_server, "/feeds/truncated.xml", summary)
    assert parsed.error == "xml:malformed" and parsed.bozo and parsed.bozo_message
    assert [item.link.rsplit("/", 1)[1] for item in parsed.items] == [
        "english-article.html",
        "syndicated-copy-000.html",
        "same-story-other-outlet.html",
    ]
    # the fourth item, cut in the middle of its description, is dropped with a reason
    assert [reason for _, reason in parsed.skipped] == ["feed:incomplete_item"]
    assert summary.get("feed_items") == 3 and summary.get("feed_items", "skipped") == 1
    assert summary.stages["feed_parse"].reasons == {"accepted:xml": 1}


def test_a_latin1_feed_decodes_its_accents(fetcher: Fetcher, feed_server: FeedServer) -> None:
    parsed = _poll(fetcher, feed_server, "/feeds/latin1.xml")
    assert parsed.error is None and parsed.encoding == "iso-8859-1"
    assert [item.title for item in parsed.items] == [
        "Frappes sur l'infrastructure énergétique à Kharkiv",
        "Défense aérienne : Moscou dit avoir abattu 337 drones, « du jamais vu » depuis le début de la guerre",
    ]


@pytest.mark.parametrize("path", ["/feeds/billion-laughs.xml", "/feeds/external-entity.xml"])
def test_entity_declarations_are_refused_before_parsing(
    fetcher: Fetcher, feed_server: FeedServer, path: str
) -> None:
    summary = RunSummary()
    parsed = _poll(fetcher, feed_server, path, summary)
    assert parsed.error == "xml:entity_declaration" and parsed.items == []
    assert (
        summary.failures[0].reason == "xml:entity_declaration" and summary.failures[0].stage == "feed_parse"
    )


def test_the_entity_gate_only_reads_the_prolog() -> None:
    legacy = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91"><channel><title>t</title>'
        b"<item><title>&lt;!ENTITY in text&gt;</title><link>https://example.org/a</link></item></channel></rss>"
    )
    assert entity_declaration(legacy) is None  # a plain DOCTYPE is fine, "<!ENTITY" in content too
    parsed = parse_feed(legacy, "https://example.org/rss", "legacy")
    assert parsed.error is None and [i.title for i in parsed.items] == ["<!ENTITY in text>"]
    broken_prolog = b"\x00junk<!DOCTYPE x [<!ENTITY a 'b'>]><rss/>"
    assert entity_declaration(broken_prolog) == "xml:entity_declaration"
    utf16 = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>'.encode("utf-16")
    assert entity_declaration(utf16) == "xml:entity_declaration"


def test_items_without_a_usable_link_are_skipped_with_a_reason(
    feed_server: FeedServer, fetcher: Fetcher
) -> None:
    feed_server.publish(
        "/feeds/odd.xml",
        """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>odd</title>
        <item><title>sans lien</title><guid isPermaLink="false">x1</guid></item>
        <item><title>javascript</title><link>javascript:alert(1)</link></item>
        <item><title>bon</title><link>{BASE_URL}/articles/english-article.html</link></item>
        <item><title>bon encore</title><link>{BASE_URL}/articles/english-article.html</link></item>
        </channel></rss>""",
    )
    summary = RunSummary()
    parsed = _poll(fetcher, feed_server, "/feeds/odd.xml", summary)
    assert [i.title for i in parsed.items] == ["bon"]
    assert [reason for _, reason in parsed.skipped] == [
        "feed:item_without_link",
        "feed:invalid_link",
        "feed:repeated_item",
    ]
    assert summary.get("feed_items", "skipped") == 3


def test_garbage_is_unparseable_not_an_exception(fetcher: Fetcher, feed_server: FeedServer) -> None:
    result = fetcher.fetch(feed_server.url("/_drill/garbage?n=7"))
    assert result.content
    parsed = parse_feed(result.content, feed_server.url("/_drill/garbage?n=7"), "garbage")
    assert parsed.items == [] and parsed.error == "xml:unparseable"
    assert parse_feed(b"  ", "https://example.org/", "empty").error == "feed:empty_body"


def test_atom_feeds_and_html_summaries() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom"><title>a</title>
      <entry><id>urn:x:1</id><title>Frappe</title><link rel="alternate" href="https://example.org/a?b=1"/>
        <updated>2025-03-11T10:00:00+01:00</updated><summary type="html">&lt;p&gt;Un &lt;b&gt;texte&lt;/b&gt;&lt;/p&gt;</summary>
      </entry></feed>"""
    parsed = parse_feed(atom, "https://example.org/atom", "atom")
    (item,) = parsed.items
    assert item.guid == "urn:x:1" and item.link == "https://example.org/a?b=1"
    assert item.summary == "Un texte" and item.published is not None and item.published.hour == 9
