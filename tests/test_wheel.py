"""The built wheel works on its own: built from the checkout, installed in a fresh virtualenv
outside it (nothing of the checkout on its path), then `vigie es install-templates` and
`vigie run` against the test cluster and the sample site. This is what `make wheel-check` runs.

Its data (index templates, rules, Kibana objects, the feed registry, enrich data, the sample
site) must come from inside the installed package (`vigie.core.resources`).

Slow: the fresh virtualenv installs every dependency from the package index (Airflow, spaCy
and the French model included); the time it took is printed (`pytest -s`) and kept in the
test report's properties.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from elasticsearch import Elasticsearch

from vigie.core.settings import REPO_ROOT, Settings
from vigie.dev.feedserver import FeedServer

pytestmark = pytest.mark.slow

# Not part of the package: never copied into the build tree.
SKIP = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    ".*_cache",
    "tests",
    "bench",
    ".vigie",
)
SHIPPED = [
    "vigie/resources/index_mappings/index_templates/articles.json",
    "vigie/resources/index_mappings/component_templates/analysis-french.json",
    "vigie/resources/alerts/rules.yaml",
    "vigie/resources/alerts/rules.schema.json",
    "vigie/resources/kibana/dashboards.ndjson",
    "vigie/resources/sample_corpus/feeds.yaml",
    "vigie/resources/sample_corpus/site/feeds/direct.xml",
    "ingest/feeds.yaml",
    "ingest/feeds.schema.json",
    "enrich/data/kb.yaml",
    "enrich/data/triggers.yaml",
]


@dataclass(frozen=True)
class Installed:
    venv: Path
    workdir: Path  # outside the checkout: every command runs here
    install_seconds: float

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(self.venv)
        env.update(extra)
        return env

    def run(self, *args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(a) for a in args],
            cwd=self.workdir,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, (
            f"{args} -> {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
        return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built with pip from a copy of the checkout (the build writes build/ and
    *.egg-info next to the sources: not into a working tree others use). The copy keeps the
    symbolic links of vigie/resources, as a clone has them."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "src"
    shutil.copytree(REPO_ROOT, source, symlinks=True, ignore=SKIP)
    dist = root / "dist"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = dist.glob("vigie-*.whl")
    return built


def test_the_wheel_carries_the_data_files(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert set(SHIPPED) <= names, sorted(set(SHIPPED) - names)
        assert not any(n.startswith(("tests/", "bench/", "dags/")) for n in names)
        # Every kibana object and template of the checkout, as files (not links).
        for folder, pattern in (("kibana", "*.ndjson"), ("index_mappings", "*/*.json")):
            for path in (REPO_ROOT / folder).glob(pattern):
                name = f"vigie/resources/{folder}/{path.relative_to(REPO_ROOT / folder)}"
                assert archive.read(name) == path.read_bytes(), name


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A fresh virtualenv outside the checkout with the wheel and its dependencies."""
    root = tmp_path_factory.mktemp("venv")
    venv, workdir = root / "venv", root / "work"
    workdir.mkdir()
    base_python = getattr(sys, "_base_executable", sys.executable)  # not the checkout's .venv
    subprocess.run([base_python, "-m", "venv", str(venv)], check=True, cwd=workdir, timeout=120)
    started = time.monotonic()
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    print(f"\nwheel + dependencies installed in a fresh virtualenv in {seconds:.0f} s")
    return Installed(venv=venv, workdir=workdir, install_seconds=seconds)


def test_the_fresh_virtualenv_does_not_see_the_checkout(installed: Installed) -> None:
    code = (
        "import json, sys, vigie, ingest, enrich\n"
        "from vigie.core.resources import files\n"
        "print(json.dumps({'path': sys.path, 'modules': [vigie.__file__, ingest.__file__, enrich.__file__],"
        " 'data': [str(files(k)) for k in ('index_mappings', 'alerts', 'kibana', 'sample_corpus',"
        " 'feeds', 'enrich_data')]}))"
    )
    seen = json.loads(installed.run(installed.bin / "python", "-c", code).stdout)
    checkout = str(REPO_ROOT)
    for entry in [*seen["path"], *seen["modules"], *seen["data"]]:
        assert not entry.startswith(checkout), entry
    site = str(installed.venv)
    assert all(m.startswith(site) for m in seen["modules"] + seen["data"])


@pytest.fixture
def wheel_cluster(settings: Settings, es_url: str) -> Iterator[Elasticsearch]:
    """A client on the test cluster; what the wheel's commands create under this test's prefix
    is removed afterwards."""
    es = Elasticsearch(es_url)
    yield es
    es.indices.delete(index=f"{settings.index_prefix}-*", ignore_unavailable=True, allow_no_indices=True)
    es.options(ignore_status=404).indices.delete_index_template(name=f"{settings.index_prefix}-*")
    es.options(ignore_status=404).cluster.delete_component_template(name=f"{settings.index_prefix}-*")
    es.close()


def test_the_installed_wheel_indexes_the_sample_site(
    installed: Installed,
    settings: Settings,
    wheel_cluster: Elasticsearch,
    feed_server: FeedServer,
    record_property: pytest.RecordProperty,
) -> None:
    record_property("install_seconds", round(installed.install_seconds))
    env = {
        "ES_URL": settings.es_url,
        "VIGIE_INDEX_PREFIX": settings.index_prefix,
        "VIGIE_STATE_DIR": str(installed.workdir / "state"),
        "VIGIE_ALLOW_HOSTS": "127.0.0.1:*",
        "VIGIE_FETCH_HOST_DELAY": "0",
    }
    vigie = installed.bin / "vigie"
    report = json.loads(installed.run(vigie, "es", "install-templates", **env).stdout)
    families = {path.stem for path in (REPO_ROOT / "index_mappings" / "index_templates").glob("*.json")}
    assert report["prefix"] == settings.index_prefix and len(report["index_templates"]) == len(families) >= 5
    assert wheel_cluster.indices.get_index_template(name=f"{settings.index_prefix}-articles")

    summary_path = installed.workdir / "summary.json"
    installed.run(
        vigie,
        "run",
        "--feeds",
        str(REPO_ROOT / "sample_corpus" / "feeds.yaml"),
        "--base-url",
        feed_server.base_url,
        "--summary-json",
        str(summary_path),
        timeout=600,
        **env,
    )
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    wheel_cluster.indices.refresh(index=f"{settings.index_prefix}-*")
    # The sample site's five articles, enriched (the knowledge base inside the package).
    assert wheel_cluster.count(index=settings.index("articles"))["count"] == 5, summary
    assert wheel_cluster.count(index=settings.index("events"))["count"] > 0, summary
    # The rules inside the package (alerts/rules.yaml) were loaded and matched.
    rules = {
        hit["_source"]["rule"] for hit in wheel_cluster.search(index=settings.index("alerts"))["hits"]["hits"]
    }
    assert "attaque_massive_drones" in rules, summary


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_installed_wheel_serves_the_sample_site(installed: Installed) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [str(installed.bin / "vigie"), "serve", "--port", str(port)],
        cwd=installed.workdir,
        env=installed.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/feeds/direct.xml", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "vigie serve did not start"
                time.sleep(0.2)
        assert response.status_code == 200 and b"<rss" in response.content
        assert (
            f"http://127.0.0.1:{port}/feeds/direct.xml".encode() in response.content
        )  # {BASE_URL} filled in
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout:
            server.stdout.close()
