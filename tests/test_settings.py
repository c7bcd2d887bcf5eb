"""Settings in one place: only vigie/core/settings.py reads the environment, every variable is
a `Settings` field (or a small function there), and a value Vigie cannot use is refused with
an error naming the variable. Data files are found through `vigie.core.resources`."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from vigie.core import resources
from vigie.core.settings import REPO_ROOT, Settings, SettingsError, environ

SETTINGS_MODULE = REPO_ROOT / "vigie" / "core" / "settings.py"
SCANNED = ("vigie", "ingest", "enrich", "dags")
ENV_READERS = {"environ", "environb", "getenv", "getenvb"}
# Modules allowed to locate files relative to their own source (the checkout root, the package).
FILE_RELATIVE = {REPO_ROOT / "vigie" / "core" / "settings.py", REPO_ROOT / "vigie" / "core" / "resources.py"}
ENV_NAME = re.compile(r'"((?:VIGIE|ES|KIBANA)_[A-Z0-9_]+)"')


def env_reads(source: str) -> list[str]:
    """Where `source` reads the environment: `os.environ`, `os.getenv`, `from os import environ`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ENV_READERS
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            found.append(f"line {node.lineno}: os.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found.extend(
                f"line {node.lineno}: from os import {a.name}" for a in node.names if a.name in ENV_READERS
            )
    return found


def modules() -> list[Path]:
    return sorted(path for folder in SCANNED for path in (REPO_ROOT / folder).rglob("*.py"))


