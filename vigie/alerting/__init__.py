"""Alert rules: load (`rules`), match (`matcher`), evaluate at ingest (`engine`), deliver
(`delivery`, through the channels of `notifiers`), export to Kibana (`kibana_export`),
dry-run on files (`dryrun`)."""

from __future__ import annotations

from vigie.core.exports import lazy_exports

_EXPORTS = {
    "load_rules": ".rules",
    "Rule": ".rules",
    "RuleSet": ".rules",
    "RulesError": ".rules",
    "AlertEngine": ".engine",
    "deliver_pending": ".delivery",
    "dry_run": ".dryrun",
    "export_kibana_rules": ".kibana_export",
}
__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
