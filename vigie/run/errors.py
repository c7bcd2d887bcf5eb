"""One line for every error a command can end on, and an exit code that says which kind.

`describe(error)` turns an exception into `(line, code)`: what went wrong and where (the URL,
the file, the field), on one line, without a traceback (`vigie --debug` shows it):

* 1 -- the work itself failed (Elasticsearch or Kibana refused a request, an unexpected error);
* 2 -- configuration: an environment variable, a file (registry, rules, saved objects, data
  files), a command-line value, a missing model;
* 3 -- a service Vigie needs does not answer (Elasticsearch, Kibana, the local node).

Secrets never reach the line: a password in a URL is masked.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_UNREACHABLE = 3

_SPACES = re.compile(r"\s+")
_BULLET = re.compile(r"^\s*-\s+")  # "  - problem" lines of a list


def one_line(text: str, limit: int = 600) -> str:
    """`text` on one line: line breaks joined with "; ", runs of spaces collapsed."""
    parts = [_BULLET.sub("", _SPACES.sub(" ", line)).strip() for line in str(text).splitlines()]
    joined = "; ".join(p for p in parts if p)
    joined = "".join(ch for ch in joined if ch.isprintable())
    return joined if len(joined) <= limit else joined[: limit - 1] + "…"


def masked(url: str) -> str:
    """`url` with its password (if any) replaced by ***."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _es_url() -> str:
    try:
        from vigie.core.settings import get_settings

        return masked(get_settings().es_url)
    except Exception:  # an invalid setting is reported by itself
        return "ES_URL"


def describe(error: BaseException) -> tuple[str, int]:
    """The one line and the exit code for `error`."""
    import yaml
    from elastic_transport import ConnectionError as TransportConnectionError
    from elastic_transport import ConnectionTimeout, TransportError
    from elasticsearch import ApiError

    from enrich.model import MissingModelError
    from ingest.feeds import FeedConfigError
    from vigie.alerting.rules import RulesError
    from vigie.core.resources import ResourceError
    from vigie.core.settings import SettingsError
    from vigie.store.kibana import KibanaError, KibanaImportError, KibanaUnreachable
    from vigie.store.node import NodeError
    from vigie.store.search import SearchError

    if isinstance(error, SettingsError):
        return f"invalid setting: {one_line(str(error))}", EXIT_CONFIG
    if isinstance(error, RulesError):
        return f"rules file {error.path}: {one_line('; '.join(error.problems))}", EXIT_CONFIG
    if isinstance(error, FeedConfigError):
        return f"feed registry: {one_line(str(error))}", EXIT_CONFIG
    if isinstance(error, MissingModelError | ResourceError | SearchError):
        return one_line(str(error)), EXIT_CONFIG
    if isinstance(error, ConnectionTimeout | TransportConnectionError):
        cause = one_line(str(getattr(error, "message", "") or error))
        return f"Elasticsearch at {_es_url()} unreachable: {cause}", EXIT_UNREACHABLE
    if isinstance(error, ApiError):
        info = error.info if isinstance(error.info, dict) else {}
        detail = info.get("error", {}) if isinstance(info.get("error"), dict) else {}
        reason = detail.get("reason") or error.message
        kind = detail.get("type") or type(error).__name__
        return (
            f"Elasticsearch at {_es_url()} refused the request ({error.meta.status} {kind}): {one_line(str(reason))}",
            EXIT_FAILED,
        )
    if isinstance(error, TransportError):
        return f"Elasticsearch at {_es_url()}: {one_line(str(error))}", EXIT_UNREACHABLE
    if isinstance(error, KibanaUnreachable):
        return one_line(str(error)), EXIT_UNREACHABLE
    if isinstance(error, KibanaError):
        unreachable = "unreachable" in str(error)
        return one_line(str(error)), EXIT_UNREACHABLE if unreachable else EXIT_FAILED
    if isinstance(error, KibanaImportError):
        return one_line(str(error)), EXIT_FAILED
    if isinstance(error, NodeError):
        first = str(error).strip().splitlines()[0] if str(error).strip() else "the node did not start"
        return f"Elasticsearch node: {one_line(first)}", EXIT_UNREACHABLE
    if isinstance(error, yaml.YAMLError):
        return f"invalid YAML: {one_line(str(error))}", EXIT_CONFIG
    if isinstance(error, FileNotFoundError | IsADirectoryError | NotADirectoryError | PermissionError):
        where = error.filename if getattr(error, "filename", None) else ""
        return f"{where}: {error.strerror or error}" if where else one_line(str(error)), EXIT_CONFIG
    if isinstance(error, OSError):
        return one_line(f"{type(error).__name__}: {error}"), EXIT_FAILED
    if _is_data_error(error):
        return one_line(str(error)), EXIT_CONFIG
    return (
        f"unexpected error: {type(error).__name__}: {one_line(str(error))} (vigie --debug ... shows the traceback)",
        EXIT_FAILED,
    )


def _is_data_error(error: BaseException) -> bool:
    """A value Vigie cannot use: a data file of the distribution that does not load (schema,
    reference), a saved-object line, an index prefix."""
    import jsonschema

    from enrich.datafiles import DataFileError

    return isinstance(error, DataFileError | jsonschema.ValidationError | ValueError) and not isinstance(
        error, UnicodeError
    )
