"""Feed parsing attacks (issue 13, items 1, 5, 7 and 9, and the feed hygiene list). Each feed
is served over real HTTP by `tests/hostile_server.py`, fetched by the real `Fetcher` and parsed
by `parse_feed`; `run()` returns the parse outcome (reason code, items kept).

- local_path_body / dev_zero_body: a feed whose body is a local path (feedparser used to open
  it: a file read, or reading /dev/zero until MemoryError);
- attributes_100k: one element with 100,000 attributes (1.09 MB; 178 s in feedparser);
- namespaces_40k: 40,000 namespace prefixes, each used once (1.4 MB; 99 s in feedparser);
- deep_nesting_200k: 200,000 unclosed elements (super-linear in the loose parser);
- elements_1m: a million empty elements (4 MB);
- worst_under_limits: the costliest document the structure limits let through (every
  prefix allowed, as many elements in an unknown namespace as allowed): the bounded worst case;
- utf32_billion_laughs / utf16_billion_laughs: billion laughs in UTF-32 (with its mark) and
  UTF-16 (no mark, charset in the header);
- truncated_utf8: a UTF-8 feed cut inside a multi-byte character (read as windows-1252);
- style_urls / unclosed_comments: HTML summaries on which feedparser's sanitizer runs a
  quadratic regular expression (no time bound can stop a C call: the sanitizer is off now);
- invalid_references: `&#xD800;`, `&#99999999999;` in a title (feedparser raised: the
  exception escaped `parse_feed`);
- html_entities: a French feed using `&eacute;`/`&nbsp;` (reported malformed).

The documents are built by the functions below; `tests/test_hostile_feeds.py` uses the same.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from bench.attacks import Attack

GOOD_LINK = "https://example.org/articles/le-bon-article.html"
PARSE_TIMEOUT = 30.0  # ingest.parse.PARSE_TIME_LIMIT (not imported: the module must load on old code)


# -- documents -----------------------------------------------------------------------------


def item(title: str = "Le bon article", link: str = GOOD_LINK, extra: str = "") -> str:
    return (
        f"<item><title>{title}</title><link>{link}</link>"
        f"<description>Résumé de l’article.</description>{extra}</item>"
    )


def rss(*items: str, prolog: str = '<?xml version="1.0" encoding="utf-8"?>', root_attrs: str = "") -> str:
    return (
        f'{prolog}<rss version="2.0"{root_attrs}><channel><title>Le Veilleur</title>'
        f"<link>https://example.org/</link>{''.join(items)}</channel></rss>"
    )


def many_attributes(n: int = 100_000) -> bytes:
    """A good item, then an item whose title carries `n` attributes."""
    attributes = " ".join(f'a{i}="x"' for i in range(n))
    hostile = f"<item><title {attributes}>x</title><link>https://example.org/h</link></item>"
    return rss(item(), hostile).encode()


def many_namespaces(n: int = 40_000) -> bytes:
    """A good item, then an item with `n` elements, each in a namespace of its own."""
    elements = "".join(f'<p{i}:x xmlns:p{i}="urn:x:{i}"/>' for i in range(n))
    return rss(item(), item("Hostile", "https://example.org/h", elements)).encode()


def deep_nesting(n: int = 200_000) -> bytes:
    """A good item, then `n` elements opened and never closed."""
    return rss(item(), item("Hostile", "https://example.org/h", "<x>" * n)).encode()


def many_elements(n: int = 1_000_000) -> bytes:
    return rss(item(), item("Hostile", "https://example.org/h", "<x/>" * n)).encode()


def worst_under_limits(prefixes: int = 99, elements: int = 99_000) -> bytes:
    """As many prefixes and unknown-namespace elements as the limits allow, and broken at the
    very end so feedparser reads it twice (strict, then loose)."""
    declarations = "".join(f' xmlns:p{i}="urn:x:{i}"' for i in range(prefixes))
    extra = "".join(f"<p{i % prefixes}:x/>" for i in range(elements))
    document = rss(item(), item("Hostile", "https://example.org/h", extra), root_attrs=declarations)
    return document.encode() + b"&undefined;"


LAUGHS = (
    '<?xml version="1.0" encoding="{label}"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10)
    )
    + ']>\n<rss version="2.0"><channel><title>&lol9;</title>'
    + item()
    + "</channel></rss>"
)


def billion_laughs(codec: str, label: str, mark: bool = True) -> bytes:
    """The billion laughs in `codec` (`label` in its declaration), with or without a mark."""
    data = LAUGHS.replace("{label}", label).encode(codec)
    if mark:
        data = "\ufeff".encode(codec) + data
    return data


TRUNCATED_TITLE = "Début – la frappe sur Kharkiv « sans précédent »"


def truncated_utf8() -> bytes:
    """Three whole items, the fourth cut inside the "é" of its title."""
    titles = [TRUNCATED_TITLE, "Défense aérienne : 337 drones abattus", "L’armée avance à Pokrovsk"]
    items = [item(t, f"https://example.org/a{n}") for n, t in enumerate(titles)]
    whole = rss(*items, item("Frappe près d’Odessa", "https://example.org/a3")).encode()
    cut = whole.index("Frappe près".encode()) + len(b"Frappe pr") + 1  # first byte of "è"
    return whole[:cut]


def style_urls(n: int = 200_000) -> bytes:
    """A good item, then one whose (escaped) HTML summary has a style attribute of `n` times
    `url(` (800 KB): feedparser's sanitizer strips CSS urls with a regular expression that is
    quadratic on it, inside one C call (80 KB took 15 s)."""
    hostile = f'&lt;p style="{"url(" * n}"&gt;Frappe sur Kharkiv&lt;/p&gt;'
    return rss(
        item(), item("Hostile", "https://example.org/h").replace("Résumé de l’article.", hostile)
    ).encode()


def unclosed_comments(n: int = 250_000) -> bytes:
    """A good item, then one whose (escaped) HTML summary opens `n` comments (1 MB): the
    sanitizer looks for each one's end from every `--` on (560 KB took 8 s)."""
    hostile = "Frappe sur Kharkiv " + "&lt;!--" * n
    return rss(
        item(), item("Hostile", "https://example.org/h").replace("Résumé de l’article.", hostile)
    ).encode()


