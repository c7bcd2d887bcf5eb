"""docker-compose.yml (the real deployment) is valid Compose and agrees with the versions the
code is pinned to. Docker is not needed: the file is loaded by compose-go, the loader of
`docker compose` itself (deploy/composecheck, built with the machine's Go toolchain): schema
validation against the Compose specification, `${VAR}` interpolation from the env file made as
the README says (`cp .env.example .env`), merge keys, normalisation. Structure is asserted on
the project it resolves; what must stay a `${VAR}` reference is asserted on the raw text.

The `scale` profile (CeleryExecutor, workers, Redis, a three-node cluster) is loaded as its
README command loads it: `.env` then `deploy/scale.env`, profiles `scale` and `flower`; the
default project must not see any of it.

The deploy scripts the images run (deploy/airflow-entrypoint.sh, deploy/airflow_secrets.py) run
here for real; deploy/airflow-init.sh runs against a real Airflow in test_real_scheduler.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import yaml

from vigie.core.settings import REPO_ROOT
from vigie.store.node import ES_VERSION

COMPOSE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "deploy" / "airflow.Dockerfile"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
SCALE_ENV = REPO_ROOT / "deploy" / "scale.env"
COMPOSECHECK = REPO_ROOT / "deploy" / "composecheck"
SECRETS = REPO_ROOT / "deploy" / "airflow_secrets.py"
ENTRYPOINT = REPO_ROOT / "deploy" / "airflow-entrypoint.sh"
AIRFLOW_SERVICES = ("airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer")
ONE_SHOT = ("airflow-init", "setup")
ES_NODES = ("es01", "es02", "es03")
SCALE_ONLY = (*ES_NODES, "redis", "airflow-worker", "flower")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|_KEY|TOKEN|SQL_ALCHEMY_CONN", re.IGNORECASE)
VAR_REF = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?][^}]*)?\}")
# A tag naming one release: 16.9-bookworm, 9.5.4, 3.3.2-python3.11 (never latest, 16, 9).
PINNED_TAG = re.compile(r":\d+\.\d+(\.\d+)?(-[A-Za-z0-9.]+)?$")
FERNET_KEY = "x5Y4pZpRk0WmQjD3Kc8pXo0lLx0e0yKzv6R6o8m1m0A="  # 32 bytes, url-safe base64


def go() -> str:
    found = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None)
    assert found, "the Go toolchain is needed to build deploy/composecheck (compose-go)"
    return found


@pytest.fixture(scope="module")
def composecheck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    binary = tmp_path_factory.mktemp("composecheck") / "composecheck"
    result = subprocess.run(
        [go(), "build", "-mod=readonly", "-o", str(binary), "."],
        cwd=COMPOSECHECK,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return binary


def load(
    composecheck: Path, folder: Path, env_text: str, profiles: str = ""
) -> subprocess.CompletedProcess[str]:
    """compose-go on a copy of docker-compose.yml with `env_text` as its .env, `profiles`
    (comma-separated) enabled as `docker compose --profile` enables them."""
    shutil.copy(COMPOSE, folder / "docker-compose.yml")
    (folder / ".env").write_text(env_text, encoding="utf-8")
    return subprocess.run(
        [str(composecheck), str(folder / "docker-compose.yml"), str(folder / ".env"), profiles],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def compose(composecheck: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The project as `docker compose config` resolves it after `cp .env.example .env`."""
    result = load(composecheck, tmp_path_factory.mktemp("compose"), ENV_EXAMPLE.read_text(encoding="utf-8"))
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture(scope="module")
def scale(composecheck: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The project as `docker compose --env-file .env --env-file deploy/scale.env --profile
    scale --profile flower config` resolves it (a later env file overrides an earlier one: the
    two are concatenated in that order)."""
    env = ENV_EXAMPLE.read_text(encoding="utf-8") + "\n" + SCALE_ENV.read_text(encoding="utf-8")
    result = load(composecheck, tmp_path_factory.mktemp("compose-scale"), env, "scale,flower")
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture(scope="module", params=["default", "scale"])
def project(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Each deployment in turn: what holds for every service holds in both."""
    data: dict[str, Any] = request.getfixturevalue("compose" if request.param == "default" else "scale")
    return data


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


def pinned(package: str, group: str | None = None) -> str:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    deps = project["optional-dependencies"][group] if group else project["dependencies"]
    (spec,) = [d for d in deps if re.match(rf"{re.escape(package)}==", d)]
    return str(spec.split("==", 1)[1].split()[0])


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def test_the_compose_loader_refuses_what_docker_compose_refuses(composecheck: Path, tmp_path: Path) -> None:
    """The checker is a real loader: a required variable missing, or a key the Compose
    specification does not have, stops it with the loader's message."""
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    missing = load(composecheck, tmp_path, re.sub(r"(?m)^POSTGRES_PASSWORD=.*$", "", example))
    assert missing.returncode == 1 and "POSTGRES_PASSWORD" in missing.stderr
    broken = COMPOSE.read_text(encoding="utf-8").replace("    mem_limit: 2g\n", "    mem_limits: 2g\n", 1)
    (tmp_path / "docker-compose.yml").write_text(broken, encoding="utf-8")
    (tmp_path / ".env").write_text(example, encoding="utf-8")
    result = subprocess.run(
        [str(composecheck), str(tmp_path / "docker-compose.yml"), str(tmp_path / ".env")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "mem_limits" in result.stderr


def test_every_service_is_there(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"elasticsearch", "kibana", "postgres", *AIRFLOW_SERVICES, *ONE_SHOT}


def test_every_image_is_pinned(project: dict[str, Any]) -> None:
    for name, service in project["services"].items():
        assert PINNED_TAG.search(service["image"]), f"{name}: {service['image']} is not a pinned tag"


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
    # The wheel, with the deploy extra (Postgres drivers, providers), never the checkout.
    assert re.search(
        r'^RUN whl="\$\(echo /tmp/dist/vigie-\*\.whl\)" && pip install .*"apache-airflow==\$\{AIRFLOW_VERSION\}" "\$\{whl\}\[deploy,scale\]"$',
        dockerfile,
        re.M,
    )
    for driver in ("psycopg2-binary", "asyncpg", "apache-airflow-providers-fab"):
        assert pinned(driver, "deploy")
    # The scale profile's workers: the Celery provider and the Redis client, pinned.
    for package in ("apache-airflow-providers-celery", "redis"):
        assert pinned(package, "scale")
    for name in (*AIRFLOW_SERVICES, *ONE_SHOT):
        assert services[name]["build"]["dockerfile"] == "deploy/airflow.Dockerfile", name
        assert services[name]["image"] == services["airflow-scheduler"]["image"], name


def test_the_image_carries_the_deploy_scripts(compose: dict[str, Any]) -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    copied = re.search(r"^COPY --chown=airflow:0 (deploy/\S+ )+/opt/vigie/deploy/$", dockerfile, re.M)
    assert copied
    for name in ("airflow-entrypoint.sh", "airflow-init.sh", "airflow_secrets.py", "pools.json"):
        assert f"deploy/{name}" in copied.group(0) and (REPO_ROOT / "deploy" / name).is_file(), name
    assert 'ENTRYPOINT ["/usr/bin/dumb-init", "--", "/opt/vigie/deploy/airflow-entrypoint.sh"]' in dockerfile
    init = compose["services"]["airflow-init"]
    assert init["command"] == ["bash", "/opt/vigie/deploy/airflow-init.sh"]
    assert environment(init)["VIGIE_AIRFLOW_INIT"] == "true"


def test_long_running_services_have_healthchecks_memory_limits_and_restart(project: dict[str, Any]) -> None:
    for name, service in project["services"].items():
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


def waits(compose: dict[str, Any], name: str) -> dict[str, str]:
    """What the service waits for in this project: a dependency on a service the project does
    not enable (another profile's) is not one, and must say so (`required: false`), else
    `docker compose up` refuses it."""
    found = {}
    for dep, spec in compose["services"][name].get("depends_on", {}).items():
        if dep in compose["services"]:
            found[dep] = spec["condition"]
        else:
            assert spec["required"] is False, f"{name} requires {dep}, which this project does not run"
    return found


def test_start_order_waits_for_health_and_ingestion_never_waits_on_kibana(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert waits(compose, "kibana") == {"elasticsearch": "service_healthy"}
    assert waits(compose, "setup") == {"elasticsearch": "service_healthy", "kibana": "service_healthy"}
    assert waits(compose, "airflow-init") == {"postgres": "service_healthy"}
    for name in AIRFLOW_SERVICES:
        assert waits(compose, name) == {
            "postgres": "service_healthy",
            "elasticsearch": "service_healthy",
            "airflow-init": "service_completed_successfully",
        }, name

    def closure(name: str) -> set[str]:
        found, todo = set(), [name]
        while todo:
            for dep in waits(compose, todo.pop()):
                if dep not in found:
                    found.add(dep)
                    todo.append(dep)
        return found

    # `prepare` installs the index templates: the scheduler needs neither Kibana nor setup.
    assert closure("airflow-scheduler").isdisjoint({"kibana", "setup"})
    for dep, spec in ((d, s) for svc in services.values() for d, s in svc.get("depends_on", {}).items()):
        if spec["condition"] == "service_healthy" and dep in services:
            assert "healthcheck" in services[dep], f"{dep} is waited on for health but has no healthcheck"


def test_dags_start_unpaused_and_read_the_cluster_from_the_connection(compose: dict[str, Any]) -> None:
    for name in (*AIRFLOW_SERVICES, "airflow-init"):
        env = environment(compose["services"][name])
        assert env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "false", name
        # No ES_URL: it would bypass the connection airflow-init writes.
        assert "ES_URL" not in env, name
    init = environment(compose["services"]["airflow-init"])
    assert init["VIGIE_ES_HOST"] == "elasticsearch" and init["VIGIE_ES_PORT"] == "9200"


def test_setup_installs_templates_and_imports_kibana_objects(compose: dict[str, Any]) -> None:
    setup = compose["services"]["setup"]
    command = " ".join(setup["entrypoint"] + setup["command"])
    assert "vigie es install-templates" in command and "vigie kibana import" in command
    assert command.index("install-templates") < command.index("kibana import")
    env = environment(setup)
    assert env["ES_URL"] == "http://elasticsearch:9200" and env["KIBANA_URL"] == "http://kibana:5601"


def named_volumes(project: dict[str, Any]) -> set[str]:
    used: set[str] = set()
    for name, service in project["services"].items():
        for mount in service.get("volumes", []):
            if mount["type"] == "volume":
                used.add(mount["source"])
                assert mount["source"] in project["volumes"], (
                    f"{name} mounts undeclared volume {mount['source']}"
                )
    return used


def test_mounts_and_named_volumes(compose: dict[str, Any], scale: dict[str, Any]) -> None:
    services = compose["services"]
    declared = set(compose["volumes"])
    # Every declared volume is used: by the default deployment, or by the cluster's nodes.
    assert named_volumes(compose) == declared - {f"{node}-data" for node in ES_NODES}
    assert named_volumes(scale) == declared
    for name in (*AIRFLOW_SERVICES, "airflow-init"):
        mounts = {m["target"]: m for m in services[name]["volumes"]}
        dags = mounts["/opt/airflow/dags"]
        assert dags["type"] == "bind" and dags["read_only"] and dags["source"].endswith("/dags"), name
        assert mounts["/opt/airflow/vigie-state"]["source"] == "vigie-state", name  # the spool survives
        # The generated Fernet key and JWT secret, shared by every component and kept.
        assert mounts["/opt/airflow/secrets"]["source"] == "airflow-secrets", name
        assert environment(services[name])["VIGIE_STATE_DIR"] == "/opt/airflow/vigie-state"
    assert any(m["target"] == "/usr/share/elasticsearch/data" for m in services["elasticsearch"]["volumes"])
    assert any(m["target"] == "/var/lib/postgresql/data" for m in services["postgres"]["volumes"])


def test_no_secret_is_written_in_the_compose_file(raw: dict[str, Any]) -> None:
    for name, service in raw["services"].items():
        for key, value in environment(service).items():
            if key.endswith("_CMD"):  # a command that computes the value: no credential in it
                assert not re.search(r":[^@/\s]+@", value), f"{name}.{key} embeds a literal credential"
                continue
            if SECRET_NAME.search(key):
                assert VAR_REF.search(value), f"{name}.{key} must come from ${{VAR}}, not a literal"
                stripped = VAR_REF.sub("", value)
                assert not re.search(r":[^@/]+@", stripped), f"{name}.{key} embeds a literal credential"
    for name in (*AIRFLOW_SERVICES, "postgres"):
        assert raw["services"][name]["env_file"] == ".env", name


def test_every_variable_is_documented_in_env_example_and_env_is_ignored() -> None:
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
            assert port["host_ip"] == "127.0.0.1", f"{service} publishes {port} beyond localhost"
    assert "security" in COMPOSE.read_text(encoding="utf-8").split("name: vigie")[0].lower()


# -- the scale profile (CeleryExecutor, workers, Redis, three Elasticsearch nodes) -----------------


def test_the_default_deployment_runs_nothing_of_the_scale_profile(
    compose: dict[str, Any], raw: dict[str, Any]
) -> None:
    services = compose["services"]
    assert set(SCALE_ONLY).isdisjoint(services)
    assert services["elasticsearch"]["scale"] == 1
    for name in (*AIRFLOW_SERVICES, "airflow-init"):
        env = environment(services[name])
        assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor", name
        assert env["VIGIE_ES_REPLICAS"] == "", name  # empty = unset: the templates' auto-expand
    assert environment(services["setup"])["VIGIE_ES_REPLICAS"] == ""
    assert environment(services["kibana"])["ELASTICSEARCH_HOSTS"] == '["http://elasticsearch:9200"]'
    for name in SCALE_ONLY:
        assert raw["services"][name]["profiles"] == (["flower"] if name == "flower" else ["scale"]), name


def test_the_scale_profile_switches_by_env_file_only(scale: dict[str, Any]) -> None:
    """deploy/scale.env holds no secret, and each of its variables is in .env.example (empty:
    the default deployment), so `.env` then `deploy/scale.env` is the whole switch."""
    example = {
        line.split("=", 1)[0]: line.split("=", 1)[1]
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    }
    switched = dict(
        line.split("=", 1)
        for line in SCALE_ENV.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert switched and all(example.get(name) == "" for name in switched), switched
    assert not any(SECRET_NAME.search(name) for name in switched)
    assert set(scale["services"]) == {
        "elasticsearch",
        "kibana",
        "postgres",
        *AIRFLOW_SERVICES,
        *ONE_SHOT,
        *SCALE_ONLY,
    }
    assert scale["services"]["elasticsearch"]["scale"] == 0  # the single node does not run


def test_the_scale_profile_runs_celery_workers_on_redis(scale: dict[str, Any]) -> None:
    services = scale["services"]
    for name in (*AIRFLOW_SERVICES, "airflow-init", "airflow-worker", "flower"):
        env = environment(services[name])
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__CELERY__BROKER_URL"] == "redis://redis:6379/0", name
        assert env["AIRFLOW__CELERY__RESULT_BACKEND_CMD"].endswith(
            "airflow_secrets.py --celery-result-backend"
        )
        assert env["VIGIE_ES_REPLICAS"] == "1", name
        assert services[name]["image"] == services["airflow-scheduler"]["image"], name
        assert "ES_URL" not in env, name  # the connection, as in the default deployment
    worker = services["airflow-worker"]
    assert worker["command"] == ["celery", "worker"]
    assert worker["deploy"]["replicas"] >= 2
    assert environment(worker)["DUMB_INIT_SETSID"] == "0"  # warm shutdown (Airflow's compose file)
    check = " ".join(worker["healthcheck"]["test"])
    assert "celery_executor.app inspect ping" in check and "celery@${HOSTNAME}" in check
    mounts = {m["target"]: m["source"] for m in worker["volumes"]}
    assert mounts["/opt/airflow/vigie-state"] == "vigie-state"  # staging shared with every task
    assert mounts["/opt/airflow/dags"].endswith("/dags")
    for name in (*AIRFLOW_SERVICES, "airflow-worker"):
        assert waits(scale, name)["redis"] == "service_healthy", name
        assert waits(scale, name)["es01"] == "service_healthy", name
    assert waits(scale, "airflow-worker")["airflow-api-server"] == "service_healthy"
    redis = services["redis"]
    assert redis["image"].startswith("redis:7.2.") and "redis-cli" in redis["healthcheck"]["test"]
    assert not redis.get("ports")  # the compose network only
    flower = services["flower"]
    assert flower["command"] == ["celery", "flower"] and waits(scale, "flower")["redis"] == "service_healthy"


def test_the_scale_profile_runs_a_three_node_cluster(scale: dict[str, Any]) -> None:
    services = scale["services"]
    for node in ES_NODES:
        service, env = services[node], environment(services[node])
        assert service["image"] == f"docker.elastic.co/elasticsearch/elasticsearch:{ES_VERSION}"
        assert env["node.name"] == node and env["cluster.name"] == "vigie"
        assert "discovery.type" not in env  # multi-node
        assert set(env["discovery.seed_hosts"].split(",")) == set(ES_NODES) - {node}
        assert env["cluster.initial_master_nodes"].split(",") == list(ES_NODES)
        assert env["xpack.security.enabled"] == "false"
        # The host the connection and `setup` use reaches every running node.
        assert "elasticsearch" in service["networks"]["default"]["aliases"]
        assert any(
            m["target"] == "/usr/share/elasticsearch/data" and m["source"] == f"{node}-data"
            for m in service["volumes"]
        )
        assert "wait_for_status=yellow" in " ".join(service["healthcheck"]["test"])
    kibana = environment(services["kibana"])
    assert json.loads(kibana["ELASTICSEARCH_HOSTS"]) == [f"http://{node}:9200" for node in ES_NODES]
    for name in ("kibana", "setup", *AIRFLOW_SERVICES):
        assert waits(scale, name)["es01"] == "service_healthy", name
    assert environment(services["airflow-init"])["VIGIE_ES_HOST"] == "elasticsearch"
    setup = environment(services["setup"])
    assert setup["ES_URL"] == "http://elasticsearch:9200" and setup["VIGIE_ES_REPLICAS"] == "1"
    for name in ("es01", "flower", "kibana", "airflow-api-server"):
        for port in services[name].get("ports", []):
            assert port["host_ip"] == "127.0.0.1", f"{name} publishes {port} beyond localhost"


# -- the shared secrets (deploy/airflow_secrets.py, deploy/airflow-entrypoint.sh) ------------------


def secrets(args: list[str], env: dict[str, str], folder: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "POSTGRES_"))}
    return subprocess.run(
        [sys.executable, str(SECRETS), *args],
        env={**base, "VIGIE_AIRFLOW_SECRETS_DIR": str(folder), **env},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("name", ["AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET"])
def test_a_missing_secret_is_generated_once_and_kept(name: str, tmp_path: Path) -> None:
    assert secrets([name], {}, tmp_path).returncode == 1  # only airflow-init generates
    first = secrets([name, "--generate"], {name: ""}, tmp_path)
    assert first.returncode == 0 and first.stdout.strip()
    again = secrets([name], {}, tmp_path)
    assert again.stdout == first.stdout  # every component, every restart: the same value
    assert (tmp_path / name).stat().st_mode & 0o077 == 0
    if name == "AIRFLOW__CORE__FERNET_KEY":
        from cryptography.fernet import Fernet

        Fernet(first.stdout.strip())


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AIRFLOW__CORE__FERNET_KEY", "change-me"),
        ("AIRFLOW__CORE__FERNET_KEY", "not-a-key-but-long-enough-to-look-like-one-xx"),
        ("AIRFLOW__API_AUTH__JWT_SECRET", "change-me-to-something-of-32-characters-or-more"),
        ("AIRFLOW__API_AUTH__JWT_SECRET", "short"),
    ],
)
def test_a_placeholder_or_malformed_secret_is_refused(name: str, value: str, tmp_path: Path) -> None:
    result = secrets([name, "--generate"], {name: value}, tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and name in result.stderr
    assert not (tmp_path / name).exists()  # nothing generated behind the operator's back


def test_a_valid_secret_from_env_is_used(tmp_path: Path) -> None:
    rotated = f"{FERNET_KEY},{FERNET_KEY}"
    result = secrets(
        ["AIRFLOW__CORE__FERNET_KEY", "--generate"], {"AIRFLOW__CORE__FERNET_KEY": rotated}, tmp_path
    )
    assert result.returncode == 0 and result.stdout.strip() == rotated


def test_the_celery_result_backend_is_the_metadata_database(compose: dict[str, Any]) -> None:
    """AIRFLOW__CELERY__RESULT_BACKEND_CMD prints the metadata database URL as Celery's result
    backend (`db+`), password percent-encoded."""
    import shlex

    env = environment(compose["services"]["airflow-scheduler"])
    assert "AIRFLOW__CELERY__RESULT_BACKEND" not in env  # it would win over the command
    command = shlex.split(env["AIRFLOW__CELERY__RESULT_BACKEND_CMD"])
    assert command[:2] == ["python", "/opt/vigie/deploy/airflow_secrets.py"]
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "POSTGRES_"))}
    values = {"POSTGRES_USER": "airflow", "POSTGRES_PASSWORD": "s3cr#t@/x", "POSTGRES_DB": "airflow"}
    result = subprocess.run(
        [sys.executable, str(SECRETS), *command[2:]], env={**base, **values}, capture_output=True, text=True
    )
    assert result.stdout == "db+postgresql+psycopg2://airflow:s3cr%23t%40%2Fx@postgres/airflow"


