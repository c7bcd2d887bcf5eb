"""Settings read from the environment (and nothing else), so DAGs, CLI and tests agree.

`ES_URL` selects an external cluster (docker-compose, production); without it everything
talks to the local node that `vigie es up` starts on 127.0.0.1.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_ES_PORT = 9250


def _env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    es_url: str = field(
        default_factory=lambda: os.environ.get("ES_URL") or f"http://127.0.0.1:{LOCAL_ES_PORT}"
    )
    es_external: bool = field(default_factory=lambda: bool(os.environ.get("ES_URL")))
    index_prefix: str = field(default_factory=lambda: os.environ.get("VIGIE_INDEX_PREFIX", "vigie"))
    state_dir: Path = field(
        default_factory=lambda: Path(
            os.environ.get("VIGIE_STATE_DIR", Path.home() / ".local" / "state" / "vigie")
        )
    )
    feeds_file: Path = field(
        default_factory=lambda: Path(os.environ.get("VIGIE_FEEDS", REPO_ROOT / "ingest" / "feeds.yaml"))
    )
    # The value of `{BASE_URL}` in the feed registry (the sample site's address in the demo).
    feeds_base_url: str | None = field(default_factory=lambda: os.environ.get("VIGIE_FEEDS_BASE_URL"))
    rules_file: Path = field(
        default_factory=lambda: Path(os.environ.get("VIGIE_RULES", REPO_ROOT / "alerts" / "rules.yaml"))
    )
    # Hosts exempt from the SSRF guard (the local feed server in tests and the demo).
    allow_hosts: list[str] = field(default_factory=lambda: _env_list("VIGIE_ALLOW_HOSTS"))
    enrich_languages: list[str] = field(default_factory=lambda: _env_list("VIGIE_ENRICH_LANGUAGES", "fr"))
    index_other_languages: bool = field(
        default_factory=lambda: _env_bool("VIGIE_INDEX_OTHER_LANGUAGES", True)
    )
    user_agent: str = field(
        default_factory=lambda: os.environ.get(
            "VIGIE_USER_AGENT", "VigieBot/0.1 (+https://github.com/vigie-news/vigie; news monitoring)"
        )
    )
    max_body_bytes: int = field(
        default_factory=lambda: int(os.environ.get("VIGIE_MAX_BODY_BYTES", 5 * 1024 * 1024))
    )

    # Articles processed together (one fetch, dedup, index round trip each): bounds memory.
    batch_size: int = field(default_factory=lambda: int(os.environ.get("VIGIE_BATCH_SIZE", 200)))
    # Enrichment processes beside the main one (spaCy holds the GIL, so a second core needs a
    # second process; each loads the model, ~600 MB). 0: enrich in the main process.
    enrich_workers: int = field(default_factory=lambda: int(os.environ.get("VIGIE_ENRICH_WORKERS", 0)))

    def index(self, kind: str) -> str:
        """Alias name of an index family: articles, events, alerts, deadletters."""
        return f"{self.index_prefix}-{kind}"

    # The language policy, in one place: which articles are enriched, which are stored.
    def enriches(self, language: str | None) -> bool:
        return language is not None and language in self.enrich_languages

    def stores(self, language: str | None) -> bool:
        return self.enriches(language) or self.index_other_languages


def get_settings() -> Settings:
    return Settings()
