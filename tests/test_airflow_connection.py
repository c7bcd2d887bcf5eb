"""The Elasticsearch connection of the DAG tasks (vigie.run.airflow_support.task_settings):
credentials of any characters reach the cluster as an Authorization header (a `#`, `@`, `/` or
`%` in a password used to break the URL), are never shown, and a connection that is missing or
unusable stops the task with one line instead of falling back to a local node.

The connection is given as Airflow reads it from the environment (AIRFLOW_CONN_<ID>, JSON)."""

from __future__ import annotations

import base64
import json
import logging
import threading
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from vigie.run.airflow_support import ConnectionConfigError, task_settings

LOGIN = "ingest user"
PASSWORD = "p#ss@w/rd:%41é?x"
ENV = "AIRFLOW_CONN_ELASTICSEARCH_DEFAULT"


class FakeNode(ThreadingHTTPServer):
    """Answers GET / as an Elasticsearch node does and records each Authorization header."""

    def __init__(self) -> None:
        self.authorizations: list[str | None] = []
        node = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                node.authorizations.append(self.headers.get("Authorization"))
                body = json.dumps({"name": "fake", "version": {"number": "9.5.4"}, "tagline": "x"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Elastic-Product", "Elasticsearch")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.port = self.server_address[1]


@pytest.fixture
def node() -> Iterator[FakeNode]:
    server = FakeNode()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_es_url(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("ES_URL", raising=False)
    return monkeypatch


def test_credentials_of_any_characters_reach_the_cluster(
    node: FakeNode,
    no_es_url: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from vigie.store.es import client

    conn = {
        "conn_type": "elasticsearch",
        "host": "127.0.0.1",
        "port": node.port,
        "login": LOGIN,
        "password": PASSWORD,
    }
    no_es_url.setenv(ENV, json.dumps(conn))
    with caplog.at_level(logging.INFO, logger="vigie.run.airflow_support"):
        settings = task_settings()
    assert settings.es_external and settings.es_url.endswith(f"@127.0.0.1:{node.port}")
    es = client(settings, max_retries=0)
    es.info()
    es.close()
    expected = "Basic " + base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
    assert node.authorizations == [expected]
    # Airflow's structlog writes to the console, or to stdlib logging once Airflow configured it.
    shown = "".join(capsys.readouterr()) + caplog.text
    assert PASSWORD not in shown and "p%23ss" not in shown and "***@127.0.0.1" in shown


@pytest.mark.parametrize(
    ("conn", "says"),
    [
        ({"conn_type": "elasticsearch", "port": 9200, "password": PASSWORD, "login": "u"}, "has no host"),
        (
            {"conn_type": "elasticsearch", "host": "es", "schema": "ftp", "password": PASSWORD},
            "http or https",
        ),
        (
            {"conn_type": "elasticsearch", "host": "es", "port": 70000, "password": PASSWORD},
            "not a usable address",
        ),
        ({"conn_type": "elasticsearch", "host": "es/x@y", "password": PASSWORD}, "not a usable address"),
    ],
)
def test_an_unusable_connection_stops_the_task_without_its_password(
    conn: dict[str, object], says: str, no_es_url: pytest.MonkeyPatch
) -> None:
    no_es_url.setenv(ENV, json.dumps(conn))
    with pytest.raises(ConnectionConfigError, match=says) as raised:
        task_settings()
    assert "elasticsearch_default" in str(raised.value)
    assert PASSWORD not in "".join(traceback.format_exception(raised.value))  # chained ones too


def test_a_missing_or_unreadable_connection_never_falls_back_to_a_local_node(
    no_es_url: pytest.MonkeyPatch,
) -> None:
    no_es_url.delenv(ENV, raising=False)
    with pytest.raises(ConnectionConfigError, match="not found or unreadable"):
        task_settings()
    # Airflow reads a malformed connection as missing: the task still stops, naming it.
    no_es_url.setenv(ENV, '{"conn_type": "elasticsearch", "host": "es", "port": "abc", "password": "x#y"}')
    with pytest.raises(ConnectionConfigError, match="elasticsearch_default") as raised:
        task_settings()
    assert "x#y" not in str(raised.value)


def test_es_url_wins_over_the_connection(node: FakeNode, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ES_URL", f"http://127.0.0.1:{node.port}")
    monkeypatch.setenv(ENV, json.dumps({"conn_type": "elasticsearch"}))  # unusable, and unread
    assert task_settings().es_url == f"http://127.0.0.1:{node.port}"
