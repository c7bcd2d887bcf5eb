"""Storage floor: the Elasticsearch client and templates, the local node, the indexer
(idempotent bulk writes, dead letters), and the on-disk spool for batches the cluster
cannot take."""

from __future__ import annotations

from vigie.core.exports import lazy_exports

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
__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
