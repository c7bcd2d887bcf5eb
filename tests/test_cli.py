"""The command line as analysts and operators use it, on the demo data in a real node:
`vigie search`, `vigie alerts list`, `vigie status`; and every error it can end on, one line
and an exit code that says which kind (1 failed, 2 configuration, 3 unreachable)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from ingest.feeds import load_feeds
from ingest.urls import article_id
from vigie.core.settings import REPO_ROOT, Settings
from vigie.dev.feedserver import SAMPLE_SITE, FeedServer

SAMPLE_FEEDS = REPO_ROOT / "sample_corpus" / "feeds.yaml"
MANIFEST = {d["doc"]: d for d in json.loads((REPO_ROOT / "sample_corpus" / "manifest.json").read_text())}


def vigie(*args: str, env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """`vigie ARGS` in a process of its own, as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-c", "from vigie.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "250", **env},
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def demo(es_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The demo: the sample site polled once into a prefix of this module's own; yields the
    environment the commands run with."""
    from vigie.run.pipeline import Pipeline
    from vigie.store.es import client, install_templates, uninstall_templates

    state = tmp_path_factory.mktemp("cli-state")
    with FeedServer([SAMPLE_SITE]) as server:
        env = {
            "ES_URL": es_url,
            "VIGIE_INDEX_PREFIX": f"t{uuid.uuid4().hex[:10]}",
            "VIGIE_STATE_DIR": str(state),
            "VIGIE_FEEDS": str(SAMPLE_FEEDS),
            "VIGIE_FEEDS_BASE_URL": server.base_url,
            "VIGIE_ALLOW_HOSTS": "127.0.0.1:*",
            "VIGIE_FETCH_HOST_DELAY": "0",
        }
        old = {key: os.environ.get(key) for key in env}
        os.environ.update(env)
        settings = Settings()
        es = client(settings)
        try:
            install_templates(es, settings)
            Pipeline(settings=settings).run(load_feeds(SAMPLE_FEEDS, base_url=server.base_url))
            es.indices.refresh(index=f"{settings.index_prefix}-*")
            yield {**env, "VIGIE_FEEDS_BASE_URL": server.base_url}
        finally:
            es.indices.delete(
                index=f"{settings.index_prefix}-*", ignore_unavailable=True, allow_no_indices=True
            )
            uninstall_templates(es, settings)
            es.close()
            for key, value in old.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def error_lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    return done.stderr.splitlines()


# --- analysts -----------------------------------------------------------------------------------


def test_search_frappe_nucleaire_prints_the_003_article(demo: dict[str, str]) -> None:
    done = vigie("search", "frappe nucléaire", env=demo)
    assert done.returncode == 0, done.stderr
    assert "Peux-tu frapper Moscou" in done.stdout and "Le Veilleur International" in done.stdout
    assert "2025-07-15" in done.stdout and "frappe nucléaire" in done.stdout  # date and passage
    assert "1 article(s)" in done.stdout

    as_json = vigie("search", "frappe nucléaire", "--json", env=demo)
    (hit,) = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert hit["id"] == article_id(demo["VIGIE_FEEDS_BASE_URL"] + MANIFEST["003"]["link_path"])
    assert "<mark>frappe nucléaire</mark>" in hit["passage"]
    assert hit["published"].startswith("2025-07-15")


def test_search_filters_by_rule_entity_event_type_story_and_time(demo: dict[str, str]) -> None:
    def hits(*args: str) -> list[dict[str, object]]:
        done = vigie("search", *args, "--json", env=demo)
        assert done.returncode == 0, done.stderr
        return [json.loads(line) for line in done.stdout.splitlines()]

    def ids(*args: str) -> set[str]:
        return {str(hit["id"]) for hit in hits(*args)}

    every = hits()
    assert len(every) == 5
    nuclear = ids("frappe nucléaire")
    assert ids("--rule", "frappe_nucleaire") == nuclear
    for kind in {t for hit in every for t in hit["event_types"]}:  # type: ignore[attr-defined]
        assert ids("--event-type", kind) == {h["id"] for h in every if kind in h["event_types"]}  # type: ignore[operator]
    drones = ids("--event-type", "air/drone strike")
    assert drones and drones == ids("--event-type", "Air/drone strike")
    assert ids("--event-type", "Explosions/Remote violence") >= drones  # the ACLED event type
    assert ids("drones", "--entity", "moscou") and ids("--entity", "Moscou") == ids("--entity", "moscou")
    assert ids("--since", "2025-07-01") == ids("--since", "2025-07-01", "--until", "2030-01-01")
    assert len(ids("--until", "2024-12-31")) == 1  # the November 2024 article
    assert ids("--since", "24h") == set()  # nothing published in the last day
    story = json.loads(vigie("search", "frappe nucléaire", "--json", env=demo).stdout)["story_id"]
    assert nuclear <= ids("--story", story)


def test_alerts_list_shows_the_demo_alerts_with_their_deliveries(
    demo: dict[str, str], es: Elasticsearch
) -> None:
    fired = es.search(index=f"{demo['VIGIE_INDEX_PREFIX']}-alerts", size=50)["hits"]["hits"]
    assert fired
    done = vigie("alerts", "list", env=demo)
    assert done.returncode == 0, done.stderr
    assert f"Alerts ({len(fired)})" in done.stdout
    for hit in fired:
        assert hit["_source"]["rule"] in done.stdout
    assert "frappe_nucleaire" in done.stdout and "log: sent" in done.stdout
    as_json = [json.loads(line) for line in vigie("alerts", "list", "--json", env=demo).stdout.splitlines()]
    assert {a["id"] for a in as_json} == {hit["_id"] for hit in fired}
    nuclear = vigie("alerts", "list", "--rule", "frappe_nucleaire", "--json", env=demo).stdout.splitlines()
    assert [json.loads(line)["rule"] for line in nuclear] == ["frappe_nucleaire"]


def test_status_shows_node_feeds_runs_spool_and_dead_letters(demo: dict[str, str]) -> None:
    done = vigie("status", env=demo)
    assert done.returncode == 0, done.stderr
    assert "green" in done.stdout or "yellow" in done.stdout
    assert "international" in done.stdout and "direct" in done.stdout
    assert "Spool: 0 batch(es)" in done.stdout and "dead letters: 0" in done.stdout
    report = json.loads(vigie("status", "--json", env=demo).stdout)
    assert report["node"]["documents"]["articles"] == 5
    assert {f["name"] for f in report["feeds"]} == {"international", "direct"}
    assert all(f["failures_in_a_row"] == 0 and f["last_success"] for f in report["feeds"])
    assert report["problems"] == []


# --- exit codes that mean something -------------------------------------------------------------


def test_run_exits_non_zero_when_every_feed_failed(demo: dict[str, str], tmp_path: Path) -> None:
    env = {**demo, "VIGIE_FEEDS_BASE_URL": "http://127.0.0.1:9", "VIGIE_STATE_DIR": str(tmp_path)}
    done = vigie("run", env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert [line for line in error_lines(done) if line.startswith("vigie:")] == [
        "vigie: every feed polled failed (2): see the summary above"
    ]
    assert "Vigie run summary" in done.stdout
    status = vigie("status", env=env)  # the failures are what status reports next
    assert status.returncode == 1
    assert error_lines(status) == ["vigie: every polled feed is failing (2)"]


def test_a_stopped_node_is_a_non_zero_exit(es_down_url: str, demo: dict[str, str]) -> None:
    port = es_down_url.rsplit(":", 1)[1]
    stopped = vigie("es", "status", "--name", "cli-test", "--port", port, env={})
    assert stopped.returncode == 3
    assert json.loads(stopped.stdout)["health"] is None
    assert error_lines(stopped) == [f"vigie: no Elasticsearch node answers at http://127.0.0.1:{port}"]
    status = vigie("status", env={**demo, "ES_URL": es_down_url})
    assert status.returncode == 3
    (line,) = error_lines(status)
    assert line.startswith(f"vigie: Elasticsearch at {es_down_url} unreachable: ")


BAD_RULES = "version: 1\nrules:\n  - name: a\n    severity: urgent\n    condition: {phrase: {words: x}}\n"
BAD_FEEDS = "feeds:\n  - name: lemonde\n    url: 12\n"


@pytest.mark.parametrize(
    ("args", "env", "files", "code", "says"),
    [
        (["status"], {"VIGIE_BATCH_SIZE": "abc"}, {}, 2, "invalid setting: VIGIE_BATCH_SIZE='abc'"),
        (["search", "x"], {"ES_URL": "ftp://cluster"}, {}, 2, "invalid setting: ES_URL='ftp://cluster'"),
        (["search", "x"], {"VIGIE_INDEX_PREFIX": "Bad"}, {}, 2, "invalid setting: VIGIE_INDEX_PREFIX='Bad'"),
        (["run"], {"VIGIE_FEEDS": "{tmp}/absent.yaml"}, {}, 2, "{tmp}/absent.yaml: cannot read feed registry"),
        (["run"], {"VIGIE_FEEDS": "{tmp}/feeds.yaml"}, {"feeds.yaml": BAD_FEEDS}, 2,
         "feed 'lemonde' (feeds[0]): 'title' is a required property"),
        (["feeds", "check"], {"VIGIE_FEEDS": "{tmp}/feeds.yaml"}, {"feeds.yaml": "feeds: [\n"}, 2,
         "cannot read feed registry: while parsing a flow node"),
        (["alerts", "export-kibana"], {"VIGIE_RULES": "{tmp}/rules.yaml"}, {"rules.yaml": BAD_RULES}, 2,
         "rules file {tmp}/rules.yaml: rule 'a': severity must be one of"),
        (["alerts", "push-kibana"], {"VIGIE_RULES": "{tmp}/none.yaml"}, {}, 2,
         "rules file {tmp}/none.yaml: cannot read the rules file: No such file or directory"),
        (["alerts", "push-kibana"], {"KIBANA_URL": "http://127.0.0.1:9"}, {}, 3,
         "Kibana at http://127.0.0.1:9 unreachable"),
        (["search", "x", "--since", "yesterday"], {}, {}, 2, "'yesterday' is not a date"),
        (["search", "x", "--limit", "0"], {}, {}, 2, "--limit 0: expected 1 to 500"),
        (["kibana", "import", "--path", "{tmp}/absent"], {}, {}, 2, "{tmp}/absent: No such file or directory"),
        (["kibana", "import", "--path", "{tmp}/bad.ndjson"], {}, {"bad.ndjson": "{not json\n"}, 2,
         "bad.ndjson line 1: Expecting property name"),
        (["search", "x"], {"ES_URL": "http://user:s3cret@127.0.0.1:9"}, {}, 3,
         "Elasticsearch at http://user:***@127.0.0.1:9 unreachable"),
        (["alerts", "list"], {"ES_URL": "http://127.0.0.1:9"}, {}, 3, "Elasticsearch at http://127.0.0.1:9 unreachable"),
        (["es", "install-templates"], {"ES_URL": "http://127.0.0.1:9"}, {}, 3,
         "Elasticsearch at http://127.0.0.1:9 unreachable"),
    ],
)  # fmt: skip
def test_every_bad_configuration_is_one_line_and_a_non_zero_exit(
    args: list[str], env: dict[str, str], files: dict[str, str], code: int, says: str, tmp_path: Path
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    tmp = str(tmp_path)
    done = vigie(
        *[a.replace("{tmp}", tmp) for a in args],
        env={"VIGIE_STATE_DIR": tmp, **{k: v.replace("{tmp}", tmp) for k, v in env.items()}},
    )
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = error_lines(done)
    assert line.startswith("vigie: ") and says.replace("{tmp}", tmp) in line, line
    assert "s3cret" not in done.stdout + done.stderr


def test_debug_shows_the_traceback() -> None:
    done = vigie("--debug", "search", "x", env={"ES_URL": "http://127.0.0.1:9"})
    assert done.returncode == 3
    assert "Traceback" in done.stderr
    assert done.stderr.splitlines()[-1].startswith("vigie: Elasticsearch at http://127.0.0.1:9 unreachable")


def test_log_lines_go_through_the_progress_bars_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich draws its bars on `err_console`; a log line written through the same console is
    printed above them instead of through them."""
    from rich.logging import RichHandler

    from vigie import cli

    root = logging.getLogger()
    saved = root.handlers[:]
    monkeypatch.setattr(sys, "argv", ["vigie", "--help"])
    try:
        with pytest.raises(SystemExit):
            cli.main()
        handlers = [h for h in root.handlers if isinstance(h, RichHandler)]
        assert handlers and all(h.console is cli.err_console for h in handlers)
    finally:
        root.handlers[:] = saved
