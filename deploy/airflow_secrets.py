"""The secrets every Airflow component of docker-compose.yml must share, settled before any of
them starts (deploy/airflow-entrypoint.sh, deploy/airflow-init.sh).

    python airflow_secrets.py AIRFLOW__CORE__FERNET_KEY [--generate]

prints the value the component must use:
- set (non-empty) in the environment (.env): that value, checked first. A Fernet key must be
  one (32 url-safe base64-encoded bytes; comma-separated keys for a rotation); any value
  holding .env.example's `change-me` placeholder is refused, with what to do instead.
- empty or unset: the value kept in the secrets folder (`VIGIE_AIRFLOW_SECRETS_DIR`, the
  airflow-secrets volume), which airflow-init creates with `--generate` on the first `up`
  and every later `up` reuses (connections stay decryptable across restarts).

    python airflow_secrets.py --sql-alchemy-conn

prints the metadata database URL from POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB and
POSTGRES_HOST (default postgres), user and password percent-encoded: a `#`, `@` or `/` in the
password does not break the URL.

    python airflow_secrets.py --celery-result-backend

prints the same URL as Celery's result backend (`db+postgresql+psycopg2://...`: the scale
profile's CeleryExecutor keeps task results in the metadata database).

Errors go to stderr as one line and exit 1. Nothing is ever printed but the value itself.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

PLACEHOLDER = "change-me"


def _fernet(value: str) -> str | None:
    """Why `value` is not a usable Fernet key (None when it is)."""
    import base64
    import binascii

    for key in value.split(","):
        try:
            raw = base64.urlsafe_b64decode(key.strip().encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raw = b""
        if len(raw) != 32:
            return "is not a Fernet key (32 url-safe base64-encoded bytes)"
    return None


def _jwt(value: str) -> str | None:
    return "is shorter than 32 characters" if len(value) < 32 else None


def _new_fernet() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


def _new_jwt() -> str:
    return secrets.token_urlsafe(48)


# name -> (why a value is refused, how to make a new one, how an operator makes one)
SECRETS: dict[str, tuple[Callable[[str], str | None], Callable[[], str], str]] = {
    "AIRFLOW__CORE__FERNET_KEY": (
        _fernet,
        _new_fernet,
        'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"',
    ),
    "AIRFLOW__API_AUTH__JWT_SECRET": (_jwt, _new_jwt, "openssl rand -hex 32"),
}


class SecretError(Exception):
    pass


def resolve(name: str, environ: dict[str, str], folder: Path, *, generate: bool) -> str:
    check, make, hint = SECRETS[name]
    value = environ.get(name, "").strip()
    if value:
        if PLACEHOLDER in value:
            raise SecretError(
                f"{name} is the .env.example placeholder: leave it empty in .env (airflow-init "
                f"generates one and keeps it in the airflow-secrets volume) or set one made by: {hint}"
            )
        problem = check(value)
        if problem:
            raise SecretError(f"{name} in .env {problem}: leave it empty or set one made by: {hint}")
        return value
    path = folder / name
    if path.is_file():
        kept = path.read_text(encoding="ascii").strip()
        problem = check(kept)
        if problem:
            raise SecretError(f"{name} kept in {path} {problem}: delete the file to generate a new one")
        return kept
    if not generate:
        raise SecretError(
            f"{name} is not set in .env and {path} does not exist: airflow-init generates it "
            "(docker compose up airflow-init)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    value = make()
    tmp = path.with_name(f".{name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(value + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    print(f"generated {name} into {path}", file=sys.stderr)
    return value


def sql_alchemy_conn(environ: dict[str, str]) -> str:
    from urllib.parse import quote

    missing = [n for n in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB") if not environ.get(n)]
    if missing:
        raise SecretError(f"{', '.join(missing)} not set in .env")
    user, password = (quote(environ[n], safe="") for n in ("POSTGRES_USER", "POSTGRES_PASSWORD"))
    host = environ.get("POSTGRES_HOST") or "postgres"
    return f"postgresql+psycopg2://{user}:{password}@{host}/{quote(environ['POSTGRES_DB'], safe='')}"


def main(argv: list[str]) -> int:
    if argv in (["--sql-alchemy-conn"], ["--celery-result-backend"]):
        prefix = "db+" if argv[0] == "--celery-result-backend" else ""
        try:
            # No newline: Airflow takes a _CMD's output as it is (the database name would end in one).
            sys.stdout.write(prefix + sql_alchemy_conn(dict(os.environ)))
        except SecretError as error:
            print(f"airflow secrets: {error}", file=sys.stderr)
            return 1
        return 0
    if len(argv) not in (1, 2) or argv[0] not in SECRETS or argv[1:] not in ([], ["--generate"]):
        print(
            f"usage: airflow_secrets.py {{{','.join(SECRETS)}}} [--generate] | --sql-alchemy-conn"
            " | --celery-result-backend",
            file=sys.stderr,
        )
        return 2
    folder = Path(os.environ.get("VIGIE_AIRFLOW_SECRETS_DIR") or "/opt/airflow/secrets")
    try:
        value = resolve(argv[0], dict(os.environ), folder, generate=argv[1:] == ["--generate"])
    except (SecretError, OSError) as error:
        print(f"airflow secrets: {error}", file=sys.stderr)
        return 1
    print(value)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
