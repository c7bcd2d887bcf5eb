"""The report of a benchmark run: the ratios against the targets, the Markdown section printed
and written to `bench/results.md` between the markers of its section."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import COMPONENT_SAMPLE, MODEL, RESULTS_MD

# Elasticsearch node statistics that are counts, not seconds (`bench.child.ES_COUNTS`).
ES_COUNTS = frozenset({"documents indexed", "refreshes", "shard searches"})
TARGETS = {"end_to_end": 0.70, "index": 0.90, "dedup_growth": 1.25, "rss_growth": 1.20}


def _markers(section: str) -> tuple[str, str]:
    return f"<!-- bench:{section}:begin -->", f"<!-- bench:{section}:end -->"


def _rate(items: float, seconds: float) -> float:
    return items / seconds if seconds else float("inf")


def _row(size: Any, what: str, value: float, target: str, met: bool | None) -> dict[str, Any]:
    return {"size": size, "what": what, "value": value, "target": target, "met": met}


def _at_least(size: Any, what: str, value: float, target: str) -> dict[str, Any]:
    return _row(size, what, value, f">= {TARGETS[target]:.0%}", value >= TARGETS[target])


def _at_most(size: Any, what: str, value: float, target: str, flat: bool = False) -> dict[str, Any]:
    limit = f"<= {TARGETS[target]:.2f}x"
    return _row(size, what, value, f"flat ({limit})" if flat else limit, value <= TARGETS[target])


def _informative(size: Any, what: str, value: float) -> dict[str, Any]:
    return _row(size, what, value, "(informative)", None)


def ratios(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target, per size where it applies: value, target, met."""
    rows: list[dict[str, Any]] = []
    for r in results:
        size, stages, bounds = r["n"], r["stages"], r["bounds"]
        slowest = min(bounds.values(), key=lambda b: b["rate"])
        slowest_name = next(k for k, v in bounds.items() if v is slowest)
        what = f"end-to-end / slowest single-stage bound ({slowest_name}: {slowest['rate']:.1f}/s)"
        rows.append(_at_least(size, what, r["end_to_end_rate"] / slowest["rate"], "end_to_end"))
        if "index_alone" in r:  # the same documents, the machine to itself: time against time
            what = "indexing (the index step alone) / raw helpers.bulk of the same documents"
            rows.append(
                _at_least(size, what, bounds["index"]["seconds"] / r["index_alone"]["seconds"], "index")
            )
        index_rate = _rate(stages["index"]["items"], stages["index"]["seconds"])
        what = "index step inside the run (sharing the cores with enrichment) / raw helpers.bulk"
        value = index_rate / bounds["index"]["rate"]
        rows.append(
            _informative(size, what, value) if "index_alone" in r else _at_least(size, what, value, "index")
        )
        for stage, alone in (("enrich", "nlp.pipe alone"), ("extract", "trafilatura alone")):
            if stage in stages:
                stage_rate = _rate(stages[stage]["items"], stages[stage]["seconds"])
                rows.append(
                    _informative(size, f"{stage} / its bound ({alone})", stage_rate / bounds[stage]["rate"])
                )
    for r in results:
        if "groups" not in r:
            continue
        g = r["groups"]
        what = (
            f"generated articles' groups (original + copies) stored exactly once ({g['once']} / "
            f"{g['groups']}; lost {len(g['lost'])}, doubled {len(g['doubled'])})"
        )
        value = g["once"] / g["groups"] if g["groups"] else 0.0
        met = not g["lost"] and not g["doubled"] and g["once"] == g["groups"]
        rows.append(_row(r["n"], what, value, "100%", met))
    if len(results) >= 2:
        small, large = min(results, key=lambda r: r["n"]), max(results, key=lambda r: r["n"])
        sizes = f"{small['n']}→{large['n']}"
        per_article = [
            1000 * x["stages"]["dedup"]["seconds"] / x["stages"]["dedup"]["items"] for x in (small, large)
        ]
        what = f"dedup ms/article ({per_article[0]:.2f} → {per_article[1]:.2f})"
        rows.append(_at_most(sizes, what, per_article[1] / per_article[0], "dedup_growth", flat=True))
        rss = (small["peak_rss_mib"], large["peak_rss_mib"])
        rows.append(
            _at_most(sizes, f"peak RSS ({rss[0]:.0f} → {rss[1]:.0f} MiB)", rss[1] / rss[0], "rss_growth")
        )
    for r in results:  # dedup growth inside one run: first vs last quarter of its batches
        batches = [b for b in r["batches"] if b["articles"]]
        if len(batches) >= 8:
            quarter = len(batches) // 4
            head = sum(b["dedup_ms_per_article"] for b in batches[:quarter]) / quarter
            tail = sum(b["dedup_ms_per_article"] for b in batches[-quarter:]) / quarter
            what = f"dedup ms/article, first vs last quarter of the run ({head:.2f} → {tail:.2f})"
            rows.append(_at_most(r["n"], what, tail / head, "dedup_growth", flat=True))
    return rows


