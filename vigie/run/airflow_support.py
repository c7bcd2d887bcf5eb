"""What the DAGs need from Airflow at task run time (never at parse time).

The Elasticsearch URL comes from `ES_URL` when set, else from the Airflow Connection
`elasticsearch_default` (host, port, schema, login/password), else the local node.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from vigie.core.settings import Settings, get_settings

if TYPE_CHECKING:
    from airflow.sdk import Asset

log = logging.getLogger(__name__)

ES_CONN_ID = "elasticsearch_default"
POOL_FEEDS = "vigie_news_sites"  # bounds concurrent polls against news sites
POOL_ELASTICSEARCH = "vigie_elasticsearch"  # bounds concurrent bulk/search load on the cluster


def default_args() -> dict[str, object]:
    """Retries with exponential backoff and a timeout on every task."""
    settings = get_settings()
    return {
        "owner": "vigie",
        "retries": settings.task_retries,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
        "execution_timeout": timedelta(minutes=settings.task_timeout_minutes),
    }


def dag_defaults(doc: str | None) -> dict[str, Any]:
    """What every Vigie DAG shares: no catchup, one active run, retries and timeouts."""
    return {
        "start_date": datetime(2025, 1, 1, tzinfo=UTC),
        "catchup": False,
        "max_active_runs": 1,
        "default_args": default_args(),
        "tags": ["vigie"],
        "doc_md": doc,
    }


def indexed_articles() -> Asset:
    """The asset news_ingest updates after indexing and news_digest is scheduled on."""
    from airflow.sdk import Asset

    return Asset(name="vigie_indexed_articles", uri="vigie://elasticsearch/articles")


def schedule_interval() -> timedelta:
    return timedelta(minutes=get_settings().schedule_minutes)


def task_settings() -> Settings:
    settings = get_settings()
    if settings.es_external:
        return settings
    try:
        from airflow.sdk import Connection

        conn = Connection.get(ES_CONN_ID)
    except Exception:  # noqa: BLE001 - no such connection: keep the local default
        return settings
    scheme = conn.schema or "http"
    auth = f"{conn.login}:{conn.password}@" if conn.login else ""
    url = f"{scheme}://{auth}{conn.host}:{conn.port or 9200}"
    log.info("Elasticsearch from Airflow connection %s: %s://%s:%s", ES_CONN_ID, scheme, conn.host, conn.port)
    return dataclasses.replace(settings, es_url=url, es_external=True)
