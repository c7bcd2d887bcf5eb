"""Canonical article URLs: one article, one URL, one id, whatever tracking junk the feed adds.

`canonicalize_url` drops what does not change the document (tracking parameters, fragment,
default port, letter case of scheme and host, parameter order) and keeps what may (path case,
the other query parameters). `article_id` hashes the result, so the same article reached through
`?utm_source=rss` and through a newsletter link gets the same Elasticsearch id.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import idna

from vigie.core.models import stable_id

# Query parameters that only say how the reader arrived (campaign, click and mailing ids).
# Matched case-insensitively; prefixes end with "_" or ".".
TRACKING_PREFIXES = ("utm_", "at_", "mtm_", "pk_", "hsa_", "wt.", "ga_", "oly_", "vero_")
TRACKING_PARAMS = frozenset(
    {
        "xtor",  # AT Internet (Le Monde, Le Figaro, franceinfo...)
        "xts",
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ocid",
        "cmpid",
        "ns_campaign",
        "ns_mchannel",
        "ns_source",
        "ns_linkname",
        "ns_fee",
        "s_cid",
        "smid",
        "ref_src",
        "ref_url",
        "__twitter_impression",
        "at_medium",
        "at_campaign",
        "ito",
    }
)
DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left as they are in a path: RFC 3986 unreserved + sub-delims + ":@/" + "%" (already-escaped).
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _canonical_host(host: str) -> str:
    host = host.strip().rstrip(".").lower()
    if not host:
        raise ValueError("URL without a host")
    if ":" in host:  # an IPv6 literal (brackets already removed by urlsplit)
        return f"[{host}]"
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise ValueError(f"invalid international host name {host!r}: {error}") from error


def canonicalize_url(url: str) -> str:
    """The canonical form of an http(s) URL; raises ValueError for anything else."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = _canonical_host(parts.hostname or "")
    try:
        port = parts.port
    except ValueError as error:  # "http://host:99999/"
        raise ValueError(f"invalid port in {url!r}") from error
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    # Credentials are dropped: they do not identify the document and must not be stored.
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    path = _ESCAPE.sub(lambda m: m.group(0).upper(), path)
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    query = urlencode(sorted(params), quote_via=quote)
    return urlunsplit((scheme, netloc, path, query, ""))


def article_id(url: str) -> str:
    """The Elasticsearch id of the article at `url`: a hash of its canonical URL."""
    return canonical_id(canonicalize_url(url))


def canonical_id(canonical_url: str) -> str:
    """`article_id` of a URL that is canonical already (no second canonicalisation)."""
    return stable_id(canonical_url)


def host_of(url: str) -> str:
    """Lower-case host of `url` without a leading "www." ("" if there is none)."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host
