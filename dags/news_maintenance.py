"""news_maintenance (daily): replay spooled batches, purge old dead letters, report feeds
failing N polls in a row, refresh the aliases of the time-based indices, purge the staging
folders failed runs left behind."""

from __future__ import annotations

from airflow.sdk import dag, task

from vigie.run.airflow_support import POOL_ELASTICSEARCH, dag_defaults


@dag(dag_id="news_maintenance", schedule="@daily", **dag_defaults(__doc__))
def news_maintenance() -> None:
    @task(pool=POOL_ELASTICSEARCH)
    def replay_spool() -> dict[str, int]:
        from vigie.run import maintenance
        from vigie.run.airflow_support import task_settings

        return maintenance.replay(task_settings())

    @task(pool=POOL_ELASTICSEARCH)
    def purge_dead_letters() -> int:
        from vigie.run import maintenance
        from vigie.run.airflow_support import task_settings

        return maintenance.purge_dead_letters(task_settings())

    @task
    def report_failing_feeds() -> list[dict[str, object]]:
        from vigie.run import maintenance
        from vigie.run.airflow_support import task_settings

        return maintenance.report_failing_feeds(task_settings())

    @task(pool=POOL_ELASTICSEARCH)
    def refresh_aliases() -> dict[str, object]:
        from vigie.run import maintenance
        from vigie.run.airflow_support import task_settings

        return maintenance.refresh_aliases(task_settings())

    @task
    def purge_staging() -> list[str]:
        from vigie.run import maintenance
        from vigie.run.airflow_support import task_settings

        return maintenance.purge_staging(task_settings())

    replay_spool() >> purge_dead_letters() >> refresh_aliases()
    report_failing_feeds()
    purge_staging()


news_maintenance()
