#!/usr/bin/env bash
# airflow-init of docker-compose.yml: everything the first `docker compose up` needs before the
# scheduler starts, each step idempotent (it runs again on every `up`). The same script runs
# against the real test Airflow in tests/test_real_scheduler.py.
#   1. the metadata database: `airflow db migrate` (fails loudly; the image's entrypoint ignores
#      a failed migration);
#   2. the admin user, when AIRFLOW_ADMIN_PASSWORD is set (FAB auth manager);
#   3. the pools the DAGs use, from deploy/pools.json (`airflow pools import`: created or updated);
#   4. the connection elasticsearch_default from VIGIE_ES_HOST, VIGIE_ES_PORT, VIGIE_ES_SCHEME,
#      VIGIE_ES_USER, VIGIE_ES_PASSWORD (`airflow connections import --overwrite` of a JSON file
#      written 0600 and removed: no password on a command line, none to URL-encode; .env is the
#      source of truth, each `up` applies it again).
# The Fernet key the connection is encrypted with was settled by deploy/airflow-entrypoint.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

echo "airflow-init: migrating the metadata database"
airflow db migrate

if [[ -n "${AIRFLOW_ADMIN_PASSWORD:-}" ]]; then
    if [[ "${AIRFLOW_ADMIN_PASSWORD}" == *change-me* ]]; then
        echo "airflow-init: AIRFLOW_ADMIN_PASSWORD is the .env.example placeholder: set a real one in .env" >&2
        exit 1
    fi
    user="${AIRFLOW_ADMIN_USER:-admin}"
    # Idempotent: an existing user is left as it is.
    airflow users create --username "${user}" --password "${AIRFLOW_ADMIN_PASSWORD}" \
        --firstname Vigie --lastname Admin --role Admin --email "${user}@localhost"
fi

echo "airflow-init: pools from ${here}/pools.json"
airflow pools import "${here}/pools.json"

echo "airflow-init: connection elasticsearch_default"
connections="$(mktemp --suffix=.json)"
trap 'rm -f "${connections}"' EXIT
python - "${connections}" <<'PY'
import json, os, sys
port = os.environ.get("VIGIE_ES_PORT") or "9200"
if not port.isdigit():
    sys.exit(f"airflow-init: VIGIE_ES_PORT={port!r} is not a port number")
conn = {
    "conn_type": "elasticsearch",
    "host": os.environ.get("VIGIE_ES_HOST") or "elasticsearch",
    "port": int(port),
    "schema": os.environ.get("VIGIE_ES_SCHEME") or "http",
}
if os.environ.get("VIGIE_ES_USER"):
    conn["login"] = os.environ["VIGIE_ES_USER"]
    conn["password"] = os.environ.get("VIGIE_ES_PASSWORD", "")
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump({"elasticsearch_default": conn}, out)
PY
airflow connections import --overwrite "${connections}"
echo "airflow-init: done"