def test_the_database_url_command_encodes_the_password(compose: dict[str, Any]) -> None:
    """AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD, run as Airflow runs it (split, no shell), with
    the deploy folder where the image has it."""
    import shlex

    env = environment(compose["services"]["airflow-scheduler"])
    assert "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" not in env  # it would win over the command
    command = shlex.split(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD"])
    assert command[:2] == ["python", "/opt/vigie/deploy/airflow_secrets.py"]
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "POSTGRES_"))}
    values = {"POSTGRES_USER": "airflow", "POSTGRES_PASSWORD": "s3cr#t@/x", "POSTGRES_DB": "airflow"}
    result = subprocess.run(
        [sys.executable, str(SECRETS), *command[2:]],
        env={**base, **values, "POSTGRES_HOST": env["POSTGRES_HOST"]},
        capture_output=True,
        text=True,
    )
    assert result.stdout == "postgresql+psycopg2://airflow:s3cr%23t%40%2Fx@postgres/airflow"  # no newline
    missing = subprocess.run(
        [sys.executable, str(SECRETS), *command[2:]], env=base, capture_output=True, text=True
    )
    assert missing.returncode == 1 and "POSTGRES_USER" in missing.stderr


def test_the_entrypoint_exports_the_settled_secrets(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "POSTGRES_"))}
    env = {
        **base,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), base.get("PATH", "")]),
        "VIGIE_AIRFLOW_SECRETS_DIR": str(tmp_path),
        "VIGIE_IMAGE_ENTRYPOINT": "env",  # stands for the image's /entrypoint: prints what it gets
        "VIGIE_AIRFLOW_INIT": "true",
        "AIRFLOW__CORE__FERNET_KEY": "",
    }
    result = subprocess.run(["bash", str(ENTRYPOINT)], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    got = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    assert got["AIRFLOW__CORE__FERNET_KEY"] == (tmp_path / "AIRFLOW__CORE__FERNET_KEY").read_text().strip()
    assert len(got["AIRFLOW__API_AUTH__JWT_SECRET"]) >= 32

    refused = subprocess.run(
        ["bash", str(ENTRYPOINT)],
        env={**env, "AIRFLOW__CORE__FERNET_KEY": "change-me"},
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0 and "placeholder" in refused.stderr and refused.stdout == ""
