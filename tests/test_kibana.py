"""The Kibana saved objects: every field they use exists in the mappings with a type that
supports what is done with it, every reference resolves, and the import speaks Kibana's API."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from elasticsearch import Elasticsearch
from helpers import LocalServer, QuietHandler

from vigie.alerting.kibana_export import kibana_rule_id
from vigie.alerting.rules import load_rules
from vigie.core.models import Article
from vigie.core.settings import REPO_ROOT, Settings
from vigie.run.kibana_rules import kibana_objects
from vigie.store.es import (
    INDEXED_AT,
    index_for,
    index_template_files,
    install_templates,
    load_template,
    pipeline_name,
    to_document,
)
from vigie.store.kibana import (
    KIBANA_DIR,
    KibanaImportError,
    connector_id,
    import_problems,
    import_saved_objects,
    load_saved_objects,
)

RULES = REPO_ROOT / "alerts" / "rules.yaml"

AGGREGATABLE = {"keyword", "integer", "long", "float", "double", "date", "boolean", "geo_point"}
FAMILY_OF_TITLE = {f"vigie-{f}": f for f in ("articles", "events", "alerts", "deadletters", "stories")}
KQL_FIELD = re.compile(r"([A-Za-z_][\w.]*)\s*(?::|>=|<=|>|<)")


def field_types(family: str) -> dict[str, str]:
    """Every field path of a family's mapping, multi-fields included, with its type."""
    props = load_template(index_template_files()[f"{{{{prefix}}}}-{family}"], "vigie")["template"][
        "mappings"
    ]["properties"]
    types: dict[str, str] = {}

    def walk(properties: dict[str, Any], path: str) -> None:
        for name, spec in properties.items():
            full = f"{path}{name}"
            types[full] = spec.get("type", "object")
            for sub, sub_spec in spec.get("fields", {}).items():
                types[f"{full}.{sub}"] = sub_spec["type"]
            walk(spec.get("properties", {}), f"{full}.")

    walk(props, "")
    return types


