"""docker-compose.yml (the real deployment) is valid Compose and agrees with the versions the
code is pinned to. Docker is not needed: the file is loaded by compose-go, the loader of
`docker compose` itself (deploy/composecheck, built with the machine's Go toolchain): schema
validation against the Compose specification, `${VAR}` interpolation from the env file made as
the README says (`cp .env.example .env`), merge keys, normalisation. Structure is asserted on
the project it resolves; what must stay a `${VAR}` reference is asserted on the raw text.

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
COMPOSECHECK = REPO_ROOT / "deploy" / "composecheck"
SECRETS = REPO_ROOT / "deploy" / "airflow_secrets.py"
ENTRYPOINT = REPO_ROOT / "deploy" / "airflow-entrypoint.sh"
AIRFLOW_SERVICES = ("airflow-api-server", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer")
ONE_SHOT = ("airflow-init", "setup")
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


def load(composecheck: Path, folder: Path, env_text: str) -> subprocess.CompletedProcess[str]:
    """compose-go on a copy of docker-compose.yml with `env_text` as its .env."""
    shutil.copy(COMPOSE, folder / "docker-compose.yml")
    (folder / ".env").write_text(env_text, encoding="utf-8")
    return subprocess.run(
        [str(composecheck), str(folder / "docker-compose.yml"), str(folder / ".env")],
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


def test_every_image_is_pinned(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
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
        r'^RUN whl="\$\(echo /tmp/dist/vigie-\*\.whl\)" && pip install .*"apache-airflow==\$\{AIRFLOW_VERSION\}" "\$\{whl\}\[deploy\]"$',
        dockerfile,
        re.M,
    )
    for driver in ("psycopg2-binary", "asyncpg", "apache-airflow-providers-fab"):
        assert pinned(driver, "deploy")
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


def waits(compose: dict[str, Any], name: str) -> dict[str, str]:
    return {dep: spec["condition"] for dep, spec in compose["services"][name].get("depends_on", {}).items()}


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
        if spec["condition"] == "service_healthy":
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


def test_mounts_and_named_volumes(compose: dict[str, Any]) -> None:
    services = compose["services"]
    declared = set(compose["volumes"])
    used: set[str] = set()
    for name, service in services.items():
        for mount in service.get("volumes", []):
            if mount["type"] == "volume":
                used.add(mount["source"])
                assert mount["source"] in declared, f"{name} mounts undeclared volume {mount['source']}"
    assert used == declared
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
