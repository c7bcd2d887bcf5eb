"""What the DAGs need from Airflow at task run time (never at parse time).

The Elasticsearch URL comes from `ES_URL` when set, else from the Airflow Connection
`elasticsearch_default` (host, port, schema = http or https, login/password). Nothing else:
a connection that is missing, cannot be read (Airflow reports an undecryptable or malformed
connection as missing) or cannot be used (no host, a port that is not a number) stops the task
with one line naming it, never a silent fall back to a local node (`make demo` sets `ES_URL`).
Login and password are percent-encoded into the URL (the client decodes them into an
Authorization header) and registered with Airflow's secrets masker, raw and encoded, so
neither appears in a log or a traceback.

The pools the DAGs use are created from `deploy/pools.json` (`airflow pools import`, the
compose `airflow-init` service does it).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from vigie.core.settings import Settings, get_settings

if TYPE_CHECKING:
    from airflow.sdk import Asset

log = logging.getLogger(__name__)

ES_CONN_ID = "elasticsearch_default"
POOL_FEEDS = "vigie_news_sites"  # bounds concurrent polls against news sites
POOL_ELASTICSEARCH = "vigie_elasticsearch"  # bounds concurrent bulk/search load on the cluster
# Mapped poll_feed instances show the feed's name (the task puts it in its context).
FEED_MAP_INDEX_TEMPLATE = "{{ feed_name }}"
# States of a step that make the run fail (the final `check` task names them).
FAILED_STATES = frozenset({"failed", "upstream_failed"})


class ConnectionConfigError(RuntimeError):
    """The Airflow connection to Elasticsearch exists but cannot be used; the message names it
    and never carries its password."""


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


def batch_tasks() -> int:
    """process_batch tasks of one run at once (`VIGIE_BATCH_TASKS`, default 2): safe in any
    number, their commits take turns under the commit lease (`Pipeline.commit_section`)."""
    return get_settings().batch_tasks


def _redacted(text: str) -> str:
    """`text` with any `user:password@` of a URL masked."""
    return re.sub(r"(?<=//)[^/@\s]*@", "***@", text)


def es_url_from_connection(conn: Any) -> str:
    """The cluster URL an Airflow connection describes: `schema` is the URL scheme (http or
    https, default http), `host` a host name (or a whole http(s) URL), `port` default 9200;
    login and password percent-encoded. Raises ConnectionConfigError naming what is wrong."""
    where = f"Airflow connection {ES_CONN_ID!r}"
    host = (conn.host or "").strip()
    if not host:
        raise ConnectionConfigError(f"{where} has no host: set its host (e.g. elasticsearch) or ES_URL")
    scheme = (conn.schema or "").strip().lower() or "http"
    port: int | None = None
    if "://" in host:  # the whole URL in the host field
        parts = urlsplit(host)
        try:
            scheme, host, port = parts.scheme.lower(), parts.hostname or "", parts.port
        except ValueError:
            raise ConnectionConfigError(f"{where}: host {_redacted(conn.host)!r} is not a URL") from None
    if scheme not in ("http", "https"):
        raise ConnectionConfigError(f"{where}: schema {scheme!r} must be http or https")
    if conn.port not in (None, ""):
        try:
            port = int(conn.port)
        except (TypeError, ValueError):
            raise ConnectionConfigError(f"{where}: port {conn.port!r} is not a number") from None
    port = port or 9200
    if not 0 < port < 65536 or not host or any(c in host for c in "/@?# "):
        raise ConnectionConfigError(f"{where}: host {host!r} port {port} is not a usable address")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # IPv6
    auth = ""
    if conn.login or conn.password:
        login = quote(conn.login or "", safe="")
        password = quote(conn.password or "", safe="")
        _mask(conn.password, password)
        auth = f"{login}:{password}@" if conn.password else f"{login}@"
    return f"{scheme}://{auth}{host}:{port}"


def _mask(*secrets: str | None) -> None:
    """Register secrets with Airflow's masker (task logs, tracebacks) when it is there."""
    try:
        from airflow.sdk.log import mask_secret
    except ImportError:  # pragma: no cover - airflow without the task SDK
        return
    for secret in secrets:
        if secret:
            mask_secret(secret)


def task_settings() -> Settings:
    """Settings for a task: `ES_URL` wins, else the connection `elasticsearch_default`; a
    connection missing, unreadable or unusable raises ConnectionConfigError."""
    settings = get_settings()
    if settings.es_external:
        return settings
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = Connection.get(ES_CONN_ID)
    except AirflowNotFoundException:
        raise ConnectionConfigError(
            f"no ES_URL and Airflow connection {ES_CONN_ID!r} not found or unreadable (a malformed "
            "connection, or one encrypted with another Fernet key, reads as missing): create it "
            "(deploy/airflow-init.sh does) or set ES_URL"
        ) from None
    except Exception as error:  # noqa: BLE001 - undecryptable, backend down...: say so, never fall back
        raise ConnectionConfigError(
            f"Airflow connection {ES_CONN_ID!r} could not be read: {type(error).__name__}: "
            f"{_redacted(str(error))[:300]}"
        ) from None
    url = es_url_from_connection(conn)
    log.info("Elasticsearch from Airflow connection %s: %s", ES_CONN_ID, _redacted(url))
    return dataclasses.replace(settings, es_url=url, es_external=True)


def name_map_index(feed_name: str) -> None:
    """Give the running mapped instance its feed's name (FEED_MAP_INDEX_TEMPLATE)."""
    from airflow.sdk import get_current_context

    get_current_context()["feed_name"] = feed_name  # type: ignore[typeddict-unknown-key]


def fail_run(ti: Any, dag_id: str, run_id: str) -> None:
    """The run's verdict (the DAG's `check` task, triggered when a step failed): raise naming
    the steps that failed, so the run ends failed whatever ran after them."""
    from airflow.sdk.exceptions import AirflowFailException

    failed: list[str] = []
    try:
        states = ti.get_task_states(dag_id=dag_id, run_ids=[run_id]).get(run_id, {})
        failed = sorted(task for task, state in states.items() if state in FAILED_STATES)
    except Exception as error:  # noqa: BLE001 - the verdict stands without the names
        log.warning("could not list the failed steps: %s", error)
    raise AirflowFailException(f"run {run_id} failed: {', '.join(failed) or 'a step failed'}")
