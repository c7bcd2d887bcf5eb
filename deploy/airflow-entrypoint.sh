#!/usr/bin/env bash
# Entrypoint of every Airflow container of docker-compose.yml (deploy/airflow.Dockerfile): the
# Fernet key and the JWT secret every component must share are settled first
# (airflow_secrets.py: taken from .env when set and valid, the .env.example placeholder refused,
# else the values airflow-init generated into the airflow-secrets volume), then the image's own
# /entrypoint runs the command. (The metadata database URL is AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD
# of docker-compose.yml, which every airflow process runs, `docker exec` healthchecks included.)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
generate=()
if [[ "${VIGIE_AIRFLOW_INIT:-}" == "true" ]]; then
    generate=(--generate)  # airflow-init only: the others start after it and read its files
fi
for name in AIRFLOW__CORE__FERNET_KEY AIRFLOW__API_AUTH__JWT_SECRET; do
    value="$(python "${here}/airflow_secrets.py" "${name}" "${generate[@]}")"
    export "${name}=${value}"
done
exec "${VIGIE_IMAGE_ENTRYPOINT:-/entrypoint}" "$@"