def _duplicates(metrics: dict[str, int]) -> int:
    return sum(metrics.get(f"duplicates:{kind}", 0) for kind in ("exact", "near", "of_stored"))


def cpu_lines(r: dict[str, Any]) -> list[str]:
    """Where the run's CPU went, ms of CPU per article (every article of the run, copies and
    non-French included): the main thread's stages, the rest of the main process, the
    enrichment workers, Elasticsearch and the feed server, against what the cores offered."""
    cpu = r.get("cpu")
    if not cpu or not r["articles"]:
        return []
    n = r["articles"]

    def ms(seconds: float) -> str:
        return f"{1000 * seconds / n:.2f}"

    stages = cpu["stages"]
    main_thread = sum(stages.values())
    offered = cpu["cores"] * r["wall_seconds"]
    used = cpu["main"] + cpu["workers"] + cpu["elasticsearch"] + cpu["feed_server"]
    enriched = r["stages"].get("enrich", {}).get("items", 0)
    lines = [
        "",
        f"CPU of the run, ms per article ({n} articles; `time.thread_time` per main-thread stage, "
        "process CPU for the rest):",
        "",
        "| where | CPU s | ms/article |",
        "|---|---:|---:|",
    ]
    for name, seconds in stages.items():
        lines.append(f"| main thread: {name} | {seconds:.1f} | {ms(seconds)} |")
    threads = dict(cpu.get("threads", {}))
    whole_main_thread = threads.pop("(main thread)", None)
    if whole_main_thread is not None:
        outside = whole_main_thread - main_thread
        lines.append(
            f"| main thread, outside the stages (batch hand-over, bench hook) | {outside:.1f} | {ms(outside)} |"
        )
    rest = cpu["main"] - (main_thread if whole_main_thread is None else whole_main_thread)
    lines += [
        f"| main process, other threads (page prefetch, delivery, worker hand-over) | {rest:.1f} | {ms(rest)} |",
        *(
            f"| main process, of which thread `{name}` (sampled) | {seconds:.1f} | {ms(seconds)} |"
            for name, seconds in threads.items()
            if seconds >= 0.05
        ),
        f"| **main process** | {cpu['main']:.1f} | **{ms(cpu['main'])}** |",
        f"| enrichment workers ({1000 * cpu['workers'] / max(1, enriched):.1f} ms per enriched article) | "
        f"{cpu['workers']:.1f} | {ms(cpu['workers'])} |",
        f"| Elasticsearch | {cpu['elasticsearch']:.1f} | {ms(cpu['elasticsearch'])} |",
        *(
            f"| Elasticsearch, {name} (thread time) | {seconds:.1f} | {ms(seconds)} |"
            for name, seconds in cpu.get("elasticsearch_operations", {}).items()
            if seconds >= 0.05 and name not in ES_COUNTS
        ),
        f"| feed server | {cpu['feed_server']:.1f} | {ms(cpu['feed_server'])} |",
        f"| total (of {cpu['cores']} cores x {r['wall_seconds']:.1f} s = {offered:.1f} s: "
        f"{used / offered:.0%} busy) | {used:.1f} | {ms(used)} |",
    ]
    by_family = cpu.get("elasticsearch_by_family") or {}
    if by_family:
        operations = sorted({op for ops in by_family.values() for op in ops})
        lines += [
            "",
            "Elasticsearch thread time by index family, ms per article (index statistics):",
            "",
            "| family | " + " | ".join(operations) + " |",
            "|---|" + "---:|" * len(operations),
        ]
        for family, ops in sorted(by_family.items(), key=lambda item: -sum(item[1].values())):
            if sum(ops.values()) >= 0.05:
                lines.append(f"| {family} | " + " | ".join(ms(ops.get(op, 0.0)) for op in operations) + " |")
    counts = {k: v for k, v in cpu.get("elasticsearch_operations", {}).items() if k in ES_COUNTS}
    if counts:
        lines += [
            "",
            "Elasticsearch during the run: " + ", ".join(f"{k} {v:,.0f}" for k, v in counts.items()) + ".",
        ]
    return lines


