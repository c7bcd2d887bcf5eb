"""Storage floor: the Elasticsearch client and templates, the local node, the indexer
(idempotent bulk writes, dead letters), and the on-disk spool for batches the cluster
cannot take."""

from __future__ import annotations

_EXPORTS = {
    "client": ".es",
    "install_templates": ".es",
    "uninstall_templates": ".es",
    "index_for": ".es",
    "to_document": ".es",
    "ensure_aliases": ".es",
    "Indexer": ".indexer",
    "IndexReport": ".indexer",
    "already_indexed": ".indexer",
    "purge_dead_letters": ".indexer",
    "replay_spool": ".indexer",
    "ReplayReport": ".indexer",
    "Node": ".node",
    "NodeError": ".node",
    "import_saved_objects": ".kibana",
    "KibanaImportError": ".kibana",
}
__all__ = sorted(_EXPORTS)

def __getattr__(name: str) -> object:
    """Public names are imported on first use, so importing the package stays cheap."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module, __name__), name)
