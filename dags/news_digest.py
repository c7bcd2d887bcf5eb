"""news_digest: scheduled on the asset news_ingest updates; digests its new alerts and events."""

from __future__ import annotations

from airflow.sdk import dag, task

from vigie.run.airflow_support import POOL_ELASTICSEARCH, dag_defaults, indexed_articles

INDEXED_ARTICLES = indexed_articles()


@dag(dag_id="news_digest", schedule=[INDEXED_ARTICLES], **dag_defaults(__doc__))
def news_digest() -> None:
    @task
    def ingest_runs(*, triggering_asset_events=None) -> list[str]:  # type: ignore[no-untyped-def]
        """The ingest runs behind this trigger (the latest run when started by hand)."""
        from vigie.run.airflow_support import task_settings
        from vigie.run.maintenance import latest_ingest_run

        runs = sorted(
            {
                str(event.extra["run_id"])
                for events in (triggering_asset_events or {}).values()
                for event in events
                if event.extra and "run_id" in event.extra
            }
        )
        if not runs:
            latest = latest_ingest_run(task_settings())
            runs = [latest] if latest else []
        return runs

    @task(pool=POOL_ELASTICSEARCH)
    def digest(runs: list[str]) -> list[str]:
        """Skipped when there is no ingest run to digest: never an empty digest."""
        from airflow.sdk.exceptions import AirflowSkipException

        from vigie.run.airflow_support import task_settings
        from vigie.run.digest import digest_runs

        if not runs:
            raise AirflowSkipException("no ingest run with new articles to digest")
        return digest_runs(runs, task_settings())

    digest(ingest_runs())


news_digest()