def _size_section(r: dict[str, Any]) -> list[str]:
    """The section of one size: stage table, bounds, memory and what was stored."""
    lines: list[str] = []
    corpus = ", ".join(f"{k} {v}" for k, v in r["corpus"].items())
    stopped = (
        f" — **stopped at the time budget after {r['articles']:,} articles**"
        if r.get("stopped_early")
        else ""
    )
    lines += [
        "",
        f"### {r['n']:,} articles ({corpus}; batches of {r['batch_size']}){stopped}",
        "",
        f"Enrichment in {r.get('workers', 0)} worker process(es) beside the main one; batches overlap "
        "(batch N is enriched while N+1 is fetched and deduplicated), so the stage times add up to more "
        "than the wall time. The enrich row is the workers' busy time divided by their number.",
        "",
        "| stage | items | seconds | items/s | ms/item |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, stage in r["stages"].items():
        rate = _rate(stage["items"], stage["seconds"])
        unit = "feeds" if name == "poll" else "articles"
        ms = 1000 * stage["seconds"] / stage["items"] if stage["items"] else 0.0
        lines.append(f"| {name} | {stage['items']} {unit} | {stage['seconds']:.1f} | {rate:.1f} | {ms:.2f} |")
    lines.append(
        f"| **end to end** | {r['articles']} articles | {r['wall_seconds']:.1f} | "
        f"**{r['end_to_end_rate']:.1f}** | {1000 * r['wall_seconds'] / max(1, r['articles']):.2f} |"
    )
    lines += ["", "| bound (alone, same inputs) | items | seconds | items/s |", "|---|---:|---:|---:|"]
    processes = r["bounds"]["enrich"].get("processes", 1)
    labels = {
        "enrich": f"enrichment: `nlp.pipe` of {MODEL} alone, {processes} process(es)",
        "extract": "extraction: trafilatura `bare_extraction` alone",
        "index": f"indexing: raw `helpers.bulk` of the {r['bounds']['index'].get('documents', '?')} stored "
        "article + event docs (articles/s)",
    }
    for name, bound in r["bounds"].items():
        lines.append(f"| {labels[name]} | {bound['items']} | {bound['seconds']:.1f} | {bound['rate']:.1f} |")
    if "index_alone" in r:
        alone = r["index_alone"]
        lines.append(
            f"| the index step alone (`Pipeline.index` per batch, the pass's cuts of at most {r['batch_size']}: "
            f"bulk + refresh; a full "
            f"refresh at the end), same "
            f"{alone['documents']} docs (stored articles/s) | {alone['items']} | {alone['seconds']:.1f} | "
            f"{alone['rate']:.1f} |"
        )
        if "refresh_seconds" in alone:
            lines += [
                "",
                f"Of the index step alone, {alone['refresh_seconds']:.1f} s are its "
                f"{alone.get('refreshes', alone['batches'])} refreshes (articles and alerts after the last "
                "batch only: the batches before it are answered from the pass's memory by the next "
                "batch's dedup, story and alert lookups; every family once at the end); the raw bulk "
                "requests none (the cluster's own 1-second refresh runs in both).",
            ]
    lines += cpu_lines(r)
    if r.get("components"):
        parts = ", ".join(f"{name} {ms:.0f}" for name, ms in r["components"].items())
        lines += ["", f"Enrichment's spaCy pipeline, ms per text ({COMPONENT_SAMPLE} texts): {parts}."]
    if not r.get("enrich_available", True):
        lines += ["", "**The enrichment stage could not be loaded in this run: not measured.**"]
    if r.get("band_matches"):
        bm = r["band_matches"]
        lines += [
            "",
            f"Dedup candidates at the end of the run: the last batch's {bm['articles']} articles each share an "
            f"LSH band with {bm['mean']:.0f} stored articles on average (median {bm['p50']}, p90 {bm['p90']}).",
        ]
    if r.get("warm_up"):
        warm = r["warm_up"]
        lines += [
            "",
            f"Before the clock, a warm-up pass over {warm['articles']:.0f} articles of another corpus (own "
            f"indices, deleted after) took {warm['seconds']:.1f} s, {warm['elasticsearch_cpu']:.1f} s of them "
            "Elasticsearch CPU (a fresh node compiling its request paths): not counted, like the model load.",
        ]
    metrics = r["metrics"]
    lines += [
        "",
        f"Peak RSS {r['peak_rss_mib']:.0f} MiB, main process and enrichment workers together (after loading "
        f"the model{'s' if r.get('workers', 0) > 1 else ''}: {r['rss_before_mib']:.0f} MiB; main process alone "
        f"{r.get('peak_rss_main_mib', 0):.0f} MiB; model load {r['model_load_seconds']:.1f} s, not counted). Stored articles: {r['stored_articles']} "
        f"(expected {r['corpus']['original'] + r['corpus']['non_french']}: originals + non-French). "
        f"Duplicates folded {_duplicates(metrics)} / {r['corpus']['exact_dup'] + r['corpus']['near_dup']} "
        f"(exact {metrics.get('duplicates:exact', 0)} and near {metrics.get('duplicates:near', 0)} "
        f"copies of an earlier-published article; {metrics.get('duplicates:of_stored', 0)} originals "
        "polled after a copy already stored, folded into it); non-French "
        f"{metrics.get('non_french', 0)} / {r['corpus']['non_french']}; events "
        f"{sum(v for k, v in metrics.items() if k.startswith('events:'))}; alerts {metrics.get('alerts', 0)}; "
        f"refused {r['refused'] or 'none'}.",
    ]
    if r.get("groups"):
        g = r["groups"]
        lines += [
            "",
            f"Nothing lost, nothing doubled: of the corpus's {g['groups']} groups (an original with its "
            f"copies), {g['once']} are in exactly one stored document (by URL and folded URLs); lost "
            f"{len(g['lost'])}, doubled {len(g['doubled'])}"
            + (f" {g['lost'][:3] + g['doubled'][:3]}" if g["lost"] or g["doubled"] else "")
            + f"; URLs not in the corpus {g['unknown_urls']}. Stored documents holding two groups "
            f"(generated texts found near-identical): {len(g['merged'])}"
            + ("" if not g["merged"] else " — " + "; ".join(" + ".join(m) for m in g["merged"][:5]))
            + ".",
        ]
    return lines


def render(
    results: Sequence[dict[str, Any]],
    host: dict[str, str],
    elapsed: float,
    sample: int,
    command: str,
    section: str,
) -> str:
    begin, end = _markers(section)
    lines = [begin, "", f"Generated by `{command}` ({elapsed / 60:.1f} min for the whole run).", ""]
    lines += ["| machine | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in host.items()]
    for r in results:
        lines += _size_section(r)
    enrich_sample = min(r["bounds"]["enrich"]["items"] for r in results)
    lines += [
        "",
        f"The enrichment and extraction bounds run on the first {sample:,} texts/pages of each run "
        f"(fewer when the run is smaller; smallest sample here: {enrich_sample}), the same texts the "
        "pipeline enriched and the same pages it fetched.",
        "",
        "### Ratios against the targets",
        "",
        "| size | ratio | value | target | met |",
        "|---|---|---:|---|---|",
    ]
    for row in ratios(results):
        met = "—" if row["met"] is None else ("yes" if row["met"] else "**no**")
        lines.append(f"| {row['size']} | {row['what']} | {row['value']:.2f} | {row['target']} | {met} |")
    lines += ["", end]
    return "\n".join(lines)


def write_results(rendered: str, section: str, path: Path = RESULTS_MD) -> None:
    """Replace the section between its markers; the hand-written text around it stays."""
    begin, end = _markers(section)
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = head + rendered + tail
    else:
        text = text.rstrip() + "\n\n" + rendered + "\n"
    path.write_text(text, encoding="utf-8")
