"""Alert rules: load (`rules`), match (`matcher`), evaluate at ingest (`engine`), deliver
(`notifiers`), export to Kibana (`kibana_export`), dry-run on files (`dryrun`)."""

from __future__ import annotations

_EXPORTS = {
    "load_rules": ".rules",
    "Rule": ".rules",
    "RuleSet": ".rules",
    "RulesError": ".rules",
    "AlertEngine": ".engine",
    "deliver_pending": ".notifiers",
    "dry_run": ".dryrun",
    "export_kibana_rules": ".kibana_export",
}
__all__ = sorted(_EXPORTS)

def __getattr__(name: str) -> object:
    """Public names are imported on first use, so importing the package stays cheap."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module, __name__), name)
