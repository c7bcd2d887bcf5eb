"""news_ingest: poll the feeds every 10 minutes and index what is new.

Thin wiring only: every step is a function of `vigie.run.tasks`, imported inside the task so
parsing this file stays instant. Steps pass staging paths through XCom, never article text.
Re-running a logical date changes nothing: feeds answer 304 or their items are already
indexed under ids derived from canonical URLs.
"""

from __future__ import annotations

from airflow.sdk import dag, task

from vigie.run.airflow_support import (
    POOL_ELASTICSEARCH,
    POOL_FEEDS,
    dag_defaults,
    indexed_articles,
    schedule_interval,
)

INDEXED_ARTICLES = indexed_articles()


@dag(dag_id="news_ingest", schedule=schedule_interval(), **dag_defaults(__doc__))
def news_ingest() -> None:
    @task(pool=POOL_ELASTICSEARCH)
    def prepare(*, run_id: str) -> str:
        from vigie.run import tasks
        from vigie.run.airflow_support import task_settings

        return tasks.prepare(run_id, task_settings())

    @task
    def list_feeds() -> list[dict[str, object]]:
        from vigie.run import tasks

        return tasks.load_feed_registry()

    @task(pool=POOL_FEEDS, max_active_tis_per_dagrun=4)
    def poll_feed(feed: dict[str, object], *, run_id: str) -> str:
        from vigie.run import tasks
        from vigie.run.airflow_support import task_settings

        return tasks.poll(feed, run_id, task_settings())

    @task(pool=POOL_FEEDS)
    def fetch_pages(item_paths: list[str], *, run_id: str) -> str:
        from vigie.run import tasks
        from vigie.run.airflow_support import task_settings

        return tasks.fetch(list(item_paths), run_id, task_settings())

    @task(pool=POOL_ELASTICSEARCH)
    def deduplicate(path: str, *, run_id: str) -> str:
        from vigie.run import tasks
        from vigie.run.airflow_support import task_settings

        return tasks.dedup(path, run_id, task_settings())

    @task(pool=POOL_ELASTICSEARCH)
    def enrich(path: str, *, run_id: str) -> dict[str, str]:
        from vigie.run import tasks
        from vigie.run.airflow_support import task_settings

        return tasks.enrich(path, run_id, task_settings())

    @task(pool=POOL_ELASTICSEARCH)
    def evaluate_alerts(paths: dict[str, str], *, run_id: str) -> dict[str, str]:
        from vigie.run import tasks
        from vigie.run.airflow_support import task_settings

        return tasks.evaluate_alerts(paths, run_id, task_settings())

    @task(pool=POOL_ELASTICSEARCH, outlets=[INDEXED_ARTICLES])
    def index(paths: dict[str, str], *, run_id: str, outlet_events=None) -> list[str]:  # type: ignore[no-untyped-def]
        from vigie.run import tasks
        from vigie.run.airflow_support import task_settings

        ids = tasks.index(paths, run_id, task_settings())
        outlet_events[INDEXED_ARTICLES].extra = {"run_id": run_id, "articles": len(ids)}
        return ids

    @task
    def notify(ids: list[str], *, run_id: str) -> None:
        from vigie.run import tasks
        from vigie.run.airflow_support import task_settings

        tasks.notify(run_id, task_settings())

    @task(trigger_rule="all_done")
    def summarize(*, run_id: str) -> str:
        from vigie.run import tasks
        from vigie.run.airflow_support import task_settings

        return tasks.summarize(run_id, task_settings())

    ready = prepare()
    polled = poll_feed.expand(feed=list_feeds())
    ready >> polled
    fetched = fetch_pages(polled)
    alerted = evaluate_alerts(enrich(deduplicate(fetched)))
    notified = notify(index(alerted))
    notified >> summarize()


news_ingest()
