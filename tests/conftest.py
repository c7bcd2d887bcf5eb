"""Shared fixtures: a real Elasticsearch node for the tests that need one, a local feed server,
per-test prefixes.

Only tests that ask for the cluster (`es`, `es_url` or `es_node`, directly or through a
fixture) start the session node; the others get an `ES_URL` that fails any request and fails
the test that made it. Every server takes a free port and every node a home of its own, so two
sessions on one machine never meet.

Integration tests are never skipped: if the node cannot start, the session errors with the
node's own log so CI says why.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

# Airflow reads its configuration on first import: give the session a throwaway home of its
# own (never the caller's: two sessions must not share its database) before anything imports
# it. DAGs start unpaused so asset events queue their consumers.
os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="vigie-airflow-")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(Path(__file__).resolve().parent.parent / "dags"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "False")

import pytest

if TYPE_CHECKING:
    from hostile_server import HostileServer

    from enrich.pipeline import Enricher
from elasticsearch import Elasticsearch

from vigie.core.settings import REPO_ROOT, Settings
from vigie.dev.feedserver import SAMPLE_SITE, FeedServer
from vigie.store import node as esnode

atexit.register(shutil.rmtree, os.environ["AIRFLOW_HOME"], ignore_errors=True)

FIXTURE_SITE = REPO_ROOT / "tests" / "fixtures" / "site"
# A test whose fixture closure holds one of these gets the cluster; the others never start it.
CLUSTER_FIXTURES = frozenset({"es", "es_url", "es_node"})


@pytest.fixture(scope="session", autouse=True)
def _private_state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Code that builds `Settings()` outside the `settings` fixture writes into this session's
    temporary tree, never into the shared default (~/.local/state/vigie)."""
    old = os.environ.get("VIGIE_STATE_DIR")
    os.environ["VIGIE_STATE_DIR"] = str(tmp_path_factory.mktemp("session-state"))
    yield
    if old is None:
        os.environ.pop("VIGIE_STATE_DIR", None)
    else:
        os.environ["VIGIE_STATE_DIR"] = old


class PrivateNodes:
    """Elasticsearch nodes of a test's own, on free ports, each in a home of its own (homes are
    keyed by name and port) that is removed when the node is discarded."""

    def __init__(self) -> None:
        self.started: list[esnode.Node] = []

    def start(
        self, name: str, heap: str = "256m", prepare: Callable[[esnode.Node], None] | None = None
    ) -> esnode.Node:
        """Start a node on two free ports (http, transport); `prepare(node)` runs first, on its
        home. Free ports are not reserved: when another process takes one before the node binds
        it, the node is retried on fresh ports."""
        attempts = 3
        for attempt in range(1, attempts + 1):
            http_port, transport_port = esnode.free_ports(2)
            node = esnode.Node(name=name, http_port=http_port, transport_port=transport_port, heap=heap)
            if prepare is not None:
                prepare(node)
            self.started.append(node)
            try:
                return esnode.start(node)
            except esnode.NodeError as error:
                lost_port = any(
                    s in str(error) for s in ("BindException", "already in use", "already answers")
                )
                self.discard(node)
                if attempt == attempts or not lost_port:
                    raise
        raise AssertionError("unreachable")

    def discard(self, node: esnode.Node) -> None:
        """Stop the node if it runs (SIGKILL: its data is about to go anyway) and remove its home."""
        esnode.kill(node)
        shutil.rmtree(node.home, ignore_errors=True)
        if node in self.started:
            self.started.remove(node)


@pytest.fixture(scope="session")
def enricher() -> Enricher:
    """One enricher (the real spaCy model, loaded once) for every enrichment test of the session;
    it keeps no state between documents."""
    from enrich.pipeline import Enricher

    return Enricher()


@pytest.fixture(scope="session")
def private_nodes() -> Iterator[PrivateNodes]:
    """Starts nodes of a test's own (drills that kill them); whatever is left is discarded."""
    nodes = PrivateNodes()
    yield nodes
    for node in list(nodes.started):
        nodes.discard(node)


