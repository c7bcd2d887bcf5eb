"""Enrichment: named entities (spaCy fr_core_news_md + KB) and conflict events, from data files.

Public surface: `enrich.pipeline.Enricher`, `enrich.evaluate.evaluate/render/main`.
"""
