"""The alert rules as Kibana objects to push (`vigie alerts push-kibana`).

`vigie.alerting.kibana_export` translates each rule's condition into an `.es-query` rule body;
this module makes those bodies what a deployment needs:

* one object per rule under `kibana_rule_id(rule)` (re-pushing updates, never duplicates);
* the time field is the indexing time (`indexed_at`, stamped by the cluster's ingest pipeline),
  not the publication date: a rule looks back over what arrived during its window, so an
  article published two days before it was polled still fires;
* each webhook notifier a rule lists becomes a `.webhook` connector (stable id) and an action
  of the rule on the "query matched" group, carrying the hits. Notifiers Kibana has no
  equivalent for here (log, e-mail) and unconfigured webhooks are reported, not pushed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from vigie.alerting.kibana_export import export_kibana_rules, kibana_rule_id
from vigie.alerting.rules import RuleSet
from vigie.core.settings import Settings
from vigie.store.es import INDEXED_AT
from vigie.store.kibana import KibanaObject, connector_id, webhook_connector

# The `.es-query` rule type's one action group.
ACTION_GROUP = "query matched"


def action_body(rule_name: str, severity: str) -> str:
    """The webhook's JSON body, a Mustache template Kibana renders (JSON-escaped) per run."""
    fields = {
        "source": "kibana",
        "rule": rule_name,
        "severity": severity,
        "kibana_rule_id": "{{rule.id}}",
        "title": "{{context.title}}",
        "message": "{{context.message}}",
        "date": "{{context.date}}",
        "link": "{{context.link}}",
    }
    head = json.dumps(fields, ensure_ascii=False)[:-1]
    return head + ', "hits": {{#toJSON}}context.hits{{/toJSON}}}'


@dataclass
class RulePush:
    """What to push, and what of the rules file does not reach Kibana (one line each)."""

    objects: list[KibanaObject] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


def kibana_objects(rules: RuleSet, settings: Settings, interval: str = "5m") -> RulePush:
    push = RulePush()
    by_name = {rule.name: rule for rule in rules.enabled()}
    connectors: dict[str, KibanaObject] = {}
    bodies = export_kibana_rules(rules, settings, interval=interval)
    exported = {t.split(":", 1)[1] for body in bodies for t in body["tags"] if t.startswith("vigie-rule:")}
    push.left_out.extend(
        f"rule {name}: Query DSL cannot express it (the export logs why)"
        for name in by_name
        if name not in exported
    )
    for body in bodies:
        tag = next(t for t in body["tags"] if t.startswith("vigie-rule:"))
        rule = by_name[tag.split(":", 1)[1]]
        actions: list[dict[str, Any]] = []
        for notifier in rules.notifiers_of(rule):
            if notifier.type != "webhook":
                continue
            if not notifier.configured:
                push.left_out.append(
                    f"rule {rule.name}: notifier {notifier.name} unconfigured "
                    f"({', '.join(notifier.missing_env)} unset): pushed without its action"
                )
                continue
            if notifier.name not in connectors:
                connectors[notifier.name] = webhook_connector(
                    notifier.name, str(notifier.options["url"]), dict(notifier.options.get("headers") or {})
                )
            actions.append(
                {
                    "group": ACTION_GROUP,
                    "id": connector_id(notifier.name),
                    "params": {"body": action_body(rule.name, rule.severity)},
                    "frequency": {"summary": False, "notify_when": "onActiveAlert", "throttle": None},
                }
            )
        params = {**body["params"], "timeField": INDEXED_AT}
        push.objects.append(
            KibanaObject(
                kind="rule", id=kibana_rule_id(rule), body={**body, "params": params, "actions": actions}
            )
        )
    push.objects[:0] = list(connectors.values())
    return push