@pytest.fixture(scope="session")
def es_node(private_nodes: PrivateNodes) -> Iterator[esnode.Node]:
    """The session's local node: started on free ports and removed at the end.

    Opt-in reuse: with `VIGIE_TEST_ES_PORT` set, a node already answering on that port (a
    developer's) is reused and left running, else one is started there and stopped after.
    With `ES_URL` set (an external cluster) nothing is started and this node is not running.
    """
    fixed_port = os.environ.get("VIGIE_TEST_ES_PORT")
    if os.environ.get("ES_URL"):
        yield esnode.Node(name="pytest", http_port=int(fixed_port or 0))
        return
    if fixed_port:
        node = esnode.Node(name="pytest", http_port=int(fixed_port))
        if esnode.health(node.url) is not None:
            yield node
            return
        try:
            esnode.start(node)
        except esnode.NodeError as error:
            pytest.fail(
                f"Elasticsearch could not start, integration tests cannot run:\n{error}", pytrace=False
            )
        yield node
        esnode.stop(node, wipe=True)
        return
    try:
        node = private_nodes.start("pytest", heap="512m")
    except esnode.NodeError as error:
        pytest.fail(f"Elasticsearch could not start, integration tests cannot run:\n{error}", pytrace=False)
    yield node
    esnode.stop(node)  # SIGTERM, as a developer's `vigie es down` would
    private_nodes.discard(node)


@pytest.fixture(scope="session")
def es_url(es_node: esnode.Node) -> str:
    """URL of a running cluster: `ES_URL` if set, else the session's local node."""
    return os.environ.get("ES_URL") or es_node.url


class Tripwire:
    """A listening socket that closes every connection at once and counts them: the `ES_URL` of
    tests that did not ask for the cluster, so a request to it fails and is noticed."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.connections = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:  # closed
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._sock.close()


@pytest.fixture(scope="session")
def es_tripwire() -> Iterator[Tripwire]:
    tripwire = Tripwire()
    yield tripwire
    tripwire.close()


@pytest.fixture
def es_down_url() -> Iterator[str]:
    """A URL where nothing answers (connection refused), for tests of an unreachable cluster:
    a free port held bound, never listening, so nothing else can listen there meanwhile."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def prefix(request: pytest.FixtureRequest) -> str:
    """An index prefix of this test's own, so tests never see each other's documents."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def settings(
    request: pytest.FixtureRequest, prefix: str, tmp_path: Path, feed_server: FeedServer
) -> Iterator[Settings]:
    """Settings pointing at the test cluster (tests that ask for it) or at a tripwire (the
    others: any request to it fails the test), this test's prefix, a private state dir, and
    the local feed server allow-listed past the SSRF guard."""
    tripwire: Tripwire | None = None
    touched = 0
    if CLUSTER_FIXTURES.isdisjoint(request.fixturenames):
        tripwire = request.getfixturevalue("es_tripwire")
        url = tripwire.url
        touched = tripwire.connections
    else:
        url = request.getfixturevalue("es_url")
    env = {
        "ES_URL": url,
        "VIGIE_INDEX_PREFIX": prefix,
        "VIGIE_STATE_DIR": str(tmp_path / "state"),
        # Every port of 127.0.0.1 (test servers take free ports); the cluster and Kibana stay
        # refused (ssrf:own_service).
        "VIGIE_ALLOW_HOSTS": "127.0.0.1:*",
        "VIGIE_FETCH_HOST_DELAY": "0",  # politeness delay: real sites get 1 s, the test server none
        "VIGIE_POLL_DUE_ONLY": "false",  # tests poll again within seconds; test_feedhealth checks intervals
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
    if tripwire is not None and tripwire.connections != touched:
        pytest.fail(
            f"{request.node.nodeid} sent {tripwire.connections - touched} connection(s) to Elasticsearch "
            "without asking for the cluster: request the `es` (or `es_url`) fixture",
            pytrace=False,
        )


@pytest.fixture
def es(settings: Settings, es_url: str) -> Iterator[Elasticsearch]:
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


@pytest.fixture
def site() -> Iterator[HostileServer]:
    """A hostile web server on 127.0.0.1 (tests/hostile_server.py), a free port per test."""
    from hostile_server import HostileServer

    with HostileServer() as server:
        yield server