def invalid_references() -> bytes:
    """A good item, then one whose title refers to a surrogate and to a character past
    U+10FFFF (feedparser's loose parser raised on them, out of `parse_feed`)."""
    hostile = item("Frappe &#xD800; et &#99999999999; puis &#0;", "https://example.org/h")
    return rss(item(), hostile).encode()


def html_entities() -> bytes:
    """A well-formed feed but for HTML named entities (undefined in XML)."""
    return rss(
        item("Kharkiv&nbsp;: frappe nucl&eacute;aire", "https://example.org/a1"),
        item("L&rsquo;arm&eacute;e fran&ccedil;aise &agrave; Gao", "https://example.org/a2"),
    ).encode()


# -- running -----------------------------------------------------------------------------


def _environment() -> None:
    os.environ.setdefault("VIGIE_STATE_DIR", tempfile.mkdtemp(prefix="vigie-attack-"))
    os.environ["VIGIE_FETCH_HOST_DELAY"] = "0"
    os.environ["VIGIE_ALLOW_HOSTS"] = "127.0.0.1:*"


def serve_and_parse(body: bytes, content_type: str = "application/rss+xml", name: str = "attack") -> Any:
    """`body` served by the hostile server, fetched and parsed (the ParsedFeed)."""
    _environment()
    from hostile_server import HostileServer, respond

    from ingest.fetch import Fetcher, FetchPolicy
    from ingest.parse import parse_feed
    from vigie.core.settings import Settings

    policy = FetchPolicy(connect_timeout=5, read_timeout=5, total_timeout=30, backoff_base=0.01, host_delay=0)
    with HostileServer() as site, Fetcher(Settings(), policy) as fetcher:
        url = site.route("/feed.xml", respond(200, {"Content-Type": content_type}, body))
        result = fetcher.fetch(url)
        if result.content is None:
            return f"fetch refused: {result.error}"
        return parse_feed(result.content, url, name, content_type=result.content_type)


def _outcome(parsed: Any) -> str:
    if isinstance(parsed, str):
        return parsed
    titles = [i.title for i in parsed.items][:2]
    return f"{parsed.error or 'ok'}; {len(parsed.items)} items {titles}"


def _local_path() -> str:
    with tempfile.TemporaryDirectory() as folder:
        secret = os.path.join(folder, "secret.xml")
        with open(secret, "w", encoding="utf-8") as file:
            file.write(rss(item("SECRET local file", "https://example.org/secret")))
        return _outcome(serve_and_parse(secret.encode()))


ATTACKS = [
    Attack("local_path_body", _local_path, PARSE_TIMEOUT),
    Attack("dev_zero_body", lambda: _outcome(serve_and_parse(b"/dev/zero")), PARSE_TIMEOUT),
    Attack("attributes_100k", lambda: _outcome(serve_and_parse(many_attributes())), PARSE_TIMEOUT),
    Attack("namespaces_40k", lambda: _outcome(serve_and_parse(many_namespaces())), PARSE_TIMEOUT),
    Attack("deep_nesting_200k", lambda: _outcome(serve_and_parse(deep_nesting())), PARSE_TIMEOUT),
    Attack("elements_1m", lambda: _outcome(serve_and_parse(many_elements())), PARSE_TIMEOUT),
    Attack("worst_under_limits", lambda: _outcome(serve_and_parse(worst_under_limits())), PARSE_TIMEOUT),
    Attack(
        "utf32_billion_laughs",
        lambda: _outcome(serve_and_parse(billion_laughs("utf-32-le", "UTF-32"))),
        PARSE_TIMEOUT,
    ),
    Attack(
        "utf16_billion_laughs",
        lambda: _outcome(
            serve_and_parse(
                billion_laughs("utf-16-le", "UTF-16", mark=False), "application/rss+xml; charset=utf-16le"
            )
        ),
        PARSE_TIMEOUT,
    ),
    Attack("truncated_utf8", lambda: _outcome(serve_and_parse(truncated_utf8())), PARSE_TIMEOUT),
    Attack("style_urls", lambda: _outcome(serve_and_parse(style_urls())), PARSE_TIMEOUT),
    Attack("unclosed_comments", lambda: _outcome(serve_and_parse(unclosed_comments())), PARSE_TIMEOUT),
    Attack("invalid_references", lambda: _outcome(serve_and_parse(invalid_references())), PARSE_TIMEOUT),
    Attack("html_entities", lambda: _outcome(serve_and_parse(html_entities())), PARSE_TIMEOUT),
]
