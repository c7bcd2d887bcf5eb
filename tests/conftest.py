"""Shared fixtures: one real Elasticsearch node per session, a local feed server, per-test prefixes.

Integration tests are never skipped: if the node cannot start, the session errors with the
node's own log so CI says why.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

# Airflow reads its configuration on first import: give the session a throwaway home
# before anything imports it. DAGs start unpaused so asset events queue their consumers.
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="vigie-airflow-"))
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(Path(__file__).resolve().parent.parent / "dags"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "False")

import pytest
from elasticsearch import Elasticsearch

from vigie.core.settings import REPO_ROOT, Settings
from vigie.dev.feedserver import SAMPLE_SITE, FeedServer
from vigie.store import node as esnode

FIXTURE_SITE = REPO_ROOT / "tests" / "fixtures" / "site"
TEST_NODE = esnode.Node(name="pytest", http_port=int(os.environ.get("VIGIE_TEST_ES_PORT", "9251")))


@pytest.fixture(scope="session")
def es_url() -> Iterator[str]:
    """URL of a running cluster: `ES_URL` if set, else a node this session starts and stops."""
    external = os.environ.get("ES_URL")
    if external:
        yield external
        return
    if esnode.health(TEST_NODE.url) is not None:  # a node left running (a developer's): reuse it
        yield TEST_NODE.url
        return
    try:
        esnode.start(TEST_NODE)
    except esnode.NodeError as error:
        pytest.fail(f"Elasticsearch could not start, integration tests cannot run:\n{error}", pytrace=False)
    yield TEST_NODE.url
    esnode.stop(TEST_NODE, wipe=True)


@pytest.fixture(scope="session")
def es_node() -> esnode.Node:
    """The node object, for drills that kill and restart it (local node only)."""
    return TEST_NODE


@pytest.fixture
def prefix(request: pytest.FixtureRequest) -> str:
    """An index prefix of this test's own, so tests never see each other's documents."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def settings(es_url: str, prefix: str, tmp_path: Path, feed_server: FeedServer) -> Iterator[Settings]:
    """Settings pointing at the test node, this test's prefix, a private state dir, and the
    local feed server allow-listed past the SSRF guard."""
    env = {
        "ES_URL": es_url,
        "VIGIE_INDEX_PREFIX": prefix,
        "VIGIE_STATE_DIR": str(tmp_path / "state"),
        "VIGIE_ALLOW_HOSTS": "127.0.0.1",
        "VIGIE_FETCH_HOST_DELAY": "0",  # politeness delay: real sites get 1 s, the test server none
    }
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield Settings()
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def es(settings: Settings) -> Iterator[Elasticsearch]:
    """A client on the test cluster, with this test's templates installed; its indices are
    deleted afterwards."""
    from vigie.store.es import client, install_templates, uninstall_templates

    es_client = client(settings)
    install_templates(es_client, settings)
    yield es_client
    es_client.indices.delete(
        index=f"{settings.index_prefix}-*", ignore_unavailable=True, allow_no_indices=True
    )
    uninstall_templates(es_client, settings)
    es_client.close()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """The sample site (and the test fixture site behind it) on 127.0.0.1, a fresh port per test."""
    roots = [SAMPLE_SITE, FIXTURE_SITE] if FIXTURE_SITE.is_dir() else [SAMPLE_SITE]
    with FeedServer(roots) as server:
        yield server
