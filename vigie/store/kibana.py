"""Kibana saved objects (`kibana/*.ndjson`): load them and import them through Kibana's API.

The objects are in Kibana's saved-object export format (data views, saved searches, Lens
visualizations, a map, the "Conflict monitor" dashboard). Data views point at the read
aliases of the default prefix (`vigie-articles`, ...); `prefix=` rewrites their titles for
a deployment with another `VIGIE_INDEX_PREFIX` (ids stay the same, so re-imports overwrite).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx

from vigie.core.resources import files

log = logging.getLogger(__name__)

KIBANA_DIR = files("kibana")
DEFAULT_PREFIX = "vigie"
# Referenced objects first, so a reader of the concatenated file meets definitions first.
TYPE_ORDER = ["index-pattern", "search", "visualization", "lens", "map", "dashboard"]


class KibanaImportError(RuntimeError):
    """Kibana refused the import request itself (not individual objects: see `errors`)."""


def load_saved_objects(path: Path = KIBANA_DIR, prefix: str = DEFAULT_PREFIX) -> list[dict[str, Any]]:
    """Every saved object of an ndjson file, or of every `*.ndjson` in a folder, ordered so
    that referenced objects come before the objects referencing them."""
    files = sorted(path.glob("*.ndjson")) if path.is_dir() else [path]
    if not files:
        raise FileNotFoundError(f"no .ndjson saved objects in {path}")
    objects: list[dict[str, Any]] = []
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{file.name} line {number}: {error}") from error
            if not isinstance(obj, dict) or not {"type", "id", "attributes"} <= obj.keys():
                raise ValueError(f"{file.name} line {number}: not a saved object (type, id, attributes)")
            objects.append(_with_prefix(obj, prefix))
    rank = {kind: n for n, kind in enumerate(TYPE_ORDER)}
    return sorted(objects, key=lambda o: rank.get(o["type"], len(TYPE_ORDER)))


def _with_prefix(obj: dict[str, Any], prefix: str) -> dict[str, Any]:
    if prefix == DEFAULT_PREFIX or obj["type"] != "index-pattern":
        return obj
    title = str(obj["attributes"].get("title", ""))
    if title.startswith(f"{DEFAULT_PREFIX}-"):
        obj = {**obj, "attributes": {**obj["attributes"], "title": prefix + title[len(DEFAULT_PREFIX) :]}}
    return obj


def to_ndjson(objects: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n" for o in objects).encode(
        "utf-8"
    )


def import_saved_objects(
    kibana_url: str,
    path: Path = KIBANA_DIR,
    overwrite: bool = True,
    *,
    prefix: str = DEFAULT_PREFIX,
    space: str | None = None,
    timeout: float = 60.0,
) -> dict[str, Any]:
    """POST the saved objects to `/api/saved_objects/_import` (multipart, `kbn-xsrf` header,
    as Kibana's API requires) and return Kibana's parsed answer (`success`, `successCount`,
    `errors`). Per-object errors (e.g. a missing reference) come back in `errors`, logged."""
    objects = load_saved_objects(path, prefix)
    base = kibana_url.rstrip("/") + (f"/s/{space}" if space else "")
    try:
        response = httpx.post(
            f"{base}/api/saved_objects/_import",
            params={"overwrite": "true"} if overwrite else {},
            headers={"kbn-xsrf": "vigie"},
            files={"file": ("vigie.ndjson", to_ndjson(objects), "application/ndjson")},
            timeout=timeout,
        )
    except httpx.HTTPError as error:
        raise KibanaImportError(f"Kibana at {kibana_url} unreachable: {error}") from error
    if response.status_code != 200:
        raise KibanaImportError(f"Kibana refused the import ({response.status_code}): {response.text[:500]}")
    result: dict[str, Any] = response.json()
    for failure in result.get("errors", []):
        log.error(
            "Kibana did not import %s %s: %s", failure.get("type"), failure.get("id"), failure.get("error")
        )
    log.info("Kibana imported %s of %d saved objects", result.get("successCount"), len(objects))
    return result
