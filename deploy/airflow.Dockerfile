# The Airflow image of docker-compose.yml: the official image plus this package (DAG tasks
# import `vigie`, `ingest`, `enrich`; the spaCy model is a pinned PyPI dependency, so nothing
# is downloaded at run time). Build from the repository root:
#   docker compose build   (or: docker build -f deploy/airflow.Dockerfile .)
FROM apache/airflow:3.3.2-python3.11 AS wheel

# Stage 1: the wheel, built from the sources. It carries its data files (index templates,
# alert rules, Kibana objects, feed registry, enrich data, sample site) as package data, so
# the image needs no checkout; `make wheel-check` tests that very wheel outside the checkout.
COPY --chown=airflow:0 . /tmp/vigie-src
RUN pip wheel --no-cache-dir --no-deps -w /tmp/dist /tmp/vigie-src

FROM apache/airflow:3.3.2-python3.11

# Must match the FROM tag: pinning it keeps pip from up- or downgrading Airflow itself.
ARG AIRFLOW_VERSION=3.3.2

USER root
# vigie-state: spool and feed state; secrets: the Fernet key and JWT secret airflow-init
# generates when .env leaves them empty (both are named volumes in docker-compose.yml).
RUN mkdir -p /opt/airflow/vigie-state /opt/airflow/secrets \
    && chown -R airflow:0 /opt/airflow/vigie-state /opt/airflow/secrets \
    && chmod 0770 /opt/airflow/secrets
USER airflow

# Stage 2: install the wheel with its `deploy` extra (Postgres drivers, Airflow providers), its
# `scale` extra (the Celery provider and Redis client of the compose `scale` profile) and its
# pinned dependencies; no sources in the image. The DAG files come from the ./dags mount of
# docker-compose.yml. (`vigie-*.whl[deploy]` would be a shell glob: the name is expanded first.)
COPY --from=wheel /tmp/dist/ /tmp/dist/
RUN whl="$(echo /tmp/dist/vigie-*.whl)" && pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" "${whl}[deploy,scale]"

# The entrypoint settles the shared secrets, then runs the image's /entrypoint; airflow-init
# runs airflow-init.sh (migrations, pools from pools.json, the Elasticsearch connection).
COPY --chown=airflow:0 deploy/airflow-entrypoint.sh deploy/airflow-init.sh deploy/airflow_secrets.py deploy/pools.json /opt/vigie/deploy/
ENTRYPOINT ["/usr/bin/dumb-init", "--", "/opt/vigie/deploy/airflow-entrypoint.sh"]
CMD []

ENV VIGIE_STATE_DIR=/opt/airflow/vigie-state
