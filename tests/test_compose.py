"""docker-compose.yml (the real deployment) is structurally sound and agrees with the versions
the code is pinned to. Docker is not needed: the file is read with PyYAML (merge keys resolved)."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from typing import Any

import pytest
import yaml

from vigie.core.settings import REPO_ROOT
from vigie.store.node import ES_VERSION

COMPOSE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "deploy" / "airflow.Dockerfile"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
AIRFLOW_SERVICES = ("airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer")
ONE_SHOT = ("airflow-init", "setup")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|_KEY|TOKEN|SQL_ALCHEMY_CONN", re.IGNORECASE)
VAR_REF = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?][^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


def pinned(package: str) -> str:
    deps = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (spec,) = [d for d in deps if re.match(rf"{re.escape(package)}==", d)]
    return str(spec.split("==", 1)[1].split()[0])


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def test_every_service_is_there(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"elasticsearch", "kibana", "postgres", *AIRFLOW_SERVICES, *ONE_SHOT}


def test_versions_match_the_code(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["elasticsearch"]["image"] == f"docker.elastic.co/elasticsearch/elasticsearch:{ES_VERSION}"
    assert services["kibana"]["image"] == f"docker.elastic.co/kibana/kibana:{ES_VERSION}"
    assert (
        ES_VERSION.split(".")[0]
        == version("elasticsearch").split(".")[0]
        == pinned("elasticsearch").split(".")[0]
    )
    airflow = pinned("apache-airflow")
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(rf"^FROM apache/airflow:{re.escape(airflow)}-python3\.11$", dockerfile, re.M)
    assert re.search(rf"^ARG AIRFLOW_VERSION={re.escape(airflow)}$", dockerfile, re.M)
    assert re.search(
        r"^RUN pip install .*\"apache-airflow==\$\{AIRFLOW_VERSION\}\" /tmp/dist/vigie-\*\.whl$",
        dockerfile,
        re.M,
    )
    for name in (*AIRFLOW_SERVICES, *ONE_SHOT):
        assert services[name]["build"] == {"context": ".", "dockerfile": "deploy/airflow.Dockerfile"}, name
        assert services[name]["image"] == services["airflow-scheduler"]["image"], name


def test_long_running_services_have_healthchecks_memory_limits_and_restart(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        limit = service.get("mem_limit") or service.get("deploy", {}).get("resources", {}).get(
            "limits", {}
        ).get("memory")
        assert limit, f"{name} has no memory limit"
        if name in ONE_SHOT:
            assert service["restart"] == "no", name
            continue
        check = service.get("healthcheck", {})
        assert check.get("test") and check.get("interval"), f"{name} has no healthcheck"
        assert service["restart"] == "unless-stopped", name


def test_start_order_waits_for_health(compose: dict[str, Any]) -> None:
    services = compose["services"]

    def waits(name: str) -> dict[str, str]:
        return {dep: spec["condition"] for dep, spec in services[name]["depends_on"].items()}

    assert waits("kibana") == {"elasticsearch": "service_healthy"}
    assert waits("setup") == {"elasticsearch": "service_healthy", "kibana": "service_healthy"}
    assert waits("airflow-init") == {"postgres": "service_healthy"}
    for name in AIRFLOW_SERVICES:
        deps = waits(name)
        assert deps["postgres"] == deps["elasticsearch"] == "service_healthy", name
        assert deps["airflow-init"] == "service_completed_successfully", name
    # The scheduler runs DAGs: the index templates must be installed first.
    assert waits("airflow-scheduler")["setup"] == "service_completed_successfully"
    for dep, spec in ((d, s) for svc in services.values() for d, s in svc.get("depends_on", {}).items()):
        if spec["condition"] == "service_healthy":
            assert "healthcheck" in services[dep], f"{dep} is waited on for health but has no healthcheck"


def test_setup_installs_templates_and_imports_kibana_objects(compose: dict[str, Any]) -> None:
    setup = compose["services"]["setup"]
    command = " ".join(setup["entrypoint"] + setup["command"])
    assert "vigie es install-templates" in command and "vigie kibana import" in command
    assert command.index("install-templates") < command.index("kibana import")
    env = environment(setup)
    assert env["ES_URL"] == "http://elasticsearch:9200" and env["KIBANA_URL"] == "http://kibana:5601"


def test_mounts_and_named_volumes(compose: dict[str, Any]) -> None:
    services = compose["services"]
    declared = set(compose["volumes"])
    used: set[str] = set()
    for name, service in services.items():
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0]
            if not source.startswith((".", "/")):
                used.add(source)
                assert source in declared, f"{name} mounts undeclared volume {source}"
    assert used == declared
    for name in AIRFLOW_SERVICES:
        volumes = services[name]["volumes"]
        assert "./dags:/opt/airflow/dags:ro" in volumes, name
        assert any(v.startswith("vigie-state:") for v in volumes), name  # the spool survives restarts
        assert environment(services[name])["VIGIE_STATE_DIR"] == "/opt/airflow/vigie-state"
        assert environment(services[name])["ES_URL"] == "http://elasticsearch:9200"
    assert any(v.endswith(":/usr/share/elasticsearch/data") for v in services["elasticsearch"]["volumes"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"])


def test_no_secret_is_written_in_the_compose_file(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for key, value in environment(service).items():
            if SECRET_NAME.search(key):
                assert VAR_REF.search(value), f"{name}.{key} must come from ${{VAR}}, not a literal"
                stripped = VAR_REF.sub("", value)
                assert not re.search(r":[^@/]+@", stripped), f"{name}.{key} embeds a literal credential"
    for name in (*AIRFLOW_SERVICES, "postgres"):
        assert compose["services"][name]["env_file"] == ".env", name


def test_every_variable_is_documented_in_env_example_and_env_is_ignored(compose: dict[str, Any]) -> None:
    example = {
        line.split("=", 1)[0]
        for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    referenced = set(VAR_REF.findall(COMPOSE.read_text(encoding="utf-8")))
    assert referenced <= example, f"undocumented: {sorted(referenced - example)}"
    assert {"AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET"} <= example
    gitignore = (REPO_ROOT / ".gitignore").read_text().splitlines()
    assert ".env" in gitignore
    dockerignore = (REPO_ROOT / "deploy" / "airflow.Dockerfile.dockerignore").read_text().splitlines()
    assert ".env" in dockerignore  # never baked into the image either


def test_elasticsearch_without_security_is_bound_to_localhost(compose: dict[str, Any]) -> None:
    es = compose["services"]["elasticsearch"]
    env = environment(es)
    assert env["xpack.security.enabled"] == "false" and env["discovery.type"] == "single-node"
    for service in ("elasticsearch", "kibana", "airflow-api-server"):
        for port in compose["services"][service].get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{service} publishes {port} beyond localhost"
    assert "security" in COMPOSE.read_text(encoding="utf-8").split("name: vigie")[0].lower()
