"""news_ingest: every 2 minutes (VIGIE_SCHEDULE_MINUTES), poll the feeds that are due and index
what is new.

Thin wiring only: every step is a function of `vigie.run.tasks`, imported inside the task so
parsing this file stays instant. Steps pass staging paths through XCom, never article text.
Re-running a logical date changes nothing: feeds answer 304 or their items are already
indexed under ids derived from canonical URLs. Alerts are written by the batches and sent by
`deliver`, a task of its own with a time budget: a receiver that hangs never holds up a batch,
and whatever happened to the batches (one failed, or nothing was new), pending alerts go out.
"""

from __future__ import annotations

from airflow.sdk import dag, task

from vigie.run.airflow_support import (
    FEED_MAP_INDEX_TEMPLATE,
    POOL_ELASTICSEARCH,
    POOL_FEEDS,
    batch_tasks,
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
    def list_feeds(*, run_id: str) -> list[dict[str, object]]:
        """Only the feeds due (their poll interval has passed): no task for the others."""
        from vigie.run import tasks

        return tasks.due_feeds(run_key=run_id)

    @task(pool=POOL_FEEDS, max_active_tis_per_dagrun=4, map_index_template=FEED_MAP_INDEX_TEMPLATE)
    def poll_feed(feed: dict[str, object], *, run_id: str) -> str:
        from vigie.run import tasks
        from vigie.run.airflow_support import name_map_index, task_settings

        name_map_index(str(feed["name"]))
        return tasks.poll(feed, run_id, task_settings())

    @task(pool=POOL_ELASTICSEARCH)
    def plan(item_paths: list[str], *, run_id: str) -> list[str]:
        from vigie.run import tasks
        from vigie.run.airflow_support import task_settings

        return tasks.plan(list(item_paths), run_id, task_settings())

    # Batches side by side (VIGIE_BATCH_TASKS): fetch, extraction and enrichment in parallel;
    # each batch's commit (dedup, stories, alerts, index) takes its turn under the commit lease.
    @task(pool=POOL_ELASTICSEARCH, max_active_tis_per_dagrun=batch_tasks())
    def process_batch(batch_path: str, *, run_id: str) -> list[str]:
        from vigie.run import tasks
        from vigie.run.airflow_support import task_settings

        return tasks.process_batch(batch_path, run_id, task_settings())

    # Runs when there was no batch at all (nothing new: the mapped task is skipped), and then
    # skips itself once its work is done, so no asset event (no empty digest) follows.
    @task(pool=POOL_ELASTICSEARCH, outlets=[INDEXED_ARTICLES], trigger_rule="none_failed")
    def finish(batch_ids: list[list[str]], *, run_id: str, outlet_events=None) -> int:  # type: ignore[no-untyped-def]
        from airflow.sdk.exceptions import AirflowSkipException

        from vigie.run import tasks
        from vigie.run.airflow_support import task_settings

        stored = tasks.finish(list(batch_ids or []), run_id, task_settings())
        if not stored:
            raise AirflowSkipException("no new article stored")
        outlet_events[INDEXED_ARTICLES].extra = {"run_id": run_id, "articles": stored}
        return stored

    # After the batches whatever became of them (a failed batch's neighbours have alerts too).
    @task(trigger_rule="all_done")
    def deliver(*, run_id: str) -> int:
        from vigie.run import tasks
        from vigie.run.airflow_support import task_settings

        return tasks.deliver(run_id, task_settings())

    @task(trigger_rule="all_done")
    def summarize(*, run_id: str) -> str:
        from vigie.run import tasks
        from vigie.run.airflow_support import task_settings

        return tasks.summarize(run_id, task_settings())

    @task(trigger_rule="none_failed")
    def clean_up(*, run_id: str) -> None:
        """Only after every step succeeded: a failed run keeps its staging for its retry."""
        from vigie.run import tasks
        from vigie.run.airflow_support import task_settings

        tasks.clean_up(run_id, task_settings())

    # The run's verdict: runs only when a step failed, and fails, naming the steps, so the run
    # ends failed even though summarize, deliver and clean_up run or skip after a failure. No
    # retry: it would only repeat the verdict.
    @task(trigger_rule="one_failed", retries=0)
    def check(*, ti=None, dag_run=None) -> None:  # type: ignore[no-untyped-def]
        from vigie.run.airflow_support import fail_run

        fail_run(ti, dag_run.dag_id, dag_run.run_id)

    ready = prepare()
    feeds = list_feeds()
    polled = poll_feed.expand(feed=feeds)
    ready >> polled
    planned = plan(polled)
    batches = process_batch.expand(batch_path=planned)
    finished = finish(batches)
    delivered = deliver()
    summary = summarize()
    finished >> delivered >> summary
    cleaned = clean_up()
    [finished, summary] >> cleaned
    [ready, feeds, polled, planned, batches, finished, delivered, summary, cleaned] >> check()


news_ingest()
