"""The processes a benchmark run talks to: the Elasticsearch node (`ES_URL`, or a dedicated
`bench` node started and wiped here) and the feed server serving a corpus site; and the
description of the machine and node the report opens with."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil

from bench.common import BENCH_DIR, MiB


def serve(site: Path) -> None:
    """Serve a corpus site until stdin closes (the parent's end)."""
    from vigie.dev.feedserver import FeedServer

    with FeedServer([site]) as server:
        print(server.base_url, flush=True)
        sys.stdin.read()


@contextlib.contextmanager
def feed_server(site: Path) -> Iterator[str]:
    """`serve` in a process of its own (`python -m bench.run --serve SITE`); yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.run", "--serve", str(site)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=BENCH_DIR.parent,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        if not base_url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"feed server did not start (said {base_url!r})")
        yield base_url
    finally:
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def elasticsearch_url() -> Iterator[str]:
    """ES_URL, or the dedicated bench node, stopped and wiped afterwards."""
    if os.environ.get("ES_URL"):
        yield os.environ["ES_URL"]
        return
    from vigie.store import node as esnode

    http_port, transport_port = esnode.free_ports(2)  # another run may share the machine
    node = esnode.Node(name="bench", http_port=http_port, transport_port=transport_port, heap="1g")
    print(f"starting Elasticsearch node 'bench' on {node.url} ...", file=sys.stderr, flush=True)
    esnode.start(node)
    try:
        yield node.url
    finally:
        esnode.stop(node, wipe=True)


def drop_indices(es_url: str, prefix: str) -> None:
    """Delete the indices and templates under `prefix`."""
    import httpx

    httpx.delete(f"{es_url}/{prefix}-*?expand_wildcards=all", timeout=60)
    for kind in ("_index_template", "_component_template"):
        httpx.delete(f"{es_url}/{kind}/{prefix}-*", timeout=60)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine(es_url: str) -> dict[str, str]:
    import httpx

    cpu = platform.processor() or "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    node = next(iter(httpx.get(f"{es_url}/_nodes/jvm", timeout=10).json()["nodes"].values()))
    jvm = node["jvm"]
    heap = jvm.get("mem", {}).get("heap_max_in_bytes", 0) // MiB
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": f"{psutil.virtual_memory().total / 1024**3:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "elasticsearch": f"{node['version']} (heap {heap} MiB)",
        "jdk": f"{jvm.get('vm_name', '?')} {jvm.get('version', '?')}",
        "load average (start)": load_average(),
    }
