"""Elasticsearch connection, capability detection and template installation.

The client always targets `Settings.es_url` (the local node by default, `ES_URL` otherwise).
Index templates live in `index_mappings/` as JSON with a `{{prefix}}` placeholder so tests can
install an isolated copy per test under their own prefix.
"""

from __future__ import annotations

from elasticsearch import Elasticsearch

from vigie.config import Settings, get_settings


def client(settings: Settings | None = None, **kwargs: object) -> Elasticsearch:
    settings = settings or get_settings()
    options: dict[str, object] = {"request_timeout": 30, "retry_on_timeout": False, "max_retries": 0}
    options.update(kwargs)
    return Elasticsearch(settings.es_url, **options)  # type: ignore[arg-type]
