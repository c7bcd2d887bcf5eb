"""The Kibana saved objects: every field they use exists in the mappings with a type that
supports what is done with it, every reference resolves, and the import speaks Kibana's API."""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from vigie.store.es import index_template_files, load_template
from vigie.store.kibana import KIBANA_DIR, KibanaImportError, import_saved_objects, load_saved_objects

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


class KibanaReceiver(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if url.path != "/api/saved_objects/_import" or self.headers.get("kbn-xsrf") is None:
            self._reply(
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
            self._reply(
                type(self).status, {"statusCode": type(self).status, "message": "Kibana is not ready"}
            )
            return
        dangling = [o for o in lines if o["type"] == "dashboard" and not o["references"]]
        self._reply(200, {
            "success": not dangling,
            "successCount": len(lines) - len(dangling),
            "errors": [{"type": o["type"], "id": o["id"], "error": {"type": "missing_references"}} for o in dangling],
        })  # fmt: skip

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def kibana() -> Iterator[tuple[str, type[KibanaReceiver]]]:
    handler = type("Receiver", (KibanaReceiver,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


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
