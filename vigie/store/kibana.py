"""Kibana saved objects (`kibana/*.ndjson`): load them and import them through Kibana's API.

The objects are in Kibana's saved-object export format (data views, saved searches, Lens
visualizations, a map, the "Conflict monitor" dashboard). Data views point at the read
aliases of the default prefix (`vigie-articles`, ...); `prefix=` rewrites their titles for
a deployment with another `VIGIE_INDEX_PREFIX` (ids stay the same, so re-imports overwrite).

`import_saved_objects` returns Kibana's answer; `import_problems` turns its per-object errors
into one line each (the CLI exits non-zero on any). `push_rules` puts alerting rules and their
webhook connectors through Kibana's alerting and actions APIs, one object per request, under
ids that never change: created (`POST .../<id>`) the first time, updated (`PUT .../<id>`, with
only the fields the update API accepts) when Kibana answers 409 because it exists already.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx

from vigie.core.resources import files

log = logging.getLogger(__name__)

KIBANA_DIR = files("kibana")
DEFAULT_PREFIX = "vigie"
# Referenced objects first, so a reader of the concatenated file meets definitions first.
TYPE_ORDER = ["index-pattern", "search", "visualization", "lens", "map", "dashboard"]


class KibanaImportError(RuntimeError):
    """Kibana refused the import request itself (not individual objects: see `errors`)."""


class KibanaUnreachable(KibanaImportError):
    """No answer from Kibana at all (connection refused, timeout)."""


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
    `errors`). Per-object errors (e.g. a missing reference) come back in `errors`:
    `import_problems` gives one line for each."""
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
        raise KibanaUnreachable(f"Kibana at {kibana_url} unreachable: {error}") from error
    if response.status_code != 200:
        raise KibanaImportError(f"Kibana refused the import ({response.status_code}): {response.text[:500]}")
    result: dict[str, Any] = response.json()
    # Each refused object is the caller's to report (`import_problems`; the CLI exits 1 on any).
    for problem in import_problems(result, len(objects)):
        log.info("Kibana did not import %s", problem)
    log.info("Kibana imported %s of %d saved objects", result.get("successCount"), len(objects))
    return result


def import_problems(result: dict[str, Any], sent: int | None = None) -> list[str]:
    """One line per object Kibana did not import (`<type> <id> (<title>): <why>`), plus one
    when fewer objects than `sent` were imported without an error saying why."""
    lines: list[str] = []
    for failure in result.get("errors") or []:
        error = failure.get("error") or {}
        kind = error.get("type", "error")
        why = str(kind)
        if kind == "missing_references":
            refs = ", ".join(f"{r.get('type')} {r.get('id')}" for r in error.get("references") or [])
            why = f"missing references: {refs}" if refs else "missing references"
        elif error.get("message"):
            why = f"{kind}: {error['message']}"
        title = failure.get("title") or (failure.get("meta") or {}).get("title")
        label = f"{failure.get('type')} {failure.get('id')}" + (f" ({title})" if title else "")
        lines.append(f"{label}: {why}")
    count = result.get("successCount")
    if sent is not None and isinstance(count, int) and count + len(lines) < sent:
        lines.append(f"{sent - count - len(lines)} object(s) neither imported nor reported by Kibana")
    if not lines and result.get("success") is False:
        lines.append("Kibana answered success: false without naming an object")
    return lines


# --- alerting rules and connectors -----------------------------------------------------------

# Kibana takes predefined ids for objects with encrypted attributes (rules, connectors) only
# when they are UUIDs; the connector API documents v1 or v4.
_CONNECTOR_NAMESPACE = uuid.UUID("0b9f3c6e-2d4a-4e59-8c1d-5f7a3e2b6d90")
# What `PUT /api/alerting/rule/<id>` accepts (rule_type_id, consumer, enabled are create-only).
RULE_UPDATE_FIELDS = ("name", "tags", "schedule", "params", "actions", "throttle", "notify_when")
CONNECTOR_UPDATE_FIELDS = ("name", "config", "secrets")
Outcome = Literal["created", "updated", "failed"]


class KibanaError(RuntimeError):
    """Kibana could not be reached, or refused a request as a whole."""


def connector_id(name: str) -> str:
    """A stable UUID (v4 layout, derived from `name`) for the connector of a Vigie notifier."""
    derived = uuid.uuid5(_CONNECTOR_NAMESPACE, f"vigie-connector:{name}")
    return str(uuid.UUID(bytes=derived.bytes, version=4))


@dataclass(frozen=True)
class KibanaObject:
    """One object to put: `kind` "rule" or "connector", its stable id and its create body."""

    kind: Literal["rule", "connector"]
    id: str
    body: dict[str, Any]

    @property
    def path(self) -> str:
        return f"/api/alerting/rule/{self.id}" if self.kind == "rule" else f"/api/actions/connector/{self.id}"

    @property
    def update_body(self) -> dict[str, Any]:
        fields = RULE_UPDATE_FIELDS if self.kind == "rule" else CONNECTOR_UPDATE_FIELDS
        return {key: self.body[key] for key in fields if key in self.body}


@dataclass(frozen=True)
class PushResult:
    kind: str
    id: str
    name: str
    outcome: Outcome
    error: str | None = None


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:300]}"
    if isinstance(body, dict) and body.get("message"):
        return f"HTTP {response.status_code}: {body['message']}"
    return f"HTTP {response.status_code}: {response.text[:300]}"


def put_object(client: httpx.Client, obj: KibanaObject) -> PushResult:
    """Create `obj` under its id, or update it when it exists (409 on create)."""
    name = str(obj.body.get("name", obj.id))
    try:
        response = client.post(obj.path, json=obj.body)
        outcome: Outcome = "created"
        if response.status_code == 409:
            response = client.put(obj.path, json=obj.update_body)
            outcome = "updated"
    except httpx.HTTPError as error:
        raise KibanaError(f"Kibana at {client.base_url} unreachable: {error}") from error
    if response.status_code != 200:
        return PushResult(obj.kind, obj.id, name, "failed", _error_text(response))
    return PushResult(obj.kind, obj.id, name, outcome)


def push_objects(
    kibana_url: str, objects: list[KibanaObject], *, space: str | None = None, timeout: float = 30.0
) -> list[PushResult]:
    """Put each object (connectors first: rules reference them), one request each. A rule
    whose connector failed is still tried: Kibana says what it lacks."""
    base = kibana_url.rstrip("/") + (f"/s/{space}" if space else "")
    ordered = sorted(objects, key=lambda o: o.kind != "connector")
    with httpx.Client(base_url=base, headers={"kbn-xsrf": "vigie"}, timeout=timeout) as client:
        results = [put_object(client, obj) for obj in ordered]
    for result in results:
        if result.outcome == "failed":
            log.info("Kibana refused %s %s (%s): %s", result.kind, result.id, result.name, result.error)
    return results


def webhook_connector(name: str, url: str, headers: dict[str, str] | None = None) -> KibanaObject:
    """A `.webhook` connector posting JSON to `url` (the URL is a secret: never logged here)."""
    return KibanaObject(
        kind="connector",
        id=connector_id(name),
        body={
            "name": f"Vigie: {name}",
            "connector_type_id": ".webhook",
            "config": {
                "url": url,
                "method": "post",
                "headers": {"Content-Type": "application/json", **(headers or {})},
                "hasAuth": False,
            },
            "secrets": {},
        },
    )