def test_only_the_settings_module_reads_the_environment() -> None:
    offenders = {
        str(path.relative_to(REPO_ROOT)): reads
        for path in modules()
        if path != SETTINGS_MODULE and (reads := env_reads(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "read it through vigie.core.settings (a Settings field, or environ())"


def test_the_scan_sees_every_way_of_reading_the_environment() -> None:
    source = (
        "import os\nfrom os import getenv\n"
        "a = os.environ.get('X')\nb = os.getenv('Y')\nc = dict(os.environ)\nd = os.environ['Z']\n"
    )
    assert len(env_reads(source)) == 5
    assert env_reads("import os\npath = os.path.join('a', 'b')\n") == []


def test_package_code_finds_its_data_through_resources_not_the_checkout() -> None:
    """REPO_ROOT (and paths next to a module's own file) exist only in a checkout; a wheel
    has its data inside the package, where `vigie.core.resources` finds it."""
    offenders = []
    for path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "REPO_ROOT" and path != SETTINGS_MODULE:
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno} REPO_ROOT")
            if isinstance(node, ast.alias) and node.name == "REPO_ROOT":
                offenders.append(f"{path.relative_to(REPO_ROOT)} imports REPO_ROOT")
            if isinstance(node, ast.Name) and node.id == "__file__" and path not in FILE_RELATIVE:
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno} __file__")
    assert offenders == []


def test_every_variable_read_is_a_settings_field_or_function() -> None:
    """Each variable name in settings.py is read by a field default or a function there, and
    the variables the rest of the code used to read are all covered."""
    names = set(ENV_NAME.findall(SETTINGS_MODULE.read_text(encoding="utf-8")))
    assert {
        "ES_URL", "KIBANA_URL", "VIGIE_FEEDS_BASE_URL", "VIGIE_LOG_LEVEL", "VIGIE_DEADLETTER_MAX_AGE_DAYS",
        "VIGIE_FEED_FAILURE_THRESHOLD", "VIGIE_ES_CACHE", "VIGIE_JAVA_HOME", "VIGIE_M2_REPO",
        "VIGIE_DEMO_FEED_PORT", "VIGIE_TASK_RETRIES", "VIGIE_TASK_TIMEOUT_MINUTES", "VIGIE_SCHEDULE_MINUTES",
        "VIGIE_FETCH_CONNECT_TIMEOUT", "VIGIE_FETCH_READ_TIMEOUT", "VIGIE_FETCH_TOTAL_TIMEOUT",
        "VIGIE_FETCH_BACKOFF", "VIGIE_FETCH_HOST_DELAY", "VIGIE_BATCH_SIZE",
    } <= names  # fmt: skip


# --- values -------------------------------------------------------------------------------------

ALL_VARIABLES = sorted(set(ENV_NAME.findall(SETTINGS_MODULE.read_text(encoding="utf-8"))))


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ALL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults(clean_env: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert settings.es_url == "http://127.0.0.1:9250" and not settings.es_external
    assert settings.index_prefix == "vigie"
    assert settings.feeds_file == resources.resource_path("feeds", "feeds.yaml")
    assert settings.rules_file == resources.resource_path("alerts", "rules.yaml")
    assert settings.feeds_base_url is None
    assert (settings.batch_size, settings.enrich_workers) == (200, 0)
    assert (settings.task_retries, settings.task_timeout_minutes, settings.schedule_minutes) == (3, 15, 2)
    assert (settings.deadletter_max_age_days, settings.feed_failure_threshold) == (30, 3)
    assert (settings.fetch_connect_timeout, settings.fetch_read_timeout, settings.fetch_total_timeout) == (
        5.0,
        15.0,
        60.0,
    )
    assert (settings.fetch_backoff, settings.fetch_host_delay) == (0.5, 1.0)
    assert settings.log_level == "WARNING"
    assert settings.kibana_url == "http://127.0.0.1:5601"
    assert settings.demo_feed_port == 8088
    assert settings.es_cache_dir == Path("/var/tmp/vigie")
    assert settings.java_home is None
    assert settings.m2_repo == Path.home() / ".m2" / "repository"
    assert settings.index_other_languages is True


def test_values_from_the_environment(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    values = {
        "ES_URL": "https://user:pw@es.example:9200",
        "VIGIE_INDEX_PREFIX": "acme",
        "VIGIE_FEEDS_BASE_URL": "http://127.0.0.1:8088",
        "KIBANA_URL": "http://kibana:5601",
        "VIGIE_LOG_LEVEL": "info",
        "VIGIE_DEADLETTER_MAX_AGE_DAYS": "7",
        "VIGIE_FEED_FAILURE_THRESHOLD": "5",
        "VIGIE_ES_CACHE": str(tmp_path / "cache"),
        "VIGIE_JAVA_HOME": str(tmp_path / "jdk"),
        "VIGIE_M2_REPO": str(tmp_path / "m2"),
        "VIGIE_DEMO_FEED_PORT": "0",
        "VIGIE_TASK_RETRIES": "0",
        "VIGIE_TASK_TIMEOUT_MINUTES": "30",
        "VIGIE_SCHEDULE_MINUTES": "5",
        "VIGIE_FETCH_CONNECT_TIMEOUT": "2.5",
        "VIGIE_FETCH_HOST_DELAY": "0",
        "VIGIE_BATCH_SIZE": " 50 ",
        "VIGIE_INDEX_OTHER_LANGUAGES": "off",
        "VIGIE_FEEDS": str(tmp_path / "feeds.yaml"),
    }
    for name, value in values.items():
        clean_env.setenv(name, value)
    settings = Settings()
    assert settings.es_url == "https://user:pw@es.example:9200" and settings.es_external
    assert settings.index_prefix == "acme"
    assert settings.feeds_base_url == "http://127.0.0.1:8088"
    assert settings.kibana_url == "http://kibana:5601"
    assert settings.log_level == "INFO"
    assert (settings.deadletter_max_age_days, settings.feed_failure_threshold) == (7, 5)
    assert settings.es_cache_dir == tmp_path / "cache"
    assert settings.java_home == tmp_path / "jdk"
    assert settings.m2_repo == tmp_path / "m2"
    assert settings.demo_feed_port == 0
    assert (settings.task_retries, settings.task_timeout_minutes, settings.schedule_minutes) == (0, 30, 5)
    assert (settings.fetch_connect_timeout, settings.fetch_host_delay) == (2.5, 0.0)
    assert settings.batch_size == 50
    assert settings.index_other_languages is False
    assert settings.feeds_file == tmp_path / "feeds.yaml"


def test_an_empty_value_counts_as_unset(clean_env: pytest.MonkeyPatch) -> None:
    for name in (
        "ES_URL",
        "VIGIE_BATCH_SIZE",
        "VIGIE_FEEDS_BASE_URL",
        "VIGIE_FETCH_READ_TIMEOUT",
        "VIGIE_FEEDS",
    ):
        clean_env.setenv(name, "")
    settings = Settings()
    assert not settings.es_external and settings.batch_size == 200 and settings.feeds_base_url is None
    assert settings.fetch_read_timeout == 15.0
    assert settings.feeds_file == resources.resource_path("feeds", "feeds.yaml")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("VIGIE_BATCH_SIZE", "0", "an integer >= 1"),
        ("VIGIE_BATCH_SIZE", "abc", "an integer >= 1"),
        ("VIGIE_BATCH_SIZE", "2.5", "an integer >= 1"),
        ("VIGIE_ENRICH_WORKERS", "-1", "an integer >= 0"),
        ("VIGIE_MAX_BODY_BYTES", "lots", "an integer >= 1"),
        ("VIGIE_TASK_RETRIES", "three", "an integer >= 0"),
        ("VIGIE_TASK_TIMEOUT_MINUTES", "0", "an integer >= 1"),
        ("VIGIE_SCHEDULE_MINUTES", "-5", "an integer >= 1"),
        ("VIGIE_DEADLETTER_MAX_AGE_DAYS", "a month", "an integer >= 0"),
        ("VIGIE_FEED_FAILURE_THRESHOLD", "0", "an integer >= 1"),
        ("VIGIE_DEMO_FEED_PORT", "70000", "<= 65535"),
        ("VIGIE_FETCH_READ_TIMEOUT", "abc", "a number > 0"),
        ("VIGIE_FETCH_CONNECT_TIMEOUT", "0", "a number > 0"),
        ("VIGIE_FETCH_TOTAL_TIMEOUT", "nan", "a number > 0"),
        ("VIGIE_FETCH_HOST_DELAY", "-1", "a number >= 0"),
        ("VIGIE_FETCH_BACKOFF", "inf", "a number >= 0"),
        ("VIGIE_INDEX_OTHER_LANGUAGES", "maybe", "1/true/yes/on"),
        ("VIGIE_INDEX_PREFIX", "Vigie", "index prefix"),
        ("VIGIE_INDEX_PREFIX", "_vigie", "index prefix"),
        ("VIGIE_LOG_LEVEL", "LOUD", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("ES_URL", "elasticsearch:9200", "http:// or https:// URL"),
        ("KIBANA_URL", "ftp://kibana", "http:// or https:// URL"),
        ("VIGIE_FEEDS_BASE_URL", "127.0.0.1:8088", "http:// or https:// URL"),
    ],
)
def test_an_invalid_value_is_refused_naming_the_variable(
    clean_env: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    clean_env.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        Settings()
    message = str(raised.value)
    assert message.startswith(f"{name}=") and repr(value) in message and expected in message
    assert raised.value.name == name
    assert isinstance(raised.value, ValueError)


def test_a_password_in_a_refused_url_is_not_shown(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ES_URL", "htps://elastic:s3cret@es.example:9200")
    with pytest.raises(SettingsError) as raised:
        Settings()
    assert "s3cret" not in str(raised.value) and "elastic:***@es.example" in str(raised.value)


def test_environ_is_a_copy(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("VIGIE_SOME_VAR", "x")
    copy = environ()
    assert copy["VIGIE_SOME_VAR"] == "x"
    copy["VIGIE_SOME_VAR"] = "y"
    assert environ()["VIGIE_SOME_VAR"] == "x"


# --- where the values are used ------------------------------------------------------------------


def test_fetch_policy_defaults_come_from_settings(clean_env: pytest.MonkeyPatch) -> None:
    from ingest.fetch import FetchPolicy

    clean_env.setenv("VIGIE_FETCH_HOST_DELAY", "0")
    clean_env.setenv("VIGIE_FETCH_TOTAL_TIMEOUT", "9")
    policy = FetchPolicy()
    assert (policy.host_delay, policy.total_timeout, policy.read_timeout) == (0.0, 9.0, 15.0)
    clean_env.setenv("VIGIE_FETCH_BACKOFF", "soon")
    with pytest.raises(SettingsError, match="VIGIE_FETCH_BACKOFF"):
        FetchPolicy()


def test_airflow_defaults_come_from_settings(clean_env: pytest.MonkeyPatch) -> None:
    from vigie.run.airflow_support import default_args, schedule_interval

    clean_env.setenv("VIGIE_TASK_RETRIES", "1")
    clean_env.setenv("VIGIE_TASK_TIMEOUT_MINUTES", "20")
    clean_env.setenv("VIGIE_SCHEDULE_MINUTES", "7")
    args = default_args()
    assert args["retries"] == 1 and args["execution_timeout"] == timedelta(minutes=20)
    assert schedule_interval() == timedelta(minutes=7)


def test_rules_expand_variables_from_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    from vigie.alerting.rules import expand_env

    clean_env.setenv("VIGIE_SOME_HOOK", "https://hooks.example/x")
    clean_env.delenv("VIGIE_UNSET_HOOK", raising=False)
    assert expand_env("${VIGIE_SOME_HOOK}") == ("https://hooks.example/x", [])
    assert expand_env("${VIGIE_UNSET_HOOK}") == ("", ["VIGIE_UNSET_HOOK"])


def test_the_command_line_refuses_an_invalid_setting_before_any_work() -> None:
    env = {**environ(), "VIGIE_BATCH_SIZE": "abc"}
    result = subprocess.run(
        [sys.executable, "-c", "from vigie.cli import main; main()", "feeds", "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "invalid setting: VIGIE_BATCH_SIZE='abc': expected an integer >= 1" in result.stderr
    assert "Traceback" not in result.stderr


# --- data files ---------------------------------------------------------------------------------


def test_every_kind_of_data_is_found() -> None:
    expected = {
        "index_mappings": "index_templates/articles.json",
        "alerts": "rules.schema.json",
        "kibana": "dashboards.ndjson",
        "sample_corpus": "site/feeds/direct.xml",
        "feeds": "feeds.schema.json",
        "enrich_data": "kb.yaml",
        "stories": "policy.yaml",
    }
    assert set(expected) == set(resources.KINDS)
    for kind, name in expected.items():
        assert resources.resource_path(kind, *name.split("/")).is_file(), kind
    # In the checkout the data is the top-level folders' (one copy), read in place.
    assert resources.files("alerts") == (REPO_ROOT / "alerts").resolve()
    assert resources.checkout_dir("dags") == REPO_ROOT / "dags"
    with pytest.raises(resources.ResourceError, match="unknown kind of data 'templates'"):
        resources.files("templates")


def test_the_default_rules_load() -> None:
    from vigie.alerting.rules import load_rules

    assert load_rules(resources.resource_path("alerts", "rules.yaml")).rules