def field_uses(obj: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(reference name of the data view, field, aggregated?) for every field an object uses."""
    attrs = obj["attributes"]
    uses: list[tuple[str, str, bool]] = []
    if obj["type"] == "search":
        ref = "kibanaSavedObjectMeta.searchSourceJSON.index"
        uses += [(ref, c, False) for c in attrs["columns"]]
        uses += [(ref, field, True) for field, _direction in attrs["sort"]]
        query = json.loads(attrs["kibanaSavedObjectMeta"]["searchSourceJSON"])["query"]["query"]
        uses += [(ref, f, False) for f in KQL_FIELD.findall(query)]
    elif obj["type"] == "lens":
        state = attrs["state"]
        for layer_id, layer in state["datasourceStates"]["formBased"]["layers"].items():
            ref = f"indexpattern-datasource-layer-{layer_id}"
            for column in layer["columns"].values():
                if column.get("sourceField") and column["sourceField"] != "___records___":
                    uses.append((ref, column["sourceField"], True))
            uses += [(ref, f, False) for f in KQL_FIELD.findall(state["query"]["query"])]
    elif obj["type"] == "visualization":
        ref = "kibanaSavedObjectMeta.searchSourceJSON.index"
        for agg in json.loads(attrs["visState"]).get("aggs", []):
            if "field" in agg.get("params", {}):
                uses.append((ref, agg["params"]["field"], True))
    elif obj["type"] == "map":
        for layer in json.loads(attrs["layerListJSON"]):
            source = layer["sourceDescriptor"]
            if source.get("type") != "ES_SEARCH":
                continue
            ref = source["indexPatternRefName"]
            uses.append((ref, source["geoField"], True))
            uses += [(ref, f, False) for f in source.get("tooltipProperties", [])]
            if source.get("sortField"):
                uses.append((ref, source["sortField"], True))
            for prop in layer["style"]["properties"].values():
                if prop.get("type") == "DYNAMIC":
                    uses.append((ref, prop["options"]["field"]["name"], True))
    return uses


def problems(objects: list[dict[str, Any]]) -> list[str]:
    """Everything wrong with a set of saved objects, as readable lines (empty when sound)."""
    found: list[str] = []
    by_key = {(o["type"], o["id"]): o for o in objects}
    views = {o["id"]: o for o in objects if o["type"] == "index-pattern"}
    for view in views.values():
        family = FAMILY_OF_TITLE.get(view["attributes"]["title"])
        if family is None:
            found.append(f"data view {view['id']}: title {view['attributes']['title']} is no Vigie alias")
            continue
        time_field = view["attributes"].get("timeFieldName")
        if field_types(family).get(time_field) != "date":
            found.append(f"data view {view['id']}: time field {time_field} is not a date")
    for obj in objects:
        where = f"{obj['type']} {obj['id']}"
        refs = {r["name"]: r for r in obj.get("references", [])}
        for ref in refs.values():
            if (ref["type"], ref["id"]) not in by_key:
                found.append(
                    f"{where}: reference {ref['name']} -> {ref['type']} {ref['id']} does not resolve"
                )
        for ref_name, field, aggregated in field_uses(obj):
            ref = refs.get(ref_name)
            if ref is None or ref["id"] not in views:
                found.append(f"{where}: no data view reference {ref_name}")
                continue
            family = FAMILY_OF_TITLE.get(views[ref["id"]]["attributes"]["title"], "")
            kind = field_types(family).get(field) if family else None
            if kind is None:
                found.append(f"{where}: field {field} is not in the {family} mapping")
            elif aggregated and kind not in AGGREGATABLE:
                found.append(f"{where}: field {field} is {kind}, not aggregatable")
        if obj["type"] == "dashboard":
            for panel in json.loads(obj["attributes"]["panelsJSON"]):
                ref = refs.get(f"{panel['panelIndex']}:{panel['panelRefName']}")
                if ref is None or ref["type"] != panel["type"]:
                    found.append(f"{where}: panel {panel['panelIndex']} has no {panel['type']} reference")
    return found


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return load_saved_objects(KIBANA_DIR)


def test_every_field_exists_with_a_fitting_type_and_every_reference_resolves(
    objects: list[dict[str, Any]],
) -> None:
    assert problems(objects) == []
    assert len({(o["type"], o["id"]) for o in objects}) == len(objects)


def test_the_check_catches_a_text_field_aggregated_and_a_dangling_reference(
    objects: list[dict[str, Any]],
) -> None:
    broken = copy.deepcopy(objects)
    persons = next(o for o in broken if o["id"] == "vigie-lens-top-persons")
    layer = next(iter(persons["attributes"]["state"]["datasourceStates"]["formBased"]["layers"].values()))
    layer["columns"]["person"]["sourceField"] = "title"
    broken = [o for o in broken if o["id"] != "vigie-lens-casualties"]
    assert problems(broken) == [
        "lens vigie-lens-top-persons: field title is text, not aggregatable",
        "dashboard vigie-dashboard-conflict-monitor: reference panel-4:panel_panel-4 -> lens vigie-lens-casualties does not resolve",
    ]


def test_the_day_one_set_covers_what_analysts_asked_for(objects: list[dict[str, Any]]) -> None:
    views = {o["id"]: o["attributes"] for o in objects if o["type"] == "index-pattern"}
    assert {v["title"]: v["timeFieldName"] for v in views.values()} == {
        "vigie-articles": "published",
        "vigie-events": "event_date",
        "vigie-alerts": "triggered_at",
        "vigie-deadletters": "created_at",
        "vigie-stories": "event_date",
    }
    dashboard = next(o for o in objects if o["type"] == "dashboard")
    assert dashboard["attributes"]["title"] == "Conflict monitor"
    on_dashboard = {r["id"] for r in dashboard["references"]}
    used = {
        (field, obj["id"])
        for obj in objects
        if obj["id"] in on_dashboard
        for _r, field, _a in field_uses(obj)
    }
    fields = {field for field, _ in used}
    for needed in (
        "sub_event_type", "event_date", "launched.value", "intercepted.value", "killed.value", "injured.value",
        "actor.name", "persons", "location", "source",
    ):  # fmt: skip
        assert needed in fields, needed
    phrase = next(o for o in objects if o["id"] == "vigie-search-frappe-nucleaire")
    assert (
        '"frappe nucléaire"'
        in json.loads(phrase["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])["query"]["query"]
    )
    assert "vigie-search-frappe-nucleaire" in on_dashboard and "vigie-map-event-locations" in on_dashboard


def test_another_prefix_rewrites_data_view_titles_only() -> None:
    objects = load_saved_objects(KIBANA_DIR, prefix="acme")
    titles = sorted(o["attributes"]["title"] for o in objects if o["type"] == "index-pattern")
    assert titles == ["acme-alerts", "acme-articles", "acme-deadletters", "acme-events", "acme-stories"]
    assert {o["id"] for o in objects if o["type"] == "index-pattern"} == set(FAMILY_OF_TITLE)


# --- the import API, against a local receiver that checks Kibana's documented contract --------


class KibanaReceiver(QuietHandler):
    received: list[dict[str, Any]] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if url.path != "/api/saved_objects/_import" or self.headers.get("kbn-xsrf") is None:
            self.reply_json(
                400, {"statusCode": 400, "error": "Bad Request", "message": "missing kbn-xsrf or wrong path"}
            )
            return
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body
        )
        parts = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
        file_part = parts["file"]
        payload = file_part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        lines = [json.loads(line) for line in payload.decode("utf-8").splitlines() if line]
        type(self).received.append(
            {"query": parse_qs(url.query), "filename": file_part.get_filename(), "objects": lines}
        )
        if type(self).status != 200:
            self.reply_json(
                type(self).status, {"statusCode": type(self).status, "message": "Kibana is not ready"}
            )
            return
        dangling = [o for o in lines if o["type"] == "dashboard" and not o["references"]]
        self.reply_json(200, {
            "success": not dangling,
            "successCount": len(lines) - len(dangling),
            "errors": [{"type": o["type"], "id": o["id"], "error": {"type": "missing_references"}} for o in dangling],
        })  # fmt: skip


@pytest.fixture
def kibana() -> Iterator[tuple[str, type[KibanaReceiver]]]:
    handler = type("Receiver", (KibanaReceiver,), {"received": [], "status": 200})
    server = LocalServer(handler)
    yield server.url(), handler
    server.stop()


def test_import_posts_every_object_as_multipart_with_kbn_xsrf(
    kibana: tuple[str, type[KibanaReceiver]],
) -> None:
    url, receiver = kibana
    result = import_saved_objects(url, KIBANA_DIR)
    expected = load_saved_objects(KIBANA_DIR)
    assert result == {"success": True, "successCount": len(expected), "errors": []}
    (request,) = receiver.received
    assert request["query"] == {"overwrite": ["true"]}
    assert request["filename"].endswith(".ndjson")
    assert request["objects"] == expected
    assert [o["type"] for o in request["objects"]][0] == "index-pattern"


def test_import_returns_per_object_errors_and_raises_when_refused(
    kibana: tuple[str, type[KibanaReceiver]], tmp_path: Any
) -> None:
    url, receiver = kibana
    lonely = tmp_path / "one.ndjson"
    lonely.write_text(
        json.dumps({"type": "dashboard", "id": "d", "attributes": {"title": "x"}, "references": []}) + "\n"
    )
    result = import_saved_objects(url, lonely, overwrite=False)
    assert result["success"] is False and result["errors"][0]["id"] == "d"
    assert receiver.received[-1]["query"] == {}
    receiver.status = 503
    with pytest.raises(KibanaImportError, match="503"):
        import_saved_objects(url, lonely)
    with pytest.raises(KibanaImportError, match="unreachable"):
        import_saved_objects("http://127.0.0.1:9", lonely, timeout=2)


# --- `vigie kibana import` tells the truth ---------------------------------------------------


def vigie(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The installed command line, as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-c", "from vigie.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        timeout=timeout,
    )


def test_import_problems_name_each_refused_object() -> None:
    result = {
        "success": False,
        "successCount": 3,
        "errors": [
            {"type": "dashboard", "id": "d", "title": "Conflict monitor",
             "error": {"type": "missing_references", "references": [{"type": "index-pattern", "id": "v"}]}},
            {"type": "lens", "id": "l", "error": {"type": "unknown", "message": "bad state", "statusCode": 400}},
        ],
    }  # fmt: skip
    assert import_problems(result, sent=6) == [
        "dashboard d (Conflict monitor): missing references: index-pattern v",
        "lens l: unknown: bad state",
        "1 object(s) neither imported nor reported by Kibana",
    ]
    assert import_problems({"success": True, "successCount": 2, "errors": []}, sent=2) == []


def test_vigie_kibana_import_exits_non_zero_listing_each_refused_object(
    kibana: tuple[str, type[KibanaReceiver]], tmp_path: Path
) -> None:
    url, _receiver = kibana
    lonely = tmp_path / "one.ndjson"
    lonely.write_text(
        json.dumps({"type": "dashboard", "id": "d", "attributes": {"title": "x"}, "references": []}) + "\n"
    )
    refused = vigie("kibana", "import", "--url", url, "--path", str(lonely))
    assert refused.returncode == 1, refused.stderr
    assert refused.stderr.splitlines() == ["vigie: Kibana did not import dashboard d: missing references"]
    imported = vigie("kibana", "import", "--url", url)
    assert imported.returncode == 0, imported.stderr
    assert (
        f"imported {len(load_saved_objects(KIBANA_DIR))} of {len(load_saved_objects(KIBANA_DIR))}"
        in imported.stdout
    )
    down = vigie("kibana", "import", "--url", "http://127.0.0.1:9")
    assert down.returncode == 3 and down.stderr.count("\n") == 1 and "Traceback" not in down.stderr
    assert "Kibana at http://127.0.0.1:9 unreachable" in down.stderr


def test_the_dashboard_opens_on_a_range_that_shows_the_demo_data(objects: list[dict[str, Any]]) -> None:
    dashboard = next(o for o in objects if o["type"] == "dashboard")["attributes"]
    assert dashboard["timeRestore"] is True and dashboard["timeTo"] == "now"
    start = datetime.fromisoformat(dashboard["timeFrom"].replace("Z", "+00:00"))
    manifest = json.loads((REPO_ROOT / "sample_corpus" / "manifest.json").read_text(encoding="utf-8"))
    assert all(start <= datetime.fromisoformat(doc["published"]) for doc in manifest)


# --- `vigie alerts push-kibana`: Kibana's alerting and actions APIs ---------------------------

UUID_V1_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[14][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
RULE_CREATE = {"name", "rule_type_id", "consumer", "schedule", "params", "actions", "tags", "enabled",
               "throttle", "notify_when"}  # fmt: skip
RULE_UPDATE = {"name", "schedule", "params", "actions", "tags", "throttle", "notify_when"}
ACTION_KEYS = {"group", "id", "params", "frequency", "uuid", "alerts_filter"}


class AlertingKibana(QuietHandler):
    """Kibana's `/api/alerting/rule/<id>` and `/api/actions/connector/<id>` as documented:
    create with POST (409 when the id exists), update with PUT (404 when it does not; 400 for a
    field the update schema lacks), kbn-xsrf required, connectors' ids UUID v1/v4, a rule's
    action must name an existing connector and the `.es-query` group."""

    rules: dict[str, dict[str, Any]] = {}
    connectors: dict[str, dict[str, Any]] = {}
    calls: list[tuple[str, str]] = []
    refuse: set[str] = set()  # rule names answered 400

    def _body(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        return data

    def _handle(self, method: str) -> None:
        cls = type(self)
        cls.calls.append((method, self.path))
        if self.headers.get("kbn-xsrf") is None:
            self.reply_json(400, {"statusCode": 400, "message": "Request must contain a kbn-xsrf header."})
            return
        kind, _, object_id = self.path.rpartition("/")
        body = self._body()
        if kind == "/api/actions/connector":
            self._connector(method, object_id, body)
        elif kind == "/api/alerting/rule":
            self._rule(method, object_id, body)
        else:
            self.reply_json(404, {"statusCode": 404, "message": "Not Found"})

    def _connector(self, method: str, object_id: str, body: dict[str, Any]) -> None:
        store = type(self).connectors
        if method == "POST":
            if not UUID_V1_V4.match(object_id):
                self.reply_json(400, {"statusCode": 400, "message": "ID must be a UUID v1 or v4"})
            elif object_id in store:
                self.reply_json(
                    409, {"statusCode": 409, "message": f"Saved object [action/{object_id}] conflict"}
                )
            elif body.get("connector_type_id") != ".webhook" or not body["config"].get("url"):
                self.reply_json(400, {"statusCode": 400, "message": "[request body]: invalid webhook"})
            else:
                store[object_id] = body
                self.reply_json(200, {"id": object_id, **body})
        elif object_id not in store:
            self.reply_json(
                404, {"statusCode": 404, "message": f"Saved object [action/{object_id}] not found"}
            )
        elif set(body) - {"name", "config", "secrets"}:
            extra = sorted(set(body) - {"name", "config", "secrets"})[0]
            self.reply_json(
                400,
                {"statusCode": 400, "message": f"[request body.{extra}]: definition for this key is missing"},
            )
        else:
            store[object_id] = {**store[object_id], **body}
            self.reply_json(200, {"id": object_id, **store[object_id]})

    def _rule(self, method: str, object_id: str, body: dict[str, Any]) -> None:
        cls = type(self)
        allowed = RULE_CREATE if method == "POST" else RULE_UPDATE
        if set(body) - allowed:
            extra = sorted(set(body) - allowed)[0]
            self.reply_json(
                400,
                {"statusCode": 400, "message": f"[request body.{extra}]: definition for this key is missing"},
            )
            return
        for action in body.get("actions", []):
            if set(action) - ACTION_KEYS or action.get("group") != "query matched":
                self.reply_json(
                    400, {"statusCode": 400, "message": f"Invalid action groups: {action.get('group')}"}
                )
                return
            if action["id"] not in cls.connectors:
                self.reply_json(
                    400, {"statusCode": 400, "message": f"Saved object [action/{action['id']}] not found"}
                )
                return
        if body.get("name") in cls.refuse:
            self.reply_json(
                400, {"statusCode": 400, "message": "params invalid: [esQuery]: must be valid JSON"}
            )
        elif method == "POST" and object_id in cls.rules:
            self.reply_json(409, {"statusCode": 409, "message": f"Saved object [alert/{object_id}] conflict"})
        elif method == "PUT" and object_id not in cls.rules:
            self.reply_json(
                404, {"statusCode": 404, "message": f"Saved object [alert/{object_id}] not found"}
            )
        else:
            cls.rules[object_id] = {**cls.rules.get(object_id, {}), **body}
            self.reply_json(200, {"id": object_id, **cls.rules[object_id]})

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._handle("PUT")


@pytest.fixture
def alerting() -> Iterator[tuple[str, type[AlertingKibana]]]:
    handler = type(
        "Alerting", (AlertingKibana,), {"rules": {}, "connectors": {}, "calls": [], "refuse": set()}
    )
    server = LocalServer(handler)
    yield server.url(), handler
    server.stop()


def test_rules_go_one_per_request_with_stable_ids_a_webhook_action_and_the_indexing_time(
    alerting: tuple[str, type[AlertingKibana]],
) -> None:
    url, kibana = alerting
    env = {"VIGIE_WEBHOOK_URL": "https://hooks.example/desk"}
    first = vigie("alerts", "push-kibana", "--url", url, env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    rules = load_rules(RULES)
    exported = {kibana_rule_id(rule): rule for rule in rules.enabled()}
    assert set(kibana.rules) == set(exported)  # one object per rule, under its stable id
    assert [m for m, p in kibana.calls if "/rule/" in p] == ["POST"] * len(exported)
    (hook_id,) = kibana.connectors
    assert kibana.connectors[hook_id]["config"]["url"] == "https://hooks.example/desk"
    for rule_id, body in kibana.rules.items():
        rule = exported[rule_id]
        assert body["params"]["timeField"] == INDEXED_AT == "indexed_at"
        webhooks = [n for n in rules.notifiers_of(rule) if n.type == "webhook"]
        assert [a["id"] for a in body["actions"]] == [hook_id] * len(webhooks)
        for action in body["actions"]:
            assert f'"rule": "{rule.name}"' in action["params"]["body"]
    assert "https://hooks.example/desk" not in first.stdout + first.stderr  # a webhook URL is a secret

    kibana.calls.clear()
    again = vigie("alerts", "push-kibana", "--url", url, env=env)
    assert again.returncode == 0, again.stderr
    assert set(kibana.rules) == set(exported) and len(kibana.connectors) == 1  # nothing doubled
    assert [m for m, p in kibana.calls if "/rule/" in p] == ["POST", "PUT"] * len(exported)
    assert again.stdout.count("updated") == len(exported) + 1


def test_a_rule_kibana_refuses_fails_the_push_and_is_named(
    alerting: tuple[str, type[AlertingKibana]],
) -> None:
    url, kibana = alerting
    kibana.refuse = {"Vigie: frappe_nucleaire"}
    done = vigie("alerts", "push-kibana", "--url", url, env={"VIGIE_WEBHOOK_URL": "https://hooks.example/d"})
    assert done.returncode == 1
    refused = [line for line in done.stderr.splitlines() if line.startswith("vigie:")]
    rule_id = kibana_rule_id(load_rules(RULES).get("frappe_nucleaire"))
    assert refused == [
        f"vigie: Kibana refused rule Vigie: frappe_nucleaire ({rule_id}): "
        "HTTP 400: params invalid: [esQuery]: must be valid JSON"
    ]
    assert len(kibana.rules) == len(load_rules(RULES).enabled()) - 1  # the others are in


def test_without_a_webhook_the_rules_go_without_their_action_and_say_so(
    alerting: tuple[str, type[AlertingKibana]],
) -> None:
    url, kibana = alerting
    done = vigie("alerts", "push-kibana", "--url", url, env={"VIGIE_WEBHOOK_URL": ""})
    assert done.returncode == 0, done.stderr
    assert kibana.connectors == {} and all(body["actions"] == [] for body in kibana.rules.values())
    assert "desk_webhook unconfigured (VIGIE_WEBHOOK_URL unset)" in done.stderr


def test_rule_objects_updates_carry_only_what_the_update_api_takes() -> None:
    rules = load_rules(RULES)
    push = kibana_objects(rules, Settings())
    rule = next(o for o in push.objects if o.kind == "rule")
    assert set(rule.body) >= {"rule_type_id", "consumer", "enabled"}
    assert set(rule.update_body) <= RULE_UPDATE and "params" in rule.update_body
    assert connector_id("desk_webhook") == connector_id("desk_webhook")
    assert UUID_V1_V4.match(connector_id("desk_webhook"))


def test_the_indexing_time_is_stamped_where_the_cluster_can(es: Elasticsearch, settings: Settings) -> None:
    """Kibana's rules look back over `indexed_at`: the cluster's ingest pipeline stamps it when
    the cluster has the `set` processor (the full distribution, where Kibana runs); the minimal
    node has none, and the report says so instead of installing a pipeline that cannot run."""
    report = install_templates(es, settings)
    article = Article(
        id="a1", url="https://ex.org/a", original_url="https://ex.org/a", feed="f", source="ex", title="t"
    )
    es.index(index=index_for(settings, article), id=article.id, document=to_document(article), refresh=True)
    source = es.get(index=index_for(settings, article), id=article.id)["_source"]
    index_settings = es.indices.get_settings(index=index_for(settings, article))
    (pipeline,) = {s["settings"]["index"].get("default_pipeline") for s in index_settings.body.values()}
    if report.capabilities.indexing_time:
        assert report.pipelines == [pipeline_name(settings.index_prefix)] == [pipeline]
        stamped = datetime.fromisoformat(source[INDEXED_AT].replace("Z", "+00:00"))
        assert abs((datetime.now(UTC) - stamped).total_seconds()) < 120
    else:
        assert "set" not in report.capabilities.processors
        assert report.pipelines == [] and pipeline is None and source[INDEXED_AT] is None
    assert report.to_dict()["capabilities"]["indexing_time"] is report.capabilities.indexing_time
