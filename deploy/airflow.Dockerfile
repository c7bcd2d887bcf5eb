# The Airflow image of docker-compose.yml: the official image plus this package (DAG tasks
# import `vigie`, `ingest`, `enrich`; the spaCy model is a pinned PyPI dependency, so nothing
# is downloaded at run time). Build from the repository root:
#   docker compose build   (or: docker build -f deploy/airflow.Dockerfile .)
FROM apache/airflow:3.3.2-python3.11

# Must match the FROM tag: pinning it keeps pip from up- or downgrading Airflow itself.
ARG AIRFLOW_VERSION=3.3.2

USER root
RUN mkdir -p /opt/vigie /opt/airflow/vigie-state \
    && chown -R airflow:0 /opt/vigie /opt/airflow/vigie-state
USER airflow

# Editable install: the package keeps finding its data files (index_mappings/, kibana/,
# alerts/rules.yaml) next to its sources, as in a checkout.
COPY --chown=airflow:0 . /opt/vigie
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -e /opt/vigie

ENV VIGIE_STATE_DIR=/opt/airflow/vigie-state
