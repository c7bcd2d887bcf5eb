"""The project's own Elasticsearch node: a JDK >= 21, an unprivileged user, the pinned version."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from elasticsearch import __versionstr__ as client_version

from vigie.store import node as esnode

if TYPE_CHECKING:
    from conftest import PrivateNodes


def test_picks_a_jdk_of_at_least_21() -> None:
    java_home = esnode.find_java()
    major = esnode._java_major(java_home)
    assert major is not None and major >= esnode.MIN_JAVA


def test_client_major_matches_server(es_url: str) -> None:
    nodes = httpx.get(f"{es_url}/_nodes/_local").json()["nodes"]
    server_version = next(iter(nodes.values()))["version"]
    assert server_version.split(".")[0] == client_version.split(".")[0]
    if not os.environ.get("ES_URL"):
        assert server_version == esnode.ES_VERSION


def test_node_runs_unprivileged_on_loopback(es_url: str, es_node: esnode.Node) -> None:
    if os.environ.get("ES_URL"):
        return
    status = esnode.status(es_node)
    assert status["health"] == "green"
    pid = int(str(status["pid"]))
    # setpriv execs the JVM launcher in place: the recorded pid is the node's process group.
    uids = {
        int(Path(f"/proc/{p}/status").read_text().split("Uid:")[1].split()[0])
        for p in os.listdir("/proc")
        if p.isdigit() and Path(f"/proc/{p}/stat").exists() and os.getpgid(int(p)) == pid
    }
    assert uids and 0 not in uids, f"node processes run as {uids}"
    http = httpx.get(f"{es_url}/_nodes/_local/http").json()["nodes"]
    bound = next(iter(http.values()))["http"]["bound_address"]
    assert all(address.startswith(("127.0.0.1", "[::1]")) for address in bound)


def test_minimal_distribution_lacks_analysis_common(es_url: str) -> None:
    """Documents the gap the templates work around (README: 'What the minimal node lacks')."""
    if os.environ.get("ES_URL"):
        return
    response = httpx.post(
        f"{es_url}/_analyze", json={"tokenizer": "standard", "filter": ["asciifolding"], "text": "é"}
    )
    assert response.status_code == 400


def test_stop_is_clean_and_wipes_on_request(private_nodes: PrivateNodes) -> None:
    """SIGTERM reaches the whole process group and the node shuts down itself (its log says
    "closed"), not by the SIGKILL fallback; --wipe removes its data. A node of its own, on free
    ports: never the session node."""
    if os.environ.get("ES_URL"):
        return
    node = private_nodes.start("pytest-stop", heap="256m")
    pid = int(str(esnode.status(node)["pid"]))
    assert esnode.stop(node, wipe=True)
    assert not esnode._group_alive(pid)
    assert esnode.health(node.url) is None
    log = node.log_file.read_text(errors="replace")
    assert "closed" in log and "SIGKILL" not in log.split("starting ...")[-1]
    assert not node.data_dir.exists()
    private_nodes.discard(node)
